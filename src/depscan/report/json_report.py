"""The JSON report, schema `depscan-report/1` (src/depscan/schemas/depscan-report-1.schema.json).

Stable core fields as DESIGN.md states them; fields are only ever added.
Same input, same bytes: keys sorted, components and findings in a fixed order.
"""

from __future__ import annotations

from typing import Any

import orjson

from depscan import __version__
from depscan.model import Component, Finding, InputWarning, ScanResult, VendorMatch
from depscan.report import RenderOptions

SCHEMA = "depscan-report/1"


def vendor_dict(vendor: VendorMatch) -> dict[str, Any]:
    """The vendor as the report shows it: the matched entity and its ultimate controller."""
    return {
        "id": vendor.id,
        "name": vendor.name,
        "country": vendor.country,
        "eu": vendor.eu,
        "controller": vendor.controller,
        "controller_name": vendor.controller_name,
        "chain": list(vendor.chain),
        "laws": list(vendor.laws),
        "certifications": list(vendor.certifications),
        "eu_alternatives": list(vendor.eu_alternatives),
        "confidence": vendor.confidence,
        "evidence": vendor.evidence,
    }


def finding_dict(finding: Finding) -> dict[str, Any]:
    """A finding as the report shows it."""
    return {
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
        },
        "vendor": None if vendor is None else vendor_dict(vendor),
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


def report_dict(result: ScanResult) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "tool": {"name": "depscan", "version": __version__},
        "ruleset": result.ruleset,
        "sources": [
            {"path": s.path, "format": s.format, "components": s.components}
            | ({"error": s.error, "line": s.line} if s.error else {})
            | {"warnings": [warning_dict(w) for w in s.warnings]}
            for s in result.sources
        ],
        "components": [component_dict(c) for c in result.components],
        "findings": [finding_dict(f) for f in result.findings],
        "exemptions": result.exemptions,
        "summary": result.summary,
    }


def render(result: ScanResult, options: RenderOptions) -> bytes:
    return orjson.dumps(report_dict(result), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
