"""PyPI's JSON API: `GET <base>/<name>/<version>/json` (base https://pypi.org/pypi).

The answer's `info` holds the release's core metadata, the same fields as an
installed METADATA file, so the same choices apply: PEP 639
`license_expression`, else `license` when it names a licence, else the trove
classifiers; Author and Maintainer; `project_urls` and `home_page`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from packaging.version import InvalidVersion, Version

from depscan import purls
from depscan.enrich.facts import Facts, people
from depscan.enrich.installed.python import choose_licenses, choose_repository
from depscan.enrich.source import Source, release_of, strings, text
from depscan.model import Component


class PypiSource(Source):
    name = "pypi"
    label = "registry (pypi)"
    default_url = "https://pypi.org/pypi"
    url_variable = "DEPSCAN_PYPI_URL"

    def path(self, component: Component) -> str | None:
        release = release_of(component)
        if release is None or release.ecosystem != "pypi":
            return None
        return f"/{quote(purls.pypi_name(release.name), safe='')}/{quote(release.version, safe='')}/json"

    def fallback_path(self, component: Component) -> str | None:
        """The project page, whose `info` is the latest release's: usable only when that is the version wanted.

        Some mirrors and proxies serve `/<name>/json` but not `/<name>/<version>/json`.
        """
        if not component.purl:
            return None
        _, name = purls.name_parts(component.purl)
        return f"/{quote(purls.pypi_name(name), safe='')}/json" if name else None

    def describes(self, document: Any, component: Component) -> bool:
        info = document.get("info") if isinstance(document, dict) else None
        latest = text(info.get("version")) if isinstance(info, dict) else None
        _, wanted = purls.split(component.purl or "")
        return bool(latest and wanted and _same_version(latest, wanted))

    def parse(self, document: Any, url: str) -> Facts:
        info = document.get("info") if isinstance(document, dict) else None
        if not isinstance(info, dict):
            return self.facts(url)
        classifiers = [c for c in strings(info.get("classifiers")) if c.lower().startswith("license ::")]
        declared, note = choose_licenses(text(info.get("license_expression")), text(info.get("license")), classifiers)
        project_urls = info.get("project_urls")
        pairs = (
            [(str(k), v) for k, v in project_urls.items() if isinstance(v, str)]
            if isinstance(project_urls, dict)
            else []
        )
        return self.facts(
            url,
            licenses=declared,
            suppliers=people(
                text(info.get("author")),
                text(info.get("author_email")),
                text(info.get("maintainer")),
                text(info.get("maintainer_email")),
            ),
            repository=choose_repository(pairs, text(info.get("home_page"))),
            notes=(note,) if note and note != "vague" else (),
        )


def _same_version(left: str, right: str) -> bool:
    try:
        return Version(left) == Version(right)
    except InvalidVersion:
        return left == right


SOURCE = PypiSource()
