"""CSV and XLSX in French: headers, sheet names and summary labels translated; the cells a script reads (ids,
purls, enum values, yes/no, numbers) the same in every language."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from conftest import FIXTURES, ROOT, run_cli

SBOM = FIXTURES / "pipeline" / "syft.cdx.json"
INVENTORY = ROOT / "examples" / "inventory" / "inventory.toml"


def _scan(*args: str) -> str:
    run = run_cli("scan", str(SBOM), "--fail-on", "none", *args)
    assert run.code == 0, run.stderr
    return run.stdout


def _workbook(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(path.read_bytes()))


def test_csv_header_in_french_values_unchanged() -> None:
    english = _scan("-f", "csv").splitlines()
    french = _scan("-f", "csv", "--lang", "fr").splitlines()
    assert english[0].startswith("component,version,purl,ecosystem,kind")
    assert french[0].startswith("composant,version,purl,écosystème,nature")
    assert "gravité maximale" in french[0] and "raison du niveau" in french[0]
    assert french[1:] == english[1:]  # ids, enum values, yes/no: what a script reads
    assert ",sdk," in french[1] and ",medium," in french[1]


def test_xlsx_sheets_and_headers_in_french(tmp_path: Path) -> None:
    english, french = tmp_path / "en.xlsx", tmp_path / "fr.xlsx"
    _scan("-f", "xlsx", "-o", str(english))
    _scan("-f", "xlsx", "--lang", "fr", "-o", str(french))
    en, fr = _workbook(english), _workbook(french)
    assert en.sheetnames[:4] == ["Summary", "Components", "Findings", "Rules"]
    assert fr.sheetnames[:4] == ["Synthèse", "Composants", "Constats", "Règles"]
    assert "Entrées" in fr.sheetnames
    header = [cell.value for cell in fr["Constats"][1]]
    assert header[:3] == ["gravité", "règle", "titre"] or header[:2] == ["gravité", "règle"]
    assert fr["Synthèse"]["A1"].value == "rapport de souveraineté depscan"
    labels = [row[0].value for row in fr["Synthèse"].iter_rows()]
    assert "Niveau de souveraineté" in labels and "Contrôlés hors UE/EEE" in labels
    # severities and rule ids stay machine values; the rule title is said in French
    first = [cell.value for cell in fr["Constats"][2]]
    assert first[0] in ("critical", "high", "medium", "low", "info")
    assert first[1] == [cell.value for cell in en["Findings"][2]][1]
    components_en = [[c.value for c in row] for row in en["Components"].iter_rows(min_row=2)]
    components_fr = [[c.value for c in row] for row in fr["Composants"].iter_rows(min_row=2)]
    assert components_fr == components_en


@pytest.fixture(scope="module")
def portfolio_sheets(tmp_path_factory) -> tuple[openpyxl.Workbook, openpyxl.Workbook, str, str]:
    folder = tmp_path_factory.mktemp("portfolio")
    books = []
    for lang in ("en", "fr"):
        out = folder / f"{lang}.xlsx"
        run = run_cli("inventory", "scan", str(INVENTORY), "-j", "2", "-f", "xlsx", "-o", str(out), "--lang", lang)
        assert run.code == 0, run.stderr
        books.append(_workbook(out))
    csvs = []
    for lang in ("en", "fr"):
        run = run_cli("inventory", "scan", str(INVENTORY), "-j", "2", "-f", "csv", "--lang", lang)
        assert run.code == 0, run.stderr
        csvs.append(run.stdout)
    return books[0], books[1], csvs[0], csvs[1]


def test_portfolio_xlsx_and_csv_in_french(portfolio_sheets) -> None:
    en, fr, csv_en, csv_fr = portfolio_sheets
    assert fr.sheetnames[:3] == ["Synthèse", "Applications", "Contrôleurs"]
    assert {"Juridictions", "Lois", "Alternatives européennes", "Opportunités", "Erreurs"} <= set(fr.sheetnames)
    header = [cell.value for cell in fr["Applications"][1]]
    assert header[:5] == ["application", "responsable", "criticité", "sensibilité des données", "état"]
    assert fr["Synthèse"]["A1"].value == "audit de portefeuille depscan"
    # the controller ids, countries and EU flags a script filters on are the same bytes
    ids_en = [[c.value for c in row][:4] for row in en["Controllers"].iter_rows(min_row=2)]
    ids_fr = [[c.value for c in row][:4] for row in fr["Contrôleurs"].iter_rows(min_row=2)]
    assert ids_fr == ids_en
    assert csv_en.splitlines()[0].startswith("application,owner,criticality")
    assert csv_fr.splitlines()[0].startswith("application,responsable,criticité")
    rows_en = list(csv.reader(io.StringIO(csv_en)))[1:]
    rows_fr = list(csv.reader(io.StringIO(csv_fr)))[1:]
    assert [row[:6] for row in rows_fr] == [row[:6] for row in rows_en]  # name, owner, enum values, level
    assert "ok" in [row[4] for row in rows_fr]  # status is a machine value
