"""The `depscan` command: click wiring around the steps, no business logic.

Heavy modules are imported inside the commands so that `depscan --version`
costs little more than Python's own start-up.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from depscan import __version__
from depscan.progress import ProgressBar

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INPUT = 0, 1, 2, 3
#: the report formats of `depscan scan --format` (kept in step with depscan.report.FORMATS by a test)
REPORT_FORMATS = ("table", "json", "sarif", "gitlab", "junit", "markdown", "csv", "xlsx", "html", "cyclonedx")
SEVERITY_CHOICES = ("info", "low", "medium", "high", "critical", "none")


def _error(message: str) -> None:
    click.echo(f"depscan: error: {message}", err=True)


def _use_color(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def _load_database(path: str | None) -> Any:
    from depscan import vendordb
    from depscan.errors import ConfigError

    try:
        return vendordb.load(Path(path) if path else None)
    except ConfigError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)


def _write(payload: str | bytes, output: str | None) -> None:
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    if output:
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            _error(f"{output}: cannot write: {exc.strerror or exc}")
            sys.exit(EXIT_USAGE)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="depscan")
def main() -> None:
    """Which dependencies are controlled outside the EU, or are not open source."""


@main.command()
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
    quiet: bool,
) -> None:
    """Scan SBOMs, lockfiles and directories, and report sovereignty exposure.

    Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it,
    2 usage or configuration error, 3 an input could not be read.
    """
    from depscan import scan as scan_module
    from depscan.report import RenderOptions, renderer, repository_root

    targets = _report_targets(formats, output, output_dir)
    flags = {"fail_on": fail_on, "rules": rule_sets, "exclude": exclude, "vendor_db": vendor_db}
    flags |= {"exemptions": exemptions_file, "enrich": enrich, "cache_dir": cache_dir}
    settings, ruleset, exemptions, today = _policy_setup(config_file, flags)
    database = _load_database(settings.vendor_db)
    options = scan_module.ScanOptions(
        paths=list(paths),
        rules=list(settings.rules),
        fail_on=settings.fail_on,
        exclude=settings.exclude,
        exemptions=exemptions,
        today=today,
        qualified_vendors=settings.qualified_vendors,
        enrichment=_enrich_options(python_envs, installed, settings.enrich, settings.cache_dir, cache_ttl),
    )
    with ProgressBar(enabled=not quiet and sys.stderr.isatty(), verb="reading") as advance:
        result = scan_module.run(options, database, progress=advance, ruleset=ruleset)
    for source in result.errors:
        where = f"{source.path}:{source.line}" if source.line else source.path
        _error(f"{where}: {source.error}")
    render_options = RenderOptions(
        color=_use_color(sys.stdout) and not output and not output_dir,
        tool_version=__version__,
        working_dir=os.getcwd(),
        base_dir=repository_root(os.getcwd()),
    )
    for format_, target in targets:
        _write(renderer(format_)(result, render_options), target)
    _warn_exemptions(result.exemptions)
    if result.errors:
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_FINDINGS if result.summary["failing_findings"] else EXIT_OK)


def _report_targets(
    formats: tuple[str, ...], output: str | None, output_dir: str | None
) -> list[tuple[str, str | None]]:
    """(format, file or None for standard output) for each requested report; exits 2 on a bad combination."""
    from depscan.report import BINARY_FORMATS, file_name

    chosen = list(dict.fromkeys(formats)) or ["table" if sys.stdout.isatty() and not (output or output_dir) else "json"]
    if output and output_dir:
        _error("give --output or --output-dir, not both")
        sys.exit(EXIT_USAGE)
    if output_dir:
        try:
            Path(output_dir).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            _error(f"{output_dir}: cannot create directory: {exc.strerror or exc}")
            sys.exit(EXIT_USAGE)
        return [(name, str(Path(output_dir) / file_name(name))) for name in chosen]
    if len(chosen) > 1:
        _error("several --format values need --output-dir DIR")
        sys.exit(EXIT_USAGE)
    if not output and chosen[0] in BINARY_FORMATS and sys.stdout.isatty():
        _error(f"{chosen[0]} is a binary format: use --output FILE or --output-dir DIR")
        sys.exit(EXIT_USAGE)
    return [(chosen[0], output)]


# -- vendor database ---------------------------------------------------------


@main.group()
def db() -> None:
    """Inspect and check the vendor database."""


@db.command("validate")
@click.option("--vendor-db", type=click.Path(file_okay=False), help="Database directory (default: the bundled one).")
def db_validate(vendor_db: str | None) -> None:
    """Check schema, sources, parents, countries, laws and match-key conflicts."""
    from depscan.resources import data_path
    from depscan.vendordb.validate import validate

    root = Path(vendor_db) if vendor_db else data_path("vendor_db")
    errors, count = validate(root)
    for message in errors:
        click.echo(message, err=True)
    if errors:
        click.echo(f"{len(errors)} error(s) in {count} vendor records", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"ok: {count} vendor records valid")


@db.command("stats")
@click.option("-f", "--format", "format_", type=click.Choice(["table", "json"]), default=None)
@click.option("--vendor-db", type=click.Path(file_okay=False))
def db_stats(format_: str | None, vendor_db: str | None) -> None:
    """Coverage of the database: vendors by country, type, kind, ecosystem; records without sources."""
    import orjson

    from depscan.vendordb.stats import stats

    summary = stats(_load_database(vendor_db))
    if (format_ or ("table" if sys.stdout.isatty() else "json")) == "json":
        _write(orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n", None)
        return
    for key, value in summary.items():
        if isinstance(value, dict):
            click.echo(f"{key}: " + ", ".join(f"{k} {v}" for k, v in value.items()))
        else:
            click.echo(f"{key}: {value}")


@db.command("show")
@click.argument("vendor_id")
@click.option("--vendor-db", type=click.Path(file_okay=False))
def db_show(vendor_id: str, vendor_db: str | None) -> None:
    """One vendor record, with its controller chain, jurisdiction and laws (JSON)."""
    import orjson

    from depscan.vendordb.stats import show

    record = show(_load_database(vendor_db), vendor_id)
    if record is None:
        _error(f"no vendor {vendor_id!r} in the database")
        sys.exit(EXIT_USAGE)
    _write(orjson.dumps(record, option=orjson.OPT_INDENT_2) + b"\n", None)


@db.command("lookup")
@click.argument("queries", nargs=-1, required=True)
@click.option("-f", "--format", "format_", type=click.Choice(["table", "json"]), default=None)
@click.option("--vendor-db", type=click.Path(file_okay=False))
def db_lookup(queries: tuple[str, ...], format_: str | None, vendor_db: str | None) -> None:
    """Who controls a purl, supplier name, repository URL, image, action, Terraform provider or domain."""
    import orjson

    from depscan.report.json_report import vendor_dict
    from depscan.vendordb.lookup import lookup

    database = _load_database(vendor_db)
    answers = [lookup(database, query) for query in queries]
    if (format_ or ("table" if sys.stdout.isatty() else "json")) == "json":
        payload = [
            {
                "query": q,
                "vendor": vendor_dict(m) if m else None,
                "kind": m.kind if m else None,
                "evidence": m.evidence if m else None,
            }
            for q, m in zip(queries, answers, strict=True)
        ]
        _write(orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n", None)
        return
    for query, match in zip(queries, answers, strict=True):
        if match is None:
            click.echo(f"{query}: unknown")
        else:
            flag = "EU/EEA" if match.eu else "extra-EU"
            click.echo(
                f"{query}: {match.name} -> {match.controller_name} ({match.country}, {flag})"
                f" [{match.kind}; {match.evidence}]"
            )


# -- policy: configuration, rule sets, exemptions, explanations ----------------


def _policy_setup(config_file: str | None, flags: dict[str, Any]) -> tuple[Any, Any, list[Any], Any]:
    """Effective settings, rule set, exemptions and today's date; exits 2 on any configuration error."""
    from depscan import config
    from depscan.errors import ConfigError
    from depscan.policy import exemptions as exemptions_module
    from depscan.policy import rules as rules_module

    try:
        settings = config.load(config_file, flags)
        ruleset = rules_module.load(list(settings.rules))
        exemptions = exemptions_module.load(settings.exemptions) if settings.exemptions else []
        return settings, ruleset, exemptions, config.today()
    except ConfigError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)


def _warn_exemptions(exemptions: list[dict[str, Any]]) -> None:
    """Expired and stale exemptions need a human: say so on stderr, whatever the report format."""
    for entry in exemptions:
        if entry["status"] in ("expired", "stale"):
            where = f"{entry['file']}:{entry['line']}" if entry["line"] else entry["file"]
            what = (
                f"expired on {entry['expires']}, no longer applies"
                if entry["status"] == "expired"
                else "matches no finding (stale)"
            )
            click.echo(f"depscan: warning: {where}: exemption #{entry['number']} {what}", err=True)


@main.group("rules")
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
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    if format_ == "json":
        payload = [rules_module.describe(ruleset) for ruleset in loaded]
        _write(orjson.dumps(payload, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n", None)
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


@main.command("explain")
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

    settings, ruleset, _, _ = _policy_setup(config_file, {"rules": rule_sets, "vendor_db": vendor_db})
    database = _load_database(settings.vendor_db)
    try:
        if report:
            found, _ = explain.from_report(report, query)
            origin = f"from {report}"
        else:
            component, findings = explain.standalone(query, database, ruleset, settings.qualified_vendors)
            found = [(component, component_dict(component), findings)]
            origin = "standalone, from the vendor database"
    except ConfigError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    if not found:
        _error(f"{query}: no such component in {report}")
        sys.exit(EXIT_USAGE)
    explanations = [explain.explain(c, findings, database, ruleset, entry) for c, entry, findings in found]
    if format_ == "json":
        payload = {"query": query, "origin": origin, "explanations": [e.as_dict() for e in explanations]}
        _write(orjson.dumps(payload, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n", None)
    else:
        _write(explain.render_text(explanations, origin), None)


@main.command("config")
@click.option("-f", "--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", "config_file", help="Configuration file (default: nearest depscan.toml or pyproject.toml).")
def config_command(format_: str, config_file: str | None) -> None:
    """The effective settings and where each comes from (file, DEPSCAN_* variable or default)."""
    import orjson

    from depscan import config
    from depscan.errors import ConfigError

    try:
        settings = config.load(config_file)
    except ConfigError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    data = settings.as_dict()
    if format_ == "json":
        _write(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n", None)
        return
    click.echo(f"configuration file: {data['config_file'] or 'none found'}")
    for name, entry in data["settings"].items():
        value = ", ".join(entry["value"]) if isinstance(entry["value"], list) else entry["value"]
        click.echo(f"{name:<18} {value if value not in (None, '') else '-'}  ({entry['origin']})")


# -- enrichment: installed metadata, online look-ups and their cache ---------------


def _enrich_options(
    python_envs: tuple[str, ...], installed: bool, online: bool, cache_dir: str | None, cache_ttl: float | None
) -> Any:
    """The scan's enrichment settings; exits 2 when a --python-env holds no Python packages."""
    from depscan.enrich import EnrichOptions
    from depscan.enrich.installed import InstalledOptions
    from depscan.enrich.installed.python import site_packages

    for env in python_envs:
        if not site_packages(Path(env)):
            _error(f"--python-env {env}: no Python environment there (no site-packages, no *.dist-info)")
            sys.exit(EXIT_USAGE)
    return EnrichOptions(
        installed=InstalledOptions(enabled=installed, python_envs=tuple(Path(p) for p in python_envs)),
        online=online,
        cache_dir=Path(cache_dir) if cache_dir else None,
        cache_ttl=cache_ttl * 86400 if cache_ttl is not None else None,
        warn=lambda message: click.echo(f"depscan: warning: {message}", err=True),
    )


def _open_cache(cache_dir: str | None) -> Any:
    from depscan.enrich.cache import open_cache
    from depscan.errors import ConfigError

    try:
        return open_cache(Path(cache_dir) if cache_dir else None)
    except ConfigError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)


_CACHE_DIR_OPTION = click.option(
    "--cache-dir", type=click.Path(file_okay=False), envvar="DEPSCAN_CACHE_DIR", help="Cache directory."
)


@main.group("cache")
def cache_group() -> None:
    """The online enrichment cache: carry it to an air-gapped site with export and import."""


@cache_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@_CACHE_DIR_OPTION
def cache_export(file: str, cache_dir: str | None) -> None:
    """Write every cached answer to FILE (JSON; package coordinates and what was learnt, nothing else)."""
    with _open_cache(cache_dir) as cache:
        try:
            count = cache.export(Path(file))
        except OSError as exc:
            _error(f"{file}: cannot write: {exc.strerror or exc}")
            sys.exit(EXIT_USAGE)
    click.echo(f"exported {count} cached answer(s) to {file}", err=True)


@cache_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@_CACHE_DIR_OPTION
def cache_import(file: str, cache_dir: str | None) -> None:
    """Merge the answers of FILE, made by `depscan cache export`, into the cache (the newer answer wins)."""
    from depscan.errors import ConfigError

    with _open_cache(cache_dir) as cache:
        try:
            imported, kept = cache.import_(Path(file))
        except ConfigError as exc:
            _error(str(exc))
            sys.exit(EXIT_USAGE)
    click.echo(f"imported {imported} answer(s) from {file}; kept {kept} newer answer(s) already cached", err=True)


@cache_group.command("info")
@_CACHE_DIR_OPTION
def cache_info(cache_dir: str | None) -> None:
    """Where the cache is and how many answers it holds."""
    with _open_cache(cache_dir) as cache:
        count = sum(1 for _ in cache.entries())
        click.echo(f"{cache.path}: {count} cached answer(s)")


# -- inventory (portfolio audits): the commands live in depscan.inventory.commands -----------

from depscan.inventory.commands import inventory as _inventory_group  # noqa: E402  (click only: start-up stays fast)

main.add_command(_inventory_group)
