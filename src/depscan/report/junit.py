"""JUnit XML for CI test reports (GitLab `artifacts: reports: junit`, Jenkins, Azure DevOps, GitHub test reporters).

A first suite `inputs` has one test case per input file, in error when it could not be read.
Then one test suite per rule, and under it one test case per input file: the case fails when a
finding of that rule on a component read from that file is at or above `--fail-on`, and the
failure lists every such component. A CI test view then shows a handful of cases, not one per
component and rule (thousands for a large lockfile). A case whose findings are all exempted or
already in the `--baseline` report is skipped with the reason; findings below the threshold pass
with their list on `system-out`; findings below `--min-severity` are left out. Test names
(classname + name) are unique: the classname is the rule, the name the input file.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any

from depscan.i18n import tr
from depscan.model import Component, Finding, ScanResult, severity_rank
from depscan.report import RenderOptions
from depscan.report._common import (
    clean_text,
    components_by_id,
    finding_message,
    is_failing,
    repository_path,
    rules_by_id,
    rules_of,
    severity_label,
)

#: the test case of components no input file holds (declared in an inventory)
UNLOCATED = "(no input file)"


def render(result: ScanResult, options: RenderOptions) -> bytes:
    root = ET.Element("testsuites", name="depscan")
    totals: dict[str, int] = defaultdict(int)
    inputs = ET.SubElement(root, "testsuite", name="inputs", tests=str(len(result.sources)), failures="0")
    inputs.set("errors", str(len(result.errors)))
    inputs.set("skipped", "0")
    for source in result.sources:
        case = ET.SubElement(inputs, "testcase", classname="depscan.inputs", name=clean_text(source.path))
        if source.error:
            where = tr("line {line}: ").format(line=source.line) if source.line else ""
            ET.SubElement(case, "error", message=clean_text(where + source.error), type="input")
        if source.warnings:
            output = ET.SubElement(case, "system-err")
            output.text = clean_text("\n".join(tr("warning: {warning}").format(warning=w) for w in source.warnings))
    totals["tests"] += len(result.sources)
    files, by_case = _cases(result, options.min_severity)
    described = rules_by_id(result)
    for rule in rules_of(result):
        suite = ET.SubElement(root, "testsuite", name=rule.id)
        counts: dict[str, int] = defaultdict(int)
        for path in files:
            case = ET.SubElement(suite, "testcase", classname=f"depscan.{rule.id}", name=clean_text(path))
            if path != UNLOCATED:
                case.set("file", repository_path(path, options)[0])
            counts["tests"] += 1
            outcome = _outcome(case, by_case.get((rule.id, path), []), result.fail_on, described)
            if outcome:
                counts[outcome] += 1
        for key in ("tests", "failures", "skipped"):
            suite.set(key, str(counts[key]))
            totals[key] += counts[key]
        suite.set("errors", "0")
    for key in ("tests", "failures", "skipped"):
        root.set(key, str(totals[key]))
    root.set("errors", str(len(result.errors)))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _cases(
    result: ScanResult, min_severity: str
) -> tuple[list[str], dict[tuple[str, str], list[tuple[Finding, Component | None, int | None]]]]:
    """The input files (readable inputs first, in input order) and the findings of each (rule, file)."""
    files = list(dict.fromkeys(s.path for s in result.sources if not s.error))
    components = components_by_id(result)
    floor = severity_rank(min_severity)
    by_case: dict[tuple[str, str], list[tuple[Finding, Component | None, int | None]]] = defaultdict(list)
    for finding in result.findings:
        if severity_rank(finding.severity) < floor:
            continue
        component = components.get(finding.component)
        places = {}
        for location in component.sources if component else []:
            places.setdefault(location.path, location.line)
        for path, line in (places or {UNLOCATED: None}).items():
            if path not in files:
                files.append(path)
            by_case[(finding.rule, path)].append((finding, component, line))
    return files, by_case


def _outcome(
    case: ET.Element,
    entries: list[tuple[Finding, Component | None, int | None]],
    fail_on: str,
    rules: dict[str, Any],
) -> str | None:
    """Fill one test case from its findings; returns 'failures', 'skipped' or None (passed)."""
    if not entries:
        return None
    failing = [e for e in entries if is_failing(e[0], fail_on)]
    passing = [e for e in entries if not e[0].exempted and not e[0].baseline and not is_failing(e[0], fail_on)]
    exempted = [e for e in entries if e[0].exempted]
    known = [e for e in entries if e[0].baseline and not e[0].exempted]
    aside = []
    if exempted:
        reasons = sorted({e[0].exemption_reason or tr("no reason given") for e in exempted})
        aside.append(tr("{count} exempted ({reasons})").format(count=len(exempted), reasons="; ".join(reasons)))
    if known:
        aside.append(tr("{count} already in the baseline").format(count=len(known)))
    if failing:
        worst = max(failing, key=lambda e: severity_rank(e[0].severity))[0].severity
        more = tr(" and {count} more").format(count=len(failing) - 5) if len(failing) > 5 else ""
        names = ", ".join(_name(e) for e in failing[:5]) + more
        message = tr("{count} component(s) at or above {severity}: {names}").format(
            count=len(failing), severity=severity_label(fail_on), names=names
        )
        failure = ET.SubElement(case, "failure", message=clean_text(message), type=worst)
        lines = [_line(e, rules) for e in failing]
        if passing:
            lines += [
                "",
                tr("Below {severity}:").format(severity=severity_label(fail_on)),
                *(_line(e, rules) for e in passing),
            ]
        if aside:
            lines += ["", tr("Not counted: {what}").format(what=", ".join(aside))]
        failure.text = clean_text("\n".join(lines))
        return "failures"
    if passing:
        lines = [_line(e, rules) for e in passing]
        lines += [tr("Not counted: {what}").format(what=", ".join(aside))] if aside else []
        ET.SubElement(case, "system-out").text = clean_text("\n".join(lines))
        return None
    ET.SubElement(case, "skipped", message=clean_text(", ".join(aside)))
    return "skipped"


def _name(entry: tuple[Finding, Component | None, int | None]) -> str:
    finding, component, _ = entry
    return f"{component.name} {component.version or ''}".strip() if component else finding.component


def _line(entry: tuple[Finding, Component | None, int | None], rules: dict[str, Any]) -> str:
    finding, _, line = entry
    where = tr(" (line {line})").format(line=line) if line else ""
    message = finding_message(finding, rules)
    remediation = finding_message(finding, rules, "remediation")
    text = f"- [{severity_label(finding.severity)}] " + tr("{name}{where}: {message}").format(
        name=_name(entry), where=where, message=message
    )
    return f"{text}. {remediation}" if remediation else text
