"""The portfolio result, schema `depscan-portfolio/1` (src/depscan/schemas/depscan-portfolio-1.schema.json).

From the compact per-application results: who the organisation depends on
most (by applications, by critical applications), how concentrated that is,
which jurisdictions and laws reach how many applications, the EU
alternatives for the top extra-EU controllers, and the applications that one
change would lift the most. Same inputs, same bytes: everything is sorted and
no clock is read here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from depscan import __version__
from depscan.model import Component
from depscan.policy.levels import HOSTED_KINDS, LEVEL_NAMES, component_level
from depscan.policy.scores import herfindahl, hhi_band
from depscan.portfolio import CRITICALITIES, Application, ApplicationResult, Inventory
from depscan.vendordb import VendorDatabase

SCHEMA = "depscan-portfolio/1.1"
#: how many extra-EU controllers get an "EU alternatives" entry
TOP_ALTERNATIVES = 10
#: the level an EU/EEA provider with no extraterritorial law reaches for a hosted kind, when no alternative is recorded
_ASSUMED_EU_LEVEL = 3


def level_name(level: int | None) -> str | None:
    return None if level is None else LEVEL_NAMES.get(level)


@dataclass
class _ControllerTotal:
    name: str
    country: str | None
    eu: bool | None
    legal_entity: bool = True
    controller_type: str = "company"
    laws: set[str] = field(default_factory=set)
    applications: list[str] = field(default_factory=list)
    critical: int = 0
    hosted_applications: int = 0
    hosted_critical: int = 0
    components: int = 0
    hosted_components: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    lowest_level: int | None = None
    alternatives: list[str] = field(default_factory=list)


def build_portfolio(inventory: Inventory, results: list[ApplicationResult], database: VendorDatabase) -> dict[str, Any]:
    """The whole portfolio document; `changes` is added by the caller when history has a previous run."""
    applications = inventory.applications
    controllers = _controller_totals(applications, results)
    estimator = _ReplacementEstimator(database)
    application_entries = [
        _application_entry(app, result, estimator) for app, result in zip(applications, results, strict=True)
    ]
    return {
        "schema": SCHEMA,
        "tool": {"name": "depscan", "version": __version__},
        "inventory": {
            "name": inventory.name,
            "path": inventory.path,
            "format": inventory.format,
            "applications": len(applications),
        },
        "summary": _summary(applications, results, controllers),
        "applications": application_entries,
        "controllers": [_controller_entry(cid, total, database) for cid, total in _ranked(controllers)],
        "jurisdictions": _jurisdictions(applications, results, database),
        "laws": _laws(applications, results, database),
        "alternatives": _alternatives(controllers, database),
        "opportunities": _opportunities(application_entries),
    }


# -- per application ----------------------------------------------------------


def _application_entry(app: Application, result: ApplicationResult, estimator: _ReplacementEstimator) -> dict[str, Any]:
    summary = result.summary
    controllers = [
        {"id": controller} | use.as_dict() | {"examples": list(use.examples)}
        for controller, use in sorted(
            result.controllers.items(), key=lambda item: (-item[1].hosted, -item[1].components, item[0])
        )
    ]
    return {
        "name": app.name,
        "owner": app.owner,
        "criticality": app.criticality,
        "critical": app.critical,
        "data_sensitivity": app.data_sensitivity,
        "description": app.description,
        "line": app.line,
        "paths": list(app.paths),
        "status": result.status,
        "errors": result.errors,
        "warnings": result.warnings,
        "declared": result.declared,
        "unknown_declared": result.unknown_declared,
        "level": result.level,
        "level_name": level_name(result.level),
        "level_reason": result.level_reason,
        "score": result.score,
        "indicators": result.indicators,
        "counts": {
            "components": summary.get("components", 0),
            "extra_eu": summary.get("extra_eu", 0),
            "non_open_source": summary.get("non_open_source", 0),
            "unknown_vendor": summary.get("unknown_vendor", 0),
            "unknown_license": summary.get("unknown_license", 0),
            "inputs": summary.get("inputs", 0),
            "input_errors": summary.get("input_errors", 0),
            "findings": summary.get("findings", {}),
            "failing_findings": summary.get("failing_findings", 0),
        },
        "controllers": controllers,
        "best_change": _best_change(result, estimator),
    }


class _ReplacementEstimator:
    """The level a hosted dependency would reach with a controller's best recorded EU alternative."""

    def __init__(self, database: VendorDatabase) -> None:
        self.database = database
        self._cache: dict[tuple[tuple[str, ...], str], tuple[int, str | None]] = {}

    def name(self, vendor_id: str | None) -> str | None:
        vendor = self.database.vendors.get(vendor_id) if vendor_id else None
        return f"{vendor.name} ({vendor.country})" if vendor else None

    def level(self, alternatives: tuple[str, ...], kind: str) -> tuple[int, str | None]:
        """(level, vendor id of the alternative reaching it, or None when assumed)."""
        key = (alternatives, kind)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        best: tuple[int, str | None] = (_ASSUMED_EU_LEVEL, None)
        found = False
        for vendor_id in alternatives:
            if vendor_id not in self.database.vendors:
                continue
            match = self.database.describe(vendor_id, "EU alternative", "alternative", kind)
            probe = Component(name=vendor_id, kind=kind, vendor=match)
            level, _ = component_level(probe, self.database.countries)
            if level is not None and (not found or level > best[0]):
                best, found = (level, vendor_id), True
        self._cache[key] = best
        return best


def _best_change(result: ApplicationResult, estimator: _ReplacementEstimator) -> dict[str, Any] | None:
    """Replace one controller's hosted dependencies with its best EU alternative: the largest level gain.

    The application level is the floor over hosted dependencies, so only a
    controller at the floor can raise it, and only up to the next controller's
    level (or the alternative's own level).
    """
    if result.level is None:
        return None
    hosted = {cid: use for cid, use in result.controllers.items() if use.hosted and use.hosted_level is not None}
    best: dict[str, Any] | None = None
    for controller, use in sorted(hosted.items()):
        if use.hosted_level != result.level or (use.eu and not use.laws):
            continue
        others = [u.hosted_level for cid, u in hosted.items() if cid != controller and u.hosted_level is not None]
        replacement, alternative = min(
            (estimator.level(use.alternatives, kind) for kind in use.kinds if kind in HOSTED_KINDS),
            key=lambda pair: pair[0],
        )
        after = min([*others, replacement])
        gain = after - result.level
        if gain <= 0:
            continue
        candidate = {
            "controller": controller,
            "name": use.name,
            "country": use.country,
            "hosted_components": use.hosted,
            "examples": list(use.examples),
            "alternatives": list(use.alternatives),
            "best_alternative": alternative,
            "best_alternative_name": estimator.name(alternative),
            "level_before": result.level,
            "level_after": after,
            "gain": gain,
        }
        if best is None or (gain, -use.hosted) > (best["gain"], -best["hosted_components"]):
            best = candidate
    return best


# -- across the portfolio ------------------------------------------------------


def _controller_totals(
    applications: list[Application], results: list[ApplicationResult]
) -> dict[str, _ControllerTotal]:
    totals: dict[str, _ControllerTotal] = {}
    for app, result in zip(applications, results, strict=True):
        for controller, use in result.controllers.items():
            total = totals.get(controller)
            if total is None:
                total = totals[controller] = _ControllerTotal(
                    use.name, use.country, use.eu, use.legal_entity, use.controller_type
                )
            total.laws.update(use.laws)
            total.applications.append(app.name)
            total.critical += app.critical
            total.components += use.components
            total.hosted_components += use.hosted
            total.kinds.update(use.kinds)
            if use.hosted:
                total.hosted_applications += 1
                total.hosted_critical += app.critical
            if use.hosted_level is not None and (total.lowest_level is None or use.hosted_level < total.lowest_level):
                total.lowest_level = use.hosted_level
            for alternative in use.alternatives:
                if alternative not in total.alternatives:
                    total.alternatives.append(alternative)
    return totals


def _ranked(totals: dict[str, _ControllerTotal]) -> list[tuple[str, _ControllerTotal]]:
    """Most depended on first: by applications, then critical applications, then components."""
    return sorted(
        totals.items(),
        key=lambda item: (-len(item[1].applications), -item[1].critical, -item[1].components, item[0]),
    )


def _vendor_ref(database: VendorDatabase, vendor_id: str) -> dict[str, Any]:
    vendor = database.vendors.get(vendor_id)
    if vendor is None:
        return {"id": vendor_id, "name": vendor_id, "country": None, "certifications": []}
    certifications = sorted({str(c.get("scheme", "")) for c in vendor.certifications} - {""})
    return {"id": vendor_id, "name": vendor.name, "country": vendor.country, "certifications": certifications}


def _controller_entry(controller: str, total: _ControllerTotal, database: VendorDatabase) -> dict[str, Any]:
    return {
        "id": controller,
        "name": total.name,
        "country": total.country,
        "eu": total.eu,
        "legal_entity": total.legal_entity,
        "controller_type": total.controller_type,
        "laws": sorted(total.laws),
        "applications": len(total.applications),
        "critical_applications": total.critical,
        "hosted_applications": total.hosted_applications,
        "hosted_critical_applications": total.hosted_critical,
        "components": total.components,
        "hosted_components": total.hosted_components,
        "kinds": dict(sorted(total.kinds.items())),
        "lowest_level": total.lowest_level,
        "application_names": sorted(total.applications),
        "eu_alternatives": [_vendor_ref(database, v) for v in total.alternatives],
    }


def _summary(
    applications: list[Application], results: list[ApplicationResult], controllers: dict[str, _ControllerTotal]
) -> dict[str, Any]:
    statuses = Counter(result.status for result in results)
    # an application with unreadable inputs has no level: it is counted apart, never at a level
    by_level = Counter(
        "incomplete" if r.status == "partial" else "unknown" if r.level is None else str(r.level)
        for r in results
        if r.status != "error"
    )
    by_criticality = Counter(app.criticality or "unspecified" for app in applications)
    scores = [r.score for r in results if r.score is not None]
    critical_scores = [
        r.score for app, r in zip(applications, results, strict=True) if app.critical and r.score is not None
    ]
    levels = [r.level for r in results if r.level is not None]
    totals = Counter[str]()
    for result in results:
        for key in ("components", "extra_eu", "non_open_source", "unknown_vendor", "unknown_license"):
            totals[key] += int(result.summary.get(key, 0))
    findings = Counter[str]()
    for result in results:
        findings.update(result.summary.get("findings", {}))
    return {
        "applications": len(applications),
        "critical_applications": sum(app.critical for app in applications),
        "scanned": len(results) - statuses.get("error", 0),
        "partial": statuses.get("partial", 0),
        "failed": statuses.get("error", 0),
        "by_status": dict(sorted(statuses.items())),
        "by_criticality": {k: by_criticality[k] for k in (*CRITICALITIES, "unspecified") if by_criticality[k]},
        "by_level": dict(sorted(by_level.items())),
        "lowest_level": min(levels) if levels else None,
        "mean_score": round(sum(scores) / len(scores), 1) if scores else None,
        "mean_score_critical": round(sum(critical_scores) / len(critical_scores), 1) if critical_scores else None,
        **{
            key: totals[key]
            for key in ("components", "extra_eu", "non_open_source", "unknown_vendor", "unknown_license")
        },
        "findings": dict(sorted(findings.items())),
        "unknown_declared": sum(len(r.unknown_declared) for r in results),
        "indicators": _indicators(results, controllers),
    }


def _indicators(results: list[ApplicationResult], controllers: dict[str, _ControllerTotal]) -> dict[str, Any]:
    """Portfolio-wide shares and concentration, summed over applications (a component counts once per application)."""
    total = sum(int(r.summary.get("components", 0)) for r in results)
    attributed = sum(t.components for t in controllers.values())
    entities = {cid: t for cid, t in controllers.items() if t.legal_entity}
    non_legal = {cid: t for cid, t in controllers.items() if not t.legal_entity}
    with_jurisdiction = sum(t.components for t in entities.values())
    eu = sum(t.components for t in entities.values() if t.eu)
    known = open_count = 0
    for result in results:
        part = result.indicators.get("open_source", {}) if isinstance(result.indicators, dict) else {}
        known += int(part.get("known") or 0)
        open_count += int(part.get("open") or 0)
    # concentration is over legal entities; communities and individuals are counted apart
    by_components = herfindahl(Counter({cid: t.components for cid, t in entities.items()}))
    by_hosted = herfindahl(Counter({cid: t.hosted_components for cid, t in entities.items() if t.hosted_components}))
    ranked = sorted(entities.items(), key=lambda item: (-item[1].components, item[0]))
    non_legal_components = sum(t.components for t in non_legal.values())
    return {
        "components": {
            "total": total,
            "attributed": attributed,
            "unknown": total - attributed,
            "jurisdiction": with_jurisdiction,
            "no_jurisdiction": non_legal_components,
            "eu": eu,
            "eu_share": _ratio(eu, total) if with_jurisdiction else None,
            "eu_share_of_attributed": _ratio(eu, attributed),
            "eu_share_of_jurisdiction": _ratio(eu, with_jurisdiction),
        },
        "open_source": {
            "total": total,
            "known": known,
            "unknown": total - known,
            "open": open_count,
            "share": _ratio(open_count, total) if known else None,
            "share_of_known": _ratio(open_count, known),
        },
        "concentration": {
            "hhi": by_components,
            "band": hhi_band(by_components),
            "hosted_hhi": by_hosted,
            "hosted_band": hhi_band(by_hosted),
            "controllers": len(entities),
            "over": with_jurisdiction,
            "top": [
                {
                    "controller": cid,
                    "name": t.name,
                    "components": t.components,
                    "share": _ratio(t.components, with_jurisdiction),
                }
                for cid, t in ranked[:5]
            ],
        },
        "non_legal_entities": {
            "components": non_legal_components,
            "attributed": attributed,
            "share_of_attributed": _ratio(non_legal_components, attributed),
            "publishers": [
                {"controller": cid, "name": t.name, "type": t.controller_type, "components": t.components}
                for cid, t in sorted(non_legal.items(), key=lambda item: (-item[1].components, item[0]))
            ],
        },
        "jurisdictions": sorted({t.country for t in controllers.values() if t.country is not None}),
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _law_reach(applications: list[Application], results: list[ApplicationResult]) -> dict[str, dict[str, Any]]:
    """law id -> the applications it reaches (through any component) and through hosted ones."""
    reach: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"applications": set(), "critical": set(), "hosted": set(), "controllers": set(), "components": 0}
    )
    for app, result in zip(applications, results, strict=True):
        for controller, use in result.controllers.items():
            for law in use.laws:
                entry = reach[law]
                entry["applications"].add(app.name)
                if app.critical:
                    entry["critical"].add(app.name)
                if use.hosted:
                    entry["hosted"].add(app.name)
                entry["controllers"].add(controller)
                entry["components"] += use.components
    return reach


def _laws(
    applications: list[Application], results: list[ApplicationResult], database: VendorDatabase
) -> list[dict[str, Any]]:
    reach = _law_reach(applications, results)
    entries = []
    for law, entry in reach.items():
        record = database.laws.get(law, {})
        entries.append(
            {
                "id": law,
                "name": record.get("name", law),
                "country": record.get("country"),
                "url": record.get("url"),
                "applications": len(entry["applications"]),
                "critical_applications": len(entry["critical"]),
                "hosted_applications": len(entry["hosted"]),
                "components": entry["components"],
                "controllers": sorted(entry["controllers"]),
            }
        )
    return sorted(entries, key=lambda e: (-e["applications"], -e["critical_applications"], e["id"]))


def _jurisdictions(
    applications: list[Application], results: list[ApplicationResult], database: VendorDatabase
) -> list[dict[str, Any]]:
    """Countries of the controllers, with the applications they reach and the laws that apply there."""
    reach: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"applications": set(), "critical": set(), "hosted": set(), "laws": set(), "components": 0, "eu": False}
    )
    for app, result in zip(applications, results, strict=True):
        for use in result.controllers.values():
            if use.country is None:
                continue  # a community or an individual: no jurisdiction
            entry = reach[use.country]
            entry["applications"].add(app.name)
            if app.critical:
                entry["critical"].add(app.name)
            if use.hosted:
                entry["hosted"].add(app.name)
            entry["laws"].update(use.laws)
            entry["components"] += use.components
            entry["eu"] = use.eu
    entries = [
        {
            "country": country,
            "name": database.countries.get(country, {}).get("name", country),
            "eu": entry["eu"],
            "laws": sorted(entry["laws"]),
            "applications": len(entry["applications"]),
            "critical_applications": len(entry["critical"]),
            "hosted_applications": len(entry["hosted"]),
            "components": entry["components"],
        }
        for country, entry in reach.items()
    ]
    return sorted(entries, key=lambda e: (-e["applications"], -e["critical_applications"], e["country"]))


def _alternatives(controllers: dict[str, _ControllerTotal], database: VendorDatabase) -> list[dict[str, Any]]:
    """The extra-EU controllers most hosted dependencies point to, with the EU alternatives the database records."""
    extra_eu = [(cid, t) for cid, t in controllers.items() if t.eu is False and t.hosted_applications]
    extra_eu.sort(
        key=lambda item: (-item[1].hosted_applications, -item[1].hosted_critical, -item[1].components, item[0])
    )
    return [
        {
            "controller": cid,
            "name": t.name,
            "country": t.country,
            "hosted_applications": t.hosted_applications,
            "hosted_critical_applications": t.hosted_critical,
            "hosted_components": t.hosted_components,
            "eu_alternatives": [_vendor_ref(database, v) for v in t.alternatives],
        }
        for cid, t in extra_eu[:TOP_ALTERNATIVES]
    ]


def _opportunities(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Applications ranked by what one change would gain: level gain, then criticality, then name."""
    rank = {criticality: position for position, criticality in enumerate(CRITICALITIES)}
    found = [
        {"application": e["name"], "criticality": e["criticality"], **e["best_change"]}
        for e in entries
        if e["best_change"]
    ]
    return sorted(
        found,
        key=lambda o: (
            -o["gain"],
            rank.get(o["criticality"] or "", len(rank)),
            o["hosted_components"],
            o["application"],
        ),
    )
