"""Opt-in checks against the live registries (`pytest -m live`): two look-ups, no crawling.

Skipped by default, and in CI: they need the network and the registries' good will.
"""

from __future__ import annotations

import pytest

from depscan.enrich import npm, pypi
from depscan.enrich.http import Fetcher
from depscan.model import Component

pytestmark = pytest.mark.live


@pytest.fixture(autouse=True)
def _only_when_asked(request: pytest.FixtureRequest) -> None:
    if "live" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("live registry test: run with -m live")


@pytest.mark.parametrize(
    ("source", "purl", "licence", "repository"),
    [
        (pypi.SOURCE, "pkg:pypi/requests@2.32.3", "Apache-2.0", "https://github.com/psf/requests"),
        (npm.SOURCE, "pkg:npm/express@4.21.2", "MIT", "https://github.com/expressjs/express"),
    ],
)
def test_live_registry_answer(
    source: pypi.PypiSource | npm.NpmSource, purl: str, licence: str, repository: str
) -> None:
    component = Component(name=purl.rsplit("/", 1)[1].split("@")[0], purl=purl)
    path = source.path(component)
    assert path is not None
    url = source.base_url() + path
    facts = source.parse(Fetcher().get_json(source.name, url), url)
    assert licence in " ".join(facts.licenses)
    assert facts.repository == repository
