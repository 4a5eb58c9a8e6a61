"""Rust `Cargo.toml`: the crates a package or a workspace declares, read on its own.

`[dependencies]` are runtime (scope `optional` when `optional = true`),
`[dev-dependencies]` scope `dev`, `[build-dependencies]` scope `build`; the
same tables under `[target.'cfg(...)']` apply to one platform (kept in
`properties["target"]`). `[workspace.dependencies]` are the versions a
workspace offers its members, which take them with `name.workspace = true`:
such an entry is completed from the workspace root, this file or the first
Cargo.toml upwards with a `[workspace]` table. `path` dependencies are the
project's own crates. A requirement gives a version only when it pins one
(`=1.2.3`; a bare `1.2.3` means `^1.2.3` in Cargo); otherwise it is kept as
`properties["specifier"]` and the Cargo.lock read in the same scan supplies
the version. `package = "real-name"` renames resolve to the real crate; git
dependencies give the repository.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from depscan import _toml, purls
from depscan.ingest.base import InputFile, Reader, ReadResult, confined, read_related
from depscan.ingest.toml_lines import bare, key_lines, toml_document
from depscan.model import Component, Location

#: dependency tables and the scope they give (the underscore spellings are Cargo's deprecated aliases)
_TABLES = (
    ("dependencies", None),
    ("build-dependencies", "build"),
    ("build_dependencies", "build"),
    ("dev-dependencies", "dev"),
    ("dev_dependencies", "dev"),
)
_SCOPE_ORDER = (None, "optional", "build", "dev")
_EXACT = re.compile(r"^=\s*(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$")
_CRATE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_CARGO_PACKAGE = re.compile(rb"^[ \t]*\[[ \t]*package[ \t]*\]", re.M)
_CARGO_WORKSPACE = re.compile(rb"^[ \t]*\[[ \t]*workspace[ \t]*\]", re.M)
_CARGO_SIGNS = re.compile(
    rb"^[ \t]*(?:edition|members)[ \t]*=|^[ \t]*\[[ \t]*(?:dev-|build-)?dependencies[ \t]*\]", re.M
)
_MAX_LEVELS = 10  # folders searched upwards for the workspace root
_MAX_MANIFEST_BYTES = 8 << 20


class CargoTomlReader(Reader):
    format = "cargo-toml"
    filenames = ("Cargo.toml",)

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if head.startswith((b"{", b"<", b"[[")):
            return False
        if source.path.name.lower() == "cargo.toml":
            return True
        return bool(_CARGO_PACKAGE.search(head) or _CARGO_WORKSPACE.search(head)) and bool(_CARGO_SIGNS.search(head))

    def read(self, source: InputFile) -> ReadResult:
        document = toml_document(source)
        lines = key_lines(source.text)
        workspace = source.dict_at(document, "workspace")
        inherited = (
            source.dict_at(workspace, "dependencies") if workspace else _root_dependencies(source.path, document)
        )
        declared: list[tuple[str, Any, str | None, str | None, int | None]] = []  # key, entry, scope, target, line
        for table, scope in _TABLES:
            for key, entry in source.dict_at(document, table).items():
                declared.append((key, entry, scope, None, lines.get((table, key))))
        for target, body in source.dict_at(document, "target").items():
            body = source.expect(body, dict, f"[target.{bare(target)}]")
            for table, scope in _TABLES:
                header = f"target.{bare(target)}.{table}"
                for key, entry in source.dict_at(body, table).items():
                    declared.append((key, entry, scope, target, lines.get((header, key))))
        for key, entry in source.dict_at(workspace, "dependencies").items():
            declared.append((key, entry, None, None, lines.get(("workspace.dependencies", key))))
        components: dict[str, Component] = {}
        for key, entry, scope, target, line in declared:
            if not isinstance(entry, (str, dict)):
                source.skip(f"dependency {key!r}", entry, line)
                continue
            component = _component(key, entry, scope, inherited)
            if component is None:
                if not (isinstance(entry, dict) and "path" in entry):  # a path crate is the project's own
                    source.warn(f"dependency {key!r} names no valid crate: not used", line)
                continue
            existing = components.get(component.bom_ref or "")
            if existing is None:
                component.sources = [Location(source.display, line)]
                if target:
                    component.properties["target"] = target
                components[component.bom_ref or ""] = component
            else:
                existing.scope = _wider(existing.scope, component.scope)
                if not target:
                    existing.properties.pop("target", None)  # needed on every platform
        return ReadResult(self.format, list(components.values()), {}, list(components))


def _table(parent: Any, key: str) -> dict[str, Any]:
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, dict) else {}


def _wider(first: str | None, second: str | None) -> str | None:
    """The scope of a crate declared twice: runtime beats optional beats build beats dev."""
    return min(first, second, key=_SCOPE_ORDER.index)


def _component(key: str, entry: Any, scope: str | None, inherited: dict[str, Any]) -> Component | None:
    """The crate a `key = entry` declaration stands for; None for path crates and what cannot be a crate."""
    if isinstance(entry, str):
        entry = {"version": entry}
    if not isinstance(entry, dict):
        return None
    if entry.get("workspace") is True:
        base = inherited.get(key)
        base = {"version": base} if isinstance(base, str) else base if isinstance(base, dict) else {}
        entry = {**base, **{k: v for k, v in entry.items() if k != "workspace"}, "inherited": True}
    name = entry.get("package") if isinstance(entry.get("package"), str) else key
    if "path" in entry or not _CRATE_NAME.match(name):
        return None  # a path crate is the project's own code
    if entry.get("optional") is True and scope is None:
        scope = "optional"
    requirement = entry.get("version") if isinstance(entry.get("version"), str) else ""
    exact = _EXACT.match(requirement.strip())
    version = exact.group(1) if exact else None
    properties: dict[str, Any] = {}
    if version is None and requirement.strip() not in ("", "*"):
        properties["specifier"] = requirement.strip()
    if name != key:
        properties["alias"] = key
    if entry.get("inherited"):
        properties["workspace"] = True
    for field in ("registry", "registry-index"):
        if isinstance(entry.get(field), str):
            properties["registry"] = entry[field]
    repository, qualifiers = None, None
    if isinstance(entry.get("git"), str) and entry["git"].strip():
        repository = entry["git"].strip().split("?", 1)[0].split("#", 1)[0]
        revision = entry.get("rev") if isinstance(entry.get("rev"), str) else None
        qualifiers = {"vcs_url": f"git+{repository}@{revision}" if revision else f"git+{repository}"}
        for field in ("branch", "tag", "rev"):
            if isinstance(entry.get(field), str):
                properties[f"git_{field}"] = entry[field]
    return Component(
        name=name,
        version=version,
        purl=purls.build("cargo", name, version, qualifiers=qualifiers),
        ecosystem="cargo",
        repository=repository,
        scope=scope,
        bom_ref=f"{name}@{version}" if version else name,
        properties=properties,
    )


def _root_dependencies(manifest: Path, document: dict[str, Any]) -> dict[str, Any]:
    """`[workspace.dependencies]` of the workspace a member belongs to: `package.workspace`, else found upwards."""
    pointer = _table(document, "package").get("workspace")
    if isinstance(pointer, str):
        candidates = [(manifest.parent / pointer / "Cargo.toml")]
    else:
        candidates = [directory / "Cargo.toml" for directory in list(manifest.parents)[1 : 1 + _MAX_LEVELS]]
    for candidate in candidates:
        try:
            stamp = candidate.stat().st_mtime_ns
        except OSError:
            continue
        if confined(candidate, str(manifest), what="workspace manifest") is None:
            continue  # above the scanned directory: warned, not read
        workspace = _workspace_table(str(candidate), stamp)
        if workspace is not None:
            return _table(workspace, "dependencies")
    return {}


@lru_cache(maxsize=64)
def _workspace_table(path: str, _stamp: int) -> dict[str, Any] | None:
    """The `[workspace]` table of a Cargo.toml, cached while unchanged; None when it has none or is unreadable."""
    try:
        data = read_related(Path(path), path, _MAX_MANIFEST_BYTES, what="workspace manifest")
        if data is None:
            return None
        document = _toml.loads(data.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, _toml.TOMLDecodeError, RecursionError):
        return None
    workspace = document.get("workspace")
    return workspace if isinstance(workspace, dict) else None
