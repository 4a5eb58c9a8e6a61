"""Exemptions through the CLI: applied, expired and stale; what counts for --fail-on; file errors."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conftest import FIXTURES, ROOT

APP = FIXTURES / "policy" / "app.cdx.json"
SCHEMA = json.loads((ROOT / "src" / "depscan" / "schemas" / "depscan-report-1.schema.json").read_text())
TODAY = {"DEPSCAN_TODAY": "2026-06-15"}


def exemptions_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exemptions.toml"
    path.write_text(text, encoding="utf-8")
    return path


def scan(cli, *extra: str, env: dict[str, str] | None = None):
    return cli("scan", str(APP), "--format", "json", *extra, env={**TODAY, **(env or {})})


FUTURE_PAST_STALE = """\
# accepted risks of the demo application
[[exemption]]
rule = "extra-eu-sdk"
purl = "pkg:npm/@aws-sdk/*"
reason = "S3 holds only public assets; migration planned"
expires = 2026-12-31
approved_by = "RSSI"

[[exemption]]
vendor = "amazon"
rule = "extra-eu-sdk"
reason = "boto3 kept until the data lake moves"
expires = "2026-06-14"
approved_by = "RSSI"

[[exemption]]
rule = "*"
purl = "pkg:pypi/left-pad"
reason = "removed last year"
expires = 2027-01-01
approved_by = "DSI"
"""


def test_future_past_and_stale_exemptions(cli, tmp_path: Path) -> None:
    run = scan(cli, "--fail-on", "none", "--exemptions", str(exemptions_file(tmp_path, FUTURE_PAST_STALE)))
    assert run.code == 0, run.stderr
    report = run.json()
    jsonschema.validate(report, SCHEMA)
    statuses = [(e["number"], e["line"], e["status"], e["matches"]) for e in report["exemptions"]]
    # 1: applies to @aws-sdk/client-s3 only; 2: expired the day before, would have matched boto3 and botocore
    # (aws, a subsidiary of amazon); 3: matches no component
    assert statuses == [(1, 2, "applied", 1), (2, 9, "expired", 3), (3, 16, "stale", 0)]
    exempted = [f for f in report["findings"] if f["exempted"]]
    assert [(f["component"], f["exemption"]) for f in exempted] == [("pkg:npm/%40aws-sdk/client-s3@3.700.0", 1)]
    assert exempted[0]["exemption_reason"] == "S3 holds only public assets; migration planned"
    boto3 = next(f for f in report["findings"] if f["component"] == "pkg:pypi/boto3@1.35.0")
    assert boto3["exempted"] is False and boto3["exemption_reason"] is None
    assert report["summary"]["exempted_findings"] == 1
    assert report["summary"]["findings"]["medium"] == 5  # 6 medium findings, one exempted
    assert "exemption #2 expired on 2026-06-14" in run.stderr
    assert "exemption #3 matches no finding (stale)" in run.stderr


def test_exempted_findings_do_not_count_for_fail_on(cli, tmp_path: Path) -> None:
    high = """\
[[exemption]]
rule = "extra-eu-service"
vendor = "stripe"
reason = "card payments; no EU acquirer with the same coverage"
expires = 2026-06-15
approved_by = "DAF"

[[exemption]]
rule = "proprietary-license"
purl = "pkg:npm/acme-*"
reason = "licensed under contract 2026-114"
expires = 2027-06-30
approved_by = "legal"
"""
    path = exemptions_file(tmp_path, high)
    assert scan(cli, "--fail-on", "high").code == 1  # without exemptions: Stripe and acme-licensed are high
    run = scan(cli, "--fail-on", "high", "--exemptions", str(path))
    assert run.code == 0, run.stdout  # the last day of an exemption still counts
    assert run.json()["summary"]["failing_findings"] == 0
    # the day after, the Stripe exemption has expired and the scan fails again
    later = scan(cli, "--fail-on", "high", "--exemptions", str(path), env={"DEPSCAN_TODAY": "2026-06-16"})
    assert later.code == 1
    assert [e["status"] for e in later.json()["exemptions"]] == ["expired", "applied"]


def test_exemption_with_only_a_vendor_covers_every_rule(cli, tmp_path: Path) -> None:
    path = exemptions_file(
        tmp_path,
        '[[exemption]]\nvendor = "psf"\nreason = "the Python foundation"\nexpires = 2030-01-01\napproved_by = "x"\n',
    )
    report = scan(cli, "--fail-on", "none", "--exemptions", str(path)).json()
    exempted = sorted((f["rule"], f["component"]) for f in report["findings"] if f["exempted"])
    assert exempted == [
        ("extra-eu-build-chain", "registry:Python Package Index (PyPI)"),
        ("extra-eu-library", "pkg:pypi/requests@2.32.3"),
    ]


def test_exemptions_from_the_environment(cli, tmp_path: Path) -> None:
    path = exemptions_file(tmp_path, FUTURE_PAST_STALE)
    report = scan(cli, "--fail-on", "none", env={"DEPSCAN_EXEMPTIONS": str(path)}).json()
    assert [e["status"] for e in report["exemptions"]] == ["applied", "expired", "stale"]


@pytest.mark.parametrize(
    "text, message",
    [
        ('[[exemption]]\nreason = "r"\nexpires = 2026-01-01\napproved_by = "a"\n', "at least one of rule, purl"),
        ('[[exemption]]\nrule = "*"\nexpires = 2026-01-01\napproved_by = "a"\n', "reason is required"),
        ('[[exemption]]\nrule = "*"\nreason = "r"\nexpires = "next year"\napproved_by = "a"\n', "expires must be"),
        ('[[exemption]]\nrule = "*"\nreason = "r"\nexpires = 2026-02-30\napproved_by = "a"\n', "invalid TOML"),
        (
            '[[exemption]]\npurl = "pkg:pypi/boto3@1.35"\nreason = "r"\nexpires = 2026-01-01\napproved_by = "a"\n',
            "@version",
        ),
        ('[[exemption]]\nrule = "*"\nreason = "r"\nexpires = 2026-01-01\napproved_by = "a"\nowner = "me"\n', "owner"),
        ('[exemption]\nrule = "*"\n', "array of tables"),
    ],
)
def test_invalid_exemptions_file_is_a_configuration_error(cli, tmp_path: Path, text: str, message: str) -> None:
    run = scan(cli, "--exemptions", str(exemptions_file(tmp_path, text)))
    assert run.code == 2
    assert message in run.stderr and "exemptions.toml" in run.stderr and "Traceback" not in run.stderr


def test_missing_exemptions_file(cli, tmp_path: Path) -> None:
    run = scan(cli, "--exemptions", str(tmp_path / "nope.toml"))
    assert run.code == 2 and "cannot read exemptions" in run.stderr


def test_bad_clock(cli, tmp_path: Path) -> None:
    path = exemptions_file(tmp_path, FUTURE_PAST_STALE)
    run = scan(cli, "--exemptions", str(path), env={"DEPSCAN_TODAY": "yesterday"})
    assert run.code == 2 and "DEPSCAN_TODAY must be a date" in run.stderr
