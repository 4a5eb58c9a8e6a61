"""Pipenv `Pipfile.lock` (pipfile-spec 6): `default` and `develop` sections of pinned packages.

The lock records no dependency graph. When the Pipfile it was locked from
sits beside it, the packages that Pipfile names are direct and the others
transitive (though which direct one pulls them in is not recorded); without
it, the lock does not say.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from depscan import _toml, purls
from depscan.ingest.base import InputFile, Reader, ReadResult, read_related, type_name
from depscan.ingest.lines import lines_of_keys
from depscan.ingest.python.common import pypi_component, text_or_none, valid_pypi_name, vcs_repository
from depscan.model import Component

_SECTIONS = (("default", "packages", None), ("develop", "dev-packages", "dev"))
_MAX_PIPFILE_BYTES = 4 << 20


class PipfileLockReader(Reader):
    format = "pipfile-lock"
    filenames = ("Pipfile.lock",)

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if not head.startswith(b"{") or b'"_meta"' not in head:
            return False
        document = source.json()
        return isinstance(document, dict) and isinstance(document.get("_meta"), dict)

    def read(self, source: InputFile) -> ReadResult:
        document = source.json()
        if not isinstance(document, dict) or not isinstance(document.get("_meta"), dict):
            raise source.error("not a Pipfile.lock (no _meta)")
        indexes = _indexes(document["_meta"])
        declared = _declared_in_pipfile(source.path)
        lines = _section_lines(source.data)
        components: dict[str, Component] = {}
        for section, pipfile_section, scope in _SECTIONS:
            packages = source.dict_at(document, section)
            for name, entry in packages.items():
                if not isinstance(entry, dict):
                    source.skip(f"package {name!r}", entry)
                    continue
                if not valid_pypi_name(name):
                    source.warn(f"package name {name!r} is not a valid Python package name: not used")
                    continue
                if _is_local(entry):
                    continue
                if entry.get("version") is not None and not isinstance(entry["version"], str):
                    source.warn(f"package {name!r}: 'version' is {type_name(entry['version'])}: read without a version")
                version = _pinned(entry.get("version"))
                key = purls.pypi_name(name)
                ref = f"{key}=={version}" if version else key
                direct = None if declared is None else key in declared.get(pipfile_section, set())
                existing = components.get(ref)
                if existing is not None:  # in both sections: needed at run time
                    existing.scope = existing.scope if scope else None
                    if direct:
                        existing.direct = True
                    continue
                component = pypi_component(source, name, version, ref, lines[section].get(name))
                component.scope = scope
                component.direct = direct
                _describe(component, entry, indexes)
                components[ref] = component
        # no graph and no roots: `direct` is set here, from the Pipfile, and left alone by mark_direct
        return ReadResult(self.format, list(components.values()))


def _section_lines(data: bytes) -> dict[str, dict[str, int]]:
    """The line of each package key, per section (a name can be in both, at different versions)."""
    cut = data.find(b'"develop"')
    if cut < 0:
        return {"default": lines_of_keys(data, b""), "develop": {}}
    before = data[:cut].count(b"\n")
    develop = {key: line + before for key, line in lines_of_keys(data[cut:], b"").items()}
    return {"default": lines_of_keys(data[:cut], b""), "develop": develop}


def _pinned(value: Any) -> str | None:
    text = text_or_none(value)
    if text is None:
        return None
    return text[3:] if text.startswith("===") else text[2:] if text.startswith("==") else text


def _is_local(entry: dict[str, Any]) -> bool:
    """`path` to a folder, usually editable `.`: the project's own code."""
    path = text_or_none(entry.get("path"))
    return path is not None and not path.lower().endswith((".whl", ".tar.gz", ".zip"))


def _indexes(meta: dict[str, Any]) -> dict[str, str]:
    sources = meta.get("sources")
    found: dict[str, str] = {}
    if isinstance(sources, list):
        for entry in sources:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str) and isinstance(entry.get("url"), str):
                found[entry["name"]] = entry["url"]
    return found


def _describe(component: Component, entry: dict[str, Any], indexes: dict[str, str]) -> None:
    git = text_or_none(entry.get("git"))
    if git:
        component.repository = vcs_repository(git)
        if text_or_none(entry.get("ref")):
            component.properties["vcs_commit"] = entry["ref"]
    for field in ("file", "path"):
        if text_or_none(entry.get(field)):
            component.properties["url" if field == "file" else "path"] = entry[field]
    index = text_or_none(entry.get("index"))
    if index and index in indexes:
        component.properties["registry"] = indexes[index]
    if isinstance(entry.get("extras"), list):
        component.properties["extras"] = [e for e in entry["extras"] if isinstance(e, str)]
    if text_or_none(entry.get("markers")):
        component.properties["marker"] = entry["markers"]


def _declared_in_pipfile(lockfile: Path) -> dict[str, set[str]] | None:
    """Normalised names in the `[packages]` and `[dev-packages]` of the Pipfile beside the lock."""
    path = lockfile.parent / "Pipfile"
    try:
        data = read_related(path, str(lockfile), _MAX_PIPFILE_BYTES)
        if data is None:
            return None
        document = _toml.loads(data.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, _toml.TOMLDecodeError, RecursionError):
        return None
    declared: dict[str, set[str]] = {}
    for _, section, _ in _SECTIONS:
        table = document.get(section)
        declared[section] = {purls.pypi_name(name) for name in table} if isinstance(table, dict) else set()
    return declared
