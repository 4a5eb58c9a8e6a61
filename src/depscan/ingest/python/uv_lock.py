"""uv `uv.lock` (version 1, any revision).

The lock records the project itself as a package with a local source
(`editable`, `virtual`, `directory`, `path` to a folder), with its
dependencies, extras (`optional-dependencies`) and groups (`dev-dependencies`):
those give the direct dependencies and whether each package is needed at run
time, for an extra only, or for development only. Local packages are the
project's own code, not components.
"""

from __future__ import annotations

import re
from typing import Any

from depscan import purls
from depscan.ingest.base import InputFile, Reader, ReadResult
from depscan.ingest.python.common import (
    package_tables,
    pypi_component,
    text_or_none,
    vcs_repository,
    version_of,
)
from depscan.ingest.scopes import RUNTIME, assign_scopes
from depscan.ingest.toml_lines import toml_document
from depscan.model import Component

_VERSION_LINE = re.compile(rb"^version\s*=\s*\d+\s*$", re.M)
_UV_SOURCE = re.compile(rb"^source\s*=\s*\{\s*(registry|editable|virtual|git|url|path|directory)\s*=", re.M)
_TABLE_HEADER = re.compile(rb"^[ \t]*\[", re.M)
_LOCAL_SOURCES = ("editable", "virtual", "directory")


class UvLockReader(Reader):
    format = "uv-lock"
    filenames = ("uv.lock",)

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        version = _VERSION_LINE.search(head[:4096])
        table = _TABLE_HEADER.search(head)
        if version is None or (table is not None and table.start() < version.start()):
            return False  # uv writes `version = 1` at the top level; a `version` in [project] is not a lock's
        if _UV_SOURCE.search(head) is not None:
            return True
        # a lock with no packages yet; a pylock.toml (`lock-version`, `[[packages]]`) is not one
        return b"[[package" not in head and b"lock-version" not in head[:4096] and b"requires-python" in head[:4096]

    def read(self, source: InputFile) -> ReadResult:
        document = toml_document(source)
        locked: list[tuple[dict[str, Any], str | None]] = []  # (entry, bom_ref or None for local packages)
        refs_by_name: dict[str, list[tuple[str | None, str | None, str]]] = {}  # name -> (version, source, ref)
        components: list[Component] = []
        seen: set[str] = set()
        for _, entry, line in package_tables(source, document):
            name = entry["name"]
            key = purls.pypi_name(name)
            version = version_of(source, entry, f"package {name!r}", line)
            package_source = entry.get("source") if isinstance(entry.get("source"), dict) else {}
            if _is_local(package_source):
                locked.append((entry, None))
                continue
            ref = f"{key}=={version}" if version else key
            if ref in seen:  # same name and version from two sources
                ref = f"{ref} {_source_text(package_source)}"
            seen.add(ref)
            refs_by_name.setdefault(key, []).append((version, _source_text(package_source), ref))
            component = pypi_component(source, name, version, ref, line)
            _describe(component, package_source)
            components.append(component)
            locked.append((entry, ref))
        graph: dict[str, list[str]] = {}
        roots: dict[str, list[str]] = {RUNTIME: [], "optional": [], "dev": []}
        for entry, ref in locked:
            if ref is not None:
                graph[ref] = _targets(entry.get("dependencies"), refs_by_name)
                for extra in _lists(entry.get("optional-dependencies")):  # a package's own extras
                    graph[ref].extend(_targets(extra, refs_by_name))
                continue
            roots[RUNTIME].extend(_targets(entry.get("dependencies"), refs_by_name))
            for extra in _lists(entry.get("optional-dependencies")):
                roots["optional"].extend(_targets(extra, refs_by_name))
            for group in _lists(entry.get("dev-dependencies")):
                roots["dev"].extend(_targets(group, refs_by_name))
        manifest = document.get("manifest") if isinstance(document.get("manifest"), dict) else {}
        roots[RUNTIME].extend(_targets(manifest.get("requirements"), refs_by_name))  # a workspace with no root project
        for group in _lists(manifest.get("dependency-groups")):
            roots["dev"].extend(_targets(group, refs_by_name))
        assign_scopes(components, graph, roots)
        direct = list(dict.fromkeys(ref for refs in roots.values() for ref in refs))
        return ReadResult(self.format, components, graph, direct)


def _is_local(package_source: dict[str, Any]) -> bool:
    """The project's own code: the root and workspace members, and path dependencies on folders."""
    return any(kind in package_source for kind in _LOCAL_SOURCES)


def _source_text(package_source: dict[str, Any]) -> str:
    for kind, value in package_source.items():
        if isinstance(value, str):
            return f"{kind}:{value}"
    return ""


def _describe(component: Component, package_source: dict[str, Any]) -> None:
    registry = text_or_none(package_source.get("registry"))
    git = text_or_none(package_source.get("git"))
    url = text_or_none(package_source.get("url"))
    path = text_or_none(package_source.get("path"))
    if registry:
        component.properties["registry"] = registry
    elif git:
        component.repository = vcs_repository(git)
        commit = git.rsplit("#", 1)[1] if "#" in git else None
        if commit:
            component.properties["vcs_commit"] = commit
        component.properties["url"] = git
    elif url:
        component.properties["url"] = url
    elif path:
        component.properties["path"] = path


def _lists(value: Any) -> list[Any]:
    """The dependency lists of an `optional-dependencies` or `dev-dependencies` table."""
    return list(value.values()) if isinstance(value, dict) else []


def _targets(dependencies: Any, refs_by_name: dict[str, list[tuple[str | None, str | None, str]]]) -> list[str]:
    """The locked packages a dependency list names: by name, then by version and source when ambiguous."""
    if not isinstance(dependencies, list):
        return []
    targets: list[str] = []
    for dependency in dependencies:
        if not isinstance(dependency, dict) or not isinstance(dependency.get("name"), str):
            continue
        candidates = refs_by_name.get(purls.pypi_name(dependency["name"]), [])
        version = text_or_none(dependency.get("version"))
        if version is not None:
            candidates = [c for c in candidates if c[0] == version] or candidates
        wanted_source = dependency.get("source")
        if isinstance(wanted_source, dict) and len(candidates) > 1:
            text = _source_text(wanted_source)
            candidates = [c for c in candidates if c[1] == text] or candidates
        targets.extend(c[2] for c in candidates)
    return targets
