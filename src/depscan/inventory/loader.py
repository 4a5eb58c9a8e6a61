"""Read an inventory of applications: TOML (one `[[application]]` table each) or CSV (one row each).

The file as a whole must parse (else ConfigError, exit 2); a malformed
application only makes that application fail, so that a typo in one row of a
thousand never hides the other 999. The format is documented with an example
in examples/inventory/README.md.
"""

from __future__ import annotations

import csv
import io
import re
import stat
from pathlib import Path
from typing import Any

from depscan import _toml
from depscan.errors import ConfigError
from depscan.portfolio import CRITICALITIES, ROLE_KINDS, Application, Declared, Inventory

MAX_INVENTORY_BYTES = 64 << 20  # 64 MiB: a hundred thousand rows, far beyond any real inventory
_APPLICATION_HEADER = re.compile(rb"^[ \t]*\[\[[ \t]*application[ \t]*\]\]", re.MULTILINE)
_LIST_SEPARATORS = re.compile(r"[;|\n]")

#: TOML fields of an application, besides the declared dependency roles
_TEXT_FIELDS = ("owner", "criticality", "data_sensitivity", "description", "region")
#: CSV header spellings -> field name
_CSV_COLUMNS = {
    "name": "name",
    "application": "name",
    "app": "name",
    "owner": "owner",
    "criticality": "criticality",
    "data_sensitivity": "data_sensitivity",
    "sensitivity": "data_sensitivity",
    "description": "description",
    "paths": "paths",
    "path": "paths",
    "hosting": "hosting",
    "region": "region",
    "services": "services",
    "saas": "services",
    "identity": "identity",
    "identity_provider": "identity",
    "idp": "identity",
    "infrastructure": "infrastructure",
}


def load(path: str) -> Inventory:
    """Load the inventory at `path`; the format is chosen by the extension (.csv, else TOML)."""
    file_path = Path(path)
    try:
        info = file_path.stat()
        size = info.st_size
        if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
            raise ConfigError(f"{path}: not a regular file (a FIFO, device or socket)")
        if size > MAX_INVENTORY_BYTES:
            raise ConfigError(f"{path}: inventory is {size} bytes, over the {MAX_INVENTORY_BYTES} byte limit")
        data = file_path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such inventory file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not an inventory file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    base_dir = str(file_path.resolve().parent)
    if file_path.suffix.lower() in (".csv", ".tsv"):
        applications = parse_csv(data, path)
        return _inventory(path, base_dir, file_path.stem, "csv", applications)
    name, applications = parse_toml(data, path)
    return _inventory(path, base_dir, name or file_path.stem, "toml", applications)


def _inventory(path: str, base_dir: str, name: str, format_: str, applications: list[Application]) -> Inventory:
    if not applications:
        raise ConfigError(f"{path}: no application in the inventory")
    _flag_duplicates(applications)
    return Inventory(path=path, base_dir=base_dir, name=name, format=format_, applications=applications)


def _flag_duplicates(applications: list[Application]) -> None:
    """Names identify applications across runs: a second one with the same name cannot be told apart."""
    first: dict[str, Application] = {}
    for application in applications:
        key = application.name.casefold()
        if key in first:
            where = f" (line {first[key].line})" if first[key].line else ""
            application.problems += (f"duplicate application name {application.name!r}, first declared{where}",)
        else:
            first[key] = application


# -- TOML ------------------------------------------------------------------


def parse_toml(data: bytes, path: str) -> tuple[str | None, list[Application]]:
    """The inventory's name and its applications; ConfigError when the file is not a usable TOML inventory."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        document = _toml.loads_config(text)
    except _toml.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    unknown = sorted(set(document) - {"inventory", "application"})
    if unknown:
        raise ConfigError(
            f"{path}: unknown top-level key(s) {', '.join(map(repr, unknown))}; "
            "an inventory has an optional [inventory] table and [[application]] tables"
        )
    header = document.get("inventory", {})
    if not isinstance(header, dict):
        raise ConfigError(f"{path}: [inventory] must be a table")
    name = header.get("name")
    if name is not None and not isinstance(name, str):
        raise ConfigError(f"{path}: [inventory] name must be a string")
    entries = document.get("application", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'application' must be an array of tables: write [[application]]")
    lines = [data.count(b"\n", 0, match.start()) + 1 for match in _APPLICATION_HEADER.finditer(data)]
    applications = []
    for position, entry in enumerate(entries):
        line = lines[position] if len(lines) == len(entries) else None
        applications.append(_application_from_table(entry, position, line))
    return name, applications


def _application_from_table(entry: Any, position: int, line: int | None) -> Application:
    if not isinstance(entry, dict):
        return Application(name=f"#{position + 1}", line=line, problems=("application entry is not a table",))
    problems: list[str] = []
    warnings: list[str] = []
    raw_name = entry.get("name")
    if isinstance(raw_name, str) and raw_name.strip():
        name = raw_name.strip()
    else:
        name = f"#{position + 1}"
        problems.append("'name' is required and must be a non-empty string")
    values: dict[str, str | None] = {}
    for key in _TEXT_FIELDS:
        value = entry.get(key)
        if value is None or isinstance(value, str):
            values[key] = value.strip() if isinstance(value, str) and value.strip() else None
        else:
            problems.append(f"'{key}' must be a string")
            values[key] = None
    sensitivity = entry.get("sensitivity")
    if values["data_sensitivity"] is None and isinstance(sensitivity, str):
        values["data_sensitivity"] = sensitivity.strip() or None
    paths = _string_list(entry.get("paths", entry.get("path")), "paths", problems)
    declared: list[Declared] = []
    for role in ROLE_KINDS:
        declared.extend(_declared(entry.get(role), role, values["region"] if role == "hosting" else None, problems))
    known = {"name", "paths", "path", "sensitivity", *_TEXT_FIELDS, *ROLE_KINDS}
    for key in sorted(set(entry) - known):
        warnings.append(f"unknown field {key!r} ignored")
    return _finish(name, values, paths, declared, line, problems, warnings)


def _string_list(value: Any, key: str, problems: list[str]) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        problems.append(f"'{key}' must be a string or a list of strings")
        return []
    return [item.strip() for item in items if item.strip()]


def _declared(value: Any, role: str, region: str | None, problems: list[str]) -> list[Declared]:
    """`["aws", {vendor = "ovhcloud", region = "gra"}]`, or one of them alone."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    declared: list[Declared] = []
    for item in items:
        if isinstance(item, str):
            if item.strip():
                declared.append(Declared(role, item.strip(), region))
        elif isinstance(item, dict) and isinstance(item.get("vendor"), str) and item["vendor"].strip():
            item_region = item.get("region", region)
            if item_region is not None and not isinstance(item_region, str):
                problems.append(f"'{role}' region must be a string")
                item_region = None
            declared.append(Declared(role, item["vendor"].strip(), (item_region or "").strip() or None))
        else:
            problems.append(f"'{role}' entries must be vendor ids or names, or {{vendor = ..., region = ...}} tables")
    return declared


def _finish(
    name: str,
    values: dict[str, str | None],
    paths: list[str],
    declared: list[Declared],
    line: int | None,
    problems: list[str],
    warnings: list[str],
) -> Application:
    criticality = values["criticality"]
    if criticality is not None:
        if criticality.lower() in CRITICALITIES:
            criticality = criticality.lower()
        else:
            problems.append(f"criticality {criticality!r} is not one of {', '.join(CRITICALITIES)}")
            criticality = None
    if not paths and not declared and not problems:
        problems.append("no paths and no declared dependency: nothing to scan")
    return Application(
        name=name,
        owner=values["owner"],
        criticality=criticality,
        data_sensitivity=values["data_sensitivity"],
        description=values["description"],
        paths=tuple(paths),
        declared=tuple(declared),
        line=line,
        problems=tuple(problems),
        warnings=tuple(warnings),
    )


# -- CSV -------------------------------------------------------------------


def parse_csv(data: bytes, path: str) -> list[Application]:
    """One application per row; lists in a cell are separated by `;`, `|` or line breaks.

    The delimiter is `,`, `;` or a tab, whichever the header line uses most
    (spreadsheets in many European locales write `;`).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # what a spreadsheet "Save as CSV" often writes
    if "\x00" in text:
        raise ConfigError(f"{path}: binary file, not a CSV inventory")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            raise ConfigError(f"{path}: empty CSV inventory")
        columns = [_CSV_COLUMNS.get(_column_key(cell)) for cell in header]
        if "name" not in columns:
            raise ConfigError(f"{path}: the CSV header needs a 'name' column (found: {', '.join(header)})")
        ignored = [cell for cell, column in zip(header, columns, strict=True) if column is None and cell.strip()]
        applications = []
        position = 0
        while True:
            line = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            if not any(cell.strip() for cell in row):
                continue
            applications.append(_application_from_row(row, columns, ignored, position, line))
            position += 1
    except csv.Error as exc:
        raise ConfigError(f"{path}:{reader.line_num}: invalid CSV: {exc}") from None
    return applications


def _column_key(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


def _application_from_row(
    row: list[str], columns: list[str | None], ignored: list[str], position: int, line: int
) -> Application:
    problems: list[str] = []
    cells: dict[str, str] = {}
    for column, cell in zip(columns, row, strict=False):
        if column is not None and cell.strip():
            cells[column] = cell.strip()
    if len(row) > len(columns) and any(cell.strip() for cell in row[len(columns) :]):
        problems.append(f"row has {len(row)} cells, the header {len(columns)}")
    name = cells.get("name") or f"#{position + 1}"
    if "name" not in cells:
        problems.append("'name' is required")
    values: dict[str, str | None] = {key: cells.get(key) for key in _TEXT_FIELDS}
    paths = _cell_list(cells.get("paths"))
    declared = [
        Declared(role, value, values["region"] if role == "hosting" else None)
        for role in ROLE_KINDS
        for value in _cell_list(cells.get(role))
    ]
    warnings = [f"unknown column {cell!r} ignored" for cell in ignored]
    return _finish(name, values, paths, declared, line, problems, warnings)


def _cell_list(cell: str | None) -> list[str]:
    if not cell:
        return []
    return [item.strip() for item in _LIST_SEPARATORS.split(cell) if item.strip()]


def expand_paths(patterns: tuple[str, ...], base_dir: str) -> list[str]:
    """Application paths as scan inputs, relative to the inventory's directory; globs expanded, sorted.

    Paths stay relative (the worker runs in `base_dir`) so that reports show
    them as the inventory writes them. A glob that matches nothing is kept as
    written, so that the scan reports it as a missing input instead of
    silently scanning less.
    """
    import glob

    expanded: list[str] = []
    for pattern in patterns:
        if any(character in pattern for character in "*?["):
            found = sorted(glob.glob(pattern, root_dir=base_dir, recursive=True))
            expanded.extend(found or [pattern])
        else:
            expanded.append(pattern)
    return list(dict.fromkeys(expanded))
