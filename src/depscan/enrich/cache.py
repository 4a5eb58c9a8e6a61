"""The on-disk cache of online look-ups: one SQLite file, safe to share between threads and runs.

Entries hold what depscan kept from an answer (licences, publishers,
repository, the URL asked), never the raw document: a PyPI project answer can
weigh megabytes, and the cache must be small enough to carry to an air-gapped
site (`depscan cache export` / `import`). A "not found" answer is cached too,
for a shorter time. Expired entries are not deleted: when a registry cannot be
reached, a stale answer is still better than none, and says how old it is.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from depscan.errors import ConfigError

EXPORT_SCHEMA = "depscan-enrich-cache/1"
DEFAULT_TTL = 30 * 86400.0  # a released version's metadata rarely changes; curated licences sometimes do
NOT_FOUND_TTL = 86400.0  # a package missing today may be published, or harvested, tomorrow
_FILE_NAME = "enrich.sqlite3"
_MAX_KEY = 2048
_VALUE_FIELDS = {"licenses": list, "suppliers": list, "repository": str, "url": str, "notes": list, "missing": bool}


def default_directory() -> Path:
    """The XDG cache directory (or the platform's equivalent), under `depscan/`."""
    configured = os.environ.get("XDG_CACHE_HOME")
    if configured and os.path.isabs(configured):
        return Path(configured) / "depscan"
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "depscan" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "depscan"
    return Path.home() / ".cache" / "depscan"


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    fetched_at: float
    value: dict[str, Any]

    def fresh(self, ttl: float, now: float) -> bool:
        limit = min(ttl, NOT_FOUND_TTL) if self.value.get("missing") else ttl
        return now - self.fetched_at <= limit


class Cache:
    """Key -> (time fetched, kept answer). Keys are 'source:coordinates', independent of base URLs."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / _FILE_NAME
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._connection = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            self._connection.execute(
                "CREATE TABLE IF NOT EXISTS entries"
                " (key TEXT PRIMARY KEY, fetched_at REAL NOT NULL, value TEXT NOT NULL)"
            )
            self._connection.commit()
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"{self.path}: cannot open the enrichment cache: {exc}") from None
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, key: str) -> Entry | None:
        with self._lock:
            try:
                row = self._connection.execute("SELECT fetched_at, value FROM entries WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error:
                return None
        if row is None:
            return None
        try:
            value = orjson.loads(row[1])
        except orjson.JSONDecodeError:
            return None
        return Entry(key, float(row[0]), value) if _valid_value(value) else None

    def put(self, key: str, value: dict[str, Any], fetched_at: float | None = None) -> None:
        with self._lock:
            try:
                self._connection.execute(
                    "INSERT OR REPLACE INTO entries (key, fetched_at, value) VALUES (?, ?, ?)",
                    (key, time.time() if fetched_at is None else fetched_at, orjson.dumps(value).decode()),
                )
                self._connection.commit()
            except sqlite3.Error:
                pass  # a cache that cannot be written only costs a look-up next time

    def entries(self) -> Iterator[Entry]:
        with self._lock:
            rows = self._connection.execute("SELECT key, fetched_at, value FROM entries ORDER BY key").fetchall()
        for key, fetched_at, raw in rows:
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            if _valid_value(value):
                yield Entry(key, float(fetched_at), value)

    # -- carrying the cache to another machine -------------------------------

    def export(self, destination: Path) -> int:
        """Write every entry as one JSON document (sorted: same cache, same bytes)."""
        entries = [{"key": e.key, "fetched_at": e.fetched_at, "value": e.value} for e in self.entries()]
        document = {"schema": EXPORT_SCHEMA, "entries": entries}
        destination.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
        return len(entries)

    def import_(self, source: Path) -> tuple[int, int]:
        """Merge an exported file, keeping the newer of two answers; return (imported, kept older)."""
        entries = read_export(source)
        imported = skipped = 0
        for entry in entries:
            existing = self.get(entry.key)
            if existing is not None and existing.fetched_at >= entry.fetched_at:
                skipped += 1
                continue
            self.put(entry.key, entry.value, entry.fetched_at)
            imported += 1
        return imported, skipped


def read_export(source: Path) -> list[Entry]:
    """Parse and check an exported cache: it may come from anywhere, so every field is validated."""
    try:
        document = orjson.loads(source.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise ConfigError(f"{source}: not a depscan cache export: invalid JSON ({exc.msg})") from None
    if not isinstance(document, dict) or document.get("schema") != EXPORT_SCHEMA:
        raise ConfigError(f"{source}: not a depscan cache export (expected schema {EXPORT_SCHEMA!r})")
    raw_entries = document.get("entries")
    if not isinstance(raw_entries, list):
        raise ConfigError(f"{source}: 'entries' must be a list")
    entries: list[Entry] = []
    for number, raw in enumerate(raw_entries, 1):
        if not isinstance(raw, dict):
            raise ConfigError(f"{source}: entry {number} is not an object")
        key, fetched_at, value = raw.get("key"), raw.get("fetched_at"), raw.get("value")
        if not isinstance(key, str) or not key or len(key) > _MAX_KEY or ":" not in key:
            raise ConfigError(f"{source}: entry {number}: invalid key")
        if isinstance(fetched_at, bool) or not isinstance(fetched_at, (int, float)) or fetched_at < 0:
            raise ConfigError(f"{source}: entry {number}: invalid fetched_at")
        if not _valid_value(value):
            raise ConfigError(f"{source}: entry {number}: invalid value")
        entries.append(Entry(key, float(fetched_at), value))
    return entries


def _valid_value(value: Any) -> bool:
    if not isinstance(value, dict) or not set(value) <= set(_VALUE_FIELDS):
        return False
    for name, kind in _VALUE_FIELDS.items():
        item = value.get(name)
        if item is None:
            continue
        if not isinstance(item, kind):
            return False
        if kind is list and not all(isinstance(x, str) and len(x) < 1024 for x in item):
            return False
        if kind is str and len(item) > 4096:
            return False
    return True


def open_cache(directory: Path | None) -> Cache:
    return Cache(directory or default_directory())
