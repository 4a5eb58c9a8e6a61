"""Configuration: pyproject.toml [tool.depscan] or depscan.toml, then DEPSCAN_* variables, then flags."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from depscan import config
from depscan.errors import ConfigError

APP = FIXTURES / "policy" / "app.cdx.json"
CLEAN_ENV = {name: "" for name, _ in config.SETTINGS.values()} | {"DEPSCAN_CONFIG": ""}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose pyproject.toml configures depscan, with the SBOM in a subdirectory."""
    (tmp_path / "pyproject.toml").write_text(
        """
[project]
name = "demo"

[tool.depscan]
fail-on = "medium"
rules = ["licenses"]
exemptions = "policy/exemptions.toml"
""",
        encoding="utf-8",
    )
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "exemptions.toml").write_text(
        '[[exemption]]\nrule = "proprietary-license"\npurl = "pkg:npm/acme-licensed"\n'
        'reason = "contract 2026-114"\nexpires = 2099-12-31\napproved_by = "legal"\n',
        encoding="utf-8",
    )
    (tmp_path / "sbom").mkdir()
    shutil.copy(APP, tmp_path / "sbom" / "app.cdx.json")
    return tmp_path


def scan(cli, cwd: Path, *extra: str, env: dict[str, str] | None = None):
    return cli("scan", "app.cdx.json", "--format", "json", *extra, cwd=cwd / "sbom", env={**CLEAN_ENV, **(env or {})})


def test_pyproject_is_found_from_a_subdirectory(cli, project: Path) -> None:
    run = scan(cli, project)
    report = run.json()
    assert report["ruleset"] == "licenses"
    assert report["summary"]["fail_on"] == "medium"
    # relative to pyproject.toml, not to the working directory
    assert report["exemptions"][0]["file"] == str(project / "policy" / "exemptions.toml")
    assert report["exemptions"][0]["status"] == "applied"
    # medium findings remain (AGPL, BUSL), so the configured fail-on level fails the scan
    assert run.code == 1


def test_environment_overrides_the_file_and_flags_override_the_environment(cli, project: Path) -> None:
    env = {"DEPSCAN_FAIL_ON": "critical", "DEPSCAN_RULES": "default,strict"}
    run = scan(cli, project, env=env)
    assert run.code == 0, run.stderr
    assert run.json()["ruleset"] == "default+strict" and run.json()["summary"]["fail_on"] == "critical"
    run = scan(cli, project, "--fail-on", "info", "--rules", "default", env=env)
    assert run.code == 1
    assert run.json()["ruleset"] == "default" and run.json()["summary"]["fail_on"] == "info"


def test_depscan_toml_wins_over_pyproject_in_the_same_directory(cli, project: Path) -> None:
    (project / "depscan.toml").write_text('fail_on = "none"\nrules = "strict"\n', encoding="utf-8")
    run = scan(cli, project)
    assert run.code == 0 and run.json()["ruleset"] == "strict" and run.json()["exemptions"] == []


def test_explicit_config_file(cli, project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    other = tmp_path_factory.mktemp("elsewhere") / "ci.toml"
    other.write_text('fail_on = "none"\nrules = ["default", "licenses"]\n', encoding="utf-8")
    run = scan(cli, project, "--config", str(other))
    assert run.code == 0 and run.json()["ruleset"] == "default+licenses"
    run = scan(cli, project, env={"DEPSCAN_CONFIG": str(other)})
    assert run.json()["ruleset"] == "default+licenses"
    missing = scan(cli, project, "--config", str(other.with_name("missing.toml")))
    assert missing.code == 2 and "configuration file not found" in missing.stderr


def test_config_command_says_where_each_setting_comes_from(cli, project: Path) -> None:
    run = cli("config", "--format", "json", cwd=project / "sbom", env={**CLEAN_ENV, "DEPSCAN_FAIL_ON": "low"})
    assert run.code == 0, run.stderr
    data = run.json()
    assert data["config_file"] == str(project / "pyproject.toml")
    settings = data["settings"]
    assert settings["fail_on"] == {"value": "low", "origin": "DEPSCAN_FAIL_ON"}
    assert settings["rules"] == {"value": ["licenses"], "origin": f"{project / 'pyproject.toml'} [tool.depscan]"}
    assert settings["exclude"]["origin"] == "default"


@pytest.mark.parametrize(
    "text, message",
    [
        ('[tool.depscan]\nfail-on = "sometimes"\n', "fail_on must be one of"),
        ('[tool.depscan]\nfail_on = "high"\nformats = ["sarif"]\n', "unknown setting 'formats'"),
        ("[tool.depscan]\nrules = 3\n", "rules must be a string or a list of strings"),
        ('[tool.depscan]\nrules = ["no-such-set"]\n', "unknown rule set"),
        ("[tool.depscan\n", "invalid TOML"),
    ],
)
def test_invalid_configuration_is_exit_2(cli, tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    run = cli("scan", str(APP), "--format", "json", "--config", "pyproject.toml", cwd=tmp_path, env=CLEAN_ENV)
    assert run.code == 2, run.stdout
    assert message in run.stderr and "Traceback" not in run.stderr


def test_unrelated_pyproject_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    assert config.find_config(tmp_path / "sub") != tmp_path / "pyproject.toml"
    settings = config.load(env={}, cwd=tmp_path / "sub")
    assert settings.fail_on == "high" and settings.rules == ("default",)


def test_load_merges_in_order(tmp_path: Path) -> None:
    (tmp_path / "depscan.toml").write_text(
        'exclude = "vendor/*"\nrules = ["strict", "team.toml"]\nqualified-vendors = ["ovhcloud"]\n', encoding="utf-8"
    )
    settings = config.load(flags={"exclude": (), "fail_on": None}, env={"DEPSCAN_EXCLUDE": " a , b,"}, cwd=tmp_path)
    assert settings.exclude == ("a", "b") and settings.origins["exclude"] == "DEPSCAN_EXCLUDE"
    assert settings.rules == ("strict", str(tmp_path / "team.toml"))
    assert settings.qualified_vendors == ("ovhcloud",)
    assert settings.fail_on == "high" and settings.origins["fail_on"] == "default"
    with pytest.raises(ConfigError):
        config.load(env={"DEPSCAN_FAIL_ON": "loud"}, cwd=tmp_path)


def test_today_is_settable() -> None:
    assert str(config.today({"DEPSCAN_TODAY": "2030-02-01"})) == "2030-02-01"
    with pytest.raises(ConfigError):
        config.today({"DEPSCAN_TODAY": "2030-02-30"})
