"""Load and check rule sets: declarative TOML, no code execution.

A rule is an id, a severity, texts, and a `when` table: every entry of it
must hold for the rule to fire on a component. An entry is `field = value`
(equality; for list fields, membership), `field = [values]` (any of), or
`field = { op = value }` with op among eq, ne, in, not_in, lt, le, gt, ge,
contains, contains_any, empty.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from depscan import _toml
from depscan.errors import ConfigError
from depscan.model import SEVERITIES
from depscan.resources import data_path

#: the component fields a condition may test, and whether each holds a list
FIELDS: dict[str, bool] = {
    "kind": False,
    "ecosystem": False,
    "direct": False,
    "scope": False,
    "level": False,
    "unknown_vendor": False,
    "unknown_license": False,
    "vendor.id": False,
    "vendor.country": False,
    "vendor.eu": False,
    "vendor.controller": False,
    "vendor.confidence": False,
    "vendor.laws": True,
    "vendor.certifications": True,
    "license.category": False,
    "license.open_source": False,
    "license.expression": False,
}
OPERATORS = {"eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "contains", "contains_any", "empty"}
#: placeholders a rule's message and remediation may use
PLACEHOLDERS = {
    "name",
    "version",
    "purl",
    "kind",
    "vendor",
    "controller",
    "country",
    "laws",
    "license",
    "category",
    "level",
    "alternatives",
    "evidence",
}
_RULE_FIELDS = {
    "id",
    "title",
    "severity",
    "description",
    "rationale",
    "references",
    "remediation",
    "message",
    "when",
}
_RULESET_FIELDS = {"id", "title", "description", "extends", "disable", "severity"}


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    value: Any


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    message: str
    conditions: tuple[Condition, ...]
    description: str = ""
    rationale: str = ""
    references: tuple[str, ...] = ()
    remediation: str = ""


@dataclass
class RuleSet:
    id: str
    title: str
    description: str
    rules: list[Rule] = field(default_factory=list)
    origin: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        """Component fields referenced by some rule: the key that rule outcomes depend on."""
        return tuple(sorted({c.field for r in self.rules for c in r.conditions}))


def available() -> dict[str, Path]:
    """The rule sets shipped with depscan, by name."""
    return {path.stem: path for path in sorted(data_path("rules").glob("*.toml"))}


def load(names_or_paths: list[str] | tuple[str, ...]) -> RuleSet:
    """Load one or several rule sets (names of shipped sets or file paths), merged in order."""
    if not names_or_paths:
        names_or_paths = ["default"]
    merged: RuleSet | None = None
    for item in names_or_paths:
        ruleset = _load_one(item, seen=())
        if merged is None:
            merged = ruleset
        else:
            by_id = {r.id: r for r in merged.rules}
            by_id.update({r.id: r for r in ruleset.rules})
            merged = RuleSet(
                id=f"{merged.id}+{ruleset.id}",
                title=f"{merged.title} + {ruleset.title}",
                description=merged.description,
                rules=list(by_id.values()),
                origin=f"{merged.origin}, {ruleset.origin}",
            )
    assert merged is not None
    return merged


def _locate(item: str) -> Path:
    shipped = available()
    if item in shipped:
        return shipped[item]
    path = Path(item)
    if path.is_file():
        return path
    raise ConfigError(f"unknown rule set {item!r}: not a file, and not one of {', '.join(shipped)}")


def _load_one(item: str, seen: tuple[Path, ...], base: Path | None = None) -> RuleSet:
    path = _locate(item) if base is None or item in available() else (base.parent / item)
    path = path.resolve()
    if path in seen:
        raise ConfigError(f"{path}: rule set extends itself (cycle through {', '.join(str(s) for s in seen)})")
    try:
        document = _toml.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read rule set: {exc.strerror or exc}") from None
    except (_toml.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    header = document.get("ruleset", {})
    if not isinstance(header, dict):
        raise ConfigError(f"{path}: [ruleset] must be a table")
    _unknown(path, "[ruleset]", header, _RULESET_FIELDS)
    unknown_top = set(document) - {"ruleset", "rule"}
    if unknown_top:
        raise ConfigError(f"{path}: unknown top-level key(s): {', '.join(sorted(unknown_top))}")
    rules: dict[str, Rule] = {}
    extends = header.get("extends")
    if extends:
        parents = [extends] if isinstance(extends, str) else list(extends)
        for parent in parents:
            for rule in _load_one(str(parent), (*seen, path), base=path).rules:
                rules[rule.id] = rule
    raw_rules = document.get("rule", [])
    if not isinstance(raw_rules, list):
        raise ConfigError(f"{path}: 'rule' must be an array of tables ([[rule]])")
    for position, raw in enumerate(raw_rules, start=1):
        rule = _parse_rule(path, position, raw)
        rules[rule.id] = rule
    overrides = header.get("severity", {})
    if not isinstance(overrides, dict):
        raise ConfigError(f"{path}: [ruleset.severity] must map rule ids to severities")
    for rule_id, severity in overrides.items():
        if rule_id not in rules:
            raise ConfigError(f"{path}: severity override for unknown rule {rule_id!r}")
        _check_severity(path, rule_id, severity)
        old = rules[rule_id]
        rules[rule_id] = Rule(**{**old.__dict__, "severity": severity})
    for rule_id in header.get("disable", []):
        if rule_id not in rules:
            raise ConfigError(f"{path}: cannot disable unknown rule {rule_id!r}")
        del rules[rule_id]
    return RuleSet(
        id=str(header.get("id", path.stem)),
        title=str(header.get("title", path.stem)),
        description=str(header.get("description", "")),
        rules=list(rules.values()),
        origin=str(path),
    )


def _unknown(path: Path, where: str, table: dict[str, Any], allowed: set[str]) -> None:
    extra = set(table) - allowed
    if extra:
        raise ConfigError(f"{path}: {where}: unknown field(s): {', '.join(sorted(extra))}")


def _check_severity(path: Path, rule_id: str, severity: Any) -> None:
    if severity not in SEVERITIES:
        raise ConfigError(
            f"{path}: rule {rule_id!r}: severity must be one of {', '.join(SEVERITIES)}, got {severity!r}"
        )


def _check_template(path: Path, rule_id: str, text: str) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise ConfigError(f"{path}: rule {rule_id!r}: bad template {text!r}: {exc}") from None
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ConfigError(f"{path}: rule {rule_id!r}: unknown placeholder(s) {', '.join(sorted(unknown))}")


def _parse_rule(path: Path, position: int, raw: Any) -> Rule:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: rule #{position} is not a table")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise ConfigError(f"{path}: rule #{position} has no id")
    _unknown(path, f"rule {rule_id!r}", raw, _RULE_FIELDS)
    _check_severity(path, rule_id, raw.get("severity"))
    when = raw.get("when")
    if not isinstance(when, dict) or not when:
        raise ConfigError(f"{path}: rule {rule_id!r} needs a non-empty [rule.when] table")
    conditions = tuple(_parse_condition(path, rule_id, name, value) for name, value in when.items())
    message = str(raw.get("message", raw.get("title", rule_id)))
    remediation = str(raw.get("remediation", ""))
    _check_template(path, rule_id, message)
    _check_template(path, rule_id, remediation)
    references = raw.get("references", [])
    if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
        raise ConfigError(f"{path}: rule {rule_id!r}: references must be a list of strings")
    return Rule(
        id=rule_id,
        title=str(raw.get("title", rule_id)),
        severity=raw["severity"],
        message=message,
        conditions=conditions,
        description=str(raw.get("description", "")),
        rationale=str(raw.get("rationale", "")),
        references=tuple(references),
        remediation=remediation,
    )


def _parse_condition(path: Path, rule_id: str, name: str, value: Any) -> Condition:
    if name not in FIELDS:
        raise ConfigError(f"{path}: rule {rule_id!r}: unknown field {name!r} (known: {', '.join(FIELDS)})")
    is_list = FIELDS[name]
    if isinstance(value, dict):
        if len(value) != 1:
            raise ConfigError(f"{path}: rule {rule_id!r}: {name}: give exactly one operator")
        ((operator, operand),) = value.items()
        if operator not in OPERATORS:
            raise ConfigError(f"{path}: rule {rule_id!r}: {name}: unknown operator {operator!r}")
        if operator in ("in", "not_in", "contains_any") and not isinstance(operand, list):
            raise ConfigError(f"{path}: rule {rule_id!r}: {name}: {operator} needs a list")
        return Condition(name, operator, tuple(operand) if isinstance(operand, list) else operand)
    if isinstance(value, list):
        return Condition(name, "contains_any" if is_list else "in", tuple(value))
    return Condition(name, "contains" if is_list else "eq", value)
