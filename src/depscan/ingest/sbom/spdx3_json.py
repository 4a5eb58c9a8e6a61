"""SPDX 3.0 JSON-LD documents (`@context` https://spdx.org/rdf/3.0.x/spdx-context.jsonld).

SPDX 3 is a graph of elements under `@graph`, each with an `spdxId` and a
`type`. Packages (`software_Package`, and its `ai_AIPackage` and
`dataset_DatasetPackage` subclasses) are the components. Everything else is
by reference: a package's supplier and originators are Agent elements, its
licences are the targets of `hasDeclaredLicense` / `hasConcludedLicense`
relationships (licence expression or listed-licence elements), and the graph
comes from `dependsOn`, `contains`, link and optional/provided dependency
relationships. A `LifecycleScopedRelationship` scoped to build, development
or test makes its target `dev` when nothing else requires it. As for SPDX 2,
the element the document describes (its root) is the application itself when
it has dependencies: it is not a component, and its dependencies are the
direct ones.
"""

from __future__ import annotations

from typing import Any

from depscan import purls
from depscan.ingest.base import InputFile, Reader, ReadResult
from depscan.ingest.lines import lines_of_values
from depscan.model import Component, Location

_CONTEXT_MARKER = b"spdx.org/rdf/3."
_PACKAGE_TYPES = {"Package", "AIPackage", "DatasetPackage"}
_AGENT_TYPES = {"Agent", "Person", "Organization", "SoftwareAgent"}
_DOCUMENT_TYPES = {"SpdxDocument", "Sbom", "Bom", "Bundle"}
_EDGES = {
    "dependsOn": None,
    "contains": None,
    "hasDynamicLink": None,
    "hasStaticLink": None,
    "hasPrerequisite": None,
    "hasOptionalComponent": "optional",
    "hasOptionalDependency": "optional",
    "hasProvidedDependency": "provided",
    "usesTool": "dev",
}
_DEV_LIFECYCLES = {"build", "development", "test", "design"}
_NO_VALUE = {"NOASSERTION", "NONE", ""}
_LISTED_LICENSE_PREFIXES = ("https://spdx.org/licenses/", "http://spdx.org/licenses/")
_NO_LICENSE_INDIVIDUALS = ("/Licensing/NoAssertion", "/Licensing/None", "NoAssertionLicense", "NoneLicense")


def _local_type(value: Any) -> str:
    """'software_Package' and '.../terms/Software/Package' -> 'Package'."""
    if not isinstance(value, str):
        return ""
    tail = value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return tail.split("_", 1)[1] if "_" in tail else tail


def _type(element: dict[str, Any]) -> str:
    """The element's local type name; JSON-LD allows `@type` where the SPDX context aliases it as `type`."""
    return _local_type(element.get("type") or element.get("@type"))


def _get(element: dict[str, Any], name: str, prefix: str = "software_") -> Any:
    """A property by its compact name with or without its profile prefix."""
    value = element.get(prefix + name)
    return value if value is not None else element.get(name)


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        ref = value.get("spdxId") or value.get("@id")
        return [ref] if isinstance(ref, str) else []
    if isinstance(value, list):
        return [ref for item in value for ref in _ids(item)]
    return []


def _element_id(element: dict[str, Any]) -> str | None:
    ref = element.get("spdxId") or element.get("@id")
    return ref if isinstance(ref, str) else None


class Spdx3JsonReader(Reader):
    format = "spdx3-json"
    filenames = ("*.spdx3.json", "*.spdx.jsonld", "*spdx3*.json")

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        return head.startswith((b"{", b"[")) and b'"@context"' in head and _CONTEXT_MARKER in head

    def read(self, source: InputFile) -> ReadResult:
        document = source.json()
        elements = self._elements(source, document)
        by_id: dict[str, dict[str, Any]] = {}
        for element in elements:
            ref = _element_id(element)
            if ref is not None:
                by_id.setdefault(ref, element)
        agents = {
            ref: e["name"] for ref, e in by_id.items() if _type(e) in _AGENT_TYPES and isinstance(e.get("name"), str)
        }
        declared: dict[str, list[str]] = {}
        concluded: dict[str, list[str]] = {}
        graph: dict[str, list[str]] = {}
        marks: dict[str, set[str | None]] = {}  # target -> scopes of the edges that reach it (None: required)
        described: list[str] = []
        for element in elements:
            kind = _type(element)
            if kind in _DOCUMENT_TYPES:
                described.extend(_ids(element.get("rootElement")))
            if kind not in ("Relationship", "LifecycleScopedRelationship"):
                continue
            relationship = element.get("relationshipType")
            origins, targets = _ids(element.get("from")), _ids(element.get("to"))
            if not origins or not isinstance(relationship, str):
                continue
            relationship = relationship.rsplit("/", 1)[-1]
            origin = origins[0]
            if relationship == "hasDeclaredLicense":
                declared.setdefault(origin, []).extend(targets)
            elif relationship == "hasConcludedLicense":
                concluded.setdefault(origin, []).extend(targets)
            elif relationship == "describes" and _type(by_id.get(origin, {})) in _DOCUMENT_TYPES:
                described.extend(targets)
            elif relationship in _EDGES:
                scope = _EDGES[relationship]
                lifecycle = element.get("scope")
                if scope is None and isinstance(lifecycle, str) and lifecycle.rsplit("/", 1)[-1] in _DEV_LIFECYCLES:
                    scope = "dev"
                children = graph.setdefault(origin, [])
                for target in targets:
                    children.append(target)
                    marks.setdefault(target, set()).add(scope)
        subjects = self._subjects(described, by_id, graph)
        lines = lines_of_values(source.data, b'"spdxId"')
        components: list[Component] = []
        for ref, element in by_id.items():
            if _type(element) not in _PACKAGE_TYPES or ref in subjects:
                continue
            component = self._component(element, ref, agents, by_id, declared, concluded, source.display, lines)
            if component is None:
                continue
            scopes = marks.get(ref, set())
            if scopes and None not in scopes:
                component.scope = "dev" if "dev" in scopes else sorted(s for s in scopes if s)[0]
            components.append(component)
        roots = [child for subject in sorted(subjects) for child in graph.get(subject, [])]
        return ReadResult(self.format, components, graph, roots)

    def _elements(self, source: InputFile, document: Any) -> list[dict[str, Any]]:
        if isinstance(document, dict):
            listed = document.get("@graph")
            if listed is None and "type" in document:
                listed = [document]
        elif isinstance(document, list):
            listed = document
        else:
            listed = None
        if not isinstance(listed, list):
            raise source.error("not an SPDX 3 JSON-LD document (no @graph array of elements)")
        return [element for element in listed if isinstance(element, dict)]

    def _subjects(
        self, described: list[str], by_id: dict[str, dict[str, Any]], graph: dict[str, list[str]]
    ) -> set[str]:
        """The described packages that have dependencies: the application, not one of its components."""
        subjects: set[str] = set()
        pending, seen = list(described), set()
        while pending:
            ref = pending.pop()
            if ref in seen:
                continue
            seen.add(ref)
            element = by_id.get(ref, {})
            if _type(element) in _DOCUMENT_TYPES:
                pending.extend(_ids(element.get("rootElement")))  # an Sbom inside the document
            elif graph.get(ref):
                subjects.add(ref)
        return subjects

    def _component(
        self,
        element: dict[str, Any],
        ref: str,
        agents: dict[str, str],
        by_id: dict[str, dict[str, Any]],
        declared: dict[str, list[str]],
        concluded: dict[str, list[str]],
        display: str,
        lines: dict[str, int],
    ) -> Component | None:
        name = element.get("name")
        if not isinstance(name, str) or not name:
            return None
        purl = _purl(element)
        version = _get(element, "packageVersion")
        suppliers = [agents[a] for a in _ids(element.get("suppliedBy")) if a in agents]
        suppliers += [
            agents[a] for a in _ids(element.get("originatedBy")) if a in agents and agents[a] not in suppliers
        ]
        licenses = _licenses(declared.get(ref, []), by_id)
        evidence = "declared"
        if not licenses:
            licenses, evidence = _licenses(concluded.get(ref, []), by_id), "concluded"
        component = Component(
            name=name,
            version=str(version) if isinstance(version, (str, int, float)) and str(version) else None,
            purl=purl,
            ecosystem=purls.ecosystem(purl) if purl else None,
            declared_licenses=licenses,
            suppliers=suppliers,
            repository=_repository(element),
            bom_ref=ref,
            sources=[Location(display, lines.get(ref))],
        )
        if licenses and evidence == "concluded":
            component.properties["license_evidence"] = "concluded"
        kind = _type(element)
        if kind != "Package":
            component.properties["spdx_type"] = kind
        purpose = _get(element, "primaryPurpose")
        if isinstance(purpose, str):
            component.properties["primary_purpose"] = purpose.rsplit("/", 1)[-1]
        return component


def _purl(element: dict[str, Any]) -> str | None:
    value = _get(element, "packageUrl")
    if isinstance(value, str) and value.startswith("pkg:"):
        return value
    identifiers = element.get("externalIdentifier")
    if isinstance(identifiers, list):
        for identifier in identifiers:
            if (
                isinstance(identifier, dict)
                and str(identifier.get("externalIdentifierType", "")).rsplit("/", 1)[-1] == "packageUrl"
                and isinstance(identifier.get("identifier"), str)
            ):
                return identifier["identifier"]
    return None


def _is_vcs(location: Any) -> bool:
    if not isinstance(location, str) or location.upper() in _NO_VALUE:
        return False
    lowered = location.lower()
    return lowered.startswith(("git+", "git://", "hg+", "svn+")) or "github.com/" in lowered or "gitlab.com/" in lowered


def _repository(element: dict[str, Any]) -> str | None:
    refs = element.get("externalRef")
    if isinstance(refs, list):
        for ref in refs:
            if not isinstance(ref, dict) or str(ref.get("externalRefType", "")).rsplit("/", 1)[-1] != "vcs":
                continue
            for locator in _ids(ref.get("locator")):
                return locator
    for name in ("downloadLocation", "sourceInfo"):
        location = _get(element, name)
        if _is_vcs(location):
            return location
    return None


def _licenses(targets: list[str], by_id: dict[str, dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for target in targets:
        expression = _license_expression(target, by_id, depth=0)
        if expression and expression.upper() not in _NO_VALUE and expression not in found:
            found.append(expression)
    return found


def _license_expression(ref: str, by_id: dict[str, dict[str, Any]], depth: int) -> str | None:
    """An SPDX licence expression for a licence element (or a listed licence's IRI)."""
    if depth > 32:
        return None
    element = by_id.get(ref)
    if element is None:
        if ref.startswith(_LISTED_LICENSE_PREFIXES):
            return ref.rsplit("/", 1)[-1]
        return None
    if ref.endswith(_NO_LICENSE_INDIVIDUALS):
        return None
    kind = _type(element)
    if kind == "LicenseExpression":
        value = _get(element, "licenseExpression", "simplelicensing_")
        return value.strip() if isinstance(value, str) else None
    if kind in ("ListedLicense", "ListedLicenseException"):
        return ref.rsplit("/", 1)[-1] if ref.startswith(_LISTED_LICENSE_PREFIXES) else _name(element)
    if kind in ("CustomLicense", "CustomLicenseAddition"):
        label = _name(element)
        return label if label is None or label.startswith("LicenseRef-") else f"LicenseRef-{label}"
    if kind in ("ConjunctiveLicenseSet", "DisjunctiveLicenseSet"):
        members = _ids(_get(element, "member", "expandedlicensing_"))
        parts = [p for m in members if (p := _license_expression(m, by_id, depth + 1))]
        joiner = " AND " if kind == "ConjunctiveLicenseSet" else " OR "
        return "(" + joiner.join(parts) + ")" if len(parts) > 1 else (parts[0] if parts else None)
    if kind == "OrLaterOperator":
        subjects = _ids(_get(element, "subjectLicense", "expandedlicensing_"))
        inner = _license_expression(subjects[0], by_id, depth + 1) if subjects else None
        return f"{inner}+" if inner else None
    if kind == "WithAdditionOperator":
        subjects = _ids(_get(element, "subjectExtendableLicense", "expandedlicensing_"))
        additions = _ids(_get(element, "subjectAddition", "expandedlicensing_"))
        inner = _license_expression(subjects[0], by_id, depth + 1) if subjects else None
        addition = _license_expression(additions[0], by_id, depth + 1) if additions else None
        return f"{inner} WITH {addition}" if inner and addition else inner
    return None


def _name(element: dict[str, Any]) -> str | None:
    value = element.get("name")
    if not isinstance(value, str) or not value.strip():
        value = _get(element, "licenseId", "expandedlicensing_")
    return value.strip() if isinstance(value, str) and value.strip() else None
