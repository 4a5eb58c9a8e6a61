"""Cargo.lock format versions 1, 2 and 4: sources, the graph, and the workspace's own crates."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from depscan.ingest import read_file
from helpers import read_error

CARGO = FIXTURES / "cargo"


def test_version_1_dependencies_with_sources_and_metadata_table():
    result = read_file(CARGO / "v1" / "Cargo.lock")
    components = {c.name: c for c in result.components}
    assert set(components) == {"cfg-if", "log", "rand", "getrandom"}  # "hello" has no source: the project
    assert {n for n, c in components.items() if c.direct} == {"log", "rand"}
    assert components["getrandom"].introduced_by == ["pkg:cargo/rand@0.7.2"]
    assert components["log"].sources[0].line == 16


def test_version_2_disambiguates_two_versions_of_one_crate():
    components = {(c.name, c.version): c for c in read_file(CARGO / "v2" / "Cargo.lock").components}
    assert set(components) == {("bitflags", "1.3.2"), ("bitflags", "2.4.1"), ("nix", "0.23.2")}
    assert components[("bitflags", "2.4.1")].direct is True  # "bitflags 2.4.1" from the root crate
    assert components[("bitflags", "1.3.2")].direct is False  # only through nix
    assert components[("bitflags", "1.3.2")].introduced_by == ["pkg:cargo/nix@0.23.2"]


def test_version_4_workspace_git_and_other_registries():
    result = read_file(CARGO / "v4-workspace" / "Cargo.lock")
    components = {c.name: c for c in result.components}
    assert set(components) == {"bytes", "internal-sdk", "serde", "sovereign-crypto", "tokio"}
    # "shared" is a workspace member: what it depends on is direct too
    assert {n for n, c in components.items() if c.direct} == {"internal-sdk", "serde", "sovereign-crypto", "tokio"}
    git = components["sovereign-crypto"]
    assert git.repository == "https://gitlab.example.eu/platform/sovereign-crypto.git"
    assert git.purl.startswith("pkg:cargo/sovereign-crypto@0.9.0?vcs_url=")
    assert "0f3c2a9e5d7b1c4a8e6f2d0b9a7c5e3f1d2b4a6c" in git.purl
    private = components["internal-sdk"]
    assert private.purl == "pkg:cargo/internal-sdk@2.1.0?repository_url=https://crates.example.eu/api/v1/crates/"
    assert components["tokio"].purl == "pkg:cargo/tokio@1.40.0"  # sparse crates.io is crates.io
    assert components["bytes"].direct is False


def test_scan_reports_cargo_components(cli):
    run = cli("scan", str(CARGO / "v4-workspace" / "Cargo.lock"), "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    report = run.json()
    assert report["sources"][0]["format"] == "cargo-lock"
    cargo = [c for c in report["components"] if c["ecosystem"] == "cargo"]
    assert len(cargo) == 5


@pytest.mark.parametrize(
    "content, message",
    [
        ('version = 3\n\n[[package]]\nname = "a"\nversion = \n', "invalid TOML"),
        ('version = 3\n\n[[package]]\nname = "a"\nsource = "registry+x"\n', "without a name or version"),
        ("version = 3\npackage = 4\n", "not a Cargo.lock"),
    ],
)
def test_errors(tmp_path, content, message):
    error = read_error(tmp_path / "Cargo.lock", content)
    assert message in error.message


def test_invalid_toml_names_the_line(tmp_path):
    error = read_error(tmp_path / "Cargo.lock", 'version = 3\n\n[[package]]\nname = "a"\nversion = \n')
    assert error.line == 5
