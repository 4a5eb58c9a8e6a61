"""Tests over the vendor database itself: it validates, it is sourced, and real SDKs resolve."""

from __future__ import annotations

import pytest

from conftest import ROOT
from depscan import _toml
from depscan.vendordb.lookup import interpretations, lookup
from depscan.vendordb.validate import validate

EXPECTATIONS = _toml.loads((ROOT / "tests" / "data" / "sdk_expectations.toml").read_text())


def test_shipped_database_validates():
    errors, count = validate(ROOT / "vendor_db")
    assert errors == []
    assert count >= 300


def test_every_vendor_is_sourced_reviewed_and_rated(database):
    for vendor in database.vendors.values():
        assert vendor.sources, vendor.id
        assert all(str(s.get("url", "")).startswith(("https://", "http://")) for s in vendor.sources), vendor.id
        assert vendor.reviewed and vendor.confidence in ("high", "medium", "low"), vendor.id


def test_parent_chains_end_at_a_controller_in_a_known_country(database):
    for vendor_id in database.vendors:
        chain = database.chain(vendor_id)
        controller = database.vendors[chain[-1]]
        assert controller.parent is None, f"{vendor_id}: chain {chain} loops"
        assert controller.country in database.countries, vendor_id


def test_no_two_vendors_claim_the_same_key(database):
    assert database.index.conflicts == []


def test_every_exact_purl_key_resolves_to_its_own_vendor(database):
    """An exact key must never be shadowed by another vendor's rule."""
    for vendor in database.vendors.values():
        for match in vendor.matches:
            # a rule with a publisher gives the component to the publisher, and implies this vendor
            owner = match.get("publisher") or vendor.id
            for purl in match.get("purl", ()):
                found = lookup(database, purl)
                assert found is not None and found.id == owner, (purl, owner, found and found.id)


@pytest.mark.parametrize(
    "ecosystem, name, vendor",
    [(eco, name, vendor) for eco, table in EXPECTATIONS.items() for name, vendor in table.items()],
)
def test_real_sdks_resolve_to_their_vendor(database, ecosystem, name, vendor):
    if ecosystem == "npm" and name.startswith("@"):
        purl = f"pkg:npm/%40{name[1:]}@1.0.0"
    else:
        purl = f"pkg:{ecosystem}/{name}@1.0.0"
    found = lookup(database, purl)
    assert found is not None, f"{purl}: no vendor"
    # an SDK whose publisher is not the service it calls (livekit-plugins-deepgram) names the service as implied
    [component] = interpretations(purl)
    _, implied = database.resolve_all(component)
    assert vendor in (found.id, implied and implied.id), f"{purl}: {found.id} ({found.evidence})"


def test_eu_providers_are_eu_and_hyperscalers_are_not(database):
    for vendor_id in ("ovhcloud", "scaleway", "outscale", "mistral-ai", "ionos", "hetzner", "stackit", "adyen"):
        found = database.describe(vendor_id, "test", "purl", "sdk")
        assert found.eu, vendor_id
    for vendor_id in ("aws", "microsoft", "google", "oracle", "alibaba-cloud", "exoscale"):
        found = database.describe(vendor_id, "test", "purl", "sdk")
        assert not found.eu, vendor_id


def test_hard_cases_are_recorded_as_they_are(database):
    # AWS's EU contracting entity does not make AWS European: the chain ends at Amazon, US
    assert database.chain("aws")[-1] == "amazon"
    # Exoscale is Swiss, owned through A1 Telekom Austria by America Movil (Mexico)
    assert database.vendors[database.chain("exoscale")[-1]].country == "MX"
    # Alcatel-Lucent Enterprise: French brand, Chinese owner reached by Chinese law
    ale = database.describe("alcatel-lucent-enterprise", "test", "purl", "service")
    assert ale.country == "CN" and not ale.eu and ale.laws


def test_lookup_cli_json_shape(cli):
    run = cli("db", "lookup", "pkg:pypi/boto3", "github.com/aws/aws-cdk", "nonexistent-vendor-xyz", "--format", "json")
    assert run.code == 0, run.stderr
    answers = run.json()
    assert [a["query"] for a in answers] == ["pkg:pypi/boto3", "github.com/aws/aws-cdk", "nonexistent-vendor-xyz"]
    assert answers[0]["vendor"]["id"] == "aws" and answers[0]["vendor"]["country"] == "US"
    assert answers[0]["kind"] == "sdk" and answers[0]["evidence"]
    assert answers[1]["vendor"]["controller"] == "amazon"
    assert answers[2]["vendor"] is None


def test_stats_cli(cli):
    run = cli("db", "stats", "--format", "json")
    assert run.code == 0
    stats = run.json()
    assert stats["vendors"] >= 300 and stats["without_sources"] == []


def test_validate_reports_broken_records(cli, tmp_path):
    root = tmp_path / "db"
    (root / "vendors").mkdir(parents=True)
    for name in ("countries.toml", "laws.toml", "registries.toml"):
        (root / name).write_bytes((ROOT / "vendor_db" / name).read_bytes())
    (root / "vendors" / "a.toml").write_text(
        'id = "a"\nname = "A"\ntype = "company"\ncountry = "ZZ"\nparent = "b"\nreviewed = "2026-11-23"\n'
        'confidence = "sure"\nsurprise = 1\n[[sources]]\nurl = "not a url"\nsupports = "x"\nchecked = "2026-11-23"\n'
        '[[match]]\nkind = "sdk"\npurl = ["pkg:pypi/x"]\n'
    )
    (root / "vendors" / "b.toml").write_text(
        'id = "b"\nname = "B"\ntype = "company"\ncountry = "US"\nparent = "a"\nreviewed = "2026-11-23"\n'
        'confidence = "high"\n[[sources]]\nurl = "https://example.com"\nsupports = "x"\nchecked = "2026-11-23"\n'
        '[[match]]\nkind = "sdk"\npurl = ["pkg:pypi/x"]\n'
    )
    run = cli("db", "validate", "--vendor-db", str(root))
    assert run.code == 2
    for fragment in (
        "unknown country 'ZZ'",
        "confidence must be",
        "unknown field 'surprise'",
        "url is not a URL",
        "parent chain loops",
        "claimed by both",
    ):
        assert fragment in run.stderr, fragment


def test_lookup_does_not_guess_docker_hub_for_a_bare_owner_name(database):
    assert lookup(database, "terraform-provider-openstack/openstack") is None
    assert lookup(database, "nginx:1.27").id == "docker"
    assert lookup(database, "hashicorp/aws").id == "hashicorp"  # HashiCorp's code; it implies AWS infrastructure


def test_every_purl_prefix_resolves_to_its_own_vendor_unless_a_longer_prefix_claims_it(database):
    from depscan.vendordb import keys

    prefixes = {}
    for vendor in database.vendors.values():
        for match in vendor.matches:
            for prefix in match.get("purl_prefix", ()):
                prefixes[keys.purl_prefix_key(prefix)] = vendor.id
    for prefix, vendor_id in prefixes.items():
        probe = prefix + ("example-package" if prefix.endswith(("/", "-", ".")) else "") + "@1.0.0"
        if not probe.split("@")[0].rstrip("/").count("/"):
            continue
        found = lookup(database, probe)
        longer = [p for p in prefixes if p != prefix and p.startswith(prefix) and probe.startswith(p)]
        if longer:
            continue
        assert found is not None and found.id == vendor_id, (probe, vendor_id, found and found.id)


def test_a_community_without_legal_entity_brings_no_country_law(database, cli, tmp_path):
    pallets = database.describe("pallets", "test", "purl", "library")
    assert pallets.laws == ()  # the US placeholder country does not make the CLOUD Act reach volunteers
    psf = database.describe("psf", "test", "purl", "library")
    assert "us-cloud-act" in psf.laws  # a legal entity in the same country is reached
    root = tmp_path / "db"
    (root / "vendors").mkdir(parents=True)
    for name in ("countries.toml", "laws.toml", "registries.toml"):
        (root / name).write_bytes((ROOT / "vendor_db" / name).read_bytes())
    (root / "vendors" / "acme.toml").write_text(
        'id = "acme"\nname = "Acme Inc."\ntype = "company"\ncountry = "US"\nlegal_entity = false\n'
        'reviewed = "2026-11-23"\nconfidence = "high"\n'
        '[[sources]]\nurl = "https://example.com"\nsupports = "x"\nchecked = "2026-11-23"\n'
    )
    run = cli("db", "validate", "--vendor-db", str(root))
    assert run.code == 2 and "legal_entity = false is for a community" in run.stderr


def test_stats_count_communities_and_individuals_apart_from_jurisdictions(database):
    from depscan.vendordb.stats import stats

    counts = stats(database)
    assert counts["eu_controlled"] + counts["extra_eu_controlled"] + counts["no_jurisdiction"] == counts["vendors"]
    without = [v for v in database.vendors if not database.vendors[database.chain(v)[-1]].legal_entity]
    assert without and counts["no_jurisdiction"] == len(without)
    assert counts["by_controller_country"]["none (no legal entity)"] == len(without)
