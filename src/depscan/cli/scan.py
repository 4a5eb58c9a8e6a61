"""`depscan scan`: read inputs, resolve, evaluate, write the reports."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Any

import click

from depscan import __version__
from depscan.cli.common import (
    MIN_SEVERITY_CHOICES,
    SEVERITY_CHOICES,
    enrich_options,
    exit_code_option,
    lang_option,
    load_baseline,
    load_database,
    policy_setup,
    warn_exemptions,
)
from depscan.console import EXIT_INPUT, EXIT_OK, EXIT_USAGE, error, use_color, warning, write_output
from depscan.progress import ProgressBar

#: the report formats of `depscan scan --format` (kept in step with depscan.report.FORMATS by a test)
REPORT_FORMATS = ("table", "json", "sarif", "gitlab", "junit", "markdown", "csv", "xlsx", "html", "cyclonedx")


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-f",
    "--format",
    "formats",
    type=click.Choice(list(REPORT_FORMATS)),
    multiple=True,
    help="Report format, repeatable with --output-dir (default: table on a terminal, json otherwise).",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write the report to FILE instead of standard output."
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False),
    help="Write each format to DIR/report.<ext> (sarif, gitlab.json, junit.xml, md, html, cdx.json...).",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITY_CHOICES),
    help="Exit 1 when a finding reaches this severity ('none': never; default: high, or as configured).",
)
@click.option("--rules", "rule_sets", multiple=True, help="Rule set name or file (repeatable; default: default).")
@click.option("--exclude", multiple=True, help="Glob of paths to skip when searching directories (repeatable).")
@click.option(
    "--vendor-db",
    type=click.Path(file_okay=False),
    help="Use this vendor database directory instead of the bundled one.",
)
@click.option("--exemptions", "exemptions_file", help="Exemptions file (TOML, [[exemption]] tables).")
@click.option("--config", "config_file", help="Configuration file (default: nearest depscan.toml or pyproject.toml).")
@click.option(
    "--python-env",
    "python_envs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="Python environment whose installed metadata completes licences and publishers (repeatable; "
    ".venv and venv beside a scanned file are read anyway).",
)
@click.option(
    "--installed/--no-installed",
    default=True,
    help="Read installed package metadata (.venv, node_modules, Go/Maven/Cargo caches) for missing licences "
    "and publishers; offline (default: on).",
)
@click.option(
    "--enrich/--no-enrich",
    default=None,
    help="Ask PyPI, npm, deps.dev and ClearlyDefined for what is still missing (sends package names and versions "
    "only; cached). Also `enrich = true` in the configuration or DEPSCAN_ENRICH=1.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    help="Enrichment cache directory (default: the user cache directory, e.g. ~/.cache/depscan; "
    "also cache_dir in the configuration or DEPSCAN_CACHE_DIR).",
)
@click.option(
    "--cache-ttl",
    type=click.FloatRange(min=0),
    envvar="DEPSCAN_CACHE_TTL",
    help="Days an online answer stays fresh in the cache (default: 30).",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False),
    help="An earlier JSON report (e.g. of the target branch): its findings are marked baseline, left out of "
    "--fail-on, SARIF and GitLab, and collapsed in Markdown and HTML; only new findings fail.",
)
@click.option(
    "--min-severity",
    type=click.Choice(MIN_SEVERITY_CHOICES),
    default="info",
    show_default=True,
    help="Least severe finding written to SARIF, GitLab and JUnit (the other formats show every finding).",
)
@exit_code_option("Exit status when a finding reaches --fail-on.")
@click.option(
    "--push-to",
    metavar="URL",
    is_flag=False,
    flag_value="$DEPSCAN_STORE",
    help="Also record this scan in a shared store (sqlite:///PATH or postgresql://...; alone: DEPSCAN_STORE),"
    " as `depscan inventory push` does; needs --application.",
)
@click.option("--application", envvar="DEPSCAN_APPLICATION", help="The application's name, for --push-to.")
@lang_option
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def scan(
    paths: tuple[str, ...],
    formats: tuple[str, ...],
    output: str | None,
    output_dir: str | None,
    fail_on: str | None,
    rule_sets: tuple[str, ...],
    exclude: tuple[str, ...],
    vendor_db: str | None,
    exemptions_file: str | None,
    config_file: str | None,
    python_envs: tuple[str, ...],
    installed: bool,
    enrich: bool | None,
    cache_dir: str | None,
    cache_ttl: float | None,
    baseline_file: str | None,
    min_severity: str,
    exit_code: int,
    push_to: str | None,
    application: str | None,
    lang: str | None,
    quiet: bool,
) -> None:
    """Scan SBOMs, lockfiles and directories, and report sovereignty exposure.

    Exit codes: 0 no finding at or above --fail-on, 1 (or --exit-code) findings at or
    above it, 2 usage or configuration error, 3 an input could not be read.
    """
    from depscan import scan as scan_module
    from depscan.i18n import tr
    from depscan.report import RenderOptions, renderer, repository_root

    targets = _report_targets(formats, output, output_dir)
    store = _push_target(push_to, application)
    flags = {"fail_on": fail_on, "rules": rule_sets, "exclude": exclude, "vendor_db": vendor_db}
    flags |= {"exemptions": exemptions_file, "enrich": enrich, "cache_dir": cache_dir, "lang": lang}
    settings, ruleset, exemptions, today = policy_setup(config_file, flags)
    baseline = load_baseline(baseline_file, ruleset.id) if baseline_file else None
    database = load_database(settings.vendor_db)
    working_dir, base_dir = os.getcwd(), repository_root(os.getcwd())
    options = scan_module.ScanOptions(
        paths=list(paths),
        rules=list(settings.rules),
        fail_on=settings.fail_on,
        exclude=settings.exclude,
        exemptions=exemptions,
        today=today,
        qualified_vendors=settings.qualified_vendors,
        enrichment=enrich_options(python_envs, installed, settings.enrich, settings.cache_dir, cache_ttl),
        working_dir=working_dir,
        base_dir=base_dir,
        baseline=baseline,
    )
    with ProgressBar(enabled=not quiet and sys.stderr.isatty(), verb="reading") as advance:
        result = scan_module.run(options, database, progress=advance, ruleset=ruleset)
    # The scan's objects live until the process ends: out of the cyclic collector's sight, rendering no longer
    # rescans them at every collection (half the JSON report's time on 10,000 components).
    gc.freeze()
    for source in result.errors:
        where = f"{source.path}:{source.line}" if source.line else source.path
        error(f"{where}: {source.error}")
    for source, notice in result.warnings:
        warning(
            f"{notice.path or source.path}:{notice.line}: {notice.message}"
            if notice.line
            else f"{notice.path or source.path}: {notice.message}"
        )
    if result.warnings:
        # a scan that dropped or could not use something never ends in silence, whatever its exit code
        warning(
            tr(
                "{warnings} input warning(s) in {sources} source(s): entries they name are missing from the report "
                "or incomplete"
            ).format(warnings=len(result.warnings), sources=len({id(s) for s, _ in result.warnings}))
        )
    render_options = RenderOptions(
        color=use_color(sys.stdout) and not output and not output_dir,
        tool_version=__version__,
        working_dir=working_dir,
        base_dir=base_dir,
        min_severity=min_severity,
    )
    for format_, target in targets:
        payload = renderer(format_)(result, render_options)
        write_output(payload, target, keep_ansi=format_ == "table" and render_options.color and target is None)
    warn_exemptions(result.exemptions)
    if store is not None:
        _push(result, store, str(application))
    if result.summary["failing_findings"]:
        _explain_failure(result)
    if result.errors:
        sys.exit(EXIT_INPUT)
    sys.exit(exit_code if result.summary["failing_findings"] else EXIT_OK)


#: how many failing findings a failing run lists on stderr before summing up the rest
_FAILURES_LISTED = 20


def _explain_failure(result: Any) -> None:
    """Say on stderr which findings fail the run, whatever the report formats and destinations: a CI log
    must show why the step failed even when every report went to --output-dir."""
    from depscan.model import severity_rank

    threshold = severity_rank(result.fail_on)
    failing = [f for f in result.findings if not f.exempted and severity_rank(f.severity) >= threshold]
    from depscan.i18n import tr
    from depscan.report._common import finding_message, rules_by_id, severity_label

    rules = rules_by_id(result)
    click.echo(
        "depscan: "
        + tr(
            "{count} finding(s) at or above --fail-on {severity}; exempt an accepted one in an exemptions file "
            "(rule, purl, vendor, kind or component glob):"
        ).format(count=len(failing), severity=result.fail_on),
        err=True,
    )
    for finding in failing[:_FAILURES_LISTED]:
        message = finding_message(finding, rules)
        click.echo(f"  {severity_label(finding.severity)} {finding.rule} {finding.component}: {message}", err=True)
    if len(failing) > _FAILURES_LISTED:
        click.echo(
            "  " + tr("... and {count} more (see the report)").format(count=len(failing) - _FAILURES_LISTED), err=True
        )


def _report_targets(
    formats: tuple[str, ...], output: str | None, output_dir: str | None
) -> list[tuple[str, str | None]]:
    """(format, file or None for standard output) for each requested report; exits 2 on a bad combination."""
    from depscan.report import BINARY_FORMATS, file_name

    chosen = list(dict.fromkeys(formats)) or ["table" if sys.stdout.isatty() and not (output or output_dir) else "json"]
    from depscan.i18n import tr

    if output and output_dir:
        error(tr("give --output or --output-dir, not both"))
        sys.exit(EXIT_USAGE)
    if output_dir:
        try:
            Path(output_dir).mkdir(parents=True, exist_ok=True)
            from depscan.ingest import OUTPUT_MARKER

            marker = Path(output_dir) / OUTPUT_MARKER
            if not marker.exists():  # a later `depscan scan .` skips this folder: it holds reports, not inputs
                marker.write_text("depscan writes its reports here; depscan scan does not read this folder.\n")
        except OSError as exc:
            error(f"{output_dir}: cannot create directory: {exc.strerror or exc}")
            sys.exit(EXIT_USAGE)
        return [(name, str(Path(output_dir) / file_name(name))) for name in chosen]
    if len(chosen) > 1:
        error(tr("several --format values need --output-dir DIR"))
        sys.exit(EXIT_USAGE)
    if not output and chosen[0] in BINARY_FORMATS and sys.stdout.isatty():
        error(tr("{format} is a binary format: use --output FILE or --output-dir DIR").format(format=chosen[0]))
        sys.exit(EXIT_USAGE)
    return [(chosen[0], output)]


def _push_target(push_to: str | None, application: str | None) -> str | None:
    """The store `--push-to` names (checked before scanning, so that a CI misconfiguration fails fast)."""
    if push_to is None:
        return None
    store = os.environ.get("DEPSCAN_STORE", "") if push_to == "$DEPSCAN_STORE" else push_to
    if not store:
        error("--push-to without a URL needs DEPSCAN_STORE")
        sys.exit(EXIT_USAGE)
    if not application or not application.strip():
        error("--push-to needs --application NAME (or DEPSCAN_APPLICATION)")
        sys.exit(EXIT_USAGE)
    return store


def _push(result: object, store: str, application: str) -> None:
    """Record the scan in hand as `depscan inventory push` records a report; a store error exits 2."""
    from depscan.cli.inventory import push_line
    from depscan.errors import ConfigError
    from depscan.inventory import pushed
    from depscan.inventory.runner import compact_result
    from depscan.portfolio import Application

    name = application.strip()
    compact = compact_result(0, Application(name=name), result)  # type: ignore[arg-type]
    metadata = pushed.PushMetadata(
        application=name,
        commit=pushed.ci_value("commit"),
        branch=pushed.ci_value("branch"),
        pipeline_url=pushed.ci_value("pipeline_url"),
    )
    push = pushed.make_push(compact, metadata, __version__)
    try:
        outcome = pushed.push_result(store, push)
    except ConfigError as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)
    print(push_line(push, outcome, store), file=sys.stderr)
