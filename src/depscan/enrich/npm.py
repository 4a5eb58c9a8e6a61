"""The npm registry: `GET <base>/<name>/<version>` (base https://registry.npmjs.org).

The version document is the published package.json plus registry fields, so
it is read exactly as an installed one: `license` (or the legacy `licenses`),
`author`, `repository` (or a code-hosting `homepage`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from depscan.enrich.facts import Facts
from depscan.enrich.installed.node import npm_licenses, npm_people, npm_repository
from depscan.enrich.source import Source, release_of
from depscan.model import Component


class NpmSource(Source):
    name = "npm"
    label = "registry (npm)"
    default_url = "https://registry.npmjs.org"
    url_variable = "DEPSCAN_NPM_URL"

    def path(self, component: Component) -> str | None:
        release = release_of(component)
        if release is None or release.ecosystem != "npm":
            return None
        _, scope, name, version = release
        full = f"{scope}/{name}" if scope else name
        return f"/{quote(full, safe='@')}/{quote(version, safe='')}"  # '@scope%2Fname', as the registry wants

    def parse(self, document: Any, url: str) -> Facts:
        if not isinstance(document, dict):
            return self.facts(url)
        return self.facts(
            url,
            licenses=npm_licenses(document),
            suppliers=npm_people(document.get("author")),
            repository=npm_repository(document),
        )


SOURCE = NpmSource()
