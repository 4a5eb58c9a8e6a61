"""Precision per rule shape: a seeded random sample of attributions checked against publishers' own pages.

The sample is drawn per shape (purl, purl_prefix, supplier, repository_owner,
image, action, provider, domain) from the attributions a scan makes over
tests/fixtures (always) and ../shared/corpus (skipped where absent), and
checked against tests/data/precision_expectations.toml, written from the
publishers' pages and not from vendor_db/. Run with `-s` to see the table.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

import pytest

from conftest import CORPUS, FIXTURES, ROOT
from depscan import _toml

SEED = "depscan-precision-1"
EXPECTATIONS = _toml.loads((ROOT / "tests" / "data" / "precision_expectations.toml").read_text())
KNOWN_WRONG: dict[str, str] = EXPECTATIONS.pop("known_wrong")
#: evidence prefix -> rule shape (the longest prefix wins: "purl prefix" before "purl")
SHAPES = {
    "purl ": "purl",
    "purl prefix ": "purl_prefix",
    "supplier ": "supplier",
    "repository owner ": "repository_owner",
    "container image ": "image",
    "container registry ": "image",
    "github action owner ": "action",
    "terraform provider ": "provider",
    "domain ": "domain",
}
ALL_SHAPES = ("purl", "purl_prefix", "supplier", "repository_owner", "image", "action", "provider", "domain")


def _shape(evidence: str) -> str | None:
    prefixes = [p for p in SHAPES if evidence.startswith(p)]
    return SHAPES[max(prefixes, key=len)] if prefixes else None


def _identifier(component: dict[str, Any]) -> str:
    purl = component.get("purl")
    if not purl:
        return str(component["name"])
    base = purl.split("?", 1)[0].split("#", 1)[0]
    at = base.rfind("@")
    return base[:at] if at > base.rfind("/") else base


def draw(components: list[dict[str, Any]], size: int) -> dict[str, list[tuple[str, str, str]]]:
    """Per shape, the `size` attributions with the lowest seeded hash: (identifier, vendor id, evidence)."""
    population: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    for component in components:
        vendor = component.get("vendor")
        shape = _shape(vendor["evidence"]) if vendor else None
        if vendor and shape:
            population[shape][_identifier(component)] = (vendor["id"], vendor["evidence"])
    sample: dict[str, list[tuple[str, str, str]]] = {}
    for shape, items in population.items():
        chosen = sorted(items, key=lambda i: hashlib.sha256(f"{SEED}:{i}".encode()).hexdigest())[:size]
        sample[shape] = [(i, *items[i]) for i in chosen]
    return sample


def _expected(identifier: str) -> list[str] | None:
    for table in EXPECTATIONS.values():
        if identifier in table:
            value = table[identifier]
            return [value] if isinstance(value, str) else list(value)
    return None


def check(sample: dict[str, list[tuple[str, str, str]]], label: str) -> None:
    lines = [f"precision over {label} (seed {SEED}):"]
    unexpected: list[str] = []
    fixed: list[str] = []
    for shape in ALL_SHAPES:
        drawn = sample.get(shape, [])
        right = wrong = unreviewed = 0
        for identifier, vendor_id, evidence in drawn:
            expected = _expected(identifier)
            if identifier in KNOWN_WRONG:
                if vendor_id != KNOWN_WRONG[identifier].split(":", 1)[0]:
                    fixed.append(identifier)  # no longer the recorded wrong vendor
                wrong += 1
            elif expected is None:
                unreviewed += 1
            elif vendor_id in expected:
                right += 1
            else:
                wrong += 1
                unexpected.append(f"{shape}: {identifier} -> {vendor_id} ({evidence}); expected {expected}")
        reviewed = right + wrong
        share = f"{right} of {reviewed} ({100 * right / reviewed:.0f}%)" if reviewed else "none reviewed"
        lines.append(f"  {shape:<17} {share}, {unreviewed} drawn but not reviewed")
        if drawn and reviewed * 2 < len(drawn):
            unexpected.append(f"{shape}: only {reviewed} of {len(drawn)} drawn attributions have an expectation")
    print("\n".join(lines))
    assert not unexpected, "\n".join(unexpected)
    assert not fixed, f"fixed, move them out of [known_wrong]: {fixed}"


@pytest.fixture(scope="module")
def fixture_components(tmp_path_factory) -> list[dict[str, Any]]:
    from conftest import run_cli

    run = run_cli("scan", str(FIXTURES), "--no-installed", "--format", "json", "--fail-on", "none")
    return list(run.json()["components"])


def test_precision_over_fixtures(fixture_components):
    check(draw(fixture_components, 4), "tests/fixtures")


def test_precision_over_the_corpus():
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not available")
    from conftest import run_cli

    run = run_cli("scan", str(CORPUS), "--no-installed", "--format", "json", "--fail-on", "none")
    check(draw(list(run.json()["components"]), 25), "../shared/corpus")


def test_the_draw_is_seeded_and_stable_as_the_population_grows():
    components = [
        {"name": f"p{i}", "purl": f"pkg:pypi/p{i}@1.0", "vendor": {"id": "x", "evidence": "purl pkg:pypi/p"}}
        for i in range(50)
    ]
    first = draw(components, 5)["purl"]
    assert first == draw(list(reversed(components)), 5)["purl"]  # order of the scan does not matter
    grown = draw([*components, {**components[0], "name": "new", "purl": "pkg:pypi/zz-new@1"}], 5)["purl"]
    assert len(set(first) & set(grown)) >= 4  # one new attribution displaces at most one drawn one


def test_a_wrong_attribution_fails_the_check():
    sample = {"purl": [("pkg:pypi/ruff", "someone-else", "purl pkg:pypi/ruff")]}
    with pytest.raises(AssertionError, match="ruff"):
        check(sample, "a hand-made sample")
