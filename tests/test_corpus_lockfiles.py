"""The JavaScript and Python lockfile readers on real projects' files from ../shared/corpus.

Breadth only: every reader is covered by the project's own fixtures in the
other test modules; this module is skipped as a whole on a plain clone.
"""

from __future__ import annotations

import pytest

from conftest import CORPUS, corpus_file
from depscan.ingest import read_file
from helpers import refs

if not CORPUS.exists():
    pytest.skip("shared corpus not available (../shared/corpus)", allow_module_level=True)


@pytest.mark.parametrize(
    ("path", "count", "direct"),
    [("pnpm-v6-scaleway-cli-wasm/pnpm-lock.yaml", 115, 4), ("pnpm-v9-scaleway-cli-wasm/pnpm-lock.yaml", 143, 6)],
)
def test_pnpm_lock_corpus(path, count, direct):
    result = read_file(corpus_file(f"npm/{path}"))
    assert len(result.components) == count
    assert len(refs(result, direct=True)) == direct
    assert refs(result, direct=None) == set()  # every package is reached from the importers
    assert {c.scope for c in result.components} == {"dev"}  # the project has devDependencies only


def test_yarn_v1_corpus_symfony_demo():
    result = read_file(corpus_file("npm/yarn-v1-symfony-demo/yarn.lock"))
    assert len(result.components) == 642  # 643 entries, less the file: folder
    assert len(refs(result, direct=True)) == 28  # 27 registry devDependencies, and morphdom from the file: folder
    assert refs(result, direct=None) == set()
    assert {c.scope for c in result.components} == {"dev"}


@pytest.mark.parametrize(
    ("path", "count", "direct"),
    [("yarn-berry-v6-prettier/yarn.lock", 928, 120), ("yarn-berry-v10-prettier/yarn.lock", 1049, 149)],
)
def test_yarn_berry_corpus(path, count, direct):
    result = read_file(corpus_file(f"npm/{path}"))
    assert len(result.components) == count  # unique resolutions, patches folded into their package
    assert len(refs(result, direct=True)) == direct  # dependencies and devDependencies of package.json
    assert refs(result, direct=None) == set()  # trim: pinned by `resolutions`, still reached
    assert all(c.sources[0].line for c in result.components)


def test_uv_lock_corpus_flask():
    result = read_file(corpus_file("python/flask/uv.lock"))
    assert len(result.components) == 82  # 83 [[package]], less flask itself (editable = ".")
    runtime_direct = refs(result, direct=True, scope=None)
    assert {r.split("==")[0] for r in runtime_direct} == {
        "blinker",
        "click",
        "itsdangerous",
        "jinja2",
        "markupsafe",
        "werkzeug",
    }
    # sphinx is locked twice (per Python version): both are components, both reached from the docs group
    assert {r for r in refs(result) if r.startswith("sphinx==")} == {"sphinx==8.1.3", "sphinx==8.2.3"}
    assert refs(result, direct=True) >= {"sphinx==8.1.3", "sphinx==8.2.3"}
    assert all(c.sources[0].line for c in result.components)


def test_poetry_lock_corpus():
    result = read_file(corpus_file("python/poetry/poetry.lock"))
    assert len(result.components) == 78
    git = [c for c in result.components if c.repository]
    assert [c.name for c in git] == ["poetry-core"]
    assert git[0].repository == "https://github.com/python-poetry/poetry-core.git"
    assert git[0].direct is True
    assert len(refs(result, direct=True)) == 35  # the 35 names the pyproject.toml beside it declares


def test_pdm_lock_corpus():
    result = read_file(corpus_file("python/pdm/pdm.lock"))
    assert len(result.components) == 96  # 100 entries, 4 of them extras of another entry
    assert "pdm" not in {c.name for c in result.components}
    assert all(c.sources[0].line for c in result.components)


@pytest.mark.parametrize(
    ("path", "count", "direct"), [("pipenv/Pipfile.lock", 105, 27), ("pipenv-examples/Pipfile.lock", 10, 6)]
)
def test_pipfile_lock_corpus(path, count, direct):
    result = read_file(corpus_file(f"python/{path}"))
    assert len(result.components) == count
    assert len(refs(result, direct=True)) == direct


@pytest.mark.parametrize(
    ("path", "count"),
    [
        ("flask/pyproject.toml", 26),
        ("poetry/pyproject.toml", 35),
        ("pdm/pyproject.toml", 41),
        ("pip-licenses/pyproject.toml", 12),
        ("flask-example-celery/pyproject.toml", 2),
    ],
)
def test_pyproject_corpus(path, count):
    result = read_file(corpus_file(f"python/{path}"))
    assert len(result.components) == count
    assert all(c.direct and c.sources[0].line for c in result.components)


def test_pip_compile_corpus_direct_from_pyproject():
    result = read_file(corpus_file("python/flask-example-celery/requirements.txt"))
    assert len(result.components) == 21
    assert {c.name for c in result.components if c.direct} == {"celery", "flask"}
