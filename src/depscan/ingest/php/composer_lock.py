"""PHP Composer `composer.lock`.

`packages` are what production installs, `packages-dev` what `--dev` adds
(scope `dev`). Each package's `require` gives the graph; a requirement may
be satisfied by a package that `replace`s or `provide`s that name (Symfony's
polyfills), which is followed too. Platform requirements (`php`, `ext-*`,
`lib-*`, `composer-*`) are not packages. The lockfile does not say which
packages the project asked for: the `composer.json` beside it does, when
present. A `license` array is a choice (Composer documents it as "or"),
so it becomes one `A OR B` expression.
"""

from __future__ import annotations

from typing import Any

import orjson

from depscan import purls
from depscan.ingest.base import InputFile, Reader, ReadResult, read_related, type_name
from depscan.ingest.lines import lines_of_values
from depscan.model import Component, Location

_PLATFORM_PREFIXES = ("ext-", "lib-", "composer-")
_PLATFORM_NAMES = {"php", "php-64bit", "php-ipv6", "php-zts", "php-debug", "hhvm", "composer"}


def composer_purl(name: str, version: str | None) -> str:
    vendor, _, package = name.rpartition("/")
    return purls.build("composer", package, version, namespace=vendor or None)


def _is_platform(name: str) -> bool:
    lowered = name.lower()
    return lowered in _PLATFORM_NAMES or lowered.startswith(_PLATFORM_PREFIXES)


def license_expression(value: Any) -> list[str]:
    """Composer's licence string or array (an "or" choice) as one declared expression."""
    if isinstance(value, str) and value.strip():
        return [value.strip()]
    if isinstance(value, list):
        names = [v.strip() for v in value if isinstance(v, str) and v.strip()]
        if len(names) == 1:
            return names
        if names:
            return [" OR ".join(f"({n})" if " " in n else n for n in names)]
    return []


class ComposerLockReader(Reader):
    format = "composer-lock"
    filenames = ("composer.lock",)

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if not head.startswith(b"{"):
            return False
        if b'"content-hash"' in head[:4096] or b"getcomposer.org" in head[:4096]:
            return b'"packages"' in source.data
        if source.path.name != "composer.lock":
            return False
        document = source.json()
        return isinstance(document, dict) and isinstance(document.get("packages"), list)

    def read(self, source: InputFile) -> ReadResult:
        document = source.json()
        if not isinstance(document, dict) or not isinstance(document.get("packages", []), list):
            raise source.error("not a composer.lock (no 'packages' array)")
        lines = lines_of_values(source.data, b'"name"')
        entries: list[tuple[dict[str, Any], bool]] = []
        for key, dev in (("packages", False), ("packages-dev", True)):
            for index, entry in enumerate(source.list_at(document, key)):
                if isinstance(entry, dict):
                    entries.append((entry, dev))
                else:
                    source.skip(f"{key!r} entry {index + 1}", entry)
        known: set[str] = set()  # lowercase package names: Composer's refs, as names are case-insensitive
        substitutes: dict[str, str] = {}  # lowercase replaced/provided name -> ref of the package doing it
        components: list[Component] = []
        for entry, dev in entries:
            name = entry.get("name")
            if not isinstance(name, str) or not name:
                source.warn(f"a package has no name (name is {type_name(name)}): not used")
                continue
            ref = name.lower()
            if ref in known:
                continue
            known.add(ref)
            for field in ("replace", "provide"):
                declared = entry.get(field)
                if isinstance(declared, dict):
                    for other in declared:
                        substitutes.setdefault(str(other).lower(), ref)
            if entry.get("version") is not None and not isinstance(entry["version"], str):
                source.warn(f"package {name!r}: 'version' is {type_name(entry['version'])}: read without a version")
            components.append(self._component(entry, name, dev, source.display, lines.get(name)))
        graph: dict[str, list[str]] = {}
        for entry, _dev in entries:
            name = entry.get("name")
            required = entry.get("require")
            if isinstance(name, str) and isinstance(required, dict):
                graph[name.lower()] = _targets(required, known, substitutes)
        roots = _targets(_manifest_requirements(source), known, substitutes)
        return ReadResult(self.format, components, graph, roots)

    def _component(self, entry: dict[str, Any], name: str, dev: bool, display: str, line: int | None) -> Component:
        version = entry.get("version") if isinstance(entry.get("version"), str) else None
        origin = entry.get("source")
        repository = origin.get("url") if isinstance(origin, dict) and isinstance(origin.get("url"), str) else None
        authors = entry.get("authors")
        suppliers = []
        if isinstance(authors, list):
            suppliers = [a["name"] for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)]
        component = Component(
            name=name,
            version=version,
            purl=composer_purl(name, version),
            ecosystem="composer",
            declared_licenses=license_expression(entry.get("license")),
            suppliers=suppliers,
            repository=repository,
            bom_ref=name.lower(),
            sources=[Location(display, line)],
            scope="dev" if dev else None,
        )
        if isinstance(entry.get("type"), str):
            component.properties["composer_type"] = entry["type"]
        dist = entry.get("dist")
        if isinstance(dist, dict) and isinstance(dist.get("url"), str):
            component.properties["dist_url"] = dist["url"]
        return component


def _targets(required: Any, known: set[str], substitutes: dict[str, str]) -> list[str]:
    """Refs of the packages that satisfy `required` (a require map): by name, else by what replaces/provides it."""
    if not isinstance(required, dict):
        return []
    found: list[str] = []
    for requirement in required:
        key = str(requirement).lower()
        if _is_platform(key):
            continue
        target = key if key in known else substitutes.get(key)
        if target and target not in found:
            found.append(target)
    return found


def _manifest_requirements(source: InputFile) -> dict[str, Any]:
    """`require` and `require-dev` of the composer.json beside the lockfile, when there is one."""
    manifest = source.path.parent / "composer.json"
    try:
        data = read_related(manifest, source.display)
        if data is None:
            return {}
        document = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    except (OSError, orjson.JSONDecodeError):
        return {}
    merged: dict[str, Any] = {}
    if isinstance(document, dict):
        for field in ("require", "require-dev"):
            declared = document.get(field)
            if isinstance(declared, dict):
                merged.update(declared)
    return merged
