"""CSV of the portfolio: one row per application, for the spreadsheet an IT department already keeps.

Same safety rules as the per-scan CSV: every text cell is neutralised against
formula injection (application names, owners and error messages come from the
inventory and its inputs), UTF-8, RFC 4180 quoting, CRLF line ends. Shares are
fractions (0.42), levels and scores plain numbers, so the sheet can sort them.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from depscan.i18n import tr
from depscan.report import RenderOptions
from depscan.report._common import neutralise
from depscan.report.portfolio import APPLICATION_COLUMNS, application_row


def render(portfolio: dict[str, Any], options: RenderOptions) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([tr(column) for column in APPLICATION_COLUMNS])  # the header in the reader's language
    for application in portfolio["applications"]:
        writer.writerow([cell_value(cell) for cell in application_row(application)])
    return buffer.getvalue()


def cell_value(cell: Any) -> Any:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    return neutralise(cell) if isinstance(cell, str) else cell
