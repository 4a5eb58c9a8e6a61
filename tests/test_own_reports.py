"""depscan's own reports, written with `--output FILE` inside the scanned tree, are not read back as input.

`--output-dir` leaves a marker; a single `--output FILE` does not, and its name may be one a reader claims
(`bom.json`, `report.cdx.json`). The reports are recognised by their content: a second `depscan scan .` skips
them with a warning naming the file, and finds the same components as the first.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from depscan.ingest.base import InputFile
from depscan.ingest.own_reports import own_report

PROJECT = FIXTURES / "python" / "poetry-1.1"


def _project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    shutil.copytree(PROJECT, folder)
    return folder


def _scan(folder: Path, *args: str) -> dict:
    run = run_cli("scan", ".", "--format", "json", "--fail-on", "none", "--no-installed", *args, cwd=folder)
    assert run.code == 0 and "Traceback" not in run.stderr, run.stderr
    return run.json()


@pytest.mark.parametrize(
    ("report_format", "name", "kind"),
    [
        ("cyclonedx", "bom.json", "CycloneDX report"),
        ("cyclonedx", "report.cdx.json", "CycloneDX report"),
        ("json", "bom.json", "JSON report"),
        ("sarif", "sbom.cdx.json", "SARIF report"),  # a name a reader claims, with content of another format
        ("gitlab", "bom.json", "GitLab Code Quality report"),
    ],
)
def test_a_report_written_with_output_file_is_skipped_by_the_next_scan(tmp_path, report_format, name, kind):
    folder = _project(tmp_path)
    first = _scan(folder)
    written = run_cli(
        "scan", ".", "--format", report_format, "--output", name, "--fail-on", "none", "--no-installed", cwd=folder
    )
    assert written.code == 0 and (folder / name).is_file(), written.stderr
    run = run_cli("scan", ".", "--format", "json", "--fail-on", "none", "--no-installed", cwd=folder)
    assert run.code == 0, run.stderr
    second = run.json()
    # the same components as before the report was written: nothing read twice
    assert second["summary"]["components"] == first["summary"]["components"]
    (source,) = [s for s in second["sources"] if s["path"].endswith(name)]
    assert source["format"] is None and source["components"] == 0
    assert source["warnings"] and kind in source["warnings"][0]["message"]
    assert any(name in line and "not read as input" in line for line in run.stderr.splitlines())


def test_a_report_given_by_name_is_still_read(tmp_path):
    """Only a directory search skips them: `depscan scan report.cdx.json` reads what the user asked for."""
    folder = _project(tmp_path)
    run_cli("scan", ".", "--format", "cyclonedx", "--output", "report.cdx.json", "--fail-on", "none", cwd=folder)
    run = run_cli("scan", "report.cdx.json", "--format", "json", "--fail-on", "none", "--no-installed", cwd=folder)
    assert run.code == 0, run.stderr
    (source,) = run.json()["sources"]
    assert source["format"] == "cyclonedx-json" and source["components"] > 0


@pytest.mark.parametrize(
    "path",
    [
        FIXTURES / "pipeline" / "cyclonedx-py.cdx.json",
        FIXTURES / "pipeline" / "syft.cdx.json",
        FIXTURES / "pipeline" / "cdxgen-npm.cdx.json",
        PROJECT / "poetry.lock",
    ],
)
def test_other_tools_sboms_are_not_taken_for_depscan_reports(path):
    assert own_report(InputFile.open(path)) is None


def test_each_report_format_is_recognised(tmp_path):
    folder = _project(tmp_path)
    out = tmp_path / "reports"
    formats = ("json", "sarif", "cyclonedx", "gitlab", "junit", "html")
    args = [arg for name in formats for arg in ("--format", name)]
    run = run_cli("scan", ".", *args, "--output-dir", str(out), "--fail-on", "none", "--no-installed", cwd=folder)
    assert run.code == 0, run.stderr
    kinds = {path.name: own_report(InputFile.open(path)) for path in out.iterdir() if path.name.startswith("report")}
    assert all(kinds.values()) and len(kinds) == len(formats), kinds
