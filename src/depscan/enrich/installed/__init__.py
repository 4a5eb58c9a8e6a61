"""Offline enrichment: metadata of the packages installed where the scan runs.

In CI the dependencies are usually installed when depscan runs, and their
metadata says what lockfiles do not: licence, author, repository. Sources,
one module each:

- `python`: `*.dist-info/METADATA` of a Python environment, given with
  `--python-env` or found as `.venv`/`venv` beside a scanned file;
- `node`: `node_modules/**/package.json` beside a scanned file;
- `golang`, `maven`, `cargo`: the Go module cache, the local Maven repository
  and Cargo's registry sources, looked up per component when present.

Only the file system is read; nothing is sent anywhere. A component matches
an installed package by ecosystem, name and version (a component without a
version matches when exactly one version is installed).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import InvalidVersion, Version

from depscan import purls
from depscan.enrich.facts import Facts
from depscan.enrich.installed import cargo, golang, maven, node, python
from depscan.model import Component

PYTHON_ENV_NAMES = (".venv", "venv")


@dataclass
class InstalledOptions:
    """What the offline step may read."""

    enabled: bool = True
    python_envs: tuple[Path, ...] = ()  # given by the user, read first
    beside_inputs: bool = True  # .venv, venv and node_modules next to each scanned file
    package_caches: bool = True  # Go module cache, ~/.m2, Cargo registry sources
    go_root: Path | None = None  # None: GOMODCACHE / GOPATH / ~/go
    maven_root: Path | None = None  # None: ~/.m2/repository
    cargo_root: Path | None = None  # None: $CARGO_HOME/registry/src


def _version_key(ecosystem: str, version: str) -> str:
    if ecosystem == "pypi":
        try:
            return str(Version(version))
        except InvalidVersion:
            return version.strip().lower()
    return version.strip()


@dataclass
class InstalledIndex:
    """Installed packages by (purl base, version), first found wins."""

    exact: dict[tuple[str, str], Facts] = field(default_factory=dict)
    versions: dict[str, dict[str, Facts]] = field(default_factory=dict)  # purl base -> version -> facts
    roots: list[str] = field(default_factory=list)  # what was read, for messages and tests

    def add(self, base: str, version: str, facts: Facts) -> None:
        ecosystem = purls.ecosystem(base) or ""
        key = (base, _version_key(ecosystem, version))
        if key not in self.exact:
            self.exact[key] = facts
            self.versions.setdefault(base, {})[version] = facts

    def find(self, base: str, version: str | None) -> Facts | None:
        if version:
            return self.exact.get((base, _version_key(purls.ecosystem(base) or "", version)))
        installed = self.versions.get(base, {})
        if len(installed) == 1:
            (only_version, facts), *_ = installed.items()
            return _with_note(facts, f"version {only_version} installed; the input gives none")
        return None

    def __len__(self) -> int:
        return len(self.exact)


def _with_note(facts: Facts, note: str) -> Facts:
    return Facts(facts.source, facts.location, facts.licenses, facts.suppliers, facts.repository, (*facts.notes, note))


def environments_beside(inputs: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Python environments and node_modules folders next to the scanned files (or in scanned folders)."""
    python_envs: list[Path] = []
    node_roots: list[Path] = []
    seen: set[str] = set()
    for item in inputs:
        directory = item if item.is_dir() else item.parent
        for name in (*PYTHON_ENV_NAMES, "node_modules"):
            candidate = directory / name
            key = os.path.realpath(candidate)
            if key in seen or not candidate.is_dir():
                continue
            seen.add(key)
            (node_roots if name == "node_modules" else python_envs).append(candidate)
    return python_envs, node_roots


def build_index(
    options: InstalledOptions, inputs: Iterable[Path], ecosystems: Collection[str] = ("pypi", "npm")
) -> InstalledIndex:
    """Read every Python environment and node_modules folder in reach, once; only for the ecosystems asked."""
    index = InstalledIndex()
    if not options.enabled:
        return index
    python_envs, node_roots = list(options.python_envs), []
    if options.beside_inputs:
        beside_python, node_roots = environments_beside(inputs)
        python_envs.extend(beside_python)
    if "pypi" not in ecosystems:
        python_envs = []
    if "npm" not in ecosystems:
        node_roots = []
    for environment in python_envs:
        index.roots.append(str(environment))
        for base, version, facts in python.read_environment(environment):
            index.add(base, version, facts)
    for root in node_roots:
        index.roots.append(str(root))
        for base, version, facts in node.read_node_modules(root):
            index.add(base, version, facts)
    return index


class CacheLookups:
    """Per-component look-ups in the package managers' own caches, each root checked once."""

    def __init__(self, options: InstalledOptions) -> None:
        self._lookups: dict[str, Callable[[str], Facts | None]] = {}
        if not (options.enabled and options.package_caches):
            return
        go_root = options.go_root or golang.default_root()
        if go_root is not None and go_root.is_dir():
            self._lookups["golang"] = lambda purl: golang.lookup(go_root, purl)
        maven_root = options.maven_root or maven.default_root()
        if maven_root.is_dir():
            self._lookups["maven"] = lambda purl: maven.lookup(maven_root, purl)
        cargo_indexes = cargo.registries(options.cargo_root or cargo.default_root())
        if cargo_indexes:
            self._lookups["cargo"] = lambda purl: cargo.lookup(cargo_indexes, purl)

    def find(self, purl: str) -> Facts | None:
        lookup = self._lookups.get(purls.ecosystem(purl) or "")
        return lookup(purl) if lookup else None


def ecosystem_of(component: Component) -> str:
    """The purl type of a component, or its declared ecosystem."""
    return (purls.ecosystem(component.purl) if component.purl else None) or component.ecosystem or ""


def component_key(component: Component) -> tuple[str, str | None] | None:
    """(purl base, version) of a component, from its purl or else its ecosystem and name."""
    if component.purl:
        base, version = purls.split(component.purl)
        return (base, version or component.version) if base else None
    if component.ecosystem in ("pypi", "npm") and component.name:
        base = purls.canonical_base(f"pkg:{component.ecosystem}/{component.name}")
        return (base, component.version) if base else None
    return None


def find(component: Component, index: InstalledIndex, caches: CacheLookups) -> Facts | None:
    """The installed metadata of one component, from the index or the package caches."""
    key = component_key(component)
    if key is None:
        return None
    base, version = key
    facts = index.find(base, version)
    if facts is None and component.purl and version:
        facts = caches.find(component.purl)
    return facts
