"""Load and check rule sets: declarative TOML, no code execution.

A rule is an id, a severity, texts, and a `when` table: every entry of it
must hold for the rule to fire on a component. An entry is `field = value`
(equality; for list fields, membership), `field = [values]` (any of), or
`field = { op = value }` with op among eq, ne, in, not_in, lt, le, gt, ge,
contains, contains_any, contains_none, empty.

A rule set may `extends` others (shipped names or paths relative to it),
redefine a rule by reusing its id, override severities in
`[ruleset.severity]` and `disable` rules. Every value is checked against
the field's domain when the file is loaded, so that a typo (`kind =
"sevice"`) is an error instead of a rule that silently never fires;
`depscan rules validate` reports all problems of a file at once.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from depscan import _toml
from depscan.errors import ConfigError
from depscan.model import KINDS, LICENSE_CATEGORIES, SEVERITIES
from depscan.resources import data_path


@dataclass(frozen=True)
class FieldSpec:
    """What a condition field holds: a list or one value, its type, and the values allowed."""

    is_list: bool
    type: type
    choices: tuple[Any, ...] | None = None
    pattern: str | None = None


#: the component fields a condition may test
FIELDS: dict[str, FieldSpec] = {
    "kind": FieldSpec(False, str, KINDS),
    "ecosystem": FieldSpec(False, str),
    "direct": FieldSpec(False, bool),
    "scope": FieldSpec(False, str),
    "level": FieldSpec(False, int, (0, 1, 2, 3, 4)),
    "unknown_vendor": FieldSpec(False, bool),
    "unknown_license": FieldSpec(False, bool),
    "vendor.id": FieldSpec(False, str),
    "vendor.country": FieldSpec(False, str, pattern=r"^[A-Z]{2}$"),
    "vendor.eu": FieldSpec(False, bool),
    "vendor.controller": FieldSpec(False, str),
    "vendor.seat_country": FieldSpec(False, str, pattern=r"^[A-Z]{2}$"),
    "vendor.legal_entity": FieldSpec(False, bool),
    "vendor.controller_type": FieldSpec(False, str),
    "vendor.confidence": FieldSpec(False, str, ("high", "medium", "low")),
    "vendor.laws": FieldSpec(True, str),
    "vendor.certifications": FieldSpec(True, str),
    "vendor.chain": FieldSpec(True, str),
    "vendor.eu_alternatives": FieldSpec(True, str),
    "license.category": FieldSpec(False, str, LICENSE_CATEGORIES),
    "license.open_source": FieldSpec(False, bool),
    "license.expression": FieldSpec(False, str),
}
LIST_FIELDS = frozenset(name for name, spec in FIELDS.items() if spec.is_list)
OPERATORS = {"eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "contains", "contains_any", "contains_none", "empty"}
_LIST_OPERATORS = {"contains", "contains_any", "contains_none", "empty"}
_ORDER_OPERATORS = {"lt", "le", "gt", "ge"}
_MULTI_OPERATORS = {"in", "not_in", "contains_any", "contains_none"}
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
_RULE_FIELDS = {"id", "title", "severity", "description", "rationale", "references", "remediation", "message", "when"}
#: the texts of a rule a `[rule.<language>]` table may give in another language (a missing one falls back)
TRANSLATED_FIELDS = ("title", "description", "rationale", "remediation", "message")
#: the languages a rule file may add texts in, besides its own
RULE_LANGUAGES = ("fr",)
_RULESET_FIELDS = {"id", "title", "description", "extends", "disable", "severity"}
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


class RuleSetError(ConfigError):
    """A rule set file has problems; `problems` lists every one found, each naming the file."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


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
    defined_in: str = ""  # id of the rule set whose file defines this rule
    #: language -> field -> text, from the rule's `[rule.fr]` table; reports fall back to the fields above
    translations: dict[str, dict[str, str]] = field(default_factory=dict, compare=False, hash=False)

    def text(self, name: str, language: str) -> str:
        """The rule's `name` text in `language`, or in the rule file's own language when it gives none."""
        translated = self.translations.get(language, {}).get(name)
        return translated if translated else str(getattr(self, name))


@dataclass
class RuleSet:
    id: str
    title: str
    description: str
    rules: list[Rule] = field(default_factory=list)
    origin: str = ""
    extends: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        """Component fields referenced by some rule: the key that rule outcomes depend on."""
        return tuple(sorted({c.field for r in self.rules for c in r.conditions}))

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def available() -> dict[str, Path]:
    """The rule sets shipped with depscan, by name."""
    return {path.stem: path for path in sorted(data_path("rules").glob("*.toml"))}


def load(names_or_paths: list[str] | tuple[str, ...]) -> RuleSet:
    """Load one or several rule sets (names of shipped sets or file paths), merged in order.

    A later set's rule replaces an earlier one with the same id, so that
    `--rules default --rules local.toml` can adjust a shipped set.
    """
    if not names_or_paths:
        names_or_paths = ["default"]
    merged: RuleSet | None = None
    for item in names_or_paths:
        ruleset = _load_one(item, seen=())
        if merged is None:
            merged = ruleset
            continue
        by_id = {r.id: r for r in merged.rules}
        by_id.update({r.id: r for r in ruleset.rules})
        merged = RuleSet(
            id=f"{merged.id}+{ruleset.id}",
            title=f"{merged.title} + {ruleset.title}",
            description=merged.description,
            rules=list(by_id.values()),
            origin=f"{merged.origin}, {ruleset.origin}",
            extends=(*merged.extends, *ruleset.extends),
        )
    assert merged is not None
    return merged


def describe(ruleset: RuleSet) -> dict[str, Any]:
    """A rule set as plain data, for `depscan rules list --format json` and reports."""
    return {
        "id": ruleset.id,
        "title": ruleset.title,
        "description": ruleset.description,
        "extends": list(ruleset.extends),
        "rules": [rule_dict(rule) for rule in ruleset.rules],
    }


def rule_dict(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "title": rule.title,
        "severity": rule.severity,
        "description": rule.description,
        "rationale": rule.rationale,
        "references": list(rule.references),
        "remediation": rule.remediation,
        "message": rule.message,
        "when": {
            c.field: {c.operator: list(c.value) if isinstance(c.value, tuple) else c.value} for c in rule.conditions
        },
        "defined_in": rule.defined_in,
    }


def _locate(item: str) -> Path:
    shipped = available()
    if item in shipped:
        return shipped[item]
    path = Path(item)
    if path.is_file():
        return path
    raise ConfigError(f"unknown rule set {item!r}: not a file, and not one of {', '.join(shipped)}")


def _read(path: Path) -> dict[str, Any]:
    try:
        return _toml.loads_config(_toml.read_config_text(path))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read rule set: {exc.strerror or exc}") from None
    except (_toml.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _load_one(item: str, seen: tuple[Path, ...], base: Path | None = None) -> RuleSet:
    if base is None or item in available():
        path = _locate(item)
    else:
        path = base.parent / item
        if not path.is_file():
            raise ConfigError(f"{base}: extends {item!r}: not a shipped rule set, and no such file next to it")
    path = path.resolve()
    if path in seen:
        raise ConfigError(f"{path}: rule set extends itself (cycle through {', '.join(str(s) for s in seen)})")
    document = _read(path)
    problems: list[str] = []
    header = document.get("ruleset", {})
    if not isinstance(header, dict):
        raise RuleSetError([f"{path}: [ruleset] must be a table"])
    _unknown(problems, path, "[ruleset]", header, _RULESET_FIELDS)
    unknown_top = set(document) - {"ruleset", "rule"}
    if unknown_top:
        problems.append(f"{path}: unknown top-level key(s): {', '.join(sorted(unknown_top))}")
    ruleset_id = str(header.get("id", path.stem))
    rules: dict[str, Rule] = {}
    parents = _string_list(problems, path, "[ruleset] extends", header.get("extends", []))
    for parent in parents:
        for rule in _load_one(parent, (*seen, path), base=path).rules:
            rules[rule.id] = rule
    raw_rules = document.get("rule", [])
    if not isinstance(raw_rules, list):
        problems.append(f"{path}: 'rule' must be an array of tables ([[rule]])")
        raw_rules = []
    defined_here: set[str] = set()
    for position, raw in enumerate(raw_rules, start=1):
        rule = _parse_rule(problems, path, position, raw, ruleset_id)
        if rule is None:
            continue
        if rule.id in defined_here:
            problems.append(f"{path}: rule {rule.id!r} is defined twice")
        defined_here.add(rule.id)
        rules[rule.id] = rule
    overrides = header.get("severity", {})
    if not isinstance(overrides, dict):
        problems.append(f"{path}: [ruleset.severity] must map rule ids to severities")
        overrides = {}
    for rule_id, severity in overrides.items():
        if rule_id not in rules:
            problems.append(f"{path}: severity override for unknown rule {rule_id!r}")
        elif _check_severity(problems, path, rule_id, severity):
            rules[rule_id] = replace(rules[rule_id], severity=severity)
    for rule_id in _string_list(problems, path, "[ruleset] disable", header.get("disable", [])):
        if rule_id not in rules:
            problems.append(f"{path}: cannot disable unknown rule {rule_id!r}")
        else:
            del rules[rule_id]
    if problems:
        raise RuleSetError(problems)
    return RuleSet(
        id=ruleset_id,
        title=str(header.get("title", path.stem)),
        description=str(header.get("description", "")),
        rules=list(rules.values()),
        origin=str(path),
        extends=tuple(parents),
    )


def _string_list(problems: list[str], path: Path, where: str, value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    problems.append(f"{path}: {where} must be a string or a list of strings")
    return []


def _unknown(problems: list[str], path: Path, where: str, table: dict[str, Any], allowed: set[str]) -> None:
    extra = set(table) - allowed
    if extra:
        problems.append(f"{path}: {where}: unknown field(s): {', '.join(sorted(extra))}")


def _check_severity(problems: list[str], path: Path, rule_id: str, severity: Any) -> bool:
    if severity in SEVERITIES:
        return True
    problems.append(f"{path}: rule {rule_id!r}: severity must be one of {', '.join(SEVERITIES)}, got {severity!r}")
    return False


def _check_template(problems: list[str], path: Path, rule_id: str, text: str) -> None:
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)]
    except ValueError as exc:
        problems.append(f"{path}: rule {rule_id!r}: bad template {text!r}: {exc}")
        return
    for name, spec, conversion in fields:
        if name is not None and (spec or conversion):
            # `{name:>999999999}` would build a gigabyte string per finding: placeholders are plain `{name}`
            problems.append(
                f"{path}: rule {rule_id!r}: placeholder {{{name}}} has a format specifier or conversion"
                f" ({(':' + spec) if spec else ''}{('!' + conversion) if conversion else ''}): write plain {{{name}}}"
            )
            return
        if name is not None and any(mark in name for mark in ".["):
            problems.append(f"{path}: rule {rule_id!r}: placeholder {{{name}}}: attribute and index access are refused")
            return
    names = {name for name, _, _ in fields if name is not None}
    unknown = names - PLACEHOLDERS
    if unknown:
        problems.append(
            f"{path}: rule {rule_id!r}: unknown placeholder(s) {', '.join(sorted(unknown))}"
            f" (known: {', '.join(sorted(PLACEHOLDERS))})"
        )
        return
    try:  # nested fields in format specs and bad specs show only when formatting: try it now, not mid-scan
        text.format_map(dict.fromkeys(PLACEHOLDERS, "x"))
    except (ValueError, KeyError, IndexError, AttributeError, TypeError) as exc:
        problems.append(f"{path}: rule {rule_id!r}: bad template {text!r}: {exc!r}")


def _parse_rule(problems: list[str], path: Path, position: int, raw: Any, ruleset_id: str) -> Rule | None:
    if not isinstance(raw, dict):
        problems.append(f"{path}: rule #{position} is not a table")
        return None
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        problems.append(f"{path}: rule #{position} has no id")
        return None
    before = len(problems)
    if not _RULE_ID.match(rule_id):
        problems.append(f"{path}: rule {rule_id!r}: ids are lowercase letters, digits, '.', '_' and '-'")
    _unknown(problems, path, f"rule {rule_id!r}", raw, _RULE_FIELDS | set(RULE_LANGUAGES))
    translations = _translations(problems, path, rule_id, raw)
    _check_severity(problems, path, rule_id, raw.get("severity"))
    for text_field in ("title", "description", "rationale", "remediation", "message"):
        if text_field in raw and not isinstance(raw[text_field], str):
            problems.append(f"{path}: rule {rule_id!r}: {text_field} must be a string")
    when = raw.get("when")
    conditions: list[Condition] = []
    if not isinstance(when, dict) or not when:
        problems.append(f"{path}: rule {rule_id!r} needs a non-empty [rule.when] table")
    else:
        for name, value in when.items():
            condition = _parse_condition(problems, path, rule_id, name, value)
            if condition is not None:
                conditions.append(condition)
    message = str(raw.get("message", raw.get("title", rule_id)))
    remediation = str(raw.get("remediation", ""))
    _check_template(problems, path, rule_id, message)
    _check_template(problems, path, rule_id, remediation)
    references = raw.get("references", [])
    if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
        problems.append(f"{path}: rule {rule_id!r}: references must be a list of strings")
        references = []
    if len(problems) > before:
        return None
    return Rule(
        id=rule_id,
        title=str(raw.get("title", rule_id)),
        severity=raw["severity"],
        message=message,
        conditions=tuple(conditions),
        description=str(raw.get("description", "")),
        rationale=str(raw.get("rationale", "")),
        references=tuple(references),
        remediation=remediation,
        defined_in=ruleset_id,
        translations=translations,
    )


def _translations(problems: list[str], path: Path, rule_id: str, raw: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The `[rule.<language>]` tables: strings only, known fields only, templates with known placeholders."""
    found: dict[str, dict[str, str]] = {}
    for language in RULE_LANGUAGES:
        table = raw.get(language)
        if table is None:
            continue
        if not isinstance(table, dict):
            problems.append(f"{path}: rule {rule_id!r}: [rule.{language}] must be a table")
            continue
        _unknown(problems, path, f"rule {rule_id!r} [rule.{language}]", table, set(TRANSLATED_FIELDS))
        texts: dict[str, str] = {}
        for name, value in table.items():
            if name not in TRANSLATED_FIELDS:
                continue
            if not isinstance(value, str):
                problems.append(f"{path}: rule {rule_id!r}: [rule.{language}] {name} must be a string")
                continue
            if name in ("message", "remediation"):
                _check_template(problems, path, rule_id, value)
            texts[name] = value
        found[language] = texts
    return found


def _parse_condition(problems: list[str], path: Path, rule_id: str, name: str, value: Any) -> Condition | None:
    where = f"{path}: rule {rule_id!r}: {name}"
    spec = FIELDS.get(name)
    if spec is None:
        problems.append(f"{path}: rule {rule_id!r}: unknown field {name!r} (known: {', '.join(FIELDS)})")
        return None
    if isinstance(value, dict):
        if len(value) != 1:
            problems.append(f"{where}: give exactly one operator")
            return None
        ((operator, operand),) = value.items()
    elif isinstance(value, list):
        operator, operand = ("contains_any" if spec.is_list else "in"), value
    else:
        operator, operand = ("contains" if spec.is_list else "eq"), value
    if operator not in OPERATORS:
        problems.append(f"{where}: unknown operator {operator!r} (known: {', '.join(sorted(OPERATORS))})")
        return None
    problem = _check_operator(spec, operator, operand)
    if problem:
        problems.append(f"{where}: {problem}")
        return None
    return Condition(name, operator, tuple(operand) if isinstance(operand, list) else operand)


def _check_operator(spec: FieldSpec, operator: str, operand: Any) -> str | None:
    """Why `operator operand` makes no sense on a field of this spec, or None when it does."""
    if spec.is_list and operator not in _LIST_OPERATORS:
        return f"a list field takes {', '.join(sorted(_LIST_OPERATORS))}, not {operator}"
    if not spec.is_list and operator in _LIST_OPERATORS - {"empty"}:
        return f"{operator} applies to list fields only; use eq or in"
    if operator == "empty":
        if spec.type is bool or spec.type is int:
            return "empty applies to text and list fields"
        return None if isinstance(operand, bool) else "empty takes true or false"
    if operator in _ORDER_OPERATORS and spec.type is not int:
        return f"{operator} applies to numeric fields (level) only"
    if operator in _MULTI_OPERATORS:
        if not isinstance(operand, list) or not operand:
            return f"{operator} needs a non-empty list"
        values = operand
    else:
        values = [operand]
    for item in values:
        problem = _check_value(spec, item)
        if problem:
            return problem
    return None


def _check_value(spec: FieldSpec, value: Any) -> str | None:
    if spec.type is int and (isinstance(value, bool) or not isinstance(value, int)):
        return f"expected an integer, got {value!r}"
    if spec.type is not int and not isinstance(value, spec.type):
        return f"expected {'true or false' if spec.type is bool else 'a string'}, got {value!r}"
    if spec.choices is not None and value not in spec.choices:
        return f"{value!r} is not one of {', '.join(map(str, spec.choices))}"
    if spec.pattern is not None and not re.match(spec.pattern, value):
        return f"{value!r} does not match {spec.pattern}"
    return None
