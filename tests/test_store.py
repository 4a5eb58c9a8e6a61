"""The shared store: the same tests against SQLite and a real PostgreSQL (see `store_url` in conftest.py).

Runs and pushes are written whole or not at all, pushes are idempotent on
(application, commit) and safe under concurrent writers (several processes),
a writer killed mid-push leaves the store as it was, the schema is migrated
once and a newer one refused, and the URL's password never reaches a message.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from depscan.errors import ConfigError
from depscan.inventory import pushed, storage
from depscan.portfolio import ApplicationResult, ControllerUse, ExtraEuDependency


def _result(level: int | None = 1, deps: tuple[str, ...] = ("pkg:pypi/boto3",), components: int = 10) -> dict:
    result = ApplicationResult(
        index=0,
        name="x",
        status="ok",
        summary={"components": components, "extra_eu": len(deps), "findings": {"high": 1}},
        level=level,
        level_reason="floor",
        score=40.0,
        controllers={
            "amazon": ControllerUse("Amazon", "US", False, ("us-cloud-act",), components=len(deps), hosted=len(deps))
        },
        extra_eu=[ExtraEuDependency(d, d.rsplit("/", 1)[-1], "sdk", "aws", "amazon", "US", level) for d in deps],
    )
    return pushed.result_to_data(result)


def _push(application: str, commit: str | None, pushed_at: str, owner: str | None = None, **kwargs) -> storage.Push:
    return storage.Push(
        application=application,
        result=_result(**kwargs),
        pushed_at=pushed_at,
        tool_version="test",
        status="ok",
        level=kwargs.get("level", 1),
        score=40.0,
        components=kwargs.get("components", 10),
        extra_eu=1,
        commit=commit,
        owner=owner,
    )


def test_runs_round_trip_and_schema_version(store_url):
    store = storage.open_store(store_url)
    try:
        snapshot = storage.Snapshot(
            "inv",
            "inventory.toml",
            "2026-01-01T00:00:00Z",
            "0",
            {"lowest_level": 1},
            [
                storage.ApplicationSnapshot(
                    "app", "me", "high", "ok", 1, "", 50.5, 10, [ExtraEuDependency("k", "n", "sdk", "v", "c", "US", 1)]
                )
            ],
        )
        run = store.record(snapshot)
        assert [r.id for r in store.runs("inv")] == [run]
        loaded = store.load(run)
        assert loaded.applications[0].score == 50.5 and loaded.applications[0].extra_eu[0].key == "k"
        assert store.version == len(storage.MIGRATIONS)
    finally:
        store.close()
    storage.open_store(store_url).close()  # opening an up-to-date store migrates nothing


def test_a_run_is_recorded_whole_or_not_at_all(store_url):
    """Two applications of one name break the primary key after the run row is written: nothing stays."""
    store = storage.open_store(store_url)
    try:
        app = storage.ApplicationSnapshot("same", None, None, "ok", 1, "", None, 1)
        broken = storage.Snapshot("inv", "i.toml", "2026-01-01T00:00:00Z", "0", {}, [app, app])
        with pytest.raises(ConfigError, match="cannot record the run"):
            store.record(broken)
        assert store.runs() == []
        good = storage.Snapshot("inv", "i.toml", "2026-01-02T00:00:00Z", "0", {}, [app])
        assert store.record(good) > 0  # the connection is still usable after the rollback
    finally:
        store.close()


def test_push_is_idempotent_on_application_and_commit(store_url):
    store = storage.open_store(store_url)
    try:
        assert store.push(_push("crm", "c1", "2026-03-01T10:00:00Z", owner="sales")) == "recorded"
        assert store.push(_push("crm", "c1", "2026-03-01T11:00:00Z", owner="sales")) == "unchanged"
        assert store.push(_push("crm", "c1", "2026-03-01T12:00:00Z", owner="sales", level=2)) == "replaced"
        assert store.push(_push("crm", "c2", "2026-03-02T10:00:00Z", owner="sales")) == "recorded"
        assert store.push(_push("crm", None, "2026-03-03T10:00:00Z")) == "recorded"  # no commit: no identity
        assert store.push(_push("crm", None, "2026-03-03T10:00:00Z")) == "recorded"
        assert store.counts() == {"pushes": 4, "applications": 1}
        [latest] = store.latest()
        assert latest.commit is None and latest.pushed_at == "2026-03-03T10:00:00Z"
        [replaced] = store.latest(before="2026-03-02T00:00:00Z")
        assert (replaced.commit, replaced.level, replaced.pushed_at) == ("c1", 2, "2026-03-01T12:00:00Z")
    finally:
        store.close()


def test_latest_as_at_a_moment_and_the_push_before(store_url):
    store = storage.open_store(store_url)
    try:
        store.push(_push("a", "1", "2026-01-10T00:00:00Z", level=1))
        store.push(_push("a", "2", "2026-02-10T00:00:00Z", level=3))
        store.push(_push("b", "1", "2026-02-01T00:00:00Z", level=2))
        assert [(p.application, p.commit) for p in store.latest()] == [("a", "2"), ("b", "1")]
        assert [(p.application, p.commit) for p in store.latest(before="2026-01-31T00:00:00Z")] == [("a", "1")]
        assert [(p.application, p.commit) for p in store.latest(back=1)] == [("a", "1")]
        assert store.latest(before="2026-01-01T00:00:00Z") == []
        result = store.latest()[0].result
        assert result["extra_eu"][0][0] == "pkg:pypi/boto3"  # the compact result comes back as stored
    finally:
        store.close()


def test_a_newer_schema_is_refused(store_url):
    store = storage.open_store(store_url)
    try:
        with store._transaction():
            store._execute("INSERT INTO schema_version (version) VALUES (?)", (99,))
    finally:
        store.close()
    with pytest.raises(ConfigError, match="newer than this depscan understands"):
        storage.open_store(store_url)


def _writer(location: str, worker: int, count: int) -> list[str]:
    """One CI pipeline after another: open the store, push, close. Commits overlap across workers on purpose."""
    outcomes = []
    for number in range(count):
        application = f"app-{number % 7}"
        commit = f"commit-{(number + worker) % 5}"  # the same (application, commit) from several workers
        push = _push(application, commit, storage.utc_timestamp())
        outcomes.append(pushed.push_result(location, push))
    return outcomes


def test_concurrent_writers_lose_nothing_and_duplicate_nothing(store_url):
    storage.open_store(store_url).close()
    context = multiprocessing.get_context("spawn")  # separate processes, as separate pipelines are
    with context.Pool(6) as pool:
        outcomes = pool.starmap(_writer, [(store_url, worker, 25) for worker in range(6)])
    flat = [outcome for worker in outcomes for outcome in worker]
    expected = {(f"app-{n % 7}", f"commit-{(n + w) % 5}") for w in range(6) for n in range(25)}
    store = storage.open_store(store_url)
    try:
        assert store.counts() == {"pushes": len(expected), "applications": 7}
    finally:
        store.close()
    assert flat.count("recorded") == len(expected)
    assert set(flat) <= {"recorded", "unchanged"}  # same content: a retry is never a replacement


def test_concurrent_first_opens_migrate_once(store_url):
    """Many pipelines meeting an empty store at once: one migrates, the others wait and find it done."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(6) as pool:
        pool.starmap(_writer, [(store_url, worker, 2) for worker in range(6)])
    store = storage.open_store(store_url)
    try:
        rows = store._execute("SELECT version FROM schema_version ORDER BY version").fetchall()
        assert [row[0] for row in rows] == list(range(1, len(storage.MIGRATIONS) + 1))
    finally:
        store.close()


_SLOW_PUSH = """
import sys, time
from depscan.inventory import storage
sys.path.insert(0, {tests!r})
from test_store import _push
store = storage.open_store({url!r})
original = store._execute
def slow(query, parameters=()):
    cursor = original(query, parameters)
    if query.startswith("INSERT INTO pushes"):
        print("inserted", flush=True)
        time.sleep(60)  # killed here, inside the transaction
    return cursor
store._execute = slow
store.push(_push("victim", "c9", "2026-05-01T00:00:00Z"))
"""


def test_a_writer_killed_mid_push_leaves_the_store_consistent(store_url):
    store = storage.open_store(store_url)
    store.push(_push("survivor", "c1", "2026-04-01T00:00:00Z"))
    store.close()
    script = _SLOW_PUSH.format(tests=str(ROOT / "tests"), url=store_url)
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=environment)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == b"inserted"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while True:  # PostgreSQL notices the dead connection and rolls back; SQLite does on the next open
        store = storage.open_store(store_url)
        try:
            counts = store.counts()
            if counts["pushes"] == 1 or time.monotonic() > deadline:
                break
        finally:
            store.close()
        time.sleep(0.2)
    assert counts == {"pushes": 1, "applications": 1}
    store = storage.open_store(store_url)
    try:
        assert store.push(_push("victim", "c9", "2026-05-01T00:00:00Z")) == "recorded"
        assert [p.application for p in store.latest()] == ["survivor", "victim"]
    finally:
        store.close()


# -- locations and secrets ---------------------------------------------------------------------


def test_redact_masks_passwords():
    assert storage.redact("postgresql://ci:s3cret@db:5432/depscan") == "postgresql://ci:***@db:5432/depscan"
    assert storage.redact("postgresql://ci@db/depscan?password=s3cret&sslmode=require") == (
        "postgresql://ci@db/depscan?password=***&sslmode=require"
    )
    assert storage.redact("host=db user=ci password=s3cret") == "host=db user=ci password=***"
    assert storage.redact("sqlite:///var/lib/depscan.db") == "sqlite:///var/lib/depscan.db"


def test_unreachable_postgres_is_one_line_without_the_password():
    pytest.importorskip("psycopg")
    with pytest.raises(ConfigError) as caught:
        storage.open_store("postgresql://ci:s3cret-pw@127.0.0.1:1/depscan?connect_timeout=2")
    message = str(caught.value)
    assert "s3cret-pw" not in message and "postgresql://ci:***@127.0.0.1:1/depscan" in message
    assert "\n" not in message


def test_sqlite_url_forms(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    storage.open_store("sqlite:///relative.db").close()
    storage.open_store(f"sqlite:///{tmp_path}/absolute.db").close()
    assert (tmp_path / "relative.db").exists() and (tmp_path / "absolute.db").exists()
    with pytest.raises(ConfigError, match="unknown store"):
        storage.open_store("mysql://root:pw@db/x")


def test_end_of_a_date():
    assert storage.end_of("2026-03-01") == "2026-03-02T00:00:00Z"
    assert storage.end_of("2026-03-01T10:00:00Z") == "2026-03-01T10:00:01Z"
