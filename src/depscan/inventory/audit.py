"""One portfolio audit, end to end: load the inventory, scan in parallel, aggregate, compare and record.

The CLI calls `run_audit`; tests and other tools can too. History is only
touched when a store location is given.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from depscan.inventory import history
from depscan.inventory.aggregate import build_portfolio
from depscan.inventory.runner import ScanSettings, absolute_rules, scan_inventory
from depscan.inventory.storage import open_store, utc_timestamp
from depscan.policy import rules as rules_module
from depscan.portfolio import ApplicationResult, Inventory
from depscan.vendordb import VendorDatabase


@dataclass(frozen=True)
class AuditOptions:
    jobs: int = 0  # 0: one worker per CPU
    rules: tuple[str, ...] = ("default",)
    fail_on: str = "none"
    vendor_db: str | None = None
    history: str | None = None  # where to record the run and find the previous one
    recorded_at: str | None = None  # ISO 8601 UTC; default now (tests pin it)


@dataclass
class Audit:
    inventory: Inventory
    results: list[ApplicationResult]
    portfolio: dict[str, Any]

    @property
    def failed(self) -> list[ApplicationResult]:
        """Applications with an error or an unreadable input."""
        return [r for r in self.results if r.status != "ok"]


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def run_audit(
    inventory: Inventory,
    database: VendorDatabase,
    options: AuditOptions,
    on_result: Callable[[ApplicationResult], None] | None = None,
) -> Audit:
    settings = ScanSettings(
        base_dir=inventory.base_dir,
        inventory_path=os.path.basename(inventory.path),
        rules=absolute_rules(options.rules),
        fail_on=options.fail_on,
        vendor_db=os.path.abspath(options.vendor_db) if options.vendor_db else None,
    )
    ruleset = rules_module.load(list(settings.rules))
    results = scan_inventory(inventory, settings, options.jobs or default_jobs(), on_result, database, ruleset)
    portfolio = build_portfolio(inventory, results, database)
    if options.history:
        record_run(options.history, inventory, results, portfolio, options.recorded_at or utc_timestamp())
    return Audit(inventory, results, portfolio)


def record_run(
    location: str, inventory: Inventory, results: list[ApplicationResult], portfolio: dict[str, Any], recorded_at: str
) -> None:
    """Compare with the last recorded run of this inventory, then record this one; both go into `portfolio`."""
    store = open_store(location)
    try:
        previous = history.baseline(history.runs_of(store, inventory.name), None)
        snapshot = history.snapshot_of(inventory, results, portfolio["summary"], recorded_at)
        run_id = store.record(snapshot)
        portfolio["history"] = {
            "run": run_id,
            "recorded_at": recorded_at,
            "previous": previous.id if previous else None,
        }
        if previous is not None:
            portfolio["changes"] = history.compare(store.load(previous.id), snapshot)
    finally:
        store.close()
