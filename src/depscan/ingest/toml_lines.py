"""Find the line of a key in a TOML manifest, without a position-aware TOML parser.

tomllib forgets positions; manifests (Cargo.toml, Pipfile) declare one
dependency per `name = ...` line of a table, or per `[table.name]` header.
One pass over the lines indexes both, with quotes and blanks removed from
table names so that `[target.'cfg(unix)'.dependencies]` is found from the
parsed key `cfg(unix)`.
"""

from __future__ import annotations

import re
from typing import Any

from depscan import _toml
from depscan.ingest.base import InputFile

_TOML_ERROR_LINE = re.compile(r"line (\d+)")


def bare(text: str) -> str:
    """A table name or key without quotes and blanks: the form lookups are made in."""
    return "".join(text.split()).replace('"', "").replace("'", "")


def key_lines(text: str) -> dict[tuple[str, str], int]:
    """(table, key) -> line of the first `key = ...` in `[table]`, and of each `[table.key]` header."""
    found: dict[tuple[str, str], int] = {}
    table: str | None = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("[["):
            table = None  # arrays of tables ([[bin]], [[source]]) declare no dependencies
        elif line.startswith("["):
            end = line.find("]")
            table = bare(line[1:end]) if end > 0 else None
            if table:
                parent, dot, last = table.rpartition(".")
                if dot:
                    found.setdefault((parent, last), number)
        elif table is not None and "=" in line and not line.startswith("#"):
            key = bare(line.split("=", 1)[0]).split(".", 1)[0]
            if key:
                found.setdefault((table, key), number)
    return found


def toml_document(source: InputFile) -> dict[str, Any]:
    """The parsed TOML document, or InputError with the line TOML complained about."""
    try:
        return _toml.loads(source.text)
    except _toml.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_ERROR_LINE.search(message)
        raise source.error(f"invalid TOML: {message}", int(found.group(1)) if found else None) from None
