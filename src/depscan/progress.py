"""The transient progress bar on stderr that long scans and audits show on a terminal."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any


def printable(text: str) -> str:
    """Names come from inputs: no terminal escape sequence or control character gets through."""
    return "".join(c if c.isprintable() else "?" for c in text)


class ProgressBar:
    """`with ProgressBar(...) as advance:` gives `advance(label)`, or None when disabled.

    No refresh thread: the inventory forks worker processes while the bar is shown,
    so each step redraws the bar itself.
    """

    def __init__(self, enabled: bool, verb: str, total: int | None = None) -> None:
        self.enabled = enabled
        self.verb = verb
        self.total = total
        self._progress: Any = None

    def __enter__(self) -> Callable[[str], None] | None:
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        columns: list[Any] = [TextColumn("[progress.description]{task.description}"), BarColumn()]
        if self.total is not None:
            columns.append(MofNCompleteColumn())
        columns.append(TimeElapsedColumn())
        self._progress = Progress(
            *columns,
            console=Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR"))),
            transient=True,
            auto_refresh=False,
        )
        self._progress.start()
        task = self._progress.add_task(self.verb, total=self.total)

        def advance(label: str) -> None:
            self._progress.update(task, advance=1, description=f"{self.verb} {escape(printable(label)[:60])}")
            self._progress.refresh()

        return advance

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
