"""`pyproject.toml` declared dependencies: PEP 621, PEP 735 groups, Poetry, and the uv/PDM dev lists.

A pyproject declares ranges, not versions: each dependency is a direct
component whose version is known only when pinned (`==1.2.3`, or Poetry's bare
`1.2.3`, which means the same). The lockfile readers also call
`declarations_beside` to learn which locked packages the project asks for.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from depscan import _toml, purls
from depscan.errors import InputError
from depscan.ingest.base import InputFile, Reader, ReadResult, line_index, read_related, type_name
from depscan.ingest.python.common import (
    is_default_index,
    pypi_component,
    valid_pypi_name,
    vcs_repository,
)
from depscan.ingest.toml_lines import toml_document

_PYPROJECT_TABLE = re.compile(rb"^[ \t]*\[[ \t]*(project|dependency-groups|build-system|tool\.poetry)[ \t]*[\].]", re.M)
_LOCK_TABLE = re.compile(rb"^[ \t]*\[\[[ \t]*packages?[ \t]*\]\]", re.M)
_POETRY_EXACT = re.compile(r"^(?:==?)?\s*v?(\d[0-9A-Za-z.+!-]*)$")  # Poetry: "1.2.3", "=1.2.3", "==1.2.3"
_LOCAL_URL = ("file:", "./", "../", "/")
MAX_PYPROJECT_BYTES = 16 << 20


@dataclass
class Declared:
    """One dependency as a pyproject declares it."""

    name: str
    scope: str | None  # None at runtime, "optional" for extras, "dev" for groups
    group: str | None = None  # the extra or group it is declared in
    version: str | None = None  # only when pinned exactly
    specifier: str | None = None
    extras: list[str] = field(default_factory=list)
    marker: str | None = None
    url: str | None = None
    repository: str | None = None
    registry: str | None = None
    local: bool = False  # a path or workspace member: the project's own code
    line: int | None = None

    @property
    def key(self) -> str:
        return purls.pypi_name(self.name)


class PyprojectReader(Reader):
    format = "pyproject-toml"
    filenames = ("pyproject.toml",)

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if head.startswith((b"{", b"<")) or not _PYPROJECT_TABLE.search(head) or _LOCK_TABLE.search(head):
            return False
        if source.path.name.lower() == "pyproject.toml":
            return True
        try:
            _toml.loads(source.text)
        except (InputError, _toml.TOMLDecodeError):
            return False
        return True

    def read(self, source: InputFile) -> ReadResult:
        document = toml_document(source)
        declared = declarations(document, source.text, source)
        merged: dict[str, Declared] = {}
        groups: dict[str, set[str]] = {}
        for item in declared:
            if item.local:
                continue
            ref = f"{item.key}=={item.version}" if item.version else item.key
            existing = merged.get(ref)
            if existing is None:
                merged[ref] = item
                groups[ref] = set()
            else:
                existing.scope = _wider(existing.scope, item.scope)
                existing.extras = sorted(set(existing.extras) | set(item.extras))
                existing.repository = existing.repository or item.repository
                existing.registry = existing.registry or item.registry
            if item.group:
                groups[ref].add(item.group)
        components = []
        for ref, item in merged.items():
            component = pypi_component(source, item.name, item.version, ref, item.line)
            component.scope = item.scope
            component.repository = item.repository
            if item.specifier:
                component.properties["specifier"] = item.specifier
            if item.extras:
                component.properties["extras"] = item.extras
            if item.marker:
                component.properties["marker"] = item.marker
            if item.url:
                component.properties["url"] = item.url
            if item.registry:
                component.properties["registry"] = item.registry
            if groups[ref]:
                component.properties["groups"] = sorted(groups[ref])
            components.append(component)
        return ReadResult(self.format, components, {}, [c.bom_ref or "" for c in components])


def _wider(first: str | None, second: str | None) -> str | None:
    """The scope of a dependency declared twice: runtime beats optional beats dev."""
    if first is None or second is None:
        return None
    if "optional" in (first, second):
        return "optional"
    return first


def declarations_beside(lockfile: Path) -> list[Declared] | None:
    """What the pyproject.toml next to a lockfile declares; None when there is none or it is unreadable."""
    path = lockfile.parent / "pyproject.toml"
    try:
        data = read_related(path, str(lockfile), MAX_PYPROJECT_BYTES)
        if data is None:
            return None
        text = data.decode("utf-8-sig")
        return declarations(_toml.loads(text), text)
    except (OSError, UnicodeDecodeError, _toml.TOMLDecodeError, InputError, RecursionError):
        return None


def declarations(document: dict[str, Any], text: str, source: InputFile | None = None) -> list[Declared]:
    """Every dependency `document` declares, in the order of the file.

    With `source` (the pyproject is the file being read), a table or list of the wrong type is an input error
    and a declaration that cannot be used is a warning; a pyproject read beside a lock is read leniently.
    """
    locator = _Locator(text)
    indexes = _indexes(document)
    uv_sources = _table(_table(_table(document, "tool"), "uv"), "sources")
    found: list[Declared] = []
    shape = _Shape(source, locator)

    def add(requirements: Any, scope: str | None, group: str | None, near: str) -> None:
        for requirement in shape.list_of(requirements, near):
            item = _pep508(requirement, scope, group, locator, near, shape)
            if item is not None:
                found.append(item)

    project = shape.table(document, "project", "[project]")
    add(project.get("dependencies"), None, None, "[project]")
    for extra, requirements in shape.table(project, "optional-dependencies", "[project]").items():
        add(requirements, "optional", extra, "optional-dependencies")
    for group, requirements in shape.table(document, "dependency-groups", "[dependency-groups]").items():
        add(requirements, "dev", group, "[dependency-groups]")
    tool = shape.table(document, "tool", "[tool]")
    pdm = shape.table(tool, "pdm", "[tool]")
    for group, requirements in shape.table(pdm, "dev-dependencies", "[tool.pdm]").items():
        add(requirements, "dev", group, "[tool.pdm.dev-dependencies]")
    add(shape.table(tool, "uv", "[tool]").get("dev-dependencies"), "dev", "dev", "[tool.uv]")
    for item in found:
        _apply_uv_source(item, uv_sources.get(item.name, uv_sources.get(item.key)), indexes)
    poetry = shape.table(tool, "poetry", "[tool]")
    main_header, dev_header = "tool.poetry.dependencies", "tool.poetry.dev-dependencies"
    main, dev = shape.table(poetry, "dependencies", main_header), shape.table(poetry, "dev-dependencies", dev_header)
    found.extend(_poetry_table(main, None, None, locator, main_header, indexes, shape))
    found.extend(_poetry_table(dev, "dev", "dev", locator, dev_header, indexes, shape))
    for group, body in shape.table(poetry, "group", "[tool.poetry]").items():
        scope = None if group == "main" else "dev"
        header = f"tool.poetry.group.{group}.dependencies"
        body = shape.table(poetry["group"], group, f"tool.poetry.group.{group}")
        found.extend(
            _poetry_table(shape.table(body, "dependencies", header), scope, group, locator, header, indexes, shape)
        )
    own_name = project.get("name") if isinstance(project.get("name"), str) else poetry.get("name")
    if isinstance(own_name, str):
        for item in found:
            if item.key == purls.pypi_name(own_name):
                item.local = True  # "pdm[keyring]" in pdm's own extras: the project itself
    default_index = indexes.get("")
    if default_index:
        for item in found:
            if item.registry is None and item.url is None and item.repository is None:
                item.registry = default_index
    return found


def _table(parent: Any, key: str) -> dict[str, Any]:
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


class _Shape:
    """Shape checks of the pyproject being read; lenient (wrong types ignored) when there is no `source`."""

    def __init__(self, source: InputFile | None, locator: _Locator) -> None:
        self.source = source
        self.locator = locator

    def table(self, parent: Any, key: str, header: str) -> dict[str, Any]:
        """`parent[key]` as a table: {} when absent, an input error when it is something else."""
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is None or isinstance(value, dict) or self.source is None:
            return value if isinstance(value, dict) else {}
        raise self.source.error(
            f"{key!r} in {header} is {type_name(value)}, expected a table", self.locator.of_key(key, header.strip("[]"))
        )

    def list_of(self, value: Any, near: str) -> list[Any]:
        """A list of requirements: [] when absent, an input error when it is something else."""
        if value is None or isinstance(value, list) or self.source is None:
            return value if isinstance(value, list) else []
        raise self.source.error(f"dependencies in {near} are {type_name(value)}, expected an array of strings")

    def warn(self, message: str, line: int | None = None) -> None:
        if self.source is not None:
            self.source.warn(message, line)


def _indexes(document: dict[str, Any]) -> dict[str, str]:
    """Package index names -> URLs (uv `[[tool.uv.index]]`, Poetry and PDM sources); '' is a default one."""
    tool = _table(document, "tool")
    found: dict[str, str] = {}
    entries = [
        *_list(_table(tool, "uv").get("index")),
        *_list(_table(tool, "poetry").get("source")),
        *_list(_table(tool, "pdm").get("source")),
    ]
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            continue
        url = entry["url"]
        if isinstance(entry.get("name"), str):
            found[entry["name"]] = url
        replaces_pypi = entry.get("default") is True or entry.get("priority") in ("default", "primary")
        if replaces_pypi and "" not in found and not is_default_index(url):
            found[""] = url
    return found


class _Locator:
    """Line numbers of declarations: requirement strings are searched for, table keys indexed in one pass."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = line_index(text)
        self._keys: dict[tuple[str, str], int] | None = None

    def line_at(self, position: int) -> int | None:
        return bisect_right(self.starts, position) if position >= 0 else None

    def of_string(self, value: str, name: str, near: str) -> int | None:
        """The line of a quoted requirement; of its name when escapes make the TOML text differ from the value."""
        start = max(self.text.find(near), 0)
        for needle in (f'"{value}"', f"'{value}'", f'"{name}', f"'{name}"):
            position = self.text.find(needle, start)
            if position >= 0:
                return self.line_at(position)
        return None

    def of_key(self, key: str, header: str) -> int | None:
        """The line of `key = ...` in the table `[header]`."""
        if self._keys is None:
            self._keys = _table_keys(self.text)
        return self._keys.get((header, key))


def _table_keys(text: str) -> dict[tuple[str, str], int]:
    """(table header, key) -> line, for every `key = ...` line of every `[table]`."""
    found: dict[tuple[str, str], int] = {}
    header = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("[") and not line.startswith("[["):
            header = line[1 : line.find("]")].replace(" ", "") if "]" in line else ""
        elif "=" in line and not line.startswith("#"):
            key = line.split("=", 1)[0].strip().strip("\"'")
            found.setdefault((header, key), number)
    return found


def _pep508(
    value: Any, scope: str | None, group: str | None, locator: _Locator, near: str, shape: _Shape
) -> Declared | None:
    if isinstance(value, dict) and "include-group" in value:
        return None  # {include-group = "x"}: its members are declared in their own group
    if not isinstance(value, str):
        shape.warn(f"a requirement in {near} is {type_name(value)}: not used")
        return None
    try:
        requirement = Requirement(value)
    except InvalidRequirement:
        # not installable as written; a pyproject is not the place to fail a scan over it, but it is said
        shape.warn(f"requirement {value!r} in {near} is not a valid PEP 508 requirement: not used")
        return None
    line = locator.of_string(value, requirement.name, near)
    item = Declared(name=requirement.name, scope=scope, group=group, line=line)
    specifiers = list(requirement.specifier)
    if len(specifiers) == 1 and specifiers[0].operator in ("==", "===") and "*" not in specifiers[0].version:
        item.version = specifiers[0].version
    elif specifiers:
        item.specifier = str(requirement.specifier)
    item.extras = sorted(requirement.extras)
    item.marker = str(requirement.marker) if requirement.marker is not None else None
    if requirement.url:
        _apply_url(item, requirement.url)
    return item


def _apply_url(item: Declared, url: str) -> None:
    if url.startswith(_LOCAL_URL):
        item.local = True
    elif url.startswith(("git+", "hg+", "svn+", "bzr+")):
        item.repository = vcs_repository(url)
        item.url = url
    else:
        item.url = url


def _apply_uv_source(item: Declared, source: Any, indexes: dict[str, str]) -> None:
    """`[tool.uv.sources]`: where uv fetches a dependency from instead of the default index."""
    if isinstance(source, list):
        source = next((entry for entry in source if isinstance(entry, dict)), None)
    if not isinstance(source, dict):
        return
    if source.get("workspace") is True or isinstance(source.get("path"), str):
        item.local = True
    elif isinstance(source.get("git"), str):
        item.repository = vcs_repository(source["git"])
        item.url = source["git"]
    elif isinstance(source.get("url"), str):
        item.url = source["url"]
    elif isinstance(source.get("index"), str):
        item.registry = indexes.get(source["index"])


def _poetry_table(
    table: dict[str, Any],
    scope: str | None,
    group: str | None,
    locator: _Locator,
    header: str,
    indexes: dict[str, str],
    shape: _Shape,
) -> list[Declared]:
    found: list[Declared] = []
    for name, spec in table.items():
        if name.lower() == "python":
            continue
        line = locator.of_key(name, header)
        if not valid_pypi_name(name):
            shape.warn(f"[{header}] {name!r} is not a valid Python package name: not used", line)
            continue
        for entry in spec if isinstance(spec, list) else [spec]:
            item = _poetry_entry(name, entry, scope, group, indexes)
            if item is None:
                shape.warn(f"[{header}] {name!r} is {type_name(entry)}: not used", line)
            else:
                item.line = line
                found.append(item)
    return found


def _poetry_entry(
    name: str, spec: Any, scope: str | None, group: str | None, indexes: dict[str, str]
) -> Declared | None:
    """One Poetry constraint: a version string, or a table with version, git, path, url, source, extras..."""
    if isinstance(spec, str):
        spec = {"version": spec}
    if not isinstance(spec, dict):
        return None
    item = Declared(name=name, scope=scope, group=group)
    if spec.get("optional") is True and scope is None:
        item.scope = "optional"
    constraint = spec.get("version")
    if isinstance(constraint, str) and constraint.strip() not in ("", "*"):
        exact = _POETRY_EXACT.match(constraint.strip())
        if exact:
            item.version = exact.group(1)
        else:
            item.specifier = constraint.strip()
    extras = spec.get("extras")
    item.extras = sorted(e for e in extras if isinstance(e, str)) if isinstance(extras, list) else []
    if isinstance(spec.get("markers"), str):
        item.marker = spec["markers"]
    if isinstance(spec.get("git"), str):
        item.repository = vcs_repository(spec["git"])
        item.url = spec["git"]
    elif isinstance(spec.get("path"), str):
        item.local = True
    elif isinstance(spec.get("url"), str):
        item.url = spec["url"]
    elif isinstance(spec.get("source"), str):
        item.registry = indexes.get(spec["source"])
    return item
