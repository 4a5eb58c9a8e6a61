"""The local Maven repository (`~/.m2/repository`): licences, organisation and SCM from POMs.

A released artifact's POM sits at `<repo>/<group path>/<artifact>/<version>/<artifact>-<version>.pom`.
Licences, organisation and SCM are often declared once in a parent POM, so the
parent chain is followed through the same repository (a few levels at most).
POMs are untrusted XML: parsed by defusedxml with DTDs and entities refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from depscan import purls
from depscan.enrich.facts import SOURCE_INSTALLED, Facts, people, repository_url

_MAX_POM_BYTES = 4 * 1024 * 1024
_MAX_PARENTS = 5


def default_root() -> Path:
    return Path.home() / ".m2" / "repository"


@dataclass
class _Pom:
    licenses: list[str] = field(default_factory=list)
    organization: str | None = None
    developers: list[str] = field(default_factory=list)
    scm: str | None = None
    url: str | None = None
    parent: tuple[str, str, str] | None = None


def pom_path(root: Path, group: str, artifact: str, version: str) -> Path | None:
    parts = [*group.split("."), artifact, version]
    if any(not p or p in (".", "..") or "/" in p or os.sep in p for p in parts):
        return None
    return root.joinpath(*parts, f"{artifact}-{version}.pom")


def lookup(root: Path, purl: str) -> Facts | None:
    group, artifact = purls.name_parts(purl)
    _, version = purls.split(purl)
    if not group or not artifact or not version:
        return None
    first = pom_path(root, group, artifact, version)
    if first is None or not first.is_file():
        return None
    merged = _Pom()
    current: Path | None = first
    for _ in range(_MAX_PARENTS + 1):
        if current is None:
            break
        pom = _read(current)
        if pom is None:
            break
        merged.licenses = merged.licenses or pom.licenses
        merged.organization = merged.organization or pom.organization
        merged.developers = merged.developers or pom.developers
        merged.scm = merged.scm or pom.scm
        merged.url = merged.url or pom.url
        if merged.licenses and (merged.organization or merged.developers) and merged.scm:
            break
        current = pom_path(root, *pom.parent) if pom.parent else None
        if current is not None and not current.is_file():
            current = None
    suppliers = people(merged.organization) or people(*merged.developers)
    repository = repository_url(merged.scm) or repository_url(merged.url)
    if not (merged.licenses or suppliers or repository):
        return None
    return Facts(
        source=SOURCE_INSTALLED,
        location=str(first),
        licenses=tuple(merged.licenses),
        suppliers=suppliers,
        repository=repository,
    )


def _read(path: Path) -> _Pom | None:
    try:
        if path.stat().st_size > _MAX_POM_BYTES:
            return None
        root = fromstring(path.read_bytes(), forbid_dtd=True)
    except (OSError, ParseError, DefusedXmlException, ValueError):
        return None
    project = _children(root)
    pom = _Pom()
    for licence in _children(project.get("licenses")).get_all("license"):
        fields = _children(licence)
        name = _text(fields.get("name")) or _text(fields.get("url"))
        if name and name not in pom.licenses:
            pom.licenses.append(name)
    pom.organization = _text(_children(project.get("organization")).get("name"))
    for developer in _children(project.get("developers")).get_all("developer")[:5]:
        fields = _children(developer)
        name = _text(fields.get("organization")) or _text(fields.get("name"))
        if name and name not in pom.developers:
            pom.developers.append(name)
    scm = _children(project.get("scm"))
    pom.scm = _text(scm.get("url")) or _text(scm.get("connection"))
    pom.url = _text(project.get("url"))
    parent = _children(project.get("parent"))
    coordinates = tuple(_text(parent.get(k)) for k in ("groupId", "artifactId", "version"))
    if all(coordinates):
        pom.parent = coordinates  # type: ignore[assignment]
    return pom


class _Children:
    """Child elements by local name (POMs may or may not use the Maven namespace)."""

    def __init__(self, element: Any) -> None:
        self._by_name: dict[str, list[Any]] = {}
        if element is not None:
            for child in element:
                tag = child.tag if isinstance(child.tag, str) else ""
                self._by_name.setdefault(tag.rsplit("}", 1)[-1], []).append(child)

    def get(self, name: str) -> Any:
        found = self._by_name.get(name)
        return found[0] if found else None

    def get_all(self, name: str) -> list[Any]:
        return self._by_name.get(name, [])


def _children(element: Any) -> _Children:
    return _Children(element)


def _text(element: Any) -> str | None:
    """An element's text, or None when absent, empty or an unresolved ${property}."""
    if element is None or element.text is None:
        return None
    text = " ".join(element.text.split())
    return text if text and "${" not in text else None
