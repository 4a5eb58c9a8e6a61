"""Online enrichment against a real local HTTP server serving recorded registry answers.

Nothing here reaches the network: every base URL points at pytest-httpserver
on localhost, which serves tests/fixtures/enrich/ and produces the errors
(404, 429, 500, slow answers, malformed JSON) on demand.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import FIXTURES, ROOT, run_cli
from depscan.enrich.cache import Cache
from depscan.enrich.facts import needs_enrichment
from depscan.enrich.http import BadAnswer, Fetcher, HttpSettings, NotFound, Unavailable
from depscan.enrich.online import SOURCES, OnlineEnricher
from depscan.enrich.source import Source
from depscan.model import Component

EXAMPLE = ROOT / "examples" / "cloud-app"
ANSWERS = FIXTURES / "enrich"
PYTHON_ENV = FIXTURES / "installed" / "cloud-app" / "python-env"
FAST = HttpSettings(timeout=0.5, retries=2, backoff=0.01)


def _recorded(request: Request) -> Response:
    """Route a registry request to its recorded answer, as the real APIs lay out their paths."""
    path = request.path
    patterns: list[tuple[str, Callable[[re.Match[str]], Path]]] = [
        (r"/pypi/([^/]+)/([^/]+)/json", lambda m: ANSWERS / "pypi" / f"{m[1]}-{m[2]}.json"),
        (r"/npm/((?:@[^/]+/)?[^/@]+)/([^/]+)", lambda m: ANSWERS / "npm" / f"{m[1].replace('/', '__')}-{m[2]}.json"),
        (
            r"/depsdev/systems/([^/]+)/packages/(.+)/versions/([^/]+)",
            lambda m: ANSWERS / "depsdev" / f"{m[1]}__{m[2]}-{m[3]}.json",
        ),
        (
            r"/cd/definitions/([^/]+)/[^/]+/[^/]+/([^/]+)/([^/]+)",
            lambda m: ANSWERS / "clearlydefined" / f"{m[1]}__{m[2]}-{m[3]}.json",
        ),
    ]
    for pattern, locate in patterns:
        match = re.fullmatch(pattern, path)
        if match:
            answer = locate(match)
            if answer.is_file():
                return Response(answer.read_bytes(), 200, content_type="application/json")
            break
    return Response('{"message": "Not Found"}', 404, content_type="application/json")


@pytest.fixture
def registry() -> Iterator[HTTPServer]:
    server = HTTPServer(threaded=True)
    server.start()
    server.expect_request(re.compile(".*")).respond_with_handler(_recorded)
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def _environment(server: HTTPServer, tmp_path: Path) -> dict[str, str]:
    base = server.url_for("").rstrip("/")
    return {
        "DEPSCAN_PYPI_URL": f"{base}/pypi",
        "DEPSCAN_NPM_URL": f"{base}/npm",
        "DEPSCAN_DEPSDEV_URL": f"{base}/depsdev",
        "DEPSCAN_CLEARLYDEFINED_URL": f"{base}/cd",
        "DEPSCAN_HTTP_TIMEOUT": "2",
        "DEPSCAN_HTTP_BACKOFF": "0.01",
        "NO_PROXY": "localhost,127.0.0.1",
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
    }


def _coverage(report: dict) -> tuple[int, int, int]:
    components = [c for c in report["components"] if c["kind"] != "registry"]
    licensed = sum(1 for c in components if c["license"]["category"] != "unknown")
    published = sum(1 for c in components if c["suppliers"] or c["repository"])
    return len(components), licensed, published


# -- the CLI, end to end -------------------------------------------------------------------


def test_nothing_is_sent_without_enrich(registry: HTTPServer, tmp_path: Path) -> None:
    result = run_cli("scan", str(EXAMPLE / "requirements.txt"), "-f", "json", env=_environment(registry, tmp_path))
    assert result.code in (0, 1), result.stderr
    assert registry.log == []
    assert not (tmp_path / "xdg").exists()


def test_enrich_fills_the_rest_and_the_second_run_is_served_from_the_cache(
    registry: HTTPServer, tmp_path: Path
) -> None:
    shutil.copy(EXAMPLE / "requirements.txt", tmp_path)
    shutil.copytree(PYTHON_ENV, tmp_path / ".venv")
    cache = tmp_path / "cache"
    args = ("scan", str(tmp_path / "requirements.txt"), "-f", "json", "--fail-on", "none", "--enrich")
    first = run_cli(*args, "--cache-dir", str(cache), env=_environment(registry, tmp_path))
    assert first.code == 0, first.stderr
    report = first.json()
    assert _coverage(report) == (51, 51, 51)  # installed metadata left protobuf's publisher: deps.dev knows its repo
    protobuf = next(c for c in report["components"] if c["name"] == "protobuf")
    assert protobuf["repository"] == "https://github.com/protocolbuffers/protobuf"
    # only the one component the disk could not complete was looked up: PyPI (version page, then project
    # page: neither recorded), then deps.dev
    asked = sorted(request.path for request, _ in registry.log)
    assert asked == [
        "/depsdev/systems/pypi/packages/protobuf/versions/7.36.2",
        "/pypi/protobuf/7.36.2/json",
        "/pypi/protobuf/json",
    ]
    second = run_cli(*args, "--cache-dir", str(cache), env=_environment(registry, tmp_path))
    assert second.code == 0, second.stderr
    assert len(registry.log) == 3  # nothing new asked: both answers (one a "not found") came from the cache
    assert second.stdout == first.stdout


def test_enrich_without_installed_metadata(registry: HTTPServer, tmp_path: Path) -> None:
    env = _environment(registry, tmp_path)
    args = ("scan", str(EXAMPLE / "requirements.txt"), "-f", "json", "--fail-on", "none", "--enrich")
    result = run_cli(*args, "--cache-dir", str(tmp_path / "cache"), env=env)
    assert result.code == 0, result.stderr
    components = {c["name"]: c for c in result.json()["components"]}
    boto3 = components["boto3"]
    assert boto3["license"]["expression"] == "Apache-2.0"
    assert boto3["license"]["evidence"] == f"registry (pypi): {env['DEPSCAN_PYPI_URL']}/boto3/1.44.5/json"
    assert boto3["suppliers"] == ["Amazon Web Services"]
    # PyPI gives mistralai's publisher and repository but no licence: ClearlyDefined has it
    mistral = components["mistralai"]
    assert mistral["suppliers"] == ["Mistral"]
    assert mistral["repository"] == "https://github.com/mistralai/client-python"
    assert mistral["license"]["expression"] == "Apache-2.0"
    assert mistral["license"]["evidence"].startswith("ClearlyDefined: ")
    assert mistral["vendor"]["id"] == "mistral-ai"
    # not recorded: every source answered 404, the component stays unknown and the scan goes on
    assert components["idna"]["license"]["category"] == "unknown"
    assert "warning" not in result.stderr


def test_npm_registry_knows_no_more_than_node_modules(registry: HTTPServer, tmp_path: Path) -> None:
    shutil.copy(EXAMPLE / "package-lock.json", tmp_path)
    shutil.copytree(FIXTURES / "installed" / "cloud-app" / "node_modules", tmp_path / "node_modules")
    args = ("scan", str(tmp_path / "package-lock.json"), "-f", "json", "--fail-on", "none", "--enrich")
    result = run_cli(*args, "--cache-dir", str(tmp_path / "cache"), env=_environment(registry, tmp_path))
    assert result.code == 0, result.stderr
    assert _coverage(result.json()) == (256, 256, 212)
    asked = {request.path for request, _ in registry.log}
    assert "/npm/@scaleway/sdk-account/1.2.0" in asked
    assert len(asked) == 44 * 3  # the 44 @scaleway/sdk-* packages, each asked of npm, deps.dev and ClearlyDefined


def test_rate_limited_registry_warns_once_and_falls_back(tmp_path: Path) -> None:
    server = HTTPServer(threaded=True)
    server.start()
    try:
        server.expect_request(re.compile(".*")).respond_with_response(
            Response("slow down", 429, headers={"Retry-After": "0"})
        )
        env = {**_environment(server, tmp_path), "DEPSCAN_HTTP_RETRIES": "1"}
        args = ("scan", str(EXAMPLE / "requirements.txt"), "-f", "json", "--fail-on", "none", "--enrich")
        result = run_cli(*args, "--cache-dir", str(tmp_path / "cache"), env=env)
    finally:
        server.stop()
    assert result.code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 3, result.stderr  # one per source asked (pypi, deps.dev, ClearlyDefined), not per package
    assert all("rate-limiting" in line for line in warnings)
    assert _coverage(result.json()) == (51, 0, 0)


def test_offline_uses_expired_cache_entries(registry: HTTPServer, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    env = _environment(registry, tmp_path)
    args = ("scan", str(EXAMPLE / "requirements.txt"), "-f", "json", "--fail-on", "none", "--enrich")
    assert run_cli(*args, "--cache-dir", str(cache_dir), env=env).code == 0
    closed = _closed_port()
    offline = {
        key: value.replace(registry.url_for("").rstrip("/"), f"http://127.0.0.1:{closed}") for key, value in env.items()
    }
    result = run_cli(*args, "--cache-dir", str(cache_dir), "--cache-ttl", "0", env=offline)
    assert result.code == 0, result.stderr
    assert "cannot be reached" in result.stderr
    assert "served from an expired cache entry" in result.stderr
    boto3 = next(c for c in result.json()["components"] if c["name"] == "boto3")
    assert boto3["license"]["expression"] == "Apache-2.0"
    assert "cached answer of " in boto3["license"]["evidence"]


def test_proxy_from_the_environment_is_used(
    registry: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """requests keeps trust_env: HTTP_PROXY sends the look-up through the proxy (here, the test server)."""
    proxy = registry.url_for("").rstrip("/")
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    document = _Recorder().fetcher().get_json("pypi", "http://pypi.registry.invalid/pypi/boto3/1.44.5/json")
    assert document["info"]["name"] == "boto3"
    (request, _), *_ = registry.log
    assert request.host == "pypi.registry.invalid"  # the proxy was asked for the registry's URL


def test_cache_export_and_import(registry: HTTPServer, tmp_path: Path) -> None:
    connected, airgapped = tmp_path / "connected", tmp_path / "airgapped"
    env = _environment(registry, tmp_path)
    args = ("scan", str(EXAMPLE / "requirements.txt"), "-f", "json", "--fail-on", "none", "--enrich")
    first = run_cli(*args, "--cache-dir", str(connected), env=env)
    export = tmp_path / "answers.json"
    exported = run_cli("cache", "export", str(export), "--cache-dir", str(connected))
    assert exported.code == 0, exported.stderr
    document = json.loads(export.read_text())
    assert document["schema"] == "depscan-enrich-cache/1"
    assert {"key": "pypi:/boto3/1.44.5/json"}.items() <= next(
        e for e in document["entries"] if e["key"] == "pypi:/boto3/1.44.5/json"
    ).items()
    imported = run_cli("cache", "import", str(export), "--cache-dir", str(airgapped))
    assert imported.code == 0, imported.stderr
    assert f"imported {len(document['entries'])} answer(s)" in imported.stderr
    requests_before = len(registry.log)
    second = run_cli(*args, "--cache-dir", str(airgapped), env=env)
    assert len(registry.log) == requests_before
    assert second.stdout == first.stdout
    info = run_cli("cache", "info", "--cache-dir", str(airgapped))
    assert f"{len(document['entries'])} cached answer(s)" in info.stdout


def _export(entry: str) -> bytes:
    return ('{"schema": "depscan-enrich-cache/1", "entries": [' + entry + "]}").encode()


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b'{"schema": "something-else", "entries": []}',
        _export('{"key": "pypi:/x", "fetched_at": "yesterday", "value": {}}'),
        _export('{"key": "pypi:/x", "fetched_at": 1, "value": {"licenses": 3}}'),
        _export('{"key": "pypi:/x", "fetched_at": 1, "value": {"evil": "x"}}'),
        _export('{"key": "no-source", "fetched_at": 1, "value": {}}'),
    ],
)
def test_cache_import_rejects_what_is_not_an_export(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    result = run_cli("cache", "import", str(bad), "--cache-dir", str(tmp_path / "cache"))
    assert result.code == 2
    assert result.stderr.startswith("depscan: error: ") and "Traceback" not in result.stderr


# -- the HTTP layer, error by error -------------------------------------------------------------


class _Recorder:
    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.sleeps: list[float] = []

    def fetcher(self, settings: HttpSettings = FAST) -> Fetcher:
        return Fetcher(settings, warn=self.warnings.append, sleep=self.sleeps.append)


def test_not_found(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/pypi/nope/1/json").respond_with_json({"message": "Not Found"}, status=404)
    with pytest.raises(NotFound):
        _Recorder().fetcher().get_json("pypi", httpserver.url_for("/pypi/nope/1/json"))


def test_server_errors_are_retried_with_backoff(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/x").respond_with_data("oops", status=500)
    httpserver.expect_ordered_request("/x").respond_with_data("oops", status=503)
    httpserver.expect_ordered_request("/x").respond_with_json({"ok": True})
    recorder = _Recorder()
    assert recorder.fetcher().get_json("pypi", httpserver.url_for("/x")) == {"ok": True}
    assert recorder.sleeps == [0.01, 0.02]
    assert recorder.warnings == []


def test_persistent_server_errors_switch_the_source_off(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x").respond_with_data("oops", status=500)
    recorder = _Recorder()
    fetcher = recorder.fetcher()
    for _ in range(3):
        with pytest.raises(BadAnswer):
            fetcher.get_json("npm", httpserver.url_for("/x"))
    with pytest.raises(Unavailable):
        fetcher.get_json("npm", httpserver.url_for("/x"))
    assert len(recorder.warnings) == 1 and "npm failed 3 times in a row (last: HTTP 500)" in recorder.warnings[0]
    assert len(httpserver.log) == 9  # 3 look-ups of 3 attempts each, then nothing


def test_retry_after_is_honoured_up_to_a_cap(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/x").respond_with_response(Response("", 429, headers={"Retry-After": "3"}))
    httpserver.expect_ordered_request("/x").respond_with_response(Response("", 429, headers={"Retry-After": "999"}))
    httpserver.expect_ordered_request("/x").respond_with_json({})
    recorder = _Recorder()
    recorder.fetcher(HttpSettings(timeout=1, retries=2, backoff=0.01, max_wait=5)).get_json(
        "pypi", httpserver.url_for("/x")
    )
    assert recorder.sleeps == [3.0, 5.0]


def test_slow_answers_time_out(tmp_path: Path) -> None:
    server = HTTPServer(threaded=True)
    server.start()
    try:
        server.expect_request("/slow").respond_with_handler(lambda request: (time.sleep(1.0), Response("{}"))[1])
        recorder = _Recorder()
        started = time.monotonic()
        with pytest.raises(BadAnswer, match=r"no answer within 0\.2s"):
            recorder.fetcher(HttpSettings(timeout=0.2, retries=1, backoff=0.01)).get_json(
                "depsdev", server.url_for("/slow")
            )
        assert time.monotonic() - started < 1.5
    finally:
        server.stop()


def test_malformed_json_is_one_bad_answer(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x").respond_with_data("{not json", content_type="application/json")
    recorder = _Recorder()
    with pytest.raises(BadAnswer, match="malformed JSON"):
        recorder.fetcher().get_json("clearlydefined", httpserver.url_for("/x"))
    assert recorder.warnings == []


def test_unreachable_source_is_switched_off_at_once() -> None:
    recorder = _Recorder()
    fetcher = recorder.fetcher()
    with pytest.raises(Unavailable):
        fetcher.get_json("pypi", f"http://127.0.0.1:{_closed_port()}/x")
    with pytest.raises(Unavailable):
        fetcher.get_json("pypi", f"http://127.0.0.1:{_closed_port()}/y")
    assert len(recorder.warnings) == 1 and "pypi cannot be reached" in recorder.warnings[0]
    assert fetcher.requests_sent == 1


# -- the enricher: sources in order, cache, malformed answers -------------------------------------


class _Fake(Source):
    name = "fake"
    label = "registry (fake)"
    default_url = "http://unused"
    url_variable = "DEPSCAN_FAKE_URL_UNUSED"

    def __init__(self, base: str) -> None:
        self._base = base

    def base_url(self) -> str:
        return self._base

    def path(self, component: Component) -> str | None:
        return f"/{component.name}"

    def parse(self, document: object, url: str):  # type: ignore[no-untyped-def]
        assert isinstance(document, dict)
        return self.facts(url, licenses=tuple(document.get("licenses", ())))


def test_malformed_answer_leaves_the_component_unknown_and_is_not_cached(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/good").respond_with_json({"licenses": ["MIT"]})
    httpserver.expect_request("/bad").respond_with_data("<html>", content_type="text/html")
    good, bad = Component(name="good", version="1"), Component(name="bad", version="1")
    with Cache(tmp_path) as cache:
        enricher = OnlineEnricher(cache, _Recorder().fetcher(), ttl=60, sources=[_Fake(httpserver.url_for(""))])
        report = enricher.run([good, bad], jobs=2)
        assert good.declared_licenses == ["MIT"]
        assert good.properties["license_evidence"] == f"registry (fake): {httpserver.url_for('')}/good"
        assert needs_enrichment(bad)
        assert bad.declared_licenses == []
        assert report.failures and "malformed JSON" in report.failures[0]
        assert cache.get("fake:/good") is not None and cache.get("fake:/bad") is None


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_pypi_project_page_serves_when_the_version_page_is_missing(httpserver: HTTPServer, tmp_path: Path) -> None:
    """Some mirrors only serve /<name>/json: its `info` is used only when it is the version wanted."""
    from depscan.enrich import pypi

    httpserver.expect_request("/pypi/six/json").respond_with_data((ANSWERS / "pypi" / "six-1.17.0.json").read_bytes())
    httpserver.expect_request(re.compile(".*")).respond_with_data("", status=404)
    latest = Component(name="six", version="1.17.0", purl="pkg:pypi/six@1.17.0")
    older = Component(name="six", version="1.16.0", purl="pkg:pypi/six@1.16.0")

    class LocalPypi(pypi.PypiSource):
        def base_url(self) -> str:
            return httpserver.url_for("/pypi").rstrip("/")

    with Cache(tmp_path) as cache:
        OnlineEnricher(cache, _Recorder().fetcher(), ttl=60, sources=[LocalPypi()]).run([latest, older])
        assert latest.declared_licenses == ["MIT"]
        assert latest.properties["license_evidence"] == f"registry (pypi): {httpserver.url_for('/pypi/six/json')}"
        assert older.declared_licenses == []
        assert cache.get("pypi:/six/1.16.0/json").value["missing"] is True  # type: ignore[union-attr]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["info", "license", "licenses", "classifiers", "author", "project_urls", "repository", "links",
             "relatedProjects", "licensed", "declared", "described", "sourceLocation", "url", "label", "provider"]
        ) | st.text(max_size=8),
        children,
        max_size=5,
    ),
    max_leaves=25,
)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(document=_JSON)
def test_sources_parse_any_json_without_raising(document: object) -> None:
    for source in SOURCES:
        facts = source.parse(document, "https://example.invalid/x")
        assert all(isinstance(v, str) for v in (*facts.licenses, *facts.suppliers))


def test_enrich_and_cache_dir_from_the_configuration_file(registry: HTTPServer, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(EXAMPLE / "requirements.txt", project)
    (project / "depscan.toml").write_text('enrich = true\ncache_dir = "cache"\n')
    env = _environment(registry, tmp_path)
    result = run_cli("scan", "requirements.txt", "-f", "json", "--fail-on", "none", cwd=project, env=env)
    assert result.code == 0, result.stderr
    assert registry.log, "enrich = true in depscan.toml must turn the online look-ups on"
    assert (project / "cache").is_dir()  # cache_dir is relative to the configuration file
    sent = len(registry.log)
    off = run_cli("scan", "requirements.txt", "-f", "json", "--no-enrich", cwd=project, env=env)
    assert off.code in (0, 1), off.stderr
    assert len(registry.log) == sent  # the flag overrides the file


@pytest.mark.parametrize("value, sends", [("1", True), ("yes", True), ("off", False)])
def test_enrich_from_the_environment(registry: HTTPServer, tmp_path: Path, value: str, sends: bool) -> None:
    env = {**_environment(registry, tmp_path), "DEPSCAN_ENRICH": value}
    result = run_cli("scan", str(EXAMPLE / "requirements.txt"), "-f", "json", "--fail-on", "none", env=env)
    assert result.code == 0, result.stderr
    assert bool(registry.log) is sends


def test_enrich_setting_must_be_a_boolean(tmp_path: Path) -> None:
    (tmp_path / "depscan.toml").write_text('enrich = "sometimes"\n')
    result = run_cli("scan", str(EXAMPLE / "requirements.txt"), "-f", "json", cwd=tmp_path)
    assert result.code == 2 and "enrich must be true or false" in result.stderr
    bad_env = run_cli("scan", str(EXAMPLE / "requirements.txt"), env={"DEPSCAN_ENRICH": "maybe"})
    assert bad_env.code == 2 and "DEPSCAN_ENRICH" in bad_env.stderr
