"""CycloneDX XML, 1.1 to 1.7, parsed through defusedxml with DTDs refused outright.

An SBOM never needs a DTD; refusing them stops entity expansion bombs and
external entity reads before they start.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from depscan import purls
from depscan.ingest.base import InputFile, Reader, ReadResult
from depscan.ingest.lines import lines_of_attribute
from depscan.ingest.sbom.cyclonedx_json import display_name
from depscan.model import Component, Location

_NAMESPACE = "http://cyclonedx.org/schema/bom/"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [child for child in element if _local(child.tag) == name]


def _text(element: Element, name: str) -> str | None:
    child = _child(element, name)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


class CycloneDxXmlReader(Reader):
    format = "cyclonedx-xml"
    filenames = ("*.cdx.xml", "bom.xml", "*.bom.xml", "sbom.xml", "*cyclonedx*.xml")

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        return head.startswith(b"<") and _NAMESPACE.encode() in head[:4096]

    def read(self, source: InputFile) -> ReadResult:
        try:
            root = fromstring(source.data, forbid_dtd=True)
        except ParseError as exc:
            line = exc.position[0] if getattr(exc, "position", None) else None
            raise source.error(f"invalid XML: {exc.msg if hasattr(exc, 'msg') else exc}", line) from None
        except DefusedXmlException as exc:
            raise source.error(f"unsafe XML refused ({type(exc).__name__})") from None
        if _local(root.tag) != "bom" or not root.tag.startswith("{" + _NAMESPACE):
            raise source.error("not a CycloneDX XML document (root is not a CycloneDX <bom>)")
        lines = lines_of_attribute(source.data, b"bom-ref")
        components: list[Component] = []
        stack = list(reversed(_children(_child(root, "components"), "component")))
        while stack:
            element = stack.pop()
            stack.extend(reversed(_children(_child(element, "components"), "component")))
            component = self._component(element, source.display, lines)
            if component is None:
                _unnamed(source, element, "component", lines)
            else:
                components.append(component)
        services = _children(_child(root, "services"), "service")
        while services:
            element = services.pop()
            services.extend(_children(_child(element, "services"), "service"))
            component = self._service(element, source.display, lines)
            if component is None:
                _unnamed(source, element, "service", lines)
            else:
                components.append(component)
        graph: dict[str, list[str]] = {}
        for dependency in _children(_child(root, "dependencies"), "dependency"):
            ref = dependency.get("ref")
            if ref:
                graph[ref] = [d.get("ref", "") for d in _children(dependency, "dependency") if d.get("ref")]
        metadata = _child(root, "metadata")
        subject = _child(metadata, "component") if metadata is not None else None
        subject_ref = subject.get("bom-ref") if subject is not None else None
        roots = graph.get(subject_ref, []) if subject_ref else []
        return ReadResult(self.format, components, graph, roots)

    def _component(self, element: Element, display: str, lines: dict[str, int]) -> Component | None:
        name = _text(element, "name")
        if not name:
            return None
        purl = _text(element, "purl")
        ecosystem = purls.ecosystem(purl) if purl else None
        component = Component(
            name=display_name(name, _text(element, "group"), ecosystem),
            version=_text(element, "version"),
            purl=purl,
            ecosystem=ecosystem,
            declared_licenses=_licenses(element),
            suppliers=_suppliers(element),
            repository=_repository(element),
            bom_ref=element.get("bom-ref"),
            sources=[Location(display, lines.get(element.get("bom-ref", "")))],
        )
        if element.get("type") == "container":
            component.kind = "tooling"
            component.image = name
        scope = _text(element, "scope")
        if scope in ("optional", "excluded"):
            component.scope = scope
        return component

    def _service(self, element: Element, display: str, lines: dict[str, int]) -> Component | None:
        name = _text(element, "name")
        if not name:
            return None
        provider = _child(element, "provider")
        provider_name = _text(provider, "name") if provider is not None else None
        endpoints = [e.text.strip() for e in _children(_child(element, "endpoints"), "endpoint") if e.text]
        return Component(
            name=name,
            version=_text(element, "version"),
            ecosystem="service",
            kind="service",
            declared_licenses=_licenses(element),
            suppliers=[provider_name] if provider_name else [],
            endpoints=endpoints,
            bom_ref=element.get("bom-ref"),
            sources=[Location(display, lines.get(element.get("bom-ref", "")))],
        )


def _unnamed(source: InputFile, element: Element, what: str, lines: dict[str, int]) -> None:
    ref = element.get("bom-ref")
    named = f" (bom-ref {ref!r})" if ref else ""
    source.warn(f"a {what} without a name{named}: not used", lines.get(ref or ""))


def _licenses(element: Element) -> list[str]:
    found: list[str] = []
    licenses = _child(element, "licenses")
    if licenses is None:
        return found
    for choice in licenses:
        tag = _local(choice.tag)
        if tag == "expression" and choice.text:
            found.append(choice.text.strip())
        elif tag == "license":
            value = _text(choice, "id") or _text(choice, "name")
            if value:
                found.append(value)
    return found


def _suppliers(element: Element) -> list[str]:
    names: list[str] = []
    for key in ("supplier", "manufacturer"):
        party = _child(element, key)
        if party is not None and (name := _text(party, "name")):
            names.append(name)
    for key in ("publisher", "author"):
        if value := _text(element, key):
            names.append(value)
    for author in _children(_child(element, "authors"), "author"):
        if name := _text(author, "name"):
            names.append(name)
    return names


def _repository(element: Element) -> str | None:
    for reference in _children(_child(element, "externalReferences"), "reference"):
        if reference.get("type") == "vcs" and (url := _text(reference, "url")):
            return url
    return None
