"""Every report format, produced from one scan of a real project (examples/cloud-app plus a syft SBOM of it),
checked against its schema or its consumer's documented fields; plus hostile component names.

SARIF is validated against ../shared/schemas/sarif-schema-2.1.0.json (third-party: not copied into the
repository; the test skips where it is absent) and against GitHub code scanning's documented constraints.
GitLab Code Quality, JUnit and CycloneDX are checked against what GitLab, CI test reporters and the
CycloneDX 1.6 schema (through cyclonedx-python-lib's validator) require.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import re
from collections import Counter
from pathlib import Path

import defusedxml.ElementTree as SafeET
import jsonschema
import openpyxl
import pytest

from conftest import FIXTURES, ROOT, run_cli
from depscan.model import ScanResult, severity_rank
from depscan.report import FORMATS, RenderOptions, file_name, renderer

APP = ROOT / "examples" / "cloud-app"
SYFT = FIXTURES / "pipeline" / "syft.cdx.json"
HOSTILE = FIXTURES / "report" / "hostile.cdx.json"
SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
OPTIONS = RenderOptions(tool_version="test", working_dir=str(ROOT), base_dir=str(ROOT))
#: GitHub code scanning's bands for `security-severity`
GITHUB_BANDS = {"critical": (9.0, 10.0), "high": (7.0, 8.9), "medium": (4.0, 6.9), "low": (0.1, 3.9)}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def scan(*paths: Path, fail_on: str = "medium") -> ScanResult:
    from depscan import scan as scan_module
    from depscan import vendordb

    options = scan_module.ScanOptions(paths=[os.path.relpath(p, ROOT) for p in paths], fail_on=fail_on)
    cwd = os.getcwd()
    os.chdir(ROOT)  # paths as a user in the repository would give them
    try:
        return scan_module.run(options, vendordb.load())
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def result() -> ScanResult:
    return scan(APP, SYFT)


@pytest.fixture(scope="module")
def hostile() -> ScanResult:
    return scan(HOSTILE)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    """All formats in one CLI run, as CI would: `--format` repeated with `--output-dir`."""
    out = tmp_path_factory.mktemp("reports")
    args = ["scan", str(APP), str(SYFT), "--fail-on", "medium", "--output-dir", str(out)]
    for name in FORMATS:
        args += ["--format", name]
    run = run_cli(*args, cwd=ROOT)
    assert run.code == 1, run.stderr  # the cloud SDKs are medium findings
    assert run.stdout == ""
    return out


def render_text(result: ScanResult, name: str) -> str:
    payload = renderer(name)(result, OPTIONS)
    return payload.decode("utf-8") if isinstance(payload, bytes) else payload


# -- CLI ----------------------------------------------------------------------------------------------


def test_output_dir_holds_one_file_per_format(written):
    # one report per format, and the marker that keeps a later `depscan scan .` from reading them back
    assert sorted(p.name for p in written.iterdir()) == sorted(
        [*(file_name(name) for name in FORMATS), ".depscan-output"]
    )
    assert len({file_name(name) for name in FORMATS}) == len(FORMATS)


def test_cli_format_choices_match_the_registry():
    from depscan.cli.scan import REPORT_FORMATS

    assert set(REPORT_FORMATS) == set(FORMATS)


@pytest.mark.parametrize(
    "args, message",
    [
        (("--format", "json", "--format", "sarif"), "--output-dir"),
        (("--format", "json", "--output", "x.json", "--output-dir", "out"), "not both"),
    ],
)
def test_bad_output_combinations_are_usage_errors(tmp_path, args, message):
    run = run_cli("scan", str(APP / "requirements.txt"), *args, cwd=tmp_path)
    assert run.code == 2
    assert message in run.stderr and "Traceback" not in run.stderr


def test_same_scan_same_bytes(result):
    for name in FORMATS:
        first, second = renderer(name)(result, OPTIONS), renderer(name)(result, OPTIONS)
        assert first == second, name


# -- SARIF ----------------------------------------------------------------------------------------------


def test_sarif_validates_against_the_sarif_schema(written):
    if not SARIF_SCHEMA.exists():
        pytest.skip("SARIF 2.1.0 schema not available (../shared/schemas)")
    schema = json.loads(SARIF_SCHEMA.read_text())
    document = json.loads((written / "report.sarif").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_sarif_meets_github_code_scanning_constraints(written, result):
    document = json.loads((written / "report.sarif").read_text())
    assert document["version"] == "2.1.0" and len(document["runs"]) <= 20
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(rules) <= 25_000 and len(run["results"]) <= 25_000
    assert {r["id"] for r in rules} >= {f.rule for f in result.findings}
    severities = {rule.id: rule.severity for rule in result.rules}
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert len(rule["properties"]["tags"]) <= 20 and "security" in rule["properties"]["tags"]
        severity = severities[rule["id"]]
        if severity in GITHUB_BANDS:
            low, high = GITHUB_BANDS[severity]
            assert low <= float(rule["properties"]["security-severity"]) <= high, rule["id"]
    fingerprints = [r["partialFingerprints"]["depscanFinding/v1"] for r in run["results"]]
    assert len(fingerprints) == len(set(fingerprints))
    for entry in run["results"]:
        assert rules[entry["ruleIndex"]]["id"] == entry["ruleId"]
        assert entry["message"]["text"]
        assert len(entry["locations"]) == 1
        location = entry["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert not uri.startswith(("/", "file:", "..")) and "\\" not in uri, uri
        assert (ROOT / uri).is_file(), uri
        assert location["region"]["startLine"] >= 1


def test_sarif_results_point_at_the_line_declaring_the_component(written):
    run = json.loads((written / "report.sarif").read_text())["runs"][0]
    checked = 0
    for entry in run["results"]:
        name = entry["properties"]["component"]
        location = entry["locations"][0]["physicalLocation"]
        if name.startswith("pkg:pypi/boto3@") and location["artifactLocation"]["uri"].endswith("requirements.txt"):
            line = (
                (ROOT / location["artifactLocation"]["uri"])
                .read_text()
                .splitlines()[location["region"]["startLine"] - 1]
            )
            assert line.startswith("boto3=="), line
            checked += 1
        if name.startswith("pkg:npm/%40aws-sdk/client-s3@"):
            uri = location["artifactLocation"]["uri"]
            line = (ROOT / uri).read_text().splitlines()[location["region"]["startLine"] - 1]
            assert '"node_modules/@aws-sdk/client-s3"' in line, line
            checked += 1
    assert checked >= 2


def test_sarif_paths_are_relative_to_the_repository_root_from_a_subdirectory(tmp_path):
    target = tmp_path / "r.sarif"
    run = run_cli(
        "scan",
        "cloud-app/requirements.txt",
        "-f",
        "sarif",
        "-o",
        str(target),
        "--fail-on",
        "none",
        cwd=ROOT / "examples",
    )
    assert run.code == 0, run.stderr
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(target.read_text())["runs"][0]["results"]
    }
    if (ROOT / ".git").exists():
        assert uris == {"examples/cloud-app/requirements.txt"}


def test_sarif_fingerprints_survive_an_upgrade_and_leave_out_exempted_findings(result):
    from depscan.report import sarif

    document = sarif.sarif_dict(result, OPTIONS)
    exempted = dataclasses.replace(result.findings[0], exempted=True, exemption_reason="accepted")
    changed = dataclasses.replace(result, findings=[exempted, *result.findings[1:]])
    results = sarif.sarif_dict(changed, OPTIONS)["runs"][0]["results"]
    assert len(results) == len(document["runs"][0]["results"]) - 1
    assert all(r["properties"]["component"] != exempted.component or r["ruleId"] != exempted.rule for r in results)
    boto3 = next(c for c in result.components if c.purl and c.purl.startswith("pkg:pypi/boto3@"))
    upgraded = dataclasses.replace(boto3, version="9.9.9", purl="pkg:pypi/boto3@9.9.9")
    findings = [dataclasses.replace(f, component=upgraded.id) for f in result.findings if f.component == boto3.id]
    before = sarif.sarif_dict(
        dataclasses.replace(
            result, components=[boto3], findings=[f for f in result.findings if f.component == boto3.id]
        ),
        OPTIONS,
    )
    after = sarif.sarif_dict(dataclasses.replace(result, components=[upgraded], findings=findings), OPTIONS)
    assert [r["partialFingerprints"] for r in before["runs"][0]["results"]] == [
        r["partialFingerprints"] for r in after["runs"][0]["results"]
    ]


def test_sarif_keeps_within_the_result_limit(result, monkeypatch):
    from depscan.report import sarif

    monkeypatch.setattr(sarif, "MAX_RESULTS", 5)
    run = sarif.sarif_dict(result, OPTIONS)["runs"][0]
    assert len(run["results"]) == 5
    assert all(r["level"] == "warning" for r in run["results"])  # the most severe are kept
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("left out" in n["message"]["text"] for n in notes)


# -- GitLab Code Quality ------------------------------------------------------------------------------


def test_gitlab_code_quality_has_the_fields_gitlab_reads(written, result):
    issues = json.loads((written / "report.gitlab.json").read_text())
    assert len(issues) == sum(1 for f in result.findings if not f.exempted)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    for issue in issues:
        assert issue["description"] and issue["check_name"]
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        path = issue["location"]["path"]
        assert not os.path.isabs(path) and (ROOT / path).is_file(), path
        assert isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["lines"]["begin"] >= 1
    assert Counter(i["severity"] for i in issues)["major"] == sum(1 for f in result.findings if f.severity == "medium")


# -- JUnit ------------------------------------------------------------------------------------------------


def test_junit_one_case_per_input_and_rule_with_the_failing_components_inside(written, result):
    root = SafeET.fromstring((written / "report.junit.xml").read_bytes(), forbid_dtd=True)
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    rules = {f.rule for f in result.findings} | {r.id for r in result.rules}
    inputs = [s.path for s in result.sources]
    assert len(cases) == len(inputs) + len(rules) * len(inputs)  # not one per component (309 components here)
    names = [(case.get("classname"), case.get("name")) for case in cases]
    assert len(names) == len(set(names))
    failing_pairs = set()
    for finding in result.findings:
        if not finding.exempted and severity_rank(finding.severity) >= severity_rank("medium"):
            component = next(c for c in result.components if c.id == finding.component)
            failing_pairs |= {(finding.rule, s.path) for s in component.sources}
    failures = root.findall("./testsuite/testcase/failure")
    assert len(failures) == len(failing_pairs) == int(root.get("failures"))
    assert int(root.get("tests")) == len(cases)
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
    sdk = root.find("./testsuite[@name='extra-eu-sdk']/testcase[@file='examples/cloud-app/requirements.txt']")
    failure = sdk.find("failure")
    assert failure is not None and "boto3" in failure.text and "(line " in failure.text


def test_junit_a_case_whose_findings_are_all_exempted_is_skipped_with_the_reason(result):
    rule = result.findings[0].rule
    changed_findings = [
        dataclasses.replace(f, exempted=True, exemption_reason="approved by the RSSI") if f.rule == rule else f
        for f in result.findings
    ]
    changed = dataclasses.replace(result, findings=changed_findings)
    root = SafeET.fromstring(renderer("junit")(changed, OPTIONS), forbid_dtd=True)
    skipped = root.findall(f"./testsuite[@name='{rule}']/testcase/skipped")
    assert skipped and all("exempted (approved by the RSSI)" in s.get("message") for s in skipped)
    assert not root.findall(f"./testsuite[@name='{rule}']/testcase/failure")


def test_junit_min_severity_leaves_out_the_less_severe_findings(result):
    root = SafeET.fromstring(
        renderer("junit")(result, dataclasses.replace(OPTIONS, min_severity="high")), forbid_dtd=True
    )
    assert not root.findall("./testsuite/testcase/failure")  # the example's findings are medium and below
    assert not root.findall("./testsuite/testcase/system-out")


# -- Markdown -------------------------------------------------------------------------------------------


def test_markdown_summary_fits_a_pull_request_comment(written, result):
    text = (written / "report.md").read_text()
    assert text.startswith(f"## depscan: sovereignty level {result.summary['level']}")
    assert "at or above `medium`**: the check fails" in text and "<details>" in text
    assert "Amazon.com, Inc. (US)" in text
    assert len(text) < 65_536


def test_markdown_stays_short_with_thousands_of_findings(result):
    many = dataclasses.replace(result, findings=result.findings * 200)
    assert len(render_text(many, "markdown")) < 65_536


# -- CSV and XLSX ---------------------------------------------------------------------------------------


def test_csv_one_row_per_component(written, result):
    rows = list(csv.reader(io.StringIO((written / "report.csv").read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["component", "version", "purl"]
    assert len(body) == len(result.components)
    boto3 = next(r for r in body if r[0] == "boto3" and r[1])
    record = dict(zip(header, boto3, strict=True))
    assert record["country"] == "US" and record["eu"] == "no" and "us-cloud-act" in record["laws"]
    assert "extra-eu-sdk (medium)" in record["findings"]


def test_xlsx_sheets_and_rows(written, result):
    workbook = openpyxl.load_workbook(written / "report.xlsx")
    assert workbook.sheetnames[:3] == ["Summary", "Components", "Findings"]
    assert workbook["Components"].max_row == len(result.components) + 1
    assert workbook["Findings"].max_row == len(result.findings) + 1


def test_spreadsheet_cells_cannot_start_a_formula(hostile):
    rows = list(csv.reader(io.StringIO(render_text(hostile, "csv"))))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://attacker.invalid","open")' in cells
    assert "'+SUM(1,2)" in cells and "'-1+2" in cells and "\\x09cmd" in cells  # a tab is escaped as text
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    workbook = openpyxl.load_workbook(io.BytesIO(renderer("xlsx")(hostile, OPTIONS)))
    seen = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    # kept as the text it is, typed as a string with the quote-prefix style (no literal apostrophe)
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                    seen += cell.value.startswith("=HYPERLINK")
    assert seen >= 2  # components and findings sheets


# -- CycloneDX --------------------------------------------------------------------------------------------


def test_cyclonedx_is_valid_1_6_and_enriched(written, result):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    text = (written / "report.cdx.json").read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    document = json.loads(text)
    assert document["specVersion"] == "1.6" and "timestamp" not in document["metadata"]
    entries = document.get("components", []) + document.get("services", [])
    assert len(entries) == len(result.components)
    boto3 = next(c for c in document["components"] if c.get("purl", "").startswith("pkg:pypi/boto3@"))
    assert boto3["supplier"]["address"]["country"] == "US"
    properties = {p["name"]: p["value"] for p in boto3["properties"]}
    assert properties["depscan:controller"] == "amazon" and properties["depscan:eu"] == "false"
    assert "us-cloud-act" in properties["depscan:laws"] and properties["depscan:level"].isdigit()
    assert properties["depscan:license-category"]
    scoped = next(c for c in document["components"] if c.get("purl", "").startswith("pkg:npm/%40aws-sdk/client-s3@"))
    assert scoped["group"] == "@aws-sdk" and scoped["name"] == "client-s3"


# -- table ------------------------------------------------------------------------------------------------


def test_table_groups_by_controller_worst_first(result):
    text = render_text(result, "table")
    body = text[text.index("by controller, worst first") :]
    controllers = re.findall(r"^│ (\S[^│]*?) \((US|FR)\)", body, flags=re.MULTILINE)
    names = [name.strip() for name, _ in controllers]
    assert names[:3] == ["Alphabet Inc.", "Amazon.com, Inc.", "Microsoft Corporation"]  # medium findings, largest first
    assert "... and" in body


# -- hostile names ----------------------------------------------------------------------------------------


def test_hostile_names_are_inert_in_markdown_and_junit(hostile):
    markdown = render_text(hostile, "markdown")
    assert "<img" not in markdown and "<script" not in markdown and "@everyone" not in markdown
    assert "&#60;img src=x onerror=alert(1)&#62;" in markdown
    root = SafeET.fromstring(renderer("junit")(hostile, OPTIONS), forbid_dtd=True)
    text = "".join(element.text or "" for element in root.iter())
    assert "<img src=x onerror=alert(1)> 1.0.0" in text  # parsed back as text: the XML escaped it


# -- exemptions -------------------------------------------------------------------------------------------


def test_exemptions_are_shown_in_review_formats_and_left_out_of_code_scanning(tmp_path):
    exemptions = FIXTURES / "report" / "exemptions.toml"
    args = ["scan", str(APP), "--exemptions", str(exemptions), "--fail-on", "medium", "--output-dir", str(tmp_path)]
    for name in ("json", "sarif", "gitlab", "junit", "markdown", "html"):
        args += ["--format", name]
    run = run_cli(*args, cwd=ROOT)
    assert run.code == 1, run.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    exempted = {(f["rule"], f["component"]) for f in report["findings"] if f["exempted"]}
    assert exempted and all(component.startswith("pkg:npm/%40aws-sdk/") for _, component in exempted)
    sarif_results = json.loads((tmp_path / "report.sarif").read_text())["runs"][0]["results"]
    reported = {(r["ruleId"], r["properties"]["component"]) for r in sarif_results}
    assert not reported & exempted
    assert any(c.startswith("pkg:npm/%40azure/") for rule, c in reported if rule == "extra-eu-sdk")  # expired
    assert len(json.loads((tmp_path / "report.gitlab.json").read_text())) == len(report["findings"]) - len(exempted)
    root = SafeET.fromstring((tmp_path / "report.junit.xml").read_bytes(), forbid_dtd=True)
    junit_text = "".join((e.text or "") + (e.get("message") or "") for e in root.iter())
    assert f"{len(exempted)} exempted" in junit_text
    markdown = (tmp_path / "report.md").read_text()
    assert f"{len(exempted)} finding(s) accepted by an exemption" in markdown
    html = (tmp_path / "report.html").read_text()
    for status in ("applied", "expired", "stale"):
        assert f'class="status status-{status}"' in html
    assert "S3 holds only public assets" in html and "RSSI, J. Martin" in html


# -- graceful degradation -------------------------------------------------------------------------------


def test_every_format_renders_without_score_indicators_or_rule_texts(result):
    bare = {k: v for k, v in result.summary.items() if k not in ("score", "score_parts", "indicators", "level_name")}
    stripped = dataclasses.replace(result, summary=bare, rules=[], exemptions=[])
    for name in FORMATS:
        assert renderer(name)(stripped, OPTIONS), name
    html = render_text(stripped, "html")
    assert 'id="indicators"' not in html and "No score was computed" in html
    rules = json.loads(render_text(stripped, "sarif"))["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == {f.rule for f in result.findings}  # from the findings alone


def test_every_format_renders_an_empty_scan():
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    empty = scan(FIXTURES / "report" / "empty.cdx.json")
    assert empty.components == []
    for name in FORMATS:
        assert renderer(name)(empty, OPTIONS) is not None, name
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(render_text(empty, "cyclonedx")) is None
    assert json.loads(render_text(empty, "sarif"))["runs"][0]["results"] == []
    assert json.loads(render_text(empty, "gitlab")) == []
    if SARIF_SCHEMA.exists():
        schema = json.loads(SARIF_SCHEMA.read_text())
        jsonschema.validators.validator_for(schema)(schema).validate(json.loads(render_text(empty, "sarif")))
