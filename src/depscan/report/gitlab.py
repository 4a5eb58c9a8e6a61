"""GitLab Code Quality JSON (`artifacts: reports: codequality`), shown in merge requests on every tier.

GitLab reads a subset of the Code Climate issue format: `description`, `check_name`,
`fingerprint` (GitLab keeps only the first issue of a fingerprint, so each must be unique),
`severity` (info, minor, major, critical, blocker) and `location.path` relative to the
repository root with `location.lines.begin`. Exempted findings, findings already in the `--baseline`
report and findings below `--min-severity` are left out, as in SARIF; fingerprints are SARIF's.
"""

from __future__ import annotations

from typing import Any

import orjson

from depscan.model import ScanResult, severity_rank
from depscan.report import RenderOptions
from depscan.report._common import (
    components_by_id,
    finding_message,
    fingerprints,
    primary_location,
    repository_path,
    rules_by_id,
    uploaded,
)

#: depscan severity -> Code Quality severity
SEVERITIES = {"info": "info", "low": "minor", "medium": "major", "high": "critical", "critical": "blocker"}


def render(result: ScanResult, options: RenderOptions) -> bytes:
    return orjson.dumps(issues(result, options), option=orjson.OPT_INDENT_2) + b"\n"


def issues(result: ScanResult, options: RenderOptions) -> list[dict[str, Any]]:
    components = components_by_id(result)
    rules = rules_by_id(result)
    prints = fingerprints(result, options)
    findings = uploaded(result.findings, options)
    findings.sort(key=lambda f: (-severity_rank(f.severity), f.rule, f.component))
    entries = []
    for finding in findings:
        component = components.get(finding.component)
        location = primary_location(component) if component else None
        path = repository_path(location.path, options)[0] if location else "."
        message, remediation = finding_message(finding, rules), finding_message(finding, rules, "remediation")
        description = f"{message}. {remediation}" if remediation else message  # in the reader's language
        entries.append(
            {
                "type": "issue",
                "engine_name": "depscan",
                "check_name": finding.rule,
                "description": description,
                "categories": ["Security"],
                "severity": SEVERITIES[finding.severity],
                "location": {"path": path, "lines": {"begin": (location.line if location else None) or 1}},
                "fingerprint": prints[id(finding)],
            }
        )
    return entries
