"""CSV: one row per component, for spreadsheets and scripts.

Every text cell is neutralised against formula injection (a cell that starts with = + - @, tab
or carriage return gets a leading apostrophe), since component names, versions and licences
come from untrusted SBOMs and the file is meant to be opened in a spreadsheet. UTF-8, RFC 4180
quoting, CRLF line ends.
"""

from __future__ import annotations

import csv
import io

from depscan.i18n import tr
from depscan.model import ScanResult
from depscan.report import RenderOptions
from depscan.report._common import COMPONENT_COLUMNS, component_row, findings_by_component, neutralise


def render(result: ScanResult, options: RenderOptions) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([tr(column) for column in COMPONENT_COLUMNS])  # the header in the reader's language
    findings = findings_by_component(result)
    for component in result.components:
        row = component_row(component, findings.get(component.id, []))
        writer.writerow(["" if cell is None else neutralise(cell) if isinstance(cell, str) else cell for cell in row])
    return buffer.getvalue()
