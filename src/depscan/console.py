"""Exit codes and what depscan says to a person on stderr: one place, below every command.

Only click is imported here, so that importing it costs nothing at start-up.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INPUT = 0, 1, 2, 3


def error(message: str) -> None:
    click.echo(f"depscan: error: {message}", err=True)


def use_color(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def write_output(payload: str | bytes, output: str | None) -> None:
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    if output:
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            error(f"{output}: cannot write: {exc.strerror or exc}")
            sys.exit(EXIT_USAGE)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def warning(message: str) -> None:
    click.echo(f"depscan: warning: {message}", err=True)
