"""Indicators and the 0-100 score of one application, each traceable to counted components.

Indicators follow the quantitative criteria of the Indice de résilience
numérique (share of EU suppliers, openness, supplier diversification,
exposure to extraterritorial law), computed over components instead of
spend. The score is a weighted sum in the way the EU Cloud Sovereignty
Framework combines its objectives, over the objectives a dependency
inventory can observe; docs/levels.md gives the method and the sources.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from depscan.model import Component
from depscan.policy.levels import HOSTED_KINDS

#: the score's parts: id -> (weight, framework objectives it stands for, what it measures)
SCORE_PARTS: dict[str, tuple[int, tuple[str, ...], str]] = {
    "hosted_level": (
        45,
        ("SOV-2", "SOV-3", "SOV-4", "SOV-7"),
        "mean level/4 of the providers of SDKs, services and infrastructure",
    ),
    "eu_control": (
        25,
        ("SOV-1", "SOV-5"),
        "share of components with a legal-entity controller whose controller is run from the EU/EEA",
    ),
    "open_source": (15, ("SOV-6",), "share of components with a known licence that are open source"),
    "diversity": (10, ("SOV-5",), "1 - HHI/10,000 over the legal-entity controllers of attributed components"),
}
#: EU Horizontal Merger Guidelines (2004/C 31/03), section III: below 1,000 low, 1,000-2,000 moderate, above high
HHI_LOW_BELOW, HHI_HIGH_ABOVE = 1000, 2000


def ratio(part: int, whole: int) -> float | None:
    """part/whole rounded to 4 decimals (stable output), None when nothing was counted."""
    return round(part / whole, 4) if whole else None


def herfindahl(counts: Counter[str]) -> int | None:
    """Herfindahl-Hirschman index on the 0-10,000 scale: the sum of squared percentage shares."""
    total = sum(counts.values())
    if not total:
        return None
    return round(sum((100 * n / total) ** 2 for n in counts.values()))


def hhi_band(hhi: int | None) -> str | None:
    if hhi is None:
        return None
    if hhi < HHI_LOW_BELOW:
        return "low"
    return "moderate" if hhi <= HHI_HIGH_ABOVE else "high"


def indicators(
    components: list[Component],
    laws: dict[str, dict[str, Any]],
    countries: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """The counts and shares behind the score, each with its numerator and denominator."""
    attributed = [c for c in components if c.vendor is not None]
    # concentration is over who a law or a contract can reach: legal entities; communities and
    # individuals are counted apart
    entities = [c for c in attributed if c.vendor is not None and c.vendor.legal_entity]
    non_legal = [c for c in attributed if c.vendor is not None and not c.vendor.legal_entity]
    licensed = [c for c in components if c.license is not None and c.license.open_source is not None]
    open_source = sum(1 for c in licensed if c.license is not None and c.license.open_source)
    controllers: Counter[str] = Counter(c.vendor.controller for c in entities if c.vendor is not None)
    names = {c.vendor.controller: c.vendor.controller_name for c in attributed if c.vendor is not None}
    hhi = herfindahl(controllers)
    total_attributed = len(entities)
    publishers: Counter[str] = Counter(c.vendor.controller for c in non_legal if c.vendor is not None)
    publisher_types = {c.vendor.controller: c.vendor.controller_type for c in non_legal if c.vendor is not None}
    return {
        "components": _eu_counts(components),
        "direct": _eu_counts([c for c in components if c.direct]),
        "open_source": {
            "total": len(components),
            "known": len(licensed),
            "open": open_source,
            "unknown": len(components) - len(licensed),
            # a share over nothing known is unknown, never 0
            "share": ratio(open_source, len(components)) if licensed else None,
            "share_of_known": ratio(open_source, len(licensed)),
        },
        "concentration": {
            "hhi": hhi,
            "band": hhi_band(hhi),
            "controllers": len(controllers),
            "over": total_attributed,  # components with a legal-entity controller
            "top": [
                {
                    "controller": controller,
                    "name": names[controller],
                    "components": n,
                    "share": ratio(n, total_attributed),
                }
                for controller, n in sorted(controllers.items(), key=lambda item: (-item[1], item[0]))[:5]
            ],
        },
        "jurisdictions": _jurisdictions(attributed, laws, countries),
        "non_legal_entities": {
            "components": len(non_legal),
            "attributed": len(attributed),
            "share_of_attributed": ratio(len(non_legal), len(attributed)),
            "publishers": [
                {
                    "controller": controller,
                    "name": names[controller],
                    "type": publisher_types[controller],
                    "components": n,
                }
                for controller, n in sorted(publishers.items(), key=lambda item: (-item[1], item[0]))
            ],
        },
    }


def _eu_counts(group: list[Component]) -> dict[str, Any]:
    """How many of `group` have a known vendor, how many an EU/EEA one, and the EU/EEA share of each."""
    attributed = [c for c in group if c.vendor is not None]
    with_country = [c for c in attributed if c.vendor is not None and c.vendor.country is not None]
    eu = sum(1 for c in with_country if c.vendor is not None and c.vendor.eu)
    return {
        "total": len(group),
        "attributed": len(attributed),
        "unknown": len(group) - len(attributed),
        "jurisdiction": len(with_country),  # attributed to a legal entity, so with a country
        "no_jurisdiction": len(attributed) - len(with_country),  # communities and individuals
        "eu": eu,
        "eu_share": ratio(eu, len(group)) if with_country else None,
        "eu_share_of_attributed": ratio(eu, len(attributed)),
        "eu_share_of_jurisdiction": ratio(eu, len(with_country)),
    }


def _jurisdictions(
    attributed: list[Component], laws: dict[str, dict[str, Any]], countries: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The countries whose laws reach some component, with the laws and what they reach."""
    reached: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"laws": set(), "components": 0, "hosted": 0, "direct": 0, "controllers": set()}
    )
    for component in attributed:
        vendor = component.vendor
        if vendor is None or not vendor.laws:
            continue
        by_country: dict[str, set[str]] = defaultdict(set)
        for law in vendor.laws:
            by_country[str(laws.get(law, {}).get("country", "??"))].add(law)
        for country, country_laws in by_country.items():
            entry = reached[country]
            entry["laws"].update(country_laws)
            entry["components"] += 1
            entry["hosted"] += component.kind in HOSTED_KINDS
            entry["direct"] += bool(component.direct)
            entry["controllers"].add(vendor.controller)
    return [
        {
            "country": country,
            "name": countries.get(country, {}).get("name", country),
            "laws": [{"id": law, "name": laws.get(law, {}).get("name", law)} for law in sorted(entry["laws"])],
            "components": entry["components"],
            "hosted": entry["hosted"],
            "direct": entry["direct"],
            "controllers": sorted(entry["controllers"]),
        }
        for country, entry in sorted(reached.items(), key=lambda item: (-item[1]["components"], item[0]))
    ]


def score(components: list[Component], indicator_values: dict[str, Any]) -> tuple[int | None, list[dict[str, Any]]]:
    """The 0-100 score and its parts; a part with nothing to measure is left out and the weights renormalised."""
    values: dict[str, tuple[float | None, str]] = {
        "hosted_level": _hosted_value(components),
        "eu_control": (
            indicator_values["components"]["eu_share_of_jurisdiction"],
            f"{indicator_values['components']['eu']} of {indicator_values['components']['jurisdiction']}"
            " components with a legal-entity controller",
        ),
        "open_source": (
            indicator_values["open_source"]["share_of_known"],
            f"{indicator_values['open_source']['open']} of {indicator_values['open_source']['known']}"
            " components with a known licence",
        ),
        "diversity": _diversity_value(indicator_values["concentration"]),
    }
    applicable = {k: v for k, (v, _) in values.items() if v is not None}
    total_weight = sum(SCORE_PARTS[k][0] for k in applicable)
    parts = []
    for part_id, (weight, objectives, measures) in SCORE_PARTS.items():
        value, basis = values[part_id]
        points = None if value is None else round(100 * weight * value / total_weight, 1)
        parts.append(
            {
                "id": part_id,
                "objectives": list(objectives),
                "weight": weight,
                "measures": measures,
                "value": value,
                "points": points,
                "basis": basis,
            }
        )
    if not total_weight:
        return None, parts
    result = round(100 * sum(SCORE_PARTS[k][0] * v for k, v in applicable.items()) / total_weight)
    return result, parts


def _hosted_value(components: list[Component]) -> tuple[float | None, str]:
    """Mean level/4 over providers: each controller at its worst hosted component; each unknown one at 0."""
    worst: dict[str, int] = {}
    unknown = 0
    for component in components:
        if component.kind not in HOSTED_KINDS:
            continue
        if component.vendor is not None and not component.vendor.legal_entity:
            continue  # no jurisdiction to rate
        if component.vendor is None or component.level is None:
            unknown += 1
            continue
        controller = component.vendor.controller
        worst[controller] = min(worst.get(controller, 4), component.level)
    providers = len(worst) + unknown
    if not providers:
        return None, "no SDK, service or infrastructure dependency"
    value = round(sum(worst.values()) / (4 * providers), 4)
    listed = ", ".join(f"{controller} {level}" for controller, level in sorted(worst.items()))
    if unknown:
        listed += f"{', ' if listed else ''}{unknown} with unknown controller at 0"
    return value, f"{providers} providers: {listed}"


def _diversity_value(concentration: dict[str, Any]) -> tuple[float | None, str]:
    hhi = concentration["hhi"]
    if hhi is None:
        return None, "no component attributed to a legal entity"
    return round(1 - hhi / 10000, 4), f"HHI {hhi} over {concentration['controllers']} controllers"
