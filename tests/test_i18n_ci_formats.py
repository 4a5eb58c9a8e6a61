"""SARIF, GitLab Code Quality and JUnit in French: the rules' descriptions and the results' messages a reviewer
reads are translated; rule ids, fingerprints, severities and the documents' structure are the same."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from conftest import FIXTURES, run_cli

SBOM = FIXTURES / "pipeline" / "syft.cdx.json"


def _scan(fmt: str, *args: str) -> str:
    run = run_cli("scan", str(SBOM), "-f", fmt, "--fail-on", "none", *args)
    assert run.code == 0, run.stderr
    return run.stdout


def _skeleton(value: object) -> object:
    """The document without its human text: keys, ids, numbers and enum values only."""
    if isinstance(value, dict):
        return {k: _skeleton(v) for k, v in value.items() if k not in ("text", "markdown", "description", "language")}
    if isinstance(value, list):
        return [_skeleton(v) for v in value]
    return value


def test_sarif_in_french_same_ids_and_fingerprints() -> None:
    english = json.loads(_scan("sarif"))
    french = json.loads(_scan("sarif", "--lang", "fr"))
    assert _skeleton(french) == _skeleton(english)
    run = french["runs"][0]
    assert run["language"] == "fr-FR" and "language" not in english["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules["extra-eu-sdk"]["shortDescription"]["text"] == "SDK d'un service contrôlé hors UE/EEE"
    assert "Pourquoi c'est important :" in rules["extra-eu-sdk"]["help"]["markdown"]
    assert "Que faire :" in rules["extra-eu-sdk"]["help"]["markdown"]
    assert "the vendor" not in json.dumps(run, ensure_ascii=False)  # template words said in French too
    messages = [r["message"]["text"] for r in run["results"]]
    assert any("lie l'application à Amazon Web Services" in m for m in messages)
    assert not any("ties the application to" in m for m in messages)


def test_gitlab_in_french_same_fingerprints() -> None:
    english = json.loads(_scan("gitlab"))
    french = json.loads(_scan("gitlab", "--lang", "fr"))
    assert _skeleton(french) == _skeleton(english)
    assert [i["fingerprint"] for i in french] == [i["fingerprint"] for i in english]
    assert any("lie l'application à Amazon Web Services" in i["description"] for i in french)


def test_junit_in_french_same_test_names() -> None:
    run = run_cli("scan", str(SBOM), "-f", "junit", "--fail-on", "medium", "--lang", "fr")
    english = run_cli("scan", str(SBOM), "-f", "junit", "--fail-on", "medium")
    assert run.code == english.code == 1
    fr, en = ET.fromstring(run.stdout.encode()), ET.fromstring(english.stdout.encode())
    names = lambda root: [(c.get("classname"), c.get("name")) for c in root.iter("testcase")]  # noqa: E731
    assert names(fr) == names(en)
    failures = [f for f in fr.iter("failure")]
    assert failures and all(f.get("type") in ("critical", "high", "medium") for f in failures)
    assert any("au niveau moyenne ou au-dessus" in (f.get("message") or "") for f in failures)
    assert any("[moyenne]" in (f.text or "") and "(ligne 1) :" in (f.text or "") for f in failures)
    assert not any("at or above" in (f.get("message") or "") for f in failures)
