"""NuGet `packages.lock.json` (.NET), lock file version 1 and 2.

Packages are listed per target framework (and per runtime identifier, as
`net8.0/linux-x64`), each with a `type`: `Direct` (the project's own
PackageReference), `Transitive`, `CentralTransitive` (pinned by central
package management), or `Project`, a project reference: the solution's own
code, not a component. A package used by several frameworks is one component
per resolved version. The direct dependencies are the `Direct` packages plus
what the referenced projects ask for, since those projects are the same
solution. NuGet ids are case-insensitive, so references are matched that way.
"""

from __future__ import annotations

import re
from typing import Any

from depscan import purls
from depscan.ingest.base import InputFile, Reader, ReadResult, type_name
from depscan.ingest.lines import MAX_BYTES_FOR_LINES
from depscan.model import Component, Location

_TYPES = (b'"Direct"', b'"Transitive"', b'"CentralTransitive"', b'"Project"')
_OBJECT_KEY = re.compile(rb'"([^"\\\n]*)"\s*:\s*\{')  # NuGet ids never need escapes: the simple form is fast


def _object_key_lines(data: bytes) -> dict[str, list[int]]:
    """Lines of every `"key": {` in document order: the n-th package entry named X is X's n-th line."""
    found: dict[str, list[int]] = {}
    if len(data) > MAX_BYTES_FOR_LINES:
        return found
    line, last = 1, 0
    for match in _OBJECT_KEY.finditer(data):
        line += data.count(b"\n", last, match.start())
        last = match.start()
        found.setdefault(match.group(1).decode("utf-8", "replace"), []).append(line)
    return found


class NugetLockReader(Reader):
    format = "nuget-lock"
    filenames = ("packages.lock.json", "packages.*.lock.json")

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if not head.startswith(b"{"):
            return False
        if b'"dependencies"' in head[:4096] and any(t in head for t in _TYPES) and b'"resolved"' in head:
            return True
        if not source.path.name.endswith("lock.json") or b'"lockfileVersion"' in head[:4096]:
            return False
        document = source.json()
        return (
            isinstance(document, dict)
            and isinstance(document.get("version"), int)
            and isinstance(document.get("dependencies"), dict)
        )

    def read(self, source: InputFile) -> ReadResult:
        document = source.json()
        frameworks = document.get("dependencies") if isinstance(document, dict) else None
        if not isinstance(frameworks, dict):
            raise source.error("not a NuGet packages.lock.json (no 'dependencies' by target framework)")
        lines = _object_key_lines(source.data)
        seen_names: dict[str, int] = {}
        components: dict[str, Component] = {}
        graph: dict[str, list[str]] = {}
        roots: dict[str, None] = {}  # an ordered set: thousands of Direct entries are common in big solutions
        for framework, packages in frameworks.items():
            if not isinstance(packages, dict):
                source.skip(f"target framework {framework!r}", packages)
                continue
            for name, entry in packages.items():
                if not isinstance(entry, dict):
                    source.skip(f"package {name!r}", entry)
            resolved = {
                str(name).lower(): (str(name), entry) for name, entry in packages.items() if isinstance(entry, dict)
            }
            for key, (name, entry) in resolved.items():
                occurrence = seen_names.get(name, 0)
                seen_names[name] = occurrence + 1
                kind = entry.get("type")
                children = self._children(entry, resolved)
                if kind == "Project":
                    roots.update(dict.fromkeys(children))  # the solution's own code
                    continue
                version = entry.get("resolved") if isinstance(entry.get("resolved"), str) else None
                if version is None and entry.get("resolved") is not None:
                    source.warn(f"package {name!r}: 'resolved' is {type_name(entry.get('resolved'))}: version unknown")
                ref = f"{key}@{version}" if version else key
                component = components.get(ref)
                if component is None:
                    component = components[ref] = Component(
                        name=name,
                        version=version,
                        purl=purls.build("nuget", name, version),
                        ecosystem="nuget",
                        bom_ref=ref,
                        sources=[Location(source.display, _nth(lines.get(name), occurrence))],
                    )
                    component.properties["target_frameworks"] = []
                component.properties["target_frameworks"].append(framework)
                if kind == "Direct":
                    roots[ref] = None
                edges = graph.setdefault(ref, [])
                edges.extend(c for c in children if c not in edges)
        return ReadResult(self.format, list(components.values()), graph, list(roots))

    def _children(self, entry: dict[str, Any], resolved: dict[str, tuple[str, dict[str, Any]]]) -> list[str]:
        """Refs of the packages `entry` depends on, as resolved in the same framework; projects skipped."""
        declared = entry.get("dependencies")
        if not isinstance(declared, dict):
            return []
        children: list[str] = []
        for dependency, _requested in declared.items():
            target = resolved.get(str(dependency).lower())
            if target is None or target[1].get("type") == "Project":
                continue
            version = target[1].get("resolved")
            key = str(dependency).lower()
            children.append(f"{key}@{version}" if isinstance(version, str) else key)
        return children


def _nth(lines: list[int] | None, index: int) -> int | None:
    if not lines:
        return None
    return lines[index] if index < len(lines) else lines[-1]
