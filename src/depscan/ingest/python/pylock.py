"""PEP 751 `pylock.toml` (and `pylock.<name>.toml`), lock-version 1.x.

Each `[[packages]]` entry names where it comes from: an `index`, a `vcs`
repository, an `archive`, or a local `directory` (the project's own code).
`dependencies` is optional in the standard; when a tool writes it, it gives
the graph. The direct dependencies come from the pyproject.toml beside the
lock, and from the dependencies of local packages.
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
from depscan.ingest.python.pyproject import declarations_beside
from depscan.ingest.scopes import RUNTIME, assign_scopes
from depscan.ingest.toml_lines import toml_document
from depscan.model import Component

_LOCK_VERSION = re.compile(rb"^lock-version\s*=\s*[\"']\d", re.M)
_PACKAGES = re.compile(rb"^\s*\[\[\s*packages\s*\]\]|^packages\s*=", re.M)


class PylockReader(Reader):
    format = "pylock-toml"
    filenames = ("pylock.toml", "pylock.*.toml")

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        return _LOCK_VERSION.search(head) is not None and (_PACKAGES.search(head) is not None or b"created-by" in head)

    def read(self, source: InputFile) -> ReadResult:
        components: list[Component] = []
        refs_by_name: dict[str, list[tuple[str | None, str]]] = {}
        entries: list[tuple[dict[str, Any], str | None]] = []
        for index, entry, line in package_tables(source, toml_document(source), "packages"):
            if isinstance(entry.get("directory"), dict):
                entries.append((entry, None))
                continue
            name = entry["name"]
            key = purls.pypi_name(name)
            version = version_of(source, entry, f"package {name!r}", line)
            ref = f"{key}=={version}" if version else key
            if any(existing == ref for _, existing in refs_by_name.get(key, ())):
                ref = f"{ref}#{index}"  # the same version twice, for different environments
            refs_by_name.setdefault(key, []).append((version, ref))
            component = pypi_component(source, name, version, ref, line)
            _describe(component, entry)
            components.append(component)
            entries.append((entry, ref))
        graph: dict[str, list[str]] = {}
        roots: dict[str, list[str]] = {RUNTIME: [], "optional": [], "dev": []}
        for entry, ref in entries:
            targets = _targets(entry.get("dependencies"), refs_by_name)
            if ref is None:
                roots[RUNTIME].extend(targets)
            else:
                graph[ref] = targets
        for item in declarations_beside(source.path) or ():
            if not item.local:
                roots[item.scope or RUNTIME].extend(ref for _, ref in refs_by_name.get(item.key, ()))
        assign_scopes(components, graph, roots)
        direct = list(dict.fromkeys(ref for refs in roots.values() for ref in refs))
        return ReadResult(self.format, components, graph, direct)


def _describe(component: Component, entry: dict[str, Any]) -> None:
    index = text_or_none(entry.get("index"))
    vcs = entry.get("vcs") if isinstance(entry.get("vcs"), dict) else None
    archive = entry.get("archive") if isinstance(entry.get("archive"), dict) else None
    if index:
        component.properties["registry"] = index
    if vcs is not None:
        url = text_or_none(vcs.get("url"))
        if url:
            component.repository = vcs_repository(url)
        commit = text_or_none(vcs.get("commit-id"))
        if commit:
            component.properties["vcs_commit"] = commit
    elif archive is not None:
        location = text_or_none(archive.get("url")) or text_or_none(archive.get("path"))
        if location:
            component.properties["url"] = location
    if text_or_none(entry.get("marker")):
        component.properties["marker"] = entry["marker"]


def _targets(dependencies: Any, refs_by_name: dict[str, list[tuple[str | None, str]]]) -> list[str]:
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
        targets.extend(ref for _, ref in candidates)
    return targets
