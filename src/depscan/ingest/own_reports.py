"""depscan's own reports, recognised by their content wherever they were written.

`--output-dir` leaves a marker file, but `--output FILE` can put a report anywhere in the scanned tree, under
a name a reader claims (`bom.json`, `report.cdx.json`). A second `depscan scan .` must not read the first
one's report as the project's SBOM: its components would be counted twice, and every finding would find itself.
"""

from __future__ import annotations

import re
from typing import Any

from depscan.errors import InputError
from depscan.ingest.base import InputFile

TOOL = "depscan"
_JUNIT = re.compile(rb"<testsuites\b[^>]*\bname=[\"']depscan[\"']")
_SCHEMA = re.compile(r"^depscan-[a-z-]+/")
_HTML_GENERATOR = re.compile(rb"<meta\s+name=[\"']generator[\"']\s+content=[\"']depscan\b", re.IGNORECASE)


def own_report(source: InputFile) -> str | None:
    """The kind of depscan report `source` is ("JSON report", "CycloneDX report", ...), or None."""
    head = source.head
    if head.startswith((b"{", b"[")):
        try:
            document = source.json()
        except InputError:
            return None
        return _json_report(document)
    if head.startswith(b"<"):
        if _JUNIT.search(head[:4096]):
            return "JUnit report"
        if _HTML_GENERATOR.search(head[:8192]):
            return "HTML report"
    return None


def _json_report(document: Any) -> str | None:
    if isinstance(document, list):  # GitLab Code Quality: a list of issues, each naming its engine
        engines = {entry.get("engine_name") for entry in document[:50] if isinstance(entry, dict)}
        return "GitLab Code Quality report" if engines == {TOOL} else None
    if not isinstance(document, dict):
        return None
    schema = document.get("schema")
    if isinstance(schema, str) and _SCHEMA.match(schema):  # depscan-report/1.1, depscan-diff/1, portfolio...
        return "JSON report"
    runs = document.get("runs")
    if isinstance(runs, list) and any(_name(_get(run, "tool", "driver")) == TOOL for run in runs[:10]):
        return "SARIF report"
    if document.get("bomFormat") == "CycloneDX":
        tools = _get(document, "metadata", "tools")
        listed = tools.get("components") if isinstance(tools, dict) else tools  # 1.5+ or the legacy list
        if isinstance(listed, list) and any(_name(tool) == TOOL for tool in listed[:20]):
            return "CycloneDX report"
    return None


def _get(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _name(value: Any) -> str | None:
    name = value.get("name") if isinstance(value, dict) else None
    return name.strip().lower() if isinstance(name, str) else None
