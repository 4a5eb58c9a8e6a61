"""SPDX 3.0 JSON-LD (agents, licence relationships, lifecycle scopes, the described root) and SPDX 2 YAML."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from depscan.ingest import read_file
from helpers import read_error

SPDX = FIXTURES / "spdx"


def test_spdx3_packages_agents_and_licences():
    result = read_file(SPDX / "shop.spdx3.json")
    assert result.format == "spdx3-json"
    packages = {c.name: c for c in result.components}
    assert set(packages) == {"boto3", "botocore", "pytest", "uvloop", "recommender-model"}  # shop is the subject
    boto3 = packages["boto3"]
    assert boto3.purl == "pkg:pypi/boto3@1.34.150" and boto3.ecosystem == "pypi"
    assert boto3.suppliers == ["Amazon Web Services, Inc."]  # suppliedBy resolved to the agent's name
    assert boto3.declared_licenses == ["Apache-2.0"]  # a listed licence referenced by IRI only
    botocore = packages["botocore"]
    assert botocore.purl == "pkg:pypi/botocore@1.34.150"  # from externalIdentifier
    assert botocore.suppliers == ["Amazon Web Services, Inc.", "Jane Maintainer"]  # plus originatedBy
    assert botocore.repository == "https://github.com/boto/botocore"
    assert botocore.declared_licenses == []  # NoAssertion individual
    assert packages["pytest"].declared_licenses == ["(MIT OR Apache-2.0)"]  # a disjunctive set
    uvloop = packages["uvloop"]
    assert uvloop.declared_licenses == ["MIT OR Apache-2.0"]  # declared NOASSERTION: the concluded one
    assert uvloop.properties["license_evidence"] == "concluded"
    assert packages["recommender-model"].properties == {"spdx_type": "AIPackage", "primary_purpose": "model"}
    assert boto3.sources[0].line == 53


def test_spdx3_graph_scopes_and_direct():
    packages = {c.name: c for c in read_file(SPDX / "shop.spdx3.json").components}
    assert {n for n, c in packages.items() if c.direct} == {"boto3", "pytest", "uvloop", "recommender-model"}
    assert packages["botocore"].direct is False
    assert packages["botocore"].introduced_by == ["pkg:pypi/boto3@1.34.150"]
    assert packages["pytest"].scope == "dev"  # LifecycleScopedRelationship scope "test"
    assert packages["uvloop"].scope == "optional"  # hasOptionalDependency
    assert packages["boto3"].scope is None


def test_spdx3_not_a_graph(tmp_path):
    error = read_error(
        tmp_path / "doc.spdx3.json", '{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": 5}'
    )
    assert "no @graph" in error.message


def test_spdx_yaml_through_the_shared_spdx2_model():
    result = read_file(SPDX / "shop.spdx.yaml")
    assert result.format == "spdx-yaml"
    packages = {c.name: c for c in result.components}
    assert set(packages) == {"requests", "urllib3", "pytest"}  # shop is described and has dependencies
    requests = packages["requests"]
    assert requests.purl == "pkg:pypi/requests@2.32.3"
    assert requests.suppliers == ["Python Software Foundation"]
    assert requests.declared_licenses == ["Apache-2.0"]
    assert requests.direct is True and requests.sources[0].line == 20
    urllib3 = packages["urllib3"]
    assert urllib3.version == "1.10"  # a plain scalar stays a string, not the float 1.1
    assert urllib3.direct is False and urllib3.declared_licenses == ["MIT"]
    assert urllib3.sources[0].line == 32  # SPDXID: 'quoted'
    assert packages["pytest"].scope == "dev"


@pytest.mark.parametrize(
    "content, message, line",
    [
        ("spdxVersion: SPDX-2.3\npackages:\n  - name: a\n   bad: indent\n", "invalid YAML", 4),
        ("spdxVersion: SPDX-2.3\npackages: [\n", "invalid YAML", None),
        ("document:\n  spdxVersion: SPDX-2.3\n", "not an SPDX 2.x YAML document", None),
        ("spdxVersion: SPDX-2.3\nname: !!python/object/apply:os.system ['true']\n", "invalid YAML", 2),
    ],
)
def test_spdx_yaml_errors(tmp_path, content, message, line):
    error = read_error(tmp_path / "doc.spdx.yaml", content)
    assert message in error.message
    if line is not None:
        assert error.line == line


def test_spdx_yaml_self_referencing_alias_is_harmless(tmp_path):
    path = tmp_path / "loop.spdx.yaml"
    path.write_text("spdxVersion: SPDX-2.3\npackages: &a [*a, {name: x, SPDXID: SPDXRef-x, relationships: *a}]\n")
    assert [c.name for c in read_file(path).components] == ["x"]


def test_spdx_yaml_deep_nesting_is_an_error_not_a_crash(tmp_path):
    # libyaml's C composer overflows the C stack on this (a segmentation fault): the reader must not use it here
    error = read_error(
        tmp_path / "deep.spdx.yaml", "spdxVersion: SPDX-2.3\npackages: " + "[" * 200_000 + "]" * 200_000 + "\n"
    )
    assert "nested too deeply" in error.message
