"""Yarn `yarn.lock`: classic (v1, its own indented format) and Berry (Yarn 2+, YAML with `__metadata`).

Both map descriptors (`name@range`, several per entry) to one resolved
package, and list each package's dependencies as descriptors, which gives the
graph. What the project itself declares comes from the package.json beside
the lock (and its workspaces'), or, in Berry, from the workspace entries.
Workspaces, `link:`, `portal:` and `file:` folders are the project's own code;
`npm:` aliases and `patch:` protocols resolve to the real package.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import orjson

from depscan.ingest.base import InputFile, Reader, ReadResult
from depscan.ingest.javascript.npm_lock import npm_component
from depscan.ingest.javascript.npm_manifest import declared, project_manifests
from depscan.ingest.scopes import RUNTIME, assign_scopes
from depscan.ingest.yaml_events import load_all
from depscan.model import Component

_V1_MARKER = re.compile(rb"^# yarn lockfile v1\s*$", re.M)
_BERRY_MARKER = re.compile(rb"^__metadata:\s*$", re.M)
_LOCAL_PROTOCOLS = ("workspace:", "link:", "portal:", "file:", "exec:")
_ARCHIVE_SUFFIXES = (".tgz", ".tar.gz", ".tar")
_GIT_HOSTS = re.compile(
    r"^(?:git\+)?(?:ssh://git@|https?://|git://)?(github\.com|gitlab\.com|bitbucket\.org)[/:]([^/]+)/([^/#?]+)"
)
_CODELOAD = re.compile(r"^https://codeload\.github\.com/([^/]+)/([^/]+)/")
_SHORTHAND = re.compile(r"^(github|gitlab|bitbucket):([^/]+)/([^#]+)")
_COMMIT = re.compile(r"[#&]commit=([0-9a-f]{7,40})")
_DEPENDENCY_MAPS = ("dependencies", "optionalDependencies")


def valid_npm_name(name: str) -> bool:
    """Whether `name` can be a package name ('name' or '@scope/name'): what a purl can be built from."""
    scope, slash, bare = name.rpartition("/")
    return bool(bare) and (not slash or (scope.startswith("@") and len(scope) > 1 and "/" not in scope))


def split_descriptor(descriptor: str) -> tuple[str, str]:
    """'@scope/name@^1.0' -> ('@scope/name', '^1.0'); the range may itself hold '@' (aliases, URLs)."""
    at = descriptor.find("@", 1)
    return (descriptor, "") if at < 0 else (descriptor[:at], descriptor[at + 1 :])


def is_local(reference: str) -> bool:
    """A range or reference naming the project's own code rather than a package to fetch."""
    if not reference.startswith(_LOCAL_PROTOCOLS):
        return reference.startswith(("./", "../", "/", "~/"))
    return not (reference.startswith("file:") and reference.split("#", 1)[0].endswith(_ARCHIVE_SUFFIXES))


def repository_of(location: str) -> str | None:
    """The source repository of a git dependency ('git+ssh://git@github.com/a/b.git#sha', 'github:a/b'...)."""
    found = _GIT_HOSTS.match(location)
    if found and (location.startswith(("git", "ssh")) or ".git" in location or "#" in location):
        return f"https://{found.group(1)}/{found.group(2)}/{found.group(3).removesuffix('.git')}"
    found = _CODELOAD.match(location)
    if found:
        return f"https://github.com/{found.group(1)}/{found.group(2)}"
    found = _SHORTHAND.match(location)
    if found:
        host = "bitbucket.org" if found.group(1) == "bitbucket" else f"{found.group(1)}.com"
        return f"https://{host}/{found.group(2)}/{found.group(3)}"
    if location.startswith(("git+", "git://", "git@")):
        return location.split("#", 1)[0].removeprefix("git+")
    return None


def entry_lines(text: str) -> dict[str, int]:
    """Line of each top-level entry, by each descriptor of its key (quoted or not)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line and line[0] not in " \t#" and line.rstrip().endswith(":"):
            for key in _split_keys(line.rstrip()[:-1]) or ():
                for descriptor in key.split(", "):  # Berry quotes all descriptors of an entry as one key
                    lines.setdefault(descriptor, number)
    return lines


# --- the classic v1 format -------------------------------------------------------------------------------------


@dataclass
class _V1Entry:
    descriptors: list[str]
    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    maps: dict[str, dict[str, str]] = field(default_factory=dict)


def _quoted(text: str, start: int) -> tuple[str, int] | None:
    """The JSON-style quoted string at text[start] and the index after its closing quote; None when malformed."""
    end = start + 1
    while True:
        end = text.find('"', end)
        if end < 0:
            return None
        backslashes = 0
        while text[end - 1 - backslashes] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            break
        end += 1
    try:
        value = orjson.loads(text[start : end + 1])
    except orjson.JSONDecodeError:
        return None
    return (value, end + 1) if isinstance(value, str) else None


def _split_keys(text: str) -> list[str] | None:
    """'"a@^1", b@^2' -> ['a@^1', 'b@^2']; None when a quoted key is malformed."""
    keys: list[str] = []
    position = 0
    while position < len(text):
        while position < len(text) and text[position] in " \t,":
            position += 1
        if position >= len(text):
            break
        if text[position] == '"':
            quoted = _quoted(text, position)
            if quoted is None:
                return None
            value, position = quoted
        else:
            end = text.find(",", position)
            end = len(text) if end < 0 else end
            value, position = text[position:end].strip(), end
        if value:
            keys.append(value)
    return keys


def _parse_v1(source: InputFile) -> list[_V1Entry]:
    """Yarn v1's format: entries at column 0, fields indented by 2, dependency maps by 4."""
    entries: list[_V1Entry] = []
    current: _V1Entry | None = None
    current_map: dict[str, str] | None = None
    for number, raw in enumerate(source.text.splitlines(), start=1):
        line = raw.rstrip()
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("\t"):
            raise source.error("tab indentation (yarn.lock is indented with spaces)", number)
        indent = len(line) - len(stripped)
        if indent == 0:
            if not line.endswith(":"):
                raise source.error("expected an entry key ending with ':'", number)
            descriptors = _split_keys(line[:-1])
            if descriptors is None:
                raise source.error("malformed quoted entry key", number)
            current = _V1Entry(descriptors, number)
            current_map = None
            entries.append(current)
            continue
        if current is None:
            raise source.error("indented line outside an entry", number)
        if indent == 2:
            current_map = None
            if stripped.endswith(":") and not stripped.startswith('"'):
                current_map = current.maps.setdefault(stripped[:-1], {})
                continue
            key, value = _key_value(stripped, source, number)
            if key.endswith(":"):  # 'key: value' written by some tools
                key = key[:-1]
            current.fields[key] = value
        elif indent >= 4 and current_map is not None:
            key, value = _key_value(stripped, source, number)
            if isinstance(value, str):
                current_map[key.removesuffix(":")] = value
        # deeper levels belong to fields depscan does not use
    return entries


def _key_value(text: str, source: InputFile, number: int) -> tuple[str, Any]:
    """'key "value"', 'key value' or a bare 'key' (true) of a v1 entry."""
    if text.startswith('"'):
        quoted = _quoted(text, 0)
        if quoted is None:
            raise source.error("malformed quoted string", number)
        key, end = quoted
    else:
        end = 0
        while end < len(text) and text[end] not in " \t":
            end += 1
        key = text[:end]
    rest = text[end:].strip()
    if not rest:
        return key, True
    if rest.startswith('"'):
        quoted = _quoted(rest, 0)
        if quoted is None:
            raise source.error("malformed quoted string", number)
        return key, quoted[0]
    return key, {"true": True, "false": False}.get(rest, rest)


class YarnClassicLockReader(Reader):
    format = "yarn-lock-v1"
    filenames = ("yarn.lock",)

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if _V1_MARKER.search(head[:1024]):
            return True
        if _BERRY_MARKER.search(head) or head.startswith((b"{", b"[", b"<")):
            return False
        # no marker comment: a yarn v1 lock still starts with 'name@range:' then '  version "x"'
        return source.path.name == "yarn.lock" and b'\n  version "' in head

    def read(self, source: InputFile) -> ReadResult:
        entries = _parse_v1(source)
        builder = _Builder(source)
        for entry in entries:
            version = entry.fields.get("version")
            version = version if isinstance(version, str) else None
            resolved = entry.fields.get("resolved") if isinstance(entry.fields.get("resolved"), str) else None
            name, reference = _v1_package(entry.descriptors)
            dependencies = {k: v for m in _DEPENDENCY_MAPS for k, v in entry.maps.get(m, {}).items()}
            if (
                name is None
                or not valid_npm_name(name)
                or (is_local(reference) and not (resolved and "://" in resolved))
            ):
                builder.add_local(entry.descriptors, dependencies)
                continue
            component = builder.add(entry.descriptors, name, version, entry.line, dependencies)
            if resolved and "resolved" not in component.properties:
                component.properties["resolved"] = resolved
                component.repository = component.repository or repository_of(resolved)
            component.repository = component.repository or repository_of(reference)
        return builder.result(self.format, berry=False)


def _v1_package(descriptors: list[str]) -> tuple[str | None, str]:
    """The real package name of an entry (through `npm:` aliases) and the range it was asked with."""
    if not descriptors:
        return None, ""
    name, reference = split_descriptor(descriptors[0])
    if reference.startswith("npm:"):
        aliased, _ = split_descriptor(reference[4:])
        name = aliased or name
    return name, reference


# --- Berry ------------------------------------------------------------------------------------------------------


class YarnBerryLockReader(Reader):
    format = "yarn-berry-lock"
    filenames = ("yarn.lock",)

    def sniff(self, source: InputFile) -> bool:
        return _BERRY_MARKER.search(source.head) is not None

    def read(self, source: InputFile) -> ReadResult:
        documents = load_all(source)
        document = documents[0] if len(documents) == 1 else None
        if not isinstance(document, dict):
            raise source.error("not a Yarn lockfile (expected a mapping of entries)")
        lines = entry_lines(source.text)
        builder = _Builder(source)
        for key, entry in document.items():
            if key == "__metadata":
                continue
            if not isinstance(key, str) or not isinstance(entry, dict):
                source.skip(f"entry {key!r}", entry, lines.get(str(key)))
                continue
            descriptors = _split_keys(key) or [key]
            resolution = entry.get("resolution") if isinstance(entry.get("resolution"), str) else None
            name, reference = _berry_locator(resolution or (descriptors[0] if descriptors else ""))
            dependencies = {
                dep: spec
                for m in _DEPENDENCY_MAPS
                if isinstance(entry.get(m), dict)
                for dep, spec in entry[m].items()
                if isinstance(dep, str) and isinstance(spec, (str, int, float))
            }
            dependencies = {dep: str(spec) for dep, spec in dependencies.items()}
            if not name or is_local(reference):
                builder.add_local(descriptors, dependencies)
                continue
            if not valid_npm_name(name):
                source.warn(f"entry {key!r} names no valid npm package: not used", lines.get(key))
                continue
            version = entry.get("version")
            version = str(version) if isinstance(version, (str, int, float)) and version != "" else None
            line = next((lines[d] for d in descriptors if d in lines), None)
            component = builder.add(descriptors, name, version, line, dependencies)
            _describe_berry(component, reference)
        return builder.result(self.format, berry=True)


def _berry_locator(locator: str) -> tuple[str, str]:
    """'fsevents@patch:fsevents@npm%3A2.3.3#...' -> ('fsevents', 'npm:2.3.3'): patches are of a real package."""
    name, reference = split_descriptor(locator)
    for _ in range(8):  # patches of patches, bounded
        if not reference.startswith("patch:"):
            break
        inner = unquote(reference[len("patch:") :].split("#", 1)[0])
        name, reference = split_descriptor(inner)
    if reference.startswith("npm:"):
        aliased, aliased_reference = split_descriptor(reference[4:])
        if aliased_reference and not aliased[:1].isdigit():  # 'npm:real@1.0.0' in a descriptor
            name, reference = aliased, f"npm:{aliased_reference}"
    return name, reference


def _describe_berry(component: Component, reference: str) -> None:
    if reference.startswith("npm:"):
        _, _, parameters = reference.partition("::")
        for parameter in parameters.split("&"):
            if parameter.startswith("__archiveUrl="):  # a package from a registry other than the default one
                component.properties.setdefault("resolved", unquote(parameter.split("=", 1)[1]))
        return
    repository = repository_of(reference)
    if repository:
        component.repository = component.repository or repository
        commit = _COMMIT.search(reference)
        if commit:
            component.properties.setdefault("vcs_commit", commit.group(1))
    component.properties.setdefault("resolved", reference)


# --- shared: components, graph and roots ------------------------------------------------------------------------


class _Builder:
    """Turns entries into components keyed by name@version, with the graph between them."""

    def __init__(self, source: InputFile) -> None:
        self.source = source
        self.by_descriptor: dict[str, str] = {}
        self.by_ref: dict[str, Component] = {}
        self.wanted: dict[str, dict[str, str]] = {}
        self.local: list[tuple[list[str], dict[str, str]]] = []
        self.by_name: dict[str, set[str]] = {}  # the name as depended on (an alias or the real one) -> refs

    def add(
        self, descriptors: list[str], name: str, version: str | None, line: int | None, dependencies: dict[str, str]
    ) -> Component:
        ref = f"{name}@{version}" if version else name
        component = self.by_ref.get(ref)
        if component is None:
            component = npm_component(name, version, ref, self.source.display, line)
            self.by_ref[ref] = component
            self.wanted[ref] = {}
        self.wanted[ref].update(dependencies)
        for descriptor in descriptors:
            self.by_descriptor[descriptor] = ref
        self.by_name.setdefault(split_descriptor(descriptors[0])[0] if descriptors else name, set()).add(ref)
        self.by_name.setdefault(name, set()).add(ref)
        return component

    def add_local(self, descriptors: list[str], dependencies: dict[str, str]) -> None:
        self.local.append((descriptors, dependencies))

    def lookup(self, name: str, spec: str) -> str | None:
        """The locked package a dependency resolves to."""
        found = self.by_descriptor.get(f"{name}@{spec}")
        if found is None and ":" not in spec:
            found = self.by_descriptor.get(f"{name}@npm:{spec}")  # older Berry locks omit 'npm:' in dependencies
        if found is None:
            # `resolutions` in package.json, or a manifest edited since: the one locked version, if only one
            candidates = self.by_name.get(name, ())
            found = next(iter(candidates)) if len(candidates) == 1 else None
        return found

    def targets(self, dependencies: dict[str, str]) -> Iterator[str]:
        for name, spec in dependencies.items():
            target = self.lookup(name, spec)
            if target is not None:
                yield target

    def result(self, format_name: str, berry: bool) -> ReadResult:
        graph = {ref: list(dict.fromkeys(self.targets(deps))) for ref, deps in self.wanted.items()}
        roots: dict[str, list[str]] = {RUNTIME: [], "optional": [], "dev": []}
        dev_names: set[str] = set()
        optional_names: set[str] = set()
        for manifest in project_manifests(self.source.path):
            for item in declared(manifest):
                if item.scope == "dev":
                    dev_names.add(item.name)
                elif item.scope == "optional":
                    optional_names.add(item.name)
                if not is_local(item.range):
                    target = self.lookup(item.name, item.range)
                    if target is not None:
                        roots[item.scope].append(target)
        local_scope = {d: s for s, refs in (("dev", dev_names), ("optional", optional_names)) for d in refs}
        for descriptors, dependencies in self.local:
            own_name = split_descriptor(descriptors[0])[0] if descriptors else ""
            for name, spec in dependencies.items():
                target = self.lookup(name, spec)
                if target is None:
                    continue
                # a workspace's own dependencies: dev when its manifest says so (Berry lists dev ones too)
                scope = local_scope.get(name, RUNTIME) if berry else local_scope.get(own_name, RUNTIME)
                roots[scope].append(target)
        components = list(self.by_ref.values())
        assign_scopes(components, graph, roots)
        direct = list(dict.fromkeys(ref for scope in (RUNTIME, "optional", "dev") for ref in roots[scope]))
        return ReadResult(format_name, components, graph, direct)
