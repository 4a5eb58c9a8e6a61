"""Mutated Go, Cargo, Maven, Gradle, Bundler, Composer, NuGet and SPDX 3 / YAML inputs: InputError or nothing.

Each case starts from a fixture and flips, cuts, inserts or repeats bytes,
keeping the file name (some formats are recognised by it) and, where the
reader consults a file beside it (go.mod next to go.sum, the parent POM,
composer.json), mutating that one too. `read_file` turns an unexpected
ValueError, KeyError... into an InputError "could not read as ...": that
safety net must not be what catches these readers, so it counts as a failure.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from helpers import mutation, read_only_input_errors, write_mutated

# (fixture read, fixtures copied beside it with their relative path, mutated as well)
SEEDS = [
    ("go/app/go.mod", ()),
    ("go/app/go.sum", ("go.mod",)),
    ("go/sum-only/go.sum", ()),
    ("cargo/v1/Cargo.lock", ()),
    ("cargo/v2/Cargo.lock", ()),
    ("cargo/v4-workspace/Cargo.lock", ()),
    ("maven/multi/service/pom.xml", ("../pom.xml",)),
    ("maven/multi/pom.xml", ()),
    ("maven/gradle/gradle.lockfile", ()),
    ("maven/gradle/gradle/dependency-locks/compileClasspath.lockfile", ()),
    ("ruby/app/Gemfile.lock", ()),
    ("php/app/composer.lock", ("composer.json",)),
    ("dotnet/Shop.Api/packages.lock.json", ()),
    ("spdx/shop.spdx3.json", ()),
    ("spdx/shop.spdx.yaml", ()),
]

_MUTATION = mutation([b"\n", b'"', b"'", b":", b"[", b"{", b"(", b")", b"=", b"=>", b"  ", b"- ", b"\x00", b"\xff"])


@pytest.mark.parametrize("seed, beside", SEEDS, ids=[s[0] for s in SEEDS])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mutations=st.lists(_MUTATION, min_size=1, max_size=4),
    beside_mutations=st.lists(_MUTATION, max_size=3),
)
def test_mutated_input_raises_only_input_error(seed, beside, mutations, beside_mutations):
    original = FIXTURES / seed
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / "a" / "b" / original.name
        write_mutated(original, target, beside, mutations, beside_mutations)
        read_only_input_errors(target)


NAMES = [
    "go.mod",
    "go.sum",
    "Cargo.lock",
    "pom.xml",
    "gradle.lockfile",
    "Gemfile.lock",
    "composer.lock",
    "packages.lock.json",
    "sbom.spdx3.json",
    "sbom.spdx.yaml",
]


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=30, deadline=None)
@given(data=st.binary(max_size=400))
def test_random_bytes_under_each_name_raise_only_input_error(name, data):
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / name
        target.write_bytes(data)
        read_only_input_errors(target)


# Documents that are structurally valid for their syntax but shaped wrongly for the format
SHAPES = [
    ("go.sum", b"a v1 h1:x\nb\n"),
    ("Cargo.lock", b'version = 4\n[[package]]\nname = 1\nversion = "1"\n'),
    ("Cargo.lock", b'[[package]]\nname = "a"\nversion = "1"\nsource = "git+"\ndependencies = [1, "", "b 2 (x)"]\n'),
    ("composer.lock", b'{"content-hash": "x", "packages": [{"name": ["a"]}, {"name": "b", "require": [1]}]}'),
    ("composer.lock", b'{"content-hash": "x", "packages": [{"name": "a", "license": {"x": 1}, "authors": "me"}]}'),
    (
        "packages.lock.json",
        b'{"version": 1, "dependencies": {"net8.0": {"A": {"type": "Project", "dependencies": 3}}}}',
    ),
    (
        "packages.lock.json",
        b'{"version": 1, "dependencies": {"net8.0": {"A": {"resolved": 5, "dependencies": {"B": 1}}}}}',
    ),
    ("sbom.spdx3.json", b'{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [1, {"type": 2}]}'),
    (
        "sbom.spdx3.json",
        b'{"@context": "https://spdx.org/rdf/3.0.1/x", "@graph": [{"type": "Relationship", "from": ["a"],'
        b' "to": "b", "relationshipType": "dependsOn"}, {"type": "software_Package", "spdxId": "b", "name": 3},'
        b' {"type": "SpdxDocument", "rootElement": {"spdxId": "a"}}]}',
    ),
    ("sbom.spdx.yaml", b"spdxVersion: SPDX-2.3\npackages: {a: 1}\nrelationships: [1, [2]]\ndocumentDescribes: x\n"),
    (
        "pom.xml",
        b"<project><parent><relativePath>/</relativePath></parent><dependencies><dependency/></dependencies>"
        b"<modelVersion/></project>",
    ),
    ("Gemfile.lock", b"GEM\n  specs:\n      orphan (1.0)\n    a (1-)\n\nDEPENDENCIES\n  a!!\n"),
]


@pytest.mark.parametrize("name, content", SHAPES)
def test_unexpected_shapes_are_tolerated_or_refused_cleanly(tmp_path, name, content):
    target = tmp_path / name
    target.write_bytes(content)
    read_only_input_errors(target)
