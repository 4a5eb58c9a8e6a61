"""One scan, end to end: ingest -> resolve -> evaluate. The CLI and the inventory both call this.

Bad inputs never stop a scan: each is recorded in `sources` with its error,
and every input that could be read is still reported.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from depscan import enrich, ingest, resolve
from depscan.errors import InputError, OwnReport, UnrecognisedFormat
from depscan.ingest.redact import safe_text
from depscan.model import Component, InputWarning, ScanResult, SourceInfo
from depscan.policy import baseline as baseline_module
from depscan.policy import rules as rules_module
from depscan.policy.evaluate import build_result
from depscan.policy.exemptions import Exemption
from depscan.vendordb import VendorDatabase


@dataclass
class ScanOptions:
    paths: list[str]
    rules: list[str] = field(default_factory=lambda: ["default"])
    fail_on: str = "high"
    exclude: tuple[str, ...] = ()
    exemptions: list[Exemption] = field(default_factory=list)
    today: dt.date | None = None  # the date exemptions are checked against (default: the system clock)
    qualified_vendors: tuple[str, ...] = ()  # vendors used only through an offer in their qualification's scope
    #: components the caller already knows, vendor attached (the inventory's declared hosting and services):
    #: they skip reading and resolving, and get levels and rules like every other component
    declared: list[Component] = field(default_factory=list)
    #: licence and publisher enrichment: installed metadata by default, online look-ups only when asked
    enrichment: enrich.EnrichOptions = field(default_factory=enrich.EnrichOptions)
    #: where relative input paths start, and the repository root finding fingerprints are relative to
    working_dir: str | None = None
    base_dir: str | None = None
    #: an earlier report: its findings are marked `baseline` and do not fail the run
    baseline: baseline_module.Baseline | None = None


def run(
    options: ScanOptions,
    database: VendorDatabase,
    progress: Callable[[str], None] | None = None,
    ruleset: rules_module.RuleSet | None = None,
) -> ScanResult:
    """Scan every path of `options` against `database` with the chosen rule set."""
    ruleset = ruleset or rules_module.load(options.rules)
    with _collector_paused():
        return _run(options, database, ruleset, progress)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A scan allocates millions of acyclic objects: the cyclic GC would rescan them all, for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run(
    options: ScanOptions,
    database: VendorDatabase,
    ruleset: rules_module.RuleSet,
    progress: Callable[[str], None] | None,
) -> ScanResult:
    sources: list[SourceInfo] = []
    found: list[Component] = []
    read_paths: list[Path] = []  # enrichment looks beside them for .venv and node_modules
    skipped: dict[str, int] = {}  # searched directory -> whether any file in it was read
    for item in ingest.discover(options.paths, options.exclude):
        if isinstance(item, InputError):
            sources.append(SourceInfo(item.path, None, error=item.message, line=item.line))
            continue
        if isinstance(item, ingest.Skipped):
            sources.append(SourceInfo(safe_text(item.path), None, warnings=[InputWarning(safe_text(item.message))]))
            continue
        if progress is not None:
            progress(item.display)
        root = Path(item.root) if item.root is not None else None
        try:
            result = ingest.read_file(item.path, item.display, root=root, skip_own_reports=item.root is not None)
        except OwnReport as exc:  # written by an earlier run with --output FILE: said, and not counted as read
            skipped.setdefault(item.root or exc.path, 0)
            sources.append(SourceInfo(exc.path, None, warnings=[InputWarning(exc.message)]))
            continue
        except UnrecognisedFormat as exc:
            if item.root is not None:
                skipped.setdefault(item.root, 0)
                # found by a search: its name is one a reader claims, its content is something else
                if ingest.claims_by_name(item.path.resolve().as_posix(), item.path.name):
                    message = "its name is that of a supported format but its content is not recognised: not read"
                    sources.append(SourceInfo(exc.path, None, warnings=[InputWarning(message)]))
                continue
            sources.append(SourceInfo(exc.path, None, error=exc.message))
            continue
        except InputError as exc:
            sources.append(SourceInfo(exc.path, None, error=exc.message, line=exc.line))
            continue
        if item.root is not None:
            skipped[item.root] = 1
        sources.append(
            SourceInfo(
                safe_text(item.display), result.format, components=len(result.components), warnings=result.warnings
            )
        )
        found.extend(result.components)
        read_paths.append(item.path)
    for root_given, read_any in skipped.items():
        if not read_any:
            sources.append(SourceInfo(root_given, None, error="no supported SBOM or lockfile found in this directory"))
    components = resolve.merge(found)
    given_folders = [Path(p) for p in options.paths if Path(p).is_dir()]
    enrich.run(components, options.enrichment, [*read_paths, *given_folders], progress)
    resolve.resolve(components, database)
    components.extend(options.declared)
    components.extend(resolve.registries(components, database))
    resolve.same_category_alternatives(components, database)
    names = {vendor_id: vendor.name for vendor_id, vendor in database.vendors.items()}
    result = build_result(
        components,
        sources,
        ruleset,
        database.countries,
        names,
        options.fail_on,
        laws=database.laws,
        exemptions=options.exemptions,
        today=options.today,
        qualified_vendors=options.qualified_vendors,
    )
    baseline_module.assign_fingerprints(result, options.working_dir, options.base_dir)
    if options.baseline is not None:
        baseline_module.apply(result, options.baseline)
    result.database = database.info()
    return result
