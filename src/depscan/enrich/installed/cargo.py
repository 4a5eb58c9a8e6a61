"""Cargo's registry sources (`$CARGO_HOME/registry/src/<index>/<name>-<version>/Cargo.toml`).

crates.io rewrites every published manifest into a normalised `Cargo.toml`
whose `[package]` table carries `license` (an SPDX expression) or
`license-file`, `authors` and `repository`. Looked up per component.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from depscan import _toml, purls
from depscan.enrich import licensefile
from depscan.enrich.facts import SOURCE_INSTALLED, Facts, people, repository_url

_MAX_MANIFEST_BYTES = 1024 * 1024


def default_root() -> Path:
    home = os.environ.get("CARGO_HOME")
    return (Path(home) if home else Path.home() / ".cargo") / "registry" / "src"


def registries(root: Path) -> list[Path]:
    """One folder per registry index (crates.io's is `index.crates.io-<hash>`)."""
    try:
        return sorted(p for p in root.iterdir() if p.is_dir())
    except OSError:
        return []


def lookup(indexes: list[Path], purl: str) -> Facts | None:
    _, name = purls.name_parts(purl)
    _, version = purls.split(purl)
    if not name or not version or "/" in name or ".." in name or "/" in version:
        return None
    for index in indexes:
        crate = index / f"{name}-{version}"
        manifest = crate / "Cargo.toml"
        if manifest.is_file():
            return _read(manifest)
    return None


def _read(manifest: Path) -> Facts | None:
    try:
        if manifest.stat().st_size > _MAX_MANIFEST_BYTES:
            return None
        document = _toml.loads(manifest.read_text(encoding="utf-8", errors="replace"))
    except (OSError, _toml.TOMLDecodeError):
        return None
    package: Any = document.get("package")
    if not isinstance(package, dict):
        return None
    licence = package.get("license")
    declared: tuple[str, ...] = (licence.strip(),) if isinstance(licence, str) and licence.strip() else ()
    notes: tuple[str, ...] = ()
    licence_file = package.get("license-file")
    if not declared and isinstance(licence_file, str) and ".." not in licence_file:
        spdx = licensefile.identify_file(manifest.parent / licence_file)
        if spdx:
            declared, notes = (spdx,), (f"recognised from the text of {licence_file}",)
    authors = package.get("authors")
    names = people(*(a for a in authors if isinstance(a, str))) if isinstance(authors, list) else ()
    repository = package.get("repository")
    return Facts(
        source=SOURCE_INSTALLED,
        location=str(manifest),
        licenses=declared,
        suppliers=names,
        repository=repository_url(repository) if isinstance(repository, str) else None,
        notes=notes,
    )
