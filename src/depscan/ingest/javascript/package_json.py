"""npm `package.json`: what a JavaScript project declares, read on its own.

A manifest declares ranges, not versions: each dependency is a direct
component whose version is known only when the range pins one exact version
(`1.2.3`, `=1.2.3`); otherwise the range is kept as `properties["specifier"]`
and a lockfile read in the same scan supplies the version (`resolve` folds an
unversioned declaration into the locked package of the same purl).

`dependencies` are runtime, `optionalDependencies` scope `optional`,
`peerDependencies` scope `peer` (the consumer installs them),
`devDependencies` scope `dev`. `workspace:`, `file:`, `link:` and `portal:`
folders, and the packages of the workspace this manifest belongs to, are the
project's own code. `npm:` aliases resolve to the real package; git and
GitHub specifiers give the repository.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from depscan import purls
from depscan.ingest.base import InputFile, Reader, ReadResult, line_index
from depscan.ingest.javascript.npm_manifest import DEPENDENCY_FIELDS, project_manifests, read_manifest
from depscan.ingest.javascript.yarn_lock import is_local, repository_of, split_descriptor, valid_npm_name
from depscan.model import Component, Location

#: every field that declares dependencies, widest scope first: a name declared twice keeps the first
FIELDS = (*DEPENDENCY_FIELDS[:2], ("peerDependencies", "peer"), *DEPENDENCY_FIELDS[2:])
_FIELD_NAMES = tuple(name for name, _ in FIELDS)
#: keys of the JSON documents other readers own: lockfiles, SBOMs, composer and NuGet files
_FOREIGN_KEYS = ("lockfileVersion", "bomFormat", "spdxVersion", "@context", "_meta", "content-hash", "frameworks")
#: keys that make a JSON object with dependency fields an npm manifest when the file is not named package.json
_MANIFEST_KEYS = ("name", "version", "private", "scripts", "workspaces", "main", "engines", "packageManager")
_EXACT = re.compile(r"^=?\s*v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$")
_GITHUB_SHORTHAND = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)/([A-Za-z0-9_.-]+?)(?:\.git)?(?:#(.*))?$")
_GIT_PREFIXES = ("git+", "git://", "git@", "github:", "gitlab:", "bitbucket:", "gist:")
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")
_MAX_WORKSPACE_LEVELS = 8  # folders searched upwards for the workspace root this manifest belongs to


class PackageJsonReader(Reader):
    format = "npm-package-json"
    filenames = ("package.json",)

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if not head.startswith(b"{"):
            return False
        named = source.path.name.lower() == "package.json"
        if not named and not any(f'"{field}"'.encode() in head for field in _FIELD_NAMES):
            return False
        document = source.json()
        if not isinstance(document, dict) or any(key in document for key in _FOREIGN_KEYS):
            return False
        if named:
            return True
        return any(isinstance(document.get(field), dict) for field in _FIELD_NAMES) and any(
            key in document for key in _MANIFEST_KEYS
        )

    def read(self, source: InputFile) -> ReadResult:
        manifest = source.json()
        if not isinstance(manifest, dict):
            raise source.error("not an npm package.json (not a JSON object)")
        own = _own_packages(source.path, manifest)
        locate = KeyLines(source)
        components: dict[str, Component] = {}
        for field, scope in FIELDS:
            for key, spec in source.dict_at(manifest, field).items():
                if key in components or key in own:
                    continue
                if not isinstance(spec, str):
                    source.skip(f"{field} {key!r}", spec, locate.line(field, key))
                    continue
                if not _valid_name(key):
                    source.warn(f"{field} {key!r} is not a valid npm package name: not used", locate.line(field, key))
                    continue
                component = _component(key, spec.strip(), scope or None, source.display)
                if component is None and spec.strip().startswith("npm:"):
                    source.warn(f"{field} {key!r}: alias {spec!r} names no valid npm package: not used")
                if component is None or component.name in own:
                    continue
                component.sources = [Location(source.display, locate.line(field, key))]
                components[key] = component
        return ReadResult(self.format, list(components.values()), {}, list(components))


def _valid_name(name: str) -> bool:
    return valid_npm_name(name) and not any(character.isspace() for character in name)


def _component(key: str, spec: str, scope: str | None, display: str) -> Component | None:
    """The component a `"key": "spec"` declaration stands for; None for the project's own folders."""
    name, properties = key, {}
    if spec.startswith("npm:"):  # "alias": "npm:real-name@^1.0"
        real, spec = split_descriptor(spec[4:])
        if not _valid_name(real):
            return None
        name, spec = real, spec.strip()
        properties["alias"] = key
    if is_local(spec):
        return None
    version, repository, vcs_url = None, None, None
    if spec.startswith(_GIT_PREFIXES) or _GITHUB_SHORTHAND.match(spec):
        repository, vcs_url = _git_source(spec)
        properties["url"] = spec
    elif spec.startswith(("http://", "https://", "file:")):
        repository = repository_of(spec)
        properties["url"] = spec
    else:
        exact = _EXACT.match(spec)
        if exact:
            version = exact.group(1)
        elif spec not in ("", "*", "x"):
            properties["specifier"] = spec
    scope_name, _, bare = name.rpartition("/")
    qualifiers = {"vcs_url": vcs_url} if vcs_url else None
    return Component(
        name=name,
        version=version,
        purl=purls.build("npm", bare, version, namespace=scope_name or None, qualifiers=qualifiers),
        ecosystem="npm",
        repository=repository,
        scope=scope,
        bom_ref=key,
        sources=[Location(display)],
        properties=properties,
    )


def _git_source(spec: str) -> tuple[str | None, str | None]:
    """(repository, purl vcs_url) of a git specifier: 'github:a/b#v1', 'a/b', 'git+ssh://git@host/a/b.git#sha'."""
    shorthand = _GITHUB_SHORTHAND.match(spec)
    if shorthand and not spec.startswith(_GIT_PREFIXES):
        repository: str | None = f"https://github.com/{shorthand.group(1)}/{shorthand.group(2)}"
    else:
        repository = repository_of(spec)
    if repository is None:
        return None, None
    reference = spec.partition("#")[2]
    revision = f"@{reference}" if _COMMIT.match(reference) else ""
    return repository, f"git+{repository}{revision}"


def _own_packages(path: Path, manifest: dict[str, Any]) -> frozenset[str]:
    """Names of the other packages of the workspace this manifest belongs to (its root found upwards).

    A manifest's own name is not among them: a package cannot link to itself, so
    a dependency on its own name (prettier's dev dependency on the released
    prettier) is fetched from the registry.
    """
    name = manifest.get("name") if isinstance(manifest.get("name"), str) else None
    directory = path.parent
    for _ in range(_MAX_WORKSPACE_LEVELS):
        root = manifest if directory == path.parent else read_manifest(directory)
        if root is not None and root.get("workspaces"):
            members = _workspace_names(directory)
            if directory == path.parent or name in members:
                return members - {name}
            break
        if (directory / ".git").exists() or directory.parent == directory:
            break
        directory = directory.parent
    return frozenset()


def _workspace_names(root: Path) -> frozenset[str]:
    """The package names of a workspace root and its members, cached while the root manifest is unchanged."""
    try:
        stamp = (root / "package.json").stat().st_mtime_ns
    except OSError:
        return frozenset()
    return _cached_workspace_names(str(root), stamp)


@lru_cache(maxsize=64)
def _cached_workspace_names(root: str, _stamp: int) -> frozenset[str]:
    manifests = project_manifests(Path(root) / "package.json")
    return frozenset(m["name"] for m in manifests if isinstance(m.get("name"), str))


class KeyLines:
    """Lines of the keys of a JSON manifest's dependency objects, found by searching the text.

    JSON parsers forget positions; a declaration is found as the first `"name"`
    after its field's `"field": {` (the field's first occurrence), which is
    where it is declared in every manifest written by a tool or by hand.
    """

    def __init__(self, source: InputFile) -> None:
        self.text = source.text_or_none() or ""
        self._starts: list[int] | None = None
        self._fields: dict[str, int] = {}

    def line(self, field: str, key: str) -> int | None:
        start = self._fields.get(field)
        if start is None:
            found = re.search(rf'"{re.escape(field)}"\s*:\s*\{{', self.text)
            start = self._fields[field] = found.end() if found else 0
        position = self.text.find(orjson.dumps(key).decode(), start)
        if position < 0:
            return None
        if self._starts is None:
            self._starts = line_index(self.text)
        return bisect_right(self._starts, position)
