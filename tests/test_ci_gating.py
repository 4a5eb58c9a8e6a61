"""Pull-request gating: --baseline, depscan diff, --exit-code, --min-severity, end to end in a git repository."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli

BEFORE = "requests==2.32.3\n"
WITH_BOTO3 = "requests==2.32.3\nboto3==1.35.0\n"


def write_report(folder: Path, requirements: str, out: Path, *extra: str) -> int:
    (folder / "requirements.txt").write_text(requirements)
    run = run_cli("scan", ".", "--format", "json", "--output", str(out), "--quiet", *extra, cwd=folder)
    assert run.code in (0, 1), run.stderr
    return run.code


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A repository scanned before and after adding boto3 (an SDK of Amazon, a medium finding)."""
    app = tmp_path / "app"
    app.mkdir()
    (app / ".git").mkdir()  # the repository root fingerprints are relative to
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    write_report(app, BEFORE, old)
    write_report(app, WITH_BOTO3, new)
    return app, old, new


def test_baseline_marks_known_findings_and_fails_only_on_new_ones(pair):
    app, old, _ = pair
    run = run_cli("scan", ".", "--format", "json", "--fail-on", "medium", "--baseline", str(old), "-q", cwd=app)
    assert run.code == 1, run.stderr
    report = run.json()
    new = [f for f in report["findings"] if not f["baseline"]]
    assert {f["component"].split("@")[0] for f in new} == {"pkg:pypi/boto3"}
    assert report["summary"]["baseline_findings"] == len(report["findings"]) - len(new)
    assert report["summary"]["failing_findings"] == sum(1 for f in new if f["severity"] in ("medium", "high"))
    # the same tree against itself as baseline: nothing new, nothing fails
    (app / "report.json").write_bytes(run.stdout.encode())
    again = run_cli("scan", ".", "--format", "json", "--fail-on", "info", "--baseline", "report.json", "-q", cwd=app)
    assert again.code == 0, again.stderr
    assert all(f["baseline"] for f in again.json()["findings"])


def test_baseline_findings_are_left_out_of_sarif_gitlab_and_collapsed_in_markdown_and_html(pair, tmp_path):
    app, old, _ = pair
    out = tmp_path / "out"
    args = ["scan", ".", "--baseline", str(old), "--output-dir", str(out), "-q", "--fail-on", "none"]
    for name in ("json", "sarif", "gitlab", "junit", "markdown", "html"):
        args += ["--format", name]
    assert run_cli(*args, cwd=app).code == 0
    report = json.loads((out / "report.json").read_text())
    known = {f["fingerprint"] for f in report["findings"] if f["baseline"]}
    fresh = {f["fingerprint"] for f in report["findings"] if not f["baseline"]}
    assert known and fresh
    sarif = json.loads((out / "report.sarif").read_text())["runs"][0]["results"]
    assert {r["partialFingerprints"]["depscanFinding/v1"] for r in sarif} == fresh
    assert {i["fingerprint"] for i in json.loads((out / "report.gitlab.json").read_text())} == fresh
    markdown = (out / "report.md").read_text()
    assert f"<summary>Already in the baseline ({len(known)})</summary>" in markdown
    assert f"{len(fresh)} new finding(s)" in markdown
    html = (out / "report.html").read_text()
    assert '<details id="baseline-findings">' in html and html.count('class="finding is-baseline"') == len(known)
    junit = (out / "report.junit.xml").read_text()
    assert "already in the baseline" in junit


def test_a_baseline_of_another_rule_set_or_without_fingerprints_is_refused(pair, tmp_path):
    app, old, _ = pair
    run = run_cli("scan", ".", "--baseline", str(old), "--rules", "strict", "-q", cwd=app)
    assert run.code == 2 and "rule set 'default'" in run.stderr and "Traceback" not in run.stderr
    legacy = json.loads(old.read_text())
    del legacy["fingerprints"]
    for finding in legacy["findings"]:
        del finding["fingerprint"]
    (tmp_path / "legacy.json").write_text(json.dumps(legacy))
    run = run_cli("scan", ".", "--baseline", str(tmp_path / "legacy.json"), "-q", cwd=app)
    assert run.code == 2 and "without finding fingerprints" in run.stderr
    (tmp_path / "junk.json").write_text("{not json")
    run = run_cli("scan", ".", "--baseline", str(tmp_path / "junk.json"), "-q", cwd=app)
    assert run.code == 2 and "junk.json" in run.stderr and len(run.stderr.strip().splitlines()) == 1
    run = run_cli("diff", str(tmp_path / "legacy.json"), str(old))
    assert run.code == 2 and "without finding fingerprints" in run.stderr


def test_exit_code_replaces_the_status_of_a_failing_run_only(pair):
    app, old, _ = pair
    assert run_cli("scan", ".", "--fail-on", "medium", "--exit-code", "17", "-q", "-f", "json", cwd=app).code == 17
    run = run_cli("scan", ".", "--fail-on", "critical", "--exit-code", "17", "-q", "-f", "json", cwd=app)
    assert run.code == 0
    assert run_cli("diff", str(old), str(old), "--fail-on", "info", "--exit-code", "9").code == 0


def test_min_severity_filters_what_code_scanning_receives(pair):
    app, _, _ = pair
    every = run_cli("scan", ".", "-f", "sarif", "--fail-on", "none", "-q", cwd=app).json()["runs"][0]["results"]
    medium = run_cli("scan", ".", "-f", "sarif", "--fail-on", "none", "--min-severity", "medium", "-q", cwd=app)
    kept = medium.json()["runs"][0]["results"]
    assert {r["properties"]["severity"] for r in every} > {r["properties"]["severity"] for r in kept} == {"medium"}
    gitlab = run_cli("scan", ".", "-f", "gitlab", "--fail-on", "none", "--min-severity", "medium", "-q", cwd=app)
    assert {i["severity"] for i in gitlab.json()} == {"major"}


def test_diff_names_what_the_change_adds_and_fails_on_new_findings(pair):
    _, old, new = pair
    markdown = run_cli("diff", str(old), str(new), "--format", "markdown", "--fail-on", "medium")
    assert markdown.code == 1, markdown.stderr
    first = markdown.stdout.splitlines()[0]
    assert first.startswith("### depscan: this change adds boto3 1.35.0: SDK of Amazon.com, Inc. (US), CLOUD Act")
    assert first.endswith("; level unknown → 1")
    assert "New controllers: Amazon.com, Inc. (US)" in markdown.stdout
    data = run_cli("diff", str(old), str(new), "--format", "json", "--fail-on", "high").json()
    assert data["schema"] == "depscan-diff/1"
    assert [c["name"] for c in data["components"]["added"]] == ["boto3"]
    assert data["components"]["removed"] == [] and data["findings"]["resolved"] == []
    assert {f["rule"] for f in data["findings"]["new"]} >= {"extra-eu-sdk"}
    assert "amazon" in {c["id"] for c in data["controllers"]["new"]}
    assert data["failing_findings"] == 0  # no new finding is high
    reverse = run_cli("diff", str(new), str(old), "--format", "json", "--fail-on", "info").json()
    assert reverse["failing_findings"] == 0
    assert [c["name"] for c in reverse["components"]["removed"]] == ["boto3"]
    assert {f["rule"] for f in reverse["findings"]["resolved"]} >= {"extra-eu-sdk"}
    table = run_cli("diff", str(old), str(new))
    assert table.code == 0 and "boto3 1.35.0: SDK of Amazon.com, Inc. (US)" in table.stdout


def test_diff_refuses_reports_of_different_rule_sets(pair, tmp_path):
    app, old, _ = pair
    strict = tmp_path / "strict.json"
    write_report(app, WITH_BOTO3, strict, "--rules", "strict")
    run = run_cli("diff", str(old), str(strict))
    assert run.code == 2 and "same --rules" in run.stderr


def test_short_law_names_for_the_sentence():
    from depscan.diff import short_law

    names = {
        "us-cloud-act": "Clarifying Lawful Overseas Use of Data Act (CLOUD Act), 18 U.S.C. 2713",
        "us-fisa-702": "Foreign Intelligence Surveillance Act, section 702 (50 U.S.C. 1881a)",
        "ru-sorm": "SORM: Federal Law 126-FZ 'On Communications'",
        "us-eo-12333": "Executive Order 12333, United States Intelligence Activities",
    }
    assert short_law("us-cloud-act", names) == "CLOUD Act"
    assert short_law("us-fisa-702", names) == "Foreign Intelligence Surveillance Act, section 702"
    assert short_law("ru-sorm", names) == "SORM"
    assert short_law("us-eo-12333", names) == "Executive Order 12333"
    assert short_law("unknown-law", names) == "unknown-law"


# -- end to end, in a real git repository ------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=ci@example.invalid", "-c", "user.name=ci", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_end_to_end_baseline_of_main_fails_only_on_the_branch_that_adds_boto3(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "requirements.txt").write_text(BEFORE)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "main")
    baseline = tmp_path / "main.json"
    assert run_cli("scan", ".", "-f", "json", "-o", str(baseline), "--fail-on", "none", "-q", cwd=repo).code == 0
    git(repo, "checkout", "-q", "-b", "add-boto3")
    (repo / "requirements.txt").write_text(WITH_BOTO3)
    git(repo, "commit", "-q", "-am", "add boto3")
    branch = tmp_path / "branch.json"
    gate = ["--baseline", str(baseline), "--fail-on", "medium", "-q", "-f", "json"]
    run = run_cli("scan", ".", *gate, "-o", str(branch), cwd=repo)
    assert run.code == 1, run.stderr
    report = json.loads(branch.read_text())
    failing = [f for f in report["findings"] if not f["baseline"] and f["severity"] in ("medium", "high", "critical")]
    assert [f["rule"] for f in failing] == ["extra-eu-sdk"] and failing[0]["component"].startswith("pkg:pypi/boto3@")
    assert report["summary"]["failing_findings"] == 1
    diff = run_cli("diff", str(baseline), str(branch), "-f", "markdown", "--fail-on", "medium")
    assert diff.code == 1 and "this change adds boto3 1.35.0: SDK of Amazon.com, Inc. (US)" in diff.stdout
    (repo / "requirements.txt").write_text(BEFORE)
    git(repo, "commit", "-q", "-am", "remove boto3")
    assert run_cli("scan", ".", *gate, cwd=repo).code == 0
