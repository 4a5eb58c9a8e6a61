"""`depscan inventory scan` and `depscan inventory diff`, through the CLI, on examples/inventory.

The example's lockfiles and SBOMs were made with uv, npm, cyclonedx-py and
syft (see examples/inventory/README.md); the expectations below were checked
by reading those files (which packages each application pulls in) and the
vendor database records they match.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import jsonschema
import openpyxl
import pytest

from conftest import ROOT

EXAMPLE = ROOT / "examples" / "inventory"
SCHEMA = json.loads((ROOT / "src" / "depscan" / "schemas" / "depscan-portfolio-1.schema.json").read_text())
APPLICATIONS = ["citizen-portal", "sales-crm", "hr-intranet", "data-platform", "public-website", "office-suite"]


def by_name(portfolio: dict) -> dict[str, dict]:
    return {application["name"]: application for application in portfolio["applications"]}


def hosted_extra_eu(application: dict) -> set[str]:
    return {c["id"] for c in application["controllers"] if c["hosted"] and not c["eu"]}


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> dict:
    """The example inventory, scanned once for the read-only assertions."""
    from conftest import run_cli

    run = run_cli("inventory", "scan", str(EXAMPLE / "inventory.toml"), "--jobs", "2")
    assert run.code == 0, run.stderr
    return {"portfolio": run.json(), "stderr": run.stderr}


def test_example_portfolio_is_valid_and_complete(example):
    portfolio = example["portfolio"]
    jsonschema.validate(portfolio, SCHEMA)
    assert portfolio["schema"] == "depscan-portfolio/1.1"
    assert [a["name"] for a in portfolio["applications"]] == APPLICATIONS
    assert all(a["status"] == "ok" for a in portfolio["applications"])
    summary = portfolio["summary"]
    assert (summary["applications"], summary["critical_applications"], summary["failed"]) == (6, 4, 0)
    assert summary["lowest_level"] == 1
    assert "history" not in portfolio and "changes" not in portfolio


def test_eu_hosting_with_us_open_source(example):
    """citizen-portal: OVHcloud and Brevo (FR) are its only hosted providers; Django and co. are US libraries."""
    portal = by_name(example["portfolio"])["citizen-portal"]
    assert portal["level"] == 3
    assert hosted_extra_eu(portal) == set()
    libraries = {c["id"] for c in portal["controllers"] if not c["eu"] and not c["hosted"]}
    assert {"django-software-foundation", "psf"} <= libraries
    hosting = [d for d in portal["declared"] if d["role"] == "hosting"]
    assert hosting == [
        {
            "role": "hosting",
            "value": "ovhcloud",
            "region": "eu-west-gra",
            "kind": "infrastructure",
            "vendor": "ovhcloud",
            "vendor_name": "OVH Groupe SA",
            "controller": "ovhcloud",
            "country": "FR",
            "eu": True,
            "level": 3,
        }
    ]


def test_us_saas_through_sdks(example):
    """sales-crm: the Stripe, Twilio and AWS SDKs of its lockfile, and its declared Salesforce and Okta."""
    crm = by_name(example["portfolio"])["sales-crm"]
    assert crm["level"] == 1
    assert {"stripe", "twilio", "amazon", "okta", "salesforce"} <= hosted_extra_eu(crm)
    assert crm["best_change"] is None  # five US providers at the floor: no single change lifts it


def test_unknown_declared_names_are_reported_not_dropped(example):
    applications = by_name(example["portfolio"])
    assert applications["citizen-portal"]["unknown_declared"] == [{"role": "identity", "value": "FranceConnect"}]
    assert applications["office-suite"]["unknown_declared"] == [{"role": "identity", "value": "Microsoft Entra ID"}]
    unknown = [d for d in applications["office-suite"]["declared"] if d["vendor"] is None]
    assert [(d["value"], d["kind"], d["level"]) for d in unknown] == [("Microsoft Entra ID", "service", None)]
    assert "'FranceConnect' is not in the vendor database" in example["stderr"]


def test_portfolio_views(example):
    portfolio = example["portfolio"]
    controllers = {c["id"]: c for c in portfolio["controllers"]}
    assert portfolio["controllers"][0]["id"] == "microsoft"  # in 5 of the 6 applications
    assert controllers["microsoft"]["applications"] == 5
    assert controllers["amazon"]["hosted_applications"] == 2  # sales-crm (SDK + hosting) and data-platform (SDKs)
    laws = {law["id"]: law for law in portfolio["laws"]}
    assert laws["us-cloud-act"]["applications"] == 6
    assert laws["us-cloud-act"]["hosted_applications"] == 4  # not the two EU-hosted apps with only US libraries
    assert [a["controller"] for a in portfolio["alternatives"]][:2] == ["microsoft", "amazon"]
    assert {v["id"] for v in portfolio["alternatives"][0]["eu_alternatives"]} >= {"ovhcloud", "scaleway"}
    assert [
        (o["application"], o["controller"], o["level_before"], o["level_after"]) for o in portfolio["opportunities"]
    ] == [
        ("office-suite", "microsoft", 1, 3),
        ("hr-intranet", "microsoft", 1, 3),
    ]


def test_csv_inventory_gives_the_same_portfolio(example):
    run_csv = _cli("inventory", "scan", str(EXAMPLE / "inventory.csv"))
    assert run_csv.code == 0, run_csv.stderr
    from_csv = by_name(run_csv.json())
    for name, application in by_name(example["portfolio"]).items():
        other = from_csv[name]
        assert (other["level"], other["score"], other["counts"]) == (
            application["level"],
            application["score"],
            application["counts"],
        ), name
        assert other["declared"] == application["declared"], name


def test_same_inventory_same_bytes(tmp_path):
    first = _cli("inventory", "scan", str(EXAMPLE / "inventory.toml"), "-j", "2")
    second = _cli("inventory", "scan", str(EXAMPLE / "inventory.toml"), "-j", "1")
    assert first.stdout == second.stdout


def test_second_run_after_a_change_shows_the_difference(tmp_path):
    """The README's walk-through: citizen-portal adds boto3 and sentry-sdk between two recorded runs."""
    audit = tmp_path / "audit"
    shutil.copytree(EXAMPLE, audit)
    history = str(audit / "audit.sqlite")
    first = _cli("inventory", "scan", "inventory.toml", "--history", history, cwd=audit)
    assert first.code == 0, first.stderr
    assert first.json()["history"]["previous"] is None and "changes" not in first.json()
    shutil.copy(audit / "changes" / "citizen-portal-v2" / "uv.lock", audit / "apps" / "citizen-portal" / "uv.lock")
    second = _cli("inventory", "scan", "inventory.toml", "--history", history, cwd=audit)
    assert second.code == 0, second.stderr
    portfolio = second.json()
    jsonschema.validate(portfolio, SCHEMA)
    changes = portfolio["changes"]
    assert changes["baseline"]["run"] == 1 and changes["current"]["run"] == 2
    assert [a["name"] for a in changes["applications"]] == ["citizen-portal"]
    portal = changes["applications"][0]
    assert portal["level"] == [3, 1] and portal["level_change"] == "worsened"
    assert {d["name"] for d in portal["new_extra_eu"]} == {"boto3", "botocore", "s3transfer", "sentry-sdk"}
    assert portal["removed_extra_eu"] == []
    assert changes["summary"]["level_worsened"] == 1 and changes["summary"]["new_extra_eu"] == 4
    assert [c["controller"] for c in changes["new_controllers"]] == ["sentry"]

    diff = _cli("inventory", "diff", "--history", history, "--format", "json")
    assert diff.code == 0, diff.stderr
    assert diff.json()["applications"] == changes["applications"]
    text = _cli("inventory", "diff", "--history", history, "--format", "table")
    assert "citizen-portal: level 3 -> 1 (worsened)" in text.stdout
    assert "  + sentry-sdk (sdk, sentry, US)" in text.stdout
    markdown = _cli("inventory", "diff", "--history", history, "--format", "markdown")
    assert "| citizen-portal | worsened | 3 → 1 |" in markdown.stdout
    html = _cli("inventory", "scan", "inventory.toml", "--format", "html", cwd=audit)  # no history: no changes
    assert 'id="changes"' not in html.stdout
    recorded = _cli("inventory", "scan", "inventory.toml", "--history", history, "--format", "html", cwd=audit)
    assert 'id="changes"' in recorded.stdout and "No application changed since that run." in recorded.stdout

    since = _cli("inventory", "diff", "--history", history, "--since", "2000-01-01", "--format", "json")
    assert since.json()["baseline"]["run"] == 1  # nothing that old: the first run is the baseline


def test_diff_without_history_or_baseline(tmp_path):
    missing = _cli("inventory", "diff", "--history", str(tmp_path / "none.sqlite"))
    assert missing.code == 2 and "no history yet" in missing.stderr
    history = str(tmp_path / "h.sqlite")
    assert _cli("inventory", "scan", str(EXAMPLE / "inventory.toml"), "--history", history).code == 0
    alone = _cli("inventory", "diff", "--history", history)
    assert alone.code == 2 and "only one run" in alone.stderr
    bad = _cli("inventory", "diff", "--history", history, "--since", "last tuesday")
    assert bad.code == 2 and "--since" in bad.stderr


def test_one_broken_application_never_stops_the_others(tmp_path):
    (tmp_path / "good").mkdir()
    shutil.copy(EXAMPLE / "apps" / "public-website" / "package-lock.json", tmp_path / "good" / "package-lock.json")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "package-lock.json").write_text('{"lockfileVersion": 3, "packages": ', encoding="utf-8")
    (tmp_path / "inventory.toml").write_text(
        """
[[application]]
name = "broken-lockfile"
criticality = "high"
paths = ["bad/package-lock.json"]
hosting = "ovhcloud"

[[application]]
name = "missing-input"
criticality = "low"
paths = ["nowhere/*.lock"]

[[application]]
name = "typo"
criticality = "urgent"
paths = ["good"]

[[application]]
name = "good"
criticality = "medium"
paths = ["good"]
servics = ["aws"]
""",
        encoding="utf-8",
    )
    run = _cli("inventory", "scan", str(tmp_path / "inventory.toml"), "-j", "2")
    assert run.code == 3
    applications = by_name(run.json())
    assert applications["good"]["status"] == "ok" and applications["good"]["counts"]["components"] > 0
    assert applications["good"]["warnings"] == ["unknown field 'servics' ignored"]
    assert applications["broken-lockfile"]["status"] == "partial"  # its declared hosting still counts
    assert applications["broken-lockfile"]["errors"][0]["path"] == "bad/package-lock.json"
    assert applications["missing-input"]["status"] == "error"
    assert applications["typo"]["status"] == "error" and applications["typo"]["errors"][0]["line"] == 13
    assert "application 'broken-lockfile': bad/package-lock.json" in run.stderr
    assert "application 'typo': " in run.stderr and "criticality 'urgent'" in run.stderr


def test_unusable_inventory_is_a_usage_error(tmp_path):
    (tmp_path / "inventory.toml").write_text("[[applications]]\nname = 'x'\n", encoding="utf-8")
    run = _cli("inventory", "scan", str(tmp_path / "inventory.toml"))
    assert run.code == 2 and "unknown top-level key" in run.stderr
    assert _cli("inventory", "scan", str(tmp_path / "absent.toml")).code == 2


HOSTILE = """
[[application]]
name = "<script>alert(1)</script>"
owner = "=HYPERLINK(\\"http://evil.example\\",\\"x\\")"
criticality = "critical"
services = ["@sum(1+1)", "stripe"]
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "inventory.toml").write_text(HOSTILE, encoding="utf-8")
    return folder / "inventory.toml"


def test_html_is_self_contained_and_escaped(hostile, tmp_path):
    run = _cli("inventory", "scan", str(hostile), "--format", "html")
    assert run.code == 0, run.stderr
    page = run.stdout
    assert re.search(r'<meta http-equiv="Content-Security-Policy" content="default-src (&#39;|\')none', page)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert page.count("<script>") == 1  # the report's own table script, allowed by hash


def test_spreadsheets_neutralise_formulas(hostile, tmp_path):
    run = _cli("inventory", "scan", str(hostile), "--format", "csv")
    rows = list(csv.reader(io.StringIO(run.stdout)))
    header, row = rows[0], rows[1]
    assert row[header.index("owner")].startswith("'=HYPERLINK")
    assert "'@sum(1+1) (unknown)" in row[header.index("services and identity")]
    output = tmp_path / "portfolio.xlsx"
    assert _cli("inventory", "scan", str(hostile), "--format", "xlsx", "--output", str(output)).code == 0
    with zipfile.ZipFile(output) as archive:
        sheets = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/"))
    assert "<f>" not in sheets  # no formula anywhere
    assert 'quotePrefix="1"' in sheets  # formula-like text is styled as text, not prefixed with an apostrophe
    workbook = openpyxl.load_workbook(output)
    owners = [c for c in workbook["Applications"]["B"] if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert owners and all(c.data_type == "s" and c.quotePrefix for c in owners)


def test_markdown_escapes_names(hostile):
    run = _cli("inventory", "scan", str(hostile), "--format", "markdown")
    assert "<script>" not in run.stdout and "&#60;script&#62;" in run.stdout


def _cli(*args: str, cwd: Path | None = None):
    from conftest import run_cli

    return run_cli(*args, cwd=cwd)
