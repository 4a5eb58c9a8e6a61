"""Helpers the reader tests share: components by bom_ref, the error a bad file raises, byte mutations for fuzzing."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import strategies as st

from depscan.errors import InputError
from depscan.ingest import read_file
from depscan.ingest.base import ReadResult
from depscan.model import Component


def by_ref(result: ReadResult) -> dict[str, Component]:
    """The components of a result by bom_ref (by name when a reader set none)."""
    return {c.bom_ref or c.name: c for c in result.components}


def refs(result: ReadResult, **wanted: object) -> set[str]:
    """bom_refs of the components whose attributes equal `wanted` (e.g. direct=True, scope="dev")."""
    return {
        c.bom_ref or ""
        for c in result.components
        if all(getattr(c, attribute) == value for attribute, value in wanted.items())
    }


def copy_alone(source: Path, tmp_path: Path) -> Path:
    """The lockfile without the manifest that sits beside it in the fixtures."""
    target = tmp_path / source.name
    target.write_bytes(source.read_bytes())
    return target


def read_error(path: Path, content: str) -> InputError:
    """Write `content` to `path` and return the InputError that reading it must raise."""
    path.write_text(content)
    with pytest.raises(InputError) as caught:
        read_file(path)
    return caught.value


def mutation(tokens: list[bytes]) -> st.SearchStrategy[tuple[str, float, bytes]]:
    """One edit for `mutate`: its kind, where (a fraction of the length), and the bytes: random or a format's token."""
    return st.tuples(
        st.sampled_from(["flip", "cut", "insert", "repeat", "truncate"]),
        st.floats(min_value=0, max_value=1),
        st.binary(min_size=1, max_size=8) | st.sampled_from(tokens),
    )


def mutate(data: bytes, edits: list[tuple[str, float, bytes]]) -> bytes:
    """`data` with each edit applied in turn: overwrite, cut, insert, repeat a stretch, or truncate."""
    for kind, where, payload in edits:
        at = int(where * len(data))
        if kind == "flip":
            data = data[:at] + payload + data[at + len(payload) :]
        elif kind == "cut":
            data = data[:at] + data[at + len(payload) * 16 :]
        elif kind == "insert":
            data = data[:at] + payload + data[at:]
        elif kind == "repeat":
            data = data[:at] + data[at : at + 200] * 3 + data[at:]
        else:
            data = data[:at]
    return data


def write_mutated(
    original: Path,
    target: Path,
    beside: Iterable[str],
    mutations: list[tuple[str, float, bytes]],
    beside_mutations: list[tuple[str, float, bytes]],
) -> None:
    """`original` mutated at `target`, and each file `beside` it (relative to its folder) mutated beside `target`."""
    target.parent.mkdir(parents=True)
    for relative in beside:
        companion = (target.parent / relative).resolve()
        companion.parent.mkdir(parents=True, exist_ok=True)
        companion.write_bytes(mutate((original.parent / relative).read_bytes(), beside_mutations))
    target.write_bytes(mutate(original.read_bytes(), mutations))


def read_only_input_errors(target: Path) -> None:
    """Read `target`: nothing, or an InputError of the reader's own, not the "could not read as" safety net."""
    try:
        read_file(target)
    except InputError as error:
        assert not error.message.startswith("could not read as"), error.message


def read_or_record(target: Path, where: str, crashes: list[str]) -> ReadResult | None:
    """Read a mutated file for the hostile suites: None when it is refused, and a traceback, or an error that
    does not name the file on one line, recorded in `crashes` (the defect those suites exist to find)."""
    try:
        return read_file(target)
    except InputError as exc:
        if exc.path != str(target) or "\n" in str(exc):
            crashes.append(f"{where}: error does not name the file on one line: {exc}")
    except Exception as exc:
        crashes.append(f"{where}: {type(exc).__name__}: {exc}")
    return None
