"""Rule sets: conditions, loading and validation, the shipped sets, and `depscan rules list / validate`."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from depscan.model import Component, License, VendorMatch
from depscan.policy import rules
from depscan.policy.evaluate import field_value, holds
from depscan.policy.rules import Condition, RuleSetError

APP = FIXTURES / "policy" / "app.cdx.json"


def us_sdk() -> Component:
    component = Component(name="boto3", purl="pkg:pypi/boto3@1.35.0", ecosystem="pypi", kind="sdk", direct=True)
    component.license = License("Apache-2.0", "permissive", True)
    component.vendor = VendorMatch(
        id="aws",
        name="Amazon Web Services, Inc.",
        country="US",
        eu=False,
        controller="amazon",
        controller_name="Amazon.com, Inc.",
        laws=("us-cloud-act", "us-fisa-702"),
        evidence="purl pkg:pypi/boto3",
        match_key="purl",
        kind="sdk",
        chain=("aws", "amazon"),
        certifications=("C5",),
        eu_alternatives=("ovhcloud", "scaleway"),
    )
    component.level = 1
    return component


# -- conditions -------------------------------------------------------------


@pytest.mark.parametrize(
    "condition, expected",
    [
        (Condition("kind", "eq", "sdk"), True),
        (Condition("kind", "ne", "sdk"), False),
        (Condition("kind", "in", ("service", "sdk")), True),
        (Condition("kind", "not_in", ("service", "sdk")), False),
        (Condition("level", "le", 1), True),
        (Condition("level", "lt", 1), False),
        (Condition("level", "ge", 2), False),
        (Condition("vendor.laws", "contains", "us-cloud-act"), True),
        (Condition("vendor.laws", "contains_any", ("ru-sorm", "us-fisa-702")), True),
        (Condition("vendor.laws", "contains_none", ("ru-sorm", "us-fisa-702")), False),
        (Condition("vendor.certifications", "contains_none", ("SecNumCloud",)), True),
        (Condition("vendor.laws", "empty", False), True),
        (Condition("vendor.chain", "contains", "amazon"), True),
        (Condition("vendor.eu_alternatives", "empty", True), False),
        (Condition("vendor.eu", "eq", False), True),
        (Condition("license.open_source", "eq", True), True),
        (Condition("unknown_vendor", "eq", False), True),
        (Condition("direct", "eq", True), True),
    ],
)
def test_conditions_on_a_resolved_component(condition: Condition, expected: bool) -> None:
    assert holds(condition, field_value(us_sdk(), condition.field)) is expected


def test_unknown_values_never_satisfy_a_comparison() -> None:
    component = Component(name="mystery", kind="library")  # no vendor, no licence, no level
    assert field_value(component, "vendor.eu") is None
    assert field_value(component, "vendor.laws") == ()
    assert not holds(Condition("vendor.eu", "eq", False), None)
    assert not holds(Condition("level", "le", 4), None)
    assert holds(Condition("vendor.eu", "ne", True), None)  # "not EU" is true of an unknown controller
    assert holds(Condition("license.category", "not_in", ("proprietary",)), None)
    assert holds(Condition("vendor.laws", "empty", True), ())
    assert holds(Condition("unknown_vendor", "eq", True), field_value(component, "unknown_vendor"))


# -- loading and validation ---------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_sets_load_and_differ() -> None:
    default, strict, licenses = (rules.load([name]) for name in ("default", "strict", "licenses"))
    assert strict.extends == ("default",)
    assert strict.get("extra-eu-sdk").severity == "high" and default.get("extra-eu-sdk").severity == "medium"
    assert strict.get("unknown-vendor-service").severity == "high"
    assert strict.get("unqualified-eu-provider").defined_in == "strict"
    assert strict.get("extra-eu-library").defined_in == "default"
    assert not {c.field for r in licenses.rules for c in r.conditions} & {"vendor.eu", "vendor.laws", "unknown_vendor"}


def test_rules_shared_by_default_and_licenses_are_identical() -> None:
    """Same id, same judgement: exemptions and findings must line up across the two sets."""
    default, licenses = rules.load(["default"]), rules.load(["licenses"])
    shared = {r.id for r in default.rules} & {r.id for r in licenses.rules}
    assert shared == {"proprietary-license", "source-available-license", "unknown-license"}
    for rule_id in shared:
        assert default.get(rule_id).conditions == licenses.get(rule_id).conditions
        assert default.get(rule_id).severity == licenses.get(rule_id).severity


def test_extends_override_and_disable(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "team.toml",
        """
[ruleset]
id = "team"
extends = "strict"
disable = ["extra-eu-library"]
[ruleset.severity]
"unqualified-eu-provider" = "low"

[[rule]]
id = "big-vendor"
title = "Depends on Amazon"
severity = "info"
message = "{name}: {controller}"
[rule.when]
"vendor.chain" = "amazon"
""",
    )
    ruleset = rules.load([str(path)])
    assert ruleset.get("extra-eu-library") is None
    assert ruleset.get("unqualified-eu-provider").severity == "low"
    assert ruleset.get("extra-eu-sdk").severity == "high"  # from strict
    assert ruleset.get("big-vendor").conditions == (Condition("vendor.chain", "contains", "amazon"),)


def test_every_problem_of_a_file_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.toml",
        """
[ruleset]
disable = ["no-such-rule"]

[[rule]]
id = "typo-kind"
severity = "high"
[rule.when]
kind = "sevice"

[[rule]]
id = "bad-operator"
severity = "urgent"
[rule.when]
"vendor.laws" = { eq = "us-cloud-act" }

[[rule]]
id = "bad-template"
severity = "low"
message = "{name} from {planet}"
[rule.when]
level = { le = "2" }
"vendor.country" = "usa"

[[rule]]
id = "typo-kind"
severity = "low"
[rule.when]
colour = "red"
""",
    )
    with pytest.raises(RuleSetError) as caught:
        rules.load([str(path)])
    text = "\n".join(caught.value.problems)
    for expected in (
        "'sevice' is not one of",
        "severity must be one of",
        "a list field takes",
        "unknown placeholder(s) planet",
        "expected an integer",
        "does not match",
        "unknown field 'colour'",
        "cannot disable unknown rule 'no-such-rule'",
    ):
        assert expected in text, expected
    assert all(problem.startswith(str(path.resolve())) for problem in caught.value.problems)


@pytest.mark.parametrize("template", ["{name:{evil}}", "{name:d}", "{name.__class__}", "{0}", "{}", "{name"])
def test_templates_that_would_fail_mid_scan_are_rejected(tmp_path: Path, template: str) -> None:
    rule = f'[[rule]]\nid = "t"\nseverity = "low"\nmessage = "{template}"\n[rule.when]\nkind = "sdk"\n'
    with pytest.raises(RuleSetError, match=r"template|placeholder"):
        rules.load([str(write(tmp_path, "t.toml", rule))])


def test_extends_cycle_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", '[ruleset]\nextends = "b.toml"\n')
    write(tmp_path, "b.toml", '[ruleset]\nextends = "a.toml"\n')
    with pytest.raises(rules.ConfigError, match="extends itself"):
        rules.load([str(tmp_path / "a.toml")])


# -- CLI ------------------------------------------------------------------------


def test_rules_list_json_and_table(cli) -> None:
    run = cli("rules", "list", "--format", "json")
    assert run.code == 0, run.stderr
    sets = {entry["id"]: entry for entry in run.json()}
    assert set(sets) == {"default", "strict", "licenses"}
    strict = {rule["id"]: rule for rule in sets["strict"]["rules"]}
    assert strict["extra-eu-sdk"]["severity"] == "high"
    assert strict["extra-eu-sdk"]["when"] == {"kind": {"eq": "sdk"}, "vendor.eu": {"eq": False}}
    assert sets["strict"]["extends"] == ["default"]
    table = cli("rules", "list", "licenses")
    assert table.code == 0 and "network-copyleft-license" in table.stdout and "extra-eu-sdk" not in table.stdout


def test_readme_table_matches_the_default_rule_set() -> None:
    """The README describes the default set rule by rule: keep it true."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in rules.load(["default"]).rules:
        assert f"| `{rule.id}` | {rule.severity} |" in readme, rule.id


def test_rules_validate(cli, tmp_path: Path) -> None:
    good = cli("rules", "validate", str(ROOT / "rules" / "strict.toml"), "licenses")
    assert good.code == 0, good.stderr
    assert "ok: " in good.stdout and "extends default" in good.stdout
    bad = write(tmp_path, "bad.toml", '[[rule]]\nid = "x"\nseverity = "high"\n[rule.when]\nkind = "sevice"\n')
    run = cli("rules", "validate", str(bad))
    assert run.code == 2
    assert "'sevice' is not one of" in run.stderr and "Traceback" not in run.stderr
    broken = write(tmp_path, "broken.toml", "[[rule]\n")
    run = cli("rules", "validate", str(broken))
    assert run.code == 2 and "invalid TOML" in run.stderr


# -- the three sets on one application ------------------------------------------


def findings_by_rule(cli, *rule_sets: str) -> Counter[tuple[str, str]]:
    args = [arg for name in rule_sets for arg in ("--rules", name)]
    run = cli("scan", str(APP), "--format", "json", "--fail-on", "none", *args)
    assert run.code == 0, run.stderr
    return Counter((f["rule"], f["severity"]) for f in run.json()["findings"])


def test_default_strict_and_licenses_sets_on_the_same_application(cli) -> None:
    # The fixture: 4 SDKs of US/Chinese clouds (boto3, botocore, @aws-sdk/client-s3, tencentcloud), 2 EU SDKs
    # (ovh, SecNumCloud-qualified; mistralai, not), Stripe (US service), an unattributed service, requests (PSF),
    # and licence cases: AGPL, GPL, LGPL, BUSL, "Commercial", none. PyPI and npm are added as registries.
    assert findings_by_rule(cli, "default") == {
        ("extra-eu-service", "high"): 1,
        ("proprietary-license", "high"): 1,
        ("extra-eu-sdk", "medium"): 4,
        ("source-available-license", "medium"): 1,
        ("unknown-vendor-service", "medium"): 1,
        ("extra-eu-build-chain", "low"): 2,
        ("unknown-license", "low"): 1,
        ("extra-eu-library", "info"): 1,
    }
    assert findings_by_rule(cli, "strict") == {
        ("extra-eu-sdk", "high"): 4,
        ("extra-eu-service", "high"): 1,
        ("proprietary-license", "high"): 1,
        ("unknown-vendor-service", "high"): 1,
        ("extra-eu-build-chain", "medium"): 2,
        ("source-available-license", "medium"): 1,
        ("unknown-license", "medium"): 1,
        ("unqualified-eu-provider", "medium"): 1,  # mistralai; ovh holds SecNumCloud
        ("low-confidence-attribution", "low"): 1,  # tencentcloud-sdk-python
        ("extra-eu-library", "info"): 1,
    }
    assert findings_by_rule(cli, "licenses") == {
        ("proprietary-license", "high"): 1,
        ("network-copyleft-license", "medium"): 1,
        ("source-available-license", "medium"): 1,
        ("strong-copyleft-license", "low"): 1,
        ("unknown-license", "low"): 1,
        ("weak-copyleft-license", "info"): 1,
    }
    # repeated --rules merge in order: the licence rules join the default ones, shared ids once
    combined = findings_by_rule(cli, "default", "licenses")
    assert combined[("network-copyleft-license", "medium")] == 1 and combined[("extra-eu-sdk", "medium")] == 4
    assert combined[("proprietary-license", "high")] == 1


def test_fail_on_counts_only_findings_at_or_above(cli) -> None:
    assert cli("scan", str(APP), "--format", "json", "--fail-on", "critical").code == 0
    run = cli("scan", str(APP), "--format", "json", "--fail-on", "high", "--rules", "licenses")
    assert run.code == 1 and run.json()["summary"]["failing_findings"] == 1
    assert json.loads(run.stdout)["ruleset"] == "licenses"


def test_policy_documentation_covers_every_field_operator_and_placeholder() -> None:
    text = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    for name in (*rules.FIELDS, *rules.OPERATORS):
        assert f"`{name}`" in text, name
    for placeholder in rules.PLACEHOLDERS:
        assert f"`{{{placeholder}}}`" in text, placeholder
