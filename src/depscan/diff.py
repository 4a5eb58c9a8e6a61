"""What a change does to an application's exposure: two JSON reports compared, as plain data.

A pull request is judged on what it adds: the components that appear or disappear, the
controllers and jurisdictions the application did not depend on before, the change of level and
score, and the findings that are new or resolved (by the stable fingerprints of
policy.baseline, so that a line move or an upgrade of the same package is neither). Both reports
must use the same fingerprint scheme and rule set, or the comparison would be meaningless.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from depscan.errors import ConfigError
from depscan.model import severity_rank
from depscan.policy.baseline import read_report

SCHEMA = "depscan-diff/1"


def load_pair(old_path: str | Path, new_path: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both reports, checked to be comparable; ConfigError (exit 2) otherwise."""
    old, new = read_report(old_path), read_report(new_path)
    if (old.get("ruleset") or "") != (new.get("ruleset") or ""):
        raise ConfigError(
            f"{old_path} was made with rule set {old.get('ruleset')!r}, {new_path} with {new.get('ruleset')!r}: "
            "scan both with the same --rules"
        )
    return old, new


def identity(component: dict[str, Any]) -> str:
    """A component across versions: its purl without version, qualifiers and subpath, else ecosystem:name."""
    purl = component.get("purl")
    if purl:
        return str(purl).split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[0]
    ecosystem = component.get("ecosystem")
    return f"{ecosystem}:{component.get('name')}" if ecosystem else str(component.get("name"))


def compare(
    old: dict[str, Any],
    new: dict[str, Any],
    fail_on: str,
    law_names: dict[str, str] | None = None,
    old_path: str = "",
    new_path: str = "",
) -> dict[str, Any]:
    """The difference from `old` to `new` as plain data (schema depscan-diff/1)."""
    law_names = law_names or {}
    old_by, new_by = _by_identity(old["components"]), _by_identity(new["components"])
    new_findings = _findings_by_print(new)
    old_findings = _findings_by_print(old)
    findings_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in new["findings"]:
        findings_of[finding.get("component", "")].append(finding)

    added = [
        _component(c, law_names, findings_of.get(c.get("id", ""), []))
        for key in sorted(set(new_by) - set(old_by))
        for c in new_by[key]
    ]
    removed = [_component(c, law_names, []) for key in sorted(set(old_by) - set(new_by)) for c in old_by[key]]
    changed = []
    for key in sorted(set(old_by) & set(new_by)):
        before = sorted({str(c.get("version")) for c in old_by[key] if c.get("version")})
        after = sorted({str(c.get("version")) for c in new_by[key] if c.get("version")})
        if before != after:
            first = new_by[key][0]
            changed.append({"identity": key, "name": first.get("name"), "from": before, "to": after})

    old_controllers = _controllers(old["components"])
    new_controllers = _controllers(new["components"])
    controllers = [new_controllers[c] for c in sorted(set(new_controllers) - set(old_controllers))]
    gone_controllers = [old_controllers[c] for c in sorted(set(old_controllers) - set(new_controllers))]
    old_countries, new_countries = _countries(old["components"]), _countries(new["components"])
    countries = [new_countries[c] for c in sorted(set(new_countries) - set(old_countries))]
    old_laws, new_laws = _laws(old["components"]), _laws(new["components"])
    laws = [
        {"id": law, "name": law_names.get(law, law), "short": short_law(law, law_names)}
        for law in sorted(new_laws - old_laws)
    ]

    components_new = {c.get("id"): c for c in new["components"]}
    components_old = {c.get("id"): c for c in old["components"]}
    appeared = [
        _finding(new_findings[p], components_new)
        for p in _ordered_prints(new_findings, set(new_findings) - set(old_findings))
    ]
    resolved = [
        _finding(old_findings[p], components_old)
        for p in _ordered_prints(old_findings, set(old_findings) - set(new_findings))
    ]
    failing = [f for f in appeared if _fails(f, fail_on)]
    old_summary, new_summary = old.get("summary") or {}, new.get("summary") or {}
    return {
        "schema": SCHEMA,
        "old": {"path": old_path, "tool_version": (old.get("tool") or {}).get("version")},
        "new": {"path": new_path, "tool_version": (new.get("tool") or {}).get("version")},
        "ruleset": new.get("ruleset"),
        "fail_on": fail_on,
        "level": {"old": old_summary.get("level"), "new": new_summary.get("level")},
        "score": {"old": old_summary.get("score"), "new": new_summary.get("score")},
        "components": {"added": added, "removed": removed, "changed": changed},
        "controllers": {"new": controllers, "gone": gone_controllers},
        "jurisdictions": {"new_countries": countries, "new_laws": laws},
        "findings": {"new": appeared, "resolved": resolved},
        "failing_findings": len(failing),
    }


def short_law(law_id: str, law_names: dict[str, str]) -> str:
    """A law as a sentence names it: 'CLOUD Act', 'Foreign Intelligence Surveillance Act, section 702'."""
    name = law_names.get(law_id)
    if not name:
        return law_id
    acronym = re.search(r"\(([A-Z][A-Z]+(?: Act)?)\)", name)
    if acronym:
        return acronym.group(1)
    if ":" in name:
        return name.split(":", 1)[0].strip()
    name = re.sub(r"\s*\([^)]*\)", "", name).strip()
    parts = [part.strip() for part in name.split(",")]
    kept = [parts[0]] + [p for p in parts[1:] if p.lower().startswith(("section", "article", "art."))]
    return ", ".join(kept)


def _by_identity(components: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for component in components:
        grouped[identity(component)].append(component)
    return grouped


def _component(component: dict[str, Any], law_names: dict[str, str], findings: list[dict[str, Any]]) -> dict[str, Any]:
    vendor = component.get("vendor") or None
    active = [f for f in findings if not f.get("exempted")]
    return {
        "id": component.get("id"),
        "name": component.get("name"),
        "version": component.get("version"),
        "kind": component.get("kind"),
        "direct": component.get("direct"),
        "level": component.get("level"),
        "controller": None
        if vendor is None
        else {
            "id": vendor.get("controller"),
            "name": vendor.get("controller_name") or vendor.get("name"),
            "country": vendor.get("country"),
            "eu": vendor.get("eu"),
            "laws": [{"id": law, "short": short_law(law, law_names)} for law in vendor.get("laws") or []],
        },
        "findings": [{"rule": f.get("rule"), "severity": f.get("severity")} for f in active],
    }


def _controllers(components: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for component in components:
        vendor = component.get("vendor")
        if not vendor or not vendor.get("controller"):
            continue
        entry = found.setdefault(
            vendor["controller"],
            {
                "id": vendor["controller"],
                "name": vendor.get("controller_name") or vendor.get("name"),
                "country": vendor.get("country"),
                "eu": vendor.get("eu"),
                "components": 0,
            },
        )
        entry["components"] += 1
    return found


def _countries(components: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for component in components:
        vendor = component.get("vendor")
        if vendor and vendor.get("country"):
            entry = found.setdefault(
                vendor["country"], {"country": vendor["country"], "eu": vendor.get("eu"), "components": 0}
            )
            entry["components"] += 1
    return found


def _laws(components: list[dict[str, Any]]) -> set[str]:
    return {law for c in components if c.get("vendor") for law in c["vendor"].get("laws") or []}


def _findings_by_print(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["fingerprint"]: f for f in report["findings"] if isinstance(f, dict) and f.get("fingerprint")}


def _ordered_prints(findings: dict[str, dict[str, Any]], prints: set[str]) -> list[str]:
    def key(print_: str) -> tuple[int, str, str]:
        finding = findings[print_]
        return (-severity_rank(finding.get("severity", "info")), finding.get("rule", ""), finding.get("component", ""))

    return sorted(prints, key=key)


def _finding(finding: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    component = components.get(finding.get("component")) or {}
    vendor = component.get("vendor") or {}
    return {
        "fingerprint": finding.get("fingerprint"),
        "rule": finding.get("rule"),
        "severity": finding.get("severity"),
        "title": finding.get("title") or finding.get("rule"),
        "component": finding.get("component"),
        "name": component.get("name") or finding.get("component"),
        "version": component.get("version"),
        "controller": vendor.get("controller_name"),
        "country": vendor.get("country"),
        "message": finding.get("message"),
        "exempted": bool(finding.get("exempted")),
    }


def _fails(finding: dict[str, Any], fail_on: str) -> bool:
    if finding["exempted"] or fail_on == "none":
        return False
    return severity_rank(finding["severity"]) >= severity_rank(fail_on)
