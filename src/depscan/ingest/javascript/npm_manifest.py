"""The package.json files beside a JavaScript lockfile: what the project and its workspaces declare.

yarn.lock records resolutions, not what the project asked for; the manifest
beside it (and those of its workspaces) says which packages are direct, and
which only for development. Reading them is best effort: a missing or broken
package.json only means the lock cannot tell direct from transitive.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from depscan.ingest.base import read_related
from depscan.ingest.scopes import RUNTIME

#: manifest field -> the scope its dependencies get (peer dependencies are the consumer's to install)
DEPENDENCY_FIELDS = (("dependencies", RUNTIME), ("optionalDependencies", "optional"), ("devDependencies", "dev"))
_MAX_MANIFEST_BYTES = 8 << 20
_MAX_WORKSPACES = 2000


@dataclass(frozen=True)
class Declared:
    """One dependency of a manifest: its name, the range asked for, and RUNTIME, "optional" or "dev"."""

    name: str
    range: str
    scope: str


def read_manifest(directory: Path, max_bytes: int = _MAX_MANIFEST_BYTES) -> dict[str, Any] | None:
    """The package.json in `directory`; None when missing, unreadable, over `max_bytes` or not a JSON object."""
    path = directory / "package.json"
    try:
        data = read_related(path, str(path), max_bytes, what="workspace manifest")
        if data is None:
            return None
        document = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    except (OSError, orjson.JSONDecodeError):
        return None
    return document if isinstance(document, dict) else None


def declared(manifest: dict[str, Any]) -> list[Declared]:
    found: list[Declared] = []
    for field, scope in DEPENDENCY_FIELDS:
        table = manifest.get(field)
        if isinstance(table, dict):
            found.extend(Declared(name, spec, scope) for name, spec in table.items() if isinstance(spec, str))
    return found


def project_manifests(lockfile: Path) -> list[dict[str, Any]]:
    """The root package.json beside `lockfile` and those of the workspaces it lists (globs expanded)."""
    root_directory = lockfile.parent
    root = read_manifest(root_directory)
    if root is None:
        return []
    manifests = [root]
    patterns = root.get("workspaces")
    if isinstance(patterns, dict):  # {"packages": [...], "nohoist": [...]}
        patterns = patterns.get("packages")
    if not isinstance(patterns, list):
        return manifests
    seen: set[Path] = {root_directory.resolve()}
    found: list[Path] = []
    for pattern in patterns:
        if not isinstance(pattern, str) or pattern.startswith(("/", "!")) or ".." in pattern:
            continue
        try:
            for directory in root_directory.glob(pattern.rstrip("/")):
                if "node_modules" in directory.parts or not directory.is_dir():
                    continue  # installed packages, not workspaces ('packages/**' would reach them)
                resolved = directory.resolve()
                if resolved not in seen:
                    seen.add(resolved)
                    found.append(directory)
                if len(found) >= _MAX_WORKSPACES:
                    break
        except (OSError, ValueError):
            continue
    for directory in sorted(found):  # sorted: the same roots, in the same order, on every file system
        manifest = read_manifest(directory)
        if manifest is not None:
            manifests.append(manifest)
    return manifests
