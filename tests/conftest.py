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
from hypothesis import settings

# The property tests draw the same examples on every run, so that CI's verdict does not depend on luck;
# HYPOTHESIS_PROFILE=explore draws new ones (what to run when hunting for bugs, as the fuzz tests did).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

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
    # English unless a test asks otherwise: the default language follows the locale (LC_ALL, LC_MESSAGES, LANG)
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1", **ENGLISH, **(env or {})}
    completed = subprocess.run(
        [sys.executable, "-m", "depscan", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=300,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


#: the locale every test runs in unless it sets its own
ENGLISH = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8", "DEPSCAN_LANG": ""}


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch):
    """Every test starts in English, whatever the machine's locale, and leaves depscan in English."""
    from depscan import i18n

    for name, value in ENGLISH.items():
        monkeypatch.setenv(name, value)
    i18n.activate("en")
    yield
    i18n.activate("en")


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


# -- stores: the same tests against SQLite and PostgreSQL ---------------------------------------


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL server for the session (see tests/pgcluster.py); the test skips, saying why, when there is none."""
    import pgcluster

    url, cluster, reason = pgcluster.start()
    if url is None:
        pytest.skip(f"PostgreSQL unavailable: {reason}")
    try:
        yield url
    finally:
        if cluster is not None:
            cluster.stop()


def postgres_schema_url(base: str) -> str:
    """A fresh, empty schema of the test server, as a URL whose connections use it: tests never see each other."""
    import uuid

    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """An empty store of each kind: a SQLite file, and a fresh schema on the test PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return postgres_schema_url(request.getfixturevalue("postgres_url"))
