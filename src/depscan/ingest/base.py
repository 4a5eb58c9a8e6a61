"""The one interface every reader implements, and the input file it reads.

A reader module defines a `Reader` subclass and is listed in
`depscan.ingest.READERS`; nothing else has to change to add a format.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import orjson

from depscan.errors import InputError
from depscan.model import Component, InputWarning

MAX_INPUT_BYTES = 1 << 30  # 1 GiB: larger than any real SBOM, small enough to refuse a runaway file
#: byte-order marks pip also honours (`pip freeze > requirements.txt` in Windows PowerShell writes UTF-16)
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


@dataclass
class ReadContext:
    """What one `read_file` call shares with every file it opens: the root it may read under, its warnings."""

    root: Path  # resolved
    warnings: list[InputWarning] = field(default_factory=list)


_CONTEXT: ContextVar[ReadContext | None] = ContextVar("depscan_read_context", default=None)


@contextmanager
def reading_under(root: Path) -> Iterator[ReadContext]:
    """Confine the reads made inside the block to `root`, and collect the warnings they raise."""
    context = ReadContext(root.resolve())
    token = _CONTEXT.set(context)
    try:
        yield context
    finally:
        _CONTEXT.reset(token)


def warn(path: str, message: str, line: int | None = None) -> None:
    """Record that something in `path` could not be used: the report shows it, the scan says so."""
    context = _CONTEXT.get()
    if context is not None:
        notice = InputWarning(" ".join(message.split()), line, path)
        if notice not in context.warnings:
            context.warnings.append(notice)


def read_regular(path: Path, shown: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a regular file, at most `limit` of them; InputError for FIFOs, devices, sockets, larger files.

    The file is opened non-blocking and checked with fstat before any read, so a FIFO never blocks the scan and
    a device such as /dev/zero is never read; the limit also holds when the size changes while reading.
    """
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(shown, "is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(shown, "not a regular file (a FIFO, device or socket): not read")
        if info.st_size > limit:
            raise InputError(shown, f"file is {info.st_size} bytes, over the {limit} byte limit")
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise InputError(shown, "not a regular file (a FIFO, device or socket): not read")
            with os.fdopen(descriptor, "rb", closefd=False) as stream:
                data = stream.read(limit + 1)
        finally:
            os.close(descriptor)
    except FileNotFoundError:
        raise InputError(shown, "no such file or directory") from None
    except IsADirectoryError:
        raise InputError(shown, "is a directory") from None
    except PermissionError:
        raise InputError(shown, "permission denied") from None
    except OSError as exc:
        raise InputError(shown, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(shown, f"file is over the {limit} byte limit")
    return data


def confined(path: Path, referrer: str, line: int | None = None, what: str = "file") -> Path | None:
    """`path` resolved when it lies inside the directory being scanned; None, after one warning, when not.

    Includes (`-r`, `-c`), parent POMs, workspace manifests and symlinks can point anywhere (`/proc/self/environ`,
    `../../secret.env`): depscan reads only under the directory it was given, or a given file's directory.
    """
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        return None
    context = _CONTEXT.get()
    if context is None or resolved == context.root or resolved.is_relative_to(context.root):
        return resolved
    warn(referrer, f"{what} {path} is outside the scanned directory: not read", line)
    return None


def read_related(
    path: Path, referrer: str, limit: int = MAX_INPUT_BYTES, line: int | None = None, what: str = "file"
) -> bytes | None:
    """The bytes of a file a reader consults beside its input (a manifest, a lock, a props file); None when it
    is absent, outside the scanned directory, not a regular file, too large or unreadable."""
    if not os.path.lexists(path):
        return None
    resolved = confined(path, referrer, line, what)
    if resolved is None:
        return None
    try:
        return read_regular(resolved, str(path), limit)
    except InputError:
        return None


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
        return cls(path=path, display=shown, data=_decoded_bom(read_regular(path, shown)))

    def warn(self, message: str, line: int | None = None) -> None:
        """An entry this file holds that could not be used: a warning naming the file, never a silent drop."""
        warn(self.display, message, line)

    def list_at(self, container: Any, key: str, line: int | None = None) -> list[Any]:
        """`container[key]` when it is a list, [] when the key is absent; an input error when it is anything else."""
        if not isinstance(container, dict) or key not in container:
            return []
        return self.expect(container[key], list, f"{key!r}", line)  # type: ignore[no-any-return]

    def dict_at(self, container: Any, key: str, line: int | None = None) -> dict[Any, Any]:
        """`container[key]` when it is an object, {} when the key is absent; an input error when it is anything else."""
        if not isinstance(container, dict) or key not in container:
            return {}
        return self.expect(container[key], dict, f"{key!r}", line)  # type: ignore[no-any-return]

    def skip(self, what: str, value: Any, line: int | None = None) -> None:
        """Warn that an entry of the wrong type was not used."""
        self.warn(f"{what} is {type_name(value)}: not used", line)

    def expect(self, value: Any, kind: type | tuple[type, ...], what: str, line: int | None = None) -> Any:
        """`value` when it has the container type the format requires; an input error naming the file otherwise."""
        if isinstance(value, kind):
            return value
        expected = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise self.error(f"{what} is {type_name(value)}, expected {expected}", line)

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
            for key in _duplicate_keys(payload, self._json):
                self.warn(f"duplicate key {key!r} in a JSON object: only its last value is used")
        return self._json

    def error(self, message: str, line: int | None = None) -> InputError:
        return InputError(self.display, message, line)


_TYPE_NAMES = {
    bool: "a boolean",
    dict: "an object",
    list: "a list",
    str: "a string",
    int: "a number",
    float: "a number",
}


def type_name(value: Any) -> str:
    """How a message names the type of a parsed value."""
    if value is None:
        return "null"
    for kind, name in _TYPE_NAMES.items():
        if isinstance(value, kind):
            return name
    return f"a {type(value).__name__}"


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"(\s*:)?')


def _duplicate_keys(payload: bytes, document: Any) -> list[str]:
    """Keys written twice in one JSON object (orjson, like every parser, silently keeps the last one).

    Cheap on the common path: the keys in the text are counted with one regex and compared with those the
    parsed document kept; only when they differ is the document parsed again to name the duplicates.
    """
    written = sum(1 for match in _JSON_STRING.finditer(payload) if match.group(1))
    kept, stack = 0, [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            kept += len(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    if written == kept:
        return []
    import json

    found: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen and key not in found:
                found.append(key)
            seen.add(key)
        return dict(items)

    try:
        json.loads(payload, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return []
    return found[:20]


def _decoded_bom(data: bytes) -> bytes:
    """UTF-16 and UTF-32 text with a byte-order mark, as UTF-8: pip reads such requirement files, so does depscan."""
    for mark, codec in _BOMS:
        if data.startswith(mark):
            try:
                return data[len(mark) :].decode(codec).encode("utf-8")
            except UnicodeDecodeError:
                return data  # not text after all: reported as binary
    return data


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
    #: what the file holds that could not be used (filled by `read_file` from the reader's `warn` calls)
    warnings: list[InputWarning] = field(default_factory=list)


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


def endpoint_of(url: str) -> str | None:
    """`scheme://host/` of a URL read from an input, or None when it names no host or does not parse.

    urlsplit raises ValueError on shapes hostile or broken inputs hold (an unbalanced '[' is taken for an
    IPv6 address): a reader must not fail the whole file for one such URL.
    """
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc or any(c.isspace() for c in parts.netloc):
        return None
    return f"{parts.scheme}://{parts.netloc}/"
