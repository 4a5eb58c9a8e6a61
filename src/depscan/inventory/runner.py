"""Scan every application of an inventory in worker processes, each through `depscan.scan.run`.

Each worker loads the vendor database and the rule set once (initializer)
and runs in the inventory's directory, so that application paths resolve and
display as the inventory writes them. Results travel back compact
(`ApplicationResult`): the summary and per-controller essentials.

One application never stops the others: unreadable inputs are part of its
result (scan.run records them), an unexpected exception becomes its error,
and a worker that dies (a reader exhausting memory, a crash in a C extension)
breaks only the round it was in: the applications it did not finish are
scanned again, the suspects alone, and one that kills its worker twice is
reported as failed.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from depscan import scan as scan_module
from depscan.inventory.declared import declared_components
from depscan.inventory.loader import expand_paths
from depscan.model import Component, ScanResult, VendorMatch
from depscan.policy.levels import HOSTED_KINDS
from depscan.portfolio import (
    Application,
    ApplicationResult,
    ControllerUse,
    ExtraEuDependency,
    Inventory,
)
from depscan.purls import split as split_purl
from depscan.vendordb import VendorDatabase

_EXAMPLES = 3


@dataclass(frozen=True)
class ScanSettings:
    """What every worker needs, picklable: paths absolute, since workers run in the inventory's directory."""

    base_dir: str
    inventory_path: str  # as shown in reports (declared components' source)
    rules: tuple[str, ...] = ("default",)
    fail_on: str = "high"
    vendor_db: str | None = None


def absolute_rules(rules: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Rule set files given relative to the user's directory, made absolute; names stay names."""
    return tuple(os.path.abspath(rule) if os.path.exists(rule) else rule for rule in rules) or ("default",)


# -- one application ---------------------------------------------------------


def scan_application(
    index: int, application: Application, database: VendorDatabase, ruleset: Any, settings: ScanSettings
) -> ApplicationResult:
    """Scan one application; the working directory must be `settings.base_dir` (the worker sees to it)."""
    if application.problems:
        return failed(index, application, list(application.problems))
    try:
        declared = declared_components(database, application.declared, settings.inventory_path, application.line)
        options = scan_module.ScanOptions(
            paths=expand_paths(application.paths, settings.base_dir),
            rules=list(settings.rules),
            fail_on=settings.fail_on,
            declared=declared.components,
        )
        result = scan_module.run(options, database, ruleset=ruleset)
    except Exception as exc:  # a reader or policy bug must not take the portfolio down: report it, go on
        return failed(index, application, [f"internal error: {type(exc).__name__}: {exc}"])
    compact = compact_result(index, application, result)
    compact.unknown_declared = [{"role": d.role, "value": d.value} for d in declared.unknown]
    return compact


def failed(index: int, application: Application, messages: list[str]) -> ApplicationResult:
    return ApplicationResult(
        index=index,
        name=application.name,
        status="error",
        errors=[{"path": None, "line": application.line, "message": message} for message in messages],
        warnings=list(application.warnings),
        level_reason="not scanned",
    )


def compact_result(index: int, application: Application, result: ScanResult) -> ApplicationResult:
    """The essentials of a ScanResult: what the portfolio and the history need, nothing per finding."""
    summary = dict(result.summary)
    errors = [{"path": s.path, "line": s.line, "message": s.error} for s in result.sources if s.error]
    read = sum(1 for s in result.sources if not s.error)
    status = "ok" if not errors else "partial" if read or result.components else "error"
    controllers: dict[str, ControllerUse] = {}
    examples: dict[str, tuple[list[str], list[str]]] = {}
    extra_eu: dict[str, ExtraEuDependency] = {}
    declared: list[dict[str, Any]] = []
    hosted_fits: dict[str, set[str]] = {}

    def use_of(vendor: VendorMatch) -> ControllerUse:
        use = controllers.get(vendor.controller)
        if use is None:
            use = controllers[vendor.controller] = ControllerUse(
                name=vendor.controller_name,
                country=vendor.country,
                eu=vendor.eu,
                laws=vendor.laws,
                legal_entity=vendor.legal_entity,
                controller_type=vendor.controller_type,
            )
            examples[vendor.controller] = ([], [])
        return use

    for component in result.components:
        hosted_kind = component.kind in HOSTED_KINDS
        if component.properties.get("declared_as"):
            declared.append(_declared_entry(component))
        # the publisher of the code, and the service or infrastructure it ties the application to when that
        # is another vendor's (livekit-plugins-deepgram: LiveKit's code, Deepgram's hosted API)
        implied = component.implies if hosted_kind else None
        # the implied service first: when it is extra-EU, it is what the component is listed under
        for vendor, hosted in ((implied, True), (component.vendor, hosted_kind and implied is None)):
            if vendor is None:
                continue
            use = use_of(vendor)
            use.components += 1
            use.kinds[component.kind] = use.kinds.get(component.kind, 0) + 1
            if vendor.id not in use.vendors:
                use.vendors += (vendor.id,)
            for law in vendor.laws:
                if law not in use.laws:
                    use.laws += (law,)
            for alternative in vendor.eu_alternatives:
                if alternative not in use.alternatives:
                    use.alternatives += (alternative,)
            if hosted:
                # replacing the controller's hosted dependencies needs an alternative of every one's category
                fits = set(vendor.eu_alternatives)
                hosted_fits[vendor.controller] = (
                    fits if vendor.controller not in hosted_fits else hosted_fits[vendor.controller] & fits
                )
            sample = examples[vendor.controller][0 if hosted else 1]
            if len(sample) < _EXAMPLES and component.name not in sample:
                sample.append(component.name)
            if hosted:
                use.hosted += 1
                if component.level is not None and (use.hosted_level is None or component.level < use.hosted_level):
                    use.hosted_level = component.level
            if vendor.eu is False:  # a community or an individual (eu None) is not extra-EU: no jurisdiction
                key = dependency_key(component)
                known = extra_eu.get(key)
                if known is None:
                    extra_eu[key] = ExtraEuDependency(
                        key=key,
                        name=component.name,
                        kind=component.kind,
                        vendor=vendor.id,
                        controller=vendor.controller,
                        country=vendor.country,
                        level=component.level,
                    )
                elif component.level is not None and (known.level is None or component.level < known.level):
                    known.level = component.level
    for controller, use in controllers.items():
        if controller in hosted_fits:
            use.alternatives = tuple(a for a in use.alternatives if a in hosted_fits[controller])
        hosted_names, other_names = examples[controller]
        use.examples = tuple((hosted_names + other_names)[:_EXAMPLES])
        use.laws = tuple(sorted(use.laws))
        use.kinds = dict(sorted(use.kinds.items()))
    score = summary.get("score")
    if isinstance(score, dict):
        score = score.get("value", score.get("score"))
    indicators = summary.get("indicators")
    level, level_reason = summary.get("level"), str(summary.get("level_reason", ""))
    if status != "ok":
        # a level or score over the inputs that could be read would describe another application, often a
        # better one (only its declared hosting left): withhold both until every input is read
        unread = len(errors)
        level, score = None, None
        level_reason = f"incomplete: {unread} input(s) could not be read, so no level or score is given"
    return ApplicationResult(
        index=index,
        name=application.name,
        status=status,
        errors=errors,
        warnings=list(application.warnings),
        declared=declared,
        summary=summary,
        level=level,
        level_reason=level_reason,
        score=float(score) if isinstance(score, int | float) and not isinstance(score, bool) else None,
        indicators=indicators if isinstance(indicators, dict) else {},
        controllers=dict(sorted(controllers.items())),
        extra_eu=sorted(extra_eu.values(), key=lambda d: d.key),
    )


def dependency_key(component: Component) -> str:
    """A component without its version: what stays the same when only the version moves."""
    if component.purl:
        base, _ = split_purl(component.purl)
        if base:
            return base
    return f"{component.ecosystem}:{component.name}" if component.ecosystem else component.name


def _declared_entry(component: Component) -> dict[str, Any]:
    vendor = component.vendor
    return {
        "role": component.properties["declared_as"],
        "value": component.properties["declared_value"],
        "region": component.properties.get("region"),
        "kind": component.kind,
        "vendor": vendor.id if vendor else None,
        "vendor_name": vendor.name if vendor else None,
        "controller": vendor.controller if vendor else None,
        "country": vendor.country if vendor else None,
        "eu": vendor.eu if vendor else None,
        "level": component.level,
    }


# -- the worker processes ----------------------------------------------------


@dataclass
class _WorkerState:
    settings: ScanSettings
    database: VendorDatabase
    ruleset: Any
    slots: Any  # shared array: the index each worker is scanning, -1 when idle
    slot: int


_STATE: _WorkerState | None = None
#: the parent's loaded database and rule set, for the settings they were loaded with: a forked worker
#: inherits them (copy-on-write) instead of loading its own; a spawned one finds None and loads
_INHERITED: tuple[ScanSettings, VendorDatabase, Any] | None = None


def _initialise(settings: ScanSettings, slots: Any, counter: Any) -> None:
    """Once per worker: get the database and the rule set, move to the inventory's directory."""
    global _STATE
    os.chdir(settings.base_dir)
    if _INHERITED is not None and _INHERITED[0] == settings:
        database, ruleset = _INHERITED[1], _INHERITED[2]
    else:
        from depscan import vendordb
        from depscan.policy import rules as rules_module

        database = vendordb.load(Path(settings.vendor_db) if settings.vendor_db else None)
        ruleset = rules_module.load(list(settings.rules))
    with counter.get_lock():
        slot = counter.value % len(slots)
        counter.value += 1
    _STATE = _WorkerState(settings, database, ruleset, slots, slot)


def _scan_in_worker(index: int, application: Application) -> ApplicationResult:
    state = _STATE
    assert state is not None, "worker used before its initializer ran"
    state.slots[state.slot] = index
    try:
        return scan_application(index, application, state.database, state.ruleset, state.settings)
    finally:
        state.slots[state.slot] = -1


def _context() -> multiprocessing.context.BaseContext:
    """fork on Linux: a worker starts in milliseconds with the parent's database already loaded.

    Safe because the pool forks all its workers before starting its own
    thread, and the CLI's progress bar runs no thread (auto_refresh off).
    Elsewhere (macOS, Windows) fork is unsafe or absent: spawn, and each
    worker loads the database once.
    """
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def scan_inventory(
    inventory: Inventory,
    settings: ScanSettings,
    jobs: int,
    on_result: Callable[[ApplicationResult], None] | None = None,
    database: VendorDatabase | None = None,
    ruleset: Any = None,
) -> list[ApplicationResult]:
    """Scan every application with `jobs` worker processes; results in inventory order.

    `database` and `ruleset`, when the caller has them loaded for these
    settings, are inherited by forked workers instead of loaded again.
    """
    global _INHERITED
    _INHERITED = (settings, database, ruleset) if database is not None and ruleset is not None else None
    applications = inventory.applications
    results: dict[int, ApplicationResult] = {}

    def done(result: ApplicationResult) -> None:
        results[result.index] = result
        if on_result is not None:
            on_result(result)

    waiting: list[int] = []
    for index, application in enumerate(applications):
        if application.problems:
            done(failed(index, application, list(application.problems)))
        else:
            waiting.append(index)
    while waiting:
        cut_off, suspects = _round(waiting, applications, settings, jobs, done)
        for index in suspects:  # alone, so that a second crash names the culprit
            again, _ = _round([index], applications, settings, 1, done)
            if again:
                done(failed(index, applications[index], ["the worker process died while scanning this application"]))
        remaining = [index for index in cut_off if index not in suspects]
        if remaining and not suspects and len(remaining) == len(waiting):
            for index in remaining:  # no progress and nobody to blame: stop rather than loop
                done(failed(index, applications[index], ["the worker processes died before scanning it"]))
            remaining = []
        waiting = remaining
    return [results[index] for index in range(len(applications))]


def _round(
    indexes: list[int],
    applications: list[Application],
    settings: ScanSettings,
    jobs: int,
    done: Callable[[ApplicationResult], None],
) -> tuple[list[int], list[int]]:
    """Run `indexes` in a fresh pool; return (those a dead worker cut off, those being scanned when it died)."""
    context = _context()
    workers = max(1, min(jobs, len(indexes)))
    slots = context.Array("i", [-1] * workers, lock=False)
    counter = context.Value("i", 0)
    cut_off: list[int] = []
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_initialise,
        initargs=(settings, slots, counter),
    ) as executor:
        futures: dict[Future[ApplicationResult], int] = {
            executor.submit(_scan_in_worker, index, applications[index]): index for index in indexes
        }
        for future in as_completed(futures):
            index = futures[future]
            try:
                done(future.result())
            except BrokenProcessPool:
                cut_off.append(index)
            except Exception as exc:  # e.g. a result that could not be sent back
                done(failed(index, applications[index], [f"internal error: {type(exc).__name__}: {exc}"]))
    suspects = sorted({index for index in slots if index >= 0} & set(cut_off))
    return sorted(cut_off), suspects
