"""Resolve components: merge duplicates, classify licences, find the controlling vendor.

Sits between ingest (which only reads) and policy (which only judges).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from depscan import licenses, purls
from depscan.model import Component, Location, Publisher, VendorMatch
from depscan.vendordb import VendorDatabase, npm_index
from depscan.vendordb.keys import domain_key, split_image

#: a vendor rule can make a plain library more specific, never the reverse
_UPGRADES = {"sdk"}


def merge(components: Iterable[Component]) -> list[Component]:
    """One component per id, keeping every place it was found and the union of what was said of it.

    A declaration without a version (pyproject.toml, package.json ranges) is
    folded into the locked versions of the same package found beside it, so a
    project folder reports each dependency once.
    """
    merged: dict[str, Component] = {}
    for component in components:
        key = component.id
        existing = merged.get(key)
        if existing is None:
            merged[key] = component
            continue
        _absorb(existing, component)
    return _fold_unversioned(merged)


def _fold_unversioned(merged: dict[str, Component]) -> list[Component]:
    versioned: dict[str, list[Component]] = {}
    for component in merged.values():
        if component.purl and component.version:
            base, _ = purls.split(component.purl)
            if base:
                versioned.setdefault(base, []).append(component)
    result: list[Component] = []
    for component in merged.values():
        if component.purl and not component.version:
            base, _ = purls.split(component.purl)
            targets = versioned.get(base or "")
            if targets:
                for target in targets:
                    _absorb(target, component, lock_knows_direct=target.direct is not None)
                continue
        result.append(component)
    return result


def _absorb(existing: Component, component: Component, lock_knows_direct: bool = False) -> None:
    """Fold what `component` says into `existing`, which stands for the same package.

    With `lock_knows_direct`, `existing` comes from a lockfile that said whether it is
    direct: a manifest's declaration must not turn a nested copy into a direct one.
    """
    for location in component.sources:
        if location not in existing.sources:
            existing.sources.append(location)
    for supplier in component.suppliers:
        if supplier not in existing.suppliers:
            existing.suppliers.append(supplier)
    if not existing.declared_licenses and component.declared_licenses:
        existing.declared_licenses = component.declared_licenses
    existing.repository = existing.repository or component.repository
    if lock_knows_direct:
        pass
    elif component.direct:
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


def resolve(components: list[Component], database: VendorDatabase) -> None:
    """Attach licence and vendor to each component, in place."""
    for component in components:
        # "declared" unless a reader said "concluded" or enrichment recorded where the licence came from
        evidence = str(component.properties.get("license_evidence") or "declared")
        component.license = licenses.classify(component.declared_licenses, evidence)
        vendor, implied = database.resolve_all(component)
        if vendor is not None and "provenance" in component.properties:
            vendor = _with_provenance(vendor, component.properties["provenance"])
        if vendor is None and component.ecosystem == "npm" and component.purl:
            vendor = _npm_publisher(component, database)
        component.vendor = vendor
        component.implies = implied
        for match in (vendor, implied):
            if match is not None and component.kind == "library" and match.kind in _UPGRADES:
                component.kind = match.kind


def _npm_publisher(component: Component, database: VendorDatabase) -> VendorMatch | None:
    """The publisher of an npm package from the shipped index, when nothing else said it.

    An owner that a vendor record claims (`repository_owner = github.com/<org>`) is
    that vendor; another owner is recorded as the component's publisher, with no
    vendor and so no jurisdiction.
    """
    base, _ = purls.split(component.purl or "")
    if not base or not base.startswith("pkg:npm/"):
        return None
    name = base[8:].replace("%40", "@", 1)
    owner = npm_index.owner(database.root, name)
    if owner is None:
        return None
    evidence = f"repository owner {owner} from the npm publisher index"
    hit = database.index.by_repository(f"https://{owner}/")
    if hit is not None:
        rule = hit.rule
        return database.describe(rule.vendor, evidence, "repository_owner", rule.kind)
    component.publisher = Publisher(owner, evidence)
    return None


#: categories (vendor_db/SCHEMA.md) too generic to say what a component is
_GENERIC_CATEGORIES = frozenset({"software", "devtools", "open-source-foundation"})
#: what runs applications rather than being one
_PLATFORM_CATEGORIES = frozenset({"cloud", "hosting", "dns", "cdn", "registry", "ci"})
#: what a declared dependency of an inventory is, by its role
_ROLE_CATEGORIES = {
    "identity": frozenset({"identity"}),
    "hosting": frozenset({"cloud", "hosting"}),
    "infrastructure": frozenset({"cloud", "hosting"}),
}


def replaced_categories(component: Component, database: VendorDatabase) -> frozenset[str]:
    """The categories an alternative must share to replace `component`: a CI runner or action by a CI
    service, a registry by a registry, an identity provider by one; else what the matched vendor sells."""
    if component.ecosystem in ("github-runner", "gitlab-runner", "github-actions"):
        return frozenset({"ci"})
    if component.kind == "registry":
        return frozenset({"registry"})
    role = component.properties.get("declared_as")
    if role in _ROLE_CATEGORIES:
        return _ROLE_CATEGORIES[str(role)]
    vendor = database.vendors.get(component.vendor.id) if component.vendor else None
    categories = frozenset(vendor.categories if vendor else ()) - _GENERIC_CATEGORIES
    if role == "services":  # a hosted application (SaaS), not the platform under one
        return categories - _PLATFORM_CATEGORIES
    return categories


def same_category_alternatives(components: list[Component], database: VendorDatabase) -> None:
    """Keep only the EU alternatives of the same category as what each component is, in place.

    Mistral AI is no alternative to a CI runner, nor Nextcloud to a package registry. When none of the
    recorded alternatives fits, the component says so (`properties["alternatives_category"]`).
    """
    for component in components:
        vendor = component.vendor
        if vendor is None or not vendor.eu_alternatives:
            continue
        needed = replaced_categories(component, database)
        overlap = {
            alternative: len(needed & set(database.vendors[alternative].categories))
            for alternative in vendor.eu_alternatives
            if alternative in database.vendors
        }
        # the closest first: the most categories in common, then the database's own order
        kept = tuple(sorted((a for a, n in overlap.items() if n), key=lambda a: -overlap[a]))
        if kept != vendor.eu_alternatives:
            component.vendor = replace(vendor, eu_alternatives=kept)
        if not kept:
            component.properties["alternatives_category"] = ", ".join(sorted(needed)) or "unknown"


# which enriched field a vendor match key was read from (depscan.enrich records provenance per field)
_MATCHED_FIELD = {"repository_owner": "repository", "supplier": "suppliers"}


def _with_provenance(vendor: VendorMatch, provenance: dict[str, str]) -> VendorMatch:
    """Say so when the repository or supplier that decided the vendor was found by enrichment, not declared."""
    field_name = _MATCHED_FIELD.get(vendor.match_key)
    origin = provenance.get(field_name) if field_name else None
    if not origin:
        return vendor
    return replace(vendor, evidence=f"{vendor.evidence}; {field_name} from {origin}")


def registries(components: list[Component], database: VendorDatabase) -> list[Component]:
    """The registries the packages are fetched from, as components of kind `registry`.

    A package's own download URL (npm `resolved`, a requirements URL) names its
    registry; otherwise the ecosystem's default registry of registries.toml applies.
    """
    defaults: dict[str, dict[str, Any]] = {}
    by_host: dict[str, dict[str, Any]] = {}
    for registry in database.registries:
        defaults.setdefault(str(registry.get("ecosystem")), registry)
        if registry.get("url"):
            by_host.setdefault(domain_key(str(registry["url"])), registry)
    # registries a configuration file (.npmrc, .yarnrc.yml) already names are components of their own
    configured = [c for c in components if c.kind == "registry"]
    configured_hosts = {domain_key(e) for c in configured for e in c.endpoints}
    configured_defaults = {c.properties.get("package_ecosystem") for c in configured if c.properties.get("default")}
    used: dict[str, tuple[dict[str, Any] | None, str, list[Component]]] = {}
    for component in components:
        if not component.purl or component.kind not in ("library", "sdk") or not component.ecosystem:
            continue
        properties = component.properties
        url = properties.get("resolved") or properties.get("url") or properties.get("registry")
        host = domain_key(str(url)) if isinstance(url, str) and urlsplit(url).scheme in ("http", "https") else None
        if host and host in configured_hosts:
            continue
        if host and host not in ("github.com", "gitlab.com", "codeload.github.com"):
            registry = by_host.get(host)
            key = registry["id"] if registry else host
        elif component.ecosystem in configured_defaults:
            continue
        else:
            registry = defaults.get(component.ecosystem)
            if registry is None:
                continue
            key = str(registry["id"])
        entry = used.setdefault(key, (registry, host or "", []))
        entry[2].append(component)
    found: list[Component] = []
    for key, (registry, host, members) in sorted(used.items()):
        paths = sorted({location.path for member in members for location in member.sources})
        component = Component(
            name=str(registry["name"]) if registry else host,
            ecosystem="registry",
            kind="registry",
            endpoints=[str(registry["url"])] if registry else [f"https://{host}"],
            sources=[Location(path) for path in paths],
            properties={"packages": len(members), "registry": key},
        )
        component.license = licenses.unknown("a registry is a service, not licensed code")
        if registry and registry.get("vendor") in database.vendors:
            evidence = f"registries.toml: {key} serves {len(members)} package(s) of this application"
            component.vendor = database.describe(str(registry["vendor"]), evidence, "registry", "registry")
        else:
            component.vendor = database.resolve(component)
        found.append(component)
    found.extend(_image_registries(components, database, by_host, configured_hosts))
    return found


#: registry hosts written in image references that registries.toml lists under another URL
_IMAGE_REGISTRY_ALIASES = {"docker.io": "hub.docker.com"}


def _image_registries(
    components: list[Component],
    database: VendorDatabase,
    by_host: dict[str, dict[str, Any]],
    configured_hosts: set[str],
) -> list[Component]:
    """The registries container images are pulled from, each a `registry` component of the build chain.

    An image belongs to the publisher of its namespace; the registry that serves it (Docker Hub, Quay,
    GHCR, registry.gitlab.com...) is this separate component, attributed to whoever operates it.
    """
    served: dict[str, list[Component]] = {}
    for component in components:
        if component.ecosystem != "docker" or not component.image:
            continue
        host, _ = split_image(component.image)
        if host in configured_hosts:
            continue
        served.setdefault(host, []).append(component)
    found: list[Component] = []
    for host, members in sorted(served.items()):
        record = by_host.get(_IMAGE_REGISTRY_ALIASES.get(host, host))
        paths = sorted({location.path for member in members for location in member.sources})
        component = Component(
            name=str(record["name"]) if record else host,
            ecosystem="registry",
            kind="registry",
            endpoints=[f"https://{host}"],
            sources=[Location(path) for path in paths],
            properties={"images": len(members), "registry": str(record["id"]) if record else host},
        )
        component.license = licenses.unknown("a registry is a service, not licensed code")
        if record and record.get("vendor") in database.vendors:
            evidence = f"registries.toml: {record['id']} serves {len(members)} image(s) of this application"
            component.vendor = database.describe(str(record["vendor"]), evidence, "registry", "registry")
        elif hit := database.index.by_registry(host):
            evidence = f"container registry {hit.rule.value} (serves {len(members)} image(s) of this application)"
            component.vendor = database.describe(hit.rule.vendor, evidence, "container_registry", "registry")
        found.append(component)
    return found
