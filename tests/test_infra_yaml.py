"""YAML for the infrastructure readers: safe against bombs, deep nesting and tags; never claims foreign YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from depscan.errors import InputError
from depscan.ingest import _yaml, detect, read_file
from depscan.ingest.base import InputFile


def source(tmp_path: Path, name: str, content: str | bytes) -> InputFile:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return InputFile.open(path)


def test_scalars_keep_their_line_and_their_text(tmp_path):
    (document,) = _yaml.load_all(source(tmp_path, "a.yaml", "a:\n  version: 1.10\n  when: 2024-01-01\n  on: yes\n"))
    inner = document["a"]
    assert inner["version"] == "1.10" and _yaml.line_of(inner["version"]) == 2  # not the float 1.1
    assert inner["when"] == "2024-01-01"
    assert inner[True] is True  # YAML 1.1: `on` and `yes` are booleans, keys included (workflows' `on:`)
    assert _yaml.key_line(inner, "when") == 3


def test_alias_bomb_is_refused(tmp_path):
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]\n"
    with pytest.raises(InputError) as caught:
        _yaml.load_all(source(tmp_path, "bomb.yaml", bomb))
    assert "alias bomb" in caught.value.message


def test_nested_merge_keys_are_counted_too(tmp_path):
    text = "a0: &a0 {k: v}\n"
    for level in range(1, 30):
        text += f"a{level}: &a{level} {{<<: [*a{level - 1}, *a{level - 1}], k{level}: v}}\n"
    with pytest.raises(InputError):
        _yaml.load_all(source(tmp_path, "merge.yaml", text))


def test_ordinary_anchors_and_merge_keys_are_fine(tmp_path):
    text = ".base: &base\n  image: alpine:3.19\njob:\n  <<: *base\n  script: [echo]\n"
    (document,) = _yaml.load_all(source(tmp_path, "ci.yml", text))
    assert document["job"]["image"] == "alpine:3.19"


def test_recursive_alias_is_refused(tmp_path):
    with pytest.raises(InputError):
        _yaml.load_all(source(tmp_path, "loop.yaml", "a: &a [*a]\n"))


@pytest.mark.parametrize("opener", ["[", "{", "- "])
def test_deep_nesting_never_crashes_the_process(tmp_path, opener):
    # libyaml's composer recurses in C: 100,000 levels would overflow the stack; this must be an InputError
    closer = {"[": "]", "{": "}", "- ": ""}[opener]
    text = opener * 100_000 + ("x" if opener == "- " else "") + closer * 100_000
    with pytest.raises(InputError) as caught:
        _yaml.load_all(source(tmp_path, "deep.yaml", text))
    # which check fires first (ours or the YAML library's own depth limit) and its wording may vary with the
    # library's version: what matters is one clean input error naming the file
    assert caught.value.path.endswith("deep.yaml") and "\n" not in str(caught.value)


def test_nesting_within_the_limit_is_read(tmp_path):
    (document,) = _yaml.load_all(source(tmp_path, "ok.yaml", "a: " + "[" * 600 + "1" + "]" * 600 + "\n"))
    depth, value = 0, document["a"]
    while isinstance(value, list):
        depth, value = depth + 1, value[0]
    assert depth == 600 and value == "1"


def test_unsafe_tags_are_refused_local_tags_read_as_plain_values(tmp_path):
    with pytest.raises(InputError) as caught:
        _yaml.load_all(source(tmp_path, "evil.yaml", "a: !!python/object/apply:os.system ['true']\n"))
    assert caught.value.line == 1
    (document,) = _yaml.load_all(source(tmp_path, "ref.yml", "job:\n  script: !reference [.setup, script]\n"))
    assert document["job"]["script"] == [".setup", "script"]


def test_invalid_yaml_names_the_line(tmp_path):
    with pytest.raises(InputError) as caught:
        read_file(source(tmp_path, "compose.yaml", "services:\n  web:\n    image: [unclosed\n").path)
    assert caught.value.line is not None and "invalid YAML" in caught.value.message


FOREIGN_YAML = {
    "mkdocs.yml": "site_name: Docs\nnav:\n  - Home: index.md\ntheme:\n  name: material\n",
    ".pre-commit-config.yaml": "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n"
    "    rev: v0.4.1\n    hooks:\n      - id: ruff\n",
    "openapi.yaml": "openapi: 3.0.0\ninfo:\n  title: API\n  version: 1.0.0\npaths: {}\n",
    "playbook.yml": "- hosts: all\n  tasks:\n    - name: install\n      apt:\n        name: nginx\n",
    "dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"
    "    schedule:\n      interval: weekly\n",
    "template.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n",
    "config.yaml": "database:\n  host: localhost\n  image: not-a-real-key\n",
    "netlify.yml": "build:\n  command: make\n  publish: public\n",
    "notes.txt": "FROM the beginning, this is prose\nnot a Dockerfile.\n",
    "azure-pipelines.yml": "trigger:\n  - main\npool:\n  vmImage: ubuntu-latest\nstages:\n  - stage: Build\n"
    "    jobs:\n      - job: build\n        steps:\n          - script: make\n",
    "bitbucket-pipelines.yml": "image: python:3.12\npipelines:\n  default:\n    - step:\n        script:\n"
    "          - pytest\n",
    ".travis.yml": "language: python\nstages:\n  - test\njobs:\n  include:\n    - stage: test\n      script: pytest\n",
    "config.yml": "version: 2.1\njobs:\n  build:\n    docker:\n      - image: cimg/python:3.12\n"
    "    steps:\n      - checkout\n",
    "catalog-info.txt": "name: shop\nversion: 1.0.0\ndependencies:\n  - name: lodash\n",
}


@pytest.mark.parametrize("name", sorted(FOREIGN_YAML))
def test_other_yaml_files_are_not_claimed(tmp_path, name):
    with pytest.raises(InputError) as caught:
        detect(source(tmp_path, name, FOREIGN_YAML[name]))
    assert "unrecognised format" in caught.value.message
