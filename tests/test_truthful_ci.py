"""The README's own CI recipe passes `--fail-on high` on a project that contains it (issue 12): a hosted
runner is build chain, exemptions reach it by kind or component glob, and a failing run says why."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT


def _readme_recipe() -> str:
    """The YAML block that follows the recipe marker in README.md."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    marker = text.index("<!-- github-actions-recipe -->")
    found = re.search(r"```yaml\n(.*?)```", text[marker:], re.DOTALL)
    assert found, "the README's GitHub Actions recipe is missing"
    return found.group(1)


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "app"
    (project / ".github" / "workflows").mkdir(parents=True)
    (project / ".github" / "workflows" / "depscan.yml").write_text(_readme_recipe(), encoding="utf-8")
    (project / "requirements.txt").write_text("flask==3.0.3\n", encoding="utf-8")
    return project


def test_readme_recipe_is_complete():
    recipe = _readme_recipe()
    for needed in ("actions/checkout@", "actions/setup-python@", "pip install", "security-events: write"):
        assert needed in recipe, needed
    assert "--fail-on high" in recipe


def test_readme_recipe_passes_fail_on_high_and_runner_is_build_chain(cli, tmp_path):
    project = _project(tmp_path)
    run = cli("scan", str(project), "--format", "json", "--fail-on", "high")
    assert run.code == 0, run.stderr
    report = run.json()
    runner = next(c for c in report["components"] if c["ecosystem"] == "github-runner")
    assert runner["kind"] == "tooling"
    rules = {f["rule"] for f in report["findings"] if f["component"] == runner["id"]}
    assert rules == {"extra-eu-build-chain"}
    severities = {f["severity"] for f in report["findings"] if f["component"] == runner["id"]}
    assert severities == {"low"}
    # the same run with --output-dir, as the recipe writes it
    out = tmp_path / "out"
    run = cli(
        "scan", str(project), "--fail-on", "high", "--format", "sarif", "--format", "markdown", "--output-dir", str(out)
    )
    assert run.code == 0, run.stderr
    assert (out / "report.sarif").is_file() and (out / "report.md").is_file()


def test_strict_raises_the_runner_and_a_failing_run_lists_why(cli, tmp_path):
    project = _project(tmp_path)
    out = tmp_path / "out"
    run = cli(
        "scan", str(project), "--rules", "strict", "--fail-on", "medium", "--format", "sarif", "--output-dir", str(out)
    )
    assert run.code == 1
    assert run.stdout == ""
    assert "at or above --fail-on medium" in run.stderr
    assert "extra-eu-build-chain github-runner:ubuntu-latest" in run.stderr


def test_runner_exempted_by_component_glob_and_by_kind(cli, tmp_path):
    project = _project(tmp_path)
    for selector, also_actions in (('component = "github-runner:*"', False), ('kind = "tooling"', True)):
        exemptions = tmp_path / "exemptions.toml"
        exemptions.write_text(
            "[[exemption]]\n"
            'rule = "extra-eu-build-chain"\n'
            f"{selector}\n"
            'reason = "hosted runners build public code only"\n'
            "expires = 2099-12-31\n"
            'approved_by = "RSSI"\n',
            encoding="utf-8",
        )
        run = cli("scan", str(project), "--rules", "strict", "--exemptions", str(exemptions), "--format", "json")
        report = run.json()
        chain = [f for f in report["findings"] if f["rule"] == "extra-eu-build-chain"]
        runner = [f for f in chain if f["component"] == "github-runner:ubuntu-latest"]
        actions = [f for f in chain if f["component"].startswith("pkg:github/")]
        assert runner and all(f["exempted"] for f in runner), selector
        assert actions and all(f["exempted"] is also_actions for f in actions), selector
        assert report["exemptions"][0]["status"] == "applied"
        assert "github-runner:ubuntu-latest" not in run.stderr
