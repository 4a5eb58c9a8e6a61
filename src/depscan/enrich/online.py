"""Online enrichment (`--enrich`): ask the registries what the input and the disk did not say.

Only package coordinates leave the machine: each request is a GET of one
package version's public metadata. Per component the sources are asked in
order (its own registry, then deps.dev, then ClearlyDefined) and only while
something is still missing. Components are looked up in parallel by a small
thread pool; answers go through the on-disk cache, and when a source cannot
be reached an expired cached answer still serves.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from depscan.enrich import clearlydefined, depsdev, npm, pypi
from depscan.enrich.cache import Cache, Entry
from depscan.enrich.facts import Facts, apply, license_known, needs_enrichment, publisher_known
from depscan.enrich.http import BadAnswer, Fetcher, NotFound, Unavailable
from depscan.enrich.source import Source
from depscan.model import Component

SOURCES: tuple[Source, ...] = (pypi.SOURCE, npm.SOURCE, depsdev.SOURCE, clearlydefined.SOURCE)
SOURCE_NAMES = tuple(s.name for s in SOURCES)


@dataclass
class OnlineReport:
    """What the online step did, for messages and tests."""

    components: int = 0  # components that needed something
    answers: int = 0  # look-ups answered (network or cache)
    from_cache: int = 0
    stale: int = 0  # expired cache entries used because the source could not answer
    failures: list[str] = field(default_factory=list)


class OnlineEnricher:
    def __init__(
        self,
        cache: Cache,
        fetcher: Fetcher,
        ttl: float,
        sources: Sequence[Source] = SOURCES,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.cache = cache
        self.fetcher = fetcher
        self.ttl = ttl
        self.sources = tuple(sources)
        self.now = now
        self.report = OnlineReport()
        self._lock = threading.Lock()

    def run(
        self,
        components: list[Component],
        jobs: int = 8,
        progress: Callable[[str], None] | None = None,
    ) -> OnlineReport:
        """Look up every component that still lacks a licence or a publisher; fill it in place."""
        wanted = [c for c in components if needs_enrichment(c) and any(s.path(c) for s in self.sources)]
        self.report.components = len(wanted)
        if not wanted:
            return self.report
        with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="depscan-enrich") as pool:
            futures = {pool.submit(self._look_up, component): component for component in wanted}
            for done, future in enumerate(as_completed(futures), 1):
                component = futures[future]
                for facts in future.result():
                    apply(component, facts)
                if progress is not None:
                    progress(f"registry metadata {done}/{len(wanted)}")
        return self.report

    def _look_up(self, component: Component) -> list[Facts]:
        """Ask the sources in order while something is missing (runs in a worker thread)."""
        found: list[Facts] = []
        for source in self.sources:
            need_license = not license_known(component) and not any(f.licenses for f in found)
            need_publisher = not publisher_known(component) and not any(f.suppliers or f.repository for f in found)
            if not (need_license or need_publisher):
                break
            path = source.path(component)
            if path is None:
                continue
            facts = self._answer(source, path, component)
            if facts is not None and not facts.empty:
                found.append(facts)
        return found

    def _answer(self, source: Source, path: str, component: Component) -> Facts | None:
        key = f"{source.name}:{path}"
        cached = self.cache.get(key)
        if cached is not None and cached.fresh(self.ttl, self.now()):
            self._count(from_cache=True)
            return _facts_from(source, cached)
        url = source.base_url() + path
        try:
            try:
                document = self.fetcher.get_json(source.name, url)
            except NotFound:
                fallback = source.fallback_path(component)
                if fallback is None:
                    raise
                url = source.base_url() + fallback
                document = self.fetcher.get_json(source.name, url)
                if not source.describes(document, component):
                    raise NotFound(url) from None
        except NotFound:
            self.cache.put(key, {"missing": True, "url": url})
            self._count()
            return None
        except (Unavailable, BadAnswer) as exc:
            if isinstance(exc, BadAnswer):
                with self._lock:
                    self.report.failures.append(f"{source.name}: {exc}")
            if cached is not None:
                self._count(from_cache=True, stale=True)
                return _facts_from(source, cached, stale=True)
            return None
        facts = source.parse(document, url)
        self.cache.put(key, _value_of(facts))
        self._count()
        return facts

    def _count(self, from_cache: bool = False, stale: bool = False) -> None:
        with self._lock:
            self.report.answers += 1
            self.report.from_cache += from_cache
            self.report.stale += stale


def _value_of(facts: Facts) -> dict[str, object]:
    value: dict[str, object] = {"url": facts.location}
    if facts.licenses:
        value["licenses"] = list(facts.licenses)
    if facts.suppliers:
        value["suppliers"] = list(facts.suppliers)
    if facts.repository:
        value["repository"] = facts.repository
    if facts.notes:
        value["notes"] = list(facts.notes)
    return value


def _facts_from(source: Source, entry: Entry, stale: bool = False) -> Facts | None:
    value = entry.value
    if value.get("missing"):
        return None
    notes = tuple(value.get("notes") or ())
    if stale:
        notes += (f"cached answer of {time.strftime('%Y-%m-%d', time.gmtime(entry.fetched_at))}",)
    return Facts(
        source=source.label,
        location=str(value.get("url") or ""),
        licenses=tuple(value.get("licenses") or ()),
        suppliers=tuple(value.get("suppliers") or ()),
        repository=value.get("repository"),  # type: ignore[arg-type]
        notes=notes,
    )


def select_sources(names: Sequence[str] | None) -> tuple[Source, ...]:
    """The sources to ask, in the standard order; None means all."""
    if not names:
        return SOURCES
    wanted = {n.strip().lower() for n in names if n.strip()}
    return tuple(s for s in SOURCES if s.name in wanted)
