"""ClearlyDefined: `GET <base>/definitions/<type>/<provider>/<namespace>/<name>/<revision>`.

Curated and scanned licence data for many ecosystems. `licensed.declared` is
an SPDX expression ("NOASSERTION" or "OTHER" when none could be stated); an
unharvested definition answers 200 with nothing in it, which is "unknown",
not "no licence". `described.sourceLocation` is used as the repository only
when it points at a code host (it may also be a registry page or a sources jar).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from depscan import purls
from depscan.enrich.facts import Facts, repository_url
from depscan.enrich.source import Source, release_of, text
from depscan.model import Component

_COORDINATES = {
    "pypi": ("pypi", "pypi"),
    "npm": ("npm", "npmjs"),
    "maven": ("maven", "mavencentral"),
    "cargo": ("crate", "cratesio"),
    "golang": ("go", "golang"),
    "gem": ("gem", "rubygems"),
    "nuget": ("nuget", "nuget"),
    "composer": ("composer", "packagist"),
}
_NOT_A_LICENSE = {"NOASSERTION", "OTHER", "NONE"}


class ClearlyDefinedSource(Source):
    name = "clearlydefined"
    label = "ClearlyDefined"
    default_url = "https://api.clearlydefined.io"
    url_variable = "DEPSCAN_CLEARLYDEFINED_URL"

    def path(self, component: Component) -> str | None:
        release = release_of(component)
        if release is None or release.ecosystem not in _COORDINATES:
            return None
        ecosystem, namespace, name, version = release
        if ecosystem == "pypi":
            name = purls.pypi_name(name)
        kind, provider = _COORDINATES[ecosystem]
        space = quote(namespace, safe="@") if namespace else "-"  # a Go namespace keeps its slashes encoded
        return f"/definitions/{kind}/{provider}/{space}/{quote(name, safe='')}/{quote(version, safe='')}"

    def parse(self, document: Any, url: str) -> Facts:
        if not isinstance(document, dict):
            return self.facts(url)
        licensed = document.get("licensed")
        declared = text(licensed.get("declared")) if isinstance(licensed, dict) else None
        described = document.get("described")
        location = described.get("sourceLocation") if isinstance(described, dict) else None
        repository = None
        if isinstance(location, dict) and location.get("provider") in ("github", "gitlab", "bitbucket"):
            repository = repository_url(text(location.get("url")))
        licenses = (declared,) if declared and declared.upper() not in _NOT_A_LICENSE else ()
        return self.facts(url, licenses=licenses, repository=repository)


SOURCE = ClearlyDefinedSource()
