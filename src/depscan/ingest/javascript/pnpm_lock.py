"""pnpm `pnpm-lock.yaml`, lockfileVersion 5.x, 6.x and 9.x (and 7.0, which pnpm 9 previews wrote).

The package keys changed with each format: `/name/1.0.0_peer@2.0.0` (5.x),
`/name@1.0.0(peer@2.0.0)` (6.x), `name@1.0.0` with the graph moved to
`snapshots:` keyed `name@1.0.0(peer@2.0.0)` (9.x). Peer suffixes only tell
which copy of a package a dependant sees: every copy is the same component.
The importers (the project and its workspace packages) give the direct
dependencies; `link:` references and local folders are the project's own code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from depscan.ingest.base import InputFile, Reader, ReadResult
from depscan.ingest.javascript.npm_lock import npm_component
from depscan.ingest.javascript.yarn_lock import repository_of, split_descriptor, valid_npm_name
from depscan.ingest.scopes import RUNTIME, assign_scopes
from depscan.ingest.yaml_events import load_all
from depscan.model import Component

_VERSION_LINE = re.compile(rb"^lockfileVersion:\s*['\"]?(\d+)", re.M)
#: importer field -> scope of what it lists
_IMPORTER_FIELDS = (("dependencies", RUNTIME), ("optionalDependencies", "optional"), ("devDependencies", "dev"))
_PACKAGE_FIELDS = ("dependencies", "optionalDependencies")


class PnpmLockReader(Reader):
    format = "pnpm-lock"
    filenames = ("pnpm-lock.yaml", "pnpm-lock.yml")

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        return not head.startswith((b"{", b"<")) and _VERSION_LINE.search(head) is not None

    def read(self, source: InputFile) -> ReadResult:
        document = _main_document(source)
        major = _major_version(document.get("lockfileVersion"))
        if major is None:
            raise source.error("no usable lockfileVersion")
        packages = source.dict_at(document, "packages") if document.get("packages") is not None else {}
        # 7.0 and 9.x: packages hold metadata, snapshots the graph (one per peer set); before, packages hold both
        nodes = source.dict_at(document, "snapshots") if document.get("snapshots") is not None else packages
        lines = _section_lines(source.text, "packages")
        components: dict[str, Component] = {}
        node_refs: dict[str, str] = {}  # package or snapshot key, with and without peers -> component ref
        local_nodes: set[str] = set()
        for key, entry in packages.items():
            if not isinstance(key, str):
                source.skip("a package key", key, lines.get(str(key)))
                continue
            if entry is not None and not isinstance(entry, dict):
                source.skip(f"package {key!r}", entry, lines.get(key))
            entry = entry if isinstance(entry, dict) else {}
            if _is_local(entry):
                local_nodes.add(key)
                continue
            name, version = _name_version(key, entry, major)
            if not name or not valid_npm_name(name):
                source.warn(f"package {key!r} names no valid npm package: not used", lines.get(key))
                continue
            ref = f"{name}@{version}" if version else name
            component = components.get(ref)
            if component is None:
                component = npm_component(name, version, ref, source.display, lines.get(key))
                components[ref] = component
            _describe(component, entry)
            node_refs[_strip_peers(key, major)] = ref
        for key in nodes:
            if isinstance(key, str):
                ref = node_refs.get(_strip_peers(key, major))
                if ref is not None:
                    node_refs[key] = ref
                elif _strip_peers(key, major) in local_nodes:
                    local_nodes.add(key)
        graph: dict[str, list[str]] = {ref: [] for ref in components}
        roots: dict[str, list[str]] = {RUNTIME: [], "optional": [], "dev": []}
        for key, entry in nodes.items():
            if not isinstance(key, str) or not isinstance(entry, dict):
                continue
            targets = [
                target
                for field in _PACKAGE_FIELDS
                for target in _resolve_all(_mapping(entry.get(field)), node_refs, major)
            ]
            if key in local_nodes:
                roots[RUNTIME].extend(targets)  # a local package's dependencies are the project's own
            elif key in node_refs:
                children = graph[node_refs[key]]
                children.extend(t for t in targets if t not in children)
        for importer in _importers(document):
            for field, scope in _IMPORTER_FIELDS:
                roots[scope].extend(_resolve_all(_mapping(importer.get(field)), node_refs, major))
        component_list = list(components.values())
        assign_scopes(component_list, graph, roots)
        direct = list(dict.fromkeys(ref for refs in roots.values() for ref in refs))
        return ReadResult(self.format, component_list, graph, direct)


def _main_document(source: InputFile) -> dict[str, Any]:
    """The lockfile document; pnpm 10 may put a document for its own tooling before it."""
    documents = [d for d in load_all(source) if isinstance(d, dict)]
    for document in reversed(documents):
        if "importers" in document or "packages" in document:
            return document
    if not documents:
        raise source.error("not a pnpm lockfile (expected a mapping)")
    return documents[-1]


def _major_version(value: Any) -> int | None:
    found = re.match(r"\d+", str(value)) if isinstance(value, (str, int, float)) else None
    return int(found.group(0)) if found else None


def _mapping(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _strip_peers(key: str, major: int) -> str:
    """'/a@1.0.0(b@2.0.0)' -> '/a@1.0.0'; 5.x '/a/1.0.0_b@2.0.0' -> '/a/1.0.0'."""
    if major >= 6:
        cut = key.find("(")
        return key[:cut] if cut > 0 else key
    if key.startswith("/"):
        name, slash, version = key.rpartition("/")
        return f"{name}{slash}{version.split('_', 1)[0]}"
    return key


def _name_version(key: str, entry: dict[str, Any], major: int) -> tuple[str | None, str | None]:
    """The package of a key; entries of tarballs, git and folders carry their own `name` and `version`."""
    bare = _strip_peers(key, major)
    if major >= 6:
        name, version = split_descriptor(bare.removeprefix("/"))
    else:
        name, _, version = bare.removeprefix("/").rpartition("/")
    if isinstance(entry.get("version"), (str, int, float)):
        version = str(entry["version"])
    if isinstance(entry.get("name"), str) and entry["name"]:
        name = entry["name"]
    elif not bare.startswith("/") and major < 7:  # 'github.com/user/repo/sha' without a name: cannot tell
        return None, None
    return (name or None), (version or None)


def _is_local(entry: dict[str, Any]) -> bool:
    resolution = _mapping(entry.get("resolution"))
    return resolution.get("type") == "directory" or "directory" in resolution


def _describe(component: Component, entry: dict[str, Any]) -> None:
    resolution = _mapping(entry.get("resolution"))
    tarball = resolution.get("tarball")
    if isinstance(resolution.get("repo"), str):  # {type: git, repo, commit}
        component.repository = component.repository or repository_of(resolution["repo"]) or resolution["repo"]
        if isinstance(resolution.get("commit"), str):
            component.properties.setdefault("vcs_commit", resolution["commit"])
    elif isinstance(tarball, str):
        component.properties.setdefault("resolved", tarball)
        component.repository = component.repository or repository_of(tarball)


def _resolve_all(dependencies: dict[Any, Any], node_refs: dict[str, str], major: int) -> Iterator[str]:
    for name, value in dependencies.items():
        if isinstance(value, dict):  # importers of 5.4-inlineSpecifiers, 6.x and 9.x: {specifier, version}
            value = value.get("version")
        if not isinstance(name, str) or not isinstance(value, (str, int, float)):
            continue
        target = _resolve(name, str(value), node_refs, major)
        if target is not None:
            yield target


def _resolve(name: str, value: str, node_refs: dict[str, str], major: int) -> str | None:
    """The component a dependency reference points to: a version (with peers), an alias key, or a URL key."""
    if value.startswith("link:"):
        return None  # another workspace package: the project's own code
    if major >= 7:  # 7.0 (pnpm 9 previews) already wrote 9.0 keys
        candidates = (f"{name}@{value}", value)
    elif major >= 6:
        candidates = (value, f"/{name}@{value}") if value.startswith("/") else (f"/{name}@{value}", value)
    else:
        candidates = (value, f"/{name}/{value}") if value.startswith("/") else (f"/{name}/{value}", value)
    for candidate in candidates:
        ref = node_refs.get(candidate)
        if ref is None:
            ref = node_refs.get(_strip_peers(candidate, major))
        if ref is not None:
            return ref
    return None


def _importers(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The project and its workspace packages: `importers`, or the top level of a single-project lock."""
    importers = document.get("importers")
    if isinstance(importers, dict):
        return [importer for importer in importers.values() if isinstance(importer, dict)]
    return [document]


def _section_lines(text: str, section: str) -> dict[str, int]:
    """Line of each key directly under the top-level `section:` (two spaces in, quoted or not)."""
    lines: dict[str, int] = {}
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line and not line[0].isspace():
            inside = line.rstrip() == f"{section}:"
            continue
        if inside and line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":"):
            key = line.strip()[:-1]
            if len(key) >= 2 and key[0] == key[-1] and key[0] in "'\"":
                key = key[1:-1]
            lines.setdefault(key, number)
    return lines
