"""`depscan cache`: the online enrichment cache, carried to air-gapped sites."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from depscan.cli.common import CACHE_DIR_OPTION, open_cache_or_exit
from depscan.console import EXIT_USAGE, error


@click.group("cache")
def cache_group() -> None:
    """The online enrichment cache: carry it to an air-gapped site with export and import."""


@cache_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@CACHE_DIR_OPTION
def cache_export(file: str, cache_dir: str | None) -> None:
    """Write every cached answer to FILE (JSON; package coordinates and what was learnt, nothing else)."""
    with open_cache_or_exit(cache_dir) as cache:
        try:
            count = cache.export(Path(file))
        except OSError as exc:
            error(f"{file}: cannot write: {exc.strerror or exc}")
            sys.exit(EXIT_USAGE)
    click.echo(f"exported {count} cached answer(s) to {file}", err=True)


@cache_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@CACHE_DIR_OPTION
def cache_import(file: str, cache_dir: str | None) -> None:
    """Merge the answers of FILE, made by `depscan cache export`, into the cache (the newer answer wins)."""
    from depscan.errors import ConfigError

    with open_cache_or_exit(cache_dir) as cache:
        try:
            imported, kept = cache.import_(Path(file))
        except ConfigError as exc:
            error(str(exc))
            sys.exit(EXIT_USAGE)
    click.echo(f"imported {imported} answer(s) from {file}; kept {kept} newer answer(s) already cached", err=True)


@cache_group.command("info")
@CACHE_DIR_OPTION
def cache_info(cache_dir: str | None) -> None:
    """Where the cache is and how many answers it holds."""
    with open_cache_or_exit(cache_dir) as cache:
        count = sum(1 for _ in cache.entries())
        click.echo(f"{cache.path}: {count} cached answer(s)")
