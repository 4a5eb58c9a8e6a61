"""Installed npm packages: every `package.json` at a package root under `node_modules`.

Only package roots count (`node_modules/<name>` and `node_modules/@scope/<name>`,
recursively through nested `node_modules`, and pnpm's `node_modules/.pnpm`
store): the `package.json` files inside a package's own folders (`dist/cjs/…`)
describe nothing. Symbolic links are followed once (pnpm links every
package), with a guard against cycles.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from depscan import purls
from depscan.enrich.facts import SOURCE_INSTALLED, Facts, people, repository_url
from depscan.ingest.javascript.npm_manifest import read_manifest

_MAX_MANIFEST_BYTES = 1024 * 1024
_MAX_DEPTH = 32


def read_node_modules(root: Path) -> Iterator[tuple[str, str, Facts]]:
    """(purl base, version, facts) for every package installed under the `node_modules` folder `root`."""
    seen: set[str] = set()
    yield from _walk(root, seen, 0)


def _walk(node_modules: Path, seen: set[str], depth: int) -> Iterator[tuple[str, str, Facts]]:
    real = os.path.realpath(node_modules)
    if depth > _MAX_DEPTH or real in seen:
        return
    seen.add(real)
    for entry in _entries(node_modules):
        if entry.name == ".pnpm":
            for store_entry in _entries(Path(entry.path)):
                yield from _walk(Path(store_entry.path) / "node_modules", seen, depth + 1)
            continue
        if entry.name.startswith("."):
            continue  # .bin, .cache, .package-lock.json
        if entry.name.startswith("@"):
            for scoped in _entries(Path(entry.path)):
                yield from _package(Path(scoped.path), seen, depth)
        else:
            yield from _package(Path(entry.path), seen, depth)


def _entries(directory: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as iterator:
            return sorted((e for e in iterator if _is_dir(e)), key=lambda e: e.name)
    except OSError:
        return []


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # follows symbolic links, as Node does
    except OSError:
        return False


def _package(directory: Path, seen: set[str], depth: int) -> Iterator[tuple[str, str, Facts]]:
    real = os.path.realpath(directory)
    if real in seen:
        return
    seen.add(real)
    record = _installed_package(directory)
    if record is not None:
        yield record
    nested = directory / "node_modules"
    if nested.is_dir():
        yield from _walk(nested, seen, depth + 1)


def _installed_package(directory: Path) -> tuple[str, str, Facts] | None:
    """One package's facts from its `package.json`, or None when unreadable, nameless or versionless."""
    document = read_manifest(directory, _MAX_MANIFEST_BYTES)
    if document is None:
        return None
    name, version = document.get("name"), document.get("version")
    if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
        return None
    scope, _, bare = name.rpartition("/")
    try:
        purl = purls.build("npm", bare, None, namespace=scope or None)
    except ValueError:
        return None
    base = purls.canonical_base(purl)
    if base is None:
        return None
    facts = Facts(
        source=SOURCE_INSTALLED,
        location=str(directory / "package.json"),
        licenses=npm_licenses(document),
        suppliers=npm_people(document.get("author")),
        repository=npm_repository(document),
    )
    return base, version, facts


def npm_licenses(document: dict[str, Any]) -> tuple[str, ...]:
    """`license` as a string or legacy object, or the legacy `licenses` array."""
    value = document.get("license")
    if isinstance(value, str) and value.strip():
        return (value.strip(),)
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return (value["type"].strip(),)
    found: list[str] = []
    legacy = document.get("licenses")
    if isinstance(legacy, list):
        for item in legacy:
            text = item.get("type") if isinstance(item, dict) else item
            if isinstance(text, str) and text.strip() and text.strip() not in found:
                found.append(text.strip())
    return tuple(found)


def npm_people(value: Any) -> tuple[str, ...]:
    """npm's person field: 'Name <mail> (url)' or {"name": ...}."""
    if isinstance(value, dict):
        value = value.get("name")
    return people(value) if isinstance(value, str) else ()


def npm_repository(document: dict[str, Any]) -> str | None:
    value = document.get("repository")
    if isinstance(value, dict):
        value = value.get("url")
    repository = repository_url(value) if isinstance(value, str) else None
    if repository is None:
        homepage = document.get("homepage")
        repository = repository_url(homepage) if isinstance(homepage, str) else None
    return repository
