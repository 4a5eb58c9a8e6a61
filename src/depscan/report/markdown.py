"""A compact Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

Headline (level, score, verdict), counts, the top findings in a table, then collapsible
details. GitHub renders the HTML of comments through a sanitizer, but names taken from an
SBOM are still escaped here so that none of them can turn into markup, a link or a mention.
A comment holds at most 65,536 characters: the details are cut to stay well below.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from depscan.i18n import date, number, tr
from depscan.model import Component, Finding, ScanResult, VendorMatch, severity_rank
from depscan.report import RenderOptions
from depscan.report._common import (
    active,
    components_by_id,
    exemptions_of,
    finding_message,
    finding_title,
    indicator_rows,
    input_warnings,
    is_failing,
    level_label,
    level_reason,
    of,
    provenance_line,
    rules_by_id,
    rules_of,
    score_of,
    severity_counts,
    severity_label,
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
        reviewed = tr(", record reviewed {date}").format(date=date(vendor.reviewed)) if vendor.reviewed else ""
        lines.append(f"- **{md(vendor.controller_name)}** ({md(vendor.publisher_label)}{reviewed})")
        for source in vendor.sources:
            when = (
                tr("checked {date}").format(date=date(source["checked"]))
                if "checked" in source
                else tr("cited {date}").format(date=date(source["cited"]))
                if "cited" in source
                else tr("no date")
            )
            lines.append(f"  - {md(source.get('url', ''))}: {md(source.get('supports', ''))} ({when})")
    return _section(tr("Sources of the vendor facts ({count} controllers)").format(count=number(len(seen))), lines)


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
    rules = rules_by_id(result)
    lines = [tr("## depscan: sovereignty level {level}").format(level=md(level_label(summary.get("level"))))]
    if score is not None:
        lines[0] += tr(" · score {score}/100").format(score=number(round(score)))
    lines.append("")
    if result.fail_on == "none":
        verdict = tr("no fail threshold (`--fail-on none`)")
    elif failing:
        verdict = tr("**{count} finding(s) at or above `{severity}`**: the check fails").format(
            count=number(len(failing)), severity=result.fail_on
        )
    else:
        verdict = tr("no finding at or above `{severity}`: the check passes").format(severity=result.fail_on)
    icon = "➖" if result.fail_on == "none" else "❌" if failing else "✅"
    lines.append(f"{icon} {verdict}.")
    lines.append("")
    total = summary.get("components", len(result.components))
    lines.append(
        tr(
            "**{total}** components from {inputs} input(s): **{extra_eu}** controlled outside the EU/EEA, "
            "**{non_open}** not open source, {unknown_vendor} with an unknown controller, "
            "{unknown_license} with an unknown licence."
        ).format(
            total=number(total),
            inputs=number(len(result.sources)),
            extra_eu=of(summary.get("extra_eu", 0), total),
            non_open=of(summary.get("non_open_source", 0), total),
            unknown_vendor=of(summary.get("unknown_vendor", 0), total),
            unknown_license=of(summary.get("unknown_license", 0), total),
        )
    )
    if summary.get("level_reason"):
        lines.append(tr("Level: {reason}.").format(reason=md(level_reason(result))))
    lines.append("")
    if "baseline" in summary:
        lines.append(
            tr(
                "Compared with the baseline `{path}`: {new} new finding(s); {known} already in the baseline, "
                "not counted for `--fail-on` (collapsed below)."
            ).format(path=md(summary["baseline"].get("path", "")), new=number(len(findings)), known=number(len(known)))
        )
        lines.append("")
    counts = severity_counts(findings)
    lines.append("| " + " | ".join(severity_label(s) for s in counts) + " |")
    lines.append("|" + "---:|" * len(counts))
    lines.append("| " + " | ".join(number(n) for n in counts.values()) + " |")
    lines.append("")
    if findings:
        groups = _grouped(findings, components, rules)
        shown = groups[:TOP_FINDINGS]
        lines.append(
            tr("### Top findings ({count} in {groups} group(s) of rule and controller)").format(
                count=number(len(findings)), groups=number(len(groups))
            )
        )
        lines.append("")
        lines.append(tr("| severity | finding | controller | components |"))
        lines.append("|---|---|---|---|")
        for (severity, title, controller), names in shown:
            examples = ", ".join(md(name) for name in names[:EXAMPLES])
            more = tr(" and {count} more").format(count=number(len(names) - EXAMPLES)) if len(names) > EXAMPLES else ""
            lines.append(
                f"| {severity_label(severity)} | {md(title)} | {md(controller)}"
                f" | {number(len(names))}: {examples}{more} |"
            )
        if len(groups) > len(shown):
            lines.append(
                "\n" + tr("... and {count} more group(s) below.").format(count=number(len(groups) - len(shown)))
            )
        lines.append("")
    details = _details(result, findings, components, known)
    lines.extend(details)
    lines.append(
        f"<sub>{md(provenance_line(result, options.tool_version))} · "
        + tr("rule set `{ruleset}` · fail on `{severity}`").format(ruleset=md(result.ruleset), severity=result.fail_on)
        + "</sub>"
    )
    return "\n".join(lines) + "\n"


def _grouped(
    findings: list[Finding], components: dict[str, Component], rules: dict[str, object]
) -> list[tuple[tuple[str, str, str], list[str]]]:
    """Findings by severity, rule and controller, most severe and largest first; direct dependencies named first."""
    groups: dict[tuple[str, str, str], list[tuple[bool, str]]] = defaultdict(list)
    for finding in findings:
        component = components.get(finding.component)
        vendor = component.vendor if component else None
        controller = f"{vendor.controller_name} ({vendor.publisher_label})" if vendor else tr("unknown controller")
        name = f"{component.name} {component.version or ''}".strip() if component else finding.component
        direct = bool(component and component.direct)
        groups[(finding.severity, finding_title(finding, rules), controller)].append((not direct, name))
    ordered = sorted(groups.items(), key=lambda item: (-severity_rank(item[0][0]), -len(item[1]), item[0]))
    return [(key, [name for _, name in sorted(members)]) for key, members in ordered]


def _details(
    result: ScanResult, findings: list[Finding], components: dict[str, Component], known: list[Finding]
) -> list[str]:
    """The collapsible sections, cut when they would push the comment past GitHub's limit."""
    sections: list[list[str]] = []
    rules = rules_by_id(result)
    indicators = indicator_rows(result)
    if indicators:
        rows = [
            tr("| indicator | value |"),
            "|---|---|",
            *(f"| {md(label)} | {md(value)} |" for label, value in indicators),
        ]
        sections.append(_section(tr("Indicators"), rows))
    by_rule = Counter(f.rule for f in findings)
    if by_rule:
        titles = {rule.id: rule for rule in rules_of(result)}
        rows = [tr("| rule | severity | findings |"), "|---|---|---:|"]
        for rule_id, count in sorted(
            by_rule.items(), key=lambda item: (-severity_rank(titles[item[0]].severity), item[0])
        ):
            rows.append(
                f"| {md(titles[rule_id].title)} (`{md(rule_id)}`) | {severity_label(titles[rule_id].severity)}"
                f" | {number(count)} |"
            )
        sections.append(_section(tr("Findings by rule"), rows))
    by_controller: Counter[str] = Counter()
    for component in result.components:
        if component.vendor is not None:
            by_controller[f"{component.vendor.controller_name} ({component.vendor.publisher_label})"] += 1
    if by_controller:
        rows = [tr("| controller | components |"), "|---|---:|"]
        rows += [f"| {md(name)} | {number(count)} |" for name, count in by_controller.most_common(15)]
        sections.append(_section(tr("Components by controller"), rows))
    if findings:
        rows = [tr("| severity | component | message |"), "|---|---|---|"]
        for finding in findings:
            component = components.get(finding.component)
            name = f"{component.name} {component.version or ''}".strip() if component else finding.component
            rows.append(f"| {severity_label(finding.severity)} | {md(name)} | {md(finding_message(finding, rules))} |")
        sections.append(_section(tr("All findings ({count})").format(count=number(len(findings))), rows))
    if known:
        rows = [tr("| severity | component | message |"), "|---|---|---|"]
        for finding in known:
            component = components.get(finding.component)
            name = f"{component.name} {component.version or ''}".strip() if component else finding.component
            rows.append(f"| {severity_label(finding.severity)} | {md(name)} | {md(finding_message(finding, rules))} |")
        sections.append(_section(tr("Already in the baseline ({count})").format(count=number(len(known))), rows))
    exempted = [f for f in result.findings if f.exempted]
    entries = exemptions_of(result)
    if exempted or entries:
        rows = [tr("{count} finding(s) accepted by an exemption.").format(count=number(len(exempted)))]
        if entries:
            keys = ("rule", "purl", "vendor", "reason", "approved_by", "expires", "status", "matches")
            rows += ["", tr("| rule | package | vendor | reason | approved by | expires | status | matches |")]
            rows += ["|---|---|---|---|---|---|---|---:|"]
            for entry in entries:
                rows.append("| " + " | ".join(md("" if entry.get(key) is None else entry[key]) for key in keys) + " |")
        sections.append(_section(tr("Exemptions"), rows))
    if result.errors:
        line_text = tr(" line {line}")
        rows = [
            f"- `{md(s.path)}`{line_text.format(line=s.line) if s.line else ''}: {md(s.error)}" for s in result.errors
        ]
        sections.append(
            _section(tr("Inputs that could not be read ({count})").format(count=number(len(result.errors))), rows)
        )
    sources = _sources(findings, components)
    if sources:
        # before the long lists, so that the budget cuts a list of findings, not the evidence
        sections.insert(min(2, len(sections)), sources)
    warnings = input_warnings(result)
    if warnings:
        rows = [f"- {md(line)}" for line in warnings]
        sections.append(
            _section(tr("Input warnings: entries not used ({count})").format(count=number(len(warnings))), rows)
        )
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
    return [
        *section[:3],
        *kept,
        "",
        tr("... {count} more row(s): see the full report.").format(count=left),
        *section[-3:],
    ]
