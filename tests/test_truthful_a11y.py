"""Presentation checks of the HTML reports in a real browser (issue 12): axe-core finds no WCAG 2 A/AA
violation (contrast of the level badges, table captions, header scopes), and at the width of an A4 page
the level gauge and the score bar stay inside their cards. Skipped where Chromium or axe-core is missing."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HERE = FIXTURES / "truthful"
#: an A4 page less 10 mm margins, in CSS pixels (96 dpi)
A4_CONTENT_WIDTH = 718


@pytest.fixture(scope="module")
def axe_source(tmp_path_factory) -> str:
    if CHROMIUM is None:
        pytest.skip("chromium not available")
    given = os.environ.get("DEPSCAN_AXE_CORE")
    if given and Path(given).is_file():
        return Path(given).read_text(encoding="utf-8")
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm not available to fetch axe-core")
    prefix = tmp_path_factory.mktemp("axe")
    installed = subprocess.run(
        [npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix), "axe-core"],
        capture_output=True,
        timeout=180,
    )
    script = prefix / "node_modules" / "axe-core" / "axe.min.js"
    if installed.returncode != 0 or not script.is_file():
        pytest.skip("axe-core could not be installed")
    return script.read_text(encoding="utf-8")


_PROBE = """<script>%s</script><script>
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}}).then(function (r) {
  var overflow = [];
  document.querySelectorAll('.gauge, .meter').forEach(function (el) {
    var card = el.closest('.card').getBoundingClientRect(), box = el.getBoundingClientRect();
    if (box.right > card.right + 0.5 || box.left < card.left - 0.5) overflow.push(el.getAttribute('class'));
  });
  var out = document.createElement('pre');
  out.id = 'probe-results';
  out.textContent = JSON.stringify({
    violations: r.violations.map(function (v) {
      return {id: v.id, nodes: v.nodes.slice(0, 3).map(function (n) { return n.html; })};
    }),
    overflow: overflow
  });
  document.body.appendChild(out);
});
</script></body>"""


def _probe(report: Path, axe: str, tmp_path: Path) -> dict:
    text = report.read_text(encoding="utf-8")
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)  # let the probe script run
    page = tmp_path / f"probe-{report.stem}.html"
    page.write_text(text.replace("</body>", _PROBE % axe), encoding="utf-8")
    dumped = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--window-size={A4_CONTENT_WIDTH},1100",
            "--virtual-time-budget=15000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.search(r'<pre id="probe-results">(.*?)</pre>', dumped.stdout, re.DOTALL)
    assert found, dumped.stderr[-2000:]
    return json.loads(html.unescape(found.group(1)))


def test_scan_report_is_accessible_and_fits_a4(cli, axe_source, tmp_path):
    report = tmp_path / "report.html"
    run = cli(
        "scan",
        str(HERE / "app"),
        "--vendor-db",
        str(HERE / "db"),
        "--format",
        "html",
        "--output",
        str(report),
        "--fail-on",
        "none",
    )
    assert run.code == 0, run.stderr
    results = _probe(report, axe_source, tmp_path)
    assert results["violations"] == []
    assert results["overflow"] == []
    page = report.read_text(encoding="utf-8")
    assert page.count("<table") == page.count("<caption>")
    assert not re.search(r"<th(?![^>]*scope=)[\s>]", page)


def test_portfolio_report_is_accessible(cli, axe_source, tmp_path):
    inventory = Path(__file__).resolve().parents[1] / "examples" / "inventory" / "inventory.toml"
    report = tmp_path / "portfolio.html"
    run = cli("inventory", "scan", str(inventory), "--format", "html", "--output", str(report))
    assert report.is_file(), run.stderr
    results = _probe(report, axe_source, tmp_path)
    assert results["violations"] == []
    page = report.read_text(encoding="utf-8")
    assert page.count("<table") == page.count("<caption>")
    assert not re.search(r"<th(?![^>]*scope=)[\s>]", page)
