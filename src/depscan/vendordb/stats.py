"""`depscan db stats` and `depscan db show`: what the database covers, and one record in full."""

from __future__ import annotations

from collections import Counter
from typing import Any

from depscan.vendordb.database import VendorDatabase
from depscan.vendordb.keys import MATCH_KEYS


def _ecosystem_of(key: str) -> str | None:
    if not key.lower().startswith("pkg:"):
        return None
    return key[4:].split("/", 1)[0].lower()


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
    eu_controlled = 0
    for vendor_id, vendor in database.vendors.items():
        by_country[vendor.country] += 1
        controller = database.vendors[database.chain(vendor_id)[-1]]
        by_controller_country[controller.country] += 1
        eu_controlled += database.is_eu(controller.country)
        by_type[vendor.type] += 1
        by_confidence[vendor.confidence] += 1
        by_category.update(vendor.categories)
        certifications.update(str(c.get("scheme", "?")) for c in vendor.certifications)
        if not vendor.sources:
            without_sources.append(vendor_id)
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
    return {
        "vendors": len(database.vendors),
        "eu_controlled": eu_controlled,
        "extra_eu_controlled": len(database.vendors) - eu_controlled,
        "without_sources": sorted(without_sources),
        "countries": len(database.countries),
        "laws": len(database.laws),
        "registries": len(database.registries),
        "by_country": dict(sorted(by_country.items())),
        "by_controller_country": dict(sorted(by_controller_country.items())),
        "by_type": dict(sorted(by_type.items())),
        "by_confidence": dict(sorted(by_confidence.items())),
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
