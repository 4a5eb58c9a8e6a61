"""`depscan inventory scan` and `depscan inventory diff`: click wiring around depscan.inventory."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

from depscan.cli.common import activate_language, lang_option, load_database
from depscan.console import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_USAGE, error, warning, write_output
from depscan.portfolio import CRITICALITIES
from depscan.progress import ProgressBar, printable

PORTFOLIO_FORMAT_CHOICES = ("json", "html", "csv", "xlsx", "markdown")
DIFF_FORMAT_CHOICES = ("table", "json", "markdown")
DEFAULT_HISTORY = "depscan-history.sqlite"
_SEVERITY_CHOICES = ("info", "low", "medium", "high", "critical", "none")


@click.group("inventory")
def inventory() -> None:
    """Audit an inventory of applications: portfolio view, concentration, change since the last audit."""


_PORTFOLIO_FORMAT_OPTION = click.option(
    "-f",
    "--format",
    "format_",
    type=click.Choice(PORTFOLIO_FORMAT_CHOICES),
    default="json",
    show_default=True,
    help="Portfolio report format.",
)
_OUTPUT_OPTION = click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write the report to FILE, not standard output."
)


@inventory.command("scan")
@click.argument("inventory_file", metavar="INVENTORY", type=click.Path(dir_okay=False))
@_PORTFOLIO_FORMAT_OPTION
@_OUTPUT_OPTION
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
@lang_option
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
    lang: str | None,
) -> None:
    """Scan every application of INVENTORY (TOML or CSV) in parallel and report the portfolio.

    Exit codes: 0 done, 1 findings at or above --fail-on, 2 usage or
    configuration error (the inventory itself is unusable), 3 some application
    could not be scanned, or had an unreadable input (all the others are
    still reported).
    """
    activate_language(lang)
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


def _store_option(required_help: str) -> Any:
    return click.option(
        "--store",
        "store_url",
        metavar="URL",
        envvar="DEPSCAN_STORE",
        help=f"{required_help} sqlite:///PATH (or a file path) or postgresql://USER@HOST/DB; default: DEPSCAN_STORE."
        " A password is never printed: prefer PGPASSWORD or ~/.pgpass to a password in the URL.",
    )


def _require_store(store_url: str | None) -> str:
    if not store_url:
        error("no store: give --store URL or set DEPSCAN_STORE")
        sys.exit(EXIT_USAGE)
    return store_url


@inventory.command("push")
@click.argument("report_file", metavar="REPORT.json", type=click.Path(dir_okay=False))
@click.option("--application", "-a", envvar="DEPSCAN_APPLICATION", help="The application's name in the portfolio.")
@_store_option("The shared store:")
@click.option("--owner", help="Who answers for the application (team, person).")
@click.option("--criticality", type=click.Choice(CRITICALITIES), help="How critical the application is.")
@click.option("--commit", help="The commit scanned (default: DEPSCAN_COMMIT, CI_COMMIT_SHA or GITHUB_SHA).")
@click.option("--branch", help="The branch scanned (default: DEPSCAN_BRANCH, CI_COMMIT_REF_NAME or GITHUB_REF_NAME).")
@click.option("--pipeline-url", help="The pipeline that scanned it (default: DEPSCAN_PIPELINE_URL or CI_PIPELINE_URL).")
def inventory_push(
    report_file: str,
    application: str | None,
    store_url: str | None,
    owner: str | None,
    criticality: str | None,
    commit: str | None,
    branch: str | None,
    pipeline_url: str | None,
) -> None:
    """Record one application's scan (a `depscan scan --format json` report) in the shared store.

    Idempotent on (application, commit): pushing the same scan again changes
    nothing, a new scan of the same commit replaces it, a new commit adds
    to the application's history. Many pipelines can push at once.
    Exit codes: 0 recorded, 2 usage or store error, 3 the report is unreadable.
    """
    from depscan.errors import ConfigError, InputError
    from depscan.inventory import pushed

    if not application or not application.strip():
        error("--application NAME is required (or DEPSCAN_APPLICATION)")
        sys.exit(EXIT_USAGE)
    location = _require_store(store_url)
    try:
        report = pushed.read_report(report_file)
        result = pushed.result_from_report(report, application.strip(), report_file)
    except InputError as exc:
        error(str(exc))
        sys.exit(EXIT_INPUT)
    metadata = _metadata(application, owner, criticality, commit, branch, pipeline_url)
    tool = report.get("tool") if isinstance(report.get("tool"), dict) else {}
    push = pushed.make_push(result, metadata, str(tool.get("version")) if tool.get("version") else None)
    try:
        outcome = pushed.push_result(location, push)
    except ConfigError as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)
    print(push_line(push, outcome, location))
    sys.exit(EXIT_OK)


def _metadata(
    application: str,
    owner: str | None,
    criticality: str | None,
    commit: str | None,
    branch: str | None,
    pipeline_url: str | None,
) -> Any:
    from depscan.inventory import pushed

    return pushed.PushMetadata(
        application=application.strip(),
        owner=owner,
        criticality=criticality,
        commit=commit or pushed.ci_value("commit"),
        branch=branch or pushed.ci_value("branch"),
        pipeline_url=pipeline_url or pushed.ci_value("pipeline_url"),
    )


def push_line(push: Any, outcome: str, location: str) -> str:
    """One line for the CI log: what was pushed where, the store named without its password."""
    from depscan.inventory.storage import redact

    commit = f" at {push.commit[:12]}" if push.commit else ""
    return printable(
        f"{outcome}: {push.application}{commit} ({push.components} components, level"
        f" {_value(push.level)}) in {redact(location)}"
    )


@inventory.command("report")
@_store_option("The store the pipelines push to:")
@_PORTFOLIO_FORMAT_OPTION
@_OUTPUT_OPTION
@click.option("--at", "at", metavar="DATE", help="The portfolio as it stood at DATE (end of that day, UTC).")
@click.option(
    "--max-age",
    type=click.FloatRange(min=0),
    metavar="DAYS",
    help="Flag applications whose latest scan is older than DAYS as stale.",
)
@click.option(
    "--inventory",
    "inventory_file",
    type=click.Path(dir_okay=False),
    help="Inventory (TOML or CSV): owners, criticality and declared hosting and services; lists the"
    " applications that never pushed.",
)
@click.option("--rules", "rule_sets", multiple=True, help="Rule sets for the inventory's declared dependencies.")
@click.option("--vendor-db", type=click.Path(file_okay=False), help="Use this vendor database directory.")
@lang_option
def inventory_report(
    store_url: str | None,
    format_: str,
    output: str | None,
    at: str | None,
    max_age: float | None,
    inventory_file: str | None,
    rule_sets: tuple[str, ...],
    vendor_db: str | None,
    lang: str | None,
) -> None:
    """The portfolio from each application's latest pushed scan (or as it stood --at DATE).

    Exit codes: 0 done, 2 usage or store error (or an unusable inventory).
    """
    activate_language(lang)
    from depscan.errors import ConfigError
    from depscan.inventory import loader, pushed, storage
    from depscan.report import RenderOptions
    from depscan.report.portfolio import BINARY_PORTFOLIO_FORMATS, portfolio_renderer

    location = _require_store(store_url)
    if format_ in BINARY_PORTFOLIO_FORMATS and not output and sys.stdout.isatty():
        error(f"{format_} is a binary format: use --output FILE")
        sys.exit(EXIT_USAGE)
    bound = _moment_or_exit("--at", at, storage.end_of)
    try:
        inventory_ = loader.load(inventory_file) if inventory_file else None
        database = load_database(vendor_db)
        store = storage.open_store(location)
        try:
            portfolio, warnings = pushed.build_from_store(
                store,
                database,
                pushed.StoreView(at=bound, max_age=max_age),
                inventory_,
                tuple(rule_sets) or ("default",),
            )
        finally:
            store.close()
    except ConfigError as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)
    if not portfolio["applications"]:
        error(f"{storage.redact(location)}: no scan pushed{' before ' + at if at else ''}")
        sys.exit(EXIT_USAGE)
    for message in warnings:
        warning(message)
    write_output(portfolio_renderer(format_)(portfolio, RenderOptions(tool_version=_version())), output)
    sys.exit(EXIT_OK)


@inventory.command("diff")
@click.option(
    "--history",
    "history_file",
    default=DEFAULT_HISTORY,
    envvar="DEPSCAN_HISTORY",
    show_default=True,
    help="The history `depscan inventory scan --history` records into (file, sqlite:///PATH or postgresql://...).",
)
@click.option(
    "--store",
    "store_url",
    metavar="URL",
    help="Compare the scans pushed to this store instead (sqlite:///PATH or postgresql://...; DEPSCAN_STORE"
    " is not read here, so that a history diff stays a history diff).",
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
    history_file: str,
    store_url: str | None,
    since: str | None,
    inventory_name: str | None,
    format_: str | None,
    output: str | None,
) -> None:
    """What changed between the latest recorded inventory run and an earlier one.

    New and removed extra-EU dependencies, level and score changes, per
    application and overall. With --store, the pushed scans: each
    application's latest push against its previous one, or with --since,
    the store now against the store as it stood at DATE.
    Exit codes: 0 done, 2 no history or nothing to compare.
    """
    from depscan.errors import ConfigError
    from depscan.inventory import history, pushed, storage

    if store_url is not None:
        moment = _moment_or_exit("--since", since, storage.parse_moment)
        try:
            store = storage.open_store(store_url)
            try:
                changes = pushed.diff_store(store, moment)
            finally:
                store.close()
        except ConfigError as exc:
            error(str(exc))
            sys.exit(EXIT_USAGE)
        _write_changes(changes, format_, output)
        sys.exit(EXIT_OK)
    if not os.path.exists(history_file) and "://" not in history_file:
        error(f"{history_file}: no history yet: record runs with `depscan inventory scan INVENTORY --history`")
        sys.exit(EXIT_USAGE)
    moment = _moment_or_exit("--since", since, storage.parse_moment)
    try:
        store = storage.open_store(history_file)
        try:
            changes = history.diff_latest(store, inventory_name, moment)
        finally:
            store.close()
    except ConfigError as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)
    _write_changes(changes, format_, output)
    sys.exit(EXIT_OK)


def _write_changes(changes: dict[str, Any], format_: str | None, output: str | None) -> None:
    from depscan.report import RenderOptions

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


def _text(changes: dict[str, Any]) -> str:
    """The diff for a terminal: one line per fact, the applications that moved first."""
    moved = changes["summary"]
    baseline, current = changes["baseline"], changes["current"]
    lines = [
        f"{changes['inventory']}: {_run_text(baseline)} -> {_run_text(current)}",
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


def _run_text(reference: dict[str, Any]) -> str:
    """ "run 3 (2026-03-01T...)" for a recorded run, the moment alone for the store's pushes."""
    if reference.get("run") is None:
        return str(reference["recorded_at"])
    return f"run {reference['run']} ({reference['recorded_at']})"


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


def _moment_or_exit(option: str, value: str | None, parse: Callable[[str], Any]) -> Any:
    """`parse(value)` for a date option (None when not given); a value that is no date exits 2."""
    if not value:
        return None
    try:
        return parse(value)
    except ValueError:
        error(f"{option} {value!r}: expected YYYY-MM-DD or an ISO 8601 date-time")
        sys.exit(EXIT_USAGE)
