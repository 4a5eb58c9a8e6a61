"""A compact Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

Headline (level, score, verdict), counts, the top findings in a table, then collapsible
details. GitHub renders the HTML of comments through a sanitizer, but names taken from an
SBOM are still escaped here so that none of them can turn into markup, a link or a mention.
A comment holds at most 65,536 characters: the details are cut to stay well below.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from depscan.model import Component, Finding, ScanResult, VendorMatch, severity_rank
from depscan.report import RenderOptions
from depscan.report._common import (
    active,
    components_by_id,
    exemptions_of,
    indicator_rows,
    input_warnings,
    is_failing,
    level_label,
    provenance_line,
    rules_of,
    score_of,
    severity_counts,
)

TOP_FINDINGS = 10
EXAMPLES = 3
MAX_CHARACTERS = 60_000
#: HTML-significant characters, the table separator and `@` (a mention) become entities; Markdown's inline
#: punctuation gets a backslash; line breaks would end a table row
_TABLE = str.maketrans(
    {
        **{c: f"&#{ord(c)};" for c in "<>&|@"},
        **{c: "\\" + c for c in "\\`*_[]#~!"},
        "\n": " ",
        "\r": " ",
    }
)


def _sources(findings: list[Finding], components: dict[str, Component]) -> list[str]:
    """The sources behind each controller a finding names, with the date each was checked or cited."""
    seen: dict[str, VendorMatch] = {}
    for finding in findings:
        component = components.get(finding.component)
        if component is not None and component.vendor is not None:
            seen.setdefault(component.vendor.controller, component.vendor)
    if not seen:
        return []
    lines: list[str] = []
    for _, vendor in sorted(seen.items()):
        reviewed = f", record reviewed {vendor.reviewed}" if vendor.reviewed else ""
        lines.append(f"- **{md(vendor.controller_name)}** ({md(vendor.publisher_label)}{reviewed})")
        for source in vendor.sources:
            date = (
                f"checked {source['checked']}"
                if "checked" in source
                else f"cited {source['cited']}"
                if "cited" in source
                else "no date"
            )
            lines.append(f"  - {md(source.get('url', ''))}: {md(source.get('supports', ''))} ({date})")
    return _section(f"Sources of the vendor facts ({len(seen)} controllers)", lines)


def md(text: object) -> str:
    """Text from an input, made inert in Markdown and in the HTML GitHub allows in it."""
    return str(text).translate(_TABLE)


def render(result: ScanResult, options: RenderOptions) -> str:
    summary = result.summary
    components = components_by_id(result)
    ordered = sorted(active(result.findings), key=lambda f: (-severity_rank(f.severity), f.rule, f.component))
    findings = [f for f in ordered if not f.baseline]
    known = [f for f in ordered if f.baseline]
    failing = [f for f in findings if is_failing(f, result.fail_on)]
    score = score_of(result)
    lines = [f"## depscan: sovereignty level {md(level_label(summary.get('level')))}"]
    if score is not None:
        lines[0] += f" · score {score:.0f}/100"
    lines.append("")
    if result.fail_on == "none":
        verdict = "no fail threshold (`--fail-on none`)"
    elif failing:
        verdict = f"**{len(failing)} finding(s) at or above `{result.fail_on}`**: the check fails"
    else:
        verdict = f"no finding at or above `{result.fail_on}`: the check passes"
    icon = "➖" if result.fail_on == "none" else "❌" if failing else "✅"
    lines.append(f"{icon} {verdict}.")
    lines.append("")
    total = summary.get("components", len(result.components))
    lines.append(
        f"**{total}** components from {len(result.sources)} input(s): "
        f"**{summary.get('extra_eu', 0)} of {total}** controlled outside the EU/EEA, "
        f"**{summary.get('non_open_source', 0)} of {total}** not open source, "
        f"{summary.get('unknown_vendor', 0)} of {total} with an unknown controller, "
        f"{summary.get('unknown_license', 0)} of {total} with an unknown licence."
    )
    if summary.get("level_reason"):
        lines.append(f"Level: {md(summary['level_reason'])}.")
    lines.append("")
    if "baseline" in summary:
        lines.append(
            f"Compared with the baseline `{md(summary['baseline'].get('path', ''))}`: {len(findings)} new finding(s); "
            f"{len(known)} already in the baseline, not counted for `--fail-on` (collapsed below)."
        )
        lines.append("")
    counts = severity_counts(findings)
    lines.append("| " + " | ".join(counts) + " |")
    lines.append("|" + "---:|" * len(counts))
    lines.append("| " + " | ".join(str(n) for n in counts.values()) + " |")
    lines.append("")
    if findings:
        groups = _grouped(findings, components)
        shown = groups[:TOP_FINDINGS]
        lines.append(f"### Top findings ({len(findings)} in {len(groups)} group(s) of rule and controller)")
        lines.append("")
        lines.append("| severity | finding | controller | components |")
        lines.append("|---|---|---|---|")
        for (severity, title, controller), names in shown:
            examples = ", ".join(md(name) for name in names[:EXAMPLES])
            more = f" and {len(names) - EXAMPLES} more" if len(names) > EXAMPLES else ""
            lines.append(f"| {severity} | {md(title)} | {md(controller)} | {len(names)}: {examples}{more} |")
        if len(groups) > len(shown):
            lines.append(f"\n... and {len(groups) - len(shown)} more group(s) below.")
        lines.append("")
    details = _details(result, findings, components, known)
    lines.extend(details)
    lines.append(
        f"<sub>{md(provenance_line(result, options.tool_version))} · rule set `{md(result.ruleset)}`"
        f" · fail on `{result.fail_on}`</sub>"
    )
    return "\n".join(lines) + "\n"


def _grouped(findings: list[Finding], components: dict[str, Component]) -> list[tuple[tuple[str, str, str], list[str]]]:
    """Findings by severity, rule and controller, most severe and largest first; direct dependencies named first."""
    groups: dict[tuple[str, str, str], list[tuple[bool, str]]] = defaultdict(list)
    for finding in findings:
        component = components.get(finding.component)
        vendor = component.vendor if component else None
        controller = f"{vendor.controller_name} ({vendor.publisher_label})" if vendor else "unknown controller"
        name = f"{component.name} {component.version or ''}".strip() if component else finding.component
        direct = bool(component and component.direct)
        groups[(finding.severity, finding.title or finding.rule, controller)].append((not direct, name))
    ordered = sorted(groups.items(), key=lambda item: (-severity_rank(item[0][0]), -len(item[1]), item[0]))
    return [(key, [name for _, name in sorted(members)]) for key, members in ordered]


def _details(
    result: ScanResult, findings: list[Finding], components: dict[str, Component], known: list[Finding]
) -> list[str]:
    """The collapsible sections, cut when they would push the comment past GitHub's limit."""
    sections: list[list[str]] = []
    indicators = indicator_rows(result)
    if indicators:
        rows = [
            "| indicator | value |",
            "|---|---|",
            *(f"| {md(label)} | {md(value)} |" for label, value in indicators),
        ]
        sections.append(_section("Indicators", rows))
    by_rule = Counter(f.rule for f in findings)
    if by_rule:
        titles = {rule.id: rule for rule in rules_of(result)}
        rows = ["| rule | severity | findings |", "|---|---|---:|"]
        for rule_id, count in sorted(
            by_rule.items(), key=lambda item: (-severity_rank(titles[item[0]].severity), item[0])
        ):
            rows.append(f"| {md(titles[rule_id].title)} (`{md(rule_id)}`) | {titles[rule_id].severity} | {count} |")
        sections.append(_section("Findings by rule", rows))
    by_controller: Counter[str] = Counter()
    for component in result.components:
        if component.vendor is not None:
            by_controller[f"{component.vendor.controller_name} ({component.vendor.publisher_label})"] += 1
    if by_controller:
        rows = ["| controller | components |", "|---|---:|"]
        rows += [f"| {md(name)} | {count} |" for name, count in by_controller.most_common(15)]
        sections.append(_section("Components by controller", rows))
    if findings:
        rows = ["| severity | component | message |", "|---|---|---|"]
        for finding in findings:
            component = components.get(finding.component)
            name = f"{component.name} {component.version or ''}".strip() if component else finding.component
            rows.append(f"| {finding.severity} | {md(name)} | {md(finding.message)} |")
        sections.append(_section(f"All findings ({len(findings)})", rows))
    if known:
        rows = ["| severity | component | message |", "|---|---|---|"]
        for finding in known:
            component = components.get(finding.component)
            name = f"{component.name} {component.version or ''}".strip() if component else finding.component
            rows.append(f"| {finding.severity} | {md(name)} | {md(finding.message)} |")
        sections.append(_section(f"Already in the baseline ({len(known)})", rows))
    exempted = [f for f in result.findings if f.exempted]
    entries = exemptions_of(result)
    if exempted or entries:
        rows = [f"{len(exempted)} finding(s) accepted by an exemption."]
        if entries:
            keys = ("rule", "purl", "vendor", "reason", "approved_by", "expires", "status", "matches")
            rows += ["", "| rule | package | vendor | reason | approved by | expires | status | matches |"]
            rows += ["|---|---|---|---|---|---|---|---:|"]
            for entry in entries:
                rows.append("| " + " | ".join(md("" if entry.get(key) is None else entry[key]) for key in keys) + " |")
        sections.append(_section("Exemptions", rows))
    if result.errors:
        rows = [f"- `{md(s.path)}`{f' line {s.line}' if s.line else ''}: {md(s.error)}" for s in result.errors]
        sections.append(_section(f"Inputs that could not be read ({len(result.errors)})", rows))
    sources = _sources(findings, components)
    if sources:
        # before the long lists, so that the budget cuts a list of findings, not the evidence
        sections.insert(min(2, len(sections)), sources)
    warnings = input_warnings(result)
    if warnings:
        rows = [f"- {md(line)}" for line in warnings]
        sections.append(_section(f"Input warnings: entries not used ({len(warnings)})", rows))
    output: list[str] = []
    used = 0
    for section in sections:
        size = sum(len(line) + 1 for line in section)
        if used + size > MAX_CHARACTERS:
            section = _truncate(section, MAX_CHARACTERS - used)
            size = sum(len(line) + 1 for line in section)
        output.extend(section)
        used += size
    return output


def _section(title: str, rows: list[str]) -> list[str]:
    return ["<details>", f"<summary>{title}</summary>", "", *rows, "", "</details>", ""]


def _truncate(section: list[str], budget: int) -> list[str]:
    """Keep the head of a section within `budget` characters and say how much was left out."""
    kept: list[str] = []
    used = 200
    body = section[3:-3]
    for line in body:
        if used + len(line) + 1 > budget:
            break
        kept.append(line)
        used += len(line) + 1
    left = len(body) - len(kept)
    return [*section[:3], *kept, "", f"... {left} more row(s): see the full report.", *section[-3:]]
