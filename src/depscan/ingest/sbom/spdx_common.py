"""What SPDX 2.x JSON, YAML and tag-value share once parsed: packages and relationships to components."""

from __future__ import annotations

from typing import Any

from depscan import purls
from depscan.ingest.base import InputFile, ReadResult, type_name
from depscan.model import Component, Location

_FORWARD = {"DEPENDS_ON", "CONTAINS", "DYNAMIC_LINK", "STATIC_LINK", "HAS_PREREQUISITE", "DEPENDENCY_MANIFEST_OF"}
_REVERSE = {
    "DEPENDENCY_OF",
    "DEV_DEPENDENCY_OF",
    "BUILD_DEPENDENCY_OF",
    "TEST_DEPENDENCY_OF",
    "RUNTIME_DEPENDENCY_OF",
    "OPTIONAL_DEPENDENCY_OF",
    "PROVIDED_DEPENDENCY_OF",
    "CONTAINED_BY",
    "PREREQUISITE_FOR",
    "BUILD_TOOL_OF",
    "DEV_TOOL_OF",
    "TEST_TOOL_OF",
}
_DEV = {
    "DEV_DEPENDENCY_OF",
    "TEST_DEPENDENCY_OF",
    "BUILD_DEPENDENCY_OF",
    "DEV_TOOL_OF",
    "TEST_TOOL_OF",
    "BUILD_TOOL_OF",
}
_NO_VALUE = {"NOASSERTION", "NONE", ""}


def party_name(value: Any) -> str | None:
    """'Organization: Google LLC (email)' -> 'Google LLC'."""
    if not isinstance(value, str) or value.strip().upper() in _NO_VALUE:
        return None
    text = value.strip()
    for marker in ("Organization:", "Person:", "Tool:"):
        if text.startswith(marker):
            text = text[len(marker) :].strip()
    text = text.split(" (", 1)[0].strip()
    return text or None


def _purl(package: dict[str, Any]) -> str | None:
    refs = package.get("externalRefs")
    if not isinstance(refs, list):
        return None
    for ref in refs:
        if (
            isinstance(ref, dict)
            and ref.get("referenceType") == "purl"
            and isinstance(ref.get("referenceLocator"), str)
        ):
            return ref["referenceLocator"]
    return None


def _repository(location: Any) -> str | None:
    if not isinstance(location, str) or location.upper() in _NO_VALUE:
        return None
    lowered = location.lower()
    if lowered.startswith(("git+", "git://", "hg+", "svn+")) or "github.com/" in lowered or "gitlab.com/" in lowered:
        return location
    return None


def is_spdx2(document: Any) -> bool:
    """Whether a parsed JSON or YAML document is SPDX 2.x (its `spdxVersion` says so)."""
    return isinstance(document, dict) and str(document.get("spdxVersion", "")).startswith("SPDX-2.")


def document_parts(
    source: InputFile, document: Any, syntax: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """The packages, relationships and described ids of an SPDX 2.x document in JSON or YAML syntax (one model)."""
    if not is_spdx2(document):
        raise source.error(f"not an SPDX 2.x {syntax} document (no spdxVersion SPDX-2.x)")
    packages = source.list_at(document, "packages")
    relationships = source.list_at(document, "relationships")
    described = source.list_at(document, "documentDescribes")
    for package in packages:
        if not isinstance(package, dict):
            source.skip("a package", package)
        elif not isinstance(package.get("name"), str) or not package.get("name"):
            source.warn(f"a package without a usable name (name is {type_name(package.get('name'))}): not used")
    return packages, relationships, [d for d in described if isinstance(d, str)]


def build_result(
    format_name: str,
    display: str,
    packages: list[dict[str, Any]],
    relationships: list[dict[str, Any]],
    described: list[str],
    lines: dict[str, int],
) -> ReadResult:
    graph: dict[str, list[str]] = {}
    dev: set[str] = set()
    for relation in relationships:
        if not isinstance(relation, dict):
            continue
        kind = str(relation.get("relationshipType", "")).upper()
        a, b = relation.get("spdxElementId"), relation.get("relatedSpdxElement")
        if not isinstance(a, str) or not isinstance(b, str):
            continue
        if kind == "DESCRIBES" and a == "SPDXRef-DOCUMENT":
            described.append(b)
        elif kind == "DESCRIBED_BY" and b == "SPDXRef-DOCUMENT":
            described.append(a)
        elif kind in _FORWARD:
            graph.setdefault(a, []).append(b)
        elif kind in _REVERSE:
            graph.setdefault(b, []).append(a)
            if kind in _DEV:
                dev.add(a)
    subjects = {d for d in described if graph.get(d)}
    components: list[Component] = []
    for package in packages:
        if not isinstance(package, dict):
            continue
        spdx_id = package.get("SPDXID")
        name = package.get("name")
        if not isinstance(name, str) or not name or spdx_id in subjects:
            continue
        purl = _purl(package)
        declared = package.get("licenseDeclared")
        concluded = package.get("licenseConcluded")
        licenses, evidence = [], "declared"
        if isinstance(declared, str) and declared.upper() not in _NO_VALUE:
            licenses = [declared]
        elif isinstance(concluded, str) and concluded.upper() not in _NO_VALUE:
            licenses, evidence = [concluded], "concluded"
        suppliers = [n for n in (party_name(package.get("supplier")), party_name(package.get("originator"))) if n]
        version = package.get("versionInfo")
        component = Component(
            name=name,
            version=str(version) if version not in (None, "") else None,
            purl=purl,
            ecosystem=purls.ecosystem(purl) if purl else None,
            declared_licenses=licenses,
            suppliers=suppliers,
            repository=_repository(package.get("downloadLocation")),
            bom_ref=spdx_id if isinstance(spdx_id, str) else None,
            sources=[Location(display, lines.get(spdx_id) if isinstance(spdx_id, str) else None)],
        )
        if evidence == "concluded":
            component.properties["license_evidence"] = "concluded"
        if spdx_id in dev:
            component.scope = "dev"
        components.append(component)
    roots = [child for subject in sorted(subjects) for child in graph.get(subject, [])]
    return ReadResult(format_name, components, graph, roots)
