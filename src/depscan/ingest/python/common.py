"""What the Python lockfile readers share: TOML with line numbers, PyPI components, source URLs.

TOML parsers forget positions; the lockfiles all write one `[[package]]`
header per package, so the n-th header's line is the n-th package's line.
"""

from __future__ import annotations

import re
from typing import Any

from depscan import purls
from depscan.ingest.base import InputFile, type_name
from depscan.model import Component, Location

_PYPI_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\Z")
PYPI_SIMPLE = ("https://pypi.org/simple", "https://pypi.org/simple/", "https://pypi.python.org/simple")


def valid_pypi_name(name: object) -> bool:
    """Whether `name` is a distribution name as PEP 508 allows (letters, digits, and . _ - inside)."""
    return isinstance(name, str) and _PYPI_NAME.match(name) is not None


def header_lines(text: str, header: str) -> list[int]:
    """Line numbers of each `header` line (e.g. `[[package]]`), in order."""
    lines: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(header):
            rest = line[len(header) :].strip()
            if not rest or rest.startswith("#"):
                lines.append(number)
    return lines


def package_tables(
    source: InputFile, document: dict[str, Any], key: str = "package"
) -> list[tuple[int, dict[str, Any], int | None]]:
    """The lock's `[[key]]` tables that name a valid distribution: (position, table, line of its header).

    Entries that are not tables or whose name PEP 508 refuses are passed over with a warning (a hand edit may
    leave them); the line is known only when the headers matched the entries one to one.
    """
    packages = document.get(key, [])
    if not isinstance(packages, list):
        raise source.error(f"`{key}` is not an array of tables")
    lines = header_lines(source.text, f"[[{key}]]")
    counted = len(lines) == len(packages)
    found: list[tuple[int, dict[str, Any], int | None]] = []
    for index, entry in enumerate(packages):
        line = lines[index] if counted else None
        if not isinstance(entry, dict):
            source.skip(f"[[{key}]] entry {index + 1}", entry, line)
        elif not isinstance(entry.get("name"), str):
            name = type_name(entry.get("name"))
            source.warn(f"[[{key}]] entry {index + 1} has no name (name is {name}): not used", line)
        elif not valid_pypi_name(entry["name"]):
            source.warn(f"[[{key}]] name {entry['name']!r} is not a valid Python package name: not used", line)
        else:
            found.append((index, entry, line))
    return found


def strings(value: Any) -> list[str]:
    """The strings of a TOML or JSON list, ignoring anything else a hand edit left there."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def version_of(source: InputFile, entry: dict[str, Any], what: str, line: int | None) -> str | None:
    """`entry["version"]` when it is a string; a warning when it is there but is not one (read without a version)."""
    value = entry.get("version")
    if value is not None and not isinstance(value, str):
        source.warn(f"{what}: 'version' is {type_name(value)}: read without a version", line)
    return text_or_none(value)


def pypi_component(
    source: InputFile,
    name: str,
    version: str | None,
    bom_ref: str,
    line: int | None,
) -> Component:
    """A PyPI component as every Python reader builds it."""
    return Component(
        name=name,
        version=version,
        purl=purls.build("pypi", name, version),
        ecosystem="pypi",
        bom_ref=bom_ref,
        sources=[Location(source.display, line)],
    )


def vcs_repository(url: str) -> str:
    """'git+https://host/repo.git@rev#egg=x' -> 'https://host/repo.git': the repository, without revision."""
    bare = url.split("#", 1)[0]
    for prefix in ("git+", "hg+", "svn+", "bzr+"):
        if bare.startswith(prefix):
            bare = bare[len(prefix) :]
            break
    scheme, sep, rest = bare.partition("://")
    if sep:
        path = rest.split("?", 1)[0]
        # an '@rev' after the path (not the 'user@' of the host) is a revision
        host, slash, tail = path.partition("/")
        if "@" in tail:
            tail = tail.rsplit("@", 1)[0]
        bare = f"{scheme}://{host}{slash}{tail}"
    return bare


def is_default_index(url: str) -> bool:
    return url.rstrip("/") + "/" in {u.rstrip("/") + "/" for u in PYPI_SIMPLE}
