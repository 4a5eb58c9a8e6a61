"""HTTP for the online sources: timeouts, retries with backoff, and a breaker per source.

requests does the HTTP: it honours HTTP(S)_PROXY, NO_PROXY and REQUESTS_CA_BUNDLE
from the environment (trust_env stays on), which is what a corporate network
needs. One session per thread (requests sessions are not guaranteed
thread-safe). A 429 or a 5xx answer is retried with exponential backoff,
honouring Retry-After up to a cap; a source that stays rate-limited, cannot be
reached, or keeps failing is switched off for the rest of the run with one
warning, and the scan goes on with what the cache and the other sources know.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
import requests

from depscan import __version__

USER_AGENT = f"depscan/{__version__} (software sovereignty scanner; package coordinates only)"
_RETRY_STATUSES = {429, 500, 502, 503, 504}
_NOT_FOUND_STATUSES = {404, 410}
_MAX_ANSWER_BYTES = 16 * 1024 * 1024
_FAILURES_BEFORE_GIVING_UP = 3


class NotFound(Exception):
    """The source answered that it does not know this package version."""


class Unavailable(Exception):
    """The source cannot answer now (switched off, unreachable, rate-limited); try the cache."""


class BadAnswer(Exception):
    """One answer could not be used (malformed JSON, unexpected status); other look-ups go on."""


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class HttpSettings:
    timeout: float = 10.0  # seconds, connect and read each
    retries: int = 3  # after the first attempt, for 429, 5xx and timeouts
    backoff: float = 0.5  # seconds; doubles at each retry
    max_wait: float = 30.0  # longest Retry-After honoured

    @classmethod
    def from_environment(cls) -> HttpSettings:
        """Overridable for slow networks and for tests (DEPSCAN_HTTP_TIMEOUT, _RETRIES, _BACKOFF)."""
        return cls(
            timeout=_env_float("DEPSCAN_HTTP_TIMEOUT", cls.timeout),
            retries=int(_env_float("DEPSCAN_HTTP_RETRIES", cls.retries)),
            backoff=_env_float("DEPSCAN_HTTP_BACKOFF", cls.backoff),
        )


class Fetcher:
    """GET JSON documents for several sources, each with its own breaker."""

    def __init__(
        self,
        settings: HttpSettings | None = None,
        warn: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings or HttpSettings.from_environment()
        self._warn = warn or (lambda message: None)
        self._sleep = sleep
        self._local = threading.local()
        self._lock = threading.Lock()
        self._disabled: dict[str, str] = {}  # source -> why
        self._failures: dict[str, int] = {}  # consecutive failures per source
        self.requests_sent = 0

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
            self._local.session = session
        return session

    def disabled(self, source: str) -> str | None:
        with self._lock:
            return self._disabled.get(source)

    def disable(self, source: str, reason: str) -> None:
        """Switch a source off for the rest of the run, warning once."""
        with self._lock:
            if source in self._disabled:
                return
            self._disabled[source] = reason
        self._warn(f"enrichment: {source} {reason}; using cached answers and other sources for the rest of this scan")

    def _failed(self, source: str, reason: str) -> None:
        with self._lock:
            self._failures[source] = self._failures.get(source, 0) + 1
            count = self._failures[source]
        if count >= _FAILURES_BEFORE_GIVING_UP:
            self.disable(source, f"failed {count} times in a row (last: {reason})")

    def _succeeded(self, source: str) -> None:
        with self._lock:
            self._failures[source] = 0

    def get_json(self, source: str, url: str) -> Any:
        """The parsed JSON at `url`; raises NotFound, Unavailable or BadAnswer."""
        if self.disabled(source):
            raise Unavailable(source)
        settings = self.settings
        last = ""
        retry_after: str | None = None
        for attempt in range(settings.retries + 1):
            if attempt:
                if self.disabled(source):
                    raise Unavailable(source)
                self._sleep(self._delay(attempt, last, retry_after))
            try:
                with self._lock:
                    self.requests_sent += 1
                response = self._session().get(url, timeout=settings.timeout, allow_redirects=True, stream=True)
            except requests.exceptions.Timeout:
                last = f"no answer within {settings.timeout:g}s"
                continue
            except (requests.exceptions.ConnectionError, requests.exceptions.InvalidURL) as exc:
                self.disable(source, f"cannot be reached ({_short(exc)})")
                raise Unavailable(source) from None
            except requests.exceptions.RequestException as exc:
                self._failed(source, _short(exc))
                raise BadAnswer(_short(exc)) from None
            with response:
                status = response.status_code
                if status in _NOT_FOUND_STATUSES:
                    self._succeeded(source)
                    raise NotFound(url)
                if status in _RETRY_STATUSES:
                    last = f"HTTP {status}"
                    retry_after = response.headers.get("Retry-After")
                    continue
                if status != 200:
                    self._failed(source, f"HTTP {status}")
                    raise BadAnswer(f"HTTP {status} from {url}")
                body = _read_limited(response)
            if body is None:
                self._failed(source, "answer too large")
                raise BadAnswer(f"answer from {url} over {_MAX_ANSWER_BYTES} bytes")
            try:
                document = orjson.loads(body)
            except orjson.JSONDecodeError:
                self._failed(source, "malformed JSON")
                raise BadAnswer(f"malformed JSON from {url}") from None
            self._succeeded(source)
            return document
        if last == "HTTP 429":
            self.disable(source, f"is rate-limiting depscan (HTTP 429 after {settings.retries} retries)")
            raise Unavailable(source)
        self._failed(source, last)
        raise BadAnswer(f"{last} from {url} after {settings.retries} retries")

    def _delay(self, attempt: int, last: str, retry_after: str | None) -> float:
        delay = self.settings.backoff * (2 ** (attempt - 1))
        if last == "HTTP 429" and retry_after and retry_after.strip().isdigit():
            delay = max(delay, float(retry_after.strip()))
        return min(delay, self.settings.max_wait)


def _read_limited(response: requests.Response) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=65536):
        size += len(chunk)
        if size > _MAX_ANSWER_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _short(exc: BaseException) -> str:
    """An exception as a few words: requests nests urllib3 errors into very long messages."""
    reason = type(exc).__name__
    text = str(exc)
    for marker in (
        "Name or service not known",
        "Connection refused",
        "Temporary failure in name resolution",
        "Network is unreachable",
        "timed out",
        "certificate verify failed",
        "ProxyError",
    ):
        if marker in text:
            return f"{reason}: {marker}"
    return reason
