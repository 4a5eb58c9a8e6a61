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

from depscan.model import Component, Finding, ScanResult, severity_rank
from depscan.report import RenderOptions
from depscan.report._common import indicator_rows, input_warnings

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
        f"[bold]depscan[/bold]: {summary['components']} components from {summary['inputs']} input(s); "
        f"sovereignty level [bold]{'unknown' if level is None else level}[/bold] "
        f"({escape(str(summary.get('level_reason', '')))})"
    )
    total = summary["components"]
    console.print(
        f"extra-EU controlled: [bold]{summary['extra_eu']} of {total}[/bold]  "
        f"not open source: [bold]{summary['non_open_source']} of {total}[/bold]  "
        f"unknown vendor: {summary['unknown_vendor']} of {total}  "
        f"unknown licence: {summary['unknown_license']} of {total}"
    )
    for label, value in indicator_rows(result):
        console.print(f"{escape(label)}: {escape(value)}")
    console.print()
    _counts(console, result)
    _components(console, result)
    _footer(console, result)
    return buffer.getvalue()


def _counts(console: Console, result: ScanResult) -> None:
    countries = Table(title="Controllers by country", title_justify="left", show_edge=False)
    countries.add_column("country")
    countries.add_column("EU/EEA")
    countries.add_column("components", justify="right")
    eu_flags = {c.vendor.country: c.vendor.eu for c in result.components if c.vendor}
    for country, count in sorted(result.summary["by_country"].items(), key=lambda item: (-item[1], item[0])):
        countries.add_row(country, "yes" if eu_flags.get(country) else "no", str(count))
    for publisher_type, count in sorted(result.summary.get("by_publisher_type", {}).items()):
        if publisher_type != "legal-entity":  # communities and individuals: no country, counted apart
            countries.add_row(f"none ({publisher_type})", "-", str(count))
    countries.add_row("unknown", "-", str(result.summary["unknown_vendor"]))
    categories = Table(title="Licence categories", title_justify="left", show_edge=False)
    categories.add_column("category")
    categories.add_column("components", justify="right")
    for category, count in sorted(result.summary["by_license_category"].items(), key=lambda item: (-item[1], item[0])):
        categories.add_row(category, str(count))
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
        console.print("No extra-EU or non-open-source component found.")
        return
    groups: dict[str, list[Component]] = defaultdict(list)
    for component in flagged:
        groups[component.vendor.controller_name if component.vendor else "(unknown controller)"].append(component)
    ordered = sorted(
        groups.items(),
        key=lambda item: (-max(_worst(by_component[c.id]) for c in item[1]), -len(item[1]), item[0]),
    )
    table = Table(title="Extra-EU and non-open-source components, by controller, worst first", title_justify="left")
    table.add_column("controller")
    table.add_column("component")
    table.add_column("kind")
    table.add_column("licence")
    table.add_column("lvl", justify="right")
    table.add_column("worst finding")
    shown = groups_shown = 0
    for controller, members in ordered:
        if shown >= MAX_ROWS:
            break
        groups_shown += 1
        members.sort(key=lambda c: (-_worst(by_component[c.id]), not c.direct, c.name.lower(), c.version or ""))
        vendor = members[0].vendor
        label = f"{escape(controller)} ({escape(vendor.publisher_label)})" if vendor else escape(controller)
        heading = f"[bold]{label}[/bold]\n{len(members)} component{'s' if len(members) != 1 else ''}"
        for position, component in enumerate(members[:PER_CONTROLLER]):
            shown += 1
            findings = [f for f in by_component[component.id] if not f.exempted]
            worst = max(findings, key=lambda f: severity_rank(f.severity)) if findings else None
            why = f"[{_SEVERITY_STYLE[worst.severity]}]{worst.severity}[/] {escape(worst.rule)}" if worst else "-"
            name = escape(f"{component.name} {component.version or ''}".strip())
            table.add_row(
                heading if position == 0 else "",
                f"{name} [dim](direct)[/dim]" if component.direct else name,
                component.kind,
                escape(component.license.expression or "-") if component.license else "-",
                "-" if component.level is None else str(component.level),
                why,
            )
        rest = len(members) - PER_CONTROLLER
        if rest > 0:
            table.add_row("", f"[dim]... and {rest} more[/dim]", "", "", "", "", end_section=True)
        else:
            table.rows[-1].end_section = True
    console.print(table)
    if len(ordered) > groups_shown:
        console.print(f"... and {len(ordered) - groups_shown} more controllers: use --format html or json for all")


def _footer(console: Console, result: ScanResult) -> None:
    findings = result.summary["findings"]
    if findings:
        parts = [f"[{_SEVERITY_STYLE[s]}]{n} {s}[/]" for s, n in findings.items()]
        console.print("Findings: " + ", ".join(parts))
    failing = result.summary["failing_findings"]
    if result.fail_on != "none":
        verdict = f"[red]{failing} at or above {result.fail_on}[/]" if failing else f"none at or above {result.fail_on}"
        console.print(f"Fail-on {result.fail_on}: {verdict}")
    for source in result.errors:
        where = f"{source.path}:{source.line}" if source.line else source.path
        console.print(f"[red]error[/]: {escape(where)}: {escape(source.error or '')}")
    for line in input_warnings(result):
        console.print(f"[yellow]warning[/]: {escape(line)}")
