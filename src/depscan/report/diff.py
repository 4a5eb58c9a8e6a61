"""`depscan diff` output: table (terminal), json (depscan-diff/1) and markdown (a pull-request comment).

The Markdown says in one line what a reviewer needs ("this change adds boto3 1.35.0: SDK of
Amazon.com, Inc. (US), CLOUD Act; level 3 → 1"), then the details in collapsible sections.
Names come from SBOMs and lockfiles: they are escaped like in the scan's Markdown report.
"""

from __future__ import annotations

from typing import Any

import orjson

from depscan.report.markdown import md

KIND_WORDS = {
    "sdk": "SDK",
    "service": "service",
    "infrastructure": "infrastructure",
    "tooling": "build tool",
    "registry": "registry",
    "library": "library",
}
HEADLINE_NAMES = 3


def render_json(diff: dict[str, Any]) -> bytes:
    return orjson.dumps(diff, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def describe(component: dict[str, Any]) -> str:
    """'boto3 1.35.0: SDK of Amazon.com, Inc. (US), CLOUD Act' (plain text, not escaped)."""
    name = f"{component['name']} {component.get('version') or ''}".strip()
    kind = KIND_WORDS.get(component.get("kind") or "", component.get("kind") or "component")
    controller = component.get("controller")
    if controller is None:
        return f"{name}: {kind} of an unknown controller"
    text = f"{name}: {kind} of {controller['name']}"
    if controller.get("country"):
        text += f" ({controller['country']})"
    laws = [law["short"] for law in controller.get("laws") or []]
    return text + (", " + ", ".join(laws) if laws else "")


def level_change(diff: dict[str, Any]) -> str:
    """'level 3 → 1', 'level 2 (unchanged)' or '' when neither report has one."""
    old, new = diff["level"]["old"], diff["level"]["new"]
    if old is None and new is None:
        return ""
    show = lambda value: "unknown" if value is None else str(value)  # noqa: E731
    return f"level {show(old)} → {show(new)}" if old != new else f"level {show(new)} (unchanged)"


def _notable(diff: dict[str, Any]) -> list[dict[str, Any]]:
    """Added components worth naming: those with a finding or a controller outside the EU/EEA, worst first."""
    added = diff["components"]["added"]
    notable = [c for c in added if c["findings"] or (c.get("controller") and c["controller"].get("eu") is False)]
    return sorted(notable, key=lambda c: (-len(c["findings"]), not c.get("direct"), c["name"] or ""))


def headline(diff: dict[str, Any]) -> str:
    """The one sentence of a pull-request comment (plain text)."""
    added, removed = diff["components"]["added"], diff["components"]["removed"]
    notable = _notable(diff)
    parts = []
    if len(notable) == 1 and len(added) == 1:
        parts.append(f"this change adds {describe(notable[0])}")
    elif added:
        named = "; ".join(describe(c) for c in notable[:HEADLINE_NAMES])
        more = f" and {len(notable) - HEADLINE_NAMES} more" if len(notable) > HEADLINE_NAMES else ""
        parts.append(f"this change adds {len(added)} component(s)" + (f", among them {named}{more}" if named else ""))
    if removed:
        parts.append(f"removes {len(removed)} component(s)")
    if not parts:
        parts.append("this change adds and removes no component")
    level = level_change(diff)
    return ", ".join(parts) + (f"; {level}" if level else "")


def render_markdown(diff: dict[str, Any]) -> str:
    findings = diff["findings"]
    failing = diff["failing_findings"]
    lines = [f"### depscan: {md(headline(diff))}", ""]
    if diff["fail_on"] == "none":
        verdict = f"{len(findings['new'])} new finding(s), no fail threshold (`--fail-on none`)"
    elif failing:
        verdict = f"**{failing} new finding(s) at or above `{diff['fail_on']}`**: the check fails"
    else:
        verdict = f"no new finding at or above `{diff['fail_on']}`: the check passes"
    lines += [f"{'❌' if failing else '✅'} {verdict}. {len(findings['resolved'])} finding(s) resolved.", ""]
    score = diff["score"]
    if isinstance(score["old"], int | float) and isinstance(score["new"], int | float) and score["old"] != score["new"]:
        lines += [f"Score {score['old']:.0f} → {score['new']:.0f}/100.", ""]
    controllers = diff["controllers"]["new"]
    if controllers:
        named = ", ".join(f"{md(c['name'])} ({md(c['country'] or '?')})" for c in controllers)
        lines += [f"New controllers: {named}.", ""]
    jurisdictions = diff["jurisdictions"]
    if jurisdictions["new_countries"] or jurisdictions["new_laws"]:
        countries = ", ".join(md(c["country"]) for c in jurisdictions["new_countries"]) or "none"
        laws = ", ".join(md(law["short"]) for law in jurisdictions["new_laws"]) or "none"
        lines += [f"New jurisdictions: {countries}; laws now reaching the application: {laws}.", ""]
    if findings["new"]:
        lines += ["| severity | new finding | component | controller |", "|---|---|---|---|"]
        for finding in findings["new"]:
            name = f"{finding['name']} {finding.get('version') or ''}".strip()
            controller = f"{finding['controller']} ({finding['country']})" if finding.get("controller") else "unknown"
            severity = finding["severity"] + (" (exempted)" if finding["exempted"] else "")
            lines.append(f"| {severity} | {md(finding['title'])} | {md(name)} | {md(controller)} |")
        lines.append("")
    sections = []
    components = diff["components"]
    if components["added"]:
        sections.append(("Components added", [f"- {md(describe(c))}" for c in components["added"]]))
    if components["removed"]:
        sections.append(("Components removed", [f"- {md(describe(c))}" for c in components["removed"]]))
    if components["changed"]:
        rows = [
            f"- {md(c['name'])}: {md(', '.join(c['from']) or '?')} → {md(', '.join(c['to']) or '?')}"
            for c in components["changed"]
        ]
        sections.append(("Versions changed", rows))
    if findings["resolved"]:
        rows = [
            f"- {f['severity']}: {md(f['title'])}, {md(f['name'])} {md(f.get('version') or '')}".rstrip()
            for f in findings["resolved"]
        ]
        sections.append(("Findings resolved", rows))
    for title, rows in sections:
        lines += ["<details>", f"<summary>{title} ({len(rows)})</summary>", "", *rows, "", "</details>", ""]
    lines.append(f"<sub>depscan diff · rule set `{md(diff['ruleset'] or '')}` · fail on `{diff['fail_on']}`</sub>")
    return "\n".join(lines) + "\n"


def render_table(diff: dict[str, Any]) -> str:
    """Plain text for a terminal or a CI log."""
    lines = [headline(diff), ""]
    components = diff["components"]
    for title, key in (("Added", "added"), ("Removed", "removed")):
        if components[key]:
            lines.append(f"{title} ({len(components[key])}):")
            lines += [f"  {describe(c)}" for c in components[key]]
    if components["changed"]:
        lines.append(f"Versions changed ({len(components['changed'])}):")
        lines += [
            f"  {c['name']}: {', '.join(c['from']) or '?'} -> {', '.join(c['to']) or '?'}"
            for c in components["changed"]
        ]
    if diff["controllers"]["new"]:
        lines.append(
            "New controllers: " + ", ".join(f"{c['name']} ({c['country']})" for c in diff["controllers"]["new"])
        )
    jurisdictions = diff["jurisdictions"]
    if jurisdictions["new_countries"]:
        lines.append("New countries: " + ", ".join(c["country"] for c in jurisdictions["new_countries"]))
    if jurisdictions["new_laws"]:
        lines.append("New laws: " + ", ".join(law["short"] for law in jurisdictions["new_laws"]))
    score = diff["score"]
    if score["old"] is not None or score["new"] is not None:
        lines.append(f"Score: {score['old']} -> {score['new']}")
    findings = diff["findings"]
    lines.append(f"New findings ({len(findings['new'])}):")
    for finding in findings["new"]:
        mark = " [exempted]" if finding["exempted"] else ""
        lines.append(f"  [{finding['severity']}]{mark} {finding['rule']}: {finding['message']}")
    lines.append(f"Resolved findings ({len(findings['resolved'])}):")
    lines += [f"  [{f['severity']}] {f['rule']}: {f['message']}" for f in findings["resolved"]]
    lines.append(f"{diff['failing_findings']} new finding(s) at or above {diff['fail_on']}")
    return "\n".join(lines) + "\n"
