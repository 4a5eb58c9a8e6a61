"""What several report formats share: finding lookups, repository-relative locations, stable
fingerprints, the rule set, the optional policy sections, and cell neutralisation.

Everything here reads a ScanResult and decides nothing: severities, levels and exemptions come
from the policy step as they are.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from depscan.model import SEVERITIES, Component, Finding, Location, ScanResult, severity_rank
from depscan.report import RenderOptions

#: SEAL levels of the EU Cloud Sovereignty Framework, when the policy does not name them itself
_LEVEL_NAMES = {
    0: "no sovereignty",
    1: "jurisdictional sovereignty (EU law on paper)",
    2: "data sovereignty",
    3: "digital resilience",
    4: "full digital sovereignty",
}

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
#: first characters a spreadsheet reads as a formula or a command (OWASP CSV injection), with their fullwidth forms
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


@dataclass(frozen=True)
class RuleInfo:
    """A rule as reports describe it; the full text when the scan carried the rule set, else what findings tell."""

    id: str
    title: str
    severity: str
    description: str = ""
    rationale: str = ""
    references: tuple[str, ...] = ()
    remediation: str = ""  # placeholders replaced by words: the rule, not one finding
    about_vendor: bool = True  # whether the rule tests the controller (so that its findings group by controller)


def findings_by_component(result: ScanResult) -> dict[str, list[Finding]]:
    """Findings of each component id, in the policy's order (most severe first)."""
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        grouped[finding.component].append(finding)
    return grouped


def components_by_id(result: ScanResult) -> dict[str, Component]:
    return {component.id: component for component in result.components}


def active(findings: Iterable[Finding]) -> list[Finding]:
    """The findings an exemption did not accept."""
    return [f for f in findings if not f.exempted]


def worst(findings: Iterable[Finding]) -> Finding | None:
    """The most severe finding that is not exempted."""
    return max(active(findings), key=lambda f: severity_rank(f.severity), default=None)


def is_failing(finding: Finding, fail_on: str) -> bool:
    """Whether this finding alone makes `--fail-on` fail the build."""
    return not finding.exempted and fail_on != "none" and severity_rank(finding.severity) >= severity_rank(fail_on)


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Counts of active findings for every severity, most severe first, zeros included."""
    counts = dict.fromkeys(reversed(SEVERITIES), 0)
    for finding in active(findings):
        counts[finding.severity] += 1
    return counts


def without_version(component: Component) -> str:
    """The component's identity across upgrades: its purl without version, qualifiers and subpath."""
    if component.purl:
        return component.purl.split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[0]
    prefix = f"{component.ecosystem}:" if component.ecosystem else ""
    return f"{prefix}{component.name}"


def primary_location(component: Component) -> Location | None:
    """The first place the component was read from, preferring one with a line number."""
    with_line = [s for s in component.sources if s.line]
    return with_line[0] if with_line else (component.sources[0] if component.sources else None)


def repository_path(path: str, options: RenderOptions) -> tuple[str, bool]:
    """`path` relative to the repository root, with forward slashes, and whether it lies inside it.

    Paths outside the repository come back absolute (code scanning cannot show them in a file).
    Without a base directory, the path is only normalised.
    """
    normalised = path.replace("\\", "/")
    if options.base_dir is None:
        return (normalised[2:] if normalised.startswith("./") else normalised), not os.path.isabs(normalised)
    start = options.working_dir or options.base_dir
    absolute = os.path.normpath(normalised if os.path.isabs(normalised) else os.path.join(start, normalised))
    relative = os.path.relpath(absolute, options.base_dir)
    if relative == ".." or relative.startswith(".." + os.sep) or os.path.isabs(relative):
        return absolute.replace(os.sep, "/"), False
    return relative.replace(os.sep, "/"), True


def fingerprint(*parts: str) -> str:
    """A stable hex digest of identifying parts (NUL-joined so that parts cannot run into each other)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


def unique_fingerprints(keys: list[tuple[str, ...]]) -> list[str]:
    """One fingerprint per key; repeated keys (two versions of one package in one file) get an occurrence suffix."""
    seen: dict[str, int] = defaultdict(int)
    prints = []
    for key in keys:
        base = fingerprint(*key)
        seen[base] += 1
        prints.append(base if seen[base] == 1 else f"{base}:{seen[base]}")
    return prints


def rules_of(result: ScanResult) -> list[RuleInfo]:
    """The rules applied, in rule-set order: from the scan's rule set when it carries one, else from findings."""
    described = getattr(result, "rules", None) or []
    rules: dict[str, RuleInfo] = {}
    for rule in described:
        rule_id = _attribute(rule, "id")
        if not rule_id:
            continue
        rules[str(rule_id)] = RuleInfo(
            id=str(rule_id),
            title=str(_attribute(rule, "title") or rule_id),
            severity=str(_attribute(rule, "severity") or "info"),
            description=str(_attribute(rule, "description") or ""),
            rationale=str(_attribute(rule, "rationale") or ""),
            references=tuple(_attribute(rule, "references") or ()),
            remediation=generic_text(str(_attribute(rule, "remediation") or "")),
            about_vendor=_tests_vendor(rule),
        )
    for finding in result.findings:
        if finding.rule not in rules:
            rules[finding.rule] = RuleInfo(finding.rule, finding.title or finding.rule, finding.severity)
    return list(rules.values())


def _tests_vendor(rule: Any) -> bool:
    """Whether any condition of the rule reads the vendor; True when the rule's conditions are not known."""
    conditions = _attribute(rule, "conditions")
    if not conditions:
        return True
    fields = [str(_attribute(condition, "field") or "") for condition in conditions]
    return any(name.startswith("vendor.") or name == "unknown_vendor" for name in fields)


def exemptions_of(result: ScanResult) -> list[dict[str, Any]]:
    """The exemptions file's entries with their status, when the policy step recorded them; else []."""
    raw = getattr(result, "exemptions", None)
    if raw is None:
        raw = result.summary.get("exemptions")
    if isinstance(raw, dict):
        raw = raw.get("entries") or raw.get("exemptions") or []
    if not isinstance(raw, list | tuple):
        return []
    entries = []
    for item in raw:
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            entries.append(dataclasses.asdict(item))
        elif isinstance(item, dict):
            entries.append(dict(item))
        elif hasattr(item, "__dict__"):
            entries.append(dict(vars(item)))
    return entries


def score_of(result: ScanResult) -> float | None:
    """The application's 0-100 score when the policy computed one."""
    score = result.summary.get("score")
    if isinstance(score, dict):
        score = score.get("value", score.get("score"))
    return float(score) if isinstance(score, int | float) and not isinstance(score, bool) else None


def indicator_rows(result: ScanResult) -> list[tuple[str, str]]:
    """The indicators as (label, display value) pairs; [] when the policy computed none.

    The policy's shape (components, direct, open_source, concentration, jurisdictions) gets
    sentences; any other key is shown generically, so a new indicator is never lost.
    """
    indicators = result.summary.get("indicators")
    if not isinstance(indicators, dict):
        return []
    rows: list[tuple[str, str]] = []
    for key, value in indicators.items():
        special = _INDICATORS.get(key)
        text = special(value) if special is not None and isinstance(value, dict | list) else None
        if text is not None:
            rows.append((_INDICATOR_LABELS[key], text))
        else:
            rows.append((_label(key), display_indicator(key, value)))
    return rows


def _percent(value: Any) -> str:
    return f"{value * 100:.0f}%" if isinstance(value, int | float) and not isinstance(value, bool) else "n/a"


def _eu_share(value: dict[str, Any]) -> str | None:
    if "eu_share" not in value:
        return None
    text = f"{_percent(value['eu_share'])} ({value.get('eu', '?')} of {value.get('total', '?')})"
    if value.get("eu_share_of_attributed") is not None:
        text += f"; {_percent(value['eu_share_of_attributed'])} of the {value.get('attributed', '?')} attributed"
    return text


def _open_source(value: dict[str, Any]) -> str | None:
    if "share" not in value:
        return None
    text = f"{_percent(value['share'])} ({value.get('open', '?')} of {value.get('total', '?')})"
    if value.get("share_of_known") is not None:
        text += f"; {_percent(value['share_of_known'])} of the {value.get('known', '?')} with a known licence"
    return text


def _concentration(value: dict[str, Any]) -> str | None:
    hhi = value.get("hhi")
    if not isinstance(hhi, int | float):
        return None
    band = value.get("band")
    text = f"HHI {hhi:,.0f}" + (f" ({band})" if band else "")
    if value.get("controllers") is not None:
        text += f" over {value['controllers']} controllers"
    top = value.get("top") or []
    if top and isinstance(top[0], dict):
        names = ", ".join(f"{t.get('name', t.get('controller'))} {_percent(t.get('share'))}" for t in top[:3])
        text += f"; largest: {names}"
    return text


def _jurisdictions(value: list[Any]) -> str | None:
    if not value:
        return "none"
    if not all(isinstance(item, dict) for item in value):
        return None
    parts = []
    for item in value:
        laws = ", ".join(law.get("id", str(law)) if isinstance(law, dict) else str(law) for law in item.get("laws", []))
        where = f"{item.get('name', item.get('country'))} ({item.get('country', '?')})"
        parts.append(f"{where}: {item.get('components', '?')} components, laws {laws or 'none recorded'}")
    return "; ".join(parts)


_INDICATORS = {
    "components": _eu_share,
    "direct": _eu_share,
    "open_source": _open_source,
    "concentration": _concentration,
    "jurisdictions": _jurisdictions,
}
_INDICATOR_LABELS = {
    "components": "Components with an EU/EEA controller",
    "direct": "Direct dependencies with an EU/EEA controller",
    "open_source": "Open-source components",
    "concentration": "Supplier concentration",
    "jurisdictions": "Jurisdictions whose laws reach the application",
}


def display_indicator(key: str, value: Any) -> str:
    """A readable value: shares as percentages, HHI with its concentration band, lists joined."""
    lowered = key.lower()
    if isinstance(value, dict):
        if "value" in value:
            return display_indicator(key, value["value"])
        return ", ".join(f"{_label(str(k))}: {display_indicator(str(k), v)}" for k, v in value.items()) or "none"
    if isinstance(value, list | tuple):
        return ", ".join(display_indicator(key, v) if isinstance(v, dict) else str(v) for v in value) or "none"
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "unknown"}[value]
    if isinstance(value, int | float):
        if "hhi" in lowered or "herfindahl" in lowered:
            return _hhi(float(value))
        if ("share" in lowered or "ratio" in lowered or "percent" in lowered) and 0 <= value <= 1:
            return _percent(value)
        return f"{value:g}" if isinstance(value, float) else str(value)
    return str(value)


def _hhi(value: float) -> str:
    """HHI with the EU merger guidelines' bands (1,000 and 2,000 on the 0-10,000 scale), whatever scale is used."""
    scaled = value * 10_000 if value <= 1 else value
    band = "low" if scaled < 1000 else "moderate" if scaled < 2000 else "high"
    return f"{scaled:,.0f} ({band})"


def _label(key: str) -> str:
    text = key.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:] if text else key


def _attribute(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def input_warnings(result: ScanResult) -> list[str]:
    """Every input warning as one line `path[:line]: message`, for the formats that list them."""
    lines = []
    for source, warning in result.warnings:
        where = warning.path or source.path
        lines.append(f"{where}:{warning.line}: {warning.message}" if warning.line else f"{where}: {warning.message}")
    return lines


def clean_text(value: str) -> str:
    """Drop the control characters XML 1.0 and spreadsheets refuse (tab, newline and CR are kept)."""
    return _CONTROL_CHARACTERS.sub("", value)


def neutralise(value: str) -> str:
    """Make a spreadsheet cell inert: text that could start a formula gets a leading apostrophe."""
    value = clean_text(value)
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


#: what a rule's message placeholders stand for, when the rule is described without a component
_PLACEHOLDER_WORDS = {
    "name": "the component",
    "version": "its version",
    "purl": "its package URL",
    "kind": "kind",
    "vendor": "the vendor",
    "controller": "the controller",
    "country": "its country",
    "laws": "the laws recorded",
    "license": "its licence",
    "category": "its licence category",
    "level": "its level",
    "alternatives": "see each finding",
    "evidence": "the evidence",
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def generic_text(template: str) -> str:
    """A rule's message or remediation template in words, for describing the rule itself."""
    return _PLACEHOLDER.sub(lambda match: _PLACEHOLDER_WORDS.get(match.group(1), match.group(0)), template)


def level_names() -> dict[int, str]:
    """The policy's names of the levels 0-4 (the report only shows them)."""
    from depscan.policy import levels

    names: dict[int, str] = getattr(levels, "LEVEL_NAMES", _LEVEL_NAMES)
    return names


def level_label(level: int | None) -> str:
    return "unknown" if level is None else f"{level}: {level_names().get(level, '?')}"


#: the columns of the per-component spreadsheet views (CSV, XLSX)
COMPONENT_COLUMNS = (
    "component",
    "version",
    "purl",
    "ecosystem",
    "kind",
    "direct",
    "scope",
    "vendor",
    "controller",
    "country",
    "eu",
    "laws",
    "licence",
    "licence category",
    "open source",
    "level",
    "level reason",
    "worst severity",
    "findings",
    "exempted findings",
    "eu alternatives",
    "vendor evidence",
    "sources",
)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


def component_row(component: Component, findings: list[Finding]) -> list[str | int | None]:
    """One component as spreadsheet cells, in COMPONENT_COLUMNS order (raw: callers neutralise)."""
    vendor = component.vendor
    license_ = component.license
    current = worst(findings)
    return [
        component.name,
        component.version or "",
        component.purl or "",
        component.ecosystem or "",
        component.kind,
        _yes_no(component.direct),
        component.scope or "",
        vendor.name if vendor else "",
        vendor.controller_name if vendor else "",
        vendor.country if vendor else "",
        _yes_no(vendor.eu) if vendor else "",
        ", ".join(vendor.laws) if vendor else "",
        (license_.expression or "") if license_ else "",
        license_.category if license_ else "unknown",
        _yes_no(license_.open_source) if license_ else "",
        component.level,
        component.level_reason,
        current.severity if current else "",
        "; ".join(f"{f.rule} ({f.severity})" for f in active(findings)),
        "; ".join(f"{f.rule}: {f.exemption_reason or 'exempted'}" for f in findings if f.exempted),
        ", ".join(vendor.eu_alternatives) if vendor else "",
        vendor.evidence if vendor else "",
        "; ".join(f"{s.path}:{s.line}" if s.line else s.path for s in component.sources),
    ]
