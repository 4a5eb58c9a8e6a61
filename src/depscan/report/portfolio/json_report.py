"""The portfolio as JSON, schema `depscan-portfolio/1` (src/depscan/schemas/depscan-portfolio-1.schema.json).

Keys sorted and lists ordered by the aggregation, so the same inventory gives
the same bytes; only a run recorded in history adds its timestamp.
"""

from __future__ import annotations

from typing import Any

import orjson

from depscan.report import RenderOptions


def render(portfolio: dict[str, Any], options: RenderOptions) -> bytes:
    return orjson.dumps(portfolio, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def render_changes(changes: dict[str, Any], options: RenderOptions) -> bytes:
    """`depscan inventory diff --format json`: the comparison alone (schema depscan-portfolio-diff/1)."""
    return orjson.dumps(changes, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
