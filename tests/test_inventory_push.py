"""`depscan inventory push`, `scan --push-to`, `inventory report --store` and `inventory diff --store`, through the CLI.

The portfolio built from pushed scans must say what `inventory scan` says of
the same applications: the example inventory is scanned both ways and
compared application by application.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conftest import ROOT, postgres_schema_url, run_cli
from depscan.inventory import pushed, runner

EXAMPLE = ROOT / "examples" / "inventory"
SCHEMA = json.loads((ROOT / "src" / "depscan" / "schemas" / "depscan-portfolio-1.schema.json").read_text())


def _scan(paths: list[str], out: Path) -> Path:
    result = run_cli("scan", *paths, "--format", "json", "--output", str(out), "--fail-on", "none", cwd=EXAMPLE)
    assert result.code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """One JSON report per application of the example inventory that has files to scan."""
    directory = tmp_path_factory.mktemp("reports")
    paths = {
        "citizen-portal": ["apps/citizen-portal/uv.lock"],
        "sales-crm": ["apps/sales-crm/package-lock.json"],
        "hr-intranet": ["apps/hr-intranet/sbom.cdx.json"],
        "data-platform": sorted(str(p.relative_to(EXAMPLE)) for p in EXAMPLE.glob("apps/data-platform/*.cdx.json")),
        "public-website": ["apps/public-website/package-lock.json"],
    }
    return {name: _scan(files, directory / f"{name}.json") for name, files in paths.items()}


def _push(store: str, report: Path, application: str, *extra: str) -> object:
    return run_cli("inventory", "push", str(report), "--application", application, "--store", store, *extra)


def test_the_store_portfolio_agrees_with_inventory_scan(reports, tmp_path):
    """Push every application's scan, add the inventory: levels, counts and controllers as `inventory scan` says."""
    store = f"sqlite:///{tmp_path / 'store.db'}"
    for name, report in reports.items():
        pushed_run = _push(store, report, name, "--commit", "abc123")
        assert pushed_run.code == 0, pushed_run.stderr
        assert pushed_run.stdout.startswith(f"recorded: {name} at abc123")
    from_store = run_cli("inventory", "report", "--store", store, "--inventory", str(EXAMPLE / "inventory.toml"))
    assert from_store.code == 0, from_store.stderr
    jsonschema.validate(from_store.json(), SCHEMA)
    direct = run_cli("inventory", "scan", "inventory.toml", "--jobs", "2", cwd=EXAMPLE)
    assert direct.code in (0, 1), direct.stderr
    store_apps = {a["name"]: a for a in from_store.json()["applications"]}
    scan_apps = {a["name"]: a for a in direct.json()["applications"]}
    assert list(store_apps) == list(scan_apps)  # the inventory's order, office-suite (declared only) included
    for name, expected in scan_apps.items():
        got = store_apps[name]
        assert (got["level"], got["status"]) == (expected["level"], expected["status"]), name
        for key in ("components", "extra_eu", "non_open_source", "unknown_vendor"):
            assert got["counts"][key] == expected["counts"][key], (name, key)
        assert {c["id"] for c in got["controllers"]} == {c["id"] for c in expected["controllers"]}, name
        assert got["owner"] == expected["owner"] and got["criticality"] == expected["criticality"]
        assert got["unknown_declared"] == expected["unknown_declared"], name
    assert store_apps["office-suite"]["report"] is None  # evaluated from its declarations, never pushed
    assert store_apps["sales-crm"]["report"]["commit"] == "abc123"


def test_push_is_idempotent_and_reports_history(reports, tmp_path):
    store = str(tmp_path / "store.db")
    report = reports["hr-intranet"]
    assert _push(store, report, "hr", "--commit", "c1", "--owner", "HR").stdout.startswith("recorded")
    assert _push(store, report, "hr", "--commit", "c1", "--owner", "HR").stdout.startswith("unchanged")
    assert _push(store, report, "hr", "--commit", "c1", "--owner", "Human resources").stdout.startswith("replaced")
    assert _push(store, reports["sales-crm"], "hr", "--commit", "c2").code == 0  # the application changed a lot
    diff = run_cli("inventory", "diff", "--store", store, "--format", "json")
    assert diff.code == 0, diff.stderr
    changes = diff.json()
    [entry] = changes["applications"]
    assert entry["name"] == "hr" and entry["new_extra_eu"] and entry["removed_extra_eu"]
    table = run_cli("inventory", "diff", "--store", store, "--format", "table")
    assert "hr: level" in table.stdout and "run None" not in table.stdout


def test_report_at_a_date_and_stale_scans(reports, tmp_path):
    from depscan.inventory import storage

    location = str(tmp_path / "store.db")
    store = storage.open_store(location)
    try:
        for name, moment in (("old-app", "2026-01-05T12:00:00Z"), ("new-app", "2026-03-01T12:00:00Z")):
            report = pushed.read_report(str(reports["hr-intranet"]))
            result = pushed.result_from_report(report, name, "r.json")
            push = pushed.make_push(result, pushed.PushMetadata(name, commit="c"), None, pushed_at=moment)
            store.push(push)
    finally:
        store.close()
    at = run_cli("inventory", "report", "--store", location, "--at", "2026-02-01", "--max-age", "30")
    assert at.code == 0, at.stderr
    document = at.json()
    jsonschema.validate(document, SCHEMA)
    assert [a["name"] for a in document["applications"]] == ["old-app"]
    assert document["applications"][0]["report"]["stale"] is False  # 26.5 days old on 2026-02-01
    later = run_cli("inventory", "report", "--store", location, "--at", "2026-03-10", "--max-age", "30")
    entries = {a["name"]: a["report"] for a in later.json()["applications"]}
    assert entries["old-app"]["stale"] is True and entries["new-app"]["stale"] is False
    assert later.json()["summary"]["stale"] == 1 and "1 of 2 application(s)" in later.stderr
    markdown = run_cli(
        "inventory", "report", "--store", location, "--at", "2026-03-10", "--max-age", "30", "-f", "markdown"
    )
    assert "stale (scanned 2026-01-05T12:00:00Z)" in markdown.stdout
    html = run_cli("inventory", "report", "--store", location, "--at", "2026-03-10", "--max-age", "30", "-f", "html")
    assert "stale: scanned 2026-01-05T12:00:00Z" in html.stdout and "1 of 2 stale" in html.stdout
    csv_text = run_cli("inventory", "report", "--store", location, "--at", "2026-03-10", "--max-age", "30", "-f", "csv")
    assert csv_text.stdout.splitlines()[0].endswith("latest scan,stale")
    empty = run_cli("inventory", "report", "--store", location, "--at", "2025-12-31")
    assert empty.code == 2 and "no scan pushed before 2025-12-31" in empty.stderr


def test_scan_push_to_from_the_environment(tmp_path):
    store = str(tmp_path / "store.db")
    environment = {"DEPSCAN_STORE": store, "DEPSCAN_APPLICATION": "portal", "CI_COMMIT_SHA": "feedbeef"}
    scanned = run_cli(
        "scan",
        "apps/citizen-portal/uv.lock",
        "-f",
        "json",
        "-o",
        str(tmp_path / "r.json"),
        "--push-to",
        cwd=EXAMPLE,
        env=environment,
    )
    assert scanned.code in (0, 1), scanned.stderr
    assert "recorded: portal at feedbeef" in scanned.stderr
    report = run_cli("inventory", "report", env={"DEPSCAN_STORE": store})
    [application] = report.json()["applications"]
    assert application["name"] == "portal" and application["report"]["commit"] == "feedbeef"
    missing = run_cli(
        "scan", "apps/citizen-portal/uv.lock", "--push-to", store, cwd=EXAMPLE, env={"DEPSCAN_APPLICATION": ""}
    )
    assert missing.code == 2 and "--application" in missing.stderr


def test_bad_input_and_missing_store(tmp_path):
    store = str(tmp_path / "store.db")
    not_json = tmp_path / "r.json"
    not_json.write_text("{ nope")
    bad = run_cli("inventory", "push", str(not_json), "--application", "a", "--store", store)
    assert bad.code == 3 and bad.stderr.count("\n") == 1 and str(not_json) in bad.stderr
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"bomFormat": "CycloneDX"}))
    assert run_cli("inventory", "push", str(other), "--application", "a", "--store", store).code == 3
    malformed = tmp_path / "malformed.json"
    malformed.write_text(json.dumps({"schema": "depscan-report/1", "components": [{"name": "x", "vendor": {}}]}))
    broken = run_cli("inventory", "push", str(malformed), "--application", "a", "--store", store)
    assert broken.code == 3 and "Traceback" not in broken.stderr
    no_store = run_cli("inventory", "push", str(not_json), "--application", "a", env={"DEPSCAN_STORE": ""})
    assert no_store.code == 2 and "DEPSCAN_STORE" in no_store.stderr


def test_report_round_trip_matches_the_scan_in_hand(database):
    """A pushed report file keeps what the scan itself would have pushed (scan --push-to): same compact result."""
    from depscan import scan as scan_module
    from depscan.portfolio import Application
    from depscan.report.json_report import report_dict

    options = scan_module.ScanOptions(paths=[str(EXAMPLE / "apps" / "sales-crm" / "package-lock.json")])
    result = scan_module.run(options, database)
    in_hand = runner.compact_result(0, Application(name="crm"), result)
    document = json.loads(json.dumps(report_dict(result)))
    from_file = pushed.result_from_report(document, "crm", "r.json")
    assert pushed.result_to_data(from_file) == pushed.result_to_data(in_hand)
    assert pushed.result_to_data(pushed.result_from_data(pushed.result_to_data(in_hand), 0, "crm")) == (
        pushed.result_to_data(in_hand)
    )


def test_push_and_report_on_postgres_never_print_the_password(reports, postgres_url):
    """The test server trusts local connections: a password in the URL is accepted, and must never be shown."""
    base = postgres_schema_url(postgres_url)
    with_password = base.replace("postgresql://depscan@", "postgresql://depscan:hunter2-secret@")
    pushed_run = _push(with_password, reports["hr-intranet"], "hr", "--commit", "c1")
    assert pushed_run.code == 0, pushed_run.stderr
    assert "hunter2-secret" not in pushed_run.stdout + pushed_run.stderr and "depscan:***@" in pushed_run.stdout
    report = run_cli("inventory", "report", "--format", "html", env={"DEPSCAN_STORE": with_password})
    assert report.code == 0, report.stderr
    # the store is named with its password masked (the output boundary may mask the user name too)
    assert "hunter2-secret" not in report.stdout and "postgresql://" in report.stdout
    refused = run_cli(
        "inventory", "report", "--store", with_password.replace(base.split("/")[2].split("@")[1], "127.0.0.1:1")
    )
    assert refused.code == 2 and "hunter2-secret" not in refused.stderr and refused.stderr.count("\n") == 1
