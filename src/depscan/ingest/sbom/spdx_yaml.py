"""SPDX 2.2 and 2.3 YAML documents: the JSON model in YAML syntax, read into the same shape.

Parsed with PyYAML's safe loader, with implicit typing limited to null:
every other scalar stays a string, so `versionInfo: 1.10` is the version
"1.10", not the float 1.1. The C loader is several times faster but
recurses on the C stack: around 100,000 nested collections crash the
interpreter (a segmentation fault, not an exception). So it is used only
when a cheap bound on the nesting depth is low; otherwise the pure-Python
loader runs, whose recursion limit turns a hostile document into an error.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from depscan.ingest.base import InputFile, Reader, ReadResult
from depscan.ingest.sbom.spdx_common import build_result, document_parts

_FAST_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAX_DEPTH_FOR_C_LOADER = 2000  # 10,000 levels parse fine in CSafeLoader; 100,000 crash it
_VERSION_LINE = re.compile(rb"^\s*[\"']?spdxVersion[\"']?\s*:\s*[\"']?SPDX-2\.", re.MULTILINE)
_SPDXID_LINE = re.compile(r"^[ \t-]*[\"']?SPDXID[\"']?\s*:\s*[\"']?([^\"'\s#]+)", re.MULTILINE)
_NULL_TAG = "tag:yaml.org,2002:null"


def _null_only(resolvers: dict[str, list[tuple[str, Any]]]) -> dict[str, list[tuple[str, Any]]]:
    return {first: [(tag, rx) for tag, rx in entries if tag == _NULL_TAG] for first, entries in resolvers.items()}


class _FastStringLoader(_FAST_LOADER):  # type: ignore[misc,valid-type]
    """CSafeLoader (safe constructors only) resolving plain scalars to str or None, nothing else."""

    yaml_implicit_resolvers = _null_only(yaml.SafeLoader.yaml_implicit_resolvers)


class _StringLoader(yaml.SafeLoader):
    """The pure-Python SafeLoader with the same scalar typing, for documents that may nest deeply."""

    yaml_implicit_resolvers = _null_only(yaml.SafeLoader.yaml_implicit_resolvers)


def _may_nest_deeply(data: bytes) -> bool:
    """An upper bound on nesting: flow brackets anywhere, plus the deepest block nesting one line can open."""
    flow = data.count(b"[") + data.count(b"{")
    if flow > _MAX_DEPTH_FOR_C_LOADER:
        return True
    deepest = 0
    for line in data.splitlines():
        stripped = line.lstrip(b" -?:")
        deepest = max(deepest, len(line) - len(stripped) + line.count(b": "))
    return flow + deepest > _MAX_DEPTH_FOR_C_LOADER


def _spdxid_lines(text: str) -> dict[str, int]:
    found: dict[str, int] = {}
    line, last = 1, 0
    for match in _SPDXID_LINE.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        found.setdefault(match.group(1), line)
    return found


class SpdxYamlReader(Reader):
    format = "spdx-yaml"
    filenames = ("*.spdx.yaml", "*.spdx.yml")

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if head.startswith((b"{", b"[", b"<")):
            return False
        return source.path.name.lower().endswith((".spdx.yaml", ".spdx.yml")) or bool(_VERSION_LINE.search(head[:8192]))

    def read(self, source: InputFile) -> ReadResult:
        text = source.text
        try:
            loader = _StringLoader if _may_nest_deeply(source.data) else _FastStringLoader
            document: Any = yaml.load(text, Loader=loader)  # both are SafeLoader subclasses
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise source.error(f"invalid YAML: {exc.problem or exc}", mark.line + 1 if mark else None) from None
        except yaml.YAMLError as exc:
            raise source.error(f"invalid YAML: {exc}") from None
        packages, relationships, described = document_parts(source, document, "YAML")
        return build_result(self.format, source.display, packages, relationships, described, _spdxid_lines(text))
