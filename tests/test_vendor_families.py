"""Family match rules (Go module trees, crate families, Maven groups, NuGet ids, gems, Composer vendors,
Actions owners, image namespaces, Terraform providers): real members resolve to their publisher, and
look-alikes outside a family are claimed by nobody or by someone else.

The expectation files are written from the publishers' own pages, not from vendor_db/.
"""

from __future__ import annotations

import pytest

from conftest import ROOT
from depscan import _toml
from depscan.model import Component
from depscan.vendordb.lookup import lookup

DATA = ROOT / "tests" / "data"
FAMILIES = _toml.loads((DATA / "family_expectations.toml").read_text())
INFRA = _toml.loads((DATA / "infra_expectations.toml").read_text())
NOBODY = "-"


def _purl(ecosystem: str, name: str) -> str:
    return f"pkg:{ecosystem}/{name}@1.0.0"


@pytest.mark.parametrize(
    "ecosystem, name, vendor",
    [(eco, name, vendor) for eco, table in FAMILIES.items() for name, vendor in table.items()],
)
def test_family_members_resolve_to_their_publisher(database, ecosystem, name, vendor):
    found = lookup(database, _purl(ecosystem, name))
    if vendor == NOBODY:
        assert found is None, f"{ecosystem}/{name}: look-alike claimed by {found and found.id}"
    else:
        assert found is not None, f"{ecosystem}/{name}: no vendor"
        assert found.id == vendor, f"{ecosystem}/{name}: {found.id} ({found.evidence})"


def _infra_component(shape: str, text: str) -> Component:
    if shape == "action":
        return Component(name=text, action=text, ecosystem="github-actions", kind="tooling")
    if shape == "image":
        return Component(name=text, image=text, ecosystem="docker", kind="tooling")
    return Component(name=text, terraform_provider=text, ecosystem="terraform", kind="infrastructure")


@pytest.mark.parametrize(
    "shape, text, vendor",
    [(shape, text, vendor) for shape, table in INFRA.items() for text, vendor in table.items()],
)
def test_actions_images_and_providers_resolve_to_their_publisher(database, shape, text, vendor):
    found = database.resolve(_infra_component(shape, text))
    if vendor == NOBODY:
        assert found is None, f"{text}: claimed by {found and found.id}"
        return
    assert found is not None, f"{text}: no vendor"
    assert found.id == vendor, f"{text}: {found.id} ({found.evidence})"
    if shape == "image":
        # the namespace decides, not the registry that serves the image
        assert found.match_key != "container_registry", f"{text}: attributed through its registry"


def _prefixes(database):
    for vendor in database.vendors.values():
        for match in vendor.matches:
            for prefix in match.get("purl_prefix", ()) or ():
                yield vendor.id, prefix


# Prefixes that do not end at a separator, accepted because the namespace before them is the publisher's own
# (an npm scope, a NuGet id reserved on nuget.org, a Maven groupId) or the name is the SDK's own.
OPEN_PREFIXES = {
    "pkg:pypi/apache-airflow",
    "pkg:pypi/huaweicloudsdk",
    "pkg:pypi/ionoscloud",
    "pkg:npm/%40microsoft/microsoft-graph",
    "pkg:npm/%40scaleway/sdk",
    "pkg:nuget/google.apis",
    "pkg:nuget/microsoft.applicationinsights",
    "pkg:maven/com.tencent/mmkv",
}


def test_family_prefixes_end_at_a_namespace_boundary(database):
    """A family prefix stops at '/', '.', '-' or '_': 'github.com/gorilla/' cannot take 'github.com/gorillax/'.

    A Go module path (host and owner fixed, e.g. 'github.com/stripe/stripe-go') may stay open, so that its
    major-version paths (/v76) match."""
    for vendor_id, prefix in _prefixes(database):
        if prefix.endswith(("/", ".", "-", "_")):
            continue
        if prefix.startswith("pkg:golang/"):
            path = prefix.removeprefix("pkg:golang/")
            assert path.count("/") >= 1, (vendor_id, prefix)
            continue
        assert prefix.lower() in OPEN_PREFIXES, (vendor_id, prefix)


def test_a_namespace_prefix_does_not_claim_a_sibling_namespace(database):
    """The sibling of a namespace ('com.vaadinzz.', 'github.com/gorillazz-lookalike/') is not taken by the same
    rule: it resolves to nobody, to another publisher, or through a broader namespace the same publisher owns."""
    checked = 0
    for vendor_id, prefix in _prefixes(database):
        if not prefix.endswith(("/", ".")) or prefix.count("/") < 2:
            continue
        sep = prefix[-1]
        lookalike = f"{prefix[:-1]}zzlookalike{sep}pkg".lower()
        rule = database.index.purl_prefixes.find(lookalike)
        if rule is not None and rule.vendor == vendor_id:
            broader = rule.value.lower()
            assert len(broader) < len(prefix) and prefix.lower().startswith(broader), (prefix, lookalike, rule.value)
        checked += 1
    assert checked > 200
