"""Turn resolved components into levels, findings and a summary.

Rules are evaluated once per distinct *profile* (the tuple of the fields the
rule set actually reads), not once per component: a 100,000-component SBOM
has a few thousand profiles at most.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from typing import Any

from depscan.i18n import Text
from depscan.model import Component, Finding, ScanResult, SourceInfo, severity_rank
from depscan.policy import exemptions as exemptions_module
from depscan.policy import scores
from depscan.policy.levels import LEVEL_NAMES, application_level, component_level
from depscan.policy.rules import LIST_FIELDS, Condition, Rule, RuleSet

_MISSING = object()


def field_value(component: Component, name: str) -> Any:
    """The value of a condition field on a component (None when unknown)."""
    vendor = component.vendor
    license_ = component.license
    if name == "kind":
        return component.kind
    if name == "ecosystem":
        return component.ecosystem
    if name == "direct":
        return component.direct
    if name == "scope":
        return component.scope
    if name == "level":
        return component.level
    if name == "unknown_vendor":
        return vendor is None
    if name == "unknown_license":
        return license_ is None or license_.category == "unknown"
    if name.startswith("vendor."):
        if vendor is None:
            return () if name in LIST_FIELDS else None
        return getattr(vendor, name[7:])
    if name.startswith("license."):
        return getattr(license_, name[8:]) if license_ is not None else None
    raise KeyError(name)


def holds(condition: Condition, value: Any) -> bool:
    """Whether one condition holds for one value; unknown (None) never satisfies a comparison."""
    operator, operand = condition.operator, condition.value
    if operator == "empty":
        return (not value) == bool(operand)
    if operator == "contains":
        return bool(value) and operand in value
    if operator == "contains_any":
        return bool(value) and any(item in value for item in operand)
    if operator == "contains_none":
        return not value or not any(item in value for item in operand)
    if value is None:
        return (operator == "ne" and operand is not None) or (operator == "not_in" and None not in operand)
    if operator == "eq":
        return bool(value == operand)
    if operator == "ne":
        return bool(value != operand)
    if operator == "in":
        return value in operand
    if operator == "not_in":
        return value not in operand
    try:
        if operator == "lt":
            return bool(value < operand)
        if operator == "le":
            return bool(value <= operand)
        if operator == "gt":
            return bool(value > operand)
        if operator == "ge":
            return bool(value >= operand)
    except TypeError:
        return False
    return False


def _template_values(component: Component, alternative_names: dict[str, str]) -> dict[str, str]:
    vendor = component.vendor
    license_ = component.license
    alternatives = ", ".join(alternative_names.get(a, a) for a in vendor.eu_alternatives) if vendor else ""
    return {
        "name": component.name,
        "version": component.version or "",
        "purl": component.purl or "",
        "kind": component.kind,
        "vendor": vendor.name if vendor else "unknown vendor",
        "controller": vendor.controller_name if vendor else "unknown",
        "country": vendor.publisher_label if vendor else "unknown",
        "laws": ", ".join(vendor.laws) if vendor and vendor.laws else "none recorded",
        "license": (license_.expression if license_ and license_.expression else "none declared"),
        "category": license_.category if license_ else "unknown",
        "level": "unknown" if component.level is None else str(component.level),
        "alternatives": alternatives
        or (
            Text(  # a Text: the JSON keeps the English, a French report says it in French
                "none of the same category ({category}) in the vendor database",
                category=component.properties["alternatives_category"],
            )
            if component.properties.get("alternatives_category")
            else "none recorded yet"
        ),
        "evidence": vendor.evidence if vendor else "",
    }


def evaluate(
    components: list[Component],
    ruleset: RuleSet,
    countries: dict[str, dict[str, Any]],
    alternative_names: dict[str, str],
    qualified_vendors: Collection[str] = (),
) -> list[Finding]:
    """Compute each component's level, then every rule's findings, sorted for stable output."""
    for component in components:
        component.level, component.level_reason = component_level(component, countries, qualified_vendors)
    fields = ruleset.fields
    outcomes: dict[tuple[Any, ...], list[Rule]] = {}
    findings: list[Finding] = []
    for component in components:
        profile = tuple(_hashable(field_value(component, name)) for name in fields)
        fired = outcomes.get(profile)
        if fired is None:
            fired = [
                rule
                for rule in ruleset.rules
                if all(holds(c, field_value(component, c.field)) for c in rule.conditions)
            ]
            outcomes[profile] = fired
        if not fired:
            continue
        values = _template_values(component, alternative_names)
        for rule in fired:
            findings.append(
                Finding(
                    rule=rule.id,
                    severity=rule.severity,
                    component=component.id,
                    message=rule.message.format_map(values),
                    title=rule.title,
                    remediation=rule.remediation.format_map(values) if rule.remediation else "",
                    values=values,
                )
            )
    findings.sort(key=lambda f: (-severity_rank(f.severity), f.rule, f.component))
    return findings


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def summarise(
    components: list[Component],
    findings: list[Finding],
    sources: list[SourceInfo],
    fail_on: str,
    laws: dict[str, dict[str, Any]] | None = None,
    countries: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The counts a report headline needs, the application's level, score and indicators."""
    by_country: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    by_controller: Counter[str] = Counter()
    by_publisher_type: Counter[str] = Counter()
    extra_eu = non_open = unknown_vendor = unknown_license = 0
    for component in components:
        by_kind[component.kind] += 1
        vendor = component.vendor
        if vendor is None:
            unknown_vendor += 1
        else:
            by_publisher_type[vendor.controller_type if not vendor.legal_entity else "legal-entity"] += 1
            by_controller[vendor.controller] += 1
            if vendor.country is not None:  # a community or an individual has no country to count
                by_country[vendor.country] += 1
                if not vendor.eu:
                    extra_eu += 1
        license_ = component.license
        category = license_.category if license_ else "unknown"
        by_category[category] += 1
        if category == "unknown":
            unknown_license += 1
        if license_ is not None and license_.open_source is False:
            non_open += 1
    by_severity = Counter(f.severity for f in findings if not f.exempted)
    threshold = None if fail_on == "none" else severity_rank(fail_on)
    failing = sum(
        1 for f in findings if not f.exempted and threshold is not None and severity_rank(f.severity) >= threshold
    )
    level, level_text = application_level(components)
    level_reason = str(level_text)  # a plain str in the summary: stores and JSON see only the English
    by_level = Counter(_level_key(c) for c in components)
    indicator_values = scores.indicators(components, laws or {}, countries or {})
    score, score_parts = scores.score(components, indicator_values)
    return {
        "components": len(components),
        "extra_eu": extra_eu,
        "non_open_source": non_open,
        "unknown_vendor": unknown_vendor,
        "unknown_license": unknown_license,
        "by_country": dict(sorted(by_country.items())),
        "by_controller": dict(sorted(by_controller.items())),
        # attributed components by what their controller is: a legal entity (with a country), or a
        # community or an individual (no jurisdiction); unknown_vendor holds the rest
        "by_publisher_type": dict(sorted(by_publisher_type.items())),
        "by_license_category": dict(sorted(by_category.items())),
        "by_kind": dict(sorted(by_kind.items())),
        "findings": dict(sorted(by_severity.items(), key=lambda item: -severity_rank(item[0]))),
        "level": level,
        "level_name": None if level is None else LEVEL_NAMES[level],
        "level_reason": level_reason,
        "by_level": dict(sorted(by_level.items())),
        "score": score,
        "score_parts": score_parts,
        "indicators": indicator_values,
        "fail_on": fail_on,
        "failing_findings": failing,
        "exempted_findings": sum(1 for f in findings if f.exempted),
        "inputs": len(sources),
        "input_errors": sum(1 for s in sources if s.error),
    }


def _level_key(component: Component) -> str:
    """`no-jurisdiction` for code of a community or an individual, `unknown` for an unknown controller."""
    if component.level is not None:
        return str(component.level)
    vendor = component.vendor
    return "no-jurisdiction" if vendor is not None and not vendor.legal_entity else "unknown"


def build_result(
    components: list[Component],
    sources: list[SourceInfo],
    ruleset: RuleSet,
    countries: dict[str, dict[str, Any]],
    alternative_names: dict[str, str],
    fail_on: str,
    *,
    laws: dict[str, dict[str, Any]] | None = None,
    exemptions: list[exemptions_module.Exemption] | None = None,
    today: dt.date | None = None,
    qualified_vendors: Collection[str] = (),
) -> ScanResult:
    """Levels, findings, exemptions and summary: everything policy decides about one application."""
    components.sort(key=lambda c: (c.name.lower(), c.version or "", c.id))
    findings = evaluate(components, ruleset, countries, alternative_names, qualified_vendors)
    exemptions = exemptions or []
    if exemptions:
        by_id = {c.id: c for c in components}
        exemptions_module.apply(findings, by_id, exemptions, today or dt.date.today())
    summary = summarise(components, findings, sources, fail_on, laws, countries)
    return ScanResult(
        components,
        findings,
        sources,
        ruleset=ruleset.id,
        fail_on=fail_on,
        summary=summary,
        rules=list(ruleset.rules),
        exemptions=[e.as_dict() for e in exemptions],
    )
