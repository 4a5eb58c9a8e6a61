"""Fuzzing the infrastructure readers: random and mutated input raises InputError or nothing, never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from depscan.errors import InputError
from depscan.ingest import read_file

INFRA = FIXTURES / "infra"
#: (file name the reader expects, a valid seed to mutate)
SEEDS = [
    ("Dockerfile", INFRA / "docker" / "Dockerfile"),
    ("compose.yaml", INFRA / "docker" / "compose.yaml"),
    ("shop.yaml", INFRA / "k8s" / "shop.yaml"),
    ("Chart.yaml", INFRA / "helm" / "shop" / "Chart.yaml"),
    ("values.yaml", INFRA / "helm" / "shop" / "values.yaml"),
    ("ci.yml", INFRA / "github" / ".github" / "workflows" / "ci.yml"),
    (".gitlab-ci.yml", INFRA / "gitlab" / ".gitlab-ci.yml"),
    ("main.tf", INFRA / "terraform" / "main.tf"),
    (".terraform.lock.hcl", INFRA / "terraform" / ".terraform.lock.hcl"),
]
NOISE = "{}[]()\"'$#/*<-: \n\t=,.abc&!|%\\"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_quietly(name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(data)
        try:
            read_file(path)
        except InputError as exc:
            # read_file turns a reader's stray ValueError/TypeError... into this message: still a reader bug
            assert "could not read as" not in exc.message, exc.message


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    name, seed = draw(st.sampled_from(SEEDS))
    data = bytearray(seed.read_bytes())
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        operation = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "duplicate"]))
        position = draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))
        if operation == "flip" and data:
            data[position] = draw(st.integers(min_value=0, max_value=255))
        elif operation == "delete":
            del data[position : position + draw(st.integers(min_value=1, max_value=40))]
        elif operation == "insert":
            data[position:position] = draw(
                st.sampled_from([b"{", b"}", b"[", b'"', b"${", b"<<EOF\n", b"&a", b"*a", b"\n  ", b"- ", b": ", b"\\"])
            )
        elif operation == "truncate":
            del data[position:]
        elif operation == "duplicate":
            data[position:position] = data[position : position + 200]
    return name, bytes(data)


@SETTINGS
@given(mutated())
def test_mutated_files_raise_only_input_errors(case):
    read_quietly(*case)


@SETTINGS
@given(st.sampled_from([name for name, _ in SEEDS]), st.binary(max_size=2000))
def test_random_bytes_raise_only_input_errors(name, data):
    read_quietly(name, data)


@SETTINGS
@given(st.sampled_from([name for name, _ in SEEDS]), st.text(alphabet=NOISE, max_size=400))
def test_structural_noise_raises_only_input_errors(name, text):
    read_quietly(name, text.encode("utf-8"))
