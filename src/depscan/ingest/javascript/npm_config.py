"""npm and Yarn configuration: `.npmrc`, `.yarnrc` (Yarn 1) and `.yarnrc.yml` (Yarn 2+).

These files declare no dependencies; they say where the JavaScript packages
are fetched from, which is itself a dependency: a registry, reported as a
component of kind `registry` whose endpoint is the configured URL (so the
vendor database can say who runs it). Read: `registry=` and
`@scope:registry=` (.npmrc), `registry "..."` and `"@scope:registry" "..."`
(.yarnrc), `npmRegistryServer` and `npmScopes.<scope>.npmRegistryServer`
(.yarnrc.yml). A file that sets none of them is valid and gives no
components.

The same files hold credentials (`_authToken`, `npmAuthToken`, `_auth`,
passwords). Only the registry keys above are ever looked at; URLs lose any
`user:password@`, query and fragment before they are kept; error messages
never quote the file's text.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from depscan.errors import InputError
from depscan.ingest._yaml import key_line, line_of, load_one, mapping
from depscan.ingest.base import InputFile, Reader, ReadResult
from depscan.model import Component, Location

#: .npmrc keys that name the registry without setting one (per-host auth keys start with //)
_OTHER_REGISTRY_KEYS = {"replace-registry-host"}
_SCOPED_KEY = re.compile(r"^(@[A-Za-z0-9][A-Za-z0-9._~-]*):registry$")
_YARN_DEFAULT = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*:?-(.*)\}$")  # ${NAME:-default}: the default
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")


def public_url(value: Any) -> str | None:
    """`value` as an http(s) URL without credentials, query or fragment; None when it is not one (or unset)."""
    if not isinstance(value, str):
        return None
    text = value.strip().strip("\"'")
    default = _YARN_DEFAULT.match(text)
    if default:
        text = default.group(1).strip().strip("\"'")
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host or "$" in host:
        return None
    netloc = f"{host}:{port}" if port else host
    path = parts.path.rstrip("/")
    return f"{parts.scheme.lower()}://{netloc}{path}"


class _Registries:
    """The registries a configuration names, one component per URL, with the scopes that use each."""

    def __init__(self, source: InputFile) -> None:
        self.source = source
        self.components: dict[str, Component] = {}

    def add(self, value: Any, scope: str | None, line: int | None) -> None:
        url = public_url(value)
        if url is None:
            return  # unset, an environment variable without default, or not a URL: nothing to report
        component = self.components.get(url)
        if component is None:
            component = self.components[url] = Component(
                name=url,
                ecosystem="registry",
                kind="registry",
                endpoints=[url],
                bom_ref=url,
                properties={"package_ecosystem": "npm"},
            )
        location = Location(self.source.display, line)
        if location not in component.sources:
            component.sources.append(location)
        if scope is None:
            component.properties["default"] = True
        else:
            scopes = component.properties.setdefault("scopes", [])
            if scope not in scopes:
                scopes.append(scope)

    def result(self, format_name: str) -> ReadResult:
        # a registry is not a dependency of the project in the graph sense: no roots
        return ReadResult(format_name, list(self.components.values()))


class NpmrcReader(Reader):
    """`.npmrc` (npm, pnpm) and Yarn 1's `.yarnrc`: `key=value` or `key value` lines."""

    format = "npmrc"
    filenames = (".npmrc", ".yarnrc")

    def sniff(self, source: InputFile) -> bool:
        name = source.path.name.lower()
        if not (name.endswith(".npmrc") or name in ("npmrc", ".yarnrc", "yarnrc")):
            return False
        return source.sniff_text() is not None

    def read(self, source: InputFile) -> ReadResult:
        found = _Registries(source)
        yarn = source.path.name.lower().endswith("yarnrc")
        for number, raw in enumerate(source.text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith(("#", ";", "[")):
                continue
            key, value = _yarn_pair(line) if yarn else _ini_pair(line)
            scoped = _SCOPED_KEY.match(key)
            if key != "registry" and not scoped:
                named = "registry" in key and not key.startswith("//") and key not in _OTHER_REGISTRY_KEYS
                if named or key.startswith("@"):  # '@scope:registry' is the only key that starts with @
                    source.warn(f"{key[:60]!r} is not 'registry' or '@scope:registry': line not read", number)
                continue
            if public_url(value) is None and value.strip("\"' ") and "${" not in value:
                # the value is not quoted: a configuration file may hold a token
                source.warn(f"{key[:60]!r} is not an http(s) URL: not used", number)
                continue
            found.add(value, scoped.group(1) if scoped else None, number)
        return found.result(self.format)


def _ini_pair(line: str) -> tuple[str, str]:
    key, _, value = line.partition("=")
    return key.strip().strip("\"'"), value.strip()


def _yarn_pair(line: str) -> tuple[str, str]:
    """Yarn 1: `registry "https://..."` or `"@scope:registry" "https://..."`."""
    if line.startswith('"'):
        end = line.find('"', 1)
        if end < 0:
            return "", ""
        return line[1:end], line[end + 1 :].strip()
    key, _, value = line.partition(" ")
    return key, value.strip()


class YarnrcYmlReader(Reader):
    """Yarn 2+ `.yarnrc.yml`: `npmRegistryServer`, and `npmScopes` with their own servers."""

    format = "yarnrc-yml"
    filenames = (".yarnrc.yml",)

    def sniff(self, source: InputFile) -> bool:
        name = source.path.name.lower()
        return (name.endswith(".yarnrc.yml") or name == "yarnrc.yml") and source.sniff_text() is not None

    def read(self, source: InputFile) -> ReadResult:
        try:
            document = load_one(source)
        except InputError as exc:
            # YAML messages can quote the text around the problem, and this file may hold a token
            raise source.error(_QUOTED.sub("'…'", exc.message), exc.line) from None
        if document is not None and not isinstance(document, dict):
            raise source.error("not a .yarnrc.yml (the document is not a mapping of settings)")
        settings = mapping(document)
        found = _Registries(source)
        _add_server(source, found, settings, None, "")
        scopes = source.dict_at(settings, "npmScopes", key_line(settings, "npmScopes"))
        for scope, options in scopes.items():
            if not isinstance(scope, str) or not scope.strip():
                continue
            if not isinstance(options, dict):
                source.skip(f"npmScopes {scope!r}", options, key_line(scopes, scope))
                continue
            _add_server(source, found, options, "@" + scope.strip().lstrip("@"), f"npmScopes {scope!r}")
        return found.result(self.format)


def _add_server(source: InputFile, found: _Registries, settings: dict[Any, Any], scope: str | None, what: str) -> None:
    """The `npmRegistryServer` of `settings`; a warning when it is set but unusable (the value is not quoted: a
    configuration file may hold a token)."""
    if "npmRegistryServer" not in settings:
        return
    server = settings["npmRegistryServer"]
    line = line_of(server) or key_line(settings, "npmRegistryServer")
    prefix = f"{what}: " if scope else ""
    if not isinstance(server, str):
        source.skip(f"{prefix}'npmRegistryServer'", server, line)
    elif public_url(server) is None and server.strip() and "${" not in server:
        source.warn(f"{prefix}'npmRegistryServer' is not an http(s) URL: not used", line)
    else:
        found.add(server, scope, line)
