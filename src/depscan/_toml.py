"""tomllib on Python 3.11+, tomli before; and the limits of the files people write for depscan."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

TOMLDecodeError = tomllib.TOMLDecodeError
loads = tomllib.loads
load = tomllib.load


#: configuration, rules, exemptions and inventory files are written by people: far below these limits
MAX_CONFIG_BYTES = 8 * 1024 * 1024
MAX_CONFIG_DEPTH = 64


def loads_config(text: str) -> dict[str, Any]:
    """`loads` with the size and depth limits of a configuration file: a TOMLDecodeError, never a RecursionError
    traceback or a memory blow-up, for a file nested thirty thousand levels deep."""
    if len(text) > MAX_CONFIG_BYTES:
        raise TOMLDecodeError(f"file is over the {MAX_CONFIG_BYTES} character limit of a configuration file")
    try:
        document = tomllib.loads(text)
    except RecursionError:
        raise TOMLDecodeError(f"nested too deeply (the limit is {MAX_CONFIG_DEPTH} levels)") from None
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_CONFIG_DEPTH:
            raise TOMLDecodeError(f"nested deeper than {MAX_CONFIG_DEPTH} levels")
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return document


def read_config_text(path: Path) -> str:
    """The text of a configuration file: a regular file (never a FIFO or a device) within the size limit.

    OSError and UnicodeDecodeError as `Path.read_text` raises them; TOMLDecodeError for the limits."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise TOMLDecodeError("not a regular file (a FIFO, device or socket)")
    if info.st_size > MAX_CONFIG_BYTES:
        raise TOMLDecodeError(f"file is over the {MAX_CONFIG_BYTES} byte limit of a configuration file")
    with open(path, "rb") as stream:
        return stream.read(MAX_CONFIG_BYTES + 1).decode("utf-8-sig")
