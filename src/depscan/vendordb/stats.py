"""`depscan db stats` and `depscan db show`: what the database covers, and one record in full."""

from __future__ import annotations

from collections import Counter
from typing import Any

from depscan.vendordb.database import VendorDatabase
from depscan.vendordb.keys import MATCH_KEYS
from depscan.vendordb.validate import warnings_for


def _ecosystem_of(key: str) -> str | None:
    if not key.lower().startswith("pkg:"):
        return None
    return key[4:].split("/", 1)[0].lower()


def _provenance(source: dict[str, str]) -> str:
    """'checked' or 'cited' (a malformed source, which validate rejects, counts as cited)."""
    return "checked" if "checked" in source else "cited"


def stale(database: VendorDatabase, before: str) -> list[dict[str, str]]:
    """The sources to re-review: every cited one, and those checked before `before` (YYYY-MM-DD).

    One row per source, by vendor then URL, with the record's confidence so a
    reviewer can start with what rests on the least.
    """
    rows: list[dict[str, str]] = []
    for vendor_id in sorted(database.vendors):
        vendor = database.vendors[vendor_id]
        for source in vendor.sources:
            status = _provenance(source)
            date = str(source.get(status, ""))
            if status == "checked" and date >= before:
                continue
            rows.append(
                {
                    "vendor": vendor_id,
                    "confidence": vendor.confidence,
                    "reviewed": vendor.reviewed,
                    "status": status,
                    "date": date,
                    "reason": "cited, not read" if status == "cited" else f"checked before {before}",
                    "url": str(source.get("url", "")),
                    "supports": str(source.get("supports", "")),
                }
            )
    return sorted(rows, key=lambda r: (r["vendor"], r["url"], r["date"]))


def stats(database: VendorDatabase) -> dict[str, Any]:
    """Counts a reviewer needs to judge coverage: by country, type, kind, ecosystem, confidence."""
    by_country: Counter[str] = Counter()
    by_controller_country: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    by_confidence: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    by_key: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    vendors_by_ecosystem: dict[str, set[str]] = {}
    certifications: Counter[str] = Counter()
    without_sources: list[str] = []
    sources: Counter[str] = Counter()
    records_by_evidence: Counter[str] = Counter()
    eu_controlled = no_jurisdiction = 0
    for vendor_id, vendor in database.vendors.items():
        by_country[vendor.country] += 1
        controller = database.vendors[database.chain(vendor_id)[-1]]
        if not controller.legal_entity:  # a community or an individual: no jurisdiction to count
            no_jurisdiction += 1
            by_controller_country["none (no legal entity)"] += 1
        else:
            effective = controller.hq_country or controller.country  # where it is run from, as reports say
            by_controller_country[effective] += 1
            eu_controlled += database.is_eu(effective)
        by_type[vendor.type] += 1
        by_confidence[vendor.confidence] += 1
        by_category.update(vendor.categories)
        certifications.update(str(c.get("scheme", "?")) for c in vendor.certifications)
        if not vendor.sources:
            without_sources.append(vendor_id)
        kinds = {_provenance(source) for source in vendor.sources}
        sources.update(_provenance(source) for source in vendor.sources)
        records_by_evidence["with a checked source" if "checked" in kinds else "cited sources only"] += 1
        for match in vendor.matches:
            by_kind[str(match.get("kind", "?"))] += 1
            for key in MATCH_KEYS:
                values = match.get(key, ())
                by_key[key] += len(values)
                if key in ("purl", "purl_prefix"):
                    for value in values:
                        ecosystem = _ecosystem_of(value)
                        if ecosystem:
                            vendors_by_ecosystem.setdefault(ecosystem, set()).add(vendor_id)
    warnings = warnings_for(database.vendors)
    return {
        "vendors": len(database.vendors),
        "eu_controlled": eu_controlled,
        "extra_eu_controlled": len(database.vendors) - eu_controlled - no_jurisdiction,
        "no_jurisdiction": no_jurisdiction,
        "without_sources": sorted(without_sources),
        "countries": len(database.countries),
        "laws": len(database.laws),
        "registries": len(database.registries),
        "by_country": dict(sorted(by_country.items())),
        "by_controller_country": dict(sorted(by_controller_country.items())),
        "by_type": dict(sorted(by_type.items())),
        "by_confidence": dict(sorted(by_confidence.items())),
        # provenance: a source is checked (its content read on that date) or only cited
        "sources": dict(sorted(sources.items())),
        "records_by_evidence": dict(sorted(records_by_evidence.items())),
        "warnings": len(warnings),
        "records_with_warnings": sorted({vendor_id for vendor_id, _ in warnings}),
        "by_category": dict(sorted(by_category.items())),
        "match_rules_by_kind": dict(sorted(by_kind.items())),
        "match_keys_by_type": dict(sorted(by_key.items())),
        "vendors_with_packages_by_ecosystem": {k: len(v) for k, v in sorted(vendors_by_ecosystem.items())},
        "certifications": dict(sorted(certifications.items())),
    }


def show(database: VendorDatabase, vendor_id: str) -> dict[str, Any] | None:
    """One record with its resolved chain, jurisdiction and laws."""
    vendor = database.vendors.get(vendor_id)
    if vendor is None:
        return None
    chain = database.chain(vendor_id)
    controller = database.vendors[chain[-1]]
    return {
        "id": vendor.id,
        "name": vendor.name,
        "aliases": list(vendor.aliases),
        "type": vendor.type,
        "country": vendor.country,
        "hq_country": vendor.hq_country,
        "parent": vendor.parent,
        "chain": list(chain),
        "controller": controller.id,
        "controller_country": controller.country,
        "eu": database.is_eu(controller.country),
        "laws": list(database.laws_for(chain)),
        "categories": list(vendor.categories),
        "eu_alternatives": list(vendor.eu_alternatives),
        "certifications": list(vendor.certifications),
        "reviewed": vendor.reviewed,
        "confidence": vendor.confidence,
        "notes": vendor.notes,
        "sources": list(vendor.sources),
        "match": list(vendor.matches),
    }
