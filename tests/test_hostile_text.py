"""A generated hostile suite for the XML and line-based readers: real fixtures mutated where a parser breaks.

The type-mutation suite (test_hostile_types.py) covers JSON, YAML and TOML. Here, for each XML fixture, the
text of each leaf element and the value of each attribute are replaced by wrong values (empty, blank, an
unresolved `${property}`, a number too long for any version, control and bidi characters), and each leaf is
dropped and duplicated; for each line-based fixture (requirements.txt, go.mod, Gemfile.lock, yarn.lock v1,
Dockerfile, SPDX tag-value...), each line is truncated, followed by garbage, given wrong separators, dropped
and doubled. Every case must end in one of two ways:

- a result: when a mutation that keeps the entry in the file (a changed value, a wrong separator, garbage
  beside it) leaves fewer components than the original, the result carries warnings (never a silent drop);
- an InputError naming the file on one line (exit 3), never any other exception (a traceback).

Dropping a line or an element removes the entry itself, so those cases are checked for crashes only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from depscan.errors import InputError
from depscan.ingest import read_file
from helpers import read_or_record

XML_FORMATS = ("maven-pom", "msbuild-project", "nuget-packages-config", "cyclonedx-xml")
LINE_FORMATS = (
    "pip-requirements",
    "go-mod",
    "go-sum",
    "gemfile-lock",
    "yarn-lock-v1",
    "dockerfile",
    "spdx-tag-value",
    "gradle-lockfile",
    "npmrc",
)
MAX_FIXTURES_PER_FORMAT = 3
MAX_SITES_PER_FIXTURE = 30  # leaves, attributes or lines mutated per fixture, in file order

#: values that replace an element's text or an attribute's value
XML_VALUES = {
    "empty": "",
    "blank": "   ",
    "property": "${undefined.property}",
    "huge-number": "9" * 40,
    "controls": "x\u001b[2J\u202ey",
    "markup-escaped": "&lt;x&gt;",
}
#: (name, whether the entry stays in the file, line -> mutated line(s))
LINE_MUTATIONS: list[tuple[str, bool, Callable[[str], str]]] = [
    ("truncated", True, lambda line: line[: max(1, len(line) // 2)]),
    ("garbage-after", True, lambda line: line + "\n@@ \u0007 ~~~ }{ ::: ==\n"),
    ("garbage-inside", True, lambda line: line[: len(line) // 2] + "\u202e}{\u0000" + line[len(line) // 2 :]),
    ("separators", True, lambda line: _swap_separators(line)),
    ("tabs", True, lambda line: line.replace(" ", "\t")),
    ("doubled", True, lambda line: line + "\n" + line),
    ("dropped", False, lambda line: ""),
]
_SEPARATORS = [("==", "="), (" ", ":"), (":", " = "), ("@", "%"), ("/", "\\"), ("=", "==")]
_LEAF = re.compile(r"<([A-Za-z_][\w:.-]*)((?:\s[^<>]*?)?)>([^<>]*)</\1>")
_ATTRIBUTE = re.compile(r"""(\s[A-Za-z_][\w:.-]*=)("[^"]*"|'[^']*')""")


def _swap_separators(line: str) -> str:
    for old, new in _SEPARATORS:
        if old in line:
            return line.replace(old, new, 1)
    return line + " ="


def _fixtures(formats: tuple[str, ...]) -> list[tuple[str, Path, int]]:
    chosen: dict[str, list[tuple[str, Path, int]]] = {}
    for path in sorted(FIXTURES.rglob("*")):
        if not path.is_file() or path.stat().st_size > 60_000:
            continue
        try:
            result = read_file(path)
        except InputError:
            continue
        if result.format in formats and result.components and not result.warnings:
            entries = chosen.setdefault(result.format, [])
            if len(entries) < MAX_FIXTURES_PER_FORMAT:
                entries.append((result.format, path, len(result.components)))
    return [entry for entries in chosen.values() for entry in entries]


def _xml_mutations(text: str) -> Iterator[tuple[str, str, bool]]:
    """(label, mutated text, whether the entry stays) for the first leaves and attributes of an XML text."""
    for match in list(_LEAF.finditer(text))[:MAX_SITES_PER_FIXTURE]:
        tag = match.group(1)
        start, end = match.span(3)
        for name, value in XML_VALUES.items():
            yield f"<{tag}> text -> {name}", text[:start] + value + text[end:], True
        yield f"<{tag}> dropped", text[: match.start()] + text[match.end() :], False
        yield f"<{tag}> duplicated", text[: match.end()] + match.group(0) + text[match.end() :], True
    for match in list(_ATTRIBUTE.finditer(text))[:MAX_SITES_PER_FIXTURE]:
        start, end = match.span(2)
        quote = match.group(2)[0]
        for name, value in XML_VALUES.items():
            label = f"attribute{match.group(1).rstrip('=')} -> {name}"
            yield label, text[:start] + quote + value + quote + text[end:], True


def _line_mutations(text: str) -> Iterator[tuple[str, str, bool]]:
    lines = text.split("\n")
    sites = [index for index, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    for index in sites[:MAX_SITES_PER_FIXTURE]:
        for name, keeps, mutate in LINE_MUTATIONS:
            mutated = [*lines[:index], mutate(lines[index]), *lines[index + 1 :]]
            yield f"line {index + 1} {name}", "\n".join(mutated), keeps


XML_SET = _fixtures(XML_FORMATS)
LINE_SET = _fixtures(LINE_FORMATS)


def _cases() -> list[tuple[str, Path, int, str, str, bool]]:
    cases = []
    for format_, path, count in [*XML_SET, *LINE_SET]:
        text = path.read_text(encoding="utf-8")
        mutations = _xml_mutations(text) if format_ in XML_FORMATS else _line_mutations(text)
        cases.extend((format_, path, count, label, mutated, keeps) for label, mutated, keeps in mutations)
    return cases


CASES = _cases()
FORMATS = sorted({format_ for format_, *_ in CASES})

#: readers whose line or XML checks are not written yet: they never crash, but some mutated entries are still
#: dropped without a warning (strict xfail: the mark must go when a reader is hardened)
NOT_YET_HARDENED: set[str] = set()


def test_the_suite_covers_every_xml_and_line_reader():
    print(f"hostile text-mutation suite: {len(CASES)} cases over {len(XML_SET) + len(LINE_SET)} fixtures")
    assert len(XML_FORMATS) + len(LINE_FORMATS) == 13
    assert set(FORMATS) == set(XML_FORMATS) | set(LINE_FORMATS), sorted(FORMATS)
    assert len(CASES) >= 2000, len(CASES)


def _outcomes(format_: str, tmp_path: Path) -> tuple[list[str], list[str]]:
    crashes: list[str] = []
    silent: list[str] = []
    for case_format, path, count, label, mutated, keeps in CASES:
        if case_format != format_:
            continue
        folder = tmp_path / str(len(crashes) + len(silent))
        folder.mkdir(exist_ok=True)
        target = folder / path.name
        target.write_text(mutated, encoding="utf-8")
        where = f"{path.relative_to(FIXTURES)} {label}"
        result = read_or_record(target, where, crashes)
        if result is None:
            continue
        if keeps and len(result.components) < count and not result.warnings:
            silent.append(f"{where}: {count} -> {len(result.components)} components, no warning")
    return crashes, silent


@pytest.mark.parametrize("format_", FORMATS)
def test_mutated_text_never_crashes(format_, tmp_path):
    crashes, _ = _outcomes(format_, tmp_path)
    assert not crashes, f"{len(crashes)} case(s) ended in a traceback:\n" + "\n".join(crashes[:40])


@pytest.mark.parametrize(
    "format_",
    [
        pytest.param(f, marks=pytest.mark.xfail(strict=True, reason="line checks not written yet"))
        if f in NOT_YET_HARDENED
        else f
        for f in FORMATS
    ],
)
def test_mutated_text_never_drops_silently(format_, tmp_path):
    _, silent = _outcomes(format_, tmp_path)
    assert not silent, f"{len(silent)} silent drop(s):\n" + "\n".join(silent[:40])


def test_a_sample_of_text_cases_through_the_cli_exits_cleanly(tmp_path):
    """Exit 0/1 (warnings on stderr) or 3 with one line naming the file; never a traceback."""
    for index, (_format, path, _count, _label, mutated, _keeps) in enumerate(CASES[:: max(1, len(CASES) // 25)]):
        folder = tmp_path / str(index)
        folder.mkdir()
        target = folder / path.name
        target.write_text(mutated, encoding="utf-8")
        run = run_cli("scan", str(target), "--format", "json", "--fail-on", "none", "--no-installed")
        assert "Traceback" not in run.stderr, run.stderr
        assert run.code in (0, 1, 3), run.stderr
        if run.code == 3:
            errors = [line for line in run.stderr.splitlines() if "error:" in line]
            assert len(errors) == 1 and str(target) in errors[0], run.stderr
