"""Honest provenance and written-down controller rules: `db validate`, `db stats`, `db stale`."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT

SOURCE_CHECKED = '[[sources]]\nurl = "https://{id}.example/legal"\nsupports = "seat"\nchecked = "{date}"\n'
SOURCE_CITED = '[[sources]]\nurl = "https://{id}.example/press"\nsupports = "owner"\ncited = "{date}"\n'


def _record(vendor_id: str, *, confidence: str = "medium", notes: str = "", parent: str = "", sources: str = "") -> str:
    text = (
        f'id = "{vendor_id}"\nname = "{vendor_id.title()}"\ntype = "company"\ncountry = "US"\n'
        f'reviewed = "2026-12-04"\nconfidence = "{confidence}"\n'
    )
    if parent:
        text += f'parent = "{parent}"\n'
    if notes:
        text += f"notes = {notes!r}\n".replace("'", '"')
    return text + "\n" + sources


@pytest.fixture
def db(tmp_path: Path) -> Path:
    root = tmp_path / "db"
    (root / "vendors").mkdir(parents=True)
    for name in ("countries.toml", "laws.toml"):
        (root / name).write_bytes((ROOT / "vendor_db" / name).read_bytes())
    (root / "registries.toml").write_text("# no registries: the shipped ones name vendors these tests do not have\n")
    return root


def _write(db: Path, vendor_id: str, text: str) -> None:
    (db / "vendors" / f"{vendor_id}.toml").write_text(text)


def test_private_equity_owner_only_in_notes_is_a_warning_until_a_parent_is_set(cli, db):
    fund_notes = "Taken private in 2024 by Acme Capital, a private-equity firm."
    _write(db, "target", _record("target", notes=fund_notes, sources=SOURCE_CHECKED.format(id="t", date="2026-12-04")))
    _write(
        db,
        "acme-capital",
        _record(
            "acme-capital",
            notes="US private-equity firm; recorded as the fund manager controlling Target.",
            sources=SOURCE_CHECKED.format(id="a", date="2026-12-04"),
        ),
    )
    run = cli("db", "validate", "--vendor-db", str(db))
    assert run.code == 0, run.stderr
    assert "1 warning(s)" in run.stdout
    warnings = [line for line in run.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "target.toml" in warnings[0] and "parent" in warnings[0]
    stats = cli("db", "stats", "--vendor-db", str(db), "--format", "json").json()
    assert stats["warnings"] == 1 and stats["records_with_warnings"] == ["target"]
    # the rule written in SCHEMA.md: the fund manager is the parent
    _write(
        db,
        "target",
        _record(
            "target",
            notes=fund_notes,
            parent="acme-capital",
            sources=SOURCE_CHECKED.format(id="t", date="2026-12-04"),
        ),
    )
    run = cli("db", "validate", "--vendor-db", str(db))
    assert run.code == 0 and "warning" not in run.stdout + run.stderr


def test_high_confidence_needs_a_checked_source(cli, db):
    _write(db, "sure", _record("sure", confidence="high", sources=SOURCE_CITED.format(id="s", date="2026-11-23")))
    run = cli("db", "validate", "--vendor-db", str(db))
    assert run.code == 2
    assert "sure.toml" in run.stderr and "checked" in run.stderr
    _write(db, "sure", _record("sure", confidence="medium", sources=SOURCE_CITED.format(id="s", date="2026-11-23")))
    assert cli("db", "validate", "--vendor-db", str(db)).code == 0


def test_a_match_publisher_must_be_another_vendor_record(cli, db):
    sources = SOURCE_CHECKED.format(id="c", date="2026-12-04")
    match = '\n[[match]]\nterraform_provider = ["pub/cloud"]\npublisher = "nobody"\nkind = "infrastructure"\n'
    _write(db, "cloud", _record("cloud", sources=sources) + match)
    run = cli("db", "validate", "--vendor-db", str(db))
    assert run.code == 2 and "publisher 'nobody' is not a vendor record" in run.stderr


def test_stats_count_checked_and_cited_sources_and_records_by_confidence(cli, db):
    _write(
        db,
        "one",
        _record(
            "one",
            confidence="high",
            sources=SOURCE_CHECKED.format(id="o", date="2026-12-04") + SOURCE_CITED.format(id="o", date="2026-11-23"),
        ),
    )
    _write(db, "two", _record("two", confidence="low", sources=SOURCE_CITED.format(id="w", date="2026-11-23")))
    stats = cli("db", "stats", "--vendor-db", str(db), "--format", "json").json()
    assert stats["sources"] == {"checked": 1, "cited": 2}
    assert stats["records_by_evidence"] == {"cited sources only": 1, "with a checked source": 1}
    assert stats["by_confidence"] == {"high": 1, "low": 1}
    table = cli("db", "stats", "--vendor-db", str(db), "--format", "table").stdout
    assert "sources: checked 1, cited 2" in table


def test_stale_lists_cited_sources_and_sources_checked_before_the_date(cli, db):
    _write(
        db,
        "old",
        _record(
            "old",
            sources=SOURCE_CHECKED.format(id="old", date="2026-01-10")
            + SOURCE_CHECKED.format(id="new", date="2026-12-04")
            + SOURCE_CITED.format(id="cit", date="2026-12-04"),
        ),
    )
    report = cli("db", "stale", "--before", "2026-06-01", "--vendor-db", str(db), "--format", "json").json()
    assert report["before"] == "2026-06-01" and report["sources"] == 2 and report["vendors"] == 1
    urls = {(row["url"], row["status"]) for row in report["stale"]}
    assert urls == {("https://old.example/legal", "checked"), ("https://cit.example/press", "cited")}
    table = cli("db", "stale", "--before", "2026-06-01", "--vendor-db", str(db), "--format", "table")
    assert table.code == 0
    assert "https://new.example/legal" not in table.stdout
    assert "2 source(s) of 1 of 1 vendor records" in table.stdout
    bad = cli("db", "stale", "--before", "June", "--vendor-db", str(db))
    assert bad.code == 2 and "Traceback" not in bad.stderr


def test_shipped_database_has_no_high_confidence_record_without_a_checked_source(database):
    for vendor in database.vendors.values():
        if vendor.confidence == "high":
            assert any("checked" in source for source in vendor.sources), vendor.id
