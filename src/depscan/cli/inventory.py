"""`depscan inventory scan` and `depscan inventory diff`: click wiring around depscan.inventory."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from depscan.cli.common import load_database
from depscan.console import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_USAGE, error, warning, write_output
from depscan.progress import ProgressBar, printable

PORTFOLIO_FORMAT_CHOICES = ("json", "html", "csv", "xlsx", "markdown")
DIFF_FORMAT_CHOICES = ("table", "json", "markdown")
DEFAULT_HISTORY = "depscan-history.sqlite"
_SEVERITY_CHOICES = ("info", "low", "medium", "high", "critical", "none")


@click.group("inventory")
def inventory() -> None:
    """Audit an inventory of applications: portfolio view, concentration, change since the last audit."""


@inventory.command("scan")
@click.argument("inventory_file", metavar="INVENTORY", type=click.Path(dir_okay=False))
@click.option(
    "-f",
    "--format",
    "format_",
    type=click.Choice(PORTFOLIO_FORMAT_CHOICES),
    default="json",
    show_default=True,
    help="Portfolio report format.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to FILE, not standard output.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: one per CPU).")
@click.option(
    "--history",
    "history_file",
    metavar="[FILE]",
    is_flag=False,
    flag_value=DEFAULT_HISTORY,
    envvar="DEPSCAN_HISTORY",
    help=f"Record this run in a SQLite history FILE (alone: {DEFAULT_HISTORY}) and report what changed since"
    " the last recorded run of this inventory.",
)
@click.option(
    "--fail-on",
    type=click.Choice(_SEVERITY_CHOICES),
    default="none",
    show_default=True,
    help="Exit 1 when any application has a finding at this severity or above.",
)
@click.option("--rules", "rule_sets", multiple=True, help="Rule set name or file (repeatable; default: default).")
@click.option("--vendor-db", type=click.Path(file_okay=False), help="Use this vendor database directory.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def inventory_scan(
    inventory_file: str,
    format_: str,
    output: str | None,
    jobs: int | None,
    history_file: str | None,
    fail_on: str,
    rule_sets: tuple[str, ...],
    vendor_db: str | None,
    quiet: bool,
) -> None:
    """Scan every application of INVENTORY (TOML or CSV) in parallel and report the portfolio.

    Exit codes: 0 done, 1 findings at or above --fail-on, 2 usage or
    configuration error (the inventory itself is unusable), 3 some application
    could not be scanned, or had an unreadable input (all the others are
    still reported).
    """
    from depscan.errors import ConfigError
    from depscan.inventory import loader
    from depscan.inventory.audit import AuditOptions, run_audit
    from depscan.policy import rules as rules_module
    from depscan.report import RenderOptions
    from depscan.report.portfolio import BINARY_PORTFOLIO_FORMATS, portfolio_renderer

    if format_ in BINARY_PORTFOLIO_FORMATS and not output and sys.stdout.isatty():
        error(f"{format_} is a binary format: use --output FILE")
        sys.exit(EXIT_USAGE)
    try:
        rules_module.load(list(rule_sets) or ["default"])  # fail here, once, rather than in every worker
        inventory_ = loader.load(inventory_file)
    except ConfigError as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)
    database = load_database(vendor_db)
    options = AuditOptions(
        jobs=jobs or 0,
        rules=tuple(rule_sets) or ("default",),
        fail_on=fail_on,
        vendor_db=vendor_db,
        history=history_file,
    )
    try:
        enabled = not quiet and sys.stderr.isatty()
        with ProgressBar(enabled, "scanned", total=len(inventory_.applications)) as advance:
            on_result = (lambda result: advance(result.name)) if advance else None
            audit = run_audit(inventory_, database, options, on_result=on_result)
    except ConfigError as exc:  # the history could not be opened or written
        error(str(exc))
        sys.exit(EXIT_USAGE)
    for result in audit.results:
        for problem in result.errors:
            where = problem.get("path") or inventory_file
            if problem.get("line"):
                where = f"{where}:{problem['line']}"
            error(f"application {result.name!r}: {where}: {problem['message']}")
        for message in result.warnings:
            warning(f"application {result.name!r}: {message}")
    _warn_unknown_declared(audit.results)
    write_output(portfolio_renderer(format_)(audit.portfolio, RenderOptions(tool_version=_version())), output)
    if audit.failed:
        sys.exit(EXIT_INPUT)
    failing = any(r.summary.get("failing_findings") for r in audit.results)
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)


@inventory.command("diff")
@click.option(
    "--history",
    "history_file",
    default=DEFAULT_HISTORY,
    envvar="DEPSCAN_HISTORY",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The SQLite history `depscan inventory scan --history` records into.",
)
@click.option(
    "--since",
    metavar="DATE",
    help="Compare with the last run before DATE (YYYY-MM-DD or ISO 8601 date-time);"
    " default: the run before the latest.",
)
@click.option("--inventory", "inventory_name", help="Inventory name, when the history holds several (default: latest).")
@click.option(
    "-f",
    "--format",
    "format_",
    type=click.Choice(DIFF_FORMAT_CHOICES),
    help="Output format (default: table on a terminal, json otherwise).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
def inventory_diff(
    history_file: str, since: str | None, inventory_name: str | None, format_: str | None, output: str | None
) -> None:
    """What changed between the latest recorded inventory run and an earlier one.

    New and removed extra-EU dependencies, level and score changes, per
    application and overall. Exit codes: 0 done, 2 no history or nothing to compare.
    """
    from depscan.errors import ConfigError
    from depscan.inventory import history, storage
    from depscan.report import RenderOptions

    if not os.path.exists(history_file) and "://" not in history_file:
        error(f"{history_file}: no history yet: record runs with `depscan inventory scan INVENTORY --history`")
        sys.exit(EXIT_USAGE)
    try:
        moment = storage.parse_moment(since) if since else None
    except ValueError:
        error(f"--since {since!r}: expected YYYY-MM-DD or an ISO 8601 date-time")
        sys.exit(EXIT_USAGE)
    try:
        store = storage.open_store(history_file)
        try:
            changes = history.diff_latest(store, inventory_name, moment)
        finally:
            store.close()
    except ConfigError as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)
    format_ = format_ or ("table" if sys.stdout.isatty() and not output else "json")
    options = RenderOptions(tool_version=_version())
    if format_ == "json":
        from depscan.report.portfolio.json_report import render_changes as render_json

        write_output(render_json(changes, options), output)
    elif format_ == "markdown":
        from depscan.report.portfolio.markdown import render_changes as render_markdown

        write_output(render_markdown(changes, options), output)
    else:
        write_output(_text(changes), output)
    sys.exit(EXIT_OK)


def _text(changes: dict[str, Any]) -> str:
    """The diff for a terminal: one line per fact, the applications that moved first."""
    moved = changes["summary"]
    lines = [
        f"{changes['inventory']}: run {changes['baseline']['run']} ({changes['baseline']['recorded_at']})"
        f" -> run {changes['current']['run']} ({changes['current']['recorded_at']})",
        f"levels: {moved['level_improved']} improved, {moved['level_worsened']} worsened;"
        f" lowest {_value(moved['lowest_level'][0])} -> {_value(moved['lowest_level'][1])};"
        f" mean score {_value(moved['mean_score'][0])} -> {_value(moved['mean_score'][1])}",
        f"extra-EU dependencies: {moved['new_extra_eu']} new, {moved['removed_extra_eu']} removed",
    ]
    for name in moved["applications_added"]:
        lines.append(f"+ application {name}")
    for name in moved["applications_removed"]:
        lines.append(f"- application {name}")
    for controller in changes["new_controllers"]:
        lines.append(f"+ controller {controller['controller']} ({controller['country']})")
    for controller in changes["removed_controllers"]:
        lines.append(f"- controller {controller['controller']} ({controller['country']})")
    for application in changes["applications"]:
        before, after = application["level"]
        lines.append(
            f"{application['name']}: level {_value(before)} -> {_value(after)}"
            f" ({application['level_change'] or application['change']}),"
            f" score {_value(application['score'][0])} -> {_value(application['score'][1])}"
        )
        for dependency in application["new_extra_eu"]:
            lines.append(
                f"  + {dependency['name']} ({dependency['kind']}, {dependency['controller']}, {dependency['country']})"
            )
        for dependency in application["removed_extra_eu"]:
            lines.append(
                f"  - {dependency['name']} ({dependency['kind']}, {dependency['controller']}, {dependency['country']})"
            )
    if not changes["applications"]:
        lines.append("no application changed")
    return "\n".join(printable(line) for line in lines) + "\n"


def _value(value: Any) -> str:
    return "n/a" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _version() -> str:
    from depscan import __version__

    return __version__


def _warn_unknown_declared(results: list[Any]) -> None:
    """One line per unknown name, however many applications declare it."""
    users: dict[tuple[str, str], list[str]] = {}
    for result in results:
        for unknown in result.unknown_declared:
            users.setdefault((unknown["role"], unknown["value"]), []).append(result.name)
    for (role, value), names in sorted(users.items()):
        shown = ", ".join(repr(name) for name in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        where = f"application {shown}" if len(names) == 1 else f"{len(names)} applications ({shown})"
        warning(f"{role} {value!r} is not in the vendor database, kept with an unknown controller: {where}")
