"""The HTML report in a real headless Chromium (Debian's `chromium`, installed by .ci/run), plus static checks.

Chromium runs with networking and background services off, on a `file://` URL: the page must render
with no console message at all (a wrong CSP hash, a script error or a blocked resource would print
one), sort and filter through the URL fragment hook, and keep a component named
`<img src=x onerror=alert(1)>` as text. Set DEPSCAN_SCREENSHOTS=DIR to keep the screen and print
renderings for a human look. Tests that need the browser skip when no Chromium binary is found.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, run_cli

APP = ROOT / "examples" / "cloud-app"
HOSTILE = FIXTURES / "report" / "hostile.cdx.json"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: attributes through which a page can reach a URL
URL_ATTRIBUTES = {"src", "href", "action", "formaction", "srcset", "poster", "data", "xlink:href", "background", "ping"}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The HTML report of the real project plus the hostile SBOM, as the CLI writes it."""
    target = tmp_path_factory.mktemp("html") / "report.html"
    run = run_cli("scan", str(APP), str(HOSTILE), "-f", "html", "-o", str(target), "--fail-on", "medium", cwd=ROOT)
    assert run.code == 1, run.stderr
    return target


@pytest.fixture(scope="module")
def browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium binary (apt-get install chromium)")


def chromium(browser: str, profile: Path, url: str, *flags: str) -> subprocess.CompletedProcess[str]:
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *flags,
        url,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


class Rows(HTMLParser):
    """The rows of one table in a dumped DOM: (attributes, visible) in document order."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.inside = False
        self.depth = 0
        self.rows: list[dict[str, str | None]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "table":
            if values.get("id") == self.table_id:
                self.inside, self.depth = True, 0
            elif self.inside:
                self.depth += 1
        if self.inside and tag == "tr" and "data-name" in values:
            self.rows.append(values)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.inside:
            if self.depth == 0:
                self.inside = False
            else:
                self.depth -= 1


def rows_of(dom: str, table_id: str = "components-table") -> list[dict[str, str | None]]:
    parser = Rows(table_id)
    parser.feed(dom)
    return parser.rows


def dump(browser: str, tmp_path: Path, report: Path, fragment: str = "") -> str:
    run = chromium(browser, tmp_path / "profile", report.as_uri() + fragment, "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    assert not console_messages(run.stderr), console_messages(run.stderr)
    return run.stdout


# -- in the browser -----------------------------------------------------------------------------------


def test_renders_with_no_console_message_and_runs_its_script(browser, report, tmp_path):
    dom = dump(browser, tmp_path, report)
    assert 'data-ready="yes"' in dom  # the inline script ran: its CSP hash matches
    assert 'id="components-table"' in dom and "Which dependencies are controlled outside the EU" in dom


def test_sorting_through_the_url_fragment(browser, report, tmp_path):
    initial = [row["data-name"] for row in rows_of(dump(browser, tmp_path, report))]
    descending = [row["data-name"] for row in rows_of(dump(browser, tmp_path, report, "#sort=components:name:desc"))]
    assert sorted(descending) == sorted(initial) and len(descending) > 300
    assert [name.lower() for name in descending] == sorted((name.lower() for name in descending), reverse=True)
    assert descending != initial
    by_level = dump(browser, tmp_path, report, "#sort=components:level:asc")
    assert 'data-sorted="level:asc"' in by_level and 'aria-sort="ascending"' in by_level


def test_filtering_through_the_url_fragment(browser, report, tmp_path):
    rows = rows_of(dump(browser, tmp_path, report, "#filter=components:firebase/auth"))
    visible = [row["data-name"] or "" for row in rows if "hidden" not in row]
    assert "@firebase/auth" in visible and all(name.startswith("@firebase/auth") for name in visible)
    assert len(visible) < len(rows)


def test_hostile_component_names_stay_text(browser, report, tmp_path):
    dom = dump(browser, tmp_path, report)
    assert "&lt;img src=x onerror=alert(1)&gt;" in dom
    assert not re.search(r"<img\b", dom) and not re.search(r"<svg[^>]*onload", dom)
    assert len(re.findall(r"<script\b", dom)) == 1  # the report's own script, nothing injected
    names = [row["data-name"] for row in rows_of(dom)]
    assert "<img src=x onerror=alert(1)>" in names and "</script><script>alert(2)</script>" in names


def test_screen_and_print_renderings(browser, report, tmp_path):
    keep = os.environ.get("DEPSCAN_SCREENSHOTS")
    out = Path(keep) if keep else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    screen = chromium(
        browser, tmp_path / "profile", report.as_uri(), "--window-size=1280,2400", f"--screenshot={out / 'screen.png'}"
    )
    assert screen.returncode == 0 and not console_messages(screen.stderr)
    assert (out / "screen.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = chromium(
        browser, tmp_path / "profile", report.as_uri(), "--no-pdf-header-footer", f"--print-to-pdf={out / 'print.pdf'}"
    )
    assert printed.returncode == 0 and not console_messages(printed.stderr)
    pdf = (out / "print.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 3


# -- static --------------------------------------------------------------------------------------------


class Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.csp: str | None = None
        self.blocks: dict[str, list[str]] = {"style": [], "script": []}
        self._open: str | None = None
        self.inline_handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp = values.get("content")
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value and not value.startswith("#"):
                self.urls.append((tag, name, value))
            if name.startswith("on") or name == "style":
                self.inline_handlers.append(f"{tag} {name}")
        if tag in self.blocks:
            self._open = tag
            self.blocks[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self.blocks[self._open][-1] += data


def test_no_resource_url_and_a_strict_csp(report):
    html = report.read_text(encoding="utf-8")
    audit = Audit()
    audit.feed(html)
    # nothing is loaded from anywhere; the only URLs are links a reader follows to the vendor records' sources
    assert [u for u in audit.urls if not (u[:2] == ("a", "href") and u[2].startswith(("https://", "http://")))] == []
    assert any(u[:2] == ("a", "href") for u in audit.urls)
    assert audit.inline_handlers == []  # no inline event handler or style attribute, which the CSP would block
    assert len(audit.blocks["style"]) == 1 and len(audit.blocks["script"]) == 1
    css, js = audit.blocks["style"][0], audit.blocks["script"][0]
    assert "url(" not in css and "@import" not in css
    assert not re.search(r"\b(fetch|XMLHttpRequest|WebSocket|EventSource|import\s*\(|eval|innerHTML)\b", js)
    csp = audit.csp or ""
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp

    def digest(text: str) -> str:
        return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()

    assert f"style-src '{digest(css)}'" in csp and f"script-src '{digest(js)}'" in csp


def test_report_content_for_the_security_officer(report):
    html = report.read_text(encoding="utf-8")
    for section in ("summary", "indicators", "charts", "exposures", "findings", "components", "rules", "inputs"):
        assert f'id="{section}"' in html, section
    for chart in ("by-country", "by-controller", "by-licence"):
        assert f'id="chart-{chart}"' in html
    assert "Amazon.com, Inc." in html and "ovhcloud" in html  # controller and EU alternatives
    assert "examples/cloud-app/requirements.txt:" in html  # sources with lines
    assert "extra-eu-sdk" in html and "What to do" in html
