"""The JSON report, schema `depscan-report/1.1` (src/depscan/schemas/depscan-report-1.schema.json;
the changes from depscan-report/1 and how to migrate are in docs/report-schema.md).

Stable core fields as DESIGN.md states them; fields are only ever added.
Same input, same bytes: keys sorted, components and findings in a fixed order.
"""

from __future__ import annotations

from typing import Any

import orjson

from depscan import __version__
from depscan.model import Component, Finding, InputWarning, ScanResult, VendorMatch
from depscan.policy.baseline import FINGERPRINT_SCHEME, fingerprints_of
from depscan.report import RenderOptions

SCHEMA = "depscan-report/1.1"


def vendor_dict(vendor: VendorMatch) -> dict[str, Any]:
    """The vendor as the report shows it: the matched entity and its ultimate controller."""
    return {
        "id": vendor.id,
        "name": vendor.name,
        "country": vendor.country,
        "seat_country": vendor.seat_country,
        "legal_entity": vendor.legal_entity,
        "controller_type": vendor.controller_type,
        "eu": vendor.eu,
        "controller": vendor.controller,
        "controller_name": vendor.controller_name,
        "chain": list(vendor.chain),
        "laws": list(vendor.laws),
        "certifications": list(vendor.certifications),
        "eu_alternatives": list(vendor.eu_alternatives),
        "confidence": vendor.confidence,
        "evidence": vendor.evidence,
        "reviewed": vendor.reviewed,
        "sources": [dict(source) for source in vendor.sources],
    }


def finding_dict(finding: Finding, fingerprint: str | None = None) -> dict[str, Any]:
    """A finding as the report shows it."""
    return {
        "fingerprint": fingerprint or finding.fingerprint or None,
        "baseline": finding.baseline,
        "rule": finding.rule,
        "severity": finding.severity,
        "component": finding.component,
        "message": finding.message,
        "title": finding.title,
        "remediation": finding.remediation,
        "exempted": finding.exempted,
        "exemption_reason": finding.exemption_reason,
        "exemption": finding.exemption,
    }


def component_dict(component: Component) -> dict[str, Any]:
    license_ = component.license
    vendor = component.vendor
    return {
        "id": component.id,
        "name": component.name,
        "version": component.version,
        "purl": component.purl,
        "ecosystem": component.ecosystem,
        "kind": component.kind,
        "direct": component.direct,
        "scope": component.scope,
        "introduced_by": component.introduced_by,
        "license": {
            "expression": license_.expression if license_ else None,
            "category": license_.category if license_ else "unknown",
            "open_source": license_.open_source if license_ else None,
            "declared": list(license_.declared) if license_ else [],
            "evidence": license_.evidence if license_ else "",
            "basis": license_.basis if license_ else "",
        },
        "vendor": None if vendor is None else vendor_dict(vendor),
        # the service or infrastructure the component drives when it is not its vendor's (hashicorp/aws -> aws)
        "implies": None if component.implies is None else vendor_dict(component.implies),
        # who publishes it when no vendor record does (npm publisher index): a name, no jurisdiction
        "publisher": None
        if component.publisher is None
        else {"name": component.publisher.name, "evidence": component.publisher.evidence},
        "suppliers": component.suppliers,
        "repository": component.repository,
        # where enrichment found the license, suppliers or repository; absent fields were declared
        "provenance": component.properties.get("provenance", {}),
        "level": component.level,
        "level_reason": component.level_reason,
        "sources": [{"path": s.path, "line": s.line} for s in component.sources],
    }


def warning_dict(warning: InputWarning) -> dict[str, Any]:
    """One input warning: its message, and its line and file when known."""
    found: dict[str, Any] = {"message": warning.message}
    if warning.line is not None:
        found["line"] = warning.line
    if warning.path:
        found["path"] = warning.path
    return found


def report_dict(result: ScanResult, options: RenderOptions | None = None) -> dict[str, Any]:
    options = options or RenderOptions()
    prints = fingerprints_of(result, options.working_dir, options.base_dir)
    return {
        "schema": SCHEMA,
        "tool": {"name": "depscan", "version": __version__}
        | ({"vendor_db": result.database} if result.database else {}),
        "fingerprints": FINGERPRINT_SCHEME,
        "ruleset": result.ruleset,
        "sources": [
            {"path": s.path, "format": s.format, "components": s.components}
            | ({"error": s.error, "line": s.line} if s.error else {})
            | {"warnings": [warning_dict(w) for w in s.warnings]}
            for s in result.sources
        ],
        "components": [component_dict(c) for c in result.components],
        "findings": [finding_dict(f, prints[id(f)]) for f in result.findings],
        "exemptions": result.exemptions,
        "summary": result.summary,
    }


def render(result: ScanResult, options: RenderOptions) -> bytes:
    return orjson.dumps(report_dict(result, options), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
