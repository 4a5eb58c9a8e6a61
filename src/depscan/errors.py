"""Errors that carry what a user needs to fix their input: the file and the line."""

from __future__ import annotations


class DepscanError(Exception):
    """Base of every error depscan reports to a user without a traceback."""


class InputError(DepscanError):
    """An input file could not be read or parsed (exit code 3)."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        message = " ".join(message.split())  # one line, whatever a parser library put in its message
        super().__init__(message)
        self.path = path
        self.message = message
        self.line = line

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class UnrecognisedFormat(InputError):
    """No reader recognises the file: an error when the user named it, a skip when a directory search found it."""


class ConfigError(DepscanError):
    """A configuration, rule or database file is invalid (exit code 2)."""


class OwnReport(InputError):
    """A report depscan itself wrote, found by a directory search: skipped with a warning, never read as input."""
