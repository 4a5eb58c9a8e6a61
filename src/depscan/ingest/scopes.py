"""Dev, optional or runtime, from the dependency graph of a lockfile that does not flag it per package.

uv.lock, pnpm-lock.yaml v9 and yarn.lock only say which dependencies the
project declares as dev or optional; a locked package is "dev" when only dev
declarations reach it. One breadth-first walk per kind, runtime first, so a
package reached at runtime is never called dev.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

from depscan.model import Component

RUNTIME = ""  # the key of runtime roots in `roots_by_scope`: reached from them means no scope


def assign_scopes(
    components: Iterable[Component],
    graph: Mapping[str, Iterable[str]],
    roots_by_scope: Mapping[str, Iterable[str]],
) -> None:
    """Set `scope` on each component from the kind of root that first reaches it.

    `roots_by_scope` maps RUNTIME, "optional", "dev"... to bom_refs, walked in
    that order: the first walk to reach a component decides its scope (runtime
    means `None`). Components no root reaches keep the scope they have.
    """
    by_ref = {c.bom_ref: c for c in components if c.bom_ref}
    decided: dict[str, str | None] = {}
    ordered = sorted(roots_by_scope, key=lambda scope: (scope != RUNTIME, scope != "optional", scope))
    for scope in ordered:
        queue: deque[str] = deque(ref for ref in roots_by_scope[scope] if ref in by_ref and ref not in decided)
        for ref in queue:
            decided[ref] = scope or None
        while queue:
            node = queue.popleft()
            for child in graph.get(node, ()):
                if child in by_ref and child not in decided:
                    decided[child] = scope or None
                    queue.append(child)
    for ref, scope in decided.items():
        by_ref[ref].scope = scope
