"""What changed between two inventory runs: new and removed extra-EU dependencies, level and score moves.

Works on `storage.Snapshot`s only, so that the comparison is the same
whichever backend stored them, and a run being made now (not yet recorded)
compares like a stored one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from depscan import __version__
from depscan.errors import ConfigError
from depscan.inventory.storage import ApplicationSnapshot, HistoryStore, RunInfo, Snapshot
from depscan.portfolio import ApplicationResult, ExtraEuDependency, Inventory

SCHEMA = "depscan-portfolio-diff/1"


def snapshot_of(
    inventory: Inventory, results: list[ApplicationResult], summary: dict[str, Any], recorded_at: str
) -> Snapshot:
    """The part of a run history keeps."""
    applications = [
        ApplicationSnapshot(
            name=app.name,
            owner=app.owner,
            criticality=app.criticality,
            status=result.status,
            level=result.level,
            level_reason=result.level_reason,
            score=result.score,
            components=int(result.summary.get("components", 0)),
            extra_eu=list(result.extra_eu),
        )
        for app, result in zip(inventory.applications, results, strict=True)
    ]
    applications.sort(key=lambda a: a.name)
    recorded_summary = {k: v for k, v in summary.items() if k != "indicators"}
    return Snapshot(
        inventory=inventory.name,
        inventory_path=inventory.path,
        recorded_at=recorded_at,
        tool_version=__version__,
        summary=recorded_summary,
        applications=applications,
    )


def baseline(runs: list[RunInfo], since: str | None, exclude: int | None = None) -> RunInfo | None:
    """The run to compare with: the one before the latest, or with `since`, the last run before that moment.

    When no run is that old, the first run recorded after it is used: "since
    March" on a history that starts in April compares with April's first run.
    """
    candidates = [run for run in runs if run.id != exclude]
    if since is None:
        return candidates[-1] if candidates else None
    before = [run for run in candidates if run.recorded_at < since]
    if before:
        return before[-1]
    return candidates[0] if candidates else None


def runs_of(store: HistoryStore, inventory: str | None) -> list[RunInfo]:
    """The runs of `inventory`, or, when not given, of the inventory recorded last."""
    runs = store.runs(inventory)
    if inventory is None and runs:
        latest = runs[-1].inventory
        runs = [run for run in runs if run.inventory == latest]
    return runs


def diff_latest(store: HistoryStore, inventory: str | None, since: str | None) -> dict[str, Any]:
    """Compare the latest recorded run with its baseline; ConfigError when there is nothing to compare."""
    runs = runs_of(store, inventory)
    if not runs:
        which = f" for inventory {inventory!r}" if inventory else ""
        raise ConfigError(f"no inventory run recorded{which} in this history")
    current = runs[-1]
    previous = baseline(runs[:-1], since)
    if previous is None:
        raise ConfigError(
            f"only one run of {current.inventory!r} is recorded ({current.recorded_at}): nothing to compare"
        )
    return compare(store.load(previous.id), store.load(current.id))


def _dependency(d: ExtraEuDependency) -> dict[str, Any]:
    return {
        "key": d.key,
        "name": d.name,
        "kind": d.kind,
        "vendor": d.vendor,
        "controller": d.controller,
        "country": d.country,
        "level": d.level,
    }


def _run_ref(snapshot: Snapshot) -> dict[str, Any]:
    return {"run": snapshot.id, "recorded_at": snapshot.recorded_at, "tool_version": snapshot.tool_version}


def compare(old: Snapshot, new: Snapshot) -> dict[str, Any]:
    """Per application and overall: what appeared, what went, which levels moved."""
    before = {app.name: app for app in old.applications}
    after = {app.name: app for app in new.applications}
    applications: list[dict[str, Any]] = []
    improved = worsened = 0
    for name in sorted(before.keys() | after.keys()):
        entry = _application_change(before.get(name), after.get(name))
        if entry is None:
            continue
        applications.append(entry)
        direction = entry.get("level_change")
        improved += direction == "improved"
        worsened += direction == "worsened"
    new_overall = _portfolio_dependencies(new)
    old_overall = _portfolio_dependencies(old)
    new_controllers = _controllers(new)
    old_controllers = _controllers(old)
    added_keys = sorted(new_overall.keys() - old_overall.keys())
    removed_keys = sorted(old_overall.keys() - new_overall.keys())
    return {
        "schema": SCHEMA,
        "inventory": new.inventory,
        "baseline": _run_ref(old),
        "current": _run_ref(new),
        "summary": {
            "applications_added": sorted(after.keys() - before.keys()),
            "applications_removed": sorted(before.keys() - after.keys()),
            "applications_changed": len(applications),
            "level_improved": improved,
            "level_worsened": worsened,
            "new_extra_eu": len(added_keys),
            "removed_extra_eu": len(removed_keys),
            "lowest_level": [old.summary.get("lowest_level"), new.summary.get("lowest_level")],
            "mean_score": [old.summary.get("mean_score"), new.summary.get("mean_score")],
            "extra_eu_components": [old.summary.get("extra_eu"), new.summary.get("extra_eu")],
        },
        "new_extra_eu": [new_overall[key] for key in added_keys],
        "removed_extra_eu": [old_overall[key] for key in removed_keys],
        "new_controllers": [new_controllers[c] for c in sorted(new_controllers.keys() - old_controllers.keys())],
        "removed_controllers": [old_controllers[c] for c in sorted(old_controllers.keys() - new_controllers.keys())],
        "applications": applications,
    }


def _application_change(old: ApplicationSnapshot | None, new: ApplicationSnapshot | None) -> dict[str, Any] | None:
    reference = new or old
    assert reference is not None
    old_deps = {d.key: d for d in old.extra_eu} if old else {}
    new_deps = {d.key: d for d in new.extra_eu} if new else {}
    added = [_dependency(new_deps[key]) for key in sorted(new_deps.keys() - old_deps.keys())]
    removed = [_dependency(old_deps[key]) for key in sorted(old_deps.keys() - new_deps.keys())]
    level_before = old.level if old else None
    level_after = new.level if new else None
    score_before = old.score if old else None
    score_after = new.score if new else None
    status_before = old.status if old else None
    status_after = new.status if new else None
    change = "added" if old is None else "removed" if new is None else "changed"
    unchanged = (
        change == "changed"
        and not added
        and not removed
        and level_before == level_after
        and score_before == score_after
        and status_before == status_after
    )
    if unchanged:
        return None
    direction = None
    if old is not None and new is not None and level_before != level_after:
        if level_before is None or level_after is None:
            direction = "changed"
        else:
            direction = "improved" if level_after > level_before else "worsened"
    return {
        "name": reference.name,
        "change": change,
        "criticality": reference.criticality,
        "owner": reference.owner,
        "level": [level_before, level_after],
        "level_change": direction,
        "level_reason": new.level_reason if new else old.level_reason if old else "",
        "score": [score_before, score_after],
        "status": [status_before, status_after],
        "new_extra_eu": added,
        "removed_extra_eu": removed,
    }


def _portfolio_dependencies(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    """Each extra-EU dependency key with the applications that have it."""
    found: dict[str, dict[str, Any]] = {}
    for app in snapshot.applications:
        for d in app.extra_eu:
            entry = found.get(d.key)
            if entry is None:
                entry = found[d.key] = _dependency(d) | {"applications": []}
                entry.pop("level")
            entry["applications"].append(app.name)
    return found


def _controllers(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    """The extra-EU controllers the portfolio depends on, with the applications concerned."""
    found: dict[str, dict[str, Any]] = {}
    apps: dict[str, set[str]] = defaultdict(set)
    for app in snapshot.applications:
        for d in app.extra_eu:
            found.setdefault(d.controller, {"controller": d.controller, "country": d.country})
            apps[d.controller].add(app.name)
    for controller, entry in found.items():
        entry["applications"] = sorted(apps[controller])
    return found
