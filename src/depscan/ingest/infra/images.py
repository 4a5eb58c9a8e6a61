"""Container image references, as every infrastructure reader meets them, turned into components.

A reference is `[registry/]path[:tag][@digest]` (the grammar of
distribution/reference). Docker Hub is the registry when the first path
segment is not a host (no dot, no port, not `localhost`), and its official
images live under `library/`. The purl follows the purl spec's `docker`
type: namespace and name from the path, the tag or digest as version, and
`repository_url` for any registry other than Docker Hub.

Kind: an image that runs the application (role `runtime`: compose services,
Helm values, Kubernetes workloads) is runtime `infrastructure`; every other
image (Dockerfile `FROM`, build stages, CI job images) is the build chain,
`tooling`. An image is code the operator runs on hosts of its choosing, so
its level is judged like code (policy.levels), and it belongs to the
publisher of its namespace, never to the registry that serves it: the
registry is a `registry` component of its own (resolve.registries). Where the
image is used is kept in `properties["role"]` (`runtime`, `runtime-base`,
`build-stage`, `ci-image`...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from depscan import purls
from depscan.ingest.base import ReadResult
from depscan.model import Component, Location

DOCKER_HUB = "docker.io"
_DOCKER_HUB_ALIASES = {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}
_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[A-Fa-f0-9]{32,}$")
_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_HOST = re.compile(rf"^(?:localhost|{_HOST_LABEL}(?:\.{_HOST_LABEL})*)(?::\d+)?$")


@dataclass(frozen=True, slots=True)
class ImageReference:
    """A parsed image reference. `registry` is None when the reference names none (Docker Hub)."""

    written: str
    registry: str | None
    path: str
    tag: str | None
    digest: str | None

    @property
    def canonical_registry(self) -> str:
        if self.registry is None or self.registry.lower() in _DOCKER_HUB_ALIASES:
            return DOCKER_HUB
        return self.registry.lower()

    @property
    def on_docker_hub(self) -> bool:
        return self.canonical_registry == DOCKER_HUB

    @property
    def short_name(self) -> str:
        """How people write it: `postgres`, `bitnami/redis`, `mcr.microsoft.com/dotnet/sdk`."""
        if self.on_docker_hub:
            return self.path.removeprefix("library/")
        return f"{self.canonical_registry}/{self.path}"

    @property
    def version(self) -> str | None:
        """The digest when pinned by digest (it is what gets pulled), else the tag."""
        return self.digest or self.tag

    def purl(self, platform: str | None = None) -> str:
        return _docker_purl(self.canonical_registry, self.path, self.version, platform)


@lru_cache(maxsize=4096)
def _docker_purl(registry: str, path: str, version: str | None, platform: str | None) -> str:
    """The purl spec's docker type; cached, as manifests repeat the same images many times."""
    if registry == DOCKER_HUB:
        path = path.removeprefix("library/")
    namespace, _, name = path.rpartition("/")
    qualifiers: dict[str, str] = {}
    if registry != DOCKER_HUB:
        qualifiers["repository_url"] = registry
    if platform:
        qualifiers["platform"] = platform
    return purls.build("docker", name, version, namespace=namespace or None, qualifiers=qualifiers)


def parse_image(reference: str) -> ImageReference | None:
    """Parse `reference`; None when it is not a literal image reference (variables, templates, typos)."""
    written = reference.strip()
    if not written or any(c in written for c in " \t$%{}'\"\\"):
        return None
    remainder, _, digest = written.partition("@")
    if digest and not _DIGEST.match(digest):
        return None
    first, slash, rest = remainder.partition("/")
    registry: str | None = None
    if slash and ("." in first or ":" in first or first == "localhost"):
        if not _HOST.match(first):
            return None
        registry, remainder = first, rest
    last_slash = remainder.rfind("/")
    colon = remainder.rfind(":")
    tag: str | None = None
    if colon > last_slash:
        remainder, tag = remainder[:colon], remainder[colon + 1 :]
        if not _TAG.match(tag):
            return None
    path = remainder
    if not path or not all(_PATH_COMPONENT.match(part) for part in path.split("/")):
        return None
    if (registry is None or registry.lower() in _DOCKER_HUB_ALIASES) and "/" not in path:
        path = f"library/{path}"
    return ImageReference(written, registry, path, tag or None, digest or None)


def image_component(
    image: ImageReference,
    display: str,
    line: int | None,
    role: str,
    platform: str | None = None,
    note: str | None = None,
) -> Component:
    """The component for one use of an image; `note` is a comment written beside it (often the tag)."""
    component = Component(
        name=image.short_name,
        version=image.version,
        purl=image.purl(platform),
        ecosystem="docker",
        kind=kind_for_role(role),
        image=image.written,
        sources=[Location(display, line)],
        properties={"role": role},
    )
    if image.digest and image.tag:
        component.properties["tag"] = image.tag
    if platform:
        component.properties["platform"] = platform
    if note:
        component.properties["comment"] = note
    return component


#: the roles that say an image runs the application; they win when one image plays several roles in a file
_ROLE_PRECEDENCE = ("runtime", "runtime-base")


def kind_for_role(role: str | None) -> str:
    """Runtime images are infrastructure the application runs on; the others are its build chain."""
    return "infrastructure" if role == "runtime" else "tooling"


class ComponentSet:
    """Components of one file, one per identity, every place it was found kept.

    A workflow that checks out the code in twenty jobs depends on one action,
    not twenty; the twenty lines stay in `sources`.
    """

    def __init__(self) -> None:
        self._by_id: dict[str, Component] = {}
        self._locations: dict[str, set[Location]] = {}

    def add(self, component: Component) -> Component:
        key = component.id
        existing = self._by_id.get(key)
        if existing is None:
            component.bom_ref = component.bom_ref or key
            self._by_id[key] = component
            self._locations[key] = set(component.sources)
            return component
        seen = self._locations[key]
        for location in component.sources:
            if location not in seen:
                seen.add(location)
                existing.sources.append(location)
        role = component.properties.get("role")
        if role in _ROLE_PRECEDENCE and existing.properties.get("role") not in _ROLE_PRECEDENCE:
            existing.properties["role"] = role
            if existing.ecosystem == "docker":
                existing.kind = kind_for_role(str(role))
        for key_, value in component.properties.items():
            existing.properties.setdefault(key_, value)
        return existing

    def components(self) -> list[Component]:
        """In the order they appear in the file (first place each was found)."""
        return sorted(self._by_id.values(), key=lambda c: (c.sources[0].line or 0, c.id) if c.sources else (0, c.id))

    def result(self, format_name: str) -> ReadResult:
        """The file's read result: these files name what they pull themselves, so every component is direct."""
        components = self.components()
        return ReadResult(format_name, components, roots=[c.bom_ref or "" for c in components])

    def __len__(self) -> int:
        return len(self._by_id)


def comment_after(lines: list[str], line: int | None) -> str | None:
    """The comment at the end of a YAML line (`image: x@sha256:... # 14.15`), if any."""
    if line is None or not 0 < line <= len(lines):
        return None
    text = lines[line - 1]
    marker = text.find(" #")
    if marker == -1:
        return None
    comment = text[marker + 2 :].strip()
    return comment[:100] or None


def without_unresolved_tag(
    source: Any, reference: str, marker: str, line: int | None, shown: str | None = None
) -> str | None:
    """`reference` without its tag when only the tag holds an unresolved variable (`grafana/loki:${VERSION}`):
    the image is kept, with an unknown version, and a warning says so. None, after a warning, when the name
    itself is unresolved."""
    shown = shown or reference
    digestless = reference.split("@", 1)[0]
    name, colon, tag = digestless.rpartition(":")
    if colon and "/" not in tag and marker in tag and marker not in name:
        source.warn(f"image {shown!r}: tag not resolved (a variable without a value): version unknown", line)
        return name
    source.warn(f"image {shown!r}: name not resolved (a variable without a value): not used", line)
    return None
