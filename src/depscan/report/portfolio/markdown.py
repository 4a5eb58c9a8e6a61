"""Markdown of the portfolio (a wiki page, a merge request, a mail), and of `depscan inventory diff`.

Every value taken from the inventory or its inputs goes through the per-scan
report's `md` escape: HTML-significant characters, table pipes and mentions
become entities, so an application named `<script>` or `@team` stays text.
"""

from __future__ import annotations

from typing import Any

from depscan import i18n
from depscan.i18n import N_, number, tr
from depscan.report import RenderOptions
from depscan.report.markdown import md
from depscan.report.portfolio import (
    band_label,
    change_label,
    controller_type_label,
    criticality_label,
    errors_text,
    eu_share_text,
    extra_eu_hosted,
    level_text,
    open_share_text,
    status_label,
    when,
)

TOP_CONTROLLERS = 15
TOP_OPPORTUNITIES = 15


def render(portfolio: dict[str, Any], options: RenderOptions) -> str:
    summary = portfolio["summary"]
    indicators = summary["indicators"]
    concentration = indicators["concentration"]
    lines = [
        tr("# Portfolio audit: {name}").format(name=md(portfolio["inventory"]["name"])),
        "",
        tr(
            "{applications} applications ({critical} critical or high), {scanned} scanned,"
            " {partial} with unreadable inputs, {failed} failed."
        ).format(
            applications=number(summary["applications"]),
            critical=number(summary["critical_applications"]),
            scanned=number(summary["scanned"]),
            partial=number(summary["partial"]),
            failed=number(summary["failed"]),
        ),
        "",
        tr("- Lowest level: **{level}**; mean score {score} (critical applications: {critical})").format(
            level=level_text(summary["lowest_level"]),
            score=_number(summary["mean_score"]),
            critical=_number(summary["mean_score_critical"]),
        ),
        tr("- Components controlled from the EU/EEA: {share}").format(share=eu_share_text(indicators["components"])),
        tr("- Open source: {share}").format(share=open_share_text(indicators["open_source"])),
        tr("- Concentration (HHI, 0-10,000): {hhi} ({band}); hosted dependencies {hosted_hhi} ({hosted_band})").format(
            hhi=_number(concentration["hhi"]),
            band=band_label(concentration["band"]),
            hosted_hhi=_number(concentration["hosted_hhi"]),
            hosted_band=band_label(concentration["hosted_band"]),
        ),
        tr("- Applications by level: {levels}").format(
            levels=", ".join(f"{level}: {number(count)}" for level, count in summary["by_level"].items()) or tr("none")
        ),
        "",
    ]
    store = portfolio.get("store")
    if store:
        stale = (
            tr("; {stale} of {pushed} stale (older than {days} days)").format(
                stale=number(store["stale"]),
                pushed=number(store["applications_pushed"]),
                days=_number(float(store["max_age_days"])),
            )
            if store.get("max_age_days") is not None
            else ""
        )
        never = (
            tr("; {count} in the inventory never pushed").format(count=number(store["not_pushed"]))
            if store.get("not_pushed")
            else ""
        )
        before = tr(" before {date}").format(date=when(store["at"])) if store.get("at") else ""
        lines[-1:-1] = [
            tr(
                "- Latest pushed scans in `{location}`{before}, as of {date}: {count} applications{stale}{never}"
            ).format(
                location=md(store["location"]),
                before=before,
                date=when(store["as_of"]),
                count=number(store["applications_pushed"]),
                stale=stale,
                never=never,
            )
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
    """A score or an index in the locale's form ("n/a" for none): `{value:g}` in English, as it always was."""
    if value is None:
        return tr("n/a")
    if isinstance(value, float):
        return f"{value:g}" if i18n.current() == "en" else number(value, 2)
    return number(value)


def _applications(applications: list[dict[str, Any]]) -> list[str]:
    lines = [
        tr("## Applications"),
        "",
        tr(
            "| Application | Criticality | Owner | Level | Score | Extra-EU components"
            " | Extra-EU hosted controllers | Status |"
        ),
        "|---|---|---|---|---:|---:|---|---|",
    ]
    for a in applications:
        hosted = ", ".join(f"{c['name']} ({c['country']})" for c in extra_eu_hosted(a))
        lines.append(
            f"| {md(a['name'])} | {md(criticality_label(a['criticality']))} | {md(a['owner'] or '')}"
            f" | {level_text(a['level'])} | {_number(a['score'])} | {number(a['counts']['extra_eu'])} | {md(hosted)}"
            f" | {status_label(a['status'])}{_stale(a)} |"
        )
    return [*lines, ""]


def _stale(application: dict[str, Any]) -> str:
    report = application.get("report")
    if not (report and report.get("stale")):
        return ""
    return tr(", stale (scanned {date})").format(date=when(report["pushed_at"]))


def _controllers(controllers: list[dict[str, Any]]) -> list[str]:
    lines = [
        tr("## Controllers the organisation depends on most"),
        "",
        tr("| Controller | Country | Applications | Critical | Through SDKs, services, hosting | Laws |"),
        "|---|---|---:|---:|---:|---|",
    ]
    for c in controllers[:TOP_CONTROLLERS]:
        flag = tr("EU/EEA") if c["eu"] else tr("extra-EU")
        where = (
            f"{c['country']} ({flag})"
            if c.get("country")
            else tr("none ({type})").format(type=controller_type_label(c.get("controller_type", "community")))
        )
        lines.append(
            f"| {md(c['name'])} | {where} | {number(c['applications'])} | {number(c['critical_applications'])}"
            f" | {number(c['hosted_applications'])} | {md(', '.join(c['laws']) or tr('none recorded'))} |"
        )
    if len(controllers) > TOP_CONTROLLERS:
        lines += [
            "",
            tr("{count} more controllers in the JSON, CSV, XLSX and HTML reports.").format(
                count=number(len(controllers) - TOP_CONTROLLERS)
            ),
        ]
    return [*lines, ""]


def _laws(laws: list[dict[str, Any]], jurisdictions: list[dict[str, Any]]) -> list[str]:
    lines = [
        tr("## Jurisdictions and laws"),
        "",
        tr("| Law | Country | Applications reached | Critical | Through SDKs, services, hosting |"),
        "|---|---|---:|---:|---:|",
    ]
    for law in laws:
        lines.append(
            f"| {md(law['name'])} | {law['country'] or ''} | {number(law['applications'])}"
            f" | {number(law['critical_applications'])} | {number(law['hosted_applications'])} |"
        )
    if not laws:
        lines.append(tr("| no extraterritorial law recorded for any controller | | | | |"))
    lines += [
        "",
        tr("Controller countries: {countries}").format(
            countries=", ".join(
                f"{md(i18n.country(j.get('country'), j['name']))} {number(j['applications'])}" for j in jurisdictions
            )
        ),
    ]
    return [*lines, ""]


def _alternatives(alternatives: list[dict[str, Any]]) -> list[str]:
    lines = [
        tr("## EU alternatives for the top extra-EU dependencies"),
        "",
        tr("| Controller | Applications (hosted) | Critical | EU/EEA alternatives |"),
        "|---|---:|---:|---|",
    ]
    for a in alternatives:
        names = ", ".join(f"{v['name']} ({v['country']})" for v in a["eu_alternatives"]) or tr("none recorded yet")
        lines.append(
            f"| {md(a['name'])} ({a['country']}) | {number(a['hosted_applications'])}"
            f" | {number(a['hosted_critical_applications'])} | {md(names)} |"
        )
    if not alternatives:
        lines.append(tr("| none: no SDK, service or hosting controlled outside the EU/EEA | | | |"))
    return [*lines, ""]


def _opportunities(opportunities: list[dict[str, Any]]) -> list[str]:
    lines = [tr("## What one change would gain"), ""]
    if not opportunities:
        return [*lines, tr("No single replacement raises any application's level."), ""]
    lines += [
        tr("| Application | Criticality | Replace | Hosted components | With | Level |"),
        "|---|---|---|---:|---|---|",
    ]
    for o in opportunities[:TOP_OPPORTUNITIES]:
        lines.append(
            f"| {md(o['application'])} | {md(criticality_label(o['criticality']))} | {md(o['name'])} ({o['country']})"
            f" | {number(o['hosted_components'])} | {md(o['best_alternative_name'] or tr('an EU/EEA provider'))}"
            f" | {o['level_before']} → {o['level_after']} |"
        )
    return [*lines, ""]


def _problems(applications: list[dict[str, Any]]) -> list[str]:
    rows = []
    for a in applications:
        if a["errors"]:
            rows.append(f"- **{md(a['name'])}** ({status_label(a['status'])}): {md(errors_text(a))}")
        for unknown in a["unknown_declared"]:
            rows.append(
                f"- **{md(a['name'])}**: "
                + tr("{role} {value} is not in the vendor database (kept, level unknown)").format(
                    role=md(unknown["role"]), value=md(unknown["value"])
                )
            )
        for warning in a["warnings"]:
            rows.append(f"- **{md(a['name'])}**: {md(warning)}")
    if not rows:
        return []
    return [tr("## Errors and unknown declared dependencies"), "", *rows, ""]


def changes_lines(changes: dict[str, Any], heading: str) -> list[str]:
    """What changed since the baseline run, as Markdown lines."""
    moved = changes["summary"]
    lines = [
        f"{heading} " + tr("Changes since {date}").format(date=when(changes["baseline"]["recorded_at"])),
        "",
        tr("Compared run {run} ({date}) with {current} ({current_date}).").format(
            run=changes["baseline"]["run"],
            date=when(changes["baseline"]["recorded_at"]),
            current=changes["current"]["run"] or tr("this run"),
            current_date=when(changes["current"]["recorded_at"]),
        ),
        "",
        tr(
            "- Levels: {improved} improved, {worsened} worsened; lowest {before} → {after};"
            " mean score {score_before} → {score_after}"
        ).format(
            improved=number(moved["level_improved"]),
            worsened=number(moved["level_worsened"]),
            before=level_text(moved["lowest_level"][0]),
            after=level_text(moved["lowest_level"][1]),
            score_before=_number(moved["mean_score"][0]),
            score_after=_number(moved["mean_score"][1]),
        ),
        tr("- Extra-EU dependencies: {new} new, {removed} removed").format(
            new=number(moved["new_extra_eu"]), removed=number(moved["removed_extra_eu"])
        ),
    ]
    if moved["applications_added"]:
        lines.append(
            tr("- Applications added: {names}").format(names=", ".join(md(n) for n in moved["applications_added"]))
        )
    if moved["applications_removed"]:
        lines.append(
            tr("- Applications removed: {names}").format(names=", ".join(md(n) for n in moved["applications_removed"]))
        )
    for key, label in (
        ("new_controllers", N_("New extra-EU controllers")),
        ("removed_controllers", N_("Extra-EU controllers no longer used")),
    ):
        if changes[key]:
            lines.append(
                f"- {tr(label)}: "
                + ", ".join(
                    tr("{controller} ({country}: {count} apps)").format(
                        controller=md(c["controller"]), country=c["country"], count=number(len(c["applications"]))
                    )
                    for c in changes[key]
                )
            )
    lines.append("")
    if changes["applications"]:
        lines += [
            tr("| Application | Change | Level | Score | New extra-EU | Removed extra-EU |"),
            "|---|---|---|---|---|---|",
        ]
        for a in changes["applications"]:
            lines.append(
                f"| {md(a['name'])} | {change_label(a['level_change'] or a['change'])} | {level_text(a['level'][0])} →"
                f" {level_text(a['level'][1])} | {_number(a['score'][0])} → {_number(a['score'][1])}"
                f" | {md(_names(a['new_extra_eu']))} | {md(_names(a['removed_extra_eu']))} |"
            )
    else:
        lines.append(tr("No application changed."))
    return [*lines, ""]


def _names(dependencies: list[dict[str, Any]], limit: int = 8) -> str:
    names = [f"{d['name']} ({d['controller']})" for d in dependencies[:limit]]
    if len(dependencies) > limit:
        names.append(tr("{count} more").format(count=number(len(dependencies) - limit)))
    return ", ".join(names)
