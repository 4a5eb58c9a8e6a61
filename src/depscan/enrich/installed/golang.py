"""The Go module cache (`$GOMODCACHE`, by default `$GOPATH/pkg/mod`): licence files and VCS origins.

A module's extracted source sits in `<cache>/<escaped path>@<version>/`, with its
LICENSE when the module has one; `cache/download/<escaped path>/@v/<version>.info`
records, since Go 1.21, the repository it was fetched from (`Origin.URL`),
which matters for vanity import paths such as `golang.org/x/net` or `gopkg.in/yaml.v3`.
Looked up per component, never walked: the cache can hold thousands of modules.
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from depscan import purls
from depscan.enrich import licensefile
from depscan.enrich.facts import SOURCE_INSTALLED, Facts, repository_url

_MAX_INFO_BYTES = 64 * 1024


def default_root() -> Path | None:
    """Where `go env GOMODCACHE` would point, without running go."""
    configured = os.environ.get("GOMODCACHE")
    if configured:
        return Path(configured)
    gopath = os.environ.get("GOPATH", "").split(os.pathsep)[0]
    base = Path(gopath) if gopath else Path.home() / "go"
    return base / "pkg" / "mod"


def escape(path: str) -> str:
    """Go's case encoding for the file system: 'github.com/Azure/x' -> 'github.com/!azure/x'."""
    return "".join(f"!{c.lower()}" if c.isupper() else c for c in path)


def lookup(root: Path, purl: str) -> Facts | None:
    """Facts for one `pkg:golang/...@version` from the module cache at `root`, or None."""
    namespace, name = purls.name_parts(purl)
    _, version = purls.split(purl)
    if not name or not version:
        return None
    module = f"{namespace}/{name}" if namespace else name
    if ".." in module.split("/") or ".." in version:
        return None
    extracted = root / f"{escape(module)}@{escape(version)}"
    found = licensefile.find_in(extracted) if extracted.is_dir() else None
    repository = _origin(root / "cache" / "download" / escape(module) / "@v" / f"{escape(version)}.info")
    if not found and not repository:
        return None
    return Facts(
        source=SOURCE_INSTALLED,
        location=str(found[1] if found else extracted),
        licenses=(found[0],) if found else (),
        repository=repository,
        notes=(f"recognised from the text of {found[1].name}",) if found else (),
    )


def _origin(info: Path) -> str | None:
    try:
        if info.stat().st_size > _MAX_INFO_BYTES:
            return None
        document = orjson.loads(info.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    origin = document.get("Origin") if isinstance(document, dict) else None
    url = origin.get("URL") if isinstance(origin, dict) else None
    return repository_url(url) if isinstance(url, str) else None
