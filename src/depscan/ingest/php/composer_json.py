"""PHP Composer `composer.json`: the packages a project requires, read on its own.

`require` is runtime, `require-dev` scope `dev`; platform requirements
(`php`, `ext-*`, `lib-*`, `composer-plugin-api`...) are not packages. A
constraint gives a version only when it names one exact version (`1.2.3`,
`=1.2.3`, `v1.2.3`); otherwise it is kept as `properties["specifier"]` and the
composer.lock read in the same scan supplies the version. Composer keeps the
tag as written (`v6.4.1` or `6.4.1`), so an exact constraint takes the locked
spelling when a composer.lock beside the manifest locks that same version:
both then name one component.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson

from depscan.ingest.base import InputFile, Reader, ReadResult, read_related, type_name
from depscan.ingest.javascript.package_json import KeyLines
from depscan.ingest.php.composer_lock import _is_platform, composer_purl
from depscan.model import Component, Location

_SECTIONS = (("require", None), ("require-dev", "dev"))
_EXACT = re.compile(r"^(?:==?\s*)?v?(\d+(?:\.\d+){0,3}(?:-?(?:alpha|beta|rc|a|b|RC|patch|pl|p)\.?\d*)?)$")
_PACKAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")
_NUMBERS_AND_SUFFIX = re.compile(r"^([\d.]*)(.*)$", re.DOTALL)
_MAX_LOCK_BYTES = 64 << 20


class ComposerJsonReader(Reader):
    format = "composer-json"
    filenames = ("composer.json",)

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if not head.startswith(b"{") or b'"content-hash"' in head[:4096]:
            return False
        named = source.path.name.lower() == "composer.json"
        if not named and b'"require' not in head:
            return False
        document = source.json()
        if not isinstance(document, dict) or "content-hash" in document or isinstance(document.get("packages"), list):
            return False
        if named:
            return True
        return any(
            isinstance(document.get(section), dict) and any("/" in str(name) for name in document[section])
            for section, _ in _SECTIONS
        ) and not any(key in document for key in ("dependencies", "devDependencies", "bomFormat", "spdxVersion"))

    def read(self, source: InputFile) -> ReadResult:
        document = source.json()
        if not isinstance(document, dict):
            raise source.error("not a composer.json (not a JSON object)")
        locked = _locked_versions(source.path)
        own = str(document.get("name", "")).lower()
        locate = KeyLines(source)
        components: dict[str, Component] = {}
        for section, scope in _SECTIONS:
            if document.get(section) == []:
                continue  # PHP's json_encode writes an empty object as []
            for name, constraint in source.dict_at(document, section).items():
                ref = name.lower()
                if ref in components or ref == own or _is_platform(name):
                    continue
                if not _PACKAGE_NAME.match(name):
                    source.warn(
                        f"{section} {name!r} is not a vendor/package name: not used", locate.line(section, name)
                    )
                    continue
                if not isinstance(constraint, str):
                    source.warn(
                        f"{section} {name!r}: the constraint is {type_name(constraint)}: read without a version",
                        locate.line(section, name),
                    )
                version, specifier = _version(constraint, locked.get(ref))
                component = Component(
                    name=name,
                    version=version,
                    purl=composer_purl(name, version),
                    ecosystem="composer",
                    scope=scope,
                    bom_ref=ref,
                    sources=[Location(source.display, locate.line(section, name))],
                )
                if specifier:
                    component.properties["specifier"] = specifier
                components[ref] = component
        return ReadResult(self.format, list(components.values()), {}, list(components))


def _version(constraint: Any, locked: str | None) -> tuple[str | None, str | None]:
    """(version, specifier) of a constraint: a version only when it is exact, in the lock's spelling if it agrees."""
    if not isinstance(constraint, str):
        return None, None
    text = constraint.strip()
    exact = _EXACT.match(text)
    if not exact:
        return None, (text if text not in ("", "*") else None)
    if locked is not None and _normalised(locked) == _normalised(exact.group(1)):
        return locked, None
    return exact.group(1), None


def _normalised(version: str) -> str:
    """'v1.2' and '1.2.0.0' alike, as Composer compares them: four numeric parts, lowercase suffix."""
    text = version.strip().lower().removeprefix("v")
    split = _NUMBERS_AND_SUFFIX.match(text)
    numbers, suffix = split.groups() if split else ("", text)
    parts = [part for part in numbers.strip(".").split(".") if part][:4]
    parts += ["0"] * (4 - len(parts))
    return ".".join(str(int(part)) for part in parts) + suffix.lstrip("-.")


def _locked_versions(manifest: Path) -> dict[str, str]:
    """Lowercase name -> version of the composer.lock beside the manifest, when there is a readable one."""
    lock = manifest.parent / "composer.lock"
    try:
        data = read_related(lock, str(manifest), _MAX_LOCK_BYTES)
        if data is None:
            return {}
        document = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    except (OSError, orjson.JSONDecodeError):
        return {}
    found: dict[str, str] = {}
    if isinstance(document, dict):
        for key in ("packages", "packages-dev"):
            packages = document.get(key)
            for entry in packages if isinstance(packages, list) else ():
                name, version = (entry.get("name"), entry.get("version")) if isinstance(entry, dict) else (None, None)
                if isinstance(name, str) and isinstance(version, str):
                    found.setdefault(name.lower(), version)
    return found
