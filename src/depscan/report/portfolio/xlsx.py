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

from depscan.i18n import N_, tr
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
    sheet.title = tr("Summary")
    _summary(sheet, portfolio)
    write_table(
        workbook.create_sheet(tr("Applications")),
        APPLICATION_COLUMNS,
        (application_row(application) for application in portfolio["applications"]),
    )
    write_table(
        workbook.create_sheet(tr("Controllers")),
        (
            N_("controller"),
            N_("name"),
            N_("country"),
            N_("EU/EEA"),
            N_("applications"),
            N_("critical applications"),
            N_("hosted applications"),
            N_("components"),
            N_("hosted components"),
            N_("lowest hosted level"),
            N_("laws"),
            N_("EU alternatives"),
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
        workbook.create_sheet(tr("Jurisdictions")),
        (
            N_("country"),
            N_("name"),
            N_("EU/EEA"),
            N_("applications"),
            N_("critical applications"),
            N_("hosted applications"),
            N_("laws"),
        ),
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
        workbook.create_sheet(tr("Laws")),
        (
            N_("law"),
            N_("name"),
            N_("country"),
            N_("applications"),
            N_("critical applications"),
            N_("hosted applications"),
            N_("controllers"),
        ),
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
        workbook.create_sheet(tr("EU alternatives")),
        (
            N_("controller"),
            N_("name"),
            N_("country"),
            N_("hosted applications"),
            N_("hosted critical applications"),
            N_("EU alternatives"),
        ),
        (
            (
                a["controller"],
                a["name"],
                a["country"],
                a["hosted_applications"],
                a["hosted_critical_applications"],
                ", ".join(f"{v['name']} ({v['country']})" for v in a["eu_alternatives"]) or tr("none recorded"),
            )
            for a in portfolio["alternatives"]
        ),
    )
    write_table(
        workbook.create_sheet(tr("Opportunities")),
        (
            N_("application"),
            N_("criticality"),
            N_("replace"),
            N_("country"),
            N_("hosted components"),
            N_("with"),
            N_("level before"),
            N_("level after"),
            N_("gain"),
        ),
        (
            (
                o["application"],
                o["criticality"],
                o["name"],
                o["country"],
                o["hosted_components"],
                o["best_alternative_name"] or tr("an EU/EEA provider"),
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
            workbook.create_sheet(tr("Changes")),
            (
                N_("application"),
                N_("change"),
                N_("criticality"),
                N_("level before"),
                N_("level after"),
                N_("score before"),
                N_("score after"),
                N_("new extra-EU dependencies"),
                N_("removed extra-EU dependencies"),
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
        workbook.create_sheet(tr("Errors")),
        (N_("application"), N_("input"), N_("line"), N_("error")),
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
        (tr("depscan portfolio audit"), portfolio["inventory"]["name"]),
        ("", ""),
        (tr("Applications"), summary["applications"]),
        (tr("Critical applications (critical or high)"), summary["critical_applications"]),
        (tr("Scanned"), summary["scanned"]),
        (tr("With unreadable inputs"), summary["partial"]),
        (tr("Failed"), summary["failed"]),
        (tr("Lowest level"), level_text(summary["lowest_level"])),
        (tr("Mean score"), summary["mean_score"]),
        (tr("Mean score of critical applications"), summary["mean_score_critical"]),
        (tr("Components (summed over applications)"), summary["components"]),
        (tr("Controlled outside the EU/EEA"), summary["extra_eu"]),
        (tr("EU/EEA share"), eu_share_text(indicators["components"])),
        (tr("Open-source share"), open_share_text(indicators["open_source"])),
        (tr("Controller concentration (HHI)"), concentration["hhi"]),
        (tr("HHI of hosted dependencies"), concentration["hosted_hhi"]),
        (tr("Controllers"), concentration["controllers"]),
    ]
    rows += [(f"Applications at level {level}", count) for level, count in summary["by_level"].items()]
    changes = portfolio.get("changes")
    if changes:
        moved = changes["summary"]
        rows += [
            ("", ""),
            (tr("Compared with the run of"), changes["baseline"]["recorded_at"]),
            (tr("Applications whose level improved"), moved["level_improved"]),
            (tr("Applications whose level worsened"), moved["level_worsened"]),
            (tr("New extra-EU dependencies"), moved["new_extra_eu"]),
            (tr("Removed extra-EU dependencies"), moved["removed_extra_eu"]),
        ]
    write_summary(sheet, rows, label_width=42, value_width=60, horizontal="left")
