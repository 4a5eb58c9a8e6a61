"""`depscan db`: inspect and check the vendor database."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from depscan.cli.common import load_database
from depscan.console import EXIT_USAGE, error, write_output


@click.group()
def db() -> None:
    """Inspect and check the vendor database."""


@db.command("validate")
@click.option("--vendor-db", type=click.Path(file_okay=False), help="Database directory (default: the bundled one).")
def db_validate(vendor_db: str | None) -> None:
    """Check schema, sources, parents, countries, laws and match-key conflicts."""
    from depscan.resources import data_path
    from depscan.vendordb.validate import validate_all

    root = Path(vendor_db) if vendor_db else data_path("vendor_db")
    errors, warnings, count = validate_all(root)
    for message in errors:
        click.echo(message, err=True)
    for message in warnings:
        click.echo(f"warning: {message}", err=True)
    if errors:
        click.echo(f"{len(errors)} error(s), {len(warnings)} warning(s) in {count} vendor records", err=True)
        sys.exit(EXIT_USAGE)
    suffix = f", {len(warnings)} warning(s) to review" if warnings else ""
    click.echo(f"ok: {count} vendor records valid{suffix}")


@db.command("stats")
@click.option("-f", "--format", "format_", type=click.Choice(["table", "json"]), default=None)
@click.option("--vendor-db", type=click.Path(file_okay=False))
def db_stats(format_: str | None, vendor_db: str | None) -> None:
    """Coverage of the database: vendors by country, type, kind, ecosystem; records without sources."""
    import orjson

    from depscan.vendordb.stats import stats

    summary = stats(load_database(vendor_db))
    if (format_ or ("table" if sys.stdout.isatty() else "json")) == "json":
        write_output(orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n", None)
        return
    for key, value in summary.items():
        if isinstance(value, dict):
            click.echo(f"{key}: " + ", ".join(f"{k} {v}" for k, v in value.items()))
        else:
            click.echo(f"{key}: {value}")


def _date_option(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    import datetime

    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@db.command("stale")
@click.option("--before", required=True, callback=_date_option, help="Sources checked before this date (YYYY-MM-DD).")
@click.option("-f", "--format", "format_", type=click.Choice(["table", "json"]), default=None)
@click.option("--vendor-db", type=click.Path(file_okay=False))
def db_stale(before: str, format_: str | None, vendor_db: str | None) -> None:
    """Sources to re-review: every cited one, and every one checked before --before."""
    import orjson

    from depscan.vendordb.stats import stale

    database = load_database(vendor_db)
    rows = stale(database, before)
    if (format_ or ("table" if sys.stdout.isatty() else "json")) == "json":
        payload = {"before": before, "sources": len(rows), "vendors": len({r["vendor"] for r in rows}), "stale": rows}
        write_output(orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n", None)
        return
    for row in rows:
        click.echo(f"{row['vendor']}\t{row['confidence']}\t{row['status']} {row['date']}\t{row['url']}")
    vendors = len({row["vendor"] for row in rows})
    click.echo(f"{len(rows)} source(s) of {vendors} of {len(database.vendors)} vendor records to re-review")


@db.command("show")
@click.argument("vendor_id")
@click.option("--vendor-db", type=click.Path(file_okay=False))
def db_show(vendor_id: str, vendor_db: str | None) -> None:
    """One vendor record, with its controller chain, jurisdiction and laws (JSON)."""
    import orjson

    from depscan.vendordb.stats import show

    record = show(load_database(vendor_db), vendor_id)
    if record is None:
        error(f"no vendor {vendor_id!r} in the database")
        sys.exit(EXIT_USAGE)
    write_output(orjson.dumps(record, option=orjson.OPT_INDENT_2) + b"\n", None)


@db.command("lookup")
@click.argument("queries", nargs=-1, required=True)
@click.option("-f", "--format", "format_", type=click.Choice(["table", "json"]), default=None)
@click.option("--vendor-db", type=click.Path(file_okay=False))
def db_lookup(queries: tuple[str, ...], format_: str | None, vendor_db: str | None) -> None:
    """Who controls a purl, supplier name, repository URL, image, action, Terraform provider or domain."""
    import orjson

    from depscan.report.json_report import vendor_dict
    from depscan.vendordb.lookup import lookup

    database = load_database(vendor_db)
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
        write_output(orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n", None)
        return
    for query, match in zip(queries, answers, strict=True):
        if match is None:
            click.echo(f"{query}: unknown")
        else:
            flag = "no jurisdiction" if match.eu is None else "EU/EEA" if match.eu else "extra-EU"
            click.echo(
                f"{query}: {match.name} -> {match.controller_name} ({match.publisher_label}, {flag})"
                f" [{match.kind}; {match.evidence}]"
            )
