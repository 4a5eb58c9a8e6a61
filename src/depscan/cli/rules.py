"""`depscan rules`: list and check rule sets."""

from __future__ import annotations

import sys

import click

from depscan.console import EXIT_USAGE, error, write_output


@click.group("rules")
def rules_group() -> None:
    """List and check rule sets."""


@rules_group.command("list")
@click.argument("rule_sets", nargs=-1)
@click.option("-f", "--format", "format_", type=click.Choice(["table", "json"]), default="table", show_default=True)
def rules_list(rule_sets: tuple[str, ...], format_: str) -> None:
    """The shipped rule sets (or the named sets or files) and their rules."""
    import orjson

    from depscan.errors import ConfigError
    from depscan.policy import rules as rules_module

    try:
        loaded = [rules_module.load([item]) for item in (rule_sets or tuple(rules_module.available()))]
    except ConfigError as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)
    if format_ == "json":
        payload = [rules_module.describe(ruleset) for ruleset in loaded]
        write_output(orjson.dumps(payload, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n", None)
        return
    for ruleset in loaded:
        extends = f" (extends {', '.join(ruleset.extends)})" if ruleset.extends else ""
        click.echo(f"{ruleset.id}: {ruleset.title}{extends}, {len(ruleset.rules)} rules")
        for rule in sorted(ruleset.rules, key=lambda r: (-_severity_rank(r.severity), r.id)):
            click.echo(f"  {rule.severity:<8} {rule.id:<32} {rule.title}")
        click.echo("")


def _severity_rank(severity: str) -> int:
    from depscan.model import severity_rank

    return severity_rank(severity)


@rules_group.command("validate")
@click.argument("files", nargs=-1, required=True)
def rules_validate(files: tuple[str, ...]) -> None:
    """Check rule set files: fields, operators, values, templates, extends. Exit 2 on any problem."""
    from depscan.errors import ConfigError
    from depscan.policy import rules as rules_module

    failed = False
    for item in files:
        try:
            ruleset = rules_module.load([item])
        except rules_module.RuleSetError as exc:
            failed = True
            for problem in exc.problems:
                click.echo(problem, err=True)
            continue
        except ConfigError as exc:
            failed = True
            click.echo(str(exc), err=True)
            continue
        extends = f", extends {', '.join(ruleset.extends)}" if ruleset.extends else ""
        click.echo(f"ok: {item}: rule set {ruleset.id!r}, {len(ruleset.rules)} rules{extends}")
    if failed:
        sys.exit(EXIT_USAGE)
