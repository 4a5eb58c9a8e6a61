"""Markdown of the portfolio (a wiki page, a merge request, a mail), and of `depscan inventory diff`.

Every value taken from the inventory or its inputs goes through the per-scan
report's `md` escape: HTML-significant characters, table pipes and mentions
become entities, so an application named `<script>` or `@team` stays text.
"""

from __future__ import annotations

from typing import Any

from depscan.report import RenderOptions
from depscan.report.markdown import md
from depscan.report.portfolio import errors_text, eu_share_text, extra_eu_hosted, level_text, open_share_text

TOP_CONTROLLERS = 15
TOP_OPPORTUNITIES = 15


def render(portfolio: dict[str, Any], options: RenderOptions) -> str:
    summary = portfolio["summary"]
    indicators = summary["indicators"]
    concentration = indicators["concentration"]
    lines = [
        f"# Portfolio audit: {md(portfolio['inventory']['name'])}",
        "",
        f"{summary['applications']} applications ({summary['critical_applications']} critical or high),"
        f" {summary['scanned']} scanned, {summary['partial']} with unreadable inputs, {summary['failed']} failed.",
        "",
        f"- Lowest level: **{level_text(summary['lowest_level'])}**; mean score"
        f" {_number(summary['mean_score'])} (critical applications: {_number(summary['mean_score_critical'])})",
        f"- Components controlled from the EU/EEA: {eu_share_text(indicators['components'])}",
        f"- Open source: {open_share_text(indicators['open_source'])}",
        f"- Concentration (HHI, 0-10,000): {_number(concentration['hhi'])} ({concentration['band'] or 'n/a'});"
        f" hosted dependencies {_number(concentration['hosted_hhi'])} ({concentration['hosted_band'] or 'n/a'})",
        "- Applications by level: "
        + (", ".join(f"{level}: {count}" for level, count in summary["by_level"].items()) or "none"),
        "",
    ]
    store = portfolio.get("store")
    if store:
        stale = (
            f"; {store['stale']} of {store['applications_pushed']} stale (older than {store['max_age_days']:g} days)"
            if store.get("max_age_days") is not None
            else ""
        )
        never = f"; {store['not_pushed']} in the inventory never pushed" if store.get("not_pushed") else ""
        before = f" before {store['at']}" if store.get("at") else ""
        lines[-1:-1] = [
            f"- Latest pushed scans in `{md(store['location'])}`{before}, as of {store['as_of']}:"
            f" {store['applications_pushed']} applications{stale}{never}"
        ]
    changes = portfolio.get("changes")
    if changes:
        lines += changes_lines(changes, heading="##")
    lines += _applications(portfolio["applications"])
    lines += _controllers(portfolio["controllers"])
    lines += _laws(portfolio["laws"], portfolio["jurisdictions"])
    lines += _alternatives(portfolio["alternatives"])
    lines += _opportunities(portfolio["opportunities"])
    lines += _problems(portfolio["applications"])
    return "\n".join(lines).rstrip() + "\n"


def render_changes(changes: dict[str, Any], options: RenderOptions) -> str:
    """`depscan inventory diff --format markdown`."""
    return "\n".join(changes_lines(changes, heading="#")).rstrip() + "\n"


def _number(value: Any) -> str:
    return "n/a" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _applications(applications: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## Applications",
        "",
        "| Application | Criticality | Owner | Level | Score | Extra-EU components"
        " | Extra-EU hosted controllers | Status |",
        "|---|---|---|---|---:|---:|---|---|",
    ]
    for a in applications:
        hosted = ", ".join(f"{c['name']} ({c['country']})" for c in extra_eu_hosted(a))
        lines.append(
            f"| {md(a['name'])} | {md(a['criticality'] or '')} | {md(a['owner'] or '')} | {level_text(a['level'])}"
            f" | {_number(a['score'])} | {a['counts']['extra_eu']} | {md(hosted)} | {a['status']}{_stale(a)} |"
        )
    return [*lines, ""]


def _stale(application: dict[str, Any]) -> str:
    report = application.get("report")
    return f", stale (scanned {report['pushed_at']})" if report and report.get("stale") else ""


def _controllers(controllers: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## Controllers the organisation depends on most",
        "",
        "| Controller | Country | Applications | Critical | Through SDKs, services, hosting | Laws |",
        "|---|---|---:|---:|---:|---|",
    ]
    for c in controllers[:TOP_CONTROLLERS]:
        flag = "EU/EEA" if c["eu"] else "extra-EU"
        where = f"{c['country']} ({flag})" if c.get("country") else f"none ({c.get('controller_type', 'community')})"
        lines.append(
            f"| {md(c['name'])} | {where} | {c['applications']} | {c['critical_applications']}"
            f" | {c['hosted_applications']} | {md(', '.join(c['laws']) or 'none recorded')} |"
        )
    if len(controllers) > TOP_CONTROLLERS:
        lines += ["", f"{len(controllers) - TOP_CONTROLLERS} more controllers in the JSON, CSV, XLSX and HTML reports."]
    return [*lines, ""]


def _laws(laws: list[dict[str, Any]], jurisdictions: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## Jurisdictions and laws",
        "",
        "| Law | Country | Applications reached | Critical | Through SDKs, services, hosting |",
        "|---|---|---:|---:|---:|",
    ]
    for law in laws:
        lines.append(
            f"| {md(law['name'])} | {law['country'] or ''} | {law['applications']} | {law['critical_applications']}"
            f" | {law['hosted_applications']} |"
        )
    if not laws:
        lines.append("| no extraterritorial law recorded for any controller | | | | |")
    lines += ["", "Controller countries: " + ", ".join(f"{md(j['name'])} {j['applications']}" for j in jurisdictions)]
    return [*lines, ""]


def _alternatives(alternatives: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## EU alternatives for the top extra-EU dependencies",
        "",
        "| Controller | Applications (hosted) | Critical | EU/EEA alternatives |",
        "|---|---:|---:|---|",
    ]
    for a in alternatives:
        names = ", ".join(f"{v['name']} ({v['country']})" for v in a["eu_alternatives"]) or "none recorded yet"
        lines.append(
            f"| {md(a['name'])} ({a['country']}) | {a['hosted_applications']} | {a['hosted_critical_applications']}"
            f" | {md(names)} |"
        )
    if not alternatives:
        lines.append("| none: no SDK, service or hosting controlled outside the EU/EEA | | | |")
    return [*lines, ""]


def _opportunities(opportunities: list[dict[str, Any]]) -> list[str]:
    lines = ["## What one change would gain", ""]
    if not opportunities:
        return [*lines, "No single replacement raises any application's level.", ""]
    lines += [
        "| Application | Criticality | Replace | Hosted components | With | Level |",
        "|---|---|---|---:|---|---|",
    ]
    for o in opportunities[:TOP_OPPORTUNITIES]:
        lines.append(
            f"| {md(o['application'])} | {md(o['criticality'] or '')} | {md(o['name'])} ({o['country']})"
            f" | {o['hosted_components']} | {md(o['best_alternative_name'] or 'an EU/EEA provider')}"
            f" | {o['level_before']} → {o['level_after']} |"
        )
    return [*lines, ""]


def _problems(applications: list[dict[str, Any]]) -> list[str]:
    rows = []
    for a in applications:
        if a["errors"]:
            rows.append(f"- **{md(a['name'])}** ({a['status']}): {md(errors_text(a))}")
        for unknown in a["unknown_declared"]:
            rows.append(
                f"- **{md(a['name'])}**: {md(unknown['role'])} {md(unknown['value'])} is not in the vendor database"
                " (kept, level unknown)"
            )
        for warning in a["warnings"]:
            rows.append(f"- **{md(a['name'])}**: {md(warning)}")
    if not rows:
        return []
    return ["## Errors and unknown declared dependencies", "", *rows, ""]


def changes_lines(changes: dict[str, Any], heading: str) -> list[str]:
    """What changed since the baseline run, as Markdown lines."""
    moved = changes["summary"]
    lines = [
        f"{heading} Changes since {changes['baseline']['recorded_at']}",
        "",
        f"Compared run {changes['baseline']['run']} ({changes['baseline']['recorded_at']}) with"
        f" {changes['current']['run'] or 'this run'} ({changes['current']['recorded_at']}).",
        "",
        f"- Levels: {moved['level_improved']} improved, {moved['level_worsened']} worsened;"
        f" lowest {level_text(moved['lowest_level'][0])} → {level_text(moved['lowest_level'][1])};"
        f" mean score {_number(moved['mean_score'][0])} → {_number(moved['mean_score'][1])}",
        f"- Extra-EU dependencies: {moved['new_extra_eu']} new, {moved['removed_extra_eu']} removed",
    ]
    if moved["applications_added"]:
        lines.append("- Applications added: " + ", ".join(md(name) for name in moved["applications_added"]))
    if moved["applications_removed"]:
        lines.append("- Applications removed: " + ", ".join(md(name) for name in moved["applications_removed"]))
    for key, label in (
        ("new_controllers", "New extra-EU controllers"),
        ("removed_controllers", "Extra-EU controllers no longer used"),
    ):
        if changes[key]:
            lines.append(
                f"- {label}: "
                + ", ".join(
                    f"{md(c['controller'])} ({c['country']}: {len(c['applications'])} apps)" for c in changes[key]
                )
            )
    lines.append("")
    if changes["applications"]:
        lines += [
            "| Application | Change | Level | Score | New extra-EU | Removed extra-EU |",
            "|---|---|---|---|---|---|",
        ]
        for a in changes["applications"]:
            lines.append(
                f"| {md(a['name'])} | {a['level_change'] or a['change']} | {level_text(a['level'][0])} →"
                f" {level_text(a['level'][1])} | {_number(a['score'][0])} → {_number(a['score'][1])}"
                f" | {md(_names(a['new_extra_eu']))} | {md(_names(a['removed_extra_eu']))} |"
            )
    else:
        lines.append("No application changed.")
    return [*lines, ""]


def _names(dependencies: list[dict[str, Any]], limit: int = 8) -> str:
    names = [f"{d['name']} ({d['controller']})" for d in dependencies[:limit]]
    if len(dependencies) > limit:
        names.append(f"{len(dependencies) - limit} more")
    return ", ".join(names)
