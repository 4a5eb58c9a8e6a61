"""Resolve components: merge duplicates, classify licences, find the controlling vendor.

Sits between ingest (which only reads) and policy (which only judges).
"""

from __future__ import annotations

from collections.abc import Iterable

from depscan import licenses
from depscan.model import Component
from depscan.vendordb import VendorDatabase

#: a vendor rule can make a plain library more specific, never the reverse
_UPGRADES = {"sdk"}


def merge(components: Iterable[Component]) -> list[Component]:
    """One component per id, keeping every place it was found and the union of what was said of it."""
    merged: dict[str, Component] = {}
    for component in components:
        key = component.id
        existing = merged.get(key)
        if existing is None:
            merged[key] = component
            continue
        for location in component.sources:
            if location not in existing.sources:
                existing.sources.append(location)
        for supplier in component.suppliers:
            if supplier not in existing.suppliers:
                existing.suppliers.append(supplier)
        if not existing.declared_licenses and component.declared_licenses:
            existing.declared_licenses = component.declared_licenses
        existing.repository = existing.repository or component.repository
        if component.direct:
            existing.direct = True
            existing.introduced_by = []
        elif existing.direct is None and component.direct is False:
            existing.direct = False
            existing.introduced_by = component.introduced_by
        if existing.scope and not component.scope:
            existing.scope = None  # required somewhere: not only a dev dependency
        for endpoint in component.endpoints:
            if endpoint not in existing.endpoints:
                existing.endpoints.append(endpoint)
    return list(merged.values())


def resolve(components: list[Component], database: VendorDatabase) -> None:
    """Attach licence and vendor to each component, in place."""
    for component in components:
        evidence = "concluded" if component.properties.get("license_evidence") == "concluded" else "declared"
        component.license = licenses.classify(component.declared_licenses, evidence)
        vendor = database.resolve(component)
        component.vendor = vendor
        if vendor is not None and component.kind == "library" and vendor.kind in _UPGRADES:
            component.kind = vendor.kind
