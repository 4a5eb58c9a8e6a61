"""Load YAML lockfiles from libyaml's event stream: strings, lists and dicts, several times faster.

PyYAML's constructors (even with the C parser) spend most of their time
resolving implicit tags and building nodes: 7 s for a 180,000-line
pnpm-lock.yaml here, against under a second for the events alone. Lockfile
readers need no tags: every scalar stays a string (as with BaseLoader), and
aliases, which no lockfile writer emits, are refused, so that a crafted
"billion laughs" document cannot expand.
"""

from __future__ import annotations

from typing import Any

import yaml

from depscan.ingest.base import InputFile

try:
    _EventLoader: Any = yaml.CBaseLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _EventLoader = yaml.BaseLoader


def load_all(source: InputFile) -> list[Any]:
    """Every document of `source`, scalars as strings; InputError for invalid YAML or aliases."""
    documents: list[Any] = []
    stack: list[_Mapping | list[Any]] = []  # the containers being filled, innermost last
    try:
        for event in yaml.parse(source.text, Loader=_EventLoader):
            kind = type(event)
            if kind is yaml.ScalarEvent:
                _add(stack, documents, event.value)
            elif kind is yaml.MappingStartEvent:
                stack.append(_Mapping())
            elif kind is yaml.SequenceStartEvent:
                stack.append([])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                done = stack.pop()
                _add(stack, documents, done.value if isinstance(done, _Mapping) else done)
            elif kind is yaml.AliasEvent:
                line = event.start_mark.line + 1 if event.start_mark else None
                raise source.error("YAML alias: not something a lockfile contains", line)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or exc
        raise source.error(f"invalid YAML: {problem}", mark.line + 1 if mark else None) from None
    return documents


class _Mapping:
    """A mapping being filled: scalars alternate between key and value."""

    __slots__ = ("key", "value")

    def __init__(self) -> None:
        self.value: dict[str, Any] = {}
        self.key: str | None = None


def _add(stack: list[_Mapping | list[Any]], documents: list[Any], item: Any) -> None:
    if not stack:
        documents.append(item)
        return
    top = stack[-1]
    if isinstance(top, list):
        top.append(item)
    elif top.key is None:
        top.key = item if isinstance(item, str) else repr(item)  # a complex key: keep its text
    else:
        top.value[top.key] = item
        top.key = None
