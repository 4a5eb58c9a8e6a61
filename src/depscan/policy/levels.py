"""Sovereignty levels 0-4 after the EU Cloud Sovereignty Framework's SEAL scale.

The framework (European Commission, DG DIGIT, v1.2.1, October 2025) rates a
cloud service from SEAL-0 (exclusive control of non-EU parties, non-EU
jurisdiction) to SEAL-4 (complete EU control, subject only to EU law, no
critical non-EU dependency). depscan cannot audit a provider; it reads the
facts the vendor database records (who controls the component, from where,
which extraterritorial laws reach that controller, whether the EU has an
adequacy decision for that country, which qualifications it holds) and the
licence, and maps them onto the scale with two small tables, one for what
runs elsewhere (hosted kinds) and one for code the application holds. The
method, each cell's justification and the sources are in docs/levels.md.

An application's level is the floor over its hosted dependencies, as the
framework's minimum rule does over its objectives.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from depscan.model import Component

#: kinds through which the application's data or operations depend on the controller at run time
HOSTED_KINDS = frozenset({"sdk", "service", "infrastructure"})
#: kinds judged by the jurisdiction of the operator, like hosted ones (a registry is a service)
OPERATED_KINDS = HOSTED_KINDS | {"registry"}
#: certifications that attest EU-only operation and immunity from non-EU law for a qualified offer
SOVEREIGN_CERTIFICATIONS = frozenset({"SecNumCloud", "EUCS-High+", "EUCS High+"})

LEVEL_NAMES = {
    0: "no sovereignty",
    1: "jurisdictional sovereignty (EU law on paper)",
    2: "data sovereignty",
    3: "digital resilience",
    4: "full digital sovereignty",
}

#: code the application holds: (controller in the EU/EEA, reached by a non-EU law) -> level by openness
_CODE_LEVELS: dict[tuple[bool, bool], dict[str, int]] = {
    (True, False): {"open": 4, "unknown": 3, "closed": 3},
    (True, True): {"open": 3, "unknown": 2, "closed": 2},
    (False, False): {"open": 3, "unknown": 2, "closed": 1},
    (False, True): {"open": 2, "unknown": 1, "closed": 0},
}


def component_level(
    component: Component,
    countries: dict[str, dict[str, Any]],
    qualified_vendors: Collection[str] = (),
) -> tuple[int | None, str]:
    """The level of one component and the sentence that explains it.

    `qualified_vendors` are vendor ids the organisation asserts it uses only
    through an offer within their sovereignty qualification's scope: depscan
    cannot see which offer an SDK talks to, so it never grants level 4 to a
    hosted component on the qualification alone.
    """
    vendor = component.vendor
    if component.kind in OPERATED_KINDS and component.implies is not None:
        # a hosted dependency is judged by who operates the service or infrastructure it drives
        vendor = component.implies
    if vendor is None:
        return None, "controller unknown: no vendor database rule matched this component"
    if not vendor.legal_entity:
        return None, (
            f"{component.kind} published by {vendor.controller_name}, a {vendor.controller_type} with no legal "
            "entity: no jurisdiction, so no jurisdictional level"
        )
    laws = ", ".join(vendor.laws)
    where = f"controlled from {vendor.country} by {vendor.controller_name}"
    if vendor.confidence == "low":
        where += " (low-confidence attribution)"
    if (component.kind in OPERATED_KINDS and not is_self_run_image(component)) or is_hosted_runner(component):
        return _operated_level(component, vendor, where, laws, countries, qualified_vendors)
    return _code_level(component, vendor.eu, where, laws)


def is_self_run_image(component: Component) -> bool:
    """A container image the operator runs on hosts of its choosing: code it holds, judged like code,
    though it is runtime infrastructure of the application."""
    return component.ecosystem == "docker" and component.kind == "infrastructure"


def is_hosted_runner(component: Component) -> bool:
    """A hosted CI runner: build chain (tooling), but a machine its provider operates, judged like a service."""
    return component.ecosystem in ("github-runner", "gitlab-runner")


def _operated_level(
    component: Component,
    vendor: Any,
    where: str,
    laws: str,
    countries: dict[str, dict[str, Any]],
    qualified_vendors: Collection[str],
) -> tuple[int, str]:
    what = f"{component.kind} {where}"
    if vendor.eu:
        if vendor.laws:
            return 2, f"{what}, an EU/EEA controller, but a group entity is reached by {laws} (indirect non-EU control)"
        qualifications = sorted(SOVEREIGN_CERTIFICATIONS & set(vendor.certifications))
        if qualifications and ({vendor.id, vendor.controller} & set(qualified_vendors)):
            return 4, (
                f"{what}, EU/EEA controller, no extraterritorial law recorded, {', '.join(qualifications)}-qualified "
                "offer in use (asserted in the depscan configuration)"
            )
        if qualifications:
            return 3, (
                f"{what}, EU/EEA controller, no extraterritorial law recorded; it holds {', '.join(qualifications)} "
                "for some offers: level 4 once the offer in use is confirmed in scope (setting qualified_vendors)"
            )
        return 3, f"{what}, EU/EEA controller, no extraterritorial law recorded, no sovereignty qualification"
    adequacy = countries.get(vendor.country, {}).get("adequacy")
    adequacy_text = f"GDPR adequacy ({adequacy.get('decision', 'decision')})" if adequacy else ""
    if vendor.laws:
        if adequacy:
            return 1, f"{what}, reached by {laws}; {adequacy_text} makes EU law apply on paper only"
        return 0, f"{what}, reached by {laws}, and no GDPR adequacy decision for {vendor.country}"
    if adequacy:
        return 2, f"{what}, outside the EU/EEA, no extraterritorial law recorded, {adequacy_text}"
    return 1, f"{what}, outside the EU/EEA, no extraterritorial law recorded, no GDPR adequacy decision"


def _code_level(component: Component, eu: bool, where: str, laws: str) -> tuple[int, str]:
    license_ = component.license
    if license_ is not None and license_.open_source is True:
        openness, licence_text = "open", f"open-source licence {license_.expression}"
    elif license_ is not None and license_.open_source is False:
        openness, licence_text = "closed", f"licence {license_.expression} is not open source ({license_.category})"
    else:
        openness, licence_text = "unknown", "licence unknown, so not counted as open source"
    reached = bool(laws)
    level = _CODE_LEVELS[(eu, reached)][openness]
    jurisdiction = "an EU/EEA controller" if eu else "outside the EU/EEA"
    law_text = f"reached by {laws}" if reached else "no extraterritorial law recorded"
    fork = "; the code can be held and forked" if openness == "open" else ""
    return level, f"{component.kind} {where}, {jurisdiction}, {law_text}; {licence_text}{fork}"


def application_level(components: list[Component]) -> tuple[int | None, str]:
    """The floor over the hosted dependencies (SDKs, services, infrastructure), as the framework does."""
    hosted = [c for c in components if c.kind in HOSTED_KINDS and c.level is not None]
    unknown = sum(1 for c in components if c.kind in HOSTED_KINDS and c.level is None and c.vendor is None)
    unknown_text = (
        f"; {unknown} with an unknown controller not assessed (the level holds only if they reach it too)"
        if unknown
        else ""
    )
    if not hosted:
        if unknown:
            return None, f"{unknown} SDK, service or infrastructure dependencies, all with an unknown controller"
        return None, "no SDK, service or infrastructure dependency in the inputs"
    worst = min(hosted, key=lambda c: (c.level, c.direct is not True, c.id))  # name a direct one when it ties
    return worst.level, (
        f"floor over {len(hosted)} SDK, service and infrastructure dependencies, set by {worst.name} "
        f"({operator.controller_name if (operator := worst.implies or worst.vendor) else 'unknown'}){unknown_text}"
    )
