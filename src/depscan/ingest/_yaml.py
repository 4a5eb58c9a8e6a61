"""Safe YAML loading for the infrastructure readers: line numbers kept, bombs and deep nesting refused.

PyYAML's safe loaders build plain Python values but forget where they came
from, and they are not safe against every hostile input:

- aliases share objects, so a "billion laughs" document is small in memory
  but explodes for anything that walks it, and merge keys (`<<: *a`) really
  copy, exponentially when nested. The composed node graph is therefore
  measured (aliases counted as often as they are used) before anything is
  constructed, and refused above `MAX_EXPANDED_NODES`.
- libyaml's composer recurses in C: deep enough flow nesting (`[[[[...`)
  overflows the C stack and kills the process. Documents are composed only
  once their nesting is known to be shallow: a bound from character counts
  settles most files; otherwise libyaml's parser, which keeps its own stack and
  does not recurse, measures the depth from the event stream, and a document
  deeper than `MAX_DEPTH` is refused (the pure-Python loader would be no help:
  its scanner is quadratic in flow depth and Python stops recursing at about
  the same depth).

Every string scalar (values and mapping keys) comes back as `LineStr`, a
`str` that also carries the 1-based line where it was written, so readers can
point at the exact line without a second, position-aware parser. Numbers and
dates stay strings too (`version: 1.10` must not become 1.1); booleans and
nulls are kept. Local tags such as GitLab's `!reference` are read as the plain
value they tag; any other non-standard tag (`!!python/object`...) is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.events import MappingEndEvent, MappingStartEvent, SequenceEndEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from depscan.ingest.base import InputFile, warn

#: nodes after alias expansion: far above real manifests (a 5 MB Kubernetes dump is ~300,000), far below a bomb
MAX_EXPANDED_NODES = 2_000_000
#: YAML documents in one stream (rendered Helm output can hold hundreds)
MAX_DOCUMENTS = 10_000
#: deeper documents are refused; far below what overflows libyaml's recursive composer (tens of thousands)
MAX_DEPTH = 1000
_DEEP_LINE_PREFIX = re.compile(r"^[ \t?:-]{250}", re.MULTILINE)
#: an anchor `&name` can only follow a separator or an indicator, never a word character (unlike `?a=1&b=2`)
_ANCHOR = re.compile(r"(?<![A-Za-z0-9_])&[^\s\[\]{},]")

_BASE_C = getattr(yaml, "CSafeLoader", None)


class LineStr(str):
    """A string scalar that remembers the 1-based line it was written on."""

    line: int


def line_of(value: Any) -> int | None:
    """The line a scalar was read from, when it is a `LineStr`."""
    return getattr(value, "line", None)


def _construct_str(loader: yaml.SafeLoader, node: ScalarNode) -> LineStr:
    text = LineStr(loader.construct_scalar(node))
    text.line = node.start_mark.line + 1
    return text


def _construct_local_tag(loader: yaml.SafeLoader, suffix: str, node: Node) -> Any:
    """`!reference [...]`, `!Ref x`: keep the value, drop the application-specific tag."""
    if isinstance(node, ScalarNode):
        return _construct_str(loader, node)
    if isinstance(node, SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


def _construct_mapping_warning_duplicates(loader: Any, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
    """PyYAML keeps the last of two equal keys without a word: warn, naming the line of the second."""
    seen: set[str] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            if key_node.value in seen:
                warn(
                    getattr(loader, "depscan_display", ""),
                    f"duplicate key {key_node.value!r} in a YAML mapping: only its last value is used",
                    key_node.start_mark.line + 1,
                )
            seen.add(key_node.value)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)  # type: ignore[arg-type]


def _configure(loader_class: type) -> type:
    loader_class.construct_mapping = _construct_mapping_warning_duplicates  # type: ignore[attr-defined]
    for tag in ("str", "int", "float", "timestamp"):
        loader_class.add_constructor(f"tag:yaml.org,2002:{tag}", _construct_str)
    loader_class.add_multi_constructor("!", _construct_local_tag)
    return loader_class


class _PurePythonLoader(yaml.SafeLoader):
    pass


_configure(_PurePythonLoader)

if _BASE_C is not None:

    class _FastLoader(_BASE_C):  # type: ignore[misc, valid-type]
        pass

    _configure(_FastLoader)
else:  # pragma: no cover - PyYAML built without libyaml
    _FastLoader = _PurePythonLoader  # type: ignore[misc, assignment]


def _nesting_bound(text: str) -> int:
    """An upper bound on how deep `text` can nest, computed with C-speed string scans.

    Flow collections nest once per opening bracket, whatever the layout; block
    collections need indentation or a compact indicator (`- `, `? `, `: `) per
    level, which a long run of such characters at the start of a line reveals.
    """
    flow = text.count("[") + text.count("{")
    if _DEEP_LINE_PREFIX.search(text):
        return MAX_DEPTH + 1
    return flow + 2 * 250 + 2


def _too_deep(text: str, limit: int) -> int | None:
    """The line where nesting first exceeds `limit`, from libyaml's (non-recursive) event stream; None if it never does.

    A syntax error ends the walk: the composer stops at the same place and reports it.
    """
    parser = _BASE_C(text)
    depth = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            kind = type(event)
            if kind is SequenceStartEvent or kind is MappingStartEvent:
                depth += 1
                if depth > limit:
                    return event.start_mark.line + 1
            elif kind is SequenceEndEvent or kind is MappingEndEvent:
                depth -= 1
    except yaml.YAMLError:
        pass
    finally:
        parser.dispose()
    return None


def _loader_for(source: InputFile, text: str) -> type:
    """libyaml, once the nesting is known to be shallow enough for its recursive composer."""
    if _BASE_C is None:  # pragma: no cover - PyYAML built without libyaml: Python's recursion limit protects
        return _PurePythonLoader
    if _nesting_bound(text) > MAX_DEPTH:
        line = _too_deep(text, MAX_DEPTH)
        if line is not None:
            raise source.error(f"YAML nested deeper than {MAX_DEPTH} levels", line)
    return _FastLoader


def _expanded_size(root: Node, limit: int) -> int:
    """Nodes of `root` counted as if every alias were a copy; stops early above `limit`."""
    sizes: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_stack.discard(key)
            total = 1
            if isinstance(node, SequenceNode):
                total += sum(sizes[id(child)] for child in node.value)
            elif isinstance(node, MappingNode):
                total += sum(sizes[id(k)] + sizes[id(v)] for k, v in node.value)
            if total > limit:
                return total
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_stack:
            return limit + 1  # a recursive alias: infinite once expanded
        on_stack.add(key)
        stack.append((node, True))
        if isinstance(node, SequenceNode):
            stack.extend((child, False) for child in node.value if id(child) not in sizes)
        elif isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                stack.append((key_node, False))
                stack.append((value_node, False))
    return sizes.get(id(root), 1)


def load_all(source: InputFile, text: str | None = None) -> list[Any]:
    """Every document of `source` (or of `text`, a cleaned-up version of it), safely; InputError otherwise."""
    content = source.text if text is None else text
    return list(_documents(source, content))


def _documents(source: InputFile, text: str) -> Iterator[Any]:
    loader = _loader_for(source, text)(text)
    loader.depscan_display = source.display
    may_alias = bool(
        _ANCHOR.search(text)
    )  # without anchors there are no aliases: a document is no larger than its text
    count = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            count += 1
            if count > MAX_DOCUMENTS:
                raise source.error(f"more than {MAX_DOCUMENTS} YAML documents in one file")
            if node is None:
                continue
            if may_alias and _expanded_size(node, MAX_EXPANDED_NODES) > MAX_EXPANDED_NODES:
                raise source.error(
                    "YAML aliases expand to more than "
                    f"{MAX_EXPANDED_NODES:,} nodes (an alias bomb?); refusing to read it",
                    node.start_mark.line + 1,
                )
            yield loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise source.error(f"invalid YAML: {problem}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise source.error(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise source.error("YAML nested too deeply") from None
    finally:
        loader.dispose()


def load_one(source: InputFile) -> Any:
    """The single document of `source` (the first when there are several; None when empty)."""
    documents = load_all(source)
    return documents[0] if documents else None


def mapping(value: Any) -> dict[Any, Any]:
    """`value` when it is a mapping, else an empty one: readers tolerate unexpected shapes."""
    return value if isinstance(value, dict) else {}


def sequence(value: Any) -> list[Any]:
    """`value` when it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def text_of(value: Any) -> str | None:
    """`value` when it is a non-empty string, else None."""
    return value if isinstance(value, str) and value.strip() else None


def first_line(*values: Any) -> int | None:
    """The line of the first value that knows its line."""
    for value in values:
        line = line_of(value)
        if line is not None:
            return line
    return None


def key_line(container: Any, key: str) -> int | None:
    """The line of `key` in a mapping read by this module (keys are `LineStr` too)."""
    if isinstance(container, dict):
        for candidate in container:
            if candidate == key:
                return line_of(candidate)
    return None
