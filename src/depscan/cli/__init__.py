"""The `depscan` command: click wiring around the steps, no business logic.

One module per command group. Heavy modules are imported inside the
commands so that `depscan --version` costs little more than Python's own
start-up.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from depscan import __version__
from depscan.cli.cache import cache_group
from depscan.cli.ci import ci_group
from depscan.cli.config import config_command
from depscan.cli.db import db
from depscan.cli.diff import diff_command
from depscan.cli.explain import explain_command
from depscan.cli.inventory import inventory
from depscan.cli.rules import rules_group
from depscan.cli.scan import scan


class _Main(click.Group):
    """The command group, ending a failed write to stdout or stderr with one message, never a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from depscan.console import is_write_error, output_failed

        try:
            try:
                return super().main(*args, **kwargs)
            finally:
                sys.stdout.flush()
        except OSError as exc:
            if not is_write_error(exc):
                raise
            output_failed(exc, "standard output")


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="depscan")
def main() -> None:
    """Which dependencies are controlled outside the EU, or are not open source."""
    _warn_name_clash()


#: OWASP dep-scan's distribution: it also installs a `depscan` command and a top-level `depscan` package
CLASHING_DISTRIBUTION = "owasp-depscan"


def _warn_name_clash() -> None:
    """Two distributions writing the same `depscan` files into one environment overwrite each other: say so."""
    from importlib import metadata

    try:
        other = metadata.distribution(CLASHING_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return
    from depscan.console import warning

    warning(
        f"OWASP dep-scan ({CLASHING_DISTRIBUTION} {other.version}) is installed in this environment: it also "
        "installs a `depscan` command and a `depscan` Python package, and the two overwrite each other. "
        "Install depscan-sovereignty in its own environment (e.g. `pipx install depscan-sovereignty`) "
        "and run it as `depscan-sovereignty`."
    )


for command in (scan, diff_command, db, rules_group, explain_command, config_command, cache_group, inventory, ci_group):
    main.add_command(command)
