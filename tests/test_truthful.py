"""Issue 12, truthful reports: each statement and number means what it says. Through the CLI, on a small
vendor database of our own (tests/fixtures/truthful/db) and a project that exercises it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT

HERE = FIXTURES / "truthful"
DB = HERE / "db"
APP = HERE / "app"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="module")
def report():
    from conftest import run_cli

    run = run_cli("scan", str(APP), "--vendor-db", str(DB), "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    return run.json()


def _component(report: dict, name: str) -> dict:
    return next(c for c in report["components"] if c["name"] == name)


def test_schema_is_1_1_and_the_report_validates(report):
    import jsonschema

    schema = json.loads((ROOT / "src/depscan/schemas/depscan-report-1.schema.json").read_text())
    jsonschema.validate(report, schema)
    assert report["schema"] == "depscan-report/1.1"
    assert report["tool"]["vendor_db"]["reviewed"] == {"from": "2026-01-05", "to": "2026-02-01"}


def test_communities_and_individuals_have_no_jurisdiction(report):
    for name, kind in (("commlib", "community"), ("sololib", "individual")):
        vendor = _component(report, name)["vendor"]
        assert vendor["country"] is None and vendor["eu"] is None and vendor["laws"] == []
        assert vendor["legal_entity"] is False and vendor["controller_type"] == kind
        assert _component(report, name)["level"] is None
    summary = report["summary"]
    assert summary["by_country"] == {"CN": 1, "US": 5}  # no US for the community or the individual
    assert summary["by_publisher_type"] == {"community": 2, "individual": 1, "legal-entity": 6}
    assert summary["extra_eu"] == 6
    assert summary["by_level"]["no-jurisdiction"] == 3
    assert not [
        f
        for f in report["findings"]
        if f["component"].startswith(("pkg:pypi/commlib", "pkg:pypi/sololib")) and f["rule"].startswith("extra-eu")
    ]
    indicators = summary["indicators"]
    # concentration over legal entities only (registry-co 3, corp, holding, livekit 1 each: 50, 16.7 x3)
    assert indicators["concentration"]["controllers"] == 4 and indicators["concentration"]["over"] == 6
    assert "community" not in {t["controller"] for t in indicators["concentration"]["top"]}
    assert indicators["non_legal_entities"]["components"] == 3 and indicators["non_legal_entities"]["attributed"] == 9
    assert indicators["components"]["no_jurisdiction"] == 3 and indicators["components"]["unknown"] == 4
    assert all(j["country"] in ("US", "CN") for j in indicators["jurisdictions"])


def test_jurisdiction_of_effective_control(report):
    vendor = _component(report, "cloudco-sdk")["vendor"]
    # run from China (hq_country), seat in the Caymans shown beside it; laws of every seat and HQ in the chain
    assert vendor["country"] == "CN" and vendor["seat_country"] == "KY" and vendor["eu"] is False
    assert {"cn-national-intelligence-law", "cn-data-security-law"} <= set(vendor["laws"])
    assert vendor["chain"] == ["cloudco", "holding"]
    # evidence: the sources of every record of the chain, with checked or cited dates
    dates = {(s["url"], s.get("checked"), s.get("cited")) for s in vendor["sources"]}
    assert ("https://example.org/cloudco/terms", None, "2025-12-01") in dates
    assert ("https://example.org/holding/annual-report", "2026-01-10", None) in dates


def test_images_belong_to_their_namespace_and_registries_are_components(report):
    livekit = _component(report, "livekit/livekit-server")
    assert livekit["vendor"]["id"] == "livekit" and livekit["kind"] == "infrastructure"
    # no container_image rule for lasuite/ or keycloak/: unknown, never the registry's operator
    assert _component(report, "lasuite/meet-backend")["vendor"] is None
    assert _component(report, "quay.io/keycloak/keycloak")["vendor"] is None
    base = _component(report, "python")
    assert base["kind"] == "tooling"  # a Dockerfile FROM is the build chain
    registries = {c["name"]: c for c in report["components"] if c["kind"] == "registry"}
    assert registries["Docker Hub"]["vendor"]["id"] == "registry-co"
    assert registries["quay.io"]["vendor"]["id"] == "registry-co"  # from the container_registry rule
    rules = {f["rule"] for f in report["findings"] if f["component"] == livekit["id"]}
    assert rules == {"extra-eu-runtime-image"}
    assert not [
        f
        for f in report["findings"]
        if f["component"] == _component(report, "lasuite/meet-backend")["id"] and f["rule"] == "unknown-vendor-service"
    ]


def test_alternatives_are_of_the_same_category(report):
    cloud = _component(report, "cloudco-sdk")["vendor"]
    assert cloud["eu_alternatives"] == ["eu-cloud"]  # not the AI provider
    registry = next(c for c in report["components"] if c["name"] == "Docker Hub")
    assert registry["vendor"]["eu_alternatives"] == ["eu-registry"]
    corp = _component(report, "corplib")  # no alternative recorded: says so
    assert corp["vendor"]["eu_alternatives"] == []


def test_alternatives_none_of_the_category_is_said(cli, tmp_path):
    """The real database: GitHub's hosted runner gets no AI or collaboration vendor as an alternative."""
    workflow = tmp_path / ".github" / "workflows" / "ci.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: true\n")
    run = cli("scan", str(tmp_path), "--format", "json", "--fail-on", "none")
    report = run.json()
    runner = next(c for c in report["components"] if c["ecosystem"] == "github-runner")
    names = json.dumps([f for f in report["findings"] if f["component"] == runner["id"]])
    assert "mistral" not in names.lower() and "nextcloud" not in names.lower()
    assert "none of the same category (ci)" in names


def test_unknown_is_never_zero_in_human_formats(cli, tmp_path):
    out = tmp_path / "out"
    run = cli(
        "scan",
        str(APP),
        "--vendor-db",
        str(DB),
        "--fail-on",
        "none",
        "--format",
        "table",
        "--format",
        "markdown",
        "--format",
        "html",
        "--output-dir",
        str(out),
    )
    assert run.code == 0, run.stderr
    for name in ("report.txt", "report.md", "report.html"):
        text = (out / name).read_text(encoding="utf-8")
        at = text.index("Open-source components")
        assert "0%" not in text[at : at + 300], name  # no licence is known: no share of 0
        assert "no component has a known licence" in text, name
        assert "--enrich" in text, name  # says how to know more
        assert "6 of 13" in text, name  # extra-EU as n of m
    table = (out / "report.txt").read_text(encoding="utf-8")
    assert "none (community)" in table and "Some Community (community, no country)" not in table.replace("\n", " ")


def test_html_and_markdown_carry_sources_dates_and_versions(cli, tmp_path):
    out = tmp_path / "out"
    env = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01
    args = (
        "scan",
        str(APP),
        "--vendor-db",
        str(DB),
        "--fail-on",
        "none",
        "--format",
        "html",
        "--format",
        "markdown",
        "--format",
        "xlsx",
        "--output-dir",
        str(out),
    )
    run = cli(*args, env=env)
    assert run.code == 0, run.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/holding/annual-report"' in html and "checked 2026-01-10" in html
    assert "cited 2025-12-01" in html
    assert "Generated 2026-01-01 by depscan" in html and "reviewed 2026-01-05 to 2026-02-01" in html
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "Generated 2026-01-01" in markdown and "https://example.org/cloudco/terms" in markdown
    first = {name: (out / name).read_bytes() for name in ("report.html", "report.md", "report.xlsx")}
    assert cli(*args, env=env).code == 0
    assert first == {name: (out / name).read_bytes() for name in first}  # same bytes
    import openpyxl

    sheet = openpyxl.load_workbook(out / "report.xlsx")["Components"]
    header = [c.value for c in sheet[1]]
    sources = [row[header.index("vendor sources")].value for row in sheet.iter_rows(min_row=2)]
    assert any("https://example.org/holding/annual-report (checked 2026-01-10)" in (s or "") for s in sources)


@pytest.mark.skipif(not (SHARED / "corpus" / "visio").is_dir(), reason="shared corpus not available")
def test_visio_images_are_not_given_to_docker(cli):
    run = cli("scan", str(SHARED / "corpus" / "visio"), "--format", "json", "--fail-on", "none")
    report = run.json()
    for component in report["components"]:
        if component["name"].startswith(("lasuite/", "livekit/", "minio/", "crowdin/")):
            vendor = component["vendor"]
            assert vendor is None or vendor["controller"] != "docker", component["name"]
            if component["name"].startswith("lasuite/meet-"):
                assert component["kind"] in ("infrastructure", "tooling")
    assert any(c["kind"] == "registry" and c["name"] == "Docker Hub" for c in report["components"])


def test_debian_free_software_is_not_called_source_available(cli):
    """A syft-style SBOM of a Debian system: licences SPDX lists without an OSI or FSF flag are classified
    from ScanCode's LicenseDB (permissive), the flags kept as evidence; only BUSL is source-available."""
    run = cli("scan", str(HERE / "debian" / "syft-debian.cdx.json"), "--format", "json", "--fail-on", "none")
    report = run.json()
    licence = {c["name"]: c["license"] for c in report["components"]}
    for name in ("tex-common", "libbsd0", "fonts-dejavu-core", "libbz2-1.0", "libkaz", "beer-tool"):
        assert licence[name]["category"] == "permissive" and licence[name]["open_source"] is True, name
        assert "ScanCode LicenseDB" in licence[name]["basis"] and "not OSI-approved" in licence[name]["basis"], name
    assert licence["bash"]["category"] == "strong-copyleft" and licence["bash"]["open_source"] is True
    assert licence["busl-thing"]["category"] == "source-available" and licence["busl-thing"]["open_source"] is False
    # what no source classifies stays unknown: never source-available, never proprietary
    assert licence["strange-terms"]["category"] == "unknown" and licence["strange-terms"]["open_source"] is None
    assert licence["mystery-pkg"]["category"] == "unknown"
    assert report["summary"]["non_open_source"] == 1
    flagged = {f["component"].split("@")[0] for f in report["findings"] if f["rule"] == "source-available-license"}
    assert flagged == {"pkg:deb/debian/busl-thing"}


def test_incomplete_application_has_no_level_score_or_matrix_cell(cli, tmp_path):
    app = tmp_path / "apps" / "broken"
    app.mkdir(parents=True)
    (app / "package-lock.json").write_text("{ not json", encoding="utf-8")
    good = tmp_path / "apps" / "good"
    good.mkdir()
    (good / "requirements.txt").write_text("flask==3.0.3\n", encoding="utf-8")
    inventory = tmp_path / "inventory.toml"
    inventory.write_text(
        '[inventory]\nname = "t"\n\n'
        '[[application]]\nname = "broken"\ncriticality = "critical"\npaths = ["apps/broken/package-lock.json"]\n'
        'hosting = "ovhcloud"\n\n'
        '[[application]]\nname = "good"\ncriticality = "low"\npaths = ["apps/good/requirements.txt"]\n'
        'hosting = "ovhcloud"\n',
        encoding="utf-8",
    )
    run = cli("inventory", "scan", str(inventory), "--format", "json")
    portfolio = json.loads(run.stdout)
    broken = next(a for a in portfolio["applications"] if a["name"] == "broken")
    assert broken["status"] == "partial" and broken["level"] is None and broken["score"] is None
    assert "could not be read" in broken["level_reason"]
    assert portfolio["summary"]["by_level"].get("incomplete") == 1
    assert (
        portfolio["summary"]["lowest_level"]
        == next(a for a in portfolio["applications"] if a["name"] == "good")["level"]
    )
    out = tmp_path / "portfolio.html"
    assert cli("inventory", "scan", str(inventory), "--format", "html", "--output", str(out)).code in (0, 1, 3)
    html = out.read_text(encoding="utf-8")
    assert '<th scope="col" class="num">incomplete</th>' in html


def test_explain_shows_effective_control_and_no_jurisdiction(cli, tmp_path):
    report = tmp_path / "report.json"
    run = cli(
        "scan", str(APP), "--vendor-db", str(DB), "--format", "json", "--output", str(report), "--fail-on", "none"
    )
    assert run.code == 0, run.stderr
    cloud = cli("explain", "cloudco-sdk", "--in", str(report), "--vendor-db", str(DB))
    assert "CN (seat KY)" in cloud.stdout and "cited 2025-12-01" in cloud.stdout
    community = cli("explain", "commlib", "--in", str(report), "--vendor-db", str(DB))
    assert "no legal entity a law could compel" in community.stdout
