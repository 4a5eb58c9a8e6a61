"""`depscan config`: the effective settings and where each comes from."""

from __future__ import annotations

import sys

import click

from depscan.console import EXIT_USAGE, error, write_output


@click.command("config")
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
        error(str(exc))
        sys.exit(EXIT_USAGE)
    data = settings.as_dict()
    if format_ == "json":
        write_output(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n", None)
        return
    click.echo(f"configuration file: {data['config_file'] or 'none found'}")
    for name, entry in data["settings"].items():
        value = ", ".join(entry["value"]) if isinstance(entry["value"], list) else entry["value"]
        click.echo(f"{name:<18} {value if value not in (None, '') else '-'}  ({entry['origin']})")
