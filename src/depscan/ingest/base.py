"""The one interface every reader implements, and the input file it reads.

A reader module defines a `Reader` subclass and is listed in
`depscan.ingest.READERS`; nothing else has to change to add a format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import orjson

from depscan.errors import InputError
from depscan.model import Component

MAX_INPUT_BYTES = 1 << 30  # 1 GiB: larger than any real SBOM, small enough to refuse a runaway file
_JSON_ERROR_POSITION = re.compile(r"line (\d+) column (\d+)")
_JSON_OR_XML_OPENINGS = (b"{", b"<", b"[")


@dataclass
class InputFile:
    """One file to read: its bytes, read once, with decoded views made on demand."""

    path: Path
    display: str  # the path as the user gave it, for messages and reports
    data: bytes
    _text: str | None = field(default=None, repr=False)
    _json: Any = field(default=None, repr=False)

    @classmethod
    def open(cls, path: Path, display: str | None = None) -> InputFile:
        shown = display or str(path)
        try:
            size = path.stat().st_size
            if size > MAX_INPUT_BYTES:
                raise InputError(shown, f"file is {size} bytes, over the {MAX_INPUT_BYTES} byte limit")
            data = path.read_bytes()
        except FileNotFoundError:
            raise InputError(shown, "no such file or directory") from None
        except IsADirectoryError:
            raise InputError(shown, "is a directory") from None
        except PermissionError:
            raise InputError(shown, "permission denied") from None
        except OSError as exc:
            raise InputError(shown, f"cannot read: {exc.strerror or exc}") from None
        return cls(path=path, display=shown, data=data)

    @property
    def head(self) -> bytes:
        """The first bytes, without a UTF-8 byte-order mark or leading blanks, for sniffing."""
        return self.data[:65536].removeprefix(b"\xef\xbb\xbf").lstrip()

    @property
    def is_binary(self) -> bool:
        return b"\x00" in self.data[:8192]

    @property
    def text(self) -> str:
        if self._text is None:
            try:
                self._text = self.data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                line = self.data[: exc.start].count(b"\n") + 1
                raise InputError(self.display, "not valid UTF-8 text", line) from None
        return self._text

    def text_or_none(self) -> str | None:
        """The text, or None when the bytes are not UTF-8: `sniff` answers no where `read` would raise."""
        try:
            return self.text
        except InputError:
            return None

    def sniff_text(self) -> str | None:
        """The text for sniffing a line-based format (YAML, HCL, Dockerfile): None when the file opens like
        JSON or XML (`{`, `[`, `<`), or is not UTF-8."""
        if self.head.startswith(_JSON_OR_XML_OPENINGS):
            return None
        return self.text_or_none()

    def json(self) -> Any:
        """The parsed JSON document (orjson: several times faster than json on large SBOMs)."""
        if self._json is None:
            payload = self.data.removeprefix(b"\xef\xbb\xbf")
            try:
                self._json = orjson.loads(payload)
            except orjson.JSONDecodeError as exc:
                raise InputError(self.display, f"invalid JSON: {exc.msg}", _json_error_line(exc)) from None
        return self._json

    def error(self, message: str, line: int | None = None) -> InputError:
        return InputError(self.display, message, line)


def _json_error_line(exc: orjson.JSONDecodeError) -> int | None:
    found = _JSON_ERROR_POSITION.search(str(exc))
    return int(found.group(1)) if found else (exc.lineno or None)


@dataclass
class ReadResult:
    """What a reader found in one file."""

    format: str
    components: list[Component]
    # dependency graph by component id: who depends on whom, when the input says
    dependencies: dict[str, list[str]] = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)  # ids of the direct dependencies, when known


class Reader:
    """Base class of the readers: `sniff` by content, `read` into components."""

    #: short format name reported in `sources[].format`
    format: ClassVar[str] = ""
    #: file-name globs that a directory scan picks up for this reader
    filenames: ClassVar[tuple[str, ...]] = ()

    def sniff(self, source: InputFile) -> bool:
        """Whether `source` is in this reader's format, judged from its content."""
        raise NotImplementedError

    def read(self, source: InputFile) -> ReadResult:
        """Turn `source` into components; raise InputError (never anything else) on bad input."""
        raise NotImplementedError


def line_index(text: str) -> list[int]:
    """Offsets at which each line starts, so an offset can become a line number by bisection."""
    starts = [0]
    find = text.find
    position = find("\n")
    while position != -1:
        starts.append(position + 1)
        position = find("\n", position + 1)
    return starts
