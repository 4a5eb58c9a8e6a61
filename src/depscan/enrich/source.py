"""The one interface every online source implements.

A source turns a component into a path under its base URL (or None when it
cannot answer for that ecosystem) and turns the JSON answer into `Facts`.
The cache key is the source name plus that path, so answers survive a change
of base URL (a mirror, a proxy, a test server).
"""

from __future__ import annotations

import os
from typing import Any, ClassVar, NamedTuple

from depscan import purls
from depscan.enrich.facts import Facts
from depscan.model import Component


class Release(NamedTuple):
    """What a look-up by version needs of a purl: its type (ecosystem), namespace, name and version."""

    ecosystem: str  # "" when the purl has no type
    namespace: str | None
    name: str
    version: str


def release_of(component: Component) -> Release | None:
    """The released version the component's purl names; None without a purl, a name or a version."""
    if not component.purl:
        return None
    namespace, name = purls.name_parts(component.purl)
    _, version = purls.split(component.purl)
    if not name or not version:
        return None
    return Release(purls.ecosystem(component.purl) or "", namespace, name, version)


class Source:
    name: ClassVar[str]  # short id: "pypi", "npm", "depsdev", "clearlydefined"
    label: ClassVar[str]  # how evidence names it: "registry (pypi)"
    default_url: ClassVar[str]
    url_variable: ClassVar[str]  # environment variable that overrides the base URL

    def base_url(self) -> str:
        return (os.environ.get(self.url_variable) or self.default_url).rstrip("/")

    def path(self, component: Component) -> str | None:
        """The look-up path for this component (starting with '/'), or None when out of scope."""
        raise NotImplementedError

    def fallback_path(self, component: Component) -> str | None:
        """A second path to try when the first answers "not found" (e.g. a mirror without per-version pages)."""
        return None

    def describes(self, document: Any, component: Component) -> bool:
        """Whether an answer from the fallback path is about the component's version."""
        return True

    def parse(self, document: Any, url: str) -> Facts:
        """What the answer says; never raises on an unexpected shape (it returns empty facts)."""
        raise NotImplementedError

    def facts(self, url: str, **fields: Any) -> Facts:
        return Facts(source=self.label, location=url, **fields)


def strings(value: Any) -> list[str]:
    """The non-empty strings of a JSON value that should be a list of strings."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return []


def text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
