"""Keep credentials out of everything depscan reports.

Lockfiles and manifests carry registry and download URLs, and private ones
often embed a token (`https://user:token@host/…`, `?token=…`). Readers keep
URLs as found; `scrub` runs once on every reader's result, so no report
format and no later step can leak them.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from depscan.model import Component

_SECRET_PARAMETER = re.compile(r"token|secret|password|passwd|auth|key|sig|credential", re.IGNORECASE)
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
REDACTED = "REDACTED"


def redact_url(text: str) -> str:
    """Drop `user:password@` and secret-looking query parameters from a URL; other text is returned as is."""
    if not _HAS_SCHEME.match(text) or ("@" not in text and "?" not in text):
        return text
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    netloc = parts.netloc.rsplit("@", 1)[-1] if "@" in parts.netloc else parts.netloc
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_PARAMETER.search(name) for name, _ in pairs):
            query = urlencode([(n, REDACTED if _SECRET_PARAMETER.search(n) else v) for n, v in pairs])
    if netloc == parts.netloc and query == parts.query:
        return text
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_url(value)
    if isinstance(value, list):
        return [_scrub_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_value(item) for key, item in value.items()}
    return value


def scrub(components: list[Component]) -> None:
    """Redact credentials in the URL-bearing fields of `components`, in place."""
    for component in components:
        if component.repository:
            component.repository = redact_url(component.repository)
        if component.endpoints:
            component.endpoints = [redact_url(e) for e in component.endpoints]
        if component.properties:
            component.properties = _scrub_value(component.properties)
