"""The HCL subset parser: literals kept exactly, expressions kept as text, every error with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from depscan.errors import InputError
from depscan.ingest.base import InputFile
from depscan.ingest.infra import hcl


def parse(tmp_path: Path, text: str) -> hcl.Body:
    path = tmp_path / "main.tf"
    path.write_text(text, encoding="utf-8")
    return hcl.parse(InputFile.open(path))


def test_blocks_labels_attributes_and_lines(tmp_path):
    body = parse(
        tmp_path,
        '# comment\nterraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
        '      version = "~> 5.0"\n    }\n  }\n}\n\nresource "aws_s3_bucket" "logs" { bucket = "x" }\n',
    )
    (terraform,) = body.blocks_of("terraform")
    (required,) = terraform.body.blocks_of("required_providers")
    attribute = required.body.attributes["aws"]
    assert attribute.value == {"source": "hashicorp/aws", "version": "~> 5.0"}
    assert attribute.line == 4
    (resource,) = body.blocks_of("resource")
    assert resource.labels == ["aws_s3_bucket", "logs"] and resource.line == 11
    assert resource.body.attributes["bucket"].value == "x"


def test_strings_escapes_templates_and_heredocs(tmp_path):
    body = parse(
        tmp_path,
        "locals {\n"
        '  escaped  = "tab\\there \\"quoted\\" \\u00e9 back\\\\slash"\n'
        '  literal  = "$${not_a_template} %%{nor_this}"\n'
        '  template = "${var.a}-${jsonencode({"k" = "}"})}"\n'
        '  doc = <<-EOT\n    {\n      "a": "{"\n    }\n  EOT\n'
        '  after = "still parsed"\n'
        "}\n",
    )
    attributes = body.blocks_of("locals")[0].body.attributes
    assert attributes["escaped"].value == 'tab\there "quoted" é back\\slash'
    assert attributes["literal"].value == "${not_a_template} %{nor_this}"
    assert isinstance(attributes["template"].value, hcl.Expression)  # computed: not a literal
    assert attributes["doc"].value == '{\n  "a": "{"\n}'  # `<<-` trims the common indentation
    assert attributes["after"].value == "still parsed" and attributes["after"].line == 10


def test_comments_of_every_kind_hide_braces(tmp_path):
    body = parse(
        tmp_path,
        '/* {\n { */\nprovider "a" { # }\n  x = "1" // }\n}\n',
    )
    (provider,) = body.blocks_of("provider")
    assert provider.body.attributes["x"].value == "1"


def test_objects_tuples_and_expressions(tmp_path):
    body = parse(
        tmp_path,
        "locals {\n"
        '  object = { a = "1", "b" = "2"\n    c: "3" }\n'
        '  tuple  = ["x", "y",\n    "z"]\n'
        '  nested = { inner = { deep = ["v"] } }\n'
        "  ref    = var.region\n"
        "  call   = merge(local.a, { b = 1 })\n"
        "  for    = [for s in var.list : upper(s)]\n"
        "  sum    = { a = 1 } == { a = 1 }\n"
        "}\n",
    )
    attributes = body.blocks_of("locals")[0].body.attributes
    assert attributes["object"].value == {"a": "1", "b": "2", "c": "3"}
    assert attributes["tuple"].value == ["x", "y", "z"]
    assert attributes["nested"].value == {"inner": {"deep": ["v"]}}
    assert attributes["ref"].value == hcl.Expression("var . region")
    for name in ("call", "for", "sum"):
        assert isinstance(attributes[name].value, hcl.Expression), name


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ('a "b" {\n  c = 1\n', 1, "'{' opened on line 1 is never closed"),
        ("}\n", 1, "'}' with no block open"),
        ('x = "abc\n', 1, "unterminated string"),
        ('x = "${var.a"\n', 1, "unterminated string"),
        ('x = "${var.a\n', 1, "unterminated ${ sequence"),
        ("x = <<EOT\nbody\n", 1, "heredoc <<EOT is never closed"),
        ("x = (1, 2]\n", 1, "']' closes the '(' of line 1"),
        ("x = 1)\n", 1, "unexpected ')'"),
        ('x = "\\q"\n', 1, "invalid escape"),
        ("a b c\n", 1, "expected '=' or '{'"),
        ("= 1\n", 1, "expected an attribute or a block"),
        ("x =\n", 1, "attribute without a value"),
        ("\n\n/* open", 3, "unterminated /* comment"),
    ],
)
def test_errors_name_their_line(tmp_path, text, line, fragment):
    with pytest.raises(InputError) as caught:
        parse(tmp_path, text)
    assert caught.value.line == line, caught.value
    assert fragment in caught.value.message


def test_deep_nesting_is_refused_cleanly(tmp_path):
    with pytest.raises(InputError) as caught:
        parse(tmp_path, "a {\n" * 300 + "}\n" * 300)
    assert "nested deeper" in caught.value.message
    with pytest.raises(InputError):
        parse(tmp_path, "x = " + "[" * 5000 + "]" * 5000 + "\n")
