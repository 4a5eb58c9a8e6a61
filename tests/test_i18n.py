"""French and English: every message translated, the language chosen by --lang, configuration or locale, numbers
and dates in the locale's form, and machine output (JSON) the same bytes whatever the language."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

try:  # Babel 2.15 renamed parse_mapping (which reads a babel.cfg) to parse_mapping_cfg
    from babel.messages.frontend import parse_mapping_cfg
except ImportError:  # pragma: no cover - older Babel
    from babel.messages.frontend import parse_mapping as parse_mapping_cfg
from babel.messages.pofile import read_po

from conftest import FIXTURES, ROOT, run_cli

SBOM = FIXTURES / "pipeline" / "syft.cdx.json"
PO = ROOT / "src" / "depscan" / "locale" / "fr" / "LC_MESSAGES" / "depscan.po"
#: the keywords of depscan.i18n (tr, ntr, N_, Text) and of jinja2.ext.i18n (_, ngettext), as babel.cfg says
KEYWORDS = {"tr": None, "ntr": (1, 2), "N_": None, "Text": None, "_": None, "ngettext": (1, 2)}
#: 2026-12-04T00:00:00Z: the date reports state
EPOCH = {"SOURCE_DATE_EPOCH": "1796342400"}
NNBSP, NBSP = "\u202f", "\u00a0"


def extracted() -> set[str | tuple[str, ...]]:
    """Every message id of the sources and templates, extracted now with Babel as translators extract them."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    return {message for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS)}


def test_every_message_has_a_french_translation() -> None:
    ids = extracted()
    assert len(ids) > 250  # the extraction found the Python sources and the templates
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    missing = []
    for message_id in ids:
        key = message_id[0] if isinstance(message_id, tuple) else message_id
        entry = catalog.get(key)
        strings = entry.string if entry is not None else None
        forms = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or entry.fuzzy or not all(forms):
            missing.append(key)
    assert not missing, f"{len(missing)} of {len(ids)} messages without French: {sorted(missing)[:20]}"


def test_a_message_without_translation_is_caught(tmp_path: Path) -> None:
    """The check above can fail: a template message absent from the catalog is reported."""
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    assert catalog.get("Sovereignty level") is not None
    assert catalog.get("a message nobody translated") is None


def test_locale_numbers_percentages_and_dates() -> None:
    from depscan import i18n

    i18n.activate("fr")
    assert i18n.number(1234) == f"1{NNBSP}234"
    assert i18n.percent(0.125, 1) == f"12,5{NBSP}%"
    assert i18n.date("2026-12-04") == "4 décembre 2026"
    i18n.activate("en")
    assert i18n.number(1234) == "1234"
    assert i18n.percent(0.125, 1) == "12.5%"
    assert i18n.date("2026-12-04") == "2026-12-04"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LC_ALL": "fr_FR.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
        ({"LC_ALL": "", "LC_MESSAGES": "fr_BE.UTF-8", "LANG": "C"}, "fr"),
        ({"LANG": "fr_CA.UTF-8"}, "fr"),
        ({"LC_ALL": "C.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),  # LC_ALL wins
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_locale_language(env: dict[str, str], expected: str) -> None:
    from depscan.i18n import locale_language

    assert locale_language(env) == expected


def test_table_in_french() -> None:
    run = run_cli("scan", str(SBOM), "--lang", "fr", "-f", "table", "--fail-on", "none")
    assert run.code == 0, run.stderr
    text = " ".join(run.stdout.split())  # the terminal view wraps long lines
    assert "niveau de souveraineté" in text
    assert "dépendance extra-européenne : 141 sur 309" in text
    assert "Contrôleurs par pays" in text
    assert f"(26{NBSP}%)" in run.stdout  # a percentage the French way
    assert "plancher sur 142 dépendances" in text  # the level's reason, translated
    assert "moyenne extra-eu-sdk" in text  # the severity is said in French, the rule id stays


def test_markdown_in_french_with_translated_rules_and_dates() -> None:
    run = run_cli("scan", str(SBOM), "--lang", "fr", "-f", "markdown", "--fail-on", "none", env=EPOCH)
    assert run.code == 0, run.stderr
    text = run.stdout
    assert "## depscan : niveau de souveraineté 1: souveraineté juridique" in text
    assert "| critique | élevée | moyenne | faible | info |" in text
    assert "Produit le 4 décembre 2026 par depscan" in text
    assert "SDK d'un service contrôlé hors UE/EEE" in text  # rule title from [rule.fr]
    assert "SDK of a service controlled outside the EU/EEA" not in text
    assert "lie l'application à Amazon Web Services" in text  # the finding message from [rule.fr]


def test_html_in_french() -> None:
    run = run_cli("scan", str(SBOM), "--lang", "fr", "-f", "html", "--fail-on", "none", env=EPOCH)
    assert run.code == 0, run.stderr
    page = run.stdout
    assert '<html lang="fr">' in page
    assert "Niveau de souveraineté" in page
    assert "Principales expositions" in page
    assert "Qui contrôle les dépendances" in page
    assert "4 décembre 2026" in page
    assert "contrôlés hors UE/EEE" in page
    assert "Which dependencies are controlled outside the EU" not in page


def test_english_stays_the_default() -> None:
    run = run_cli("scan", str(SBOM), "-f", "html", "--fail-on", "none", env=EPOCH)
    assert '<html lang="en">' in run.stdout
    assert "Main exposures" in run.stdout
    assert "Generated 2026-12-04 by depscan" in run.stdout


def test_lang_environment_selects_french() -> None:
    run = run_cli("scan", str(SBOM), "-f", "markdown", "--fail-on", "none", env={"LANG": "fr_FR.UTF-8"})
    assert "niveau de souveraineté" in run.stdout
    forced = run_cli(
        "scan", str(SBOM), "-f", "markdown", "--lang", "en", "--fail-on", "none", env={"LANG": "fr_FR.UTF-8"}
    )
    assert "sovereignty level" in forced.stdout


def test_lang_in_configuration(tmp_path: Path) -> None:
    (tmp_path / "depscan.toml").write_text('lang = "fr"\n')
    run = run_cli("scan", str(SBOM), "-f", "markdown", "--fail-on", "none", cwd=tmp_path)
    assert "niveau de souveraineté" in run.stdout, run.stderr
    (tmp_path / "depscan.toml").write_text('lang = "de"\n')
    bad = run_cli("scan", str(SBOM), "-f", "markdown", cwd=tmp_path)
    assert bad.code == 2
    assert "lang must be one of en, fr" in bad.stderr


def test_json_is_the_same_bytes_in_every_language() -> None:
    english = run_cli("scan", str(SBOM), "-f", "json", "--fail-on", "none", env=EPOCH)
    french = run_cli("scan", str(SBOM), "-f", "json", "--lang", "fr", "--fail-on", "none", env=EPOCH)
    by_locale = run_cli("scan", str(SBOM), "-f", "json", "--fail-on", "none", env={**EPOCH, "LANG": "fr_FR.UTF-8"})
    assert english.code == french.code == by_locale.code == 0
    assert english.stdout == french.stdout == by_locale.stdout
    assert '"level_reason": "floor over' in english.stdout


def test_errors_on_stderr_in_french(tmp_path: Path) -> None:
    broken = tmp_path / "bom.cdx.json"
    broken.write_text("{not json")
    run = run_cli("scan", str(broken), str(SBOM), "--lang", "fr", "-f", "json")
    assert run.code == 3
    assert "depscan: erreur:" in run.stderr
    assert str(broken) in run.stderr


def test_a_rule_file_without_french_falls_back_to_its_own_language(tmp_path: Path) -> None:
    rules = tmp_path / "local.toml"
    rules.write_text(
        '[ruleset]\nid = "local"\n\n[[rule]]\nid = "us-anything"\ntitle = "Controlled from the United States"\n'
        'severity = "low"\nmessage = "{name} is controlled from {country}"\n[rule.when]\n"vendor.country" = "US"\n'
        '\n[[rule]]\nid = "us-sdk"\ntitle = "US SDK"\nseverity = "low"\nmessage = "{name} is an SDK"\n'
        '[rule.fr]\ntitle = "SDK américain"\nmessage = "{name} est un SDK"\n[rule.when]\nkind = "sdk"\n'
        '"vendor.country" = "US"\n'
    )
    run = run_cli("scan", str(SBOM), "--rules", str(rules), "--lang", "fr", "-f", "markdown", "--fail-on", "none")
    assert run.code == 0, run.stderr
    assert "Controlled from the United States" in run.stdout  # no [rule.fr]: its own language
    assert "SDK américain" in run.stdout
    assert "est un SDK" in run.stdout


def test_a_bad_rule_translation_is_refused(tmp_path: Path) -> None:
    rules = tmp_path / "bad.toml"
    rules.write_text(
        '[ruleset]\nid = "bad"\n\n[[rule]]\nid = "x"\nseverity = "low"\n[rule.fr]\nmessage = "{nom}"\n'
        'colour = 1\n[rule.when]\nkind = "sdk"\n'
    )
    run = run_cli("scan", str(SBOM), "--rules", str(rules))
    assert run.code == 2
    assert "nom" in run.stderr
    assert "colour" in run.stderr
