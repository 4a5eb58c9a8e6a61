#!/usr/bin/env bash
# Install depscan from the action's own checkout into a private virtual environment, so that the
# runner's Python (externally managed on Ubuntu 24.04) and the project's own packages are untouched,
# and put it first on PATH for the next steps.
set -euo pipefail
venv="${RUNNER_TEMP:-/tmp}/depscan-venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet "${GITHUB_ACTION_PATH:?}"
echo "$venv/bin" >> "${GITHUB_PATH:?}"
