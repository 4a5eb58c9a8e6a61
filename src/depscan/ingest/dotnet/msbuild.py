""".NET project files: SDK-style `.csproj` / `.fsproj` / `.vbproj`, `Directory.Packages.props`,
`Directory.Build.props` / `.targets`, and the legacy `packages.config`.

A project declares `<PackageReference Include="Id" Version="1.2.3" />` (the
version may also be a child element). With central package management the
version lives in the `Directory.Packages.props` found upwards from the
project (`<PackageVersion Include="Id" Version="..." />`), and a reference
may override it with `VersionOverride`; `$(Property)` versions are resolved
from the project's own properties and those of the `Directory.Build.props`
and `Directory.Packages.props` above it. Read on its own, a
`Directory.Packages.props` lists the versions the solution allows
(`PackageVersion`, whether direct is not known from it) and the
`GlobalPackageReference`s every project gets.

NuGet reads a bare `1.2.3` as "1.2.3 or higher" but resolves the lowest
version that exists, which is 1.2.3 itself for any published package, so it
is taken as the version, like `[1.2.3]`; ranges and floating versions (`1.*`)
are kept as `properties["specifier"]`. Versions are normalised as NuGet does
(`1.0` is `1.0.0`, a zero fourth part is dropped), so that they match the
packages.lock.json read in the same scan. A `PrivateAssets="all"` reference
does not flow to consumers (analyzers, build tools): scope `dev`, as the
CycloneDX .NET tool treats it. XML goes through defusedxml with DTDs refused.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from depscan import purls
from depscan.errors import InputError
from depscan.ingest._xml import LineHandler, parse_xml
from depscan.ingest.base import InputFile, Reader, ReadResult, confined, read_regular
from depscan.model import Component, Location

_ITEMS = {"PackageReference", "PackageVersion", "GlobalPackageReference"}
_METADATA = {"Version", "VersionOverride", "PrivateAssets"}
_PROJECT_SUFFIXES = (".csproj", ".fsproj", ".vbproj")
_CENTRAL_FILE = "Directory.Packages.props"
_BUILD_PROPS = "Directory.Build.props"
_PROPERTY = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")
_NUGET_VERSION = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
_PACKAGE_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_MSBUILD_SIGNS = (b"<PackageReference", b"<PackageVersion", b"<GlobalPackageReference")
_MAX_LEVELS = 10  # folders searched upwards for Directory.*.props
_MAX_SUBSTITUTIONS = 5  # rounds of $(A) -> $(B) -> value
_MAX_IMPORTED_BYTES = 8 << 20


@dataclass
class _Item:
    """One item element: `<PackageReference Include=... />`, `<PackageVersion ...>`, or `<package id=...>`."""

    kind: str
    line: int
    attributes: dict[str, str]
    metadata: dict[str, str] = field(default_factory=dict)  # child elements, e.g. <Version>1.0</Version>

    def get(self, name: str) -> str | None:
        """Metadata by name, attribute first then child element, case-insensitively as MSBuild does."""
        for values in (self.attributes, self.metadata):
            for key, value in values.items():
                if key.lower() == name.lower():
                    return value.strip()
        return None


@dataclass
class _Project:
    """What an MSBuild file (or packages.config) says: its properties and its package items."""

    root: str = ""
    properties: dict[str, str] = field(default_factory=dict)  # lowercase name -> value
    items: list[_Item] = field(default_factory=list)


class _Collector(LineHandler):
    """SAX handler keeping only properties and package items, with the line each item starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.project = _Project()
        self._stack: list[str] = []
        self._text: list[str] = []
        self._item: _Item | None = None

    def startElement(self, name: str, attrs: Any) -> None:
        local = name.rsplit(":", 1)[-1]
        line = self.line()
        parent = self._stack[-1] if self._stack else None
        if parent is None:
            self.project.root = local
        if (local in _ITEMS and parent == "ItemGroup") or (local == "package" and parent == "packages"):
            self._item = _Item(local, line, {key: attrs[key] for key in attrs.getNames()})
        self._stack.append(local)
        self._text = []

    def endElement(self, name: str) -> None:
        local = self._stack.pop()
        parent = self._stack[-1] if self._stack else None
        text = "".join(self._text).strip()
        self._text = []
        if parent == "PropertyGroup":
            self.project.properties[local.lower()] = text
        elif self._item is not None and local in _METADATA and parent == self._item.kind:
            self._item.metadata[local] = text
        elif self._item is not None and local == self._item.kind:
            self.project.items.append(self._item)
            self._item = None

    def characters(self, content: str) -> None:
        self._text.append(content)


def _parse(source: InputFile) -> _Project:
    collector = _Collector()
    parse_xml(source, collector)
    return collector.project


class MsbuildProjectReader(Reader):
    format = "msbuild-project"
    filenames = ("*.csproj", "*.fsproj", "*.vbproj", _CENTRAL_FILE, _BUILD_PROPS, "Directory.Build.targets")

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if not head.startswith(b"<"):
            return False
        name = source.path.name.lower()
        if name.endswith(_PROJECT_SUFFIXES) or name in {n.lower() for n in self.filenames[3:]}:
            return True
        window = head[:16384]
        return b"<Project" in window and any(sign in head for sign in _MSBUILD_SIGNS)

    def read(self, source: InputFile) -> ReadResult:
        project = _parse(source)
        if project.root != "Project":
            raise source.error(f"not an MSBuild project (root element is <{project.root}>, not <Project>)")
        itself = source.path.resolve()
        central = _nearest(itself.parent, _CENTRAL_FILE)
        central = None if central == itself else central
        build = _nearest(itself.parent, _BUILD_PROPS)
        properties: dict[str, str] = {}
        for imported in (build, central):
            if imported is not None and imported != itself:
                properties.update(_imported(imported).properties)
        properties.update(project.properties)
        if properties.get("managepackageversionscentrally", "").strip().lower() == "false":
            central = None  # the project opts out of central package management
        central_project = _imported(central) if central is not None else _Project()
        versions = {**_versions(central_project), **_versions(project)}
        updates = {
            package.lower(): version
            for item in project.items
            if item.kind == "PackageReference" and (version := item.get("Version"))
            for package in _ids(item.get("Update"))
        }
        found = _Found(properties, source)
        for item in project.items:
            if item.kind == "PackageVersion":
                found.add(item, source.display, versions, root=False)
            else:
                found.add(item, source.display, {**versions, **updates}, root=True)
        if central is not None and itself.name.lower().endswith(_PROJECT_SUFFIXES):
            # GlobalPackageReference: added to every project under the central file
            display = os.path.normpath(Path(source.display).parent / os.path.relpath(central, itself.parent))
            for item in central_project.items:
                if item.kind == "GlobalPackageReference":
                    found.add(item, display, versions, root=True)
        return ReadResult(self.format, list(found.components.values()), {}, found.roots)


class _Found:
    """The components of one project file, one per package and version, with the direct ones in order."""

    def __init__(self, properties: dict[str, str], source: InputFile) -> None:
        self.properties = properties
        self.source = source
        self.components: dict[str, Component] = {}
        self.roots: list[str] = []

    def add(self, item: _Item, display: str, versions: dict[str, str], root: bool) -> None:
        """One component per package the item names; `root` when the project uses it directly."""
        included = item.get("Include")
        packages = _ids(included)
        if included is not None and display == self.source.display:
            unusable = [part.strip() for part in included.split(";") if part.strip() not in packages]
            if unusable or not packages:
                shown = ";".join(unusable) or included
                self.source.warn(f"<{item.kind} Include={shown!r}> names no NuGet package id: not used", item.line)
        for package in packages:
            key = package.lower()
            raw = item.get("VersionOverride") or item.get("Version") or versions.get(key)
            version, specifier = nuget_version(_substitute(raw, self.properties))
            ref = f"{key}@{version}" if version else key
            if ref in self.components:
                continue
            component = _package_component(package, version, specifier, ref, display, item.line)
            private = (item.get("PrivateAssets") or "").lower()
            if item.kind == "GlobalPackageReference" or "all" in private.replace(" ", "").split(";"):
                component.scope = "dev"
            if root:
                self.roots.append(ref)
            self.components[ref] = component


class PackagesConfigReader(Reader):
    format = "nuget-packages-config"
    filenames = ("packages.config",)

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if not head.startswith(b"<"):
            return False
        if source.path.name.lower() == "packages.config":
            return True
        return b"<packages" in head[:4096] and b"<package " in head and b" id=" in head

    def read(self, source: InputFile) -> ReadResult:
        project = _parse(source)
        if project.root != "packages":
            raise source.error(f"not a NuGet packages.config (root element is <{project.root}>, not <packages>)")
        components: dict[str, Component] = {}
        for item in project.items:
            package = item.get("id")
            if not package or not _PACKAGE_ID.match(package):
                source.warn(f"<package id={package or ''!r}> is not a NuGet package id: not used", item.line)
                continue
            version, specifier = nuget_version(item.get("version"))
            ref = f"{package.lower()}@{version}" if version else package.lower()
            if ref in components:
                continue
            component = _package_component(package, version, specifier, ref, source.display, item.line)
            if (item.get("developmentDependency") or "").lower() == "true":
                component.scope = "dev"
            if item.get("targetFramework"):
                component.properties["target_frameworks"] = [item.get("targetFramework")]
            components[ref] = component
        return ReadResult(self.format, list(components.values()), {}, list(components))


def _package_component(
    package: str, version: str | None, specifier: str | None, ref: str, display: str, line: int
) -> Component:
    """One NuGet package as `nuget_version` read its version, the range kept as `specifier` when not exact."""
    component = Component(
        name=package,
        version=version,
        purl=purls.build("nuget", package, version),
        ecosystem="nuget",
        bom_ref=ref,
        sources=[Location(display, line or None)],
    )
    if specifier:
        component.properties["specifier"] = specifier
    return component


def _ids(value: str | None) -> list[str]:
    """Package ids of an Include/Update value ('A;B' lists two); items built from properties are skipped."""
    if not value:
        return []
    return [part.strip() for part in value.split(";") if _PACKAGE_ID.match(part.strip())]


def _versions(project: _Project) -> dict[str, str]:
    """Lowercase id -> raw version of the `PackageVersion` items of a central package management file."""
    found: dict[str, str] = {}
    for item in project.items:
        if item.kind == "PackageVersion" and (version := item.get("Version")):
            for package in _ids(item.get("Include")) + _ids(item.get("Update")):
                found[package.lower()] = version
    return found


def _substitute(raw: str | None, properties: dict[str, str]) -> str | None:
    """`$(Name)` replaced from the properties (MSBuild names are case-insensitive), a few rounds deep."""
    if raw is None:
        return None
    for _ in range(_MAX_SUBSTITUTIONS):
        if "$(" not in raw:
            break
        raw = _PROPERTY.sub(lambda match: properties.get(match.group(1).lower(), match.group(0)), raw)
    return raw


def nuget_version(raw: str | None) -> tuple[str | None, str | None]:
    """(version, specifier) of a NuGet version attribute: a normalised version when it names one."""
    if raw is None or not raw.strip():
        return None, None
    text = raw.strip()
    if text.startswith("[") and text.endswith("]") and "," not in text:
        text = text[1:-1].strip()  # [1.2.3]: exactly this version
    match = _NUGET_VERSION.match(text)
    if match is None:
        return None, raw.strip()  # a range, a floating version (1.*), or an unresolved $(Property)
    major, minor, patch, revision, prerelease = match.groups()
    parts = [int(major), int(minor or 0), int(patch or 0)]
    if revision is not None and int(revision) != 0:
        parts.append(int(revision))
    return ".".join(map(str, parts)) + (prerelease or ""), None


def _nearest(directory: Path, name: str) -> Path | None:
    """The file `name` in `directory` or the closest folder above it, as MSBuild finds Directory.*.props."""
    for folder in [directory, *directory.parents][:_MAX_LEVELS]:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def _imported(path: Path) -> _Project:
    """An imported props file, parsed once while it is unchanged; an empty project when it is unreadable."""
    if confined(path, str(path), what="imported props file") is None:
        return _Project()
    try:
        stat = path.stat()
    except OSError:
        return _Project()
    return _imported_cached(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _imported_cached(path: str, _stamp: int, size: int) -> _Project:
    if size > _MAX_IMPORTED_BYTES:
        return _Project()
    try:
        return _parse(InputFile(Path(path), path, read_regular(Path(path), path, _MAX_IMPORTED_BYTES)))
    except InputError:  # best effort: a broken props file only means fewer versions are known
        return _Project()
