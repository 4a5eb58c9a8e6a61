"""Sovereignty levels 0-4 after the EU Cloud Sovereignty Framework's SEAL scale.

0 no sovereignty, 1 EU law on paper only, 2 data sovereignty with residual
non-EU control, 3 digital resilience, 4 full sovereignty. The method, with
its sources, is written up in docs/levels.md; each level carries its reason.
"""

from __future__ import annotations

from typing import Any

from depscan.model import Component

#: kinds through which data or operations depend on the controller at run or build time
HOSTED_KINDS = {"sdk", "service", "infrastructure"}
#: certifications that attest EU-only operation and immunity from non-EU law
SOVEREIGN_CERTIFICATIONS = {"SecNumCloud", "EUCS-High+", "EUCS High+"}


def component_level(component: Component, countries: dict[str, dict[str, Any]]) -> tuple[int | None, str]:
    """The level of one component and the sentence that explains it."""
    vendor = component.vendor
    license_ = component.license
    open_source = license_ is not None and license_.open_source is True
    if vendor is None:
        return None, "controller unknown"
    where = f"controlled from {vendor.country} ({vendor.controller_name})"
    if vendor.eu:
        if vendor.laws:
            return 2, f"{where}, an EU/EEA controller, but reached by {', '.join(vendor.laws)}"
        if component.kind in HOSTED_KINDS or component.kind in ("tooling", "registry"):
            if SOVEREIGN_CERTIFICATIONS & set(vendor.certifications):
                return (
                    4,
                    f"{where}, EU/EEA controller with a sovereignty qualification ({', '.join(vendor.certifications)})",
                )
            return 3, f"{where}, EU/EEA controller, no extraterritorial law recorded"
        if open_source:
            return 4, f"{where}, EU/EEA controller, open-source licence"
        return 3, f"{where}, EU/EEA controller, licence not open source or unknown"
    if not vendor.laws:
        if component.kind == "library" and open_source:
            return (
                3,
                f"{where}, outside the EU/EEA but no extraterritorial law recorded; open-source code can be forked",
            )
        return 2, f"{where}, outside the EU/EEA, no extraterritorial law recorded"
    laws = ", ".join(vendor.laws)
    if component.kind == "library" and open_source:
        return 2, f"{where}, reached by {laws}; open-source code can be held and forked"
    adequacy = countries.get(vendor.country, {}).get("adequacy")
    if adequacy:
        return (
            1,
            f"{where}, reached by {laws}; GDPR adequacy ({adequacy.get('decision', 'decision')}) is the only safeguard",
        )
    return 0, f"{where}, reached by {laws}, no GDPR adequacy decision"


def application_level(components: list[Component]) -> tuple[int | None, str]:
    """The floor over the hosted dependencies (SDKs, services, infrastructure), as the framework does."""
    hosted = [c for c in components if c.kind in HOSTED_KINDS and c.level is not None]
    if not hosted:
        unknown = sum(1 for c in components if c.kind in HOSTED_KINDS)
        if unknown:
            return None, f"{unknown} SDK, service or infrastructure dependencies with unknown controller"
        return None, "no SDK, service or infrastructure dependency in the inputs"
    worst = min(hosted, key=lambda c: (c.level, c.id))
    return worst.level, f"floor over {len(hosted)} SDK, service and infrastructure dependencies, set by {worst.name}"
