"""Units of depscan.inventory where the logic is subtle: the inventory loader, worker crashes, the history
store and its migrations, the comparison of runs, and the "one change" estimate."""

from __future__ import annotations

import contextlib
import os
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from depscan.errors import ConfigError
from depscan.inventory import aggregate, history, loader, runner, storage
from depscan.inventory.declared import declared_components
from depscan.portfolio import ApplicationResult, ControllerUse, Declared, ExtraEuDependency, Inventory

# -- loader -------------------------------------------------------------------


def test_toml_applications_lines_problems_and_warnings():
    text = b"""[inventory]
name = "Test"

[[application]]
name = "a"
criticality = "HIGH"
paths = "one.lock"
region = "gra"
hosting = ["ovhcloud", { vendor = "aws", region = "eu-west-3" }]
identity = "okta"
colour = "blue"

[[application]]
criticality = "medium"
paths = ["x"]

[[application]]
name = "a"
paths = [1]

[[application]]
name = "empty"
"""
    name, applications = loader.parse_toml(text, "inventory.toml")
    loader._flag_duplicates(applications)
    assert name == "Test"
    first, unnamed, duplicate, empty = applications
    assert (first.line, first.criticality, first.paths) == (4, "high", ("one.lock",))
    assert first.declared == (
        Declared("hosting", "ovhcloud", "gra"),
        Declared("hosting", "aws", "eu-west-3"),
        Declared("identity", "okta", None),
    )
    assert first.problems == () and first.warnings == ("unknown field 'colour' ignored",)
    assert unnamed.name == "#2" and "'name' is required" in unnamed.problems[0]
    assert "'paths' must be a string or a list of strings" in duplicate.problems
    assert any("duplicate application name 'a', first declared (line 4)" in p for p in duplicate.problems)
    assert empty.problems == ("no paths and no declared dependency: nothing to scan",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"[[application]\nname = 'x'", "invalid TOML"),
        (b"application = 'x'", "array of tables"),
        (b"[inventory]\nname = 'x'\n", "no application"),
        (b"\xff\xfe[[application]]", "not UTF-8"),
    ],
)
def test_toml_file_errors(tmp_path, text, message):
    path = tmp_path / "inventory.toml"
    path.write_bytes(text)
    with pytest.raises(ConfigError, match=message):
        loader.load(str(path))


def test_csv_semicolons_bom_lists_and_columns(tmp_path):
    path = tmp_path / "apps.csv"
    path.write_bytes(
        "\ufeffName;Owner;Criticality;Identity provider;Paths;Hosting;Region;SaaS;Colour\r\n"
        'crm;Ventes;high;okta;"a.lock|b.lock";aws;eu-west-3;stripe | twilio;red\r\n'
        ";;;;;;;;\r\n"
        "wiki;IT;low;;;;;confluence;\r\n".encode()
    )
    inventory = loader.load(str(path))
    crm, wiki = inventory.applications
    assert inventory.format == "csv" and inventory.name == "apps"
    assert (crm.owner, crm.paths, crm.line) == ("Ventes", ("a.lock", "b.lock"), 2)
    assert crm.declared == (
        Declared("hosting", "aws", "eu-west-3"),
        Declared("services", "stripe", None),
        Declared("services", "twilio", None),
        Declared("identity", "okta", None),
    )
    assert crm.warnings == ("unknown column 'Colour' ignored",)
    assert (wiki.line, wiki.declared) == (4, (Declared("services", "confluence", None),))


def test_csv_in_windows_1252_and_without_name(tmp_path):
    path = tmp_path / "apps.csv"
    path.write_bytes("name,owner,services\r\nportail,Direction générale,brevo\r\n".encode("cp1252"))
    assert loader.load(str(path)).applications[0].owner == "Direction générale"
    path.write_text("owner,paths\r\nx,y\r\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="needs a 'name' column"):
        loader.load(str(path))


def test_globs_expand_relative_and_keep_unmatched(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.cdx.json").write_text("{}")
    (tmp_path / "a" / "two.cdx.json").write_text("{}")
    assert loader.expand_paths(("a/*.cdx.json", "a/one.cdx.json", "none/*.lock"), str(tmp_path)) == [
        "a/one.cdx.json",
        "a/two.cdx.json",
        "none/*.lock",
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_loader_fuzz_raises_only_config_errors(data):
    for parse in (lambda d: loader.parse_toml(d, "f.toml"), lambda d: loader.parse_csv(d, "f.csv")):
        with contextlib.suppress(ConfigError):
            parse(data)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet='[]="\n ,;|applicationnamepths{}1.', max_size=200))
def test_loader_fuzz_on_near_valid_text(text):
    for parse in (lambda d: loader.parse_toml(d, "f.toml"), lambda d: loader.parse_csv(d, "f.csv")):
        with contextlib.suppress(ConfigError):
            parse(text.encode())


# -- declared dependencies ----------------------------------------------------------


def test_declared_by_id_name_and_unknown(database):
    declared = (
        Declared("hosting", "scaleway", "fr-par"),
        Declared("services", "Stripe"),
        Declared("services", "stripe"),  # the same, written twice
        Declared("identity", "Acme Internal SSO"),
    )
    result = declared_components(database, declared, "inventory.toml", 7)
    assert [(c.name, c.kind, c.vendor.id if c.vendor else None) for c in result.components] == [
        ("scaleway (hosting)", "infrastructure", "scaleway"),
        ("Stripe (service)", "service", "stripe"),
        ("Acme Internal SSO (identity provider)", "service", None),
    ]
    assert result.unknown == [Declared("identity", "Acme Internal SSO")]
    assert result.components[0].properties["region"] == "fr-par"
    assert result.components[0].sources[0].path == "inventory.toml" and result.components[0].sources[0].line == 7


# -- worker processes ----------------------------------------------------------------


def _crash_on(name: str):
    original = runner.scan_application

    def scan(index, application, *args):
        if application.name == name:
            os._exit(9)  # a worker dying as a segfault or the OOM killer would leave it
        return original(index, application, *args)

    return scan


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the crash is injected into forked workers")
def test_a_worker_crash_fails_only_its_application(tmp_path, monkeypatch, database):
    from depscan.policy import rules

    monkeypatch.setattr(runner, "scan_application", _crash_on("crashes"))
    monkeypatch.setattr(runner, "_context", lambda: __import__("multiprocessing").get_context("fork"))
    names = ["one", "crashes", "two", "three", "four"]
    inventory = Inventory(
        path="inventory.toml",
        base_dir=str(tmp_path),
        name="t",
        format="toml",
        applications=[
            loader._finish(n, dict.fromkeys(loader._TEXT_FIELDS), [], [Declared("hosting", "ovhcloud")], None, [], [])
            for n in names
        ],
    )
    settings_ = runner.ScanSettings(base_dir=str(tmp_path), inventory_path="inventory.toml")
    seen: list[str] = []
    results = runner.scan_inventory(
        inventory, settings_, 2, lambda r: seen.append(r.name), database, rules.load(["default"])
    )
    assert [r.name for r in results] == names
    assert sorted(seen) == sorted(names)
    assert [r.status for r in results] == ["ok", "error", "ok", "ok", "ok"]
    assert results[1].errors[0]["message"] == "the worker process died while scanning this application"
    assert results[0].level == 3


# -- history store ------------------------------------------------------------------


def _snapshot(recorded_at: str, level: int | None, deps: list[str], name: str = "app") -> storage.Snapshot:
    return storage.Snapshot(
        inventory="inv",
        inventory_path="inventory.toml",
        recorded_at=recorded_at,
        tool_version="0",
        summary={"lowest_level": level, "mean_score": 50.0},
        applications=[
            storage.ApplicationSnapshot(
                name=name,
                owner=None,
                criticality="high",
                status="ok",
                level=level,
                level_reason="",
                score=50.0,
                components=10,
                extra_eu=[ExtraEuDependency(d, d, "sdk", "aws", "amazon", "US", 1) for d in deps],
            )
        ],
    )


def test_store_round_trip_and_schema_version(tmp_path):
    store = storage.open_store(str(tmp_path / "h" / "history.sqlite"))
    first = store.record(_snapshot("2026-01-01T00:00:00Z", 3, ["pkg:pypi/boto3"]))
    second = store.record(_snapshot("2026-02-01T00:00:00Z", 1, ["pkg:pypi/boto3", "pkg:pypi/sentry-sdk"]))
    assert [run.id for run in store.runs("inv")] == [first, second]
    loaded = store.load(second)
    assert loaded.applications[0].level == 1
    assert [d.key for d in loaded.applications[0].extra_eu] == ["pkg:pypi/boto3", "pkg:pypi/sentry-sdk"]
    store.close()
    connection = sqlite3.connect(tmp_path / "h" / "history.sqlite")
    assert connection.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == len(storage.MIGRATIONS)


def test_store_migrates_an_older_schema_and_refuses_a_newer_one(tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite"
    storage.open_store(str(path)).close()
    monkeypatch.setattr(storage, "MIGRATIONS", [*storage.MIGRATIONS, "ALTER TABLE runs ADD COLUMN note TEXT"])
    storage.open_store(str(path)).close()
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == len(storage.MIGRATIONS)
    assert "note" in [row[1] for row in connection.execute("PRAGMA table_info(runs)")]
    connection.execute("INSERT INTO schema_version (version) VALUES (99)")
    connection.commit()
    with pytest.raises(ConfigError, match="newer than this depscan understands"):
        storage.open_store(str(path))


def test_store_location_errors(tmp_path):
    (tmp_path / "not.sqlite").write_text("hello, this is not a database" * 40)
    with pytest.raises(ConfigError, match="not a usable depscan history"):
        storage.open_store(str(tmp_path / "not.sqlite"))
    with pytest.raises(ConfigError, match="unknown store"):
        storage.open_store("mongodb://db.internal/depscan")


def test_parse_moment():
    assert storage.parse_moment("2026-03-01") == "2026-03-01T00:00:00Z"
    assert storage.parse_moment("2026-03-01T10:00:00+02:00") == "2026-03-01T08:00:00Z"
    with pytest.raises(ValueError):
        storage.parse_moment("March")


# -- comparing runs -----------------------------------------------------------------------


def test_baseline_choice():
    runs = [storage.RunInfo(i, "inv", "p", f"2026-0{i}-01T00:00:00Z", "0") for i in (1, 2, 3, 4)]
    assert history.baseline(runs[:-1], None).id == 3
    assert history.baseline(runs[:-1], "2026-02-15T00:00:00Z").id == 2
    assert history.baseline(runs[:-1], "2020-01-01T00:00:00Z").id == 1
    assert history.baseline([], None) is None


def test_compare_levels_dependencies_and_applications():
    old = _snapshot("2026-01-01T00:00:00Z", 1, ["pkg:pypi/boto3", "pkg:npm/stripe"])
    new = _snapshot("2026-02-01T00:00:00Z", 3, ["pkg:pypi/boto3"])
    new.applications.append(_snapshot("x", None, ["pkg:npm/twilio"], name="added").applications[0])
    changes = history.compare(old, new)
    added, app = changes["applications"]  # sorted by name
    assert (app["name"], app["level"], app["level_change"]) == ("app", [1, 3], "improved")
    assert [d["key"] for d in app["removed_extra_eu"]] == ["pkg:npm/stripe"] and app["new_extra_eu"] == []
    assert (added["name"], added["change"], added["level_change"]) == ("added", "added", None)
    assert changes["summary"]["applications_added"] == ["added"]
    assert [d["key"] for d in changes["new_extra_eu"]] == ["pkg:npm/twilio"]
    assert [d["key"] for d in changes["removed_extra_eu"]] == ["pkg:npm/stripe"]
    assert history.compare(new, new)["applications"] == []


# -- "one change" ------------------------------------------------------------------------


def _use(level: int, eu: bool, alternatives: tuple[str, ...] = (), hosted: int = 1) -> ControllerUse:
    return ControllerUse(
        name="x",
        country="FR" if eu else "US",
        eu=eu,
        laws=() if eu else ("us-cloud-act",),
        components=hosted,
        hosted=hosted,
        hosted_level=level,
        kinds={"service": hosted},
        alternatives=alternatives,
    )


def test_best_change_only_lifts_a_floor_set_by_one_controller(database):
    estimator = aggregate._ReplacementEstimator(database)
    alone = ApplicationResult(
        0, "a", "ok", level=1, controllers={"amazon": _use(1, False, ("ovhcloud",)), "x": _use(3, True)}
    )
    change = aggregate._best_change(alone, estimator)
    assert (change["controller"], change["level_after"], change["best_alternative"]) == ("amazon", 3, "ovhcloud")
    capped = ApplicationResult(0, "b", "ok", level=1, controllers={"amazon": _use(1, False), "y": _use(2, False)})
    assert aggregate._best_change(capped, estimator)["level_after"] == 2  # the next controller is the new floor
    shared = ApplicationResult(0, "c", "ok", level=1, controllers={"amazon": _use(1, False), "stripe": _use(1, False)})
    assert aggregate._best_change(shared, estimator) is None
    assert aggregate._best_change(ApplicationResult(0, "d", "error"), estimator) is None
