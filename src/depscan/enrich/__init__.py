"""Enrichment: the step between ingest and resolve that learns each component's licence and publisher.

Lockfiles carry names and versions, rarely licences or publishers. Two
sources close that gap, in this order, each filling only what is still missing
and never overwriting what the input declared:

1. offline, always on unless `--no-installed`: metadata of the packages
   installed where the scan runs (`depscan.enrich.installed`);
2. online, only with `--enrich`: PyPI, the npm registry, deps.dev and
   ClearlyDefined (`depscan.enrich.online`), through an on-disk cache.

Every value set records its evidence (`Facts.evidence`, e.g. "installed
metadata: .venv/.../METADATA" or "registry (pypi): https://…"), which
`depscan.resolve` turns into the licence's evidence and appends to the vendor
evidence when a repository or supplier found this way decided the vendor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from depscan.enrich import installed
from depscan.enrich.facts import apply, needs_enrichment
from depscan.enrich.installed import InstalledOptions
from depscan.model import Component


@dataclass
class EnrichOptions:
    """What the enrichment step may do. The defaults read the disk and send nothing anywhere."""

    installed: InstalledOptions = field(default_factory=InstalledOptions)
    online: bool = False
    cache_dir: Path | None = None  # None: the XDG cache directory
    cache_ttl: float | None = None  # seconds; None: depscan.enrich.cache.DEFAULT_TTL
    jobs: int = 8
    sources: Sequence[str] | None = None  # online source names; None: all
    warn: Callable[[str], None] | None = None


@dataclass
class EnrichReport:
    installed_packages: int = 0  # packages read from environments and node_modules
    from_installed: int = 0  # components that gained something from installed metadata
    online_components: int = 0  # components looked up online
    online_answers: int = 0
    from_cache: int = 0
    requests: int = 0


def run(
    components: list[Component],
    options: EnrichOptions,
    inputs: Iterable[Path] = (),
    progress: Callable[[str], None] | None = None,
) -> EnrichReport:
    """Enrich `components` in place; `inputs` are the scanned files and folders (environments sit beside them)."""
    report = EnrichReport()
    pending = [c for c in components if needs_enrichment(c)]
    if pending and options.installed.enabled:
        if progress is not None:
            progress("installed package metadata")
        ecosystems = {installed.ecosystem_of(c) for c in pending}
        index = installed.build_index(options.installed, inputs, ecosystems)
        caches = installed.CacheLookups(options.installed)
        report.installed_packages = len(index)
        for component in pending:
            facts = installed.find(component, index, caches)
            if facts is not None and apply(component, facts):
                report.from_installed += 1
    if options.online and any(needs_enrichment(c) for c in components):
        _run_online(components, options, report, progress)
    return report


def _run_online(
    components: list[Component],
    options: EnrichOptions,
    report: EnrichReport,
    progress: Callable[[str], None] | None,
) -> None:
    from depscan.enrich.cache import DEFAULT_TTL, open_cache
    from depscan.enrich.http import Fetcher
    from depscan.enrich.online import OnlineEnricher, select_sources

    fetcher = Fetcher(warn=options.warn)
    with open_cache(options.cache_dir) as cache:
        ttl = DEFAULT_TTL if options.cache_ttl is None else options.cache_ttl
        enricher = OnlineEnricher(cache, fetcher, ttl, select_sources(options.sources))
        online = enricher.run(components, options.jobs, progress)
    report.online_components = online.components
    report.online_answers = online.answers
    report.from_cache = online.from_cache
    report.requests = fetcher.requests_sent
    if online.failures and options.warn is not None:
        more = f" (and {len(online.failures) - 1} more)" if len(online.failures) > 1 else ""
        options.warn(f"enrichment: {len(online.failures)} answer(s) could not be used: {online.failures[0]}{more}")
    if online.stale and options.warn is not None:
        options.warn(f"enrichment: {online.stale} answer(s) served from an expired cache entry")
