"""One self-contained HTML page of the portfolio, for an IT director: on screen, printed or saved as PDF.

Built like the per-scan HTML report and with its parts (depscan.report.html):
the same Jinja2 environment (autoescape on, strict undefined), the same
stylesheet and table script inlined, a Content-Security-Policy meta tag that
allows only them by hash, and no URL to anything outside the file. Every
value from the inventory and its inputs is escaped: an application named
`<script>` stays text. No clock is read: only a run recorded in history
shows its date.
"""

from __future__ import annotations

from typing import Any

from depscan import __version__, i18n
from depscan.i18n import number, tr
from depscan.portfolio import CRITICALITIES
from depscan.report import RenderOptions
from depscan.report._common import level_names
from depscan.report.html import Chart, asset, chart_data, render_page
from depscan.report.portfolio import (
    band_label,
    best_change_text,
    change_label,
    criticality_label,
    declared_text,
    eu_share_text,
    extra_eu_hosted,
    indicator,
    open_share_text,
    percent,
    status_label,
    when,
)

_ASSUMED_EU_LEVEL = 3


def render(portfolio: dict[str, Any], options: RenderOptions) -> str:
    css = asset("report.css") + "\n" + asset("portfolio.css")
    return render_page("portfolio.html.j2", css, asset("report.js"), context(portfolio, options))


def context(portfolio: dict[str, Any], options: RenderOptions) -> dict[str, Any]:
    """Everything the template shows, computed here so that the template only lays it out."""
    summary = portfolio["summary"]
    indicators = summary["indicators"]
    concentration = indicators["concentration"]
    names = level_names()
    applications = portfolio["applications"]
    at_risk = [a for a in applications if a["level"] is not None and a["level"] <= 1]
    top = concentration["top"][0] if concentration.get("top") else None
    return {
        "tool_version": options.tool_version or __version__,
        "inventory": portfolio["inventory"],
        "summary": summary,
        "indicators": indicators,
        "history": portfolio.get("history"),
        "store": portfolio.get("store"),
        "changes": portfolio.get("changes"),
        "level_names": dict(sorted(names.items())),
        "lowest_level_name": names.get(summary["lowest_level"]) if summary["lowest_level"] is not None else None,
        "at_risk": len(at_risk),
        "critical_at_risk": sum(1 for a in at_risk if a["critical"]),
        "hhi": concentration.get("hhi"),
        "hhi_band": band_label(concentration.get("band")),
        "hosted_hhi": concentration.get("hosted_hhi"),
        "hosted_hhi_band": band_label(concentration.get("hosted_band")),
        "top_controller": {"name": top["name"], "share": percent(top["share"])} if top else None,
        "counts": [
            (tr("applications"), number(summary["applications"]), ""),
            (tr("critical or high"), number(summary["critical_applications"]), ""),
            (
                tr("with errors"),
                number(summary["failed"] + summary["partial"]),
                "warn" if summary["failed"] + summary["partial"] else "muted",
            ),
            (tr("components controlled from the EU/EEA"), eu_share_text(indicators["components"]), ""),
            (tr("open source"), open_share_text(indicators["open_source"]), ""),
        ],
        "matrix_levels": [*(str(level) for level in range(5)), "unknown"],
        "matrix": _matrix(applications),
        "charts": _charts(portfolio),
        "controllers": portfolio["controllers"],
        "laws": portfolio["laws"],
        "jurisdictions": [{**j, "name": i18n.country(j.get("country"), j["name"])} for j in portfolio["jurisdictions"]],
        "alternatives": portfolio["alternatives"],
        "opportunities": portfolio["opportunities"],
        "applications": [_application_row(a) for a in applications],
        "problems": _problems(applications),
        "assumed_level": _ASSUMED_EU_LEVEL,
        "when": when,
        "criticality_label": criticality_label,
        "status_label": status_label,
        "change_label": change_label,
    }


def _matrix(applications: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of criticality, columns of level: the cells a DSI looks at first (critical and low level) marked hot."""
    rows = []
    for criticality in (*CRITICALITIES, None):
        members = [a for a in applications if a["criticality"] == criticality]
        if not members and criticality is None:
            continue
        cells = []
        for level in (0, 1, 2, 3, 4, None):
            count = sum(1 for a in members if a["status"] == "ok" and a["level"] == level)
            cells.append(
                {"count": count, "hot": bool(count) and criticality in ("critical", "high") and level in (0, 1)}
            )
        rows.append(
            {
                "criticality": criticality or "unspecified",
                "cells": cells,
                "incomplete": sum(1 for a in members if a["status"] == "partial"),
                "failed": sum(1 for a in members if a["status"] == "error"),
                "total": len(members),
            }
        )
    return rows


def _charts(portfolio: dict[str, Any]) -> list[Chart]:
    controllers = [
        (c["name"], c["hosted_applications"], "eu" if c["eu"] else "non-eu")
        for c in portfolio["controllers"]
        if c["hosted_applications"]
    ]
    countries = [
        (i18n.country(j.get("country"), j["name"]), j["applications"], "eu" if j["eu"] else "non-eu")
        for j in portfolio["jurisdictions"]
    ]
    eu_legend = [("eu", tr("EU/EEA controller")), ("non-eu", tr("outside the EU/EEA"))]
    return [
        chart_data(
            "hosted-controllers",
            tr("Providers of SDKs, services and hosting"),
            tr("applications that depend on each controller at run time"),
            controllers,
            eu_legend,
        ),
        chart_data(
            "countries",
            tr("Controller countries"),
            tr("applications with a component controlled from there"),
            countries,
            eu_legend,
        ),
    ]


def _application_row(application: dict[str, Any]) -> dict[str, Any]:
    rank = {criticality: position for position, criticality in enumerate(CRITICALITIES)}
    return {
        **application,
        "criticality_rank": rank.get(application["criticality"] or "", len(rank)),
        "hosting": declared_text(application, ("hosting", "infrastructure")),
        "services": declared_text(application, ("services", "identity")),
        "extra_hosted": extra_eu_hosted(application),
        "best_change": best_change_text(application),
        "eu_share": eu_share_text(application.get("indicators", {}).get("components") or {})
        if application.get("indicators")
        else None,
        "open_share": open_share_text(application.get("indicators", {}).get("open_source") or {}),
        "hhi": indicator(application, "concentration", "hhi"),
    }


def _problems(applications: list[dict[str, Any]]) -> list[dict[str, Any]]:
    problems = []
    for a in applications:
        for error in a["errors"]:
            where = error.get("path") or ""
            if where and error.get("line"):
                where += f":{error['line']}"
            problems.append(
                {
                    "application": a["name"],
                    "kind": "error",
                    "label": tr("error"),
                    "where": where,
                    "message": error["message"],
                }
            )
        for unknown in a["unknown_declared"]:
            problems.append(
                {
                    "application": a["name"],
                    "kind": "unknown " + unknown["role"],
                    "label": tr("unknown {role}").format(role=unknown["role"]),
                    "where": "",
                    "message": tr("{value} is not in the vendor database: kept with an unknown controller").format(
                        value=unknown["value"]
                    ),
                }
            )
        for warning in a["warnings"]:
            problems.append(
                {"application": a["name"], "kind": "warning", "label": tr("warning"), "where": "", "message": warning}
            )
    return problems
