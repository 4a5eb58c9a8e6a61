"""The CycloneDX export as depscan wrote it with cyclonedx-python-lib's model (before it was serialised directly).

Kept in the tests as the reference the direct orjson serialiser (depscan.report.cyclonedx) is compared with,
so that nothing the library wrote is lost: same components, purls, licences, suppliers and properties. It
differs from the old module in one point only: an URL the library rejects raises InvalidUriException (not a
ValueError), which the old module let escape as a traceback; here, as in the new module, it is left out.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from cyclonedx.exception.model import InvalidUriException
from cyclonedx.model import ExternalReference, ExternalReferenceType, Property, XsUri
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component as CdxComponent
from cyclonedx.model.component import ComponentScope, ComponentType
from cyclonedx.model.contact import OrganizationalEntity, PostalAddress
from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
from cyclonedx.model.service import Service
from cyclonedx.model.tool import ToolRepository
from cyclonedx.schema.schema import SchemaVersion1Dot6
from packageurl import PackageURL

from depscan import __version__
from depscan.model import Component, Finding, ScanResult
from depscan.report import RenderOptions
from depscan.report._common import findings_by_component, score_of

SCHEMA_URI = "http://cyclonedx.org/schema/bom-1.6.schema.json"
_NAMESPACE = uuid.UUID("6f9d2c1e-4b8a-5d3f-9e7c-2a1b0c9d8e7f")
_TYPES = {
    "library": ComponentType.LIBRARY,
    "sdk": ComponentType.LIBRARY,
    "tooling": ComponentType.APPLICATION,
    "infrastructure": ComponentType.PLATFORM,
    "registry": ComponentType.PLATFORM,
}
_SCOPES = {"dev": ComponentScope.OPTIONAL, "optional": ComponentScope.OPTIONAL, "excluded": ComponentScope.EXCLUDED}


def render(result: ScanResult, options: RenderOptions) -> bytes:
    findings = findings_by_component(result)
    components = []
    services = []
    for component in result.components:
        properties = _properties(component, findings.get(component.id, []))
        if component.kind == "service":
            services.append(_service(component, properties))
        else:
            components.append(_component(component, properties))
    tool = CdxComponent(type=ComponentType.APPLICATION, name="depscan", version=options.tool_version or __version__)
    metadata = BomMetaData(tools=ToolRepository(components=[tool]), properties=_summary_properties(result))
    serial = uuid.uuid5(_NAMESPACE, "\n".join(sorted(c.id for c in result.components)))
    bom = Bom(components=components, services=services, metadata=metadata, serial_number=serial)
    # The library's serialiser, without the outputter's Bom.validate(): that deprecated check registers each
    # component's dependency entry by a linear search, O(n²) on large SBOMs; the tests validate the output
    # against the CycloneDX 1.6 schema instead.
    body = orjson.loads(bom.as_json(view_=SchemaVersion1Dot6))  # type: ignore[attr-defined]
    body.get("metadata", {}).pop("timestamp", None)  # same scan, same bytes
    document = {"$schema": SCHEMA_URI, "bomFormat": "CycloneDX", "specVersion": "1.6", **body}
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


def _summary_properties(result: ScanResult) -> list[Property]:
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
    return [Property(name=name, value=str(value)) for name, value in values.items() if value is not None]


def _properties(component: Component, findings: list[Finding]) -> list[Property]:
    vendor = component.vendor
    license_ = component.license
    values: list[tuple[str, Any]] = [("depscan:kind", component.kind)]
    if vendor is not None:
        values += [
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
    else:
        values.append(("depscan:controller", "unknown"))
    values += [
        ("depscan:level", "unknown" if component.level is None else component.level),
        ("depscan:level-reason", component.level_reason),
        ("depscan:license-category", license_.category if license_ else "unknown"),
    ]
    if license_ is not None and license_.open_source is not None:
        values.append(("depscan:open-source", "true" if license_.open_source else "false"))
    for finding in findings:
        state = f"exempted: {finding.exemption_reason or 'no reason'}" if finding.exempted else finding.severity
        values.append(("depscan:finding", f"{finding.rule} ({state})"))
    properties = [Property(name=name, value=str(value)) for name, value in values if value not in (None, "")]
    properties += [Property(name=str(name), value=str(value)) for name, value in sorted(component.properties.items())]
    return properties


def _supplier(component: Component) -> OrganizationalEntity | None:
    vendor = component.vendor
    if vendor is not None:
        if vendor.country is None:  # a community or an individual: no jurisdiction to state
            return OrganizationalEntity(name=vendor.name)
        return OrganizationalEntity(name=vendor.name, address=PostalAddress(country=vendor.country))
    if component.suppliers:
        return OrganizationalEntity(name=component.suppliers[0])
    return None


def _licenses(component: Component) -> list[LicenseExpression | DisjunctiveLicense]:
    license_ = component.license
    if license_ is None:
        return [DisjunctiveLicense(name=name) for name in component.declared_licenses[:1]]
    if license_.expression:
        return [LicenseExpression(license_.expression)]
    return [DisjunctiveLicense(name=name) for name in license_.declared[:1]]


def _purl(component: Component) -> PackageURL | None:
    if not component.purl:
        return None
    try:
        return PackageURL.from_string(component.purl)
    except ValueError:
        return None


def _repository(component: Component) -> list[ExternalReference]:
    if not component.repository:
        return []
    try:
        return [ExternalReference(type=ExternalReferenceType.VCS, url=XsUri(component.repository))]
    except (ValueError, InvalidUriException):
        return []


def _component(component: Component, properties: list[Property]) -> CdxComponent:
    purl = _purl(component)
    group, name = (purl.namespace, purl.name) if purl is not None and purl.namespace else (None, component.name)
    kind = ComponentType.CONTAINER if component.image else _TYPES.get(component.kind, ComponentType.LIBRARY)
    return CdxComponent(
        type=kind,
        name=name,
        group=group,
        version=component.version,
        bom_ref=component.id,
        purl=purl,
        supplier=_supplier(component),
        licenses=_licenses(component),
        scope=_SCOPES.get(component.scope or ""),
        external_references=_repository(component),
        properties=properties,
    )


def _service(component: Component, properties: list[Property]) -> Service:
    endpoints = []
    for endpoint in component.endpoints:
        try:
            endpoints.append(XsUri(endpoint))
        except (ValueError, InvalidUriException):
            continue
    return Service(
        name=component.name,
        version=component.version,
        bom_ref=component.id,
        provider=_supplier(component),
        endpoints=endpoints,
        licenses=_licenses(component),
        properties=properties,
    )
