"""The examples of issue 11's second class, through the command: a wrong container is exit 3 naming the file,
an entry that cannot be used is a warning (stderr and the JSON report), never a silent drop.

The generated suites (test_hostile_types.py, test_hostile_text.py) cover every reader; these pin the cases a
reader of the issue will look for first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli

UV_LOCK = """version = 1
requires-python = ">=3.11"

[[package]]
name = "requests"
version = "2.32.3"
source = { registry = "https://pypi.org/simple" }

[[package]]
version = "1.0.0"
source = { registry = "https://pypi.org/simple" }
"""

ACTION = """name: setup
runs:
  using: composite
  steps:
    - uses: actions/setup-python@v5
    - uses:
"""

GEMFILE_LOCK = """GI
  remote: https://rubygems.org/
  specs:
    rake (13.2.1)

DEPENDENCIES
  rake
"""


def _scan(path: Path):
    return run_cli("scan", str(path), "--format", "json", "--fail-on", "none", "--no-installed")


@pytest.mark.parametrize(
    ("name", "content", "components", "warned"),
    [
        ("uv.lock", UV_LOCK, 1, "has no name"),
        ("action.yml", ACTION, 1, "'uses' is null"),
        ("Gemfile.lock", GEMFILE_LOCK, 0, "unknown section 'GI'"),
        ("package.json", '{"dependencies": {"left-pad": 1, "ok": "1.0.0"}}', 1, "'left-pad' is a number"),
    ],
)
def test_an_entry_that_cannot_be_used_is_a_warning(tmp_path, name, content, components, warned):
    path = tmp_path / name
    path.write_text(content)
    run = _scan(path)
    assert run.code == 0 and "Traceback" not in run.stderr, run.stderr
    (source,) = run.json()["sources"]
    assert source["components"] == components
    assert any(warned in warning["message"] for warning in source["warnings"]), source["warnings"]
    assert warned in run.stderr


@pytest.mark.parametrize(
    ("name", "content", "named"),
    [
        ("package.json", '{"name": "app", "dependencies": ["left-pad"]}', "'dependencies' is a list"),
        ("composer.lock", '{"content-hash": "x", "packages": {"a/b": {}}}', "'packages'"),
        ("Cargo.toml", 'dependencies = ["serde"]\n\n[package]\nname = "app"\n', "'dependencies' is a list"),
    ],
)
def test_a_container_of_the_wrong_type_is_an_input_error(tmp_path, name, content, named):
    path = tmp_path / name
    path.write_text(content)
    run = _scan(path)
    assert run.code == 3 and "Traceback" not in run.stderr, run.stderr
    errors = [line for line in run.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and str(path) in errors[0] and named in errors[0], run.stderr
