"""Go modules: go.mod directives and replacements, go.sum's consulted-versus-downloaded lines, and both together."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES
from depscan.ingest import read_file
from helpers import read_error

APP = FIXTURES / "go" / "app"


def by_name(path: Path) -> dict[str, object]:
    return {c.name: c for c in read_file(path).components}


def test_go_mod_applies_replacements_and_marks_indirect():
    result = read_file(APP / "go.mod")
    assert result.format == "go-mod"
    components = {c.name: c for c in result.components}
    assert set(components) == {
        "github.com/aws/aws-sdk-go-v2",
        "github.com/sirupsen/logrus",  # written as a quoted string
        "github.com/google/uuid",
        "github.com/new/fork",  # github.com/old/fork => github.com/new/fork v1.3.1
        "golang.org/x/text",
        "github.com/aws/smithy-go",
        "gopkg.in/yaml.v3",
    }  # example.com/shop/internal => ../internal is the project's own code
    direct = {name for name, c in components.items() if c.direct}
    assert direct == {
        "github.com/aws/aws-sdk-go-v2",
        "github.com/sirupsen/logrus",
        "github.com/google/uuid",
        "github.com/new/fork",
    }
    assert components["github.com/aws/smithy-go"].direct is False  # "// indirect; comment" still counts
    fork = components["github.com/new/fork"]
    assert (fork.version, fork.purl) == ("v1.3.1", "pkg:golang/github.com/new/fork@v1.3.1")
    assert fork.properties["replaces"] == "github.com/old/fork@v1.2.0"
    # the version-specific replacement applies; the one for another version does not
    assert components["golang.org/x/text"].version == "v0.16.1"
    assert components["github.com/sirupsen/logrus"].sources[0].line == 11
    assert result.roots == []  # direct marks come from the file; there are no edges to walk


def test_go_sum_alone_keeps_modules_whose_code_was_downloaded():
    result = read_file(FIXTURES / "go" / "sum-only" / "go.sum")  # CRLF line ends, a blank line
    assert result.format == "go-sum"
    assert {(c.name, c.version) for c in result.components} == {
        ("github.com/pkg/errors", "v0.9.1"),  # v0.8.0 appears only as /go.mod: consulted, not built
        ("golang.org/x/net", "v0.26.0"),
    }
    assert all(c.direct is None for c in result.components)
    assert next(c for c in result.components if c.name == "golang.org/x/net").sources[0].line == 5


def test_go_sum_beside_go_mod_follows_its_selection():
    components = {c.name: c for c in read_file(APP / "go.sum").components}
    assert components["github.com/google/uuid"].version == "v1.6.0"  # v1.5.0 hashed too, but not selected
    assert len(components) == 9
    only_in_sum = {name for name, c in components.items() if c.properties.get("go_sum_only")}
    assert only_in_sum == {"github.com/davecgh/go-spew", "github.com/pmezard/go-difflib"}
    assert all(components[name].direct is False for name in only_in_sum)
    assert {name for name, c in components.items() if c.direct} == {
        "github.com/aws/aws-sdk-go-v2",
        "github.com/sirupsen/logrus",
        "github.com/google/uuid",
        "github.com/new/fork",
    }


def test_directory_scan_merges_go_mod_and_go_sum(cli):
    run = cli("scan", str(APP), "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    report = run.json()
    assert {s["format"]: s["components"] for s in report["sources"]} == {"go-mod": 7, "go-sum": 9}
    golang = {c["name"]: c for c in report["components"] if c["ecosystem"] == "golang"}
    assert len(golang) == 9
    sdk = golang["github.com/aws/aws-sdk-go-v2"]
    assert sdk["direct"] is True
    assert sorted((Path(s["path"]).name, s["line"]) for s in sdk["sources"]) == [("go.mod", 8), ("go.sum", 1)]
    assert golang["github.com/davecgh/go-spew"]["direct"] is False


@pytest.mark.parametrize(
    "content, message, line",
    [
        ("module a\n\nrequire (\n\tgithub.com/x/y v1.0.0\n", "unterminated require block", None),
        ("module a\nrequire github.com/x/y\n", "expected '<module path> <version>'", 2),
        ("module a\nreplace github.com/x/y => github.com/z/y\n", "needs a version", 2),
        ("module a b\n", "expected 'module <path>'", 1),
    ],
)
def test_go_mod_errors_name_the_line(tmp_path, content, message, line):
    error = read_error(tmp_path / "go.mod", content)
    assert message in error.message
    assert error.line == line


def test_go_sum_malformed_line(tmp_path):
    error = read_error(tmp_path / "go.sum", "github.com/x/y v1.0.0 h1:abc=\ngithub.com/x/z v1.0.0\n")
    assert error.line == 2


def test_detected_by_content_under_other_names(tmp_path):
    mod = tmp_path / "module.txt"
    mod.write_text("// generated\nmodule example.com/x\n\nrequire github.com/google/uuid v1.6.0\n")
    assert read_file(mod).format == "go-mod"
    checksums = tmp_path / "checksums.txt"
    checksums.write_text("github.com/google/uuid v1.6.0 h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=\n")
    assert read_file(checksums).format == "go-sum"
