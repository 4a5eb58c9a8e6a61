"""JUnit XML for CI test reports (GitLab `artifacts: reports: junit`, Jenkins, Azure DevOps, GitHub test reporters).

A first suite `inputs` has one test case per input file, in error when it could not be read.
Then one test suite per rule, one test case per component under it: a finding at or above
`--fail-on` is a failure, an exempted finding is skipped with its reason, a finding below the
threshold passes with the message on `system-out`, and a rule that did not fire passes. Test
names (classname + name) are unique: the classname is the rule, the name the component id.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from depscan.model import Finding, ScanResult
from depscan.report import RenderOptions
from depscan.report._common import clean_text, is_failing, primary_location, repository_path, rules_of


def render(result: ScanResult, options: RenderOptions) -> bytes:
    by_pair: dict[tuple[str, str], Finding] = {}
    for finding in result.findings:
        by_pair.setdefault((finding.rule, finding.component), finding)
    root = ET.Element("testsuites", name="depscan")
    totals: dict[str, int] = defaultdict(int)
    inputs = ET.SubElement(root, "testsuite", name="inputs", tests=str(len(result.sources)), failures="0")
    inputs.set("errors", str(len(result.errors)))
    inputs.set("skipped", "0")
    for source in result.sources:
        case = ET.SubElement(inputs, "testcase", classname="depscan.inputs", name=clean_text(source.path))
        if source.error:
            where = f"line {source.line}: " if source.line else ""
            ET.SubElement(case, "error", message=clean_text(where + source.error), type="input")
        if source.warnings:
            output = ET.SubElement(case, "system-err")
            output.text = clean_text("\n".join(f"warning: {w}" for w in source.warnings))
    totals["tests"] += len(result.sources)
    for rule in rules_of(result):
        suite = ET.SubElement(root, "testsuite", name=rule.id)
        counts: dict[str, int] = defaultdict(int)
        used: set[str] = set()
        for component in result.components:
            name = _unique(component.id, used)
            case = ET.SubElement(suite, "testcase", classname=f"depscan.{rule.id}", name=clean_text(name))
            location = primary_location(component)
            if location is not None:
                case.set("file", repository_path(location.path, options)[0])
                if location.line:
                    case.set("line", str(location.line))
            counts["tests"] += 1
            finding = by_pair.get((rule.id, component.id))
            if finding is None:
                continue
            text = clean_text(f"[{finding.severity}] {finding.message}")
            if finding.exempted:
                counts["skipped"] += 1
                reason = clean_text(f"exempted: {finding.exemption_reason or 'no reason given'}")
                ET.SubElement(case, "skipped", message=reason)
            elif is_failing(finding, result.fail_on):
                counts["failures"] += 1
                failure = ET.SubElement(case, "failure", message=text, type=finding.severity)
                failure.text = clean_text(
                    "\n".join(part for part in (finding.message, finding.remediation, component.level_reason) if part)
                )
            else:
                ET.SubElement(case, "system-out").text = text
        for key in ("tests", "failures", "skipped"):
            suite.set(key, str(counts[key]))
            totals[key] += counts[key]
        suite.set("errors", "0")
    for key in ("tests", "failures", "skipped"):
        root.set(key, str(totals[key]))
    root.set("errors", str(len(result.errors)))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _unique(name: str, used: set[str]) -> str:
    """Component ids are unique after merging; this only guards against a future change of that."""
    candidate, position = name, 1
    while candidate in used:
        position += 1
        candidate = f"{name} ({position})"
    used.add(candidate)
    return candidate
