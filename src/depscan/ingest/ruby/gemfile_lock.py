"""Ruby Bundler `Gemfile.lock` (and `gems.locked`).

Sections: `GEM` (a registry, its specs with their dependencies nested under
them), `GIT` (a repository at a revision), `PATH` (local gems: the project
itself, not components), and `DEPENDENCIES`, the Gemfile's own entries, i.e.
the direct dependencies. A gem built for several platforms is listed once per
platform (`nokogiri (1.16.0-x86_64-linux-gnu)`); those variants are one gem
release, so they become one component whose `platforms` property lists them.
The purl carries the `platform` qualifier only when the lockfile has a single,
non-`ruby` variant: with several, no one of them is *the* component.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from depscan import purls
from depscan.ingest.base import InputFile, Reader, ReadResult
from depscan.model import Component, Location

_SECTIONS = ("GEM", "GIT", "PATH", "PLUGIN SOURCE")
#: the other sections Bundler writes; anything else at the start of a line is not Gemfile.lock syntax
_OTHER_SECTIONS = ("PLATFORMS", "DEPENDENCIES", "RUBY VERSION", "BUNDLED WITH", "CHECKSUMS")
_SPEC = re.compile(r"^    (\S+) \(([^)\s]+)\)$")
_SPEC_DEPENDENCY = re.compile(r"^      (\S+?)(?: \(.*\))?$")
_DEPENDENCY = re.compile(r"^  (\S+?)!?(?: \(.*\))?!?$")
_RUBYGEMS = {"https://rubygems.org/", "https://rubygems.org", "http://rubygems.org/", "http://rubygems.org"}
_SNIFF_STARTS = (b"GEM\n", b"GEM\r\n", b"GIT\n", b"GIT\r\n", b"PATH\n", b"PATH\r\n", b"PLUGIN SOURCE")


@dataclass
class _Source:
    kind: str  # GEM, GIT, PATH, PLUGIN SOURCE
    options: dict[str, str] = field(default_factory=dict)


@dataclass
class _Gem:
    name: str
    version: str
    source: _Source
    line: int
    platforms: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    ref: str = ""


def _split_platform(version: str) -> tuple[str, str | None]:
    """'1.17.4-x86_64-linux-gnu' -> ('1.17.4', 'x86_64-linux-gnu'): gem versions never contain '-'."""
    bare, dash, platform = version.partition("-")
    return bare, (platform if dash and platform else None)


class GemfileLockReader(Reader):
    format = "gemfile-lock"
    filenames = ("Gemfile.lock", "gems.locked", "*.gemfile.lock")

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if head.startswith(_SNIFF_STARTS):
            return b"  specs:" in head
        return b"\n  specs:" in head and (b"\nDEPENDENCIES" in source.data or b"\nPLATFORMS" in source.data)

    def read(self, source: InputFile) -> ReadResult:
        gems: dict[tuple[str, str, int], _Gem] = {}  # (name, bare version, id of source) -> gem
        direct: list[str] = []
        section: str | None = None
        current_source: _Source | None = None
        current_gem: _Gem | None = None
        in_specs = False
        saw_section = False
        for number, raw in enumerate(source.text.splitlines(), start=1):
            line = raw.rstrip()
            if not line:
                continue
            if not line.startswith(" "):
                section = line.strip()
                saw_section = True
                in_specs = False
                current_gem = None
                current_source = _Source(section) if section in _SECTIONS else None
                if current_source is None and section not in _OTHER_SECTIONS:
                    source.warn(f"unknown section {section[:40]!r}: the lines under it are not read", number)
                continue
            if current_source is not None:
                current_gem, in_specs = self._source_line(
                    source, line, number, current_source, current_gem, in_specs, gems
                )
            elif section == "DEPENDENCIES":
                match = _DEPENDENCY.match(line)
                if match:
                    direct.append(match.group(1))
        if not saw_section:
            raise source.error("not a Gemfile.lock (no GEM, GIT, PATH or DEPENDENCIES section)")
        return self._result(source, list(gems.values()), direct)

    def _source_line(
        self,
        source: InputFile,
        line: str,
        number: int,
        current_source: _Source,
        current_gem: _Gem | None,
        in_specs: bool,
        gems: dict[tuple[str, str, int], _Gem],
    ) -> tuple[_Gem | None, bool]:
        """One indented line inside a GEM/GIT/PATH section: an option, a spec, or a spec's dependency."""
        if not in_specs:
            key, sep, value = line.strip().partition(":")
            if key == "specs" and not value.strip():
                return None, True
            if sep:
                current_source.options.setdefault(key, value.strip())
            else:  # a gem listed before 'specs:', or a mangled option: Bundler would refuse the file
                text = line.strip()[:60]
                source.warn(
                    f"expected 'key: value' or 'specs:' in {current_source.kind}, got {text!r}: not read", number
                )
            return None, False
        spec = _SPEC.match(line)
        if spec:
            name, (version, platform) = spec.group(1), _split_platform(spec.group(2))
            key = (name, version, id(current_source))
            gem = gems.get(key)
            if gem is None:
                gem = gems[key] = _Gem(name, version, current_source, number)
            gem.platforms.append(platform or "ruby")
            return gem, True
        dependency = _SPEC_DEPENDENCY.match(line)
        if dependency and current_gem is not None:
            if dependency.group(1) not in current_gem.dependencies:
                current_gem.dependencies.append(dependency.group(1))
            return current_gem, True
        if line.startswith("    ") and not line.startswith("      "):
            raise source.error(f"expected 'name (version)' in specs, got {line.strip()[:60]!r}", number)
        return current_gem, True

    def _result(self, source: InputFile, gems: list[_Gem], direct: list[str]) -> ReadResult:
        """Bundler resolves one version per gem name, so names are the refs (name@version on a clash)."""
        by_name: dict[str, str] = {}
        for gem in gems:
            gem.ref = gem.name if gem.name not in by_name else f"{gem.name}@{gem.version}"
            by_name.setdefault(gem.name, gem.ref)
        local = {gem.name for gem in gems if gem.source.kind == "PATH"}
        components: list[Component] = []
        graph: dict[str, list[str]] = {}
        roots: list[str] = [by_name[name] for name in direct if name in by_name and name not in local]
        for gem in gems:
            children = [by_name[d] for d in gem.dependencies if d in by_name and d not in local]
            if gem.source.kind == "PATH":
                roots.extend(child for child in children if child not in roots)  # the project's own gems
                continue
            graph[gem.ref] = children
            components.append(self._component(gem, source.display))
        return ReadResult(self.format, components, graph, roots)

    def _component(self, gem: _Gem, display: str) -> Component:
        qualifiers: dict[str, str] = {}
        properties: dict[str, Any] = {}
        repository = None
        platforms = sorted(set(gem.platforms))
        if platforms != ["ruby"]:
            properties["platforms"] = platforms
            if len(platforms) == 1:
                qualifiers["platform"] = platforms[0]
        remote = gem.source.options.get("remote")
        if gem.source.kind == "GEM" and remote and remote not in _RUBYGEMS:
            qualifiers["repository_url"] = remote
            properties["registry"] = remote
        elif gem.source.kind == "GIT" and remote:
            repository = remote
            revision = gem.source.options.get("revision")
            qualifiers["vcs_url"] = f"git+{remote}@{revision}" if revision else f"git+{remote}"
        elif gem.source.kind == "PLUGIN SOURCE" and remote:
            properties["source"] = remote
        component = Component(
            name=gem.name,
            version=gem.version,
            purl=purls.build("gem", gem.name, gem.version, qualifiers=qualifiers),
            ecosystem="gem",
            repository=repository,
            bom_ref=gem.ref,
            sources=[Location(display, gem.line)],
        )
        component.properties.update(properties)
        return component
