"""Mutated Python and JavaScript lockfiles: whatever the bytes, reading raises InputError or nothing else.

Each case starts from a real fixture and flips, cuts, inserts or duplicates
bytes, keeping the file name (some formats are recognised by it); the
readers must either read the result or refuse it with one clear error.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from depscan.errors import InputError
from depscan.ingest import read_file
from helpers import mutate, mutation

SEEDS = [
    "python/uv-workspace/uv.lock",
    "python/poetry-1.1/poetry.lock",
    "python/poetry-2/poetry.lock",
    "python/pdm/pdm.lock",
    "python/pipenv/Pipfile.lock",
    "python/pylock-uv/pylock.toml",
    "python/pyproject-poetry/pyproject.toml",
    "python/pyproject-pep621/pyproject.toml",
    "npm/yarn-v1/yarn.lock",
    "npm/yarn-v1-edge/yarn.lock",
    "npm/yarn-berry/yarn.lock",
    "npm/pnpm-v5/pnpm-lock.yaml",
    "npm/pnpm-v6/pnpm-lock.yaml",
    "npm/pnpm-v9/pnpm-lock.yaml",
]

_MUTATION = mutation([b"\n", b'"', b"'", b":", b"[", b"{", b"  ", b"@", b"(", b"_", b"#", b"\x00", b"\xff"])


@pytest.mark.parametrize("seed", SEEDS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=st.lists(_MUTATION, min_size=1, max_size=4))
def test_mutated_lockfile_raises_only_input_error(seed, mutations):
    original = FIXTURES / seed
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / original.name
        target.write_bytes(mutate(original.read_bytes(), mutations))
        with contextlib.suppress(InputError):
            read_file(target)


@pytest.mark.parametrize("name", ["yarn.lock", "pnpm-lock.yaml", "uv.lock", "poetry.lock", "pyproject.toml"])
@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=400))
def test_random_bytes_under_a_lockfile_name_raise_only_input_error(name, data):
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / name
        target.write_bytes(data)
        with contextlib.suppress(InputError):
            read_file(target)
