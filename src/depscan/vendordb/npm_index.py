"""The shipped npm publisher index: npm package name -> repository owner, offline.

Lockfiles name npm packages but rarely who publishes them. The index
(`vendor_db/npm_publishers.tsv.gz`, built by `tools/build_npm_publishers.py`
from the `all-the-package-repos` dataset) gives the repository owner of the
packages worth shipping, so a scan can name a publisher without the network.

It is read on the first npm look-up only: a scan with no npm component, and
`depscan --version`, never pay for it.
"""

from __future__ import annotations

import gzip
from bisect import bisect_left
from functools import lru_cache
from pathlib import Path

FILE_NAME = "npm_publishers.tsv.gz"


@lru_cache(maxsize=4)
def _load(path: Path) -> list[str]:
    """The index lines `name<TAB>owner`, sorted, without the `#` header.

    Kept as a sorted list searched by bisection: splitting the text costs a
    fraction of building a dict of 160,000 entries, and sorting lines the
    build script already sorted costs one pass.
    """
    try:
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError):
        return []  # no index (e.g. a custom --vendor-db without one): no publisher, as before it existed
    lines = text.split("\n")
    start = 0
    while start < len(lines) and lines[start].startswith("#"):
        start += 1
    data = lines[start:]
    data.sort()
    while data and not data[0]:
        data.pop(0)  # the empty string after the final newline
    return data


@lru_cache(maxsize=4)
def header(path: Path) -> dict[str, str]:
    """The `# key: value` lines at the top of the index: dataset, version, licence, counts."""
    info: dict[str, str] = {}
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                if not line.startswith("#"):
                    break
                key, _, value = line[1:].partition(":")
                info[key.strip()] = value.strip()
    except (OSError, EOFError, UnicodeDecodeError):
        return {}
    return info


def owner(root: Path, package: str) -> str | None:
    """The repository owner of npm `package` ("@scope/name" or "name"), or None when not indexed."""
    lines = _load(root / FILE_NAME)
    key = package.lower() + "\t"  # a tab sorts before every character of a package name
    at = bisect_left(lines, key)
    if at < len(lines) and lines[at].startswith(key):
        return lines[at][len(key) :] or None
    return None
