"""`depscan explain`: from a report (--in) and standalone, text and JSON, evidence by evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES

APP = FIXTURES / "policy" / "app.cdx.json"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import run_cli

    folder = tmp_path_factory.mktemp("explain")
    exemptions = folder / "exemptions.toml"
    exemptions.write_text(
        '[[exemption]]\nrule = "extra-eu-sdk"\npurl = "pkg:pypi/boto*"\nreason = "data lake, until Q3"\n'
        'expires = 2099-01-01\napproved_by = "RSSI"\n',
        encoding="utf-8",
    )
    run = run_cli("scan", str(APP), "--format", "json", "--fail-on", "none", "--exemptions", str(exemptions))
    assert run.code == 0, run.stderr
    path = folder / "report.json"
    path.write_text(run.stdout, encoding="utf-8")
    return path


def test_explain_from_a_report_by_name(cli, report: Path) -> None:
    run = cli("explain", "boto3", "--in", str(report))
    assert run.code == 0, run.stderr
    text = run.stdout
    assert f"[from {report}]" in text
    assert f"found in {APP}:" in text and "a direct dependency" in text
    assert "vendor database rule: purl pkg:pypi/boto3" in text
    assert "Amazon Web Services, Inc. (aws), legal seat US, controlled by amazon" in text
    assert "us-cloud-act: Clarifying Lawful Overseas Use of Data Act" in text
    assert "SEAL-1" in text and "GDPR adequacy" in text
    assert "medium extra-eu-sdk [exempted]" in text and "exemption: data lake, until Q3" in text
    assert 'kind = "sdk": holds, value "sdk"' in text
    assert "vendor.laws = { empty = false }: holds" in text
    assert "EU alternatives recorded: OVH Groupe SA (ovhcloud)" in text


def test_explain_json_by_purl_without_version(cli, report: Path) -> None:
    run = cli("explain", "pkg:pypi/tencentcloud-sdk-python", "--in", str(report), "--format", "json")
    assert run.code == 0, run.stderr
    payload = run.json()
    (explanation,) = payload["explanations"]
    assert explanation["component"]["purl"] == "pkg:pypi/tencentcloud-sdk-python@3.0.1262"
    topics = [e["topic"] for e in explanation["evidence"]]
    assert topics[:6] == ["identity", "vendor", "control", "jurisdiction", "laws", "licence"]
    level = next(e for e in explanation["evidence"] if e["topic"] == "level")
    assert level["claim"] == "SEAL-0, no sovereignty" and "no GDPR adequacy decision for CN" in level["support"][0]
    control = next(e for e in explanation["evidence"] if e["topic"] == "control")
    assert any("tencent-cloud" in line for line in control["support"])
    (finding,) = explanation["findings"]
    assert finding["rule"] == "extra-eu-sdk" and all(c["holds"] for c in finding["conditions"])


def test_explain_standalone(cli) -> None:
    run = cli("explain", "pkg:pypi/mistralai@1.2.3", "--format", "json", "--rules", "strict")
    assert run.code == 0, run.stderr
    (explanation,) = run.json()["explanations"]
    assert explanation["component"]["kind"] == "sdk" and explanation["component"]["vendor"]["id"] == "mistral-ai"
    assert explanation["component"]["level"] == 3
    assert {f["rule"] for f in explanation["findings"]} == {"unqualified-eu-provider", "unknown-license"}
    # a bare name is looked up in the ecosystems the database knows
    text = cli("explain", "requests").stdout
    assert "pkg:pypi/requests" in text and "Python Software Foundation (psf)" in text
    unknown = cli("explain", "pkg:cargo/nobody-knows-this@0.1.0")
    assert unknown.code == 0 and "controller unknown" in unknown.stdout and "level          unknown" in unknown.stdout


def test_explain_errors(cli, report: Path, tmp_path: Path) -> None:
    missing = cli("explain", "left-pad", "--in", str(report))
    assert missing.code == 2 and "no such component" in missing.stderr
    not_a_report = tmp_path / "x.json"
    not_a_report.write_text('{"hello": 1}', encoding="utf-8")
    run = cli("explain", "boto3", "--in", str(not_a_report))
    assert run.code == 2 and "not a depscan JSON report" in run.stderr
    malformed = tmp_path / "malformed.json"
    data = json.loads(report.read_text(encoding="utf-8"))
    boto3 = next(c for c in data["components"] if c["name"] == "boto3")
    boto3["vendor"]["laws"] = 5
    malformed.write_text(json.dumps(data), encoding="utf-8")
    run = cli("explain", "boto3", "--in", str(malformed))
    assert run.code == 2 and "is malformed" in run.stderr and "Traceback" not in run.stderr


def test_explain_keeps_terminal_control_characters_inert(cli, report: Path, tmp_path: Path) -> None:
    data = json.loads(report.read_text(encoding="utf-8"))
    data["components"][0]["name"] = "evil\x1b[31mred"
    data["components"][0]["id"] = "evil"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(data), encoding="utf-8")
    run = cli("explain", "evil", "--in", str(tampered))
    assert run.code == 0, run.stderr
    assert "\x1b" not in run.stdout and "evil\\x1b[31mred" in run.stdout
