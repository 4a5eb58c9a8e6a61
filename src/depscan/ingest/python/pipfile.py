"""Pipenv `Pipfile`: the packages a project declares, read on its own.

`[packages]` are runtime, `[dev-packages]` scope `dev`, and so is any other
package category (`pipenv install --categories docs` writes `[docs]`), which
is named in `properties["groups"]`: like a dependency group, it is installed
only when asked for. Pipenv locks each category on its own, so a package
pinned in one and not in another is two declarations. A value is a PEP 440 specifier
(`"*"` for any version) or a table: `version`, `extras`, `markers` and the
marker keys pipenv accepts (`sys_platform = "== 'linux'"`), `index` (a
`[[source]]` by name), `git` with `ref`, `file` (a URL), or `path` (with
`editable`), which names the project's own code unless it points at an
archive. A version is known only when pinned with `==`; otherwise the
specifier is kept and the Pipfile.lock read in the same scan supplies it.
"""

from __future__ import annotations

import re
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from depscan import purls
from depscan.ingest.base import InputFile, Reader, ReadResult
from depscan.ingest.python.common import (
    is_default_index,
    pypi_component,
    text_or_none,
    valid_pypi_name,
    vcs_repository,
)
from depscan.ingest.toml_lines import key_lines, toml_document
from depscan.model import Component

_SECTIONS = (("packages", None), ("dev-packages", "dev"))
#: Pipfile tables that are not package categories
_RESERVED = {"source", "requires", "scripts", "pipenv", "packages", "dev-packages"}
#: keys of a package table that pipenv turns into PEP 508 markers
_MARKER_KEYS = (
    "os_name",
    "sys_platform",
    "platform_machine",
    "platform_python_implementation",
    "platform_release",
    "platform_system",
    "platform_version",
    "python_version",
    "python_full_version",
    "implementation_name",
    "implementation_version",
)
_ARCHIVES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz")
_PIPFILE_TABLE = re.compile(rb"^[ \t]*\[[ \t]*(?:dev-)?packages[ \t]*\]", re.M)
_PIPFILE_SIGNS = re.compile(rb"^[ \t]*\[(?:\[[ \t]*source[ \t]*\]|[ \t]*requires[ \t]*\]|[ \t]*pipenv[ \t]*\])", re.M)


class PipfileReader(Reader):
    format = "pipfile"
    filenames = ("Pipfile",)

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if head.startswith((b"{", b"<")) or not _PIPFILE_TABLE.search(head):
            return False
        return source.path.name.lower() == "pipfile" or _PIPFILE_SIGNS.search(head) is not None

    def read(self, source: InputFile) -> ReadResult:
        document = toml_document(source)
        indexes = _indexes(document)
        lines = key_lines(source.text)
        categories = [(name, scope) for name, scope in _SECTIONS]
        categories += [(name, "dev") for name in document if name not in _RESERVED]
        components: dict[str, Component] = {}
        for category, scope in categories:
            if category in ("packages", "dev-packages"):
                table = source.dict_at(document, category)
            else:  # any other top-level table is a package category (pipenv 2023.10); a plain key is not one
                table = document[category] if isinstance(document.get(category), dict) else {}
            for name, spec in table.items():
                line = lines.get((category, name))
                if not valid_pypi_name(name):
                    source.warn(f"[{category}] {name!r} is not a valid Python package name: not used", line)
                    continue
                if not isinstance(spec, (str, dict)):
                    source.skip(f"[{category}] {name!r}", spec, line)
                    continue
                component = _component(source, name, spec, scope, indexes, line)
                if component is None:
                    continue
                existing = components.get(component.bom_ref or "")
                if existing is None:
                    components[component.bom_ref or ""] = existing = component
                elif scope is None:
                    existing.scope = None  # also a runtime package
                if category not in ("packages", "dev-packages"):
                    existing.properties.setdefault("groups", []).append(category)
        return ReadResult(self.format, list(components.values()), {}, list(components))


def _component(
    source: InputFile,
    name: str,
    spec: Any,
    scope: str | None,
    indexes: dict[str, str],
    line: int | None,
) -> Component | None:
    """The component a `name = spec` declaration stands for; None for local folders and invalid names."""
    if not valid_pypi_name(name):
        return None
    entry: dict[str, Any] = spec if isinstance(spec, dict) else {"version": spec}
    path = text_or_none(entry.get("path"))
    if path is not None and not path.lower().endswith(_ARCHIVES):
        return None  # a folder, usually the project itself installed editable
    version, specifier = _pinned(entry.get("version"))
    key = purls.pypi_name(name)
    component = pypi_component(source, name, version, f"{key}=={version}" if version else key, line)
    component.scope = scope
    if specifier:
        component.properties["specifier"] = specifier
    extras = entry.get("extras")
    if isinstance(extras, list) and extras:
        component.properties["extras"] = sorted(e for e in extras if isinstance(e, str))
    marker = _marker(entry)
    if marker:
        component.properties["marker"] = marker
    git = text_or_none(entry.get("git"))
    if git:
        component.repository = vcs_repository(git)
        component.properties["url"] = git
        if text_or_none(entry.get("ref")):
            component.properties["vcs_ref"] = entry["ref"]
    elif text_or_none(entry.get("file")) or path:
        component.properties["url"] = entry.get("file") or path
    index = text_or_none(entry.get("index"))
    if index and index in indexes:
        component.properties["registry"] = indexes[index]
    elif not git and indexes.get(""):
        component.properties["registry"] = indexes[""]
    if text_or_none(entry.get("editable")) or entry.get("editable") is True:
        component.properties["editable"] = True
    return component


def _pinned(value: Any) -> tuple[str | None, str | None]:
    """(version, specifier): a version when the specifier is one `==` (or `===`) without a wildcard."""
    text = text_or_none(value)
    if text is None or text.strip() == "*":
        return None, None
    text = text.strip()
    try:
        specifiers = list(SpecifierSet(text))
    except InvalidSpecifier:
        return None, text
    if len(specifiers) == 1 and specifiers[0].operator in ("==", "===") and "*" not in specifiers[0].version:
        return specifiers[0].version, None
    return None, text


def _marker(entry: dict[str, Any]) -> str | None:
    """`markers` and the marker keys pipenv accepts, joined as one PEP 508 marker."""
    parts = [entry["markers"]] if text_or_none(entry.get("markers")) else []
    parts += [f"{key} {entry[key].strip()}" for key in _MARKER_KEYS if text_or_none(entry.get(key))]
    if len(parts) > 1:
        return " and ".join(f"({part})" for part in parts)
    return parts[0] if parts else None


def _indexes(document: dict[str, Any]) -> dict[str, str]:
    """`[[source]]` names -> URLs; '' for the first one when it is not PyPI (pipenv's default index)."""
    found: dict[str, str] = {}
    sources = document.get("source")
    for position, entry in enumerate(sources if isinstance(sources, list) else []):
        if not isinstance(entry, dict) or not text_or_none(entry.get("url")):
            continue
        if text_or_none(entry.get("name")):
            found.setdefault(entry["name"], entry["url"])
        if position == 0 and not is_default_index(entry["url"]):
            found[""] = entry["url"]
    return found
