"""Sovereignty levels (the two tables of docs/levels.md), the application floor, indicators and the score."""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import FIXTURES
from depscan.model import Component, License, VendorMatch
from depscan.policy import scores
from depscan.policy.levels import application_level, component_level

COUNTRIES = {
    "US": {"name": "United States", "laws": ["us-cloud-act"], "adequacy": {"decision": "DPF 2023/1795"}},
    "GB": {"name": "United Kingdom", "laws": ["uk-ipa"], "adequacy": {"decision": "2021/1772"}},
    "CN": {"name": "China", "laws": ["cn-nil"]},
    "CH": {"name": "Switzerland", "laws": [], "adequacy": {"decision": "2000/518"}},
    "AE": {"name": "United Arab Emirates", "laws": []},
    "FR": {"name": "France", "eu": True, "laws": []},
}
LAWS = {
    "us-cloud-act": {"name": "CLOUD Act", "country": "US"},
    "cn-nil": {"name": "National Intelligence Law", "country": "CN"},
}
OPEN = License("Apache-2.0", "permissive", True)
CLOSED = License("LicenseRef-Proprietary", "proprietary", False)
UNKNOWN = License(None, "unknown", None)


def component(
    kind: str,
    country: str | None,
    laws: tuple[str, ...] = (),
    license_: License = OPEN,
    certifications: tuple[str, ...] = (),
    controller: str | None = None,
    name: str = "c",
    direct: bool | None = None,
) -> Component:
    item = Component(name=name, purl=f"pkg:pypi/{name}@1.0", kind=kind, direct=direct)
    item.license = license_
    if country is not None:
        vendor_id = controller or f"vendor-{country.lower()}"
        item.vendor = VendorMatch(
            id=vendor_id,
            name=vendor_id,
            country=country,
            eu=bool(COUNTRIES[country].get("eu")),
            controller=vendor_id,
            controller_name=vendor_id.title(),
            laws=laws,
            evidence="test",
            match_key="purl",
            kind=kind,
            chain=(vendor_id,),
            certifications=certifications,
        )
    return item


@pytest.mark.parametrize(
    "kind, country, laws, certifications, qualified, expected",
    [
        ("service", "CN", ("cn-nil",), (), (), 0),  # reached by a law, no adequacy
        ("sdk", "US", ("us-cloud-act",), (), (), 1),  # reached by a law, adequacy: EU law on paper
        ("infrastructure", "GB", ("uk-ipa",), (), (), 1),
        ("service", "AE", (), (), (), 1),  # no law recorded, no adequacy
        ("service", "CH", (), (), (), 2),  # no law recorded, adequacy
        ("sdk", "FR", ("us-cloud-act",), (), (), 2),  # EU controller, a group entity reached by a non-EU law
        ("service", "FR", (), (), (), 3),
        ("service", "FR", (), ("SecNumCloud",), (), 3),  # qualified for some offers: not enough alone
        ("service", "FR", (), ("SecNumCloud",), ("vendor-fr",), 4),  # the offer in use is asserted in scope
        ("service", "FR", (), ("HDS",), ("vendor-fr",), 3),  # HDS is not a sovereignty qualification
        ("registry", "US", ("us-cloud-act",), (), (), 1),
    ],
)
def test_operated_kinds(kind, country, laws, certifications, qualified, expected) -> None:
    level, reason = component_level(component(kind, country, laws, certifications=certifications), COUNTRIES, qualified)
    assert level == expected, reason
    assert country in reason


@pytest.mark.parametrize(
    "country, laws, license_, expected",
    [
        ("FR", (), OPEN, 4),
        ("FR", (), UNKNOWN, 3),
        ("FR", (), CLOSED, 3),
        ("FR", ("us-cloud-act",), OPEN, 3),
        ("CH", (), OPEN, 3),
        ("CH", (), UNKNOWN, 2),
        ("CH", (), CLOSED, 1),
        ("US", ("us-cloud-act",), OPEN, 2),
        ("US", ("us-cloud-act",), UNKNOWN, 1),
        ("US", ("us-cloud-act",), CLOSED, 0),
    ],
)
def test_held_code(country, laws, license_, expected) -> None:
    for kind in ("library", "tooling"):
        level, reason = component_level(component(kind, country, laws, license_), COUNTRIES)
        assert level == expected, reason


def test_unknown_controller_has_no_level() -> None:
    level, reason = component_level(component("service", None), COUNTRIES)
    assert level is None and "unknown" in reason


def test_application_level_is_the_floor_over_hosted_dependencies() -> None:
    items = [
        component("library", "US", ("us-cloud-act",), CLOSED, name="closed-lib"),  # level 0, but not hosted
        component("sdk", "FR", name="eu-sdk"),
        component("service", "CH", name="swiss-saas"),
        component("service", None, name="mystery-saas"),
    ]
    for item in items:
        item.level, item.level_reason = component_level(item, COUNTRIES)
    level, reason = application_level(items)
    assert level == 2 and "swiss-saas" in reason and "1 with an unknown controller" in reason
    assert application_level([items[0]]) == (None, "no SDK, service or infrastructure dependency in the inputs")


def test_herfindahl_and_bands() -> None:
    assert scores.herfindahl(Counter(a=1, b=1)) == 5000
    assert scores.herfindahl(Counter(a=40, b=30, c=20, d=10)) == 3000
    assert scores.herfindahl(Counter(a=1)) == 10000
    assert scores.herfindahl(Counter()) is None
    assert [scores.hhi_band(h) for h in (999, 1000, 2000, 2001, None)] == ["low", "moderate", "moderate", "high", None]


def test_indicators_and_score_are_traceable() -> None:
    items = [
        component("sdk", "US", ("us-cloud-act",), controller="amazon", name="boto3", direct=True),
        component("sdk", "US", ("us-cloud-act",), controller="amazon", name="botocore", direct=False),
        component("sdk", "FR", controller="ovhcloud", name="ovh", direct=True),
        component("library", "FR", controller="ovhcloud", name="ovh-tools", license_=UNKNOWN, direct=False),
        component("library", None, name="mystery", license_=CLOSED, direct=True),
        component("service", "CN", ("cn-nil",), controller="tencent", name="tencent-api", direct=True),
    ]
    for item in items:
        item.level, item.level_reason = component_level(item, COUNTRIES)
    values = scores.indicators(items, LAWS, COUNTRIES)
    assert values["components"] == {
        "total": 6,
        "attributed": 5,
        "eu": 2,
        "unknown": 1,
        "jurisdiction": 5,
        "no_jurisdiction": 0,
        "eu_share": 0.3333,
        "eu_share_of_attributed": 0.4,
        "eu_share_of_jurisdiction": 0.4,
    }
    assert values["direct"]["total"] == 4 and values["direct"]["eu"] == 1 and values["direct"]["attributed"] == 3
    assert values["open_source"] == {
        "total": 6,
        "known": 5,
        "unknown": 1,
        "open": 4,
        "share": 0.6667,
        "share_of_known": 0.8,
    }
    # shares 2/5, 2/5, 1/5 -> 1600 + 1600 + 400
    assert values["concentration"]["hhi"] == 3600 and values["concentration"]["band"] == "high"
    assert values["concentration"]["top"][0] == {
        "controller": "amazon",
        "name": "Amazon",
        "components": 2,
        "share": 0.4,
    }
    us, cn = values["jurisdictions"]
    assert (us["country"], us["components"], us["hosted"], us["direct"]) == ("US", 2, 2, 1)
    assert us["laws"] == [{"id": "us-cloud-act", "name": "CLOUD Act"}]
    assert (cn["country"], cn["controllers"]) == ("CN", ["tencent"])

    total, parts = scores.score(items, values)
    by_id = {part["id"]: part for part in parts}
    # providers: amazon at 1, ovhcloud at 3, tencent at 0 -> (1 + 3 + 0) / (4 * 3)
    assert by_id["hosted_level"]["value"] == 0.3333
    assert by_id["eu_control"]["value"] == 0.4 and by_id["open_source"]["value"] == 0.8
    assert by_id["diversity"]["value"] == 0.64
    expected = round(100 * (45 * 0.3333 + 25 * 0.4 + 15 * 0.8 + 10 * 0.64) / 95)
    assert total == expected == 46
    assert sum(part["points"] for part in parts) == pytest.approx(total, abs=0.5)


def test_parts_with_nothing_to_measure_are_left_out() -> None:
    items = [component("library", "FR", license_=UNKNOWN, name="only")]
    items[0].level, _ = component_level(items[0], COUNTRIES)
    total, parts = scores.score(items, scores.indicators(items, LAWS, COUNTRIES))
    by_id = {part["id"]: part for part in parts}
    assert by_id["hosted_level"]["value"] is None and by_id["open_source"]["value"] is None
    # eu_control 1.0 (weight 25) and diversity 0.0 (one controller, weight 10)
    assert total == round(100 * 25 / 35)
    assert scores.score([], scores.indicators([], LAWS, COUNTRIES))[0] is None


def test_report_summary_on_the_fixture(cli) -> None:
    run = cli("scan", str(FIXTURES / "policy" / "app.cdx.json"), "--format", "json", "--fail-on", "none")
    summary = run.json()["summary"]
    assert summary["level"] == 0 and "tencentcloud-sdk-python" in summary["level_reason"]
    assert summary["level_name"] == "no sovereignty"
    assert 0 <= summary["score"] <= 100
    assert {part["id"] for part in summary["score_parts"]} == set(scores.SCORE_PARTS)
    assert [j["country"] for j in summary["indicators"]["jurisdictions"]] == ["US", "CN"]
    assert sum(summary["by_level"].values()) == summary["components"]
