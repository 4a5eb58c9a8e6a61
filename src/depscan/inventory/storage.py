"""Inventory run history behind a small interface: SQLite today, a shared PostgreSQL tomorrow.

The rest of depscan sees only `HistoryStore` and the plain snapshots below;
no SQL leaves this module. A PostgreSQL store implements the same five
methods with its own DDL and `open_store` picks it by the location's scheme.

The schema is created and migrated by the tool: `schema_version` holds the
version, and every missing step of `MIGRATIONS` runs in one transaction when
a store is opened. A database written by a newer depscan is refused rather
than half understood.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import orjson

from depscan.errors import ConfigError
from depscan.portfolio import ExtraEuDependency

#: one SQL script per schema version, applied in order; never edit a released step, add one
MIGRATIONS: list[str] = [
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        inventory TEXT NOT NULL,
        inventory_path TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        summary TEXT NOT NULL
    );
    CREATE INDEX runs_by_inventory ON runs (inventory, recorded_at);
    CREATE TABLE application_runs (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        owner TEXT,
        criticality TEXT,
        status TEXT NOT NULL,
        level INTEGER,
        level_reason TEXT NOT NULL,
        score REAL,
        components INTEGER NOT NULL,
        extra_eu INTEGER NOT NULL,
        PRIMARY KEY (run_id, name)
    );
    CREATE TABLE extra_eu_dependencies (
        run_id INTEGER NOT NULL,
        application TEXT NOT NULL,
        key TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        vendor TEXT NOT NULL,
        controller TEXT NOT NULL,
        country TEXT NOT NULL,
        level INTEGER,
        PRIMARY KEY (run_id, application, key),
        FOREIGN KEY (run_id, application) REFERENCES application_runs (run_id, name) ON DELETE CASCADE
    );
    """,
]


@dataclass(slots=True, frozen=True)
class RunInfo:
    id: int
    inventory: str
    inventory_path: str
    recorded_at: str  # ISO 8601, UTC, "Z" suffix: sorts as text
    tool_version: str


@dataclass(slots=True)
class ApplicationSnapshot:
    name: str
    owner: str | None
    criticality: str | None
    status: str
    level: int | None
    level_reason: str
    score: float | None
    components: int
    extra_eu: list[ExtraEuDependency] = field(default_factory=list)


@dataclass(slots=True)
class Snapshot:
    """One inventory run as history keeps it: enough to say what changed, not the whole report."""

    inventory: str
    inventory_path: str
    recorded_at: str
    tool_version: str
    summary: dict[str, Any]
    applications: list[ApplicationSnapshot]
    id: int | None = None


class HistoryStore(Protocol):
    """What the inventory commands need from a history backend."""

    def record(self, snapshot: Snapshot) -> int:
        """Store a run; return its id."""
        ...

    def runs(self, inventory: str | None = None) -> list[RunInfo]:
        """Every run (of one inventory), oldest first."""
        ...

    def load(self, run_id: int) -> Snapshot:
        """A stored run, applications sorted by name."""
        ...

    def close(self) -> None: ...


def utc_timestamp(moment: dt.datetime | None = None) -> str:
    moment = moment or dt.datetime.now(dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_moment(text: str) -> str:
    """A user's `--since` (YYYY-MM-DD or an ISO 8601 date-time) as a stored timestamp; ValueError when invalid."""
    value = text.strip()
    if len(value) == 10:
        return dt.date.fromisoformat(value).strftime("%Y-%m-%dT00:00:00Z")
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return utc_timestamp(moment)


def open_store(location: str) -> HistoryStore:
    """The store for a `--history` value: a file path (SQLite), or a URL naming another backend."""
    if "://" in location:
        scheme = location.split("://", 1)[0].lower()
        if scheme in ("postgres", "postgresql"):
            raise ConfigError(f"{scheme}:// history is not supported by this version: use a SQLite file path")
        if scheme != "sqlite":
            raise ConfigError(f"unknown history backend {scheme!r}: give a file path")
        location = location.split("://", 1)[1]
    return SqliteStore(Path(location))


class SqliteStore:
    """The embedded default: one file, created and migrated on open."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            if path.parent and not path.parent.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = sqlite3.connect(path, isolation_level=None)
            self._connection.execute("PRAGMA foreign_keys = ON")
            self.migrate()
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"{path}: not a usable depscan history database: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot open history: {exc.strerror or exc}") from None

    @property
    def version(self) -> int:
        row = self._connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        if row is None:
            return 0
        value = self._connection.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        return int(value or 0)

    def migrate(self) -> None:
        """Bring the schema to the latest version, each step in its own transaction."""
        current = self.version
        if current > len(MIGRATIONS):
            raise ConfigError(
                f"{self.path}: history schema version {current} is newer than this depscan understands"
                f" ({len(MIGRATIONS)}): upgrade depscan"
            )
        if current == 0:
            self._connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        for version in range(current + 1, len(MIGRATIONS) + 1):
            cursor = self._connection.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(MIGRATIONS[version - 1]):
                    cursor.execute(statement)
                cursor.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise

    def record(self, snapshot: Snapshot) -> int:
        connection = self._connection
        cursor = connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            cursor.execute(
                "INSERT INTO runs (inventory, inventory_path, recorded_at, tool_version, summary)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    snapshot.inventory,
                    snapshot.inventory_path,
                    snapshot.recorded_at,
                    snapshot.tool_version,
                    orjson.dumps(snapshot.summary, option=orjson.OPT_SORT_KEYS).decode(),
                ),
            )
            run_id = int(cursor.lastrowid or 0)
            cursor.executemany(
                "INSERT INTO application_runs (run_id, name, owner, criticality, status, level, level_reason, score,"
                " components, extra_eu) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        run_id,
                        app.name,
                        app.owner,
                        app.criticality,
                        app.status,
                        app.level,
                        app.level_reason,
                        app.score,
                        app.components,
                        len(app.extra_eu),
                    )
                    for app in snapshot.applications
                ],
            )
            cursor.executemany(
                "INSERT INTO extra_eu_dependencies (run_id, application, key, name, kind, vendor, controller, country,"
                " level) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (run_id, app.name, d.key, d.name, d.kind, d.vendor, d.controller, d.country, d.level)
                    for app in snapshot.applications
                    for d in app.extra_eu
                ],
            )
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        snapshot.id = run_id
        return run_id

    def runs(self, inventory: str | None = None) -> list[RunInfo]:
        query = "SELECT id, inventory, inventory_path, recorded_at, tool_version FROM runs"
        parameters: tuple[Any, ...] = ()
        if inventory is not None:
            query += " WHERE inventory = ?"
            parameters = (inventory,)
        rows = self._connection.execute(query + " ORDER BY recorded_at, id", parameters).fetchall()
        return [RunInfo(*row) for row in rows]

    def load(self, run_id: int) -> Snapshot:
        row = self._connection.execute(
            "SELECT inventory, inventory_path, recorded_at, tool_version, summary FROM runs WHERE id = ?", (run_id,)
        ).fetchone()
        if row is None:
            raise ConfigError(f"{self.path}: no run {run_id}")
        applications: dict[str, ApplicationSnapshot] = {}
        for name, owner, criticality, status, level, level_reason, score, components in self._connection.execute(
            "SELECT name, owner, criticality, status, level, level_reason, score, components"
            " FROM application_runs WHERE run_id = ? ORDER BY name",
            (run_id,),
        ):
            applications[name] = ApplicationSnapshot(
                name, owner, criticality, status, level, level_reason, score, components
            )
        for application, *values in self._connection.execute(
            "SELECT application, key, name, kind, vendor, controller, country, level"
            " FROM extra_eu_dependencies WHERE run_id = ? ORDER BY application, key",
            (run_id,),
        ):
            applications[application].extra_eu.append(ExtraEuDependency(*values))
        inventory, inventory_path, recorded_at, tool_version, summary = row
        return Snapshot(
            inventory=inventory,
            inventory_path=inventory_path,
            recorded_at=recorded_at,
            tool_version=tool_version,
            summary=orjson.loads(summary),
            applications=list(applications.values()),
            id=run_id,
        )

    def close(self) -> None:
        self._connection.close()


def _statements(script: str) -> list[str]:
    """A migration script as single statements (the migration keeps them inside one explicit transaction)."""
    return [statement.strip() for statement in script.split(";") if statement.strip()]
