"""The scanned components as an enriched CycloneDX 1.6 JSON SBOM, serialised directly with orjson.

Dependency-Track, GitLab and other SBOM consumers read what depscan found in fields they know:
each component's `supplier` is the vendor depscan attributes it to, with `address.country` the
jurisdiction of its ultimate controller; `depscan:*` properties carry the controller, country,
EU flag, laws, level and its reason, licence category and the findings. Hosted services
(kind `service`) go to `services` with the vendor as provider. The component's own identity
(name, group, version, purl, licences, scope, bom-ref) and input properties are kept.

The input's dependency graph is not carried by a ScanResult and so is not written. Output is
deterministic: no timestamp, and a serial number derived from the content.

Why not cyclonedx-python-lib's model and serialiser: they cost about 2 ms per component (sorted sets
compared through long tuples), 20 s for a 10,000-component SBOM. This module writes the same document
the library wrote, byte for byte: keys in alphabetical order, components ordered as the library orders
them (type, group, name, version, bom-ref; a missing value last), properties sorted and de-duplicated,
purls in packageurl-python's canonical form, URLs migrated as the library's `XsUri` does. The tests keep
the library as the reference: its CycloneDX 1.6 schema validator runs on real outputs, and its model
rebuilds the same document to compare with.
"""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from typing import Any

import orjson

from depscan import __version__
from depscan.model import Component, Finding, ScanResult, VendorMatch
from depscan.report import RenderOptions
from depscan.report._common import findings_by_component, score_of

SCHEMA_URI = "http://cyclonedx.org/schema/bom-1.6.schema.json"
_NAMESPACE = uuid.UUID("6f9d2c1e-4b8a-5d3f-9e7c-2a1b0c9d8e7f")
_TYPES = {
    "library": "library",
    "sdk": "library",
    "tooling": "application",
    "infrastructure": "platform",
    "registry": "platform",
}
_SCOPES = {"dev": "optional", "optional": "optional", "excluded": "excluded"}
#: what cyclonedx-python-lib's XsUri rejects, and the characters it percent-encodes (xs:anyURI, iri-reference)
_INVALID_URI = re.compile(r"%(?![0-9A-F]{2})|#.*#", re.IGNORECASE | re.MULTILINE)
_URI_REPLACEMENTS = (
    (" ", "%20"),
    ('"', "%22"),
    ("'", "%27"),
    ("[", "%5B"),
    ("]", "%5D"),
    ("<", "%3C"),
    (">", "%3E"),
    ("{", "%7B"),
    ("}", "%7D"),
)

#: a version that packageurl-python's decoding, stripping and encoding give back unchanged: unreserved characters
#: and colons (which it leaves unencoded), and upper-case escapes of the other printable ASCII characters but the
#: space, "/" and ":" (decoded then encoded again to the same escape)
_ESCAPES = [f"%{code:02X}" for code in range(0x21, 0x7F) if not re.fullmatch(r"[A-Za-z0-9._~:/-]", chr(code))]
_PLAIN_VERSION = re.compile(r"(?:[A-Za-z0-9._~:-]|" + "|".join(_ESCAPES) + ")+")

Entry = tuple[tuple[Any, ...], dict[str, Any]]
Pair = tuple[str, str]


def render(result: ScanResult, options: RenderOptions) -> bytes:
    findings = findings_by_component(result)
    writer = _Writer()
    components: list[Entry] = []
    services: list[Entry] = []
    for component in result.components:
        properties = writer.properties(component, findings.get(component.id, []))
        if component.kind == "service":
            services.append(writer.service(component, properties))
        else:
            components.append(writer.component(component, properties))
    tool = {"name": "depscan", "type": "application", "version": options.tool_version or __version__}
    serial = uuid.uuid5(_NAMESPACE, "\n".join(sorted(c.id for c in result.components)))
    document: dict[str, Any] = {"$schema": SCHEMA_URI, "bomFormat": "CycloneDX", "specVersion": "1.6"}
    if components:
        document["components"] = [entry for _, entry in sorted(components, key=_first)]
    metadata: dict[str, Any] = {}
    summary = writer.property_list(_summary_properties(result))
    if summary:
        metadata["properties"] = summary
    metadata["tools"] = {"components": [_without_none(tool)]}
    document["metadata"] = metadata
    document["serialNumber"] = f"urn:uuid:{serial}"
    if services:
        document["services"] = [entry for _, entry in sorted(services, key=_first)]
    document["version"] = 1
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


def _first(entry: Entry) -> tuple[Any, ...]:
    return entry[0]


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


def _summary_properties(result: ScanResult) -> list[Pair]:
    summary = result.summary
    values: dict[str, Any] = {
        "depscan:ruleset": result.ruleset,
        "depscan:level": summary.get("level"),
        "depscan:level-reason": summary.get("level_reason"),
        "depscan:score": score_of(result),
        "depscan:components": summary.get("components"),
        "depscan:extra-eu": summary.get("extra_eu"),
        "depscan:non-open-source": summary.get("non_open_source"),
    }
    return [(name, str(value)) for name, value in values.items() if value is not None]


def _vendor_pairs(vendor: VendorMatch) -> list[Pair]:
    values = [
        ("depscan:vendor", vendor.id),
        ("depscan:vendor-name", vendor.name),
        ("depscan:controller", vendor.controller),
        ("depscan:controller-name", vendor.controller_name),
        ("depscan:country", vendor.country),
        ("depscan:seat-country", vendor.seat_country),
        ("depscan:legal-entity", "true" if vendor.legal_entity else "false"),
        ("depscan:controller-type", vendor.controller_type),
        ("depscan:eu", None if vendor.eu is None else "true" if vendor.eu else "false"),
        ("depscan:laws", ",".join(vendor.laws)),
        ("depscan:evidence", vendor.evidence),
        ("depscan:confidence", vendor.confidence),
        ("depscan:eu-alternatives", ",".join(vendor.eu_alternatives)),
    ]
    return [(name, str(value)) for name, value in values if value not in (None, "")]


class _Writer:
    """Builds the entries of one export. What repeats across components (a vendor's properties, a supplier, a
    property) is built once and shared: orjson writes a shared object as many times as it is referenced."""

    def __init__(self) -> None:
        self._properties: dict[Pair, dict[str, str]] = {}
        self._vendors: dict[int, list[Pair]] = {}  # by id(): the scan keeps every VendorMatch alive meanwhile
        self._suppliers: dict[tuple[str, str | None], dict[str, Any]] = {}

    def property_list(self, pairs: list[Pair]) -> list[dict[str, str]]:
        """Properties as the library writes its sorted set of them: ordered by (name, value), duplicates dropped."""
        shared = self._properties
        entries = []
        for pair in sorted(set(pairs)):
            entry = shared.get(pair)
            if entry is None:
                entry = shared[pair] = {"name": pair[0], "value": pair[1]}
            entries.append(entry)
        return entries

    def properties(self, component: Component, findings: list[Finding]) -> list[dict[str, str]]:
        vendor = component.vendor
        license_ = component.license
        pairs: list[Pair] = [("depscan:kind", component.kind)] if component.kind else []
        if vendor is not None:
            cached = self._vendors.get(id(vendor))
            if cached is None:
                cached = self._vendors[id(vendor)] = _vendor_pairs(vendor)
            pairs += cached
        else:
            pairs.append(("depscan:controller", "unknown"))
        pairs.append(("depscan:level", "unknown" if component.level is None else str(component.level)))
        if component.level_reason:
            pairs.append(("depscan:level-reason", component.level_reason))
        category = license_.category if license_ else "unknown"
        if category:
            pairs.append(("depscan:license-category", category))
        if license_ is not None and license_.open_source is not None:
            pairs.append(("depscan:open-source", "true" if license_.open_source else "false"))
        for finding in findings:
            state = f"exempted: {finding.exemption_reason or 'no reason'}" if finding.exempted else finding.severity
            pairs.append(("depscan:finding", f"{finding.rule} ({state})"))
        pairs += [(str(name), str(value)) for name, value in component.properties.items()]
        return self.property_list(pairs)

    def supplier(self, component: Component) -> dict[str, Any] | None:
        vendor = component.vendor
        if vendor is not None:
            key: tuple[str, str | None] = (vendor.name, vendor.country)
            entry = self._suppliers.get(key)
            if entry is None:
                # a community or an individual has no jurisdiction to state: no address
                entry = (
                    {"name": vendor.name}
                    if vendor.country is None
                    else {"address": {"country": vendor.country}, "name": vendor.name}
                )
                self._suppliers[key] = entry
            return entry
        if component.suppliers:
            return {"name": component.suppliers[0]}
        return None

    def component(self, component: Component, properties: list[dict[str, str]]) -> Entry:
        purl, group, name = None, None, component.name
        if component.purl:
            parsed = canonical_purl(component.purl)
            if parsed is not None:
                purl, namespace, purl_name = parsed
                if namespace:
                    group, name = namespace, purl_name
        kind = "container" if component.image else _TYPES.get(component.kind, "library")
        version = component.version
        bom_ref = component.id
        entry: dict[str, Any] = {"bom-ref": bom_ref}
        if component.repository:
            url = _uri(component.repository)
            if url is not None:
                entry["externalReferences"] = [{"type": "vcs", "url": url}]
        if group is not None:
            entry["group"] = group
        licenses = _licenses(component)
        if licenses is not None:
            entry["licenses"] = licenses
        entry["name"] = name
        entry["properties"] = properties
        if purl is not None:
            entry["purl"] = purl
        scope = _SCOPES.get(component.scope or "")
        if scope is not None:
            entry["scope"] = scope
        supplier = self.supplier(component)
        if supplier is not None:
            entry["supplier"] = supplier
        entry["type"] = kind
        if version is not None:
            entry["version"] = version
        # the library's order (ComparableTuple): type, group, name, version, bom-ref, a missing value last
        key = (False, kind, group is None, group or "", False, name, version is None, version or "", False, bom_ref)
        return key, entry

    def service(self, component: Component, properties: list[dict[str, str]]) -> Entry:
        endpoints = sorted({url for url in map(_uri, component.endpoints) if url is not None})
        entry = _without_none(
            {
                "bom-ref": component.id,
                "endpoints": endpoints or None,
                "licenses": _licenses(component),
                "name": component.name,
                "properties": properties,
                "provider": self.supplier(component),
                "version": component.version,
            }
        )
        version = component.version
        return (True, "", False, component.name, version is None, version or "", False, component.id), entry


def _licenses(component: Component) -> list[dict[str, Any]] | None:
    license_ = component.license
    if license_ is not None and license_.expression:
        return [{"expression": license_.expression}]
    names = component.declared_licenses if license_ is None else license_.declared
    return [{"license": {"name": names[0]}}] if names else None


@lru_cache(maxsize=65536)
def _uri(value: str) -> str | None:
    """The URL as the library's XsUri writes it, or None where XsUri would reject it."""
    if _INVALID_URI.search(value):
        return None
    for old, new in _URI_REPLACEMENTS:
        value = value.replace(old, new)
    return value


def canonical_purl(purl: str) -> tuple[str, str | None, str] | None:
    """(canonical purl, namespace, name) as packageurl-python parses and writes it; None when it does not parse.

    Each SBOM purl is unique (the version differs) but its base repeats: a purl made of a base and a plain
    version (no qualifiers, subpath or second `@`) is split, the base parsed once through a cache and the version
    encoded by the library's own function. Anything else goes through the library whole.
    """
    rest = purl.partition(":")[2].lstrip("/")
    path = rest.partition("/")[2]
    at = purl.rfind("@")
    if (
        "?" not in purl
        and "#" not in purl
        and path
        and not path.startswith("/")
        and at > purl.rfind("/")
        and path.count("@") == (2 if path.startswith("@") else 1)
    ):
        base = _parse_base(purl[:at])
        if base is not None:
            type_, base_string, namespace, name = base
            version = purl[at + 1 :]
            if not _PLAIN_VERSION.fullmatch(version) or type_ in ("huggingface", "oci"):
                version = _version(type_, version)
            return (f"{base_string}@{version}" if version else base_string), namespace, name
    return _parse_whole(purl)


@lru_cache(maxsize=65536)
def _version(type_: str, raw: str) -> str | None:
    """The version as packageurl-python writes it back after parsing it: decoded, stripped, encoded."""
    from packageurl import normalize_version

    return normalize_version(normalize_version(raw, type_, encode=False), type_, encode=True)


@lru_cache(maxsize=65536)
def _parse_base(base: str) -> tuple[str, str, str | None, str] | None:
    from packageurl import PackageURL

    try:
        parsed = PackageURL.from_string(base)
    except ValueError:
        return None
    if parsed.version or parsed.qualifiers or parsed.subpath:
        return None
    return parsed.type, parsed.to_string(), parsed.namespace, parsed.name


def _parse_whole(purl: str) -> tuple[str, str | None, str] | None:
    from packageurl import PackageURL

    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return None
    return parsed.to_string(), parsed.namespace, parsed.name
