"""Reports: one module per output format, each a pure function of a ScanResult.

Adding a format is one module with a `render(result, options) -> str | bytes`
function plus one line in `FORMATS`. Modules are imported on first use so
that `depscan --version` stays fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from depscan.model import ScanResult


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    width: int | None = None
    tool_version: str = ""


#: format name -> (module, default file extension)
FORMATS: dict[str, tuple[str, str]] = {
    "table": ("depscan.report.table", "txt"),
    "json": ("depscan.report.json_report", "json"),
}


def renderer(name: str) -> Callable[[ScanResult, RenderOptions], Any]:
    module_name, _ = FORMATS[name]
    module = importlib.import_module(module_name)
    render: Callable[[ScanResult, RenderOptions], Any] = module.render
    return render
