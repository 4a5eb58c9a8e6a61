"""Pushed scans: each application's CI pushes its report to a shared store; the portfolio is built from the store.

A push keeps the compact per-application result (`ApplicationResult`, what
`inventory scan` keeps of a scan: summary, per-controller essentials,
extra-EU dependencies), made by the same `runner.compact_result` whether it
comes from a `depscan-report/1` file (`inventory push`) or from the scan in
hand (`scan --push-to`). The portfolio of the latest push of every
application (or of the pushes before a date) goes through the same
`aggregate.build_portfolio` as an inventory scan, so the two views agree.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from sys import intern
from typing import Any

import orjson

from depscan import __version__
from depscan.errors import InputError
from depscan.inventory import storage
from depscan.inventory.runner import compact_result
from depscan.portfolio import Application, ApplicationResult, ControllerUse, ExtraEuDependency, Inventory
from depscan.vendordb import VendorDatabase

#: the scan reports a pipeline may push (1.1: a community or individual has no country)
REPORT_SCHEMAS = ("depscan-report/1", "depscan-report/1.1")
MAX_REPORT_BYTES = 512 << 20  # a report of a million components stays under this
#: where a push finds its commit, branch and pipeline when not given: depscan's own, then GitLab's and GitHub's
CI_VARIABLES = {
    "commit": ("DEPSCAN_COMMIT", "CI_COMMIT_SHA", "GITHUB_SHA"),
    "branch": ("DEPSCAN_BRANCH", "CI_COMMIT_REF_NAME", "GITHUB_REF_NAME"),
    "pipeline_url": ("DEPSCAN_PIPELINE_URL", "CI_PIPELINE_URL"),
}


# -- a report, as pushed ----------------------------------------------------------------------


def read_report(path: str) -> dict[str, Any]:
    """A `depscan-report/1` JSON file; InputError (exit 3) when it is unreadable or something else."""
    try:
        size = os.stat(path).st_size
        if size > MAX_REPORT_BYTES:
            raise InputError(path, f"report is {size} bytes, over the {MAX_REPORT_BYTES} byte limit")
        document = orjson.loads(Path(path).read_bytes())
    except FileNotFoundError:
        raise InputError(path, "no such report file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a report file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("schema") not in REPORT_SCHEMAS:
        expected = " or ".join(REPORT_SCHEMAS)
        raise InputError(path, f"not a depscan JSON report (schema {expected}): write it with --format json")
    return document


def result_from_report(report: dict[str, Any], application: str, path: str) -> ApplicationResult:
    """The compact result of a JSON report, as `inventory scan` would have kept it; InputError when malformed."""
    from depscan.model import Component, ScanResult, SourceInfo, VendorMatch

    try:
        components = []
        for position, item in enumerate(report.get("components") or []):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise ValueError(f"component #{position + 1} has no name")
            vendor = item.get("vendor")
            match = None
            if vendor is not None:
                match = VendorMatch(
                    id=str(vendor["id"]),
                    name=str(vendor["name"]),
                    country=str(vendor["country"]) if vendor.get("country") is not None else None,
                    eu=None if vendor.get("eu") is None else bool(vendor["eu"]),
                    controller=str(vendor["controller"]),
                    controller_name=str(vendor.get("controller_name") or vendor["controller"]),
                    laws=tuple(vendor.get("laws") or ()),
                    evidence=str(vendor.get("evidence") or ""),
                    match_key="",
                    kind=str(item.get("kind") or "library"),
                    eu_alternatives=tuple(vendor.get("eu_alternatives") or ()),
                    seat_country=vendor.get("seat_country"),
                    controller_type=str(vendor.get("controller_type") or "company"),
                    legal_entity=bool(vendor.get("legal_entity", True)),
                )
            level = item.get("level")
            components.append(
                Component(
                    name=item["name"],
                    version=item.get("version"),
                    purl=item.get("purl"),
                    ecosystem=item.get("ecosystem"),
                    kind=str(item.get("kind") or "library"),
                    vendor=match,
                    level=level if isinstance(level, int) and not isinstance(level, bool) else None,
                )
            )
        sources = [
            SourceInfo(
                path=str(source.get("path", "")),
                format=source.get("format"),
                components=int(source.get("components") or 0),
                error=source.get("error"),
                line=source.get("line"),
            )
            for source in report.get("sources") or []
        ]
        summary = report.get("summary")
        if not isinstance(summary, dict):
            raise ValueError("no summary")
        scan = ScanResult(components=components, findings=[], sources=sources, summary=summary)
        return compact_result(0, Application(name=application), scan)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(path, f"malformed depscan report: {exc}") from None


def result_to_data(result: ApplicationResult) -> dict[str, Any]:
    """What a push stores: the compact result as plain data (the index is the portfolio's business)."""
    summary = {key: value for key, value in result.summary.items() if key != "indicators"}
    return {
        "status": result.status,
        "errors": result.errors,
        "declared": result.declared,
        "summary": summary,
        "level": result.level,
        "level_reason": result.level_reason,
        "score": result.score,
        "indicators": result.indicators,
        "controllers": {
            cid: use.as_dict()
            | {"vendors": list(use.vendors), "alternatives": list(use.alternatives), "examples": list(use.examples)}
            for cid, use in result.controllers.items()
        },
        "extra_eu": [[d.key, d.name, d.kind, d.vendor, d.controller, d.country, d.level] for d in result.extra_eu],
    }


#: one copy of each tuple of ids across ten thousand applications (the same laws, vendors, alternatives)
_TUPLES: dict[tuple[str, ...], tuple[str, ...]] = {}


def _shared(value: tuple[str, ...]) -> tuple[str, ...]:
    return _TUPLES.setdefault(value, value)


def result_from_data(data: dict[str, Any], index: int, name: str) -> ApplicationResult:
    summary = dict(data.get("summary") or {})
    indicators = data.get("indicators") or {}
    summary["indicators"] = indicators
    return ApplicationResult(
        index=index,
        name=name,
        status=data["status"],
        errors=list(data.get("errors") or []),
        declared=list(data.get("declared") or []),
        summary=summary,
        level=data.get("level"),
        level_reason=data.get("level_reason") or "",
        score=data.get("score"),
        indicators=indicators,
        controllers={
            intern(cid): ControllerUse(
                name=intern(use["name"]),
                country=None if use["country"] is None else intern(use["country"]),
                eu=use["eu"],
                legal_entity=use.get("legal_entity", True),
                controller_type=intern(use.get("controller_type", "company")),
                laws=_shared(tuple(intern(law) for law in use["laws"])),
                components=use["components"],
                hosted=use["hosted"],
                hosted_level=use["hosted_level"],
                kinds={intern(kind): count for kind, count in use["kinds"].items()},
                vendors=_shared(tuple(intern(vendor) for vendor in use["vendors"])),
                alternatives=_shared(tuple(intern(vendor) for vendor in use["alternatives"])),
                examples=tuple(use["examples"]),
            )
            for cid, use in (data.get("controllers") or {}).items()
        },
        extra_eu=[ExtraEuDependency(*values) for values in data.get("extra_eu") or []],
    )


@dataclass(frozen=True)
class PushMetadata:
    application: str
    owner: str | None = None
    criticality: str | None = None
    commit: str | None = None
    branch: str | None = None
    pipeline_url: str | None = None


def ci_value(field: str) -> str | None:
    """A push's commit, branch or pipeline URL from the CI's environment, when the command line does not say."""
    for variable in CI_VARIABLES[field]:
        value = os.environ.get(variable, "").strip()
        if value:
            return value
    return None


def make_push(
    result: ApplicationResult,
    metadata: PushMetadata,
    report_tool_version: str | None,
    pushed_at: str | None = None,
) -> storage.Push:
    return storage.Push(
        application=metadata.application,
        result=result_to_data(result),
        pushed_at=pushed_at or storage.utc_timestamp(),
        tool_version=__version__,
        status=result.status,
        level=result.level,
        score=result.score,
        components=int(result.summary.get("components", 0)),
        extra_eu=len(result.extra_eu),
        commit=metadata.commit,
        branch=metadata.branch,
        pipeline_url=metadata.pipeline_url,
        owner=metadata.owner,
        criticality=metadata.criticality,
        report_tool_version=report_tool_version,
    )


def push_result(location: str, push: storage.Push) -> str:
    """Open the store, record the push in one transaction, close: "recorded", "replaced" or "unchanged"."""
    store = storage.open_store(location)
    try:
        return store.push(push)
    finally:
        store.close()


# -- the portfolio from the store ---------------------------------------------------------------


@dataclass(frozen=True)
class StoreView:
    """Which pushes make the portfolio: as things stand now, or as they stood at `at`; stale past `max_age` days."""

    at: str | None = None  # exclusive bound, ISO 8601 UTC (storage.end_of of the user's --at)
    max_age: float | None = None
    now: str | None = None  # the moment ages are measured from (default: `at`, else the clock)


def _age_days(pushed_at: str, reference: dt.datetime) -> float:
    moment = dt.datetime.fromisoformat(pushed_at.replace("Z", "+00:00"))
    return (reference - moment).total_seconds() / 86400


def _applications_of(
    pushes: dict[str, storage.Push], inventory: Inventory | None
) -> tuple[list[Application], list[storage.Push | None], list[str]]:
    """The portfolio's applications in order, the push behind each (None: none pushed), and warnings.

    With an inventory: its applications first, in its order, with its
    owners and criticality (what the DSI declares wins over what a pipeline
    said), then the pushed applications it does not list.
    """
    applications: list[Application] = []
    behind: list[storage.Push | None] = []
    warnings: list[str] = []
    remaining = dict(pushes)
    folded = {name.casefold(): name for name in pushes}
    if inventory is not None:
        for app in inventory.applications:
            key = app.name if app.name in remaining else folded.get(app.name.casefold())
            push = remaining.pop(key, None) if key else None
            if push is not None:
                app.owner = app.owner or push.owner
                app.criticality = app.criticality or push.criticality
            applications.append(app)
            behind.append(push)
        unlisted = sorted(remaining)
        if unlisted:
            shown = ", ".join(repr(name) for name in unlisted[:3]) + (
                f" and {len(unlisted) - 3} more" if len(unlisted) > 3 else ""
            )
            warnings.append(f"{len(unlisted)} pushed application(s) not in the inventory, reported anyway: {shown}")
    for name in sorted(remaining):
        push = remaining[name]
        applications.append(Application(name=name, owner=push.owner, criticality=push.criticality))
        behind.append(push)
    return applications, behind, warnings


def build_from_store(
    store: storage.Store,
    database: VendorDatabase,
    view: StoreView,
    inventory: Inventory | None = None,
    rules: tuple[str, ...] = ("default",),
) -> tuple[dict[str, Any], list[str]]:
    """The `depscan-portfolio/1` document of the store's latest pushes, and warnings for the user."""
    from depscan.inventory.aggregate import build_portfolio

    pushes: dict[str, storage.Push] = {}
    converted: dict[str, ApplicationResult] = {}
    for push in store.iter_latest(view.at, dependencies=False):  # one at a time: compact objects, not JSON trees
        converted[push.application] = result_from_data(push.result, 0, push.application)
        push.result = {}
        pushes[push.application] = push
    applications, behind, warnings = _applications_of(pushes, inventory)
    declared = _DeclaredEvaluator(database, rules, inventory.path if inventory else "")
    results: list[ApplicationResult] = []
    for index, (app, push) in enumerate(zip(applications, behind, strict=True)):
        if push is None and app.declared and not app.paths and not app.problems:
            result = declared.alone(index, app)  # nothing a pipeline could scan: the declarations are all there is
        elif push is None:
            result = ApplicationResult(
                index=index,
                name=app.name,
                status="error",
                errors=[{"path": None, "line": app.line, "message": "no scan pushed to the store"}],
                level_reason="not scanned: no scan pushed",
            )
        else:
            result = converted.pop(push.application)
            result.index, result.name = index, app.name
        result.warnings = list(app.warnings)
        if app.declared and push is not None and not app.problems:
            result = declared.merge(result, app)
        results.append(result)
    name = inventory.name if inventory else "store"
    view_inventory = Inventory(
        path=inventory.path if inventory else store.display,
        base_dir=inventory.base_dir if inventory else "",
        name=name,
        format=inventory.format if inventory else "store",
        applications=applications,
    )
    portfolio = build_portfolio(view_inventory, results, database)
    reference = _reference(view)
    stale = missing = 0
    for entry, push in zip(portfolio["applications"], behind, strict=True):
        if push is None:
            entry["report"] = None
            missing += 1
            continue
        age = _age_days(push.pushed_at, reference)
        is_stale = view.max_age is not None and age > view.max_age
        stale += is_stale
        entry["report"] = {
            "pushed_at": push.pushed_at,
            "age_days": round(age, 1),
            "stale": is_stale,
            "commit": push.commit,
            "branch": push.branch,
            "pipeline_url": push.pipeline_url,
            "tool_version": push.report_tool_version or push.tool_version,
        }
    portfolio["summary"]["stale"] = stale
    portfolio["summary"]["not_pushed"] = missing
    portfolio["store"] = {
        "location": store.display,
        "at": view.at,
        "as_of": storage.utc_timestamp(reference),
        "max_age_days": view.max_age,
        "applications_pushed": len(pushes),
        "stale": stale,
        "not_pushed": missing,
    }
    if stale:
        warnings.append(f"{stale} of {len(pushes)} application(s) have a latest scan older than {view.max_age:g} days")
    return portfolio, warnings


def _reference(view: StoreView) -> dt.datetime:
    chosen = view.now or view.at
    if chosen:
        return dt.datetime.fromisoformat(chosen.replace("Z", "+00:00"))
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class _DeclaredEvaluator:
    """The inventory's declared hosting and services of a pushed application, evaluated and merged into its result.

    A pipeline's report cannot show where the application runs or which
    SaaS it calls: the inventory says so. Those components get levels and
    rules like in `inventory scan` and can lower the application's level;
    the score stays the pipeline's (it summarises the components it saw).
    """

    def __init__(self, database: VendorDatabase, rules: tuple[str, ...], inventory_path: str) -> None:
        self.database = database
        self.rules = rules
        self.inventory_path = os.path.basename(inventory_path)
        self._ruleset: Any = None

    def alone(self, index: int, app: Application) -> ApplicationResult:
        """The application's declared dependencies, evaluated like a scan of them alone."""
        from depscan import scan as scan_module
        from depscan.inventory.declared import declared_components
        from depscan.policy import rules as rules_module

        if self._ruleset is None:
            self._ruleset = rules_module.load(list(self.rules))
        declared = declared_components(self.database, app.declared, self.inventory_path, app.line)
        options = scan_module.ScanOptions(
            paths=[], rules=list(self.rules), fail_on="none", declared=declared.components
        )
        scanned = scan_module.run(options, self.database, ruleset=self._ruleset)
        result = compact_result(index, app, scanned)
        result.unknown_declared = [{"role": d.role, "value": d.value} for d in declared.unknown]
        return result

    def merge(self, result: ApplicationResult, app: Application) -> ApplicationResult:
        return merge_results(result, self.alone(result.index, app))


def merge_results(base: ApplicationResult, extra: ApplicationResult) -> ApplicationResult:
    """`base` (a pushed scan) with `extra`'s components (declared ones) added: counts, controllers, level floor."""
    summary = dict(base.summary)
    for key in ("components", "extra_eu", "non_open_source", "unknown_vendor", "unknown_license"):
        summary[key] = int(summary.get(key, 0)) + int(extra.summary.get(key, 0))
    findings = Counter(summary.get("findings") or {})
    findings.update(extra.summary.get("findings") or {})
    summary["findings"] = dict(sorted(findings.items()))
    controllers = dict(base.controllers)
    for cid, use in extra.controllers.items():
        known = controllers.get(cid)
        if known is None:
            controllers[cid] = use
            continue
        levels = [level for level in (known.hosted_level, use.hosted_level) if level is not None]
        kinds = Counter(known.kinds)
        kinds.update(use.kinds)
        controllers[cid] = ControllerUse(
            name=known.name,
            country=known.country,
            eu=known.eu,
            laws=tuple(sorted(set(known.laws) | set(use.laws))),
            components=known.components + use.components,
            hosted=known.hosted + use.hosted,
            hosted_level=min(levels) if levels else None,
            kinds=dict(sorted(kinds.items())),
            vendors=tuple(dict.fromkeys((*known.vendors, *use.vendors))),
            alternatives=tuple(dict.fromkeys((*known.alternatives, *use.alternatives))),
            examples=tuple(dict.fromkeys((*use.examples, *known.examples)))[:3],
        )
    extra_eu = {d.key: d for d in base.extra_eu}
    for dependency in extra.extra_eu:
        extra_eu.setdefault(dependency.key, dependency)
    level, reason = base.level, base.level_reason
    if extra.level is not None and (level is None or extra.level < level):
        pushed = "unknown" if level is None else str(level)
        level = extra.level
        reason = f"{extra.level_reason} (declared in the inventory; the pushed scan's floor: {pushed})"
    return ApplicationResult(
        index=base.index,
        name=base.name,
        status=base.status,
        errors=base.errors,
        warnings=base.warnings,
        declared=extra.declared,
        unknown_declared=extra.unknown_declared,
        summary=summary,
        level=level,
        level_reason=reason,
        score=base.score,
        indicators=base.indicators,
        controllers=dict(sorted(controllers.items())),
        extra_eu=sorted(extra_eu.values(), key=lambda d: d.key),
    )


# -- what changed in the store ------------------------------------------------------------------


def snapshot_of_pushes(pushes: list[storage.Push], label: str, moment: str) -> storage.Snapshot:
    """The store's pushes as a history snapshot, so that `history.compare` says what changed."""
    applications = []
    for push in pushes:
        data = push.result
        applications.append(
            storage.ApplicationSnapshot(
                name=push.application,
                owner=push.owner,
                criticality=push.criticality,
                status=push.status,
                level=push.level,
                level_reason=str(data.get("level_reason") or ""),
                score=push.score,
                components=push.components,
                extra_eu=[ExtraEuDependency(*values) for values in data.get("extra_eu") or []],
            )
        )
    levels = [app.level for app in applications if app.level is not None]
    scores = [app.score for app in applications if app.score is not None]
    summary = {
        "lowest_level": min(levels) if levels else None,
        "mean_score": round(sum(scores) / len(scores), 1) if scores else None,
        "extra_eu": sum(int((p.result.get("summary") or {}).get("extra_eu", 0)) for p in pushes),
    }
    return storage.Snapshot(
        inventory=label,
        inventory_path=label,
        recorded_at=moment,
        tool_version=__version__,
        summary=summary,
        applications=sorted(applications, key=lambda a: a.name),
    )


def diff_store(store: storage.Store, since: str | None) -> dict[str, Any]:
    """The store now against the store before `since`, or each application's latest push against its previous one."""
    from depscan.errors import ConfigError
    from depscan.inventory import history

    current = store.latest()
    if not current:
        raise ConfigError(f"{store.display}: no scan pushed yet: push with `depscan inventory push`")
    if since is not None:
        previous = store.latest(before=since)
        baseline_moment = since
    else:
        previous = store.latest(back=1)
        baseline_moment = min((p.pushed_at for p in previous), default=current[0].pushed_at)
    now = max(p.pushed_at for p in current)
    return history.compare(
        snapshot_of_pushes(previous, store.display, baseline_moment),
        snapshot_of_pushes(current, store.display, now),
    )
