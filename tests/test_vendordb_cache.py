"""The parsed vendor database is cached by content hash in the user cache directory: same database, same
results, whether it came from the TOML files or from the cache; any change to a file is read afresh."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from depscan.vendordb import database


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "cache"
    directory.mkdir()  # the cache is only written where the depscan cache directory exists
    monkeypatch.setenv("DEPSCAN_CACHE_DIR", str(directory))
    monkeypatch.delenv("DEPSCAN_VENDOR_CACHE", raising=False)
    return directory / "vendordb"


def fresh(root: Path | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> database.VendorDatabase:
    assert monkeypatch is not None
    with monkeypatch.context() as patch:
        patch.setenv("DEPSCAN_VENDOR_CACHE", "0")
        return database.load(root)


def same(one: database.VendorDatabase, other: database.VendorDatabase) -> bool:
    return (one.vendors, one.countries, one.laws, one.registries, one.index.exact) == (
        other.vendors,
        other.countries,
        other.laws,
        other.registries,
        other.index.exact,
    )


def test_second_load_reads_the_cache_and_gives_the_same_database(cache_dir, monkeypatch):
    first = database.load()
    [cached] = list(cache_dir.glob("*.json"))
    assert same(database.load(), fresh(monkeypatch=monkeypatch))
    assert same(first, fresh(monkeypatch=monkeypatch))
    payload = json.loads(cached.read_bytes())
    index = payload["files"].index("vendors/aws.toml")
    payload["documents"][index]["name"] = "read from the cache"
    cached.write_text(json.dumps(payload))
    assert database.load().vendors["aws"].name == "read from the cache"  # the cache is what was read


def test_a_changed_file_is_read_afresh_and_the_stale_copy_removed(cache_dir, tmp_path, monkeypatch):
    root = tmp_path / "vendor_db"
    shutil.copytree(ROOT / "vendor_db", root)
    database.load(root)
    [stale] = list(cache_dir.glob("*.json"))
    record = root / "vendors" / "aws.toml"
    record.write_text(record.read_text().replace('name = "Amazon Web Services, Inc."', 'name = "Renamed"', 1))
    loaded = database.load(root)
    assert loaded.vendors["aws"].name == "Renamed"
    assert same(loaded, fresh(root, monkeypatch))
    assert not stale.exists() and len(list(cache_dir.glob("*.json"))) == 1


def test_a_corrupt_or_foreign_cache_file_is_ignored(cache_dir, monkeypatch):
    database.load()
    [cached] = list(cache_dir.glob("*.json"))
    for content in (b"{not json", b'{"format": "other"}', b"[]"):
        cached.write_bytes(content)
        assert same(database.load(), fresh(monkeypatch=monkeypatch))


def test_no_cache_directory_is_created(tmp_path, monkeypatch):
    monkeypatch.setenv("DEPSCAN_CACHE_DIR", str(tmp_path / "absent"))
    monkeypatch.delenv("DEPSCAN_VENDOR_CACHE", raising=False)
    assert same(database.load(), fresh(monkeypatch=monkeypatch))
    assert not (tmp_path / "absent").exists()


def test_scan_report_is_the_same_from_toml_from_the_cache_and_without_it(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    reports = []
    for switch in ("1", "1", "0"):  # writes the cache, reads it, bypasses it
        run = run_cli(
            "scan",
            str(ROOT / "examples" / "cloud-app"),
            "--format",
            "json",
            "--fail-on",
            "none",
            cwd=ROOT,
            env={"DEPSCAN_CACHE_DIR": str(cache), "DEPSCAN_VENDOR_CACHE": switch, "SOURCE_DATE_EPOCH": "1700000000"},
        )
        assert run.code == 0, run.stderr
        reports.append(run.stdout)
    assert list((cache / "vendordb").glob("*.json"))
    assert reports[0] == reports[1] == reports[2]
