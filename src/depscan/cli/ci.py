"""`depscan ci`: the steps of the packaged CI integrations, testable outside the CI service."""

from __future__ import annotations

import os
import sys

import click


@click.group("ci")
def ci_group() -> None:
    """Helpers the GitHub Action (action.yml) runs."""


@ci_group.command("github")
def github_command() -> None:
    """Run the GitHub Action from its INPUT_* and GITHUB_* environment.

    Scans, diffs against the baseline, writes $GITHUB_STEP_SUMMARY and $GITHUB_OUTPUT, and on a
    pull request posts or updates one comment. Exits with the scan's status.
    """
    from depscan import github

    sys.exit(github.run(os.environ))
