"""Shared test helpers: run the real CLI in a subprocess, locate fixtures and the shared corpus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run `python -m depscan ARGS` as a user would, with this checkout's sources first on the path."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1", **(env or {})}
    completed = subprocess.run(
        [sys.executable, "-m", "depscan", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=300,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(scope="session")
def database():
    from depscan import vendordb

    return vendordb.load()


def corpus_file(relative: str) -> Path:
    """A file of ../shared/corpus; the test is skipped where the corpus is absent (a plain clone)."""
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"shared corpus not available: {relative}")
    return path
