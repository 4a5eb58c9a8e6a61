"""Find the line where an identifier appears in a JSON file, without a line-aware parser.

JSON parsers forget positions; reports (SARIF, GitLab) want them. One pass
over the bytes finds every `"key": "value"` and counts newlines as it goes.
"""

from __future__ import annotations

import re

#: above this size, positions are skipped: the pass would cost more than the rest of the scan
MAX_BYTES_FOR_LINES = 64 << 20


def lines_of_values(data: bytes, key: bytes) -> dict[str, int]:
    """Map each string value of `key` (e.g. b'"bom-ref"') to the line of its first occurrence."""
    if len(data) > MAX_BYTES_FOR_LINES or key not in data:
        return {}
    pattern = re.compile(re.escape(key) + rb'\s*:\s*"((?:[^"\\]|\\.)*)"')
    return _collect(data, pattern)


def lines_of_keys(data: bytes, prefix: bytes) -> dict[str, int]:
    """Map each object key starting with `prefix` (e.g. b'node_modules/') to its line."""
    if len(data) > MAX_BYTES_FOR_LINES:
        return {}
    pattern = re.compile(rb'"(' + re.escape(prefix) + rb'(?:[^"\\]|\\.)*)"\s*:\s*\{')
    return _collect(data, pattern)


def lines_of_attribute(data: bytes, attribute: bytes) -> dict[str, int]:
    """Map each value of an XML attribute (e.g. b'bom-ref') to the line of its first occurrence."""
    if len(data) > MAX_BYTES_FOR_LINES or attribute not in data:
        return {}
    pattern = re.compile(rb"\s" + re.escape(attribute) + rb'\s*=\s*"([^"]*)"')
    return _collect(data, pattern)


def _collect(data: bytes, pattern: re.Pattern[bytes]) -> dict[str, int]:
    found: dict[str, int] = {}
    line = 1
    last = 0
    count = data.count
    for match in pattern.finditer(data):
        start = match.start()
        line += count(b"\n", last, start)
        last = start
        value = match.group(1).decode("utf-8", "replace")
        if value not in found:
            found[value] = line
    return found
