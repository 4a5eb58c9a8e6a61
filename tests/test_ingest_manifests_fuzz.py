"""Mutated manifests (package.json, composer.json, Cargo.toml, .NET project files, packages.config, Pipfile,
requirements .in) and registry configuration (.npmrc, .yarnrc.yml): InputError or nothing else.

Each case starts from a fixture and flips, cuts, inserts or repeats bytes,
keeping the file name; the files a reader consults beside it (the composer.lock,
the workspace root Cargo.toml, Directory.Packages.props) are mutated too. The
"could not read as" safety net of `read_file` counts as a failure. The
registry configuration readers must, whatever the bytes, never put a
credential in a component or an error message.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from depscan.errors import InputError
from depscan.ingest import read_file
from helpers import mutation, read_only_input_errors, write_mutated

# (fixture read, fixtures copied beside it with their path relative to it, mutated as well)
SEEDS = [
    ("npm/manifest-app/package.json", ("packages/ui/package.json",)),
    ("npm/manifest-app/packages/ui/package.json", ("../../package.json",)),
    ("npm/manifest-app/.npmrc", ()),
    ("npm/yarn-berry-registry/.yarnrc.yml", ()),
    ("php/manifest/composer.json", ("composer.lock",)),
    ("cargo/manifest-workspace/crates/app/Cargo.toml", ("../../Cargo.toml",)),
    ("cargo/manifest-workspace/Cargo.toml", ()),
    ("dotnet/central/src/Web/Web.csproj", ("../../Directory.Packages.props", "../../Directory.Build.props")),
    ("dotnet/central/Directory.Packages.props", ()),
    ("dotnet/central/src/Lib/Lib.fsproj", ()),
    ("dotnet/central/src/Legacy/packages.config", ()),
    ("python/pipfile-categories/Pipfile", ()),
    ("python/requirements-folder/requirements/base.in", ("constraints.txt",)),
]

_MUTATION = mutation(
    [b"\n", b'"', b"'", b":", b"=", b"[", b"]", b"{", b"}", b"<", b">", b"/>", b"$(", b"${", b"  ", b"\t", b"\x00"]
)


@pytest.mark.parametrize(("seed", "beside"), SEEDS, ids=[s[0] for s in SEEDS])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=st.lists(_MUTATION, min_size=1, max_size=4), beside_mutations=st.lists(_MUTATION, max_size=3))
def test_mutated_manifest_raises_only_input_error(seed, beside, mutations, beside_mutations):
    original = FIXTURES / seed
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / "a" / "b" / "c" / Path(seed).parent.name / original.name
        write_mutated(original, target, beside, mutations, beside_mutations)
        read_only_input_errors(target)


NAMES = [
    "package.json",
    "composer.json",
    "Cargo.toml",
    "App.csproj",
    "Directory.Packages.props",
    "packages.config",
    "Pipfile",
    ".npmrc",
    ".yarnrc",
    ".yarnrc.yml",
    "requirements/main.in",
]


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=30, deadline=None)
@given(data=st.binary(max_size=400))
def test_random_bytes_under_each_name_raise_only_input_error(name, data):
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        read_only_input_errors(target)


# Documents valid for their syntax but shaped wrongly for the format
SHAPES = [
    ("package.json", b'{"dependencies": {"a": {"version": "1"}, "": "1", "@": "1", "@s/": "1"}, "name": 5}'),
    ("package.json", b'{"workspaces": 3, "dependencies": {"b": "npm:", "c": "npm:@", "d": "github:", "e": "#x"}}'),
    ("composer.json", b'{"require": ["a/b"], "require-dev": {"a/b": 1, "c/d": null, "e/f": ["1"]}, "name": []}'),
    ("Cargo.toml", b"[dependencies]\na = 1\nb = { version = 2, git = 3, path = 4 }\n[target.x]\ndependencies = 5\n"),
    ("Cargo.toml", b"[workspace]\ndependencies = []\n[dependencies]\nc = { workspace = true, package = 7 }\n"),
    ("App.csproj", b'<Project><ItemGroup><PackageReference Include="" Version="$($($(A)))" /></ItemGroup></Project>'),
    (
        "App.csproj",
        b"<Project><PropertyGroup><A>$(A)</A></PropertyGroup><ItemGroup><PackageReference "
        b'Include="X;;Y" Version="$(A)"><Version /></PackageReference></ItemGroup></Project>',
    ),
    ("packages.config", b'<packages><package /><package id="A" version="[1.0,2.0)" /></packages>'),
    ("Pipfile", b'[packages]\na = 1\nb = { version = 2, extras = "x", markers = 3, git = 4, path = 5 }\n[[source]]\n'),
    (".yarnrc.yml", b"npmScopes: [1, 2]\nnpmRegistryServer: {a: 1}\n"),
    (".yarnrc.yml", b"- just\n- a list\n"),
    (".npmrc", b"=\n@:registry=\n@a:registry\nregistry=http://[::1\n"),
]


@pytest.mark.parametrize(("name", "content"), SHAPES)
def test_wrong_shapes_raise_only_input_error(tmp_path, name, content):
    target = tmp_path / name
    target.write_bytes(content)
    read_only_input_errors(target)


SECRET = "s3cr3t-T0KEN-value"
_NPMRC_LINES = st.sampled_from(
    [
        f"//registry.example.eu/:_authToken={SECRET}",
        f"_auth={SECRET}",
        f"registry=https://user:{SECRET}@registry.example.eu/?t={SECRET}",
        f"@acme:registry=https://npm.example.eu/#{SECRET}",
        "registry=https://registry.example.eu/",
        f'"@x:registry" "https://{SECRET}@host.eu"',
        f"password = {SECRET}",
        "[section]",
        "; comment",
    ]
)
_YARNRC_LINES = st.sampled_from(
    [
        f"npmAuthToken: {SECRET}",
        f'npmAuthToken: "{SECRET}',
        f"npmAuthToken: '{{{{ {SECRET}",
        f"npmRegistryServer: https://u:{SECRET}@registry.example.eu/?{SECRET}",
        "npmScopes:",
        f"  acme: {{npmAuthToken: {SECRET}, npmRegistryServer: 'https://npm.example.eu'}}",
        f"  x:\n    npmAuthIdent: {SECRET}",
        f"\t{SECRET}: [",
        f"!{SECRET} a: b",
        f"*{SECRET}",
    ]
)


@pytest.mark.parametrize(
    ("name", "lines"), [(".npmrc", _NPMRC_LINES), (".yarnrc", _NPMRC_LINES), (".yarnrc.yml", _YARNRC_LINES)]
)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_credentials_never_reach_a_component_or_an_error(name, lines, data):
    content = "\n".join(data.draw(st.lists(lines, min_size=1, max_size=8))) + "\n"
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / name
        target.write_text(content)
        try:
            result = read_file(target)
        except InputError as error:
            assert SECRET not in str(error)
        else:
            assert SECRET not in repr(result.components)
