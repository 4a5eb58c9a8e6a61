"""Keep credentials and terminal controls out of everything depscan writes.

Lockfiles and manifests carry registry and download URLs, and private ones
often embed a token (`https://user:token@host/…`, `git::https://…`,
`user:token@host/path`, `?private_token=…`, `#…&sig=…`, a purl qualifier
`repository_url=…`). Component names and file names can also carry escape
sequences and bidi overrides that rewrite a terminal or a review page.

`safe_text` is the one function for both: `redact` then `escape_controls`.
It runs on every string a reader produced (`scrub`, once per file read), on
every message depscan prints (`depscan.console`), and once more over each
text report as it is written (`safe_output`), so that a new format or a new
field cannot leak what an older one took care of.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from depscan.model import Component, Location

REDACTED = "REDACTED"

#: a query or fragment parameter whose name says it is a secret (token, access_token, private_token, sig,
#: X-Amz-Signature, X-Amz-Credential, password, api_key, client_secret...)
_SECRET_NAME = r"[A-Za-z0-9_.\-]*?(?:token|secret|password|passwd|pwd|auth|key|sig|credential|session)[A-Za-z0-9_.\-]*"
#: `name=value` after `?`, `&`, `#` or `;` (the `;` of an `&amp;` in HTML and XML reports), also percent-encoded
_SECRET_PARAMETER = re.compile(
    rf"(?i)(?<=[?&#;])({_SECRET_NAME})(=|%3D)([^&#\s\"'<>;`|\\)]*)|(%26|%3F|%23)({_SECRET_NAME})(%3D)([^&%\s\"'<>;`|\\)]*)"
)
#: `scheme://userinfo@`: the userinfo goes, whatever the scheme (https, git+ssh, ssh, the https of git::https)
_SCHEME_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^\s/?#@\"'<>`|\\]+@")
#: the same, percent-encoded inside a purl qualifier (`repository_url=https%3A%2F%2Fuser%3Atoken%40host`)
_ENCODED_USERINFO = re.compile(r"(?i)(%3A%2F%2F)[^\s/?#@%\"'<>`|\\]*(?:%[0-9A-F]{2}[^\s/?#@%\"'<>`|\\]*)*?%40")
#: scheme-less `user:token@host.tld/path` (Go replace directives, pip and npm config): host must look like one
_BARE_USERINFO = re.compile(
    r"(?<![A-Za-z0-9+.\-/:@%])(?!mailto:)[A-Za-z0-9._~!$'()*+,=\-]+:[^\s/@:\"'<>`|\\]+@"
    r"(?=[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+(?::\d+)?(?:[/:\s\"'<>`|]|$))"
)

#: the same inside a purl, where `@` is percent-encoded (`pkg:golang/user:token%40host/path@v1`)
_ENCODED_BARE_USERINFO = re.compile(
    r"(?i)(?<=/)[A-Za-z0-9._~!$'()*+,=\-]+(?::|%3A)[^\s/@:%\"'<>`|\\]+%40"
    r"(?=[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)"
)

#: C0 and C1 controls, DEL, and the bidi embeddings, overrides and isolates that reorder what a reader sees
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: the same, keeping tab, line feed and carriage return: the layout of a whole report
_CONTROLS_IN_DOCUMENT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROLS_IN_DOCUMENT_KEEP_ESC = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def redact(text: str) -> str:
    """`text` with every credential-looking part of every URL in it replaced or dropped."""
    if "@" in text:
        text = _SCHEME_USERINFO.sub(r"\1", text)
        text = _BARE_USERINFO.sub("", text)
    if "%" in text:
        text = _ENCODED_USERINFO.sub(r"\1", text)
        text = _ENCODED_BARE_USERINFO.sub("", text)
    if "=" in text or "%3" in text or "%3d" in text:
        text = _SECRET_PARAMETER.sub(_redacted_parameter, text)
    return text


def _redacted_parameter(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        return f"{match.group(1)}{match.group(2)}{REDACTED}"
    return f"{match.group(4)}{match.group(5)}{match.group(6)}{REDACTED}"


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """Control and bidi characters as visible escapes (`\\x1b`, `\\u202e`): inert on a terminal and a page."""
    return _CONTROLS.sub(_escape, text)


def safe_text(text: str) -> str:
    """The one transformation every string from an input gets before it leaves the process."""
    return escape_controls(redact(text))


def safe_output(text: str, keep_ansi: bool = False) -> str:
    """A whole rendered report: credentials redacted, controls escaped except the layout's tab and line breaks
    (and ESC when `keep_ansi`, for the colours of the table view, whose input strings were escaped already)."""
    pattern = _CONTROLS_IN_DOCUMENT_KEEP_ESC if keep_ansi else _CONTROLS_IN_DOCUMENT
    return pattern.sub(_escape, redact(text))


def redact_url(text: str) -> str:
    """Drop `user:password@` and redact secret-looking query parameters (kept for callers of the old name)."""
    return redact(text)


def _safe_value(value: Any) -> Any:
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, list):
        return [_safe_value(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_safe_value(item) for item in value)
    if isinstance(value, dict):
        return {_safe_value(key): _safe_value(item) for key, item in value.items()}
    return value


def scrub(components: list[Component]) -> None:
    """Redact credentials and escape controls in every string field of `components`, in place."""
    for component in components:
        for item in dataclasses.fields(component):
            value = getattr(component, item.name)
            if item.name == "sources":
                component.sources = [Location(safe_text(s.path), s.line) for s in value]
            elif isinstance(value, (str, list, dict)) and value:
                setattr(component, item.name, _safe_value(value))
