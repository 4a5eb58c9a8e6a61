"""XLSX workbook (openpyxl) for the security officer's spreadsheet: a summary sheet, one row per
component, one row per finding, the rules applied, the exemptions and the inputs.

Every text cell is typed as a string, so that nothing taken from an SBOM is ever evaluated as a
formula; text that a spreadsheet would read as one (= + - @ ...) is stored as it is with the
quote-prefix style, so Excel shows `@aws-sdk/client-s3`, not a literal apostrophe, and lookups on the
name work. Columns of shares (0-1) are formatted as percentages. The file is
deterministic: fixed document dates and zip entry times, so the same scan gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from depscan.i18n import N_, tr
from depscan.model import ScanResult, severity_rank
from depscan.report import RenderOptions
from depscan.report._common import (
    COMPONENT_COLUMNS,
    clean_text,
    component_row,
    components_by_id,
    exemptions_of,
    finding_message,
    finding_title,
    findings_by_component,
    indicator_rows,
    level_label,
    neutralise,
    rule_text,
    rules_by_id,
    rules_of,
    score_of,
    severity_counts,
    severity_label,
)

FIXED_DATE = datetime(2000, 1, 1)
_ZIP_DATE = (2000, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
_SEVERITY_FILL = {
    "critical": PatternFill("solid", fgColor="F4C7C3"),
    "high": PatternFill("solid", fgColor="F9D8D6"),
    "medium": PatternFill("solid", fgColor="FCE8B2"),
    "low": PatternFill("solid", fgColor="E3EEF9"),
}
_WIDTHS = {"component": 32, "purl": 40, "level reason": 60, "message": 70, "remediation": 60, "sources": 45}


def render(result: ScanResult, options: RenderOptions) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = tr("Summary")
    _summary(summary, result, options)
    _components(workbook.create_sheet(tr("Components")), result)
    _findings(workbook.create_sheet(tr("Findings")), result)
    rules = rules_of(result)
    write_table(
        workbook.create_sheet(tr("Rules")),
        (
            N_("rule"),
            N_("title"),
            N_("severity"),
            N_("description"),
            N_("rationale"),
            N_("remediation"),
            N_("references"),
        ),
        [
            (
                r.id,
                rule_text(r, "title", r.title),
                r.severity,
                rule_text(r, "description", r.description),
                rule_text(r, "rationale", r.rationale),
                rule_text(r, "remediation", r.remediation),
                "\n".join(r.references),
            )
            for r in rules
        ],
    )
    exemptions = exemptions_of(result)
    if exemptions:
        keys = list(dict.fromkeys(key for entry in exemptions for key in entry))
        write_table(
            workbook.create_sheet(tr("Exemptions")), keys, [[_text(e.get(k)) for k in keys] for e in exemptions]
        )
    write_table(
        workbook.create_sheet(tr("Inputs")),
        (N_("path"), N_("format"), N_("components"), N_("error"), N_("line"), N_("warnings")),
        [
            (s.path, s.format or "", s.components, s.error or "", s.line, "\n".join(str(w) for w in s.warnings))
            for s in result.sources
        ],
    )
    return workbook_bytes(workbook)


def _summary(sheet: Worksheet, result: ScanResult, options: RenderOptions) -> None:
    summary = result.summary
    rows: list[tuple[str, Any]] = [
        (tr("depscan sovereignty report"), ""),
        ("", ""),
        (tr("Sovereignty level"), level_label(summary.get("level"))),
        (tr("Why"), summary.get("level_reason", "")),
    ]
    score = score_of(result)
    if score is not None:
        rows.append((tr("Score (0-100)"), round(score, 1)))
    rows += [
        (tr("Components"), summary.get("components", len(result.components))),
        (tr("Controlled outside the EU/EEA"), summary.get("extra_eu", 0)),
        (tr("Not open source"), summary.get("non_open_source", 0)),
        (tr("Unknown controller"), summary.get("unknown_vendor", 0)),
        (tr("Unknown licence"), summary.get("unknown_license", 0)),
    ]
    rows += [(label, value) for label, value in indicator_rows(result)]
    rows.append(("", ""))
    rows += [
        (tr("Findings: {severity}").format(severity=severity_label(severity)), count)
        for severity, count in severity_counts(result.findings).items()
    ]
    rows += [
        (tr("Exempted findings"), sum(1 for f in result.findings if f.exempted)),
        (tr("Fail on"), result.fail_on),
        (tr("Findings at or above it"), summary.get("failing_findings", 0)),
        (tr("Rule set"), result.ruleset),
        (tr("Inputs"), ", ".join(s.path for s in result.sources)),
        (tr("depscan version"), options.tool_version),
    ]
    write_summary(sheet, rows, label_width=34, value_width=100)


def _components(sheet: Worksheet, result: ScanResult) -> None:
    findings = findings_by_component(result)
    rows = [component_row(component, findings.get(component.id, [])) for component in result.components]
    write_table(sheet, COMPONENT_COLUMNS, rows)
    severity_column = COMPONENT_COLUMNS.index("worst severity")
    for row_cells in sheet.iter_rows(min_row=2):
        fill = _SEVERITY_FILL.get(str(row_cells[severity_column].value))
        if fill is not None:
            for cell in row_cells:
                cell.fill = fill


def _findings(sheet: Worksheet, result: ScanResult) -> None:
    components = components_by_id(result)
    rules = rules_by_id(result)
    columns = (
        N_("severity"),
        N_("rule"),
        N_("title"),
        N_("component"),
        N_("version"),
        N_("purl"),
        N_("controller"),
        N_("country"),
        N_("message"),
        N_("remediation"),
        N_("exempted"),
        N_("exemption reason"),
        N_("sources"),
    )
    rows = []
    for finding in sorted(result.findings, key=lambda f: (-severity_rank(f.severity), f.rule, f.component)):
        component = components.get(finding.component)
        vendor = component.vendor if component else None
        rows.append(
            (
                finding.severity,
                finding.rule,
                finding_title(finding, rules),
                component.name if component else finding.component,
                (component.version or "") if component else "",
                (component.purl or "") if component else "",
                vendor.controller_name if vendor else "",
                vendor.publisher_label if vendor else "",
                finding_message(finding, rules),
                finding_message(finding, rules, "remediation"),
                "yes" if finding.exempted else "no",
                finding.exemption_reason or "",
                "; ".join(f"{s.path}:{s.line}" if s.line else s.path for s in component.sources) if component else "",
            )
        )
    write_table(sheet, columns, rows)
    for row_cells in sheet.iter_rows(min_row=2):
        fill = _SEVERITY_FILL.get(str(row_cells[0].value))
        if fill is not None and row_cells[10].value == "no":
            row_cells[0].fill = fill


#: a share column is a fraction 0-1, shown as a percentage
_PERCENT_FORMAT = "0%"


def _is_share_column(name: str) -> bool:
    return "share" in name.lower()


def _finish_row(cells: Sequence[Any], values: Sequence[Any], shares: Sequence[bool] = ()) -> None:
    """Type each text cell as a string: formula-like text gets the quote-prefix style instead of an apostrophe."""
    for position, (cell, value) in enumerate(zip(cells, values, strict=False)):
        if isinstance(value, str) and value != "" and isinstance(cell.value, str):
            text = clean_text(value)
            if neutralise(text) != text:
                cell.value = text
                cell.data_type = "s"
                cell.quotePrefix = True
            else:
                cell.data_type = "s"
        if position < len(shares) and shares[position] and isinstance(cell.value, int | float):
            cell.number_format = _PERCENT_FORMAT


def write_summary(
    sheet: Worksheet,
    rows: Iterable[Sequence[Any]],
    label_width: int,
    value_width: int,
    horizontal: str | None = None,
) -> None:
    """A label and value per row (neutralised) under a title row: labels bold, values wrapped at the top."""
    for row in rows:
        raw = [_text(value) for value in row]
        sheet.append([safe_cell(value) for value in raw])
        _finish_row(sheet[sheet.max_row], raw)
    sheet["A1"].font = Font(bold=True, size=14)
    for (cell,) in sheet.iter_rows(min_row=3, max_col=1):
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = label_width
    sheet.column_dimensions["B"].width = value_width
    for (cell,) in sheet.iter_rows(min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal=horizontal)


def write_table(sheet: Worksheet, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A header row, the rows (neutralised), a frozen header, an autofilter and readable widths."""
    sheet.append([safe_cell(tr(column)) for column in columns])  # the header in the reader's language
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    shares = [_is_share_column(str(column)) for column in columns]
    count = 0
    for row in rows:
        raw = [_text(value) for value in row]
        sheet.append([safe_cell(value) for value in raw])
        _finish_row(sheet[sheet.max_row], raw, shares)
        count += 1
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    for position, column in enumerate(columns, start=1):
        width = _WIDTHS.get(column, max(12, len(tr(column)) + 4))
        sheet.column_dimensions[get_column_letter(position)].width = width


def _text(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def safe_cell(value: Any) -> Any:
    """A value openpyxl stores as it is: numbers stay numbers, any text is neutralised and stays text."""
    if value is None or isinstance(value, bool):
        return "" if value is None else ("yes" if value else "no")
    if isinstance(value, int | float):
        return value
    return neutralise(str(_text(value)))


def workbook_bytes(workbook: Workbook) -> bytes:
    """The saved workbook, signed by depscan, with fixed document dates and zip entry times."""
    workbook.properties.creator = "depscan"
    workbook.properties.created = FIXED_DATE
    workbook.properties.modified = FIXED_DATE
    buffer = io.BytesIO()
    workbook.save(buffer)
    return deterministic_zip(buffer.getvalue())


def deterministic_zip(data: bytes) -> bytes:
    """Rewrite the archive with fixed times: openpyxl stamps each entry, and the document's `modified`, with now."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            target.writestr(entry, data)
    return output.getvalue()
