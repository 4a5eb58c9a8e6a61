"""`depscan explain`: why a component gets its controller, licence category and findings."""

from __future__ import annotations

import sys

import click

from depscan.cli.common import load_database, policy_setup
from depscan.console import EXIT_USAGE, error, write_output


@click.command("explain")
@click.argument("query")
@click.option("--in", "report", type=click.Path(dir_okay=False), help="A JSON report of depscan scan.")
@click.option("-f", "--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--rules", "rule_sets", multiple=True, help="Rule set name or file (default: as configured).")
@click.option("--vendor-db", type=click.Path(file_okay=False), help="Database directory (default: the bundled one).")
@click.option("--config", "config_file", help="Configuration file (default: nearest depscan.toml or pyproject.toml).")
def explain_command(
    query: str,
    report: str | None,
    format_: str,
    rule_sets: tuple[str, ...],
    vendor_db: str | None,
    config_file: str | None,
) -> None:
    """Why a component (PURL or NAME) has its vendor, level and findings, evidence by evidence.

    With --in, the component as a scan reported it; without, the query is
    looked up in the vendor database and judged as a standalone component.
    """
    import orjson

    from depscan import explain
    from depscan.errors import ConfigError
    from depscan.report.json_report import component_dict

    settings, ruleset, _, _ = policy_setup(config_file, {"rules": rule_sets, "vendor_db": vendor_db})
    database = load_database(settings.vendor_db)
    try:
        if report:
            found, _ = explain.from_report(report, query)
            origin = f"from {report}"
        else:
            component, findings = explain.standalone(query, database, ruleset, settings.qualified_vendors)
            found = [(component, component_dict(component), findings)]
            origin = "standalone, from the vendor database"
    except ConfigError as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)
    if not found:
        error(f"{query}: no such component in {report}")
        sys.exit(EXIT_USAGE)
    explanations = [explain.explain(c, findings, database, ruleset, entry) for c, entry, findings in found]
    if format_ == "json":
        payload = {"query": query, "origin": origin, "explanations": [e.as_dict() for e in explanations]}
        write_output(orjson.dumps(payload, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n", None)
    else:
        write_output(explain.render_text(explanations, origin), None)
