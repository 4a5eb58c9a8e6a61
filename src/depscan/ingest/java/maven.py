"""Java: Maven `pom.xml` and Gradle `gradle.lockfile`.

A POM declares dependencies, it does not lock them: depscan reads what the
file itself says, without resolving transitive dependencies from a
repository. Versions written as `${property}` are resolved from the POM's
`<properties>`, the project's and parent's coordinates, and the properties
and `<dependencyManagement>` of parent POMs that are present on disk (a
multi-module build); a version that stays unresolved (inherited from a remote
parent or BOM) is left empty rather than guessed. The remote parent POM is a
component itself: it controls versions and build configuration. Managed
dependencies no `<dependency>` uses are reported with scope `managed`
(`import` for BOMs), as they are constraints, not known uses.

A Gradle lockfile lists every resolved `group:artifact:version` with the
configurations that use it. One that appears on no main classpath (only
test, benchmark or tool configurations such as checkstyle or jacoco) does
not ship and is marked `dev`. The lockfile gives no graph and no direct
dependencies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from depscan import purls
from depscan.errors import InputError
from depscan.ingest._xml import LineHandler, parse_xml
from depscan.ingest.base import InputFile, Reader, ReadResult, read_related
from depscan.model import Component, Location

_POM_NAMESPACE = b"http://maven.apache.org/POM/4.0.0"
_PROPERTY = re.compile(r"\$\{([^}]+)\}")
_MAX_PARENTS = 10  # local parent POMs followed upwards, against cycles and runaway chains
_MAX_SUBSTITUTIONS = 10  # rounds of ${a} -> ${b} -> value
_SCOPES = {"test": "dev", "provided": "provided", "system": "system", "import": "import"}


# --- a small element tree with line numbers (ElementTree keeps none) ---------------------------------------


@dataclass(slots=True)
class _Node:
    name: str
    line: int
    children: list[_Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    def child(self, name: str) -> _Node | None:
        for node in self.children:
            if node.name == name:
                return node
        return None

    def all(self, *path: str) -> list[_Node]:
        nodes = [self]
        for name in path:
            nodes = [c for n in nodes for c in n.children if c.name == name]
        return nodes

    def text(self, name: str) -> str | None:
        node = self.child(name)
        if node is None:
            return None
        value = "".join(node.parts).strip()
        return value or None


class _TreeBuilder(LineHandler):
    def __init__(self) -> None:
        super().__init__()
        self.root: _Node | None = None
        self._stack: list[_Node] = []

    def startElement(self, name: str, attrs: Any) -> None:
        node = _Node(name.rsplit(":", 1)[-1], self.line())
        if self._stack:
            self._stack[-1].children.append(node)
        else:
            self.root = node
        self._stack.append(node)

    def endElement(self, name: str) -> None:
        self._stack.pop()

    def characters(self, content: str) -> None:
        if self._stack:
            self._stack[-1].parts.append(content)


def _parse_xml(source: InputFile) -> _Node:
    builder = _TreeBuilder()
    parse_xml(source, builder)
    if builder.root is None:
        raise source.error("invalid XML: no root element")
    return builder.root


# --- pom.xml ----------------------------------------------------------------------------------------------


@dataclass
class _Pom:
    """What one POM contributes to the resolution of its own and its children's versions."""

    node: _Node
    properties: dict[str, str]
    managed: dict[tuple[str, str], str]  # (groupId, artifactId) -> raw version


def _coordinates(node: _Node) -> tuple[str | None, str | None, str | None]:
    return node.text("groupId"), node.text("artifactId"), node.text("version")


def _own_properties(project: _Node) -> dict[str, str]:
    """<properties> plus the built-in project.* and parent.* ones this file defines."""
    properties: dict[str, str] = {}
    for holder in project.all("properties"):
        for node in holder.children:
            properties[node.name] = "".join(node.parts).strip()
    group, artifact, version = _coordinates(project)
    parent = project.child("parent")
    parent_group, parent_artifact, parent_version = _coordinates(parent) if parent is not None else (None,) * 3
    group = group or parent_group
    version = version or parent_version
    _define_coordinates(properties, ("project.", "pom.", ""), (group, artifact, version))
    _define_coordinates(properties, ("project.parent.", "parent."), (parent_group, parent_artifact, parent_version))
    return properties


def _define_coordinates(
    properties: dict[str, str], prefixes: tuple[str, ...], coordinates: tuple[str | None, str | None, str | None]
) -> None:
    """`<prefix>groupId`, `<prefix>artifactId` and `<prefix>version` for each prefix, unless <properties> set them."""
    for prefix in prefixes:
        for name, value in zip(("groupId", "artifactId", "version"), coordinates, strict=True):
            if value:
                properties.setdefault(f"{prefix}{name}", value)


def _managed(project: _Node) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for dependency in project.all("dependencyManagement", "dependencies", "dependency"):
        group, artifact, version = _coordinates(dependency)
        if group and artifact and version:
            found.setdefault((group, artifact), version)
    return found


def _substitute(value: str | None, properties: dict[str, str]) -> str | None:
    """Replace ${name} from `properties`, a few rounds deep; unknown ones stay as written."""
    if value is None or "${" not in value:
        return value
    for _ in range(_MAX_SUBSTITUTIONS):
        replaced = _PROPERTY.sub(lambda m: properties.get(m.group(1).strip(), m.group(0)), value)
        if replaced == value:
            break
        value = replaced
    return value


def _pinned(version: str | None) -> tuple[str | None, str | None]:
    """(exact version, or None; the raw specification when it is not one exact version)."""
    if not version:
        return None, None
    if "${" in version:
        return None, version
    if version.startswith("[") and version.endswith("]") and "," not in version:
        return version[1:-1].strip() or None, None
    if version[0] in "[(" or "," in version:
        return None, version
    return version, None


def _maven_component(
    group: str,
    artifact: str,
    raw_version: str | None,
    display: str,
    line: int,
    qualifiers: dict[str, str] | None = None,
) -> Component:
    version, specification = _pinned(raw_version)
    resolved = "${" not in group and "${" not in artifact  # else no purl: it would name a package that does not exist
    component = Component(
        name=f"{group}:{artifact}",
        version=version,
        purl=purls.build("maven", artifact, version, namespace=group, qualifiers=qualifiers) if resolved else None,
        ecosystem="maven",
        bom_ref=f"{group}:{artifact}",
        sources=[Location(display, line)],
    )
    if specification:
        component.properties["version_spec"] = specification
    return component


class PomReader(Reader):
    format = "maven-pom"
    filenames = ("pom.xml",)

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if not head.startswith(b"<"):
            return False
        if source.path.name == "pom.xml":
            return True
        window = head[:8192]
        return b"<project" in window and (_POM_NAMESPACE in window or b"<modelVersion>" in window)

    def read(self, source: InputFile) -> ReadResult:
        project = _parse_xml(source)
        if project.name != "project":
            raise source.error(f"not a Maven POM (root element is <{project.name}>, not <project>)")
        chain = [_Pom(project, _own_properties(project), _managed(project))]
        local_parent = self._local_parents(source, project, chain)
        properties: dict[str, str] = {}
        managed: dict[tuple[str, str], str] = {}
        for pom in chain:  # nearest first: a child's definition wins over its parent's
            for key, value in pom.properties.items():
                properties.setdefault(key, value)
            for key, value in pom.managed.items():
                managed.setdefault(key, value)
        components: list[Component] = []
        roots: list[str] = []
        seen: set[str] = set()
        parent = project.child("parent")
        if parent is not None and not local_parent:
            component = self._parent(parent, properties, source.display)
            if component is None:
                source.warn("<parent> without groupId or artifactId: not used", parent.line)
            else:
                components.append(component)
                roots.append(component.bom_ref or "")
                seen.add(component.bom_ref or "")
        for dependency in project.all("dependencies", "dependency"):
            component = self._dependency(dependency, properties, managed, source.display, managed_only=False)
            if component is None:
                source.warn("<dependency> without groupId or artifactId: not used", dependency.line)
            elif component.bom_ref not in seen:
                seen.add(component.bom_ref or "")
                components.append(component)
                roots.append(component.bom_ref or "")
        for dependency in project.all("dependencyManagement", "dependencies", "dependency"):
            component = self._dependency(dependency, properties, managed, source.display, managed_only=True)
            if component is None:
                source.warn("managed <dependency> without groupId or artifactId: not used", dependency.line)
            elif component.bom_ref not in seen:
                seen.add(component.bom_ref or "")
                components.append(component)
        return ReadResult(self.format, components, {}, roots)

    def _local_parents(self, source: InputFile, project: _Node, chain: list[_Pom]) -> bool:
        """Follow <parent> to POMs on disk (relativePath, default ../pom.xml); whether the first one is local."""
        current, directory = project, source.path.parent
        seen = {source.path.resolve()}
        first_is_local = False
        for depth in range(_MAX_PARENTS):
            parent = current.child("parent")
            if parent is None:
                break
            relative = parent.text("relativePath")
            if relative is None and parent.child("relativePath") is not None:
                break  # <relativePath/>: explicitly looked up in repositories only
            candidate = directory / (relative or "../pom.xml")
            if candidate.is_dir():
                candidate = candidate / "pom.xml"
            loaded = self._load_parent(candidate, parent, seen)
            if loaded is None:
                break
            if depth == 0:
                first_is_local = True
            chain.append(_Pom(loaded, _own_properties(loaded), _managed(loaded)))
            current, directory = loaded, candidate.parent
        return first_is_local

    def _load_parent(self, candidate: Path, parent: _Node, seen: set[Path]) -> _Node | None:
        """The parent POM at `candidate` when it is the one <parent> names; None otherwise."""
        try:
            resolved = candidate.resolve()
            if resolved in seen or not resolved.is_file():
                return None
            seen.add(resolved)
            data = read_related(candidate, str(candidate), what="parent POM")
            if data is None:
                return None
            loaded = _parse_xml(InputFile(resolved, str(candidate), data))
        except (InputError, OSError):
            return None
        group, artifact, _ = _coordinates(loaded)
        loaded_parent = loaded.child("parent")
        if group is None and loaded_parent is not None:
            group = loaded_parent.text("groupId")
        if loaded.name != "project" or (group, artifact) != (parent.text("groupId"), parent.text("artifactId")):
            return None
        return loaded

    def _parent(self, parent: _Node, properties: dict[str, str], display: str) -> Component | None:
        group, artifact, version = _coordinates(parent)
        if not group or not artifact:
            return None
        component = _maven_component(
            group, artifact, _substitute(version, properties), display, parent.line, {"type": "pom"}
        )
        component.properties["maven_role"] = "parent"
        return component

    def _dependency(
        self,
        dependency: _Node,
        properties: dict[str, str],
        managed: dict[tuple[str, str], str],
        display: str,
        managed_only: bool,
    ) -> Component | None:
        group = _substitute(dependency.text("groupId"), properties)
        artifact = _substitute(dependency.text("artifactId"), properties)
        if not group or not artifact:
            return None
        raw_version = dependency.text("version") or managed.get((group, artifact))
        version = _substitute(raw_version, properties)
        qualifiers: dict[str, str] = {}
        kind = _substitute(dependency.text("type"), properties)
        classifier = _substitute(dependency.text("classifier"), properties)
        if kind and kind != "jar":
            qualifiers["type"] = kind
        if classifier:
            qualifiers["classifier"] = classifier
        component = _maven_component(group, artifact, version, display, dependency.line, qualifiers)
        maven_scope = _substitute(dependency.text("scope"), properties)
        if maven_scope:
            component.properties["maven_scope"] = maven_scope
        if managed_only:
            component.scope = "import" if maven_scope == "import" else "managed"
            component.properties["maven_role"] = "managed"
        else:
            component.scope = _SCOPES.get(maven_scope or "")
            if component.scope is None and (dependency.text("optional") or "").lower() == "true":
                component.scope = "optional"
        return component


# --- gradle.lockfile --------------------------------------------------------------------------------------

_GRADLE_MARKER = b"Gradle generated file for dependency locking"
_GRADLE_LINE = re.compile(rb"^[^:\s=]+:[^:\s=]+:[^:\s=]+(?::[^:\s=]+)?(?:=|$)|^empty=")
_MAIN_CONFIGURATIONS = {
    "compile",
    "runtime",
    "default",
    "implementation",
    "api",
    "compileonly",
    "runtimeonly",
    "apielements",
    "runtimeelements",
}
_NOT_SHIPPED_PREFIXES = ("test", "jmh", "benchmark")


def ships(configuration: str) -> bool:
    """Whether a Gradle configuration is a main (non-test, non-tool) classpath: what the application runs with."""
    lowered = configuration.lower()
    if lowered.startswith(_NOT_SHIPPED_PREFIXES) or "Test" in configuration:
        return False
    return lowered in _MAIN_CONFIGURATIONS or lowered.endswith(("compileclasspath", "runtimeclasspath"))


class GradleLockReader(Reader):
    format = "gradle-lockfile"
    filenames = ("gradle.lockfile", "*-gradle.lockfile", "gradle/dependency-locks/*.lockfile")

    def sniff(self, source: InputFile) -> bool:
        head = source.head[:4096]
        if _GRADLE_MARKER in head:
            return True
        if not source.path.name.endswith(".lockfile"):
            return False
        for raw in head.splitlines():
            line = raw.strip()
            if line and not line.startswith(b"#"):
                return bool(_GRADLE_LINE.match(line))
        return False

    def read(self, source: InputFile) -> ReadResult:
        legacy_configuration = None if source.path.name.endswith("gradle.lockfile") else source.path.stem
        components: list[Component] = []
        seen: set[str] = set()
        for number, raw in enumerate(source.text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            coordinates, equals, configurations_text = line.partition("=")
            if coordinates == "empty" and equals:
                continue  # configurations that resolved nothing
            configurations = [c for c in configurations_text.split(",") if c] if equals else []
            if not equals and legacy_configuration:
                configurations = [legacy_configuration]  # gradle/dependency-locks/<configuration>.lockfile
            parts = coordinates.split(":")
            if len(parts) < 3 or not all(parts[:3]):
                raise source.error(f"expected 'group:artifact:version=configurations', got {line[:80]!r}", number)
            group, artifact, version = parts[0], parts[1], parts[2]
            component = _maven_component(group, artifact, version, source.display, number)
            component.bom_ref = f"{group}:{artifact}:{version}"
            if component.bom_ref in seen:
                continue
            seen.add(component.bom_ref)
            if configurations:
                component.properties["gradle_configurations"] = configurations
                if not any(ships(c) for c in configurations):
                    component.scope = "dev"
            components.append(component)
        return ReadResult(self.format, components)
