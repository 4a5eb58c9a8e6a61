"""End to end: the same application read from a lockfile and from SBOMs made by real tools.

Fixtures in tests/fixtures/pipeline were generated from examples/cloud-app with
cyclonedx-py 7.5 (requirements), syft 1.18 (CycloneDX JSON/XML, SPDX JSON and
tag-value of the whole directory) and cdxgen 11 (`-t js` and `-t python`).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conftest import FIXTURES, ROOT

APP = ROOT / "examples" / "cloud-app"
PIPELINE = FIXTURES / "pipeline"
SCHEMA = json.loads((ROOT / "src" / "depscan" / "schemas" / "depscan-report-1.schema.json").read_text())


def scan_json(cli, *paths: Path | str, extra: tuple[str, ...] = ()) -> dict:
    run = cli("scan", *map(str, paths), "--format", "json", "--fail-on", "none", *extra)
    assert run.code == 0, run.stderr
    return run.json()


def packages(report: dict, ecosystem: str | None = None) -> set[tuple[str, str, str]]:
    """(ecosystem, purl without version, version) of every package component."""
    found = set()
    for component in report["components"]:
        if component["purl"] and (ecosystem is None or component["ecosystem"] == ecosystem):
            base = component["purl"].split("@")[0].split("?")[0].lower()
            found.add((component["ecosystem"], base, component["version"]))
    return found


@pytest.fixture(scope="module")
def reports(request):
    from conftest import run_cli

    result = {}
    for name, path in {
        "requirements": APP / "requirements.txt",
        "package-lock": APP / "package-lock.json",
        "cyclonedx-py": PIPELINE / "cyclonedx-py.cdx.json",
        "syft-cdx-json": PIPELINE / "syft.cdx.json",
        "syft-cdx-xml": PIPELINE / "syft.cdx.xml",
        "syft-spdx-json": PIPELINE / "syft.spdx.json",
        "syft-spdx-tv": PIPELINE / "syft.spdx",
        "cdxgen-python": PIPELINE / "cdxgen-python.cdx.json",
        "cdxgen-npm": PIPELINE / "cdxgen-npm.cdx.json",
    }.items():
        result[name] = scan_json(run_cli, path)
    return result


def test_lockfiles_and_sboms_agree_on_components(reports):
    python = packages(reports["requirements"])
    node = packages(reports["package-lock"])
    assert len(python) == 51 and len(node) == 256
    assert packages(reports["cyclonedx-py"]) == python
    assert packages(reports["cdxgen-python"]) == python
    assert packages(reports["cdxgen-npm"]) == node
    # syft leaves out dev dependencies and lists the project itself: the rest must be identical
    dev = {p for p in node if p[1] == "pkg:npm/typescript"}
    project = {("npm", "pkg:npm/cloud-app-frontend", "1.0.0")}
    assert next(c for c in reports["package-lock"]["components"] if c["name"] == "typescript")["scope"] == "dev"
    for name in ("syft-cdx-json", "syft-cdx-xml", "syft-spdx-json", "syft-spdx-tv"):
        assert packages(reports[name], "pypi") == python, name
        assert packages(reports[name], "npm") == (node - dev) | project, name


@pytest.mark.parametrize(
    "name, vendor, country",
    [
        ("boto3", "aws", "US"),
        ("botocore", "aws", "US"),
        ("google-cloud-storage", "google", "US"),
        ("mistralai", "mistral-ai", "FR"),
        ("ovh", "ovhcloud", "FR"),
        ("@aws-sdk/client-s3", "aws", "US"),
        ("@azure/storage-blob", "microsoft", "US"),
        ("firebase", "google", "US"),
        ("@firebase/auth", "google", "US"),
        ("@scaleway/sdk", "scaleway", "FR"),
    ],
)
def test_cloud_sdks_are_attributed_to_their_controllers(reports, name, vendor, country):
    for report in reports.values():
        matches = [c for c in report["components"] if c["name"] == name]
        if not matches:
            continue
        component = matches[0]
        assert component["vendor"] is not None, name
        assert component["vendor"]["id"] == vendor
        assert component["vendor"]["country"] == country
        assert component["vendor"]["eu"] is (country == "FR")
        assert component["vendor"]["evidence"]


def test_sdks_of_us_clouds_are_kind_sdk_and_reached_by_us_law(reports):
    report = reports["syft-cdx-json"]
    boto3 = next(c for c in report["components"] if c["name"] == "boto3")
    assert boto3["kind"] == "sdk"
    assert "us-cloud-act" in boto3["vendor"]["laws"]
    assert boto3["level"] is not None and boto3["level"] <= 1
    assert any(f["rule"] == "extra-eu-sdk" and f["component"] == boto3["id"] for f in report["findings"])


def test_report_validates_against_published_schema(reports):
    for name, report in reports.items():
        jsonschema.validate(report, SCHEMA), name


def test_every_component_keeps_its_source_file_and_line(reports):
    report = reports["requirements"]
    boto3 = next(c for c in report["components"] if c["name"] == "boto3")
    assert boto3["sources"][0]["path"].endswith("requirements.txt")
    lines = (APP / "requirements.txt").read_text().splitlines()
    assert lines[boto3["sources"][0]["line"] - 1].startswith("boto3==")
    lock = reports["package-lock"]
    s3 = next(c for c in lock["components"] if c["name"] == "@aws-sdk/client-s3")
    lock_lines = (APP / "package-lock.json").read_text().splitlines()
    assert '"node_modules/@aws-sdk/client-s3"' in lock_lines[s3["sources"][0]["line"] - 1]


def test_direct_and_transitive_from_lockfiles(reports):
    lock = {c["name"]: c for c in reports["package-lock"]["components"]}
    assert lock["firebase"]["direct"] is True
    assert lock["@firebase/auth"]["direct"] is False
    assert lock["@firebase/auth"]["introduced_by"] == [lock["firebase"]["id"]]
    requirements = {c["name"]: c for c in reports["requirements"]["components"]}
    assert requirements["boto3"]["direct"] is True  # '# via -r requirements.in'
    assert requirements["botocore"]["direct"] is False


def test_output_is_deterministic(cli):
    first = cli("scan", str(PIPELINE / "syft.cdx.json"), "--format", "json", "--fail-on", "none")
    second = cli("scan", str(PIPELINE / "syft.cdx.json"), "--format", "json", "--fail-on", "none")
    assert first.stdout == second.stdout and first.stdout


def test_fail_on_sets_the_exit_code(cli):
    path = str(APP / "requirements.txt")
    assert cli("scan", path, "--format", "json", "--fail-on", "medium").code == 1  # extra-EU SDKs are medium
    assert cli("scan", path, "--format", "json", "--fail-on", "critical").code == 0
    assert cli("scan", path, "--format", "json", "--fail-on", "none").code == 0


def test_several_inputs_merge_each_component_once_with_every_place(cli):
    report = scan_json(cli, APP / "requirements.txt", PIPELINE / "cyclonedx-py.cdx.json")
    boto3 = [c for c in report["components"] if c["name"] == "boto3"]
    assert len(boto3) == 1
    assert {Path(s["path"]).name for s in boto3[0]["sources"]} == {"requirements.txt", "cyclonedx-py.cdx.json"}


def test_table_output_names_controllers_and_honours_no_color(cli):
    run = cli("scan", str(APP / "requirements.txt"), "--format", "table", "--fail-on", "none")
    assert run.code == 0
    assert "Amazon.com" in run.stdout and "boto3" in run.stdout
    assert "\x1b[" not in run.stdout  # NO_COLOR is set by run_cli
    forced = {"NO_COLOR": "", "FORCE_COLOR": "1"}
    colored = cli("scan", str(APP / "requirements.txt"), "--format", "table", "--fail-on", "none", env=forced)
    assert "\x1b[" in colored.stdout


def test_output_file(cli, tmp_path):
    target = tmp_path / "report.json"
    run = cli("scan", str(APP / "requirements.txt"), "--format", "json", "--fail-on", "none", "--output", str(target))
    assert run.code == 0 and run.stdout == ""
    assert json.loads(target.read_text())["schema"] == "depscan-report/1.1"


def test_registries_packages_are_fetched_from_are_reported(reports):
    lock = reports["package-lock"]
    registries = [c for c in lock["components"] if c["kind"] == "registry"]
    assert [r["name"] for r in registries] == ["npm public registry"]
    assert registries[0]["vendor"]["id"] == "github" and registries[0]["vendor"]["controller"] == "microsoft"
    assert "256 package" in registries[0]["vendor"]["evidence"]
    python = [c for c in reports["requirements"]["components"] if c["kind"] == "registry"]
    assert python[0]["vendor"]["id"] == "psf"


def test_xml_sboms_give_line_numbers_too(reports):
    report = reports["syft-cdx-xml"]
    boto3 = next(c for c in report["components"] if c["name"] == "boto3")
    line = boto3["sources"][0]["line"]
    assert line is not None
    text = (PIPELINE / "syft.cdx.xml").read_text().splitlines()
    assert "bom-ref" in text[line - 1] and "boto3" in text[line - 1]


def test_a_declaration_without_version_folds_into_the_locked_package(cli, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1"\ndependencies = ["boto3>=1.30"]\n')
    (tmp_path / "requirements.txt").write_text("boto3==1.34.0\nbotocore==1.34.0\n    # via boto3\n")
    report = scan_json(cli, tmp_path)
    boto3 = [c for c in report["components"] if c["name"].lower() == "boto3"]
    assert len(boto3) == 1 and boto3[0]["version"] == "1.34.0"
    assert {Path(s["path"]).name for s in boto3[0]["sources"]} == {"pyproject.toml", "requirements.txt"}
    assert boto3[0]["direct"] is True


def test_directory_discovery_matches_file_names_case_insensitively(cli, tmp_path):
    (tmp_path / "Pipfile.lock").write_text(
        '{"_meta": {"pipfile-spec": 6, "sources": []}, "default": {"boto3": {"version": "==1.34.0"}}, "develop": {}}'
    )
    report = scan_json(cli, tmp_path)
    assert [c["name"] for c in report["components"] if c["purl"]] == ["boto3"]
