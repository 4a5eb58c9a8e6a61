"""Installed Python distributions: `*.dist-info/METADATA` (and legacy `*.egg-info/PKG-INFO`).

Which licence a distribution declares, in the order packaging tools trust it:
PEP 639 `License-Expression`; else the `License` field when it names a
licence (not when it holds a whole licence text or a vague word like "Dual
License"); else the `License ::` trove classifiers; else the text of a
`License-File` shipped in the dist-info, when it is one licence depscan
recognises. Publisher: Author and Maintainer names. Repository: the
`Project-URL` or `Home-page` that points at a code host.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from email.parser import HeaderParser
from email.policy import compat32
from pathlib import Path

from depscan import licenses, purls
from depscan.enrich import licensefile
from depscan.enrich.facts import SOURCE_INSTALLED, Facts, people, repository_url

_MAX_HEADER_BYTES = 256 * 1024
# Project-URL labels that name the source repository, best first; any other label may still point at one.
_SOURCE_LABELS = ("source", "source code", "sourcecode", "repository", "code", "github", "git", "homepage", "home")
_NEVER_SOURCE = ("funding", "sponsor", "donate", "donation", "chat", "discord")
_LONG_LICENSE_FIELD = 200  # longer than any licence name: a pasted licence text


def site_packages(path: Path) -> list[Path]:
    """Directories holding distributions for a user-given environment path.

    Accepts a virtual environment or an interpreter prefix (lib/pythonX.Y/site-packages,
    Lib/site-packages on Windows), or a directory that directly holds `*.dist-info`.
    """
    if not path.is_dir():
        return []
    found: list[Path] = []
    if _holds_distributions(path):
        found.append(path)
    for lib in ("lib", "lib64", "Lib"):
        base = path / lib
        if not base.is_dir():
            continue
        direct = base / "site-packages"
        if direct.is_dir():
            found.append(direct)
        for child in sorted(base.glob("python*/site-packages")):
            found.append(child)
    unique: list[Path] = []
    seen: set[str] = set()
    for candidate in found:
        key = os.path.realpath(candidate)
        if key not in seen:
            seen.add(key)
            unique.append(candidate)
    return unique


def _holds_distributions(directory: Path) -> bool:
    try:
        with os.scandir(directory) as entries:
            return any(e.name.endswith((".dist-info", ".egg-info")) and e.is_dir() for e in entries)
    except OSError:
        return False


def read_environment(path: Path) -> Iterator[tuple[str, str, Facts]]:
    """(purl base, version, facts) for every distribution installed under `path`."""
    for directory in site_packages(path):
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                metadata = directory / name / "METADATA"
            elif name.endswith(".egg-info"):
                metadata = directory / name / "PKG-INFO"
            else:
                continue
            record = read_metadata(metadata)
            if record is not None:
                yield record


def read_metadata(path: Path) -> tuple[str, str, Facts] | None:
    """One distribution's facts, or None when its metadata is unreadable or nameless."""
    headers = _headers(path)
    if headers is None:
        return None
    name, version = headers.get("Name"), headers.get("Version")
    if not name or not version:
        return None
    declared, note = _declared_licenses(headers, path.parent)
    suppliers = people(
        headers.get("Author"), headers.get("Author-email"), headers.get("Maintainer"), headers.get("Maintainer-email")
    )
    facts = Facts(
        source=SOURCE_INSTALLED,
        location=str(path),
        licenses=declared,
        suppliers=suppliers,
        repository=_repository(headers),
        notes=(note,) if note else (),
    )
    base = purls.canonical_base(f"pkg:pypi/{purls.pypi_name(name.strip())}")
    return (base, version.strip(), facts) if base else None


def _headers(path: Path) -> _Headers | None:
    """The RFC 822 header block of a METADATA file (the description body is not read)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(_MAX_HEADER_BYTES)
    except OSError:
        return None
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
    end = text.find("\n\n")
    message = HeaderParser(policy=compat32).parsestr(text if end == -1 else text[: end + 1])
    return _Headers(message)


class _Headers:
    """Header access that folds continuation lines and tolerates odd encodings."""

    def __init__(self, message: object) -> None:
        self._message = message

    def get(self, key: str) -> str | None:
        value = self._message.get(key)  # type: ignore[attr-defined]
        if value is None:
            return None
        text = str(value).strip()
        return text if text and text.upper() != "UNKNOWN" else None

    def get_all(self, key: str) -> list[str]:
        values = self._message.get_all(key) or []  # type: ignore[attr-defined]
        return [" ".join(str(v).split()) for v in values if str(v).strip()]


def _declared_licenses(headers: _Headers, dist_info: Path) -> tuple[tuple[str, ...], str | None]:
    classifiers = [c for c in headers.get_all("Classifier") if c.lower().startswith("license ::")]
    declared, note = choose_licenses(headers.get("License-Expression"), headers.get("License"), classifiers)
    if declared and note != "vague":
        return declared, note
    for relative in headers.get_all("License-File"):
        for candidate in (dist_info / "licenses" / relative, dist_info / relative):
            if candidate.is_file() and (spdx := licensefile.identify_file(candidate)):
                return (spdx,), f"recognised from the text of {candidate.name}"
    for name in licensefile.LICENSE_FILE_NAMES:  # wheels built before License-File existed
        candidate = dist_info / name
        if candidate.is_file() and (spdx := licensefile.identify_file(candidate)):
            return (spdx,), f"recognised from the text of {candidate.name}"
    return declared, None


def choose_licenses(
    expression: str | None, license_field: str | None, classifiers: list[str]
) -> tuple[tuple[str, ...], str | None]:
    """The declared licence of a Python distribution, from its core metadata fields.

    Returns (declared strings, note); the note is "vague" when what was found
    names no licence depscan can classify, so that a licence file may do better.
    """
    if expression and expression.strip():
        return (" ".join(expression.split()),), None
    field = _license_field(license_field)
    if field and licenses.classify([field]).category != "unknown":
        return (field,), None
    specific = tuple(c for c in classifiers if licenses.classify([c]).category != "unknown")
    if specific:
        return specific, "from trove classifiers"
    if field:
        return (field,), "vague"
    return tuple(classifiers), "vague" if classifiers else None


def _license_field(value: str | None) -> str | None:
    """The `License` field when it names a licence; its first line when it holds a licence text."""
    if not value:
        return None
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    if not lines:
        return None
    if len(value) > _LONG_LICENSE_FIELD or len(lines) > 1:
        first = lines[0]
        return first if len(first) <= 80 else None
    return lines[0]


def _repository(headers: _Headers) -> str | None:
    pairs: list[tuple[str, str]] = []
    for entry in headers.get_all("Project-URL"):
        label, _, url = entry.partition(",")
        pairs.append((label, url))
    return choose_repository(pairs, headers.get("Home-page"))


def choose_repository(project_urls: list[tuple[str, str]], home_page: str | None) -> str | None:
    """The source repository among a distribution's labelled URLs and home page, best label first."""
    ranked: list[tuple[int, str]] = []
    for label, url in project_urls:
        label = label.strip().lower()
        if not isinstance(url, str) or any(word in label for word in _NEVER_SOURCE):
            continue
        rank = _SOURCE_LABELS.index(label) if label in _SOURCE_LABELS else len(_SOURCE_LABELS)
        ranked.append((rank, url.strip()))
    if home_page:
        ranked.append((_SOURCE_LABELS.index("homepage"), home_page))
    for _, url in sorted(ranked, key=lambda item: item[0]):
        repository = repository_url(url)
        if repository:
            return repository
    return None
