"""What several commands share: loading the database, the policy and the enrichment settings, exiting 2 on error."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from depscan.console import EXIT_FINDINGS, EXIT_USAGE, error, warning

SEVERITY_CHOICES = ("info", "low", "medium", "high", "critical", "none")
MIN_SEVERITY_CHOICES = ("info", "low", "medium", "high", "critical")
#: `--lang`: the language of what a person reads (tables, Markdown, HTML, messages); machine output never changes
lang_option = click.option(
    "--lang",
    type=click.Choice(["en", "fr"]),
    help="Language of the human-readable reports and messages (default: `lang` in the configuration, "
    "DEPSCAN_LANG, else the locale: LC_ALL, LC_MESSAGES, LANG; fr_* gives French).",
)


def load_database(path: str | None) -> Any:
    from depscan import vendordb
    from depscan.errors import ConfigError

    try:
        database = vendordb.load(Path(path) if path else None)
    except ConfigError as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)
    except (OSError, ValueError, RecursionError) as exc:
        error(f"{path}: not a vendor database: {exc}")
        sys.exit(EXIT_USAGE)
    if path and not database.vendors:
        # an empty folder or `/etc` would otherwise scan with no vendor known and exit 0: a configuration error
        error(f"{path}: not a vendor database (no vendor records in vendors/*.toml)")
        sys.exit(EXIT_USAGE)
    return database


def load_baseline(path: str, ruleset_id: str) -> Any:
    """The --baseline report, checked to be comparable with this scan; exits 2 when it is not."""
    from depscan.errors import ConfigError
    from depscan.policy import baseline

    try:
        loaded = baseline.load(path)
        baseline.check_ruleset(loaded, ruleset_id)
        return loaded
    except ConfigError as exc:
        error(f"--baseline {exc}")
        sys.exit(EXIT_USAGE)


def activate_language(flag: str | None) -> None:
    """The language of a command without a rule set: --lang, else `lang` of the configuration, else the locale."""
    from depscan import config, i18n
    from depscan.errors import ConfigError

    try:
        chosen = flag or config.load().lang
    except ConfigError as exc:
        i18n.activate(flag)
        error(str(exc))
        sys.exit(EXIT_USAGE)
    i18n.activate(chosen)


def policy_setup(config_file: str | None, flags: dict[str, Any]) -> tuple[Any, Any, list[Any], Any]:
    """Effective settings, rule set, exemptions and today's date; exits 2 on any configuration error."""
    from depscan import config, i18n
    from depscan.errors import ConfigError
    from depscan.policy import exemptions as exemptions_module
    from depscan.policy import rules as rules_module

    i18n.activate(flags.get("lang"))  # the flag speaks even for a configuration error
    try:
        settings = config.load(config_file, flags)
        i18n.activate(settings.lang)
        ruleset = rules_module.load(list(settings.rules))
        exemptions = exemptions_module.load(settings.exemptions) if settings.exemptions else []
        return settings, ruleset, exemptions, config.today()
    except ConfigError as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)


def warn_exemptions(exemptions: list[dict[str, Any]]) -> None:
    """Expired and stale exemptions need a human: say so on stderr, whatever the report format."""
    from depscan.i18n import date, tr

    for entry in exemptions:
        if entry["status"] in ("expired", "stale"):
            where = f"{entry['file']}:{entry['line']}" if entry["line"] else entry["file"]
            what = (
                tr("expired on {date}, no longer applies").format(date=date(str(entry["expires"])))
                if entry["status"] == "expired"
                else tr("matches no finding (stale)")
            )
            warning(tr("{where}: exemption #{number} {what}").format(where=where, number=entry["number"], what=what))


def enrich_options(
    python_envs: tuple[str, ...], installed: bool, online: bool, cache_dir: str | None, cache_ttl: float | None
) -> Any:
    """The scan's enrichment settings; exits 2 when a --python-env holds no Python packages."""
    from depscan.enrich import EnrichOptions
    from depscan.enrich.installed import InstalledOptions
    from depscan.enrich.installed.python import site_packages

    for env in python_envs:
        if not site_packages(Path(env)):
            error(f"--python-env {env}: no Python environment there (no site-packages, no *.dist-info)")
            sys.exit(EXIT_USAGE)
    return EnrichOptions(
        installed=InstalledOptions(enabled=installed, python_envs=tuple(Path(p) for p in python_envs)),
        online=online,
        cache_dir=Path(cache_dir) if cache_dir else None,
        cache_ttl=cache_ttl * 86400 if cache_ttl is not None else None,
        warn=warning,
    )


def open_cache_or_exit(cache_dir: str | None) -> Any:
    from depscan.enrich.cache import open_cache
    from depscan.errors import ConfigError

    try:
        return open_cache(Path(cache_dir) if cache_dir else None)
    except ConfigError as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)


CACHE_DIR_OPTION = click.option(
    "--cache-dir", type=click.Path(file_okay=False), envvar="DEPSCAN_CACHE_DIR", help="Cache directory."
)


def exit_code_option(help_text: str) -> Any:
    """`--exit-code N`: the status of a run that fails (scan and diff), default 1."""
    return click.option(
        "--exit-code", type=click.IntRange(0, 255), default=EXIT_FINDINGS, show_default=True, help=help_text
    )
