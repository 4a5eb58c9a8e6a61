"""XLSX workbook of the portfolio: a summary sheet, then one sheet per view a DSI filters and sorts.

Built with the per-scan workbook's helpers (depscan.report.xlsx), so the
same rules hold: every text cell neutralised and typed as text (nothing from
an inventory or an SBOM is ever evaluated as a formula), a frozen header with
an autofilter, and fixed document and zip-entry dates so that the same
portfolio gives the same bytes.
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook

from depscan.report import RenderOptions
from depscan.report.portfolio import (
    APPLICATION_COLUMNS,
    application_row,
    eu_share_text,
    level_text,
    open_share_text,
)
from depscan.report.xlsx import workbook_bytes, write_summary, write_table


def render(portfolio: dict[str, Any], options: RenderOptions) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Summary"
    _summary(sheet, portfolio)
    write_table(
        workbook.create_sheet("Applications"),
        APPLICATION_COLUMNS,
        (application_row(application) for application in portfolio["applications"]),
    )
    write_table(
        workbook.create_sheet("Controllers"),
        (
            "controller",
            "name",
            "country",
            "EU/EEA",
            "applications",
            "critical applications",
            "hosted applications",
            "components",
            "hosted components",
            "lowest hosted level",
            "laws",
            "EU alternatives",
        ),
        (
            (
                c["id"],
                c["name"],
                c["country"],
                c["eu"],
                c["applications"],
                c["critical_applications"],
                c["hosted_applications"],
                c["components"],
                c["hosted_components"],
                c["lowest_level"],
                ", ".join(c["laws"]),
                ", ".join(a["name"] for a in c["eu_alternatives"]),
            )
            for c in portfolio["controllers"]
        ),
    )
    write_table(
        workbook.create_sheet("Jurisdictions"),
        ("country", "name", "EU/EEA", "applications", "critical applications", "hosted applications", "laws"),
        (
            (
                j["country"],
                j["name"],
                j["eu"],
                j["applications"],
                j["critical_applications"],
                j["hosted_applications"],
                ", ".join(j["laws"]),
            )
            for j in portfolio["jurisdictions"]
        ),
    )
    write_table(
        workbook.create_sheet("Laws"),
        ("law", "name", "country", "applications", "critical applications", "hosted applications", "controllers"),
        (
            (
                law["id"],
                law["name"],
                law["country"],
                law["applications"],
                law["critical_applications"],
                law["hosted_applications"],
                ", ".join(law["controllers"]),
            )
            for law in portfolio["laws"]
        ),
    )
    write_table(
        workbook.create_sheet("EU alternatives"),
        ("controller", "name", "country", "hosted applications", "hosted critical applications", "EU alternatives"),
        (
            (
                a["controller"],
                a["name"],
                a["country"],
                a["hosted_applications"],
                a["hosted_critical_applications"],
                ", ".join(f"{v['name']} ({v['country']})" for v in a["eu_alternatives"]) or "none recorded",
            )
            for a in portfolio["alternatives"]
        ),
    )
    write_table(
        workbook.create_sheet("Opportunities"),
        (
            "application",
            "criticality",
            "replace",
            "country",
            "hosted components",
            "with",
            "level before",
            "level after",
            "gain",
        ),
        (
            (
                o["application"],
                o["criticality"],
                o["name"],
                o["country"],
                o["hosted_components"],
                o["best_alternative_name"] or "an EU/EEA provider",
                o["level_before"],
                o["level_after"],
                o["gain"],
            )
            for o in portfolio["opportunities"]
        ),
    )
    changes = portfolio.get("changes")
    if changes:
        write_table(
            workbook.create_sheet("Changes"),
            (
                "application",
                "change",
                "criticality",
                "level before",
                "level after",
                "score before",
                "score after",
                "new extra-EU dependencies",
                "removed extra-EU dependencies",
            ),
            (
                (
                    a["name"],
                    a["level_change"] or a["change"],
                    a["criticality"],
                    a["level"][0],
                    a["level"][1],
                    a["score"][0],
                    a["score"][1],
                    ", ".join(d["name"] for d in a["new_extra_eu"]),
                    ", ".join(d["name"] for d in a["removed_extra_eu"]),
                )
                for a in changes["applications"]
            ),
        )
    write_table(
        workbook.create_sheet("Errors"),
        ("application", "input", "line", "error"),
        (
            (application["name"], error.get("path") or "", error.get("line"), error["message"])
            for application in portfolio["applications"]
            for error in application["errors"]
        ),
    )
    return workbook_bytes(workbook)


def _summary(sheet: Any, portfolio: dict[str, Any]) -> None:
    summary = portfolio["summary"]
    indicators = summary["indicators"]
    concentration = indicators["concentration"]
    rows: list[tuple[str, Any]] = [
        ("depscan portfolio audit", portfolio["inventory"]["name"]),
        ("", ""),
        ("Applications", summary["applications"]),
        ("Critical applications (critical or high)", summary["critical_applications"]),
        ("Scanned", summary["scanned"]),
        ("With unreadable inputs", summary["partial"]),
        ("Failed", summary["failed"]),
        ("Lowest level", level_text(summary["lowest_level"])),
        ("Mean score", summary["mean_score"]),
        ("Mean score of critical applications", summary["mean_score_critical"]),
        ("Components (summed over applications)", summary["components"]),
        ("Controlled outside the EU/EEA", summary["extra_eu"]),
        ("EU/EEA share", eu_share_text(indicators["components"])),
        ("Open-source share", open_share_text(indicators["open_source"])),
        ("Controller concentration (HHI)", concentration["hhi"]),
        ("HHI of hosted dependencies", concentration["hosted_hhi"]),
        ("Controllers", concentration["controllers"]),
    ]
    rows += [(f"Applications at level {level}", count) for level, count in summary["by_level"].items()]
    changes = portfolio.get("changes")
    if changes:
        moved = changes["summary"]
        rows += [
            ("", ""),
            ("Compared with the run of", changes["baseline"]["recorded_at"]),
            ("Applications whose level improved", moved["level_improved"]),
            ("Applications whose level worsened", moved["level_worsened"]),
            ("New extra-EU dependencies", moved["new_extra_eu"]),
            ("Removed extra-EU dependencies", moved["removed_extra_eu"]),
        ]
    write_summary(sheet, rows, label_width=42, value_width=60, horizontal="left")
