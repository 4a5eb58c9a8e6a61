"""`depscan diff OLD.json NEW.json`: what a change adds, for a pull-request comment and a CI gate."""

from __future__ import annotations

import sys

import click

from depscan.cli.common import SEVERITY_CHOICES, exit_code_option
from depscan.console import EXIT_OK, EXIT_USAGE, error, write_output


@click.command("diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option(
    "-f",
    "--format",
    "format_",
    type=click.Choice(["table", "json", "markdown"]),
    default="table",
    show_default=True,
    help="table for a terminal, json (schema depscan-diff/1), markdown for a pull-request comment.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITY_CHOICES),
    help="Exit 1 (or --exit-code) when a NEW finding reaches this severity (default: high, or as configured).",
)
@exit_code_option("Exit status when a new finding reaches --fail-on.")
@click.option("--config", "config_file", help="Configuration file (default: nearest depscan.toml or pyproject.toml).")
def diff_command(
    old: str, new: str, format_: str, output: str | None, fail_on: str | None, exit_code: int, config_file: str | None
) -> None:
    """Compare two JSON reports of `depscan scan` (OLD: e.g. the target branch, NEW: the change).

    Components added and removed, controllers and jurisdictions new to the application, level
    and score change, findings new and resolved. Both reports must come from this depscan's
    fingerprint scheme and the same rule set (else exit 2).
    """
    from depscan import config
    from depscan import diff as diff_module
    from depscan.errors import ConfigError
    from depscan.report import diff as render

    try:
        settings = config.load(config_file, {"fail_on": fail_on})
        old_report, new_report = diff_module.load_pair(old, new)
    except ConfigError as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)
    result = diff_module.compare(
        old_report, new_report, settings.fail_on, law_names=_law_names(settings.vendor_db), old_path=old, new_path=new
    )
    if format_ == "json":
        write_output(render.render_json(result), output)
    elif format_ == "markdown":
        write_output(render.render_markdown(result), output)
    else:
        write_output(render.render_table(result), output)
    sys.exit(exit_code if result["failing_findings"] else EXIT_OK)


def _law_names(vendor_db: str | None) -> dict[str, str]:
    """Law names for the sentences ('CLOUD Act'); the ids stand in when the database cannot be read."""
    from pathlib import Path

    from depscan import vendordb
    from depscan.errors import ConfigError

    try:
        database = vendordb.load(Path(vendor_db) if vendor_db else None)
    except ConfigError:
        return {}
    return {law_id: str(law.get("name") or law_id) for law_id, law in database.laws.items()}
