"""`depscan explain`: why a component has its vendor, level and findings, one piece of evidence at a time.

From a JSON report (`--in`), the component is taken as the scan saw it; the
vendor database adds what the report only names (sources of each link of
the control chain, law texts, adequacy decisions). Without a report, the
query is looked up the way `db lookup` does and judged as a standalone
component: no input file, so no declared licence.

Each finding is explained by the conditions of its rule, with the value
each condition saw, as the current rule set defines them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from packageurl import PackageURL

from depscan import purls, resolve
from depscan.errors import ConfigError
from depscan.model import Component, License, Location, VendorMatch
from depscan.policy.evaluate import build_result, field_value, holds
from depscan.policy.levels import LEVEL_NAMES
from depscan.policy.rules import RuleSet
from depscan.report.json_report import finding_dict
from depscan.vendordb import VendorDatabase
from depscan.vendordb.lookup import interpretations

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_PACKAGE_NAME = re.compile(r"^@?[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$")
#: where a bare NAME is looked for, in this order, when nothing else matches
_NAME_ECOSYSTEMS = ("pypi", "npm", "cargo", "gem", "nuget", "composer")


@dataclass
class Evidence:
    """One claim about the component and what supports it."""

    topic: str
    claim: str
    support: list[str] = field(default_factory=list)


@dataclass
class Explanation:
    component: dict[str, Any]
    evidence: list[Evidence]
    findings: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "evidence": [{"topic": e.topic, "claim": e.claim, "support": e.support} for e in self.evidence],
            "findings": self.findings,
        }


# -- finding the component --------------------------------------------------


def from_report(path: str, query: str) -> tuple[list[tuple[Component, dict[str, Any], list[dict[str, Any]]]], str]:
    """The components of a JSON report that match `query`, with their findings; and the report's rule set id."""
    try:
        report = orjson.loads(Path(path).read_bytes())
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read report: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not a JSON report: {exc}") from None
    if not isinstance(report, dict) or report.get("schema") not in ("depscan-report/1", "depscan-report/1.1"):
        raise ConfigError(f"{path}: not a depscan JSON report (schema depscan-report/1 or 1.1)")
    wanted = query.strip()
    base = purls.split(wanted)[0] if wanted.lower().startswith("pkg:") else None
    matches = []
    for entry in report.get("components", []):
        if not isinstance(entry, dict):
            continue
        purl = entry.get("purl") or ""
        if (
            purl == wanted
            or entry.get("id") == wanted
            or (base is not None and purl and purls.split(purl)[0] == base and "@" not in wanted.rsplit("/", 1)[-1])
            or (base is None and str(entry.get("name", "")).lower() == wanted.lower())
        ):
            matches.append(entry)
    findings_by_component: dict[str, list[dict[str, Any]]] = {}
    for finding in report.get("findings", []):
        if isinstance(finding, dict):
            findings_by_component.setdefault(str(finding.get("component")), []).append(finding)
    found = []
    for entry in matches:
        try:
            component = component_from_dict(entry)
        except (TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"{path}: component {entry.get('id')!r} is malformed: {exc}") from None
        found.append((component, entry, findings_by_component.get(str(entry.get("id")), [])))
    return found, str(report.get("ruleset", ""))


def component_from_dict(entry: dict[str, Any]) -> Component:
    """Rebuild a resolved Component from its JSON report form, so that rule conditions can be evaluated on it."""
    vendor = entry.get("vendor")
    license_ = entry.get("license") or {}
    component = Component(
        name=str(entry.get("name", "")),
        version=entry.get("version"),
        purl=entry.get("purl"),
        ecosystem=entry.get("ecosystem"),
        kind=str(entry.get("kind", "library")),
        suppliers=list(entry.get("suppliers") or []),
        repository=entry.get("repository"),
        direct=entry.get("direct"),
        scope=entry.get("scope"),
        introduced_by=list(entry.get("introduced_by") or []),
        sources=[
            Location(str(s.get("path", "")), s.get("line")) for s in entry.get("sources") or [] if isinstance(s, dict)
        ],
    )
    component.license = License(
        expression=license_.get("expression"),
        category=str(license_.get("category", "unknown")),
        open_source=license_.get("open_source"),
        declared=tuple(license_.get("declared") or ()),
        evidence=str(license_.get("evidence", "")),
        basis=str(license_.get("basis", "")),
    )
    if isinstance(vendor, dict):
        component.vendor = VendorMatch(
            id=str(vendor.get("id", "")),
            name=str(vendor.get("name", "")),
            country=None if vendor.get("country") is None else str(vendor.get("country")),
            eu=None if vendor.get("eu") is None else bool(vendor.get("eu")),
            seat_country=vendor.get("seat_country"),
            legal_entity=bool(vendor.get("legal_entity", True)),
            controller_type=str(vendor.get("controller_type", "company")),
            controller=str(vendor.get("controller", "")),
            controller_name=str(vendor.get("controller_name", vendor.get("controller", ""))),
            laws=tuple(vendor.get("laws") or ()),
            evidence=str(vendor.get("evidence", "")),
            match_key="",
            kind=component.kind,
            chain=tuple(vendor.get("chain") or ()),
            confidence=str(vendor.get("confidence", "high")),
            certifications=tuple(vendor.get("certifications") or ()),
            eu_alternatives=tuple(vendor.get("eu_alternatives") or ()),
        )
    component.level = entry.get("level")
    component.level_reason = str(entry.get("level_reason", ""))
    return component


def standalone(
    query: str, database: VendorDatabase, ruleset: RuleSet, qualified_vendors: tuple[str, ...] = ()
) -> tuple[Component, list[dict[str, Any]]]:
    """Judge `query` as a one-component application: vendor from the database, no declared licence."""
    text = query.strip()
    candidates = interpretations(text)
    if text.startswith("@") and _PACKAGE_NAME.match(text):
        candidates.insert(0, Component(name=text, purl=f"pkg:npm/{text}"))  # an npm scope, never an image
    chosen = next((c for c in candidates if database.resolve(c) is not None), None)
    if chosen is None and _PACKAGE_NAME.match(text):
        # a bare package name: the first ecosystem whose purl the database knows
        guesses = [Component(name=text, purl=f"pkg:{t}/{text}") for t in _NAME_ECOSYSTEMS]
        chosen = next((c for c in guesses if database.resolve(c) is not None), None)
    chosen = chosen or candidates[0]
    if chosen.purl:
        chosen.ecosystem = purls.ecosystem(chosen.purl)
        try:
            parsed = PackageURL.from_string(chosen.purl)
        except ValueError:
            raise ConfigError(f"{query}: not a valid package URL") from None
        chosen.version = parsed.version
        scoped = parsed.type == "npm" and parsed.namespace
        chosen.name = f"{parsed.namespace}/{parsed.name}" if scoped else parsed.name
    resolve.resolve([chosen], database)
    if chosen.vendor is not None:
        chosen.kind = chosen.vendor.kind  # nothing else says what it is: the vendor rule's kind stands
    names = {vendor_id: vendor.name for vendor_id, vendor in database.vendors.items()}
    result = build_result(
        [chosen],
        [],
        ruleset,
        database.countries,
        names,
        "none",
        laws=database.laws,
        qualified_vendors=qualified_vendors,
    )
    # a standalone component is judged without exemptions: the report's shape, less the exemption reference
    findings = [{k: v for k, v in finding_dict(f).items() if k != "exemption"} for f in result.findings]
    return chosen, findings


# -- building the explanation -----------------------------------------------


def explain(
    component: Component,
    findings: list[dict[str, Any]],
    database: VendorDatabase,
    ruleset: RuleSet,
    component_dict: dict[str, Any],
) -> Explanation:
    evidence = [_identity(component)]
    evidence.extend(_vendor(component, database))
    evidence.append(_licence(component))
    evidence.append(_level(component))
    if component.vendor is not None and component.vendor.eu_alternatives:
        names = [
            f"{database.vendors[a].name} ({a})" if a in database.vendors else a
            for a in component.vendor.eu_alternatives
        ]
        evidence.append(Evidence("alternatives", "EU alternatives recorded: " + ", ".join(names)))
    explained = [_finding(component, finding, ruleset) for finding in findings]
    return Explanation(component_dict, evidence, explained)


def _identity(component: Component) -> Evidence:
    where = [f"{s.path}:{s.line}" if s.line else s.path for s in component.sources]
    if not where:
        how = "standalone: looked up in the vendor database, not read from an input"
    elif component.direct:
        how = "a direct dependency"
    elif component.direct is False:
        how = "a transitive dependency" + (
            f", pulled in by {', '.join(component.introduced_by)}" if component.introduced_by else ""
        )
    else:
        how = "the input does not say whether it is direct"
    scope = f" ({component.scope} scope)" if component.scope else ""
    support = [f"found in {w}" for w in where]
    return Evidence("identity", f"{component.id}: {component.kind}, {how}{scope}", support)


def _vendor(component: Component, database: VendorDatabase) -> list[Evidence]:
    vendor = component.vendor
    if vendor is None:
        return [
            Evidence(
                "vendor",
                "controller unknown",
                ["no rule of the vendor database matches its purl, suppliers, repository, image, action or endpoints"],
            )
        ]
    items = [
        Evidence(
            "vendor",
            f"{vendor.name} ({vendor.id}), attribution confidence {vendor.confidence}",
            [f"vendor database rule: {vendor.evidence}"],
        )
    ]
    current = database.resolve(component) if (component.purl or component.suppliers or component.repository) else None
    if current is not None and current.id != vendor.id:
        items[0].support.append(f"note: the vendor database now attributes it to {current.name} ({current.id})")
    if component.kind != "library" and current is not None and current.kind == component.kind:
        items[0].support.append(f"kind {component.kind}: implied by that vendor rule")
    chain = vendor.chain or (vendor.id,)
    links = []
    for position, vendor_id in enumerate(chain):
        record = database.vendors.get(vendor_id)
        if record is None:
            links.append(f"{vendor_id}: not in the current vendor database")
            continue
        role = "ultimate controller" if position == len(chain) - 1 else f"controlled by {chain[position + 1]}"
        seat = f"legal seat {record.country}" if record.legal_entity else f"{record.type}, no legal entity"
        run_from = f", run from {record.hq_country}" if record.hq_country and record.legal_entity else ""
        links.append(f"{record.name} ({vendor_id}), {seat}{run_from}, {role}; reviewed {record.reviewed}")
        for source in record.sources:
            date = f"checked {source['checked']}" if "checked" in source else f"cited {source.get('cited', '?')}"
            links.append(f"  source: {source.get('url', '')} ({source.get('supports', '')}; {date})")
    items.append(Evidence("control", f"controlled by {vendor.controller_name}, {vendor.publisher_label}", links))
    if not vendor.legal_entity:
        items.append(
            Evidence(
                "jurisdiction",
                f"none: {vendor.controller_name} is a {vendor.controller_type} with no legal entity a law could compel",
                [],
            )
        )
        items.append(Evidence("laws", "none: no legal entity in the chain"))
        return items
    country = database.countries.get(vendor.country, {})
    adequacy = country.get("adequacy")
    jurisdiction = [f"{country.get('name', vendor.country)}: {'in' if vendor.eu else 'outside'} the EU/EEA"]
    if not vendor.eu:
        jurisdiction.append(
            f"GDPR adequacy: {adequacy.get('decision')} ({adequacy.get('source', '')})"
            if adequacy
            else "no GDPR adequacy decision"
        )
    if vendor.seat_country and vendor.seat_country != vendor.country:
        jurisdiction.append(
            f"effectively run from {vendor.country}; legal seat {vendor.seat_country}, whose laws apply too"
        )
    items.append(
        Evidence("jurisdiction", f"{vendor.publisher_label} ({'EU/EEA' if vendor.eu else 'extra-EU'})", jurisdiction)
    )
    if vendor.laws:
        texts = []
        for law_id in vendor.laws:
            law = database.laws.get(law_id, {})
            texts.append(
                f"{law_id}: {law.get('name', law_id)} ({law.get('country', '?')}); {law.get('url', '')}".rstrip("; ")
            )
        items.append(Evidence("laws", f"reached by {len(vendor.laws)} extraterritorial law(s)", texts))
    else:
        items.append(Evidence("laws", "no extraterritorial law recorded for any entity of the chain"))
    if vendor.certifications:
        record = database.vendors.get(vendor.id)
        details = [
            f"{c.get('scheme')}: {c.get('scope', '')} ({c.get('source', '')})"
            for c in (record.certifications if record else ())
        ] or list(vendor.certifications)
        items.append(Evidence("certifications", ", ".join(vendor.certifications), details))
    return items


def _licence(component: Component) -> Evidence:
    license_ = component.license
    if license_ is None or license_.category == "unknown":
        declared = ", ".join(license_.declared) if license_ and license_.declared else "nothing"
        return Evidence("licence", "unknown", [f"declared: {declared}"])
    openness = {True: "open source", False: "not open source", None: "openness unknown"}[license_.open_source]
    support = [f"declared: {', '.join(license_.declared)}"] if license_.declared else []
    if license_.evidence:
        support.append(f"evidence: {license_.evidence}")
    if license_.basis:
        support.append(f"classified by: {license_.basis}")
    return Evidence("licence", f"{license_.expression} ({license_.category}, {openness})", support)


def _level(component: Component) -> Evidence:
    if component.level is None:
        return Evidence("level", "unknown", [component.level_reason])
    return Evidence("level", f"SEAL-{component.level}, {LEVEL_NAMES[component.level]}", [component.level_reason])


def _finding(component: Component, finding: dict[str, Any], ruleset: RuleSet) -> dict[str, Any]:
    rule = ruleset.get(str(finding.get("rule")))
    conditions = []
    if rule is not None:
        for condition in rule.conditions:
            actual = field_value(component, condition.field)
            conditions.append(
                {
                    "field": condition.field,
                    "operator": condition.operator,
                    "expected": list(condition.value) if isinstance(condition.value, tuple) else condition.value,
                    "actual": list(actual) if isinstance(actual, tuple) else actual,
                    "holds": holds(condition, actual),
                }
            )
    return {
        **finding,
        "rule_defined_in": rule.defined_in if rule else None,
        "rationale": rule.rationale if rule else None,
        "references": list(rule.references) if rule else [],
        "conditions": conditions,
    }


# -- text --------------------------------------------------------------------


def clean(text: Any) -> str:
    """Untrusted names and versions must not drive the terminal: control characters become visible escapes."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def _value(value: Any) -> str:
    return orjson.dumps(value).decode()


def _condition_text(condition: dict[str, Any]) -> str:
    """A condition as written in a rule file: `kind = "sdk"`, `vendor.laws = { empty = false }`."""
    if condition["operator"] == "eq":
        return f"{condition['field']} = {_value(condition['expected'])}"
    return f"{condition['field']} = {{ {condition['operator']} = {_value(condition['expected'])} }}"


def render_text(explanations: list[Explanation], origin: str) -> str:
    lines: list[str] = []
    for explanation in explanations:
        component = explanation.component
        title = f"{component.get('name')} {component.get('version') or ''}".rstrip()
        lines.append(clean(f"{title}  [{origin}]"))
        for item in explanation.evidence:
            lines.append(clean(f"  {item.topic:<14} {item.claim}"))
            lines.extend(clean(f"  {'':<14}   {line}") for line in item.support)
        if not explanation.findings:
            lines.append(f"  {'findings':<14} none")
        for finding in explanation.findings:
            flag = " [exempted]" if finding.get("exempted") else ""
            lines.append(
                clean(f"  {'finding':<14} {finding['severity']} {finding['rule']}{flag}: {finding['message']}")
            )
            for condition in finding["conditions"]:
                mark = "holds" if condition["holds"] else "does not hold"
                lines.append(
                    clean(f"  {'':<14}   {_condition_text(condition)}: {mark}, value {_value(condition['actual'])}")
                )
            if finding.get("exempted"):
                lines.append(clean(f"  {'':<14}   exemption: {finding.get('exemption_reason')}"))
            if finding.get("remediation"):
                lines.append(clean(f"  {'':<14}   remediation: {finding['remediation']}"))
            if finding.get("rule_defined_in") is None:
                lines.append(f"  {'':<14}   (this rule is not in the current rule set: its conditions are not shown)")
        lines.append("")
    return "\n".join(lines)
