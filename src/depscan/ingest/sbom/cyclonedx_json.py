"""CycloneDX JSON, specVersion 1.2 to 1.7: components at any depth, services, dependencies.

Read straight from the parsed JSON: going through cyclonedx-python-lib's
object model costs over 8 s for 10,000 components.
"""

from __future__ import annotations

from typing import Any

from depscan import purls
from depscan.ingest.base import InputFile, Reader, ReadResult, type_name
from depscan.ingest.lines import lines_of_values
from depscan.model import Component, Location

_CONTAINER_TYPES = {"container"}
_SUPPLIER_FIELDS = ("supplier", "manufacturer")


def _names(entry: dict[str, Any]) -> list[str]:
    """Supplier, manufacturer, publisher and author names, most authoritative first."""
    names: list[str] = []
    for key in _SUPPLIER_FIELDS:
        party = entry.get(key)
        if isinstance(party, dict) and isinstance(party.get("name"), str):
            names.append(party["name"])
    for key in ("publisher", "author"):
        value = entry.get(key)
        if isinstance(value, str) and value:
            names.append(value)
    authors = entry.get("authors")
    if isinstance(authors, list):
        names.extend(a["name"] for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str))
    return names


def licenses_of(entry: dict[str, Any]) -> list[str]:
    """Declared licences of a CycloneDX component or service (ids, names or expressions)."""
    found: list[str] = []
    licenses = entry.get("licenses")
    if not isinstance(licenses, list):
        return found
    for choice in licenses:
        if not isinstance(choice, dict):
            continue
        expression = choice.get("expression")
        if isinstance(expression, str):
            found.append(expression)
            continue
        license_ = choice.get("license")
        if isinstance(license_, dict):
            value = license_.get("id") or license_.get("name")
            if isinstance(value, str):
                found.append(value)
    return found


def _repository(entry: dict[str, Any]) -> str | None:
    refs = entry.get("externalReferences")
    if isinstance(refs, list):
        for ref in refs:
            if isinstance(ref, dict) and ref.get("type") == "vcs" and isinstance(ref.get("url"), str):
                return ref["url"]
    return None


def display_name(name: str, group: str | None, ecosystem: str | None) -> str:
    """How the ecosystem itself writes the name: @scope/name for npm, group:artifact for Maven."""
    if not group:
        return name
    if ecosystem == "npm":
        return f"{group}/{name}" if group.startswith("@") else f"@{group}/{name}"
    if ecosystem == "maven":
        return f"{group}:{name}"
    if ecosystem in ("golang", "composer"):
        return f"{group}/{name}"
    return name


class CycloneDxJsonReader(Reader):
    format = "cyclonedx-json"
    filenames = ("*.cdx.json", "bom.json", "*.bom.json", "sbom.json", "*.sbom.json", "*cyclonedx*.json")

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if not head.startswith(b"{"):
            return False
        if b'"bomFormat"' in head:
            return b"CycloneDX" in head
        document = source.json()
        return isinstance(document, dict) and document.get("bomFormat") == "CycloneDX"

    def read(self, source: InputFile) -> ReadResult:
        document = source.json()
        if not isinstance(document, dict) or document.get("bomFormat") != "CycloneDX":
            raise source.error("not a CycloneDX JSON document (no bomFormat CycloneDX)")
        display = source.display
        refs_to_lines = lines_of_values(source.data, b'"bom-ref"')
        components: list[Component] = []
        # Take the list out of the document: each entry is freed once read, halving peak memory on big SBOMs.
        stack: list[Any] = list(source.list_at(document, "components"))
        document.pop("components", None)
        stack.reverse()
        while stack:
            entry = stack.pop()
            if not isinstance(entry, dict):
                source.skip("a component", entry)
                continue
            stack.extend(reversed(source.list_at(entry, "components")))
            component = self._component(entry, display, refs_to_lines)
            if component is not None:
                components.append(component)
            else:
                source.warn(f"a component without a usable name (name is {type_name(entry.get('name'))}): not used")
        services: list[Any] = list(source.list_at(document, "services"))
        while services:
            entry = services.pop()
            if not isinstance(entry, dict):
                source.skip("a service", entry)
                continue
            services.extend(source.list_at(entry, "services"))
            component = self._service(entry, display, refs_to_lines)
            if component is not None:
                components.append(component)
            else:
                source.warn(f"a service without a usable name (name is {type_name(entry.get('name'))}): not used")
        seen_refs: set[str] = set()
        for component in components:
            if component.bom_ref is not None:
                if component.bom_ref in seen_refs:
                    source.warn(f"duplicate bom-ref {component.bom_ref!r}: the dependency graph cannot tell them apart")
                seen_refs.add(component.bom_ref)
        dependencies, roots = self._graph(document)
        return ReadResult(self.format, components, dependencies, roots)

    def _component(self, entry: dict[str, Any], display: str, lines: dict[str, int]) -> Component | None:
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            return None
        purl = entry.get("purl") if isinstance(entry.get("purl"), str) else None
        ecosystem = purls.ecosystem(purl) if purl else None
        group = entry.get("group") if isinstance(entry.get("group"), str) else None
        version = entry.get("version")
        bom_ref = entry.get("bom-ref") if isinstance(entry.get("bom-ref"), str) else None
        component = Component(
            name=display_name(name, group, ecosystem),
            version=str(version) if version not in (None, "") else None,
            purl=purl,
            ecosystem=ecosystem,
            declared_licenses=licenses_of(entry),
            suppliers=_names(entry),
            repository=_repository(entry),
            bom_ref=bom_ref,
            sources=[Location(display, lines.get(bom_ref) if bom_ref else None)],
        )
        if entry.get("type") in _CONTAINER_TYPES:
            component.kind = "tooling"
            component.image = f"{group}/{name}" if group else name
        scope = entry.get("scope")
        if scope in ("optional", "excluded"):
            component.scope = scope
        return component

    def _service(self, entry: dict[str, Any], display: str, lines: dict[str, int]) -> Component | None:
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            return None
        provider = entry.get("provider")
        suppliers = [provider["name"]] if isinstance(provider, dict) and isinstance(provider.get("name"), str) else []
        endpoints = [e for e in _as_list(entry.get("endpoints")) if isinstance(e, str)]
        bom_ref = entry.get("bom-ref") if isinstance(entry.get("bom-ref"), str) else None
        version = entry.get("version")
        return Component(
            name=name,
            version=str(version) if version not in (None, "") else None,
            ecosystem="service",
            kind="service",
            declared_licenses=licenses_of(entry),
            suppliers=suppliers,
            endpoints=endpoints,
            bom_ref=bom_ref,
            sources=[Location(display, lines.get(bom_ref) if bom_ref else None)],
        )

    def _graph(self, document: dict[str, Any]) -> tuple[dict[str, list[str]], list[str]]:
        graph: dict[str, list[str]] = {}
        for dependency in _as_list(document.get("dependencies")):
            if isinstance(dependency, dict) and isinstance(dependency.get("ref"), str):
                children = dependency.get("dependsOn")
                if isinstance(children, list):
                    graph[dependency["ref"]] = [c for c in children if isinstance(c, str)]
        metadata = document.get("metadata")
        subject = metadata.get("component") if isinstance(metadata, dict) else None
        subject_ref = subject.get("bom-ref") if isinstance(subject, dict) else None
        roots = graph.get(subject_ref, []) if isinstance(subject_ref, str) else []
        return graph, roots


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
