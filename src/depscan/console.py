"""Exit codes and what depscan says to a person on stderr: one place, below every command.

Only click is imported at start-up; every message and every report goes through `depscan.ingest.redact`
(credentials redacted, control and bidi characters escaped) on its way out.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from typing import Any

import click

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INPUT = 0, 1, 2, 3
#: errors of writing to stdout or stderr (a full disk, `> /dev/full`, a closed pipe): one message, no traceback
_WRITE_ERRNOS = {errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EFBIG, errno.EBADF, getattr(errno, "EDQUOT", -1)}


def _safe(message: str) -> str:
    from depscan.ingest.redact import safe_text

    return safe_text(message)


def _echo_err(line: str) -> None:
    try:
        click.echo(line, err=True)
    except OSError as exc:
        output_failed(exc, "standard error")


def error(message: str) -> None:
    from depscan.i18n import tr

    label = tr("error")
    _echo_err(f"depscan: {label}: {_safe(message)}")


def warning(message: str) -> None:
    from depscan.i18n import tr

    label = tr("warning")
    _echo_err(f"depscan: {label}: {_safe(message)}")


def use_color(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def write_output(payload: str | bytes, output: str | None, keep_ansi: bool = False) -> None:
    """Write a report to `output` or stdout, redacted and with controls escaped (binary payloads as they are)."""
    data = _safe_payload(payload, keep_ansi)
    if output:
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            error(f"{output}: cannot write: {exc.strerror or exc}")
            sys.exit(EXIT_USAGE)
    else:
        try:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        except OSError as exc:
            output_failed(exc, "standard output")


def _safe_payload(payload: str | bytes, keep_ansi: bool) -> bytes:
    from depscan.ingest.redact import safe_output

    if isinstance(payload, bytes):
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload  # a binary format (xlsx): its strings were made safe when they were read
    else:
        text = payload
    return safe_output(text, keep_ansi).encode("utf-8")


def output_failed(exc: OSError, stream: str) -> None:
    """stdout or stderr cannot be written: say so once (on stderr when it still works) and exit non-zero."""
    _silence(sys.stdout)
    if stream != "standard error":
        try:
            sys.stderr.write(f"depscan: error: cannot write to {stream}: {exc.strerror or exc}\n")
            sys.stderr.flush()
        except OSError:
            pass
    _silence(sys.stderr)
    sys.exit(EXIT_USAGE)


def _silence(stream: Any) -> None:
    """Point a failed stream at /dev/null, so that Python's flush at exit does not print a second error."""
    try:
        descriptor = os.open(os.devnull, os.O_WRONLY)
        os.dup2(descriptor, stream.fileno())
        os.close(descriptor)
    except (OSError, ValueError, AttributeError):
        pass


def is_write_error(exc: OSError) -> bool:
    return exc.errno in _WRITE_ERRNOS
