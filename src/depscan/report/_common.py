"""What several report formats share: finding lookups, repository-relative locations, stable
fingerprints, the rule set, the optional policy sections, and cell neutralisation.

Everything here reads a ScanResult and decides nothing: severities, levels and exemptions come
from the policy step as they are.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from depscan.i18n import N_, localize, ntr, number, percent, tr
from depscan.model import SEVERITIES, Component, Finding, ScanResult, severity_rank
from depscan.policy.baseline import at_least, fingerprints_of, relative_path
from depscan.policy.baseline import fingerprint as fingerprint  # re-exported: reports share these
from depscan.policy.baseline import is_failing as is_failing
from depscan.policy.baseline import primary_location as primary_location
from depscan.policy.baseline import unique_fingerprints as unique_fingerprints
from depscan.policy.baseline import without_version as without_version
from depscan.report import RenderOptions

#: SEAL levels of the EU Cloud Sovereignty Framework, when the policy does not name them itself
_LEVEL_NAMES = {
    0: N_("no sovereignty"),
    1: N_("jurisdictional sovereignty (EU law on paper)"),
    2: N_("data sovereignty"),
    3: N_("digital resilience"),
    4: N_("full digital sovereignty"),
}
#: what a person reads for the machine values of severities and kinds (the values themselves never change)
_SEVERITY_LABELS = {
    "critical": N_("critical"),
    "high": N_("high"),
    "medium": N_("medium"),
    "low": N_("low"),
    "info": N_("info"),
}
_KIND_LABELS = {
    "library": N_("library"),
    "sdk": N_("sdk"),
    "service": N_("service"),
    "infrastructure": N_("infrastructure"),
    "tooling": N_("tooling"),
    "registry": N_("registry"),
}


def severity_label(severity: str) -> str:
    """A severity as a person reads it in the active language (`high`, `élevée`)."""
    return tr(_SEVERITY_LABELS[severity]) if severity in _SEVERITY_LABELS else severity


def kind_label(kind: str) -> str:
    """A kind of dependency in the active language."""
    return tr(_KIND_LABELS[kind]) if kind in _KIND_LABELS else kind


def of(part: int, whole: int) -> str:
    """ "n of m", with the locale's numbers."""
    return tr("{part} of {whole}").format(part=number(part), whole=number(whole))


def rules_by_id(result: ScanResult) -> dict[str, Any]:
    """The scan's rules by id (policy.rules.Rule), to say their texts in the active language."""
    return {
        str(_attribute(rule, "id")): rule for rule in getattr(result, "rules", None) or [] if _attribute(rule, "id")
    }


def rule_text(rule: Any, name: str, fallback: str = "") -> str:
    """A rule's text in the active language: its `[rule.fr]` field, else the rule file's own text."""
    from depscan import i18n

    if rule is None:
        return fallback
    text = rule.text(name, i18n.current()) if hasattr(rule, "text") else _attribute(rule, name)
    return str(text or fallback)


def finding_title(finding: Finding, rules: dict[str, Any]) -> str:
    return rule_text(rules.get(finding.rule), "title", finding.title or finding.rule) or finding.rule


def finding_message(finding: Finding, rules: dict[str, Any], name: str = "message") -> str:
    """A finding's message (or remediation) in the active language, from the rule's translated template and the
    words the policy filled it with; the policy's own sentence when either is missing."""
    from depscan import i18n

    own = finding.message if name == "message" else finding.remediation
    rule = rules.get(finding.rule)
    if i18n.current() == "en" or rule is None or not finding.values or not own or not hasattr(rule, "translations"):
        return own
    template = rule.translations.get(i18n.current(), {}).get(name)
    if not template:
        return own
    try:
        return template.format_map({key: _value_words(key, value) for key, value in finding.values.items()})
    except (KeyError, ValueError, IndexError):
        return own


#: the words the policy fills some placeholders with, said in the active language where a finding is shown
_VALUE_WORDS = {
    N_("none recorded yet"),
    N_("unknown"),
    N_("none recorded"),
    N_("none declared"),
    N_("unknown vendor"),
}


def _value_words(key: str, value: Any) -> str:
    if key == "kind":
        return kind_label(str(value))
    return tr(value) if value in _VALUE_WORDS else localize(value)


def level_reason(result: ScanResult) -> str:
    """The application level's reason in the active language (the policy's sentence when it cannot be re-said)."""
    reason = str(result.summary.get("level_reason", "") or "")
    if not reason:
        return reason
    from depscan.policy.levels import application_level

    _, text = application_level(result.components)
    return localize(text) if str(text) == reason else reason


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


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Counts of active findings for every severity, most severe first, zeros included."""
    counts = dict.fromkeys(reversed(SEVERITIES), 0)
    for finding in active(findings):
        counts[finding.severity] += 1
    return counts


def repository_path(path: str, options: RenderOptions) -> tuple[str, bool]:
    """`path` relative to the repository root, with forward slashes, and whether it lies inside it.

    Paths outside the repository come back absolute (code scanning cannot show them in a file).
    Without a base directory, the path is only normalised.
    """
    return relative_path(path, options.working_dir, options.base_dir)


def fingerprints(result: ScanResult, options: RenderOptions) -> dict[int, str]:
    """Each finding's stable fingerprint, keyed by `id(finding)` (the policy's when it assigned them)."""
    return fingerprints_of(result, options.working_dir, options.base_dir)


def uploaded(findings: Iterable[Finding], options: RenderOptions) -> list[Finding]:
    """What SARIF, GitLab and JUnit carry: not exempted, not in the baseline, at or above --min-severity."""
    return at_least(findings, options.min_severity)


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
            title=rule_text(rule, "title") or str(rule_id),
            severity=str(_attribute(rule, "severity") or "info"),
            description=rule_text(rule, "description"),
            rationale=rule_text(rule, "rationale"),
            references=tuple(_attribute(rule, "references") or ()),
            remediation=generic_text(rule_text(rule, "remediation")),
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
            rows.append((tr(_INDICATOR_LABELS[key]), text))
        else:
            rows.append((_label(key), display_indicator(key, value)))
    return rows


def _percent(value: Any) -> str:
    return percent(value) if isinstance(value, int | float) and not isinstance(value, bool) else tr("n/a")


def share_text(part: Any, whole: Any, share: Any = None) -> str:
    """A share as "n of m (p%)"; "unknown" over nothing known, never 0."""
    if not isinstance(whole, int) or not whole or not isinstance(part, int):
        return tr("unknown (nothing known to count)")
    value = share if isinstance(share, int | float) and not isinstance(share, bool) else part / whole
    return tr("{part} of {whole} ({share})").format(part=number(part), whole=number(whole), share=_percent(value))


#: when more than this share of components is unknown, a report says how to know more
MOSTLY_UNKNOWN = 0.5
HOW_TO_KNOW_MORE = N_(
    "scan with the installed environment beside the lockfile (a .venv, node_modules), or add --enrich "
    "to ask the registries"
)


def _eu_share(value: dict[str, Any]) -> str | None:
    if "eu_share" not in value:
        return None
    total, attributed = value.get("total"), value.get("attributed")
    unknown = value.get(
        "unknown", (total - attributed) if isinstance(total, int) and isinstance(attributed, int) else 0
    )
    jurisdiction = value.get("jurisdiction", attributed)
    if jurisdiction:
        text = tr("{share} of the components whose controller has a jurisdiction").format(
            share=share_text(value.get("eu"), jurisdiction)
        )
    else:
        text = tr("unknown: no component has a controller with a known jurisdiction")
    parts = [
        ntr("{count} component", "{count} components", _count(total)).format(count=_number(total)),
        tr("{count} with an unknown controller").format(count=_number(unknown)),
    ]
    if value.get("no_jurisdiction"):
        parts.append(
            tr("{count} published by communities or individuals (no jurisdiction)").format(
                count=_number(value["no_jurisdiction"])
            )
        )
    text += f" ({'; '.join(parts)})"
    if isinstance(total, int) and total and unknown / total > MOSTLY_UNKNOWN:
        text += tr(". Most controllers are unknown: {advice}").format(advice=tr(HOW_TO_KNOW_MORE))
    return text


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _number(value: Any) -> str:
    return number(value) if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def _open_source(value: dict[str, Any]) -> str | None:
    if "share" not in value:
        return None
    total, known = value.get("total"), value.get("known")
    if known:
        shown = share_text(value.get("open"), known, value.get("share_of_known"))
        text = tr("{share} of the components with a known licence").format(share=shown)
    else:
        text = tr("unknown: no component has a known licence")
    if isinstance(total, int) and isinstance(known, int):
        text += tr(" ({total} components, {unknown} with an unknown licence)").format(
            total=number(total), unknown=number(total - known)
        )
        if total and (total - known) / total > MOSTLY_UNKNOWN:
            text += tr(". Most licences are unknown: {advice}").format(advice=tr(HOW_TO_KNOW_MORE))
    return text


def _non_legal(value: dict[str, Any]) -> str | None:
    if "components" not in value:
        return None
    text = share_text(value.get("components"), value.get("attributed"), value.get("share_of_attributed"))
    text += tr(" of the attributed components")
    publishers = value.get("publishers") or []
    if publishers:
        names = ", ".join(f"{p.get('name')} ({p.get('type')}, {p.get('components')})" for p in publishers[:5])
        text += f": {names}"
    return text


def _concentration(value: dict[str, Any]) -> str | None:
    hhi = value.get("hhi")
    if not isinstance(hhi, int | float):
        return None
    band = value.get("band")
    text = f"HHI {_hhi_number(hhi)}" + (" (" + tr(band) + ")" if band else "")
    if value.get("controllers") is not None:
        text += tr(" over {count} legal-entity controllers").format(count=_number(value["controllers"]))
    over = value.get("over")
    top = value.get("top") or []
    if top and isinstance(top[0], dict):
        names = ", ".join(
            f"{t.get('name', t.get('controller'))} {share_text(t.get('components'), over, t.get('share'))}"
            if isinstance(over, int)
            else f"{t.get('name', t.get('controller'))} {_percent(t.get('share'))}"
            for t in top[:3]
        )
        text += tr("; largest: {names}").format(names=names)
    return text


def _hhi_number(value: float) -> str:
    """An HHI on the 0-10,000 scale with its thousands separated: `1,234` in English, `1 234` in French."""
    from depscan import i18n

    return f"{value:,.0f}" if i18n.current() == "en" else number(round(value))


def _jurisdictions(value: list[Any]) -> str | None:
    if not value:
        return tr("none")
    if not all(isinstance(item, dict) for item in value):
        return None
    parts = []
    for item in value:
        laws = ", ".join(law.get("id", str(law)) if isinstance(law, dict) else str(law) for law in item.get("laws", []))
        where = f"{item.get('name', item.get('country'))} ({item.get('country', '?')})"
        parts.append(
            tr("{where}: {count} components, laws {laws}").format(
                where=where, count=_number(item.get("components", "?")), laws=laws or tr("none recorded")
            )
        )
    return "; ".join(parts)


_INDICATORS = {
    "components": _eu_share,
    "direct": _eu_share,
    "open_source": _open_source,
    "concentration": _concentration,
    "jurisdictions": _jurisdictions,
    "non_legal_entities": _non_legal,
}
_INDICATOR_LABELS = {
    "components": N_("Components with an EU/EEA controller"),
    "direct": N_("Direct dependencies with an EU/EEA controller"),
    "open_source": N_("Open-source components"),
    "concentration": N_("Supplier concentration"),
    "jurisdictions": N_("Jurisdictions whose laws reach the application"),
    "non_legal_entities": N_("Resting on communities and individuals (no jurisdiction)"),
}
#: the concentration bands the policy names (EU merger guidelines)
_BANDS = (N_("low"), N_("moderate"), N_("high"))


def display_indicator(key: str, value: Any) -> str:
    """A readable value: shares as percentages, HHI with its concentration band, lists joined."""
    lowered = key.lower()
    if isinstance(value, dict):
        if "value" in value:
            return display_indicator(key, value["value"])
        return ", ".join(f"{_label(str(k))}: {display_indicator(str(k), v)}" for k, v in value.items()) or tr("none")
    if isinstance(value, list | tuple):
        return ", ".join(display_indicator(key, v) if isinstance(v, dict) else str(v) for v in value) or tr("none")
    if isinstance(value, bool) or value is None:
        return {True: tr("yes"), False: tr("no"), None: tr("unknown")}[value]
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
    return _hhi_number(scaled) + " (" + tr(band) + ")"


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
    "name": N_("the component"),
    "version": N_("its version"),
    "purl": N_("its package URL"),
    "kind": N_("kind"),
    "vendor": N_("the vendor"),
    "controller": N_("the controller"),
    "country": N_("its country"),
    "laws": N_("the laws recorded"),
    "license": N_("its licence"),
    "category": N_("its licence category"),
    "level": N_("its level"),
    "alternatives": N_("see each finding"),
    "evidence": N_("the evidence"),
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def generic_text(template: str) -> str:
    """A rule's message or remediation template in words, for describing the rule itself."""
    words = _PLACEHOLDER_WORDS
    return _PLACEHOLDER.sub(
        lambda match: tr(words[match.group(1)]) if match.group(1) in words else match.group(0), template
    )


def generation_date() -> str:
    """The date a human report states: SOURCE_DATE_EPOCH when set (reproducible builds), else today (UTC).

    A date, not a time, so that two runs on the same day give the same bytes."""
    import datetime as dt

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date().isoformat()
    return dt.datetime.now(tz=dt.timezone.utc).date().isoformat()


def provenance_line(result: ScanResult, tool_version: str | None) -> str:
    """ "Generated DATE by depscan X with vendor database DIGEST (N records reviewed FROM to TO)"."""
    from depscan.i18n import date

    text = tr("Generated {date} by depscan {version}").format(date=date(generation_date()), version=tool_version or "")
    text = text.rstrip()
    database = getattr(result, "database", None) or {}
    if database:
        reviewed = database.get("reviewed") or {}
        text += tr(" with vendor database {digest} ({count} records, reviewed {start} to {end})").format(
            digest=database.get("digest") or tr("unknown"),
            count=_number(database.get("vendors", "?")),
            start=date(reviewed["from"]) if reviewed.get("from") else "?",
            end=date(reviewed["to"]) if reviewed.get("to") else "?",
        )
    return text


def level_names() -> dict[int, str]:
    """The policy's names of the levels 0-4 (the report only shows them)."""
    from depscan.policy import levels

    names: dict[int, str] = getattr(levels, "LEVEL_NAMES", _LEVEL_NAMES)
    return {number: tr(name) for number, name in names.items()}


def level_label(level: int | None) -> str:
    return tr("unknown") if level is None else f"{level}: {level_names().get(level, '?')}"


#: the columns of the per-component spreadsheet views (CSV, XLSX)
COMPONENT_COLUMNS = (
    N_("component"),
    N_("version"),
    N_("purl"),
    N_("ecosystem"),
    N_("kind"),
    N_("direct"),
    N_("scope"),
    N_("vendor"),
    N_("controller"),
    N_("country"),
    N_("eu"),
    N_("laws"),
    N_("licence"),
    N_("licence category"),
    N_("open source"),
    N_("level"),
    N_("level reason"),
    N_("worst severity"),
    N_("findings"),
    N_("exempted findings"),
    N_("eu alternatives"),
    N_("vendor evidence"),
    N_("vendor sources"),
    N_("sources"),
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
        vendor.publisher_label if vendor else "",
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
        vendor_sources_text(vendor) if vendor else "",
        "; ".join(f"{s.path}:{s.line}" if s.line else s.path for s in component.sources),
    ]


def vendor_sources_text(vendor: Any) -> str:
    """The vendor records' sources as "url (checked DATE)" / "(cited DATE)", for the spreadsheets."""
    parts = []
    for source in getattr(vendor, "sources", ()) or ():
        url = source.get("url", "")
        if "checked" in source:
            parts.append(f"{url} (checked {source['checked']})")
        elif "cited" in source:
            parts.append(f"{url} (cited {source['cited']})")
        else:
            parts.append(url)
    return "; ".join(parts)
