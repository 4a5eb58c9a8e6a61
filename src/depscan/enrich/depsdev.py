"""deps.dev (Open Source Insights) API v3: `GET <base>/systems/<S>/packages/<name>/versions/<version>`.

Covers PyPI, npm, Maven, Go, Cargo, NuGet and RubyGems. `licenses` are SPDX
expressions as deps.dev normalised them ("non-standard" when it could not);
the source repository is the `SOURCE_REPO` link or related project. deps.dev
says nothing of publishers.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from depscan import purls
from depscan.enrich.facts import Facts, repository_url
from depscan.enrich.source import Source, release_of, strings, text
from depscan.model import Component

_SYSTEMS = {
    "pypi": "pypi",
    "npm": "npm",
    "maven": "maven",
    "golang": "go",
    "cargo": "cargo",
    "nuget": "nuget",
    "gem": "rubygems",
}
_NOT_A_LICENSE = {"non-standard", "noassertion", "unknown"}


class DepsDevSource(Source):
    name = "depsdev"
    label = "deps.dev"
    default_url = "https://api.deps.dev/v3"
    url_variable = "DEPSCAN_DEPSDEV_URL"

    def path(self, component: Component) -> str | None:
        release = release_of(component)
        if release is None or release.ecosystem not in _SYSTEMS:
            return None
        ecosystem, namespace, name, version = release
        if ecosystem == "maven":
            if not namespace:
                return None
            package = f"{namespace}:{name}"
        elif ecosystem == "pypi":
            package = purls.pypi_name(name)
        else:
            package = f"{namespace}/{name}" if namespace else name
        return f"/systems/{_SYSTEMS[ecosystem]}/packages/{quote(package, safe='')}/versions/{quote(version, safe='')}"

    def parse(self, document: Any, url: str) -> Facts:
        if not isinstance(document, dict):
            return self.facts(url)
        declared = tuple(v for v in strings(document.get("licenses")) if v.lower() not in _NOT_A_LICENSE)
        return self.facts(url, licenses=declared, repository=_source_repository(document))


def _source_repository(document: dict[str, Any]) -> str | None:
    links = document.get("links")
    for link in links if isinstance(links, list) else ():
        if isinstance(link, dict) and link.get("label") == "SOURCE_REPO":
            found = repository_url(text(link.get("url")))
            if found:
                return found
    related = document.get("relatedProjects")
    for project in related if isinstance(related, list) else ():
        if not isinstance(project, dict) or project.get("relationType") != "SOURCE_REPO":
            continue
        key = project.get("projectKey")
        identifier = text(key.get("id")) if isinstance(key, dict) else None
        found = repository_url(f"https://{identifier}") if identifier else None
        if found:
            return found
    return None


SOURCE = DepsDevSource()
