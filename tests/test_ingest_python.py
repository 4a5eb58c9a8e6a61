"""Python lockfiles and pyproject.toml: poetry.lock, uv.lock, pdm.lock, Pipfile.lock, pylock.toml.

Fixtures in tests/fixtures/python: uv-workspace/uv.lock and pylock-uv/pylock.toml
were generated with uv 0.13 (`uv lock`, `uv export --format pylock.toml`) from
the pyproject.toml files beside them; the Poetry, PDM and Pipenv ones are
hand-written after those tools' output, with a private index, git sources and
local folders added. Corpus counts were taken independently with awk/jq over
the files (unique name and version, local folders left out).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES
from depscan.errors import InputError
from depscan.ingest import read_file
from helpers import by_ref, copy_alone, read_error, refs

PYTHON = FIXTURES / "python"


# --- uv.lock ------------------------------------------------------------------------------------------------------


def test_uv_lock_workspace_roots_scopes_and_local_members():
    result = read_file(PYTHON / "uv-workspace" / "uv.lock")
    assert result.format == "uv-lock"
    assert len(result.components) == 8  # 10 packages, less the root and the workspace member (editable sources)
    assert "fixture-app" not in {c.name for c in result.components}
    assert refs(result, direct=True) == {"requests==2.32.3", "pysocks==1.7.1", "iniconfig==2.3.1", "six==1.17.0"}
    assert refs(result, scope="dev") == {"iniconfig==2.3.1"}
    assert refs(result, scope="optional") == {"pysocks==1.7.1"}
    urllib3 = by_ref(result)["urllib3==2.8.0"]
    assert urllib3.direct is False and urllib3.introduced_by == ["pkg:pypi/requests@2.32.3"]
    assert urllib3.purl == "pkg:pypi/urllib3@2.8.0"
    assert urllib3.properties["registry"] == "https://pypi.org/simple"
    assert urllib3.sources[0].line == 275  # its [[package]] header


def test_uv_lock_git_and_private_index_sources(tmp_path):
    lock = tmp_path / "uv.lock"
    lock.write_text(
        """version = 1
revision = 2
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "internal-sdk" },
    { name = "toolbelt" },
]

[[package]]
name = "internal-sdk"
version = "2.3.0"
source = { registry = "https://pypi.corp.example.com/simple" }

[[package]]
name = "toolbelt"
version = "0.9.1"
source = { git = "https://github.com/example/toolbelt.git?tag=v0.9.1#0123456789abcdef0123456789abcdef01234567" }
"""
    )
    result = read_file(lock)
    sdk, toolbelt = by_ref(result)["internal-sdk==2.3.0"], by_ref(result)["toolbelt==0.9.1"]
    assert sdk.properties["registry"] == "https://pypi.corp.example.com/simple"
    assert toolbelt.repository == "https://github.com/example/toolbelt.git"
    assert toolbelt.properties["vcs_commit"] == "0123456789abcdef0123456789abcdef01234567"
    assert sdk.direct and toolbelt.direct


# --- poetry.lock --------------------------------------------------------------------------------------------------


def test_poetry_1_1_lock_categories_private_index_and_git():
    result = read_file(PYTHON / "poetry-1.1" / "poetry.lock")
    assert result.format == "poetry-lock"
    assert len(result.components) == 10
    assert refs(result, direct=True) == {
        "requests==2.26.0",
        "internal-sdk==2.3.0",
        "toolbelt==0.9.1",
        "pytest==6.2.5",
    }
    assert refs(result, scope="dev") == {"attrs==21.2.0", "iniconfig==1.1.1", "pytest==6.2.5"}
    sdk = by_ref(result)["internal-sdk==2.3.0"]
    assert sdk.properties["registry"] == "https://pypi.corp.example.com/simple"
    toolbelt = by_ref(result)["toolbelt==0.9.1"]
    assert toolbelt.repository == "https://github.com/example/toolbelt.git"
    assert toolbelt.properties["vcs_commit"] == "0123456789abcdef0123456789abcdef01234567"
    charset = by_ref(result)["charset-normalizer==2.0.7"]  # named charset_normalizer by requests
    assert charset.direct is False and charset.introduced_by == ["pkg:pypi/requests@2.26.0"]


def test_poetry_2_lock_groups_optional_and_directory_dependency():
    result = read_file(PYTHON / "poetry-2" / "poetry.lock")
    assert len(result.components) == 12
    assert "mylib" not in {c.name for c in result.components}  # a folder of the project: its own code
    assert refs(result, direct=True) == {"httpx==0.28.1", "attrs==25.3.0", "iniconfig==2.0.0", "six==1.17.0"}
    assert refs(result, scope="optional") == {"attrs==25.3.0"}
    assert refs(result, scope="dev") == {"iniconfig==2.0.0"}
    assert by_ref(result)["iniconfig==2.0.0"].properties["groups"] == ["test"]


def test_poetry_lock_without_pyproject_does_not_guess_direct(tmp_path):
    result = read_file(copy_alone(PYTHON / "poetry-2" / "poetry.lock", tmp_path))
    assert len(result.components) == 12
    # only the dependencies of the project's own folder (mylib, recorded in the lock) are known to be direct
    assert refs(result, direct=True) == {"six==1.17.0"}
    assert refs(result, direct=None) == refs(result) - {"six==1.17.0"}


# --- pdm.lock -----------------------------------------------------------------------------------------------------


def test_pdm_lock_extras_entries_are_one_component():
    result = read_file(PYTHON / "pdm" / "pdm.lock")
    assert result.format == "pdm-lock"
    assert len(result.components) == 14  # 16 entries: httpx twice (plain and [socks]), mylib is a local folder
    httpx = by_ref(result)["httpx==0.28.1"]
    assert {"socksio==1.0.0", "anyio==4.9.0"} <= set(result.dependencies["httpx==0.28.1"])
    assert "httpx==0.28.1" not in result.dependencies["httpx==0.28.1"]
    assert httpx.direct is True
    assert refs(result, direct=True) == {
        "httpx==0.28.1",
        "toolbelt==0.9.1",
        "click==8.2.1",
        "iniconfig==2.1.0",
        "six==1.17.0",
    }
    assert refs(result, scope="optional") == {"click==8.2.1", "colorama==0.4.6"}
    assert refs(result, scope="dev") == {"iniconfig==2.1.0"}
    toolbelt = by_ref(result)["toolbelt==0.9.1"]
    assert toolbelt.repository == "https://github.com/example/toolbelt.git"
    assert toolbelt.properties["vcs_commit"] == "0123456789abcdef0123456789abcdef01234567"


# --- Pipfile.lock -------------------------------------------------------------------------------------------------


def test_pipfile_lock_sections_indexes_git_and_direct_from_pipfile():
    result = read_file(PYTHON / "pipenv" / "Pipfile.lock")
    assert result.format == "pipfile-lock"
    locked = refs(result)
    assert len(locked) == 12
    assert "pipenv-app" not in {c.name for c in result.components}  # editable path ".": the project itself
    assert {"idna==3.10", "idna==3.6"} <= locked  # one version at run time, another for development
    assert refs(result, direct=True) == {
        "requests==2.32.4",
        "internal-sdk==2.3.0",
        "toolbelt",
        "pytest==8.4.1",
        "idna==3.6",
    }
    assert refs(result, direct=False) == locked - refs(result, direct=True)
    assert refs(result, scope="dev") == {
        "idna==3.6",
        "iniconfig==2.1.0",
        "packaging==25.0",
        "pluggy==1.6.0",
        "pytest==8.4.1",
    }
    assert by_ref(result)["urllib3==2.4.0"].scope is None  # in both sections
    assert by_ref(result)["internal-sdk==2.3.0"].properties["registry"] == "https://pypi.corp.example.com/simple"
    assert by_ref(result)["toolbelt"].repository == "https://github.com/example/toolbelt.git"
    assert by_ref(result)["idna==3.6"].sources[0].line > by_ref(result)["idna==3.10"].sources[0].line


def test_pipfile_lock_without_pipfile_leaves_direct_unknown(tmp_path):
    result = read_file(copy_alone(PYTHON / "pipenv" / "Pipfile.lock", tmp_path))
    assert {c.direct for c in result.components} == {None}


# --- pylock.toml --------------------------------------------------------------------------------------------------


def test_pylock_from_uv_export():
    result = read_file(PYTHON / "pylock-uv" / "pylock.toml")
    assert result.format == "pylock-toml"
    assert len(result.components) == 8  # 10 packages, less two local directories
    assert refs(result, direct=True) == {"requests==2.32.3", "pysocks==1.7.1", "iniconfig==2.3.1"}
    assert by_ref(result)["certifi==2026.10.18"].properties["registry"] == "https://pypi.org/simple"


def test_pylock_dependencies_vcs_and_archive(tmp_path):
    lock = tmp_path / "pylock.dev.toml"
    lock.write_text(
        """lock-version = "1.0"
created-by = "hand"

[[packages]]
name = "attrs"
version = "25.3.0"
index = "https://pypi.corp.example.com/simple"

[[packages]]
name = "toolbelt"
version = "0.9.1"
vcs = { type = "git", url = "https://github.com/example/toolbelt.git", commit-id = "0123456789abcdef" }
dependencies = [{ name = "attrs" }]

[[packages]]
name = "pkg"
archive = { url = "https://files.example.org/pkg-1.0.tar.gz", hashes = { sha256 = "00" } }
"""
    )
    result = read_file(lock)
    assert result.dependencies["toolbelt==0.9.1"] == ["attrs==25.3.0"]
    assert by_ref(result)["toolbelt==0.9.1"].repository == "https://github.com/example/toolbelt.git"
    assert by_ref(result)["pkg"].properties["url"] == "https://files.example.org/pkg-1.0.tar.gz"
    assert by_ref(result)["attrs==25.3.0"].properties["registry"] == "https://pypi.corp.example.com/simple"


# --- pyproject.toml -----------------------------------------------------------------------------------------------


def test_pyproject_poetry_tables():
    result = read_file(PYTHON / "pyproject-poetry" / "pyproject.toml")
    assert result.format == "pyproject-toml"
    components = by_ref(result)
    assert set(components) == {
        "django==4.2.11",
        "celery",
        "boto3==1.34.0",
        "internal-sdk",
        "toolbelt",
        "numpy==1.24.4",
        "numpy",
        "sentry-sdk",
        "black",
        "pytest",
        "mkdocs",
    }
    assert {c.direct for c in result.components} == {True}
    assert components["django==4.2.11"].scope is None  # main and test: needed at run time
    assert components["django==4.2.11"].version == "4.2.11"  # Poetry's bare version is an exact pin
    assert components["celery"].version is None and components["celery"].properties["extras"] == ["redis"]
    assert components["sentry-sdk"].scope == "optional"
    assert {r for r, c in components.items() if c.scope == "dev"} == {"black", "pytest", "mkdocs"}
    assert components["internal-sdk"].properties["registry"] == "https://pypi.corp.example.com/simple"
    assert components["toolbelt"].repository == "https://github.com/example/toolbelt.git"
    assert components["celery"].sources[0].line == 10


def test_pyproject_pep621_and_dependency_groups():
    result = read_file(PYTHON / "pyproject-pep621" / "pyproject.toml")
    components = by_ref(result)
    assert set(components) == {
        "requests",
        "flask==3.0.3",
        "pyyaml",
        "urllib3",
        "toolbelt",
        "wheelhouse-pkg",
        "internal-sdk",
        "boto3",
        "pytest",
        "ruff==0.4.4",
    }
    assert components["requests"].scope is None and components["requests"].properties["groups"] == ["test"]
    assert components["boto3"].scope == "optional"
    assert components["pytest"].scope == "dev"
    assert components["urllib3"].properties == {"specifier": "<3,>=2", "extras": ["socks"]}
    assert components["pyyaml"].properties["marker"] == 'python_version >= "3.10"'
    assert components["toolbelt"].repository == "https://github.com/example/toolbelt.git"
    assert components["wheelhouse-pkg"].properties["url"].endswith(".whl")
    assert components["internal-sdk"].properties["registry"] == "https://pypi.corp.example.com/simple"
    assert components["flask==3.0.3"].purl == "pkg:pypi/flask@3.0.3"
    assert components["requests"].purl == "pkg:pypi/requests"
    assert components["pyyaml"].sources[0].line == 9


@pytest.mark.parametrize(("name", "owner"), [("Cargo.toml", "cargo-toml"), ("ruff.toml", None), ("Pipfile", "pipfile")])
def test_other_toml_files_are_not_taken_for_pyproject(name, owner):
    if owner is None:
        with pytest.raises(InputError, match="unrecognised format"):
            read_file(PYTHON / "not-pyproject" / name)
    else:  # read, by the reader of their own format
        assert read_file(PYTHON / "not-pyproject" / name).format == owner


@pytest.mark.parametrize(
    "lock", ["poetry-2/poetry.lock", "uv-workspace/uv.lock", "pdm/pdm.lock", "pylock-uv/pylock.toml"]
)
def test_toml_lockfiles_are_not_taken_for_pyproject(lock, tmp_path):
    # even under the name pyproject.toml, content decides
    renamed = tmp_path / "pyproject.toml"
    renamed.write_bytes((PYTHON / lock).read_bytes())
    assert read_file(renamed).format != "pyproject-toml"


def test_pyproject_with_tool_config_only_reads_as_no_components(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[build-system]\nrequires = ["setuptools"]\n\n[tool.ruff]\nline-length = 100\n')
    result = read_file(path)
    assert result.format == "pyproject-toml" and result.components == []


# --- errors and the CLI -------------------------------------------------------------------------------------------


def test_invalid_toml_lockfile_names_the_line(tmp_path):
    error = read_error(
        tmp_path / "uv.lock",
        'version = 1\n\n[[package]]\nname = "x"\nsource = { registry = "https://a.b" }\nversion = \n',
    )
    assert error.line == 6 and "invalid TOML" in error.message


def test_cli_scan_of_a_poetry_project_directory(cli):
    run = cli("scan", str(PYTHON / "poetry-2"), "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    report = run.json()
    formats = {Path(s["path"]).name: (s["format"], s["components"]) for s in report["sources"]}
    assert formats == {"poetry.lock": ("poetry-lock", 12), "pyproject.toml": ("pyproject-toml", 3)}
    httpx = next(c for c in report["components"] if c["purl"] == "pkg:pypi/httpx@0.28.1")
    assert httpx["direct"] is True
    assert httpx["sources"][0]["line"] == 93  # its [[package]] header in poetry.lock


# --- requirements.txt compiled from a pyproject (a fix to the requirements reader) -----------------------------


def test_pip_compile_via_the_project_file_marks_direct(tmp_path):
    compiled = tmp_path / "requirements.txt"
    compiled.write_text(
        "celery==5.2.7\n    # via my-app (pyproject.toml)\nkombu==5.2.4\n    # via celery\n"
        "flask==2.3.2\n    # via\n    #   my-app (setup.cfg)\n    #   other\n"
    )
    result = read_file(compiled)
    assert refs(result, direct=True) == {"celery", "flask"}
    assert refs(result, direct=False) == {"kombu"}
