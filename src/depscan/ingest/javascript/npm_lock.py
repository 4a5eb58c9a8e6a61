"""npm `package-lock.json` and `npm-shrinkwrap.json`, lockfileVersion 1, 2 and 3.

v2/v3 list every installed package under `packages`, keyed by its
`node_modules/...` path; v1 nests them under `dependencies`. Dependencies are
resolved the way Node does (nearest `node_modules` upwards), which gives the
graph, and the root's declared dependencies give the direct ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from depscan import purls
from depscan.ingest.base import InputFile, Reader, ReadResult, read_related
from depscan.ingest.lines import lines_of_keys
from depscan.model import Component, Location

_DEPENDENCY_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies", "devDependencies")
_MARKER = "node_modules/"


def npm_purl(name: str, version: str | None) -> str:
    scope, _, bare = name.rpartition("/")
    return purls.build("npm", bare, version, namespace=scope or None)


def npm_component(name: str, version: str | None, bom_ref: str, display: str, line: int | None) -> Component:
    """A package of an npm, pnpm or Yarn lock, as each of those readers builds it."""
    return Component(
        name=name,
        version=version,
        purl=npm_purl(name, version),
        ecosystem="npm",
        bom_ref=bom_ref,
        sources=[Location(display, line)],
    )


def _package_name(path: str) -> str:
    """'node_modules/a/node_modules/@s/b' -> '@s/b'."""
    return path.rsplit(_MARKER, 1)[-1]


def _resolve(path: str, dependency: str, packages: dict[str, Any]) -> str | None:
    """Where Node would find `dependency` when required from the package at `path`."""
    base = path
    while True:
        candidate = f"{base}/{_MARKER}{dependency}" if base else f"{_MARKER}{dependency}"
        if candidate in packages:
            return candidate
        if not base:
            return None
        cut = base.rfind("/" + _MARKER)
        base = base[:cut] if cut != -1 else ""


class NpmLockReader(Reader):
    format = "npm-package-lock"
    filenames = ("package-lock.json", "npm-shrinkwrap.json")

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if not head.startswith(b"{"):
            return False
        if b'"lockfileVersion"' in head:
            return b'"bomFormat"' not in head
        document = source.json()
        return (
            isinstance(document, dict)
            and "lockfileVersion" in document
            and ("packages" in document or "dependencies" in document)
        )

    def read(self, source: InputFile) -> ReadResult:
        document = source.json()
        if not isinstance(document, dict) or "lockfileVersion" not in document:
            raise source.error("not an npm lockfile (no lockfileVersion)")
        packages = source.dict_at(document, "packages")
        if packages:
            return self._read_packages(source, packages)
        dependencies = source.dict_at(document, "dependencies")
        if dependencies:
            return self._read_v1(source, dependencies)
        return ReadResult(self.format, [])

    def _read_packages(self, source: InputFile, packages: dict[str, Any]) -> ReadResult:
        lines = lines_of_keys(source.data, _MARKER.encode())
        components: list[Component] = []
        graph: dict[str, list[str]] = {}
        for path, entry in packages.items():
            if path and _MARKER in path and not isinstance(entry, dict):
                source.skip(f"package {path!r}", entry, lines.get(path))
                continue
            if not path or _MARKER not in path or entry.get("link"):
                continue  # the project itself, workspace folders, and links to them
            name = entry.get("name") if isinstance(entry.get("name"), str) else _package_name(path)
            version = entry.get("version") if isinstance(entry.get("version"), str) else None
            component = npm_component(name, version, path, source.display, lines.get(path))
            component.declared_licenses = _licenses(entry.get("license"))
            component.scope = _scope(entry)
            if isinstance(entry.get("resolved"), str):
                component.properties["resolved"] = entry["resolved"]
            components.append(component)
            children: list[str] = []
            for field in _DEPENDENCY_FIELDS[:3]:
                declared = entry.get(field)
                if isinstance(declared, dict):
                    for dependency in declared:
                        target = _resolve(path, dependency, packages)
                        if target:
                            children.append(target)
            graph[path] = children
        root = packages.get("", {})
        roots = []
        if isinstance(root, dict):
            for field in _DEPENDENCY_FIELDS:
                declared = root.get(field)
                if isinstance(declared, dict):
                    roots.extend(f"{_MARKER}{name}" for name in declared if f"{_MARKER}{name}" in packages)
        return ReadResult(self.format, components, graph, roots)

    def _read_v1(self, source: InputFile, dependencies: dict[str, Any]) -> ReadResult:
        """v1 nests packages; build the same path keys v2 uses so resolution is shared."""
        flat: dict[str, Any] = {}
        stack = [("", dependencies)]
        while stack:
            prefix, level = stack.pop()
            for name, entry in level.items():
                if not isinstance(entry, dict):
                    source.skip(f"dependency {name!r}", entry)
                    continue
                path = f"{prefix}/{_MARKER}{name}" if prefix else f"{_MARKER}{name}"
                flat[path] = entry
                nested = entry.get("dependencies")
                if isinstance(nested, dict):
                    stack.append((path, nested))
        lines = _v1_lines(source)
        components: list[Component] = []
        graph: dict[str, list[str]] = {}
        for path in sorted(flat):
            entry = flat[path]
            name = _package_name(path)
            version = entry.get("version") if isinstance(entry.get("version"), str) else None
            if version and version.startswith("npm:"):  # alias: "npm:real-name@1.2.3"
                name, _, version = version[4:].rpartition("@")
            component = npm_component(name, version, path, source.display, lines.get(name))
            component.scope = _scope(entry)
            components.append(component)
            requires = entry.get("requires")
            if isinstance(requires, dict):
                graph[path] = [t for d in requires if (t := _resolve(path, d, flat))]
        roots = [f"{_MARKER}{name}" for name in _declared_in_manifest(source.path) if f"{_MARKER}{name}" in flat]
        return ReadResult(self.format, components, graph, roots)


def _scope(entry: dict[str, Any]) -> str | None:
    if entry.get("dev") or entry.get("devOptional"):
        return "dev"
    if entry.get("optional"):
        return "optional"
    if entry.get("peer"):
        return "peer"
    return None


def _licenses(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return [value["type"]]
    if isinstance(value, list):
        return [v for item in value for v in _licenses(item)]
    return []


def _v1_lines(source: InputFile) -> dict[str, int]:
    """v1 keys are bare names; the first occurrence of `"name": {` is the hoisted one."""
    return lines_of_keys(source.data, b"")


def _declared_in_manifest(lockfile: Path) -> list[str]:
    """v1 lockfiles do not list the root's dependencies: read them from package.json beside it."""
    manifest = lockfile.parent / "package.json"
    try:
        data = read_related(manifest, str(lockfile))
        if data is None:
            return []
        document = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    except (OSError, orjson.JSONDecodeError):
        return []
    names: list[str] = []
    if isinstance(document, dict):
        for field in _DEPENDENCY_FIELDS:
            declared = document.get(field)
            if isinstance(declared, dict):
                names.extend(declared)
    return names
