"""Reports: one module per output format, each a pure function of a ScanResult.

Adding a format is one module with a `render(result, options) -> str | bytes`
function plus one line in `FORMATS`. Modules are imported on first use so
that `depscan --version` stays fast.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from depscan.model import ScanResult


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    width: int | None = None
    tool_version: str = ""
    #: the directory the input paths were given relative to (the CLI's working directory)
    working_dir: str | None = None
    #: the repository root that SARIF, GitLab and JUnit locations must be relative to
    base_dir: str | None = None
    #: the least severe finding SARIF, GitLab and JUnit carry (--min-severity); the other formats show all
    min_severity: str = "info"


#: format name -> (module, default file extension); `--output-dir` writes `report.<extension>`
FORMATS: dict[str, tuple[str, str]] = {
    "table": ("depscan.report.table", "txt"),
    "json": ("depscan.report.json_report", "json"),
    "sarif": ("depscan.report.sarif", "sarif"),
    "gitlab": ("depscan.report.gitlab", "gitlab.json"),
    "junit": ("depscan.report.junit", "junit.xml"),
    "markdown": ("depscan.report.markdown", "md"),
    "csv": ("depscan.report.csv_report", "csv"),
    "xlsx": ("depscan.report.xlsx", "xlsx"),
    "html": ("depscan.report.html", "html"),
    "cyclonedx": ("depscan.report.cyclonedx", "cdx.json"),
}
#: formats whose bytes are not text, never written to a terminal
BINARY_FORMATS = frozenset({"xlsx"})


def renderer(name: str) -> Callable[[ScanResult, RenderOptions], Any]:
    module_name, _ = FORMATS[name]
    module = importlib.import_module(module_name)
    render: Callable[[ScanResult, RenderOptions], Any] = module.render
    return render


def file_name(name: str) -> str:
    """The file a format is written to under `--output-dir`."""
    return f"report.{FORMATS[name][1]}"


def repository_root(start: str) -> str:
    """The nearest directory at or above `start` holding `.git`, else `start`: where code-scanning paths begin."""
    current = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return os.path.abspath(start)
        current = parent
