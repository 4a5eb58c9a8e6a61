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

from depscan.i18n import N_, Text
from depscan.model import Component

#: kinds through which the application's data or operations depend on the controller at run time
HOSTED_KINDS = frozenset({"sdk", "service", "infrastructure"})
#: kinds judged by the jurisdiction of the operator, like hosted ones (a registry is a service)
OPERATED_KINDS = HOSTED_KINDS | {"registry"}
#: certifications that attest EU-only operation and immunity from non-EU law for a qualified offer
SOVEREIGN_CERTIFICATIONS = frozenset({"SecNumCloud", "EUCS-High+", "EUCS High+"})

#: in English (the JSON report's level_name); reports translate them where they show them
LEVEL_NAMES = {
    0: N_("no sovereignty"),
    1: N_("jurisdictional sovereignty (EU law on paper)"),
    2: N_("data sovereignty"),
    3: N_("digital resilience"),
    4: N_("full digital sovereignty"),
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
) -> tuple[int | None, Text]:
    """The level of one component and the sentence that explains it (English as a str, translatable later).

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
        return None, Text("controller unknown: no vendor database rule matched this component")
    if not vendor.legal_entity:
        return None, Text(
            "{kind} published by {controller}, a {type} with no legal entity: no jurisdiction, so no "
            "jurisdictional level",
            kind=Text(component.kind),
            controller=vendor.controller_name,
            type=vendor.controller_type,
        )
    laws = ", ".join(vendor.laws)
    if vendor.confidence == "low":
        where = Text(
            "controlled from {country} by {controller} (low-confidence attribution)",
            country=vendor.country,
            controller=vendor.controller_name,
        )
    else:
        where = Text(
            "controlled from {country} by {controller}", country=vendor.country, controller=vendor.controller_name
        )
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
    where: Text,
    laws: str,
    countries: dict[str, dict[str, Any]],
    qualified_vendors: Collection[str],
) -> tuple[int, Text]:
    what = Text("{kind} {where}", kind=Text(component.kind), where=where)
    if vendor.eu:
        if vendor.laws:
            return 2, Text(
                "{what}, an EU/EEA controller, but a group entity is reached by {laws} (indirect non-EU control)",
                what=what,
                laws=laws,
            )
        qualifications = ", ".join(sorted(SOVEREIGN_CERTIFICATIONS & set(vendor.certifications)))
        if qualifications and ({vendor.id, vendor.controller} & set(qualified_vendors)):
            return 4, Text(
                "{what}, EU/EEA controller, no extraterritorial law recorded, {qualifications}-qualified offer in use "
                "(asserted in the depscan configuration)",
                what=what,
                qualifications=qualifications,
            )
        if qualifications:
            return 3, Text(
                "{what}, EU/EEA controller, no extraterritorial law recorded; it holds {qualifications} for some "
                "offers: level 4 once the offer in use is confirmed in scope (setting qualified_vendors)",
                what=what,
                qualifications=qualifications,
            )
        return 3, Text(
            "{what}, EU/EEA controller, no extraterritorial law recorded, no sovereignty qualification", what=what
        )
    adequacy = countries.get(vendor.country, {}).get("adequacy")
    adequacy_text = (
        Text("GDPR adequacy ({decision})", decision=adequacy.get("decision", "decision")) if adequacy else ""
    )
    if vendor.laws:
        if adequacy:
            return 1, Text(
                "{what}, reached by {laws}; {adequacy} makes EU law apply on paper only",
                what=what,
                laws=laws,
                adequacy=adequacy_text,
            )
        return 0, Text(
            "{what}, reached by {laws}, and no GDPR adequacy decision for {country}",
            what=what,
            laws=laws,
            country=vendor.country,
        )
    if adequacy:
        return 2, Text(
            "{what}, outside the EU/EEA, no extraterritorial law recorded, {adequacy}",
            what=what,
            adequacy=adequacy_text,
        )
    return 1, Text("{what}, outside the EU/EEA, no extraterritorial law recorded, no GDPR adequacy decision", what=what)


def _code_level(component: Component, eu: bool, where: Text, laws: str) -> tuple[int, Text]:
    license_ = component.license
    if license_ is not None and license_.open_source is True:
        openness, licence_text = "open", Text("open-source licence {expression}", expression=license_.expression)
    elif license_ is not None and license_.open_source is False:
        openness, licence_text = (
            "closed",
            Text(
                "licence {expression} is not open source ({category})",
                expression=license_.expression,
                category=license_.category,
            ),
        )
    else:
        openness, licence_text = "unknown", Text("licence unknown, so not counted as open source")
    reached = bool(laws)
    level = _CODE_LEVELS[(eu, reached)][openness]
    jurisdiction = Text("an EU/EEA controller") if eu else Text("outside the EU/EEA")
    law_text = Text("reached by {laws}", laws=laws) if reached else Text("no extraterritorial law recorded")
    template = (
        "{kind} {where}, {jurisdiction}, {law}; {licence}; the code can be held and forked"
        if openness == "open"
        else "{kind} {where}, {jurisdiction}, {law}; {licence}"
    )
    return level, Text(
        template,
        kind=Text(component.kind),
        where=where,
        jurisdiction=jurisdiction,
        law=law_text,
        licence=licence_text,
    )


def application_level(components: list[Component]) -> tuple[int | None, Text]:
    """The floor over the hosted dependencies (SDKs, services, infrastructure), as the framework does."""
    hosted = [c for c in components if c.kind in HOSTED_KINDS and c.level is not None]
    unknown = sum(1 for c in components if c.kind in HOSTED_KINDS and c.level is None and c.vendor is None)
    if not hosted:
        if unknown:
            return None, Text(
                "{count} SDK, service or infrastructure dependencies, all with an unknown controller", count=unknown
            )
        return None, Text("no SDK, service or infrastructure dependency in the inputs")
    worst = min(hosted, key=lambda c: (c.level, c.direct is not True, c.id))  # name a direct one when it ties
    operator = worst.implies or worst.vendor
    params: dict[str, Any] = {
        "count": len(hosted),
        "name": worst.name,
        "operator": operator.controller_name if operator else Text("unknown"),
    }
    if unknown:
        return worst.level, Text(
            "floor over {count} SDK, service and infrastructure dependencies, set by {name} ({operator}); {unknown} "
            "with an unknown controller not assessed (the level holds only if they reach it too)",
            unknown=unknown,
            **params,
        )
    return worst.level, Text(
        "floor over {count} SDK, service and infrastructure dependencies, set by {name} ({operator})", **params
    )
