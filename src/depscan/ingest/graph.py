"""Direct versus transitive, from the dependency graph an input gives.

One breadth-first walk from all direct dependencies at once: each component
is attributed to the first direct dependency that reaches it, with the path,
in O(nodes + edges) even on 100,000-component graphs.
"""

from __future__ import annotations

from collections import deque

from depscan.ingest.base import ReadResult


def mark_direct(result: ReadResult) -> None:
    """Set `direct` and `introduced_by` on the components of `result`, when it has roots."""
    if not result.roots:
        return
    by_ref = {c.bom_ref: c for c in result.components if c.bom_ref}
    if not by_ref:
        return
    origin: dict[str, str] = {}
    queue: deque[str] = deque()
    for root in result.roots:
        if root in by_ref and root not in origin:
            origin[root] = root
            queue.append(root)
    graph = result.dependencies
    while queue:
        node = queue.popleft()
        for child in graph.get(node, ()):
            if child not in origin and child in by_ref:
                origin[child] = origin[node]
                queue.append(child)
    for ref, component in by_ref.items():
        source = origin.get(ref)
        if source == ref:
            component.direct = True
        elif source is not None:
            component.direct = False
            component.introduced_by = [by_ref[source].id]
        # else: not reachable through the graph; keep what the reader said (go.mod's `// indirect`), or unknown
