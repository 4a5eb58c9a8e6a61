"""The terminal view: headline, counts by country and licence category, then the
extra-EU and non-open-source components grouped by controller, worst first.

Each controller shows its worst few components (direct dependencies first) and a count of the
rest, so that every controller fits on one screen even when one of them has hundreds.
"""

from __future__ import annotations

import io
from collections import defaultdict

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from depscan.i18n import ntr, number, tr
from depscan.model import Component, Finding, ScanResult, severity_rank
from depscan.report import RenderOptions
from depscan.report._common import (
    indicator_rows,
    input_warnings,
    kind_label,
    level_reason,
    of,
    severity_label,
)

MAX_ROWS = 80
PER_CONTROLLER = 4
_SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def _worst(findings: list[Finding]) -> int:
    return max((severity_rank(f.severity) for f in findings if not f.exempted), default=-1)


def render(result: ScanResult, options: RenderOptions) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=options.color,
        no_color=not options.color,
        width=options.width or 120,
        highlight=False,
        soft_wrap=False,
    )
    summary = result.summary
    level = summary.get("level")
    console.print(
        tr(
            "[bold]depscan[/bold]: {components} components from {inputs} input(s); "
            "sovereignty level [bold]{level}[/bold]"
        ).format(
            components=number(summary["components"]),
            inputs=number(summary["inputs"]),
            level=tr("unknown") if level is None else level,
        )
        + f" ({escape(level_reason(result))})"
    )
    total = summary["components"]
    console.print(
        tr(
            "extra-EU controlled: [bold]{extra_eu}[/bold]  not open source: [bold]{non_open}[/bold]  "
            "unknown vendor: {unknown_vendor}  unknown licence: {unknown_license}"
        ).format(
            extra_eu=of(summary["extra_eu"], total),
            non_open=of(summary["non_open_source"], total),
            unknown_vendor=of(summary["unknown_vendor"], total),
            unknown_license=of(summary["unknown_license"], total),
        )
    )
    for label, value in indicator_rows(result):
        console.print(tr("{label}: {value}").format(label=escape(label), value=escape(value)))
    console.print()
    _counts(console, result)
    _components(console, result)
    _footer(console, result)
    return buffer.getvalue()


def _counts(console: Console, result: ScanResult) -> None:
    countries = Table(title=tr("Controllers by country"), title_justify="left", show_edge=False)
    countries.add_column(tr("country"))
    countries.add_column(tr("EU/EEA"))
    countries.add_column(tr("components"), justify="right")
    eu_flags = {c.vendor.country: c.vendor.eu for c in result.components if c.vendor}
    for country, count in sorted(result.summary["by_country"].items(), key=lambda item: (-item[1], item[0])):
        countries.add_row(country, tr("yes") if eu_flags.get(country) else tr("no"), number(count))
    for publisher_type, count in sorted(result.summary.get("by_publisher_type", {}).items()):
        if publisher_type != "legal-entity":  # communities and individuals: no country, counted apart
            countries.add_row(tr("none ({type})").format(type=publisher_type), "-", number(count))
    countries.add_row(tr("unknown"), "-", number(result.summary["unknown_vendor"]))
    categories = Table(title=tr("Licence categories"), title_justify="left", show_edge=False)
    categories.add_column(tr("category"))
    categories.add_column(tr("components"), justify="right")
    for category, count in sorted(result.summary["by_license_category"].items(), key=lambda item: (-item[1], item[0])):
        categories.add_row(category, number(count))
    grid = Table.grid(padding=(0, 6))
    grid.add_row(countries, categories)
    console.print(grid)
    console.print()


def _components(console: Console, result: ScanResult) -> None:
    by_component: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_component[finding.component].append(finding)
    flagged: list[Component] = [
        c
        for c in result.components
        if (c.vendor is not None and c.vendor.eu is False) or (c.license is not None and c.license.open_source is False)
    ]
    if not flagged:
        console.print(tr("No extra-EU or non-open-source component found."))
        return
    groups: dict[str, list[Component]] = defaultdict(list)
    for component in flagged:
        groups[component.vendor.controller_name if component.vendor else tr("(unknown controller)")].append(component)
    ordered = sorted(
        groups.items(),
        key=lambda item: (-max(_worst(by_component[c.id]) for c in item[1]), -len(item[1]), item[0]),
    )
    table = Table(title=tr("Extra-EU and non-open-source components, by controller, worst first"), title_justify="left")
    table.add_column(tr("controller"))
    table.add_column(tr("component"))
    table.add_column(tr("kind"))
    table.add_column(tr("licence"))
    table.add_column(tr("lvl"), justify="right")
    table.add_column(tr("worst finding"))
    shown = groups_shown = 0
    for controller, members in ordered:
        if shown >= MAX_ROWS:
            break
        groups_shown += 1
        direct = tr("direct")
        members.sort(key=lambda c: (-_worst(by_component[c.id]), not c.direct, c.name.lower(), c.version or ""))
        vendor = members[0].vendor
        label = f"{escape(controller)} ({escape(vendor.publisher_label)})" if vendor else escape(controller)
        count = ntr("{count} component", "{count} components", len(members)).format(count=number(len(members)))
        heading = f"[bold]{label}[/bold]\n{count}"
        for position, component in enumerate(members[:PER_CONTROLLER]):
            shown += 1
            findings = [f for f in by_component[component.id] if not f.exempted]
            worst = max(findings, key=lambda f: severity_rank(f.severity)) if findings else None
            why = (
                f"[{_SEVERITY_STYLE[worst.severity]}]{severity_label(worst.severity)}[/] {escape(worst.rule)}"
                if worst
                else "-"
            )
            name = escape(f"{component.name} {component.version or ''}".strip())
            table.add_row(
                heading if position == 0 else "",
                f"{name} [dim]({direct})[/dim]" if component.direct else name,
                kind_label(component.kind),
                escape(component.license.expression or "-") if component.license else "-",
                "-" if component.level is None else str(component.level),
                why,
            )
        rest = len(members) - PER_CONTROLLER
        if rest > 0:
            more = tr("... and {count} more").format(count=number(rest))
            table.add_row("", f"[dim]{more}[/dim]", "", "", "", "", end_section=True)
        else:
            table.rows[-1].end_section = True
    console.print(table)
    if len(ordered) > groups_shown:
        console.print(
            tr("... and {count} more controllers: use --format html or json for all").format(
                count=number(len(ordered) - groups_shown)
            )
        )


def _footer(console: Console, result: ScanResult) -> None:
    findings = result.summary["findings"]
    if findings:
        parts = [f"[{_SEVERITY_STYLE[s]}]{number(n)} {severity_label(s)}[/]" for s, n in findings.items()]
        console.print(tr("Findings: ") + ", ".join(parts))
    failing = result.summary["failing_findings"]
    if result.fail_on != "none":
        threshold = severity_label(result.fail_on)
        verdict = (
            "[red]" + tr("{count} at or above {severity}").format(count=number(failing), severity=threshold) + "[/]"
            if failing
            else tr("none at or above {severity}").format(severity=threshold)
        )
        console.print(tr("Fail-on {severity}: {verdict}").format(severity=result.fail_on, verdict=verdict))
    error, warning = tr("error"), tr("warning")
    for source in result.errors:
        where = f"{source.path}:{source.line}" if source.line else source.path
        console.print(f"[red]{error}[/]: {escape(where)}: {escape(source.error or '')}")
    for line in input_warnings(result):
        console.print(f"[yellow]{warning}[/]: {escape(line)}")
