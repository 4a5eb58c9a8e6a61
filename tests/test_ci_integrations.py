"""The packaged CI integrations: the GitHub Action run as GitHub runs it, and the pre-commit hook with pre-commit.

The action's `run` steps are executed by bash with the environment GitHub gives them: each
`${{ inputs.* }}` of the step's `env` replaced by the input (or its default), plus the GITHUB_*
variables; the pull-request comment goes to a local HTTP server standing in for the REST API.
action.yml is validated against SchemaStore's github-action.json (Apache-2.0, from
https://github.com/SchemaStore/schemastore/blob/master/src/schemas/json/github-action.json),
which is third-party data and therefore not copied here: the test reads it from
../shared/schemas/github-action.json or $DEPSCAN_GITHUB_ACTION_SCHEMA and skips without it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from conftest import ROOT

ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
SCHEMA = Path(os.environ.get("DEPSCAN_GITHUB_ACTION_SCHEMA", ROOT.parent / "shared" / "schemas" / "github-action.json"))
MARKER = "<!-- depscan-sovereignty-comment -->"
COMMENTS = "/repos/acme/shop/issues/7/comments"


def action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text())


def step_environment(step: dict[str, Any], given: dict[str, str]) -> dict[str, str]:
    """The step's `env` with the expressions GitHub would evaluate: inputs (given or default) and github.token."""
    defaults = {name: str(spec.get("default", "")) for name, spec in action()["inputs"].items()}

    def evaluate(value: str) -> str:
        def one(match: re.Match[str]) -> str:
            expression = match.group(1).strip()
            if expression.startswith("inputs."):
                name = expression[len("inputs.") :]
                value = given.get(name, defaults[name])
                return "test-token" if value == "${{ github.token }}" else value
            raise AssertionError(f"unexpected expression in a step env: {expression}")

        return re.sub(r"\$\{\{(.*?)\}\}", one, value)

    return {name: evaluate(str(value)) for name, value in (step.get("env") or {}).items()}


def run_action(workspace: Path, given: dict[str, str], github: dict[str, str]) -> tuple[int, str, dict[str, str], str]:
    """Run the action's scan step with bash; returns (status, stdout, outputs, step summary)."""
    step = next(s for s in action()["runs"]["steps"] if s.get("id") == "scan")
    outputs, summary = workspace / "github_output", workspace / "step_summary"
    outputs.write_text("")
    summary.write_text("")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT / "src"),
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_REPOSITORY": "acme/shop",
        **github,
        **step_environment(step, given),
    }
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=workspace, env=env, capture_output=True, text=True, timeout=300
    )
    assert "Traceback" not in done.stderr, done.stderr
    pairs = dict(line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line)
    return done.returncode, done.stdout, pairs, summary.read_text()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("requests==2.32.3\nboto3==1.35.0\n")
    return tmp_path


@pytest.fixture
def pull_request(tmp_path: Path, httpserver) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "number": 7, "pull_request": {"number": 7}}))
    return {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_API_URL": httpserver.url_for("/").rstrip("/"),
    }


# -- action.yml -----------------------------------------------------------------------------------------


def test_action_metadata_validates_against_the_published_schema():
    if not SCHEMA.is_file():
        pytest.skip("SchemaStore github-action.json not available (../shared/schemas or DEPSCAN_GITHUB_ACTION_SCHEMA)")
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(action(), schema)
    broken = action()
    broken["runs"]["using"] = "compose"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_action_is_composite_with_the_documented_inputs_and_uploads_sarif():
    meta = action()
    assert meta["runs"]["using"] == "composite"
    assert {"paths", "fail-on", "rules", "exemptions", "baseline", "formats", "min-severity", "comment"} <= set(
        meta["inputs"]
    )
    steps = meta["runs"]["steps"]
    install = steps[0]["run"]
    script = ROOT / "ci" / "github" / "install.sh"
    assert "ci/github/install.sh" in install and os.access(script, os.X_OK)
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif }}"
    assert "always()" in upload["if"]
    scan = next(s for s in steps if s.get("id") == "scan")
    for name in meta["inputs"]:
        if name != "upload-sarif":
            assert "${{ inputs." + name + " }}" in scan["env"].values(), name


def test_action_on_a_pull_request_writes_the_summary_and_posts_one_comment(workspace, pull_request, httpserver):
    httpserver.expect_ordered_request(COMMENTS, method="GET").respond_with_json([{"id": 1, "body": "LGTM"}])
    httpserver.expect_ordered_request(COMMENTS, method="POST").respond_with_json({"id": 42}, status=201)
    status, _, outputs, summary = run_action(workspace, {"fail-on": "medium"}, pull_request)
    assert status == 1  # boto3 is a medium finding
    assert outputs["exit-code"] == "1"
    assert (workspace / outputs["sarif"]).is_file() and (workspace / outputs["json"]).is_file()
    assert summary.startswith("## depscan: sovereignty level") and "boto3" in summary
    posted = [request for request, _ in httpserver.log if request.method == "POST"]
    assert len(posted) == 1
    assert posted[0].headers["Authorization"] == "Bearer test-token"
    body = posted[0].get_json()["body"]
    assert body.startswith(MARKER) and "boto3" in body


def test_action_updates_its_comment_and_comments_the_diff_against_the_baseline(workspace, pull_request, httpserver):
    (workspace / "requirements.txt").write_text("requests==2.32.3\n")
    code = subprocess.run(
        [sys.executable, "-m", "depscan", "scan", ".", "-f", "json", "-o", "main.json", "-q"],
        cwd=workspace,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    ).returncode
    assert code == 0
    (workspace / "requirements.txt").write_text("requests==2.32.3\nboto3==1.35.0\n")
    previous = [{"id": 5, "body": "hello"}, {"id": 9, "body": f"{MARKER}\nold report"}]
    httpserver.expect_ordered_request(COMMENTS, method="GET").respond_with_json(previous)
    httpserver.expect_ordered_request("/repos/acme/shop/issues/comments/9", method="PATCH").respond_with_json({"id": 9})
    status, _, outputs, summary = run_action(
        workspace, {"baseline": "main.json", "fail-on": "medium", "formats": "sarif"}, pull_request
    )
    assert status == 1 and outputs["diff"]
    assert summary.startswith("### depscan: this change adds boto3 1.35.0: SDK of Amazon.com, Inc. (US)")
    patched = [request for request, _ in httpserver.log if request.method == "PATCH"]
    assert len(patched) == 1 and not [r for r, _ in httpserver.log if r.method == "POST"]
    body = patched[0].get_json()["body"]
    assert body.startswith(MARKER + "\n### depscan: this change adds boto3")


def test_action_without_a_pull_request_or_with_a_read_only_token_still_reports(workspace, pull_request, httpserver):
    status, _, _, summary = run_action(workspace, {"fail-on": "high"}, {"GITHUB_EVENT_NAME": "push"})
    assert status == 0 and summary and not httpserver.log  # a push: no comment
    httpserver.expect_request(COMMENTS, method="GET").respond_with_json({"message": "forbidden"}, status=403)
    status, stdout, _, _ = run_action(workspace, {"fail-on": "high", "baseline": "missing.json"}, pull_request)
    assert status == 0
    assert "::warning::baseline missing.json not found" in stdout
    assert "::warning::could not comment on the pull request: HTTP 403" in stdout


# -- pre-commit -----------------------------------------------------------------------------------------


def test_pre_commit_hook_definition_matches_lockfiles_and_sboms_only():
    hooks = yaml.safe_load(HOOKS.read_text())
    hook = next(h for h in hooks if h["id"] == "depscan")
    pattern = re.compile(hook["files"])
    for name in ("requirements.txt", "app/poetry.lock", "package-lock.json", "go.sum", "sbom/app.cdx.json", "bom.xml"):
        assert pattern.search(name), name
    for name in ("README.md", "src/app.py", "docs/requirements.md"):
        assert not pattern.search(name), name
    assert hook["entry"].startswith("depscan scan") and hook["language"] == "python"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_try_repo_runs_the_hook_on_changed_lockfiles(tmp_path):
    pre_commit = Path(sys.executable).parent / "pre-commit"
    if not pre_commit.exists():
        pytest.skip("pre-commit is not installed (pip install -e '.[test]')")
    if not (ROOT / ".git").exists():
        pytest.skip("pre-commit try-repo needs this checkout to be a git repository (a source archive is not)")
    repo = tmp_path / "project"
    repo.mkdir()
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / "requirements.txt").write_text("boto3==1.35.0\n")
    (repo / "README.md").write_text("not a lockfile\n")
    terraform = ROOT / "tests" / "fixtures" / "infra" / "terraform" / ".terraform.lock.hcl"
    subprocess.run(["git", "add", "."], cwd=repo, check=True)

    def try_repo() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(pre_commit), "try-repo", str(ROOT), "depscan", "--verbose"],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    passed = try_repo()  # boto3 is a medium finding: below the hook's default --fail-on high
    if "Could not find a version" in passed.stdout + passed.stderr or "NewConnectionError" in passed.stdout:
        pytest.skip("pre-commit could not install the hook's environment (no package index reachable)")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout and "boto3" in passed.stdout
    shutil.copy(terraform, repo / ".terraform.lock.hcl")  # the AWS provider: infrastructure, a high finding
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    failed = try_repo()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "at or above high" in failed.stdout  # depscan's own verdict, shown by pre-commit


# -- name clash with OWASP dep-scan ---------------------------------------------------------------------


def test_owasp_dep_scan_in_the_same_environment_is_reported_at_start_up(tmp_path):
    from conftest import run_cli

    info = tmp_path / "owasp_depscan-5.4.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: owasp-depscan\nVersion: 5.4.0\n")
    clashing = run_cli("rules", "list", env={"PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{tmp_path}"})
    assert clashing.code == 0
    assert "owasp-depscan 5.4.0" in clashing.stderr and "depscan-sovereignty" in clashing.stderr
    assert "owasp-depscan" not in run_cli("rules", "list").stderr


# -- GitLab CI template ---------------------------------------------------------------------------------

TEMPLATE = ROOT / "ci" / "depscan.gitlab-ci.yml"
GITLAB_SCHEMA = Path(os.environ.get("DEPSCAN_GITLAB_CI_SCHEMA", ROOT.parent / "shared" / "schemas" / "gitlab-ci.json"))


def test_gitlab_template_validates_against_gitlab_ci_schema():
    if not GITLAB_SCHEMA.is_file():
        pytest.skip("GitLab's CI JSON schema not available (../shared/schemas/gitlab-ci.json)")
    jsonschema.validate(yaml.safe_load(TEMPLATE.read_text()), json.loads(GITLAB_SCHEMA.read_text()))


def run_gitlab_job(workspace: Path, variables: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The job's script after the install line, run by sh with the template's and GitLab's variables."""
    template = yaml.safe_load(TEMPLATE.read_text())
    job = template["depscan"]
    assert job["script"][0].startswith("python -m pip install")
    env = {
        **os.environ,
        **{k: str(v) for k, v in template["variables"].items()},
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT / "src"),
        "CI_JOB_NAME": "depscan",
        "CI_PROJECT_ID": "12",
        **variables,
    }
    return subprocess.run(
        ["sh", "-c", "\n".join(job["script"][1:])], cwd=workspace, env=env, capture_output=True, text=True, timeout=300
    )


def test_gitlab_template_writes_code_quality_junit_and_markdown(workspace):
    template = yaml.safe_load(TEMPLATE.read_text())
    reports = template["depscan"]["artifacts"]["reports"]
    done = run_gitlab_job(workspace, {"DEPSCAN_FAIL_ON": "medium"})
    assert done.returncode == 1, done.stderr
    out = workspace / "depscan-report"
    for declared in (reports["codequality"], reports["junit"]):
        assert (workspace / declared.replace("$DEPSCAN_OUTPUT_DIR", "depscan-report")).is_file()
    assert (out / "report.md").is_file()
    assert any(issue["check_name"] == "extra-eu-sdk" for issue in json.loads((out / "report.gitlab.json").read_text()))


def test_gitlab_template_uses_the_target_branch_report_as_baseline_in_a_merge_request(workspace, httpserver):
    (workspace / "requirements.txt").write_text("requests==2.32.3\n")
    scan = subprocess.run(
        [sys.executable, "-m", "depscan", "scan", ".", "-f", "json", "-o", str(workspace.parent / "main.json"), "-q"],
        cwd=workspace,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert scan.returncode == 0
    (workspace / "requirements.txt").write_text("requests==2.32.3\nboto3==1.35.0\n")
    artifact = "/projects/12/jobs/artifacts/main/raw/depscan-report/report.json"
    httpserver.expect_request(
        artifact, query_string="job=depscan", headers={"JOB-TOKEN": "job-token"}
    ).respond_with_data((workspace.parent / "main.json").read_bytes())
    variables = {
        "CI_API_V4_URL": httpserver.url_for("/").rstrip("/"),
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "CI_JOB_TOKEN": "job-token",
        "DEPSCAN_FAIL_ON": "medium",
    }
    done = run_gitlab_job(workspace, variables)
    assert done.returncode == 1, done.stdout + done.stderr  # boto3 is new in the merge request
    diff = (workspace / "depscan-report" / "diff.md").read_text()
    assert diff.startswith("### depscan: this change adds boto3 1.35.0")
    report = json.loads((workspace / "depscan-report" / "report.json").read_text())
    assert report["summary"]["baseline_findings"] > 0


def test_readme_ci_snippets_use_the_tested_action_template_and_hook():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## CI\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, flags=re.DOTALL)
    uses = yaml.safe_load(blocks[0])["steps"][1]
    assert uses["uses"].endswith("/depscan@v1")
    assert set(uses["with"]) <= set(action()["inputs"])
    include = yaml.safe_load(blocks[1])
    assert include["include"][0]["remote"].endswith("/" + TEMPLATE.relative_to(ROOT).as_posix())
    assert set(include["variables"]) <= set(yaml.safe_load(TEMPLATE.read_text())["variables"])
    hook = yaml.safe_load(blocks[2])["repos"][0]["hooks"][0]["id"]
    assert hook in {h["id"] for h in yaml.safe_load(HOOKS.read_text())}
    assert "pip install . && depscan scan examples/cloud-app --format table" in readme  # Set-up kept intact
