"""SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).

What GitHub needs, and how this module meets it:
- one reporting descriptor per policy rule, with help text and a `security-severity` property
  that GitHub buckets the same way depscan's severities are named (critical > 9.0, high 7.0-8.9,
  medium 4.0-6.9, low 0.1-3.9; informational rules have none and show as notes);
- each result at the lockfile or SBOM line where the component was read, as a path relative to
  the repository root (`uriBaseId` %SRCROOT%), `region.startLine` always present;
- stable `partialFingerprints` from rule, package identity without version and file, so an alert
  survives line moves and upgrades of the same package;
- exempted findings left out (GitHub ignores SARIF suppressions, so they would show as open), and so
  are findings already in the `--baseline` report and those below `--min-severity`;
- GitHub's hard limits: at most 25,000 results and rules per run, 20 tags per rule; results
  beyond the cap are dropped least severe first, and the run says so in a notification.
"""

from __future__ import annotations

from typing import Any

import orjson

from depscan import __version__, i18n
from depscan.i18n import tr
from depscan.model import ScanResult, severity_rank
from depscan.report import RenderOptions
from depscan.report._common import (
    RuleInfo,
    components_by_id,
    finding_message,
    fingerprints,
    input_warnings,
    primary_location,
    repository_path,
    rules_by_id,
    rules_of,
    severity_label,
    uploaded,
)

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RESULTS = 25_000
MAX_RELATED_LOCATIONS = 100
FINGERPRINT_KEY = "depscanFinding/v1"

#: severity -> SARIF level
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
#: severity -> GitHub `security-severity` (a CVSS-like score inside GitHub's band of the same name)
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def render(result: ScanResult, options: RenderOptions) -> bytes:
    return orjson.dumps(sarif_dict(result, options), option=orjson.OPT_INDENT_2) + b"\n"


def sarif_dict(result: ScanResult, options: RenderOptions) -> dict[str, Any]:
    rules = rules_of(result)
    described = rules_by_id(result)
    index = {rule.id: position for position, rule in enumerate(rules)}
    components = components_by_id(result)
    prints = fingerprints(result, options)
    findings = uploaded(result.findings, options)
    findings.sort(key=lambda f: (-severity_rank(f.severity), f.rule, f.component))
    dropped = max(0, len(findings) - MAX_RESULTS)
    findings = findings[:MAX_RESULTS]
    results = []
    for finding in findings:
        component = components.get(finding.component)
        location = primary_location(component) if component else None
        path, inside = repository_path(location.path, options) if location else ("", False)
        result_entry: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": LEVELS[finding.severity],
            "message": {
                "text": _message(
                    finding_message(finding, described), finding_message(finding, described, "remediation")
                )
            },
            "locations": [_location(path, inside, location.line if location else None)] if location else [],
            "properties": {"component": finding.component, "severity": finding.severity},
            "partialFingerprints": {FINGERPRINT_KEY: prints[id(finding)]},
        }
        if component is not None:
            others = [s for s in component.sources if s is not location][:MAX_RELATED_LOCATIONS]
            related = [
                _location(*repository_path(s.path, options), s.line) | {"id": position}
                for position, s in enumerate(others, start=1)
            ]
            if related:
                result_entry["relatedLocations"] = related
            if component.purl:
                result_entry["properties"]["purl"] = component.purl
            if component.vendor is not None:
                result_entry["properties"]["controller"] = component.vendor.controller_name
                result_entry["properties"]["country"] = component.vendor.country
        results.append(result_entry)
    invocation: dict[str, Any] = {"executionSuccessful": True}
    notifications = [
        {"level": "error", "message": {"text": f"{source.path}: {source.error}"}} for source in result.errors
    ]
    notifications += [{"level": "warning", "message": {"text": line}} for line in input_warnings(result)]
    if dropped:
        notifications.append(
            {
                "level": "warning",
                "message": {
                    "text": tr("{count} less severe results left out: code scanning accepts {limit} per run").format(
                        count=dropped, limit=MAX_RESULTS
                    )
                },
            }
        )
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "depscan",
                "semanticVersion": options.tool_version or __version__,
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "invocations": [invocation],
        "columnKind": "utf16CodeUnits",
        "results": results,
        "properties": {"ruleset": result.ruleset, "level": result.summary.get("level")},
    }
    if i18n.current() != "en":  # SARIF's own field for the language of the messages (default en-US)
        run["language"] = "fr-FR" if i18n.current() == "fr" else i18n.current()
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _message(message: str, remediation: str) -> str:
    return f"{message}. {remediation}" if remediation else message


def _location(path: str, inside: bool, line: int | None) -> dict[str, Any]:
    artifact: dict[str, Any] = {"uri": path, "uriBaseId": "%SRCROOT%"} if inside else {"uri": _file_uri(path)}
    return {"physicalLocation": {"artifactLocation": artifact, "region": {"startLine": line or 1}}}


def _file_uri(path: str) -> str:
    from urllib.parse import quote

    return "file://" + quote(path if path.startswith("/") else "/" + path)


def _rule(rule: RuleInfo) -> dict[str, Any]:
    full = " ".join(part for part in (rule.description, rule.rationale) if part) or rule.title
    severity = tr("severity {severity}").format(severity=severity_label(rule.severity))
    help_lines = [f"**{rule.title}** ({severity})", ""]
    if rule.description:
        help_lines += [rule.description, ""]
    if rule.rationale:
        help_lines += [tr("Why it matters: {rationale}").format(rationale=rule.rationale), ""]
    if rule.remediation:
        help_lines += [tr("What to do: {remediation}").format(remediation=rule.remediation), ""]
    if rule.references:
        help_lines += [tr("References:"), *(f"- {reference}" for reference in rule.references)]
    markdown = "\n".join(help_lines).strip()
    properties: dict[str, Any] = {
        "tags": ["security", "supply-chain", "sovereignty", f"depscan-{rule.severity}"],
        "precision": "high",
        "problem.severity": LEVELS.get(rule.severity, "note"),
    }
    if rule.severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.replace("_", "-").split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": full},
        "help": {"text": markdown.replace("**", ""), "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "note")},
        "properties": properties,
    }
    if rule.references:
        descriptor["helpUri"] = rule.references[0]
    return descriptor
