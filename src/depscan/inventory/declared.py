"""Declared dependencies (hosting, services, identity provider) as components of the application.

They go through the same levels and rules as what the files show: a US
identity provider declared in the inventory is a `service` component of the
application, and the default rule set flags it like a CycloneDX service.
A name the vendor database does not know stays in the result as a component
with no controller (level unknown) and is listed as unknown: never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from depscan import licenses
from depscan.model import Component, Location, VendorMatch
from depscan.portfolio import ROLE_KINDS, Declared
from depscan.vendordb import VendorDatabase
from depscan.vendordb.lookup import lookup

#: the pseudo-ecosystem of declared components: their id is "inventory:<value> (<role label>)"
ECOSYSTEM = "inventory"
#: how a role reads after a declared name: "Okta (identity provider)"
ROLE_LABELS = {
    "hosting": "hosting",
    "infrastructure": "infrastructure",
    "services": "service",
    "identity": "identity provider",
}


@dataclass(slots=True)
class DeclaredComponents:
    components: list[Component]
    unknown: list[Declared]


def resolve_vendor(database: VendorDatabase, declared: Declared) -> VendorMatch | None:
    """A vendor id first (exact), then anything `depscan db lookup` understands: names, aliases, domains."""
    kind = ROLE_KINDS[declared.role]
    evidence = f"declared in the inventory as {declared.role}: {declared.value}"
    vendor_id = declared.value.lower()
    if vendor_id in database.vendors:
        return database.describe(vendor_id, evidence, "inventory", kind)
    match = lookup(database, declared.value)
    if match is None:
        return None
    return database.describe(match.id, f"{evidence} ({match.evidence})", "inventory", kind)


def declared_components(
    database: VendorDatabase, declared: tuple[Declared, ...], inventory_path: str, line: int | None
) -> DeclaredComponents:
    """One component per declared dependency, vendor attached, licence unknown (a service has none to read)."""
    components: list[Component] = []
    unknown: list[Declared] = []
    seen: set[tuple[str, str]] = set()
    no_licence = licenses.classify([])
    for item in declared:
        key = (item.role, item.value.casefold())
        if key in seen:
            continue
        seen.add(key)
        vendor = resolve_vendor(database, item)
        if vendor is None:
            unknown.append(item)
        properties: dict[str, str] = {"declared_as": item.role, "declared_value": item.value}
        if item.region:
            properties["region"] = item.region
        components.append(
            Component(
                name=f"{item.value} ({ROLE_LABELS[item.role]})",
                ecosystem=ECOSYSTEM,
                kind=ROLE_KINDS[item.role],
                direct=True,
                sources=[Location(inventory_path, line)],
                properties=properties,
                license=no_licence,
                vendor=vendor,
            )
        )
    return DeclaredComponents(components, unknown)
