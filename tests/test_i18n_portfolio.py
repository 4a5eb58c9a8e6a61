"""The portfolio in French: `inventory scan --lang fr` and `inventory report --lang fr` give French Markdown and
HTML with the locale's numbers and dates, and the same JSON bytes whatever the language."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, run_cli

EXAMPLE = ROOT / "examples" / "inventory"
NNBSP, NBSP = "\u202f", "\u00a0"


def _inventory(*args: str, env: dict[str, str] | None = None) -> str:
    run = run_cli("inventory", "scan", str(EXAMPLE / "inventory.toml"), "-j", "2", *args, env=env)
    assert run.code == 0, run.stderr
    return run.stdout


@pytest.fixture(scope="module")
def french_markdown() -> str:
    return _inventory("-f", "markdown", "--lang", "fr")


def test_portfolio_markdown_in_french(french_markdown: str) -> None:
    text = french_markdown
    assert "# Audit du portefeuille : Ville d'Exemple" in text
    assert "4 critiques ou élevées" in text
    assert "score moyen 38,8" in text  # a decimal comma
    assert f"Concentration (IHH, 0-10 000) : 1{NNBSP}970 (modérée)" in text  # grouped thousands, band translated
    assert f"5 sur 214 (2{NBSP}%) dont la juridiction est connue" in text  # "n of m", a French percentage
    assert "## Juridictions et droit extraterritorial" in text
    assert "## Alternatives européennes aux principales dépendances extra-européennes" in text
    assert "| sales-crm | élevée |" in text  # the criticality is said in French
    assert "US (extra-européen)" in text
    assert "| aucun (personne physique) |" in text  # a controller's kind, a machine value in JSON
    assert "Pays des contrôleurs : États-Unis" in text  # country names from CLDR
    assert "Portfolio audit" not in text and "Jurisdictions and laws" not in text


def test_portfolio_html_in_french() -> None:
    page = _inventory("-f", "html", "--lang", "fr")
    assert '<html lang="fr">' in page
    assert "Audit de souveraineté du portefeuille" in page
    assert "Niveau d&#39;application le plus bas" in page or "Niveau d'application le plus bas" in page
    assert "Alternatives européennes aux principales dépendances extra-européennes" in page
    assert "Juridictions et droit extraterritorial auxquels les applications sont soumises" in page
    assert "84 contrôleurs" in page
    assert f"1{NNBSP}970" in page
    assert "États-Unis" in page
    assert "Who the organisation depends on most" not in page
    assert "Lowest application level" not in page


def test_portfolio_english_unchanged() -> None:
    text = _inventory("-f", "markdown")
    assert "# Portfolio audit: Ville d'Exemple" in text
    assert "Concentration (HHI, 0-10,000): 1970 (moderate)" in text
    assert "Controller countries: United States" in text


def test_portfolio_json_is_the_same_bytes_in_every_language() -> None:
    english = _inventory("-f", "json")
    assert english == _inventory("-f", "json", "--lang", "fr")
    assert english == _inventory("-f", "json", env={"LANG": "fr_FR.UTF-8"})


def test_inventory_report_in_french_with_french_dates(tmp_path: Path) -> None:
    from depscan.inventory import pushed, storage

    report_file = tmp_path / "hr.json"
    scanned = run_cli(
        "scan", "apps/hr-intranet/sbom.cdx.json", "-f", "json", "-o", str(report_file), "--fail-on", "none", cwd=EXAMPLE
    )
    assert scanned.code == 0, scanned.stderr
    location = str(tmp_path / "store.db")
    store = storage.open_store(location)
    try:
        for name, moment in (("old-app", "2026-01-05T12:00:00Z"), ("new-app", "2026-03-01T12:00:00Z")):
            result = pushed.result_from_report(pushed.read_report(str(report_file)), name, "r.json")
            store.push(pushed.make_push(result, pushed.PushMetadata(name, commit="c"), None, pushed_at=moment))
    finally:
        store.close()
    base = ("inventory", "report", "--store", location, "--at", "2026-03-10", "--max-age", "30")
    markdown = run_cli(*base, "-f", "markdown", "--lang", "fr")
    assert markdown.code == 0, markdown.stderr
    assert "périmée (analysée le 5 janvier 2026)" in markdown.stdout
    assert "1 sur 2 périmées (plus de 30 jours)" in markdown.stdout
    html = run_cli(*base, "-f", "html", "--lang", "fr")
    assert "périmée : analysée le 5 janvier 2026" in html.stdout
    assert "1 sur 2 périmées (plus de 30 jours)" in html.stdout
    assert "stale (older than" not in html.stdout and "stale: scanned" not in html.stdout
    assert run_cli(*base, "-f", "json", "--lang", "fr").stdout == run_cli(*base, "-f", "json").stdout
