"""JavaScript lockfiles: yarn.lock (classic v1 and Berry) and pnpm-lock.yaml (5.x, 6.x, 9.x).

The fixtures in tests/fixtures/npm were generated from one small workspace
project (react-dom with its react peer, an `npm:` alias, an optional and a dev
dependency, a workspace package) with the real tools: pnpm 7, 8 and 9
(`install --lockfile-only`), yarn 1.22 and yarn 4.5 (`--mode=update-lockfile`).
yarn-v1-edge is hand-written: git, codeload and `link:` entries, a scoped
alias, an escaped quote, CRLF line ends and a byte-order mark. Corpus counts
were taken independently (grep/awk/sed over the files: unique name and
version, workspaces and local folders left out; direct ones from package.json
with jq).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES
from depscan.ingest import read_file
from helpers import by_ref, copy_alone, read_error, refs

NPM = FIXTURES / "npm"
WORKSPACE_PACKAGES = {
    "is-number@7.0.0",
    "js-tokens@4.0.0",
    "loose-envify@1.4.0",
    "ms@2.0.0",
    "ms@2.1.3",
    "react-dom@18.2.0",
    "react@18.2.0",
    "scheduler@0.23.2",
}
WORKSPACE_DIRECT = {"react-dom@18.2.0", "react@18.2.0", "ms@2.0.0", "ms@2.1.3", "is-number@7.0.0", "js-tokens@4.0.0"}


# --- pnpm ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["5", "6", "9"])
def test_pnpm_lock_every_format_reads_the_same_project(version):
    result = read_file(NPM / f"pnpm-v{version}" / "pnpm-lock.yaml")
    assert result.format == "pnpm-lock"
    assert refs(result) == WORKSPACE_PACKAGES  # peer copies (react-dom with react) are one component
    assert refs(result, direct=True) == WORKSPACE_DIRECT  # js-tokens: from the workspace package's importer
    assert refs(result, scope="dev") == {"is-number@7.0.0"}
    assert refs(result, scope="optional") == {"ms@2.1.3"}
    components = by_ref(result)
    assert components["ms@2.0.0"].purl == "pkg:npm/ms@2.0.0"  # the ms-alias dependency is ms itself
    scheduler = components["scheduler@0.23.2"]
    assert scheduler.direct is False and scheduler.introduced_by == ["pkg:npm/react-dom@18.2.0"]
    assert set(result.dependencies["react-dom@18.2.0"]) == {"loose-envify@1.4.0", "react@18.2.0", "scheduler@0.23.2"}
    assert all(c.sources[0].line for c in result.components)
    assert not any("fixture" in c.name for c in result.components)  # workspace packages are the project's code


def test_pnpm_v9_git_tarball_and_local_folder(tmp_path):
    lock = tmp_path / "pnpm-lock.yaml"
    lock.write_text(
        """lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      '@scope/tool':
        specifier: github:example/tool#v1.0.0
        version: https://codeload.github.com/example/tool/tar.gz/0123abc
      local-pkg:
        specifier: file:./local-pkg
        version: file:local-pkg
      private-pkg:
        specifier: ^2.0.0
        version: 2.0.1

packages:

  '@scope/tool@https://codeload.github.com/example/tool/tar.gz/0123abc':
    resolution: {tarball: https://codeload.github.com/example/tool/tar.gz/0123abc}
    version: 1.0.0

  local-pkg@file:local-pkg:
    resolution: {directory: local-pkg, type: directory}

  private-pkg@2.0.1:
    resolution: {integrity: sha512-AAAA, tarball: https://npm.corp.example.com/private-pkg/-/private-pkg-2.0.1.tgz}

snapshots:

  '@scope/tool@https://codeload.github.com/example/tool/tar.gz/0123abc': {}

  local-pkg@file:local-pkg:
    dependencies:
      private-pkg: 2.0.1

  private-pkg@2.0.1: {}
"""
    )
    result = read_file(lock)
    components = by_ref(result)
    assert set(components) == {"@scope/tool@1.0.0", "private-pkg@2.0.1"}
    tool = components["@scope/tool@1.0.0"]
    assert tool.purl == "pkg:npm/%40scope/tool@1.0.0"
    assert tool.repository == "https://github.com/example/tool"
    assert components["private-pkg@2.0.1"].properties["resolved"].startswith("https://npm.corp.example.com/")
    assert refs(result, direct=True) == {"@scope/tool@1.0.0", "private-pkg@2.0.1"}


# --- yarn classic -------------------------------------------------------------------------------------------------


def test_yarn_v1_lock_with_workspaces_file_dependency_and_alias():
    result = read_file(NPM / "yarn-v1" / "yarn.lock")
    assert result.format == "yarn-lock-v1"
    assert refs(result) == WORKSPACE_PACKAGES | {"is-number@6.0.0", "is-odd@3.0.1"}
    assert "local-thing" not in {c.name for c in result.components}  # file: folder: the project's own code
    # direct: the root's, the workspace package's (js-tokens) and the file: folder's (is-odd)
    assert refs(result, direct=True) == WORKSPACE_DIRECT | {"is-odd@3.0.1"}
    assert refs(result, scope="dev") == {"is-number@7.0.0"}
    assert refs(result, scope="optional") == {"ms@2.1.3"}
    components = by_ref(result)
    assert components["is-number@6.0.0"].introduced_by == ["pkg:npm/is-odd@3.0.1"]
    assert components["ms@2.0.0"].properties["resolved"].startswith("https://registry.yarnpkg.com/ms/-/ms-2.0.0.tgz")
    assert components["js-tokens@4.0.0"].sources[0].line == 22


def test_yarn_v1_edge_cases_crlf_bom_git_and_escapes():
    result = read_file(NPM / "yarn-v1-edge" / "yarn.lock")
    assert result.format == "yarn-lock-v1"
    components = by_ref(result)
    assert set(components) == {
        "@babel/runtime@7.24.5",
        "@types/node@20.12.7",
        "left-pad@1.3.0",
        "my-fork@2.0.0",
        "regenerator-runtime@0.14.1",
        "undici-types@5.26.5",
        'weird"name@1.0.0',
    }
    assert components["left-pad@1.3.0"].repository == "https://github.com/stevemao/left-pad"
    assert components["my-fork@2.0.0"].repository == "https://gitlab.com/team/my-fork"
    assert components["@types/node@20.12.7"].purl == "pkg:npm/%40types/node@20.12.7"
    assert components["regenerator-runtime@0.14.1"].properties["resolved"].startswith("https://npm.corp.example.com/")
    assert result.dependencies['weird"name@1.0.0'] == ["undici-types@5.26.5"]  # optionalDependencies too
    assert result.dependencies["my-fork@2.0.0"] == ["regenerator-runtime@0.14.1"]
    assert components["@babel/runtime@7.24.5"].sources[0].line == 5
    assert {c.direct for c in result.components} == {None}  # no package.json beside it: the lock does not say


def test_yarn_v1_without_package_json_does_not_guess(tmp_path):
    result = read_file(copy_alone(NPM / "yarn-v1" / "yarn.lock", tmp_path))
    assert len(result.components) == 10
    assert refs(result, direct=True) == {"is-odd@3.0.1"}  # known from the file: entry in the lock itself


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('# yarn lockfile v1\n\na@^1:\n  version "1.0.0\n', 4),
        ("# yarn lockfile v1\n\n  version 1.0.0\n", 3),
        ('# yarn lockfile v1\n\n"a@^1:\n  version "1"\n', 3),
        ('# yarn lockfile v1\n\na@^1\n  version "1"\n', 3),
    ],
)
def test_yarn_v1_malformed_lines_are_reported_with_their_number(tmp_path, text, line):
    error = read_error(tmp_path / "yarn.lock", text)
    assert error.line == line


# --- yarn berry ---------------------------------------------------------------------------------------------------


def test_yarn_berry_lock_workspaces_patch_and_alias():
    result = read_file(NPM / "yarn-berry" / "yarn.lock")
    assert result.format == "yarn-berry-lock"
    extra = {
        "function-bind@1.1.2",
        "hasown@2.0.4",
        "is-core-module@2.18.0",
        "path-parse@1.0.7",
        "resolve@1.22.8",
        "supports-preserve-symlinks-flag@1.0.0",
    }
    assert refs(result) == WORKSPACE_PACKAGES | extra  # resolve and its builtin patch are one component
    assert refs(result, direct=True) == WORKSPACE_DIRECT | {"resolve@1.22.8"}
    assert refs(result, scope="dev") == {"is-number@7.0.0"}
    assert refs(result, scope="optional") == {"ms@2.1.3"}
    components = by_ref(result)
    assert components["resolve@1.22.8"].sources[0].line == 125  # the unpatched entry comes first
    assert components["ms@2.0.0"].sources[0].line == 83


def test_yarn_berry_git_archive_url_and_portal(tmp_path):
    lock = tmp_path / "yarn.lock"
    lock.write_text(
        """__metadata:
  version: 8
  cacheKey: 10c0

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    tool: "https://github.com/example/tool.git#commit=0123456789abcdef0123456789abcdef01234567"
    private-pkg: "npm:^2.0.0"
    portal-pkg: "portal:../portal-pkg"
  languageName: unknown
  linkType: soft

"tool@https://github.com/example/tool.git#commit=0123456789abcdef0123456789abcdef01234567":
  version: 1.0.0
  resolution: "tool@https://github.com/example/tool.git#commit=0123456789abcdef0123456789abcdef01234567"
  languageName: node
  linkType: hard

"private-pkg@npm:^2.0.0":
  version: 2.0.1
  resolution: "private-pkg@npm:2.0.1::__archiveUrl=https%3A%2F%2Fnpm.corp.example.com%2Fprivate-pkg-2.0.1.tgz"
  languageName: node
  linkType: hard

"portal-pkg@portal:../portal-pkg::locator=app%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "portal-pkg@portal:../portal-pkg::locator=app%40workspace%3A."
  languageName: node
  linkType: soft
"""
    )
    result = read_file(lock)
    components = by_ref(result)
    assert set(components) == {"tool@1.0.0", "private-pkg@2.0.1"}
    assert components["tool@1.0.0"].repository == "https://github.com/example/tool"
    assert components["tool@1.0.0"].properties["vcs_commit"] == "0123456789abcdef0123456789abcdef01234567"
    assert (
        components["private-pkg@2.0.1"].properties["resolved"] == "https://npm.corp.example.com/private-pkg-2.0.1.tgz"
    )
    assert refs(result, direct=True) == {"tool@1.0.0", "private-pkg@2.0.1"}


def test_invalid_berry_yaml_names_the_line(tmp_path):
    error = read_error(tmp_path / "yarn.lock", '__metadata:\n  version: 8\n\n"a@npm:1.0.0":\n  version: [1.0.0\n')
    assert error.line is not None and "invalid YAML" in error.message


def test_cli_scan_of_a_yarn_project_directory(cli):
    run = cli("scan", str(NPM / "yarn-berry"), "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    report = run.json()
    lock = [(s["format"], s["components"]) for s in report["sources"] if Path(s["path"]).name == "yarn.lock"]
    assert lock == [("yarn-berry-lock", 14)]
    react_dom = next(c for c in report["components"] if c["purl"] == "pkg:npm/react-dom@18.2.0")
    assert react_dom["direct"] is True


# --- the YAML loader both readers use -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture", ["pnpm-v5/pnpm-lock.yaml", "pnpm-v6/pnpm-lock.yaml", "pnpm-v9/pnpm-lock.yaml", "yarn-berry/yarn.lock"]
)
def test_event_loader_builds_what_pyyaml_builds(fixture):
    import yaml

    from depscan.ingest.base import InputFile
    from depscan.ingest.yaml_events import load_all

    source = InputFile.open(NPM / fixture)
    assert load_all(source) == list(yaml.load_all(source.text, Loader=yaml.BaseLoader))


def test_yaml_aliases_are_refused(tmp_path):
    error = read_error(
        tmp_path / "pnpm-lock.yaml", "lockfileVersion: '9.0'\nimporters: &all\n  .: {}\npackages:\n  a@1.0.0: *all\n"
    )
    assert error.line == 5 and "alias" in error.message


def test_yarn_workspace_globs_skip_installed_packages(tmp_path):
    (tmp_path / "package.json").write_text('{"private": true, "workspaces": ["packages/**"]}')
    for folder, dependency in (("packages/a", "left"), ("packages/a/node_modules/x", "right")):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "package.json").write_text(f'{{"dependencies": {{"{dependency}": "^1.0.0"}}}}')
    (tmp_path / "yarn.lock").write_text(
        '# yarn lockfile v1\n\nleft@^1.0.0:\n  version "1.0.0"\n\nright@^1.0.0:\n  version "1.0.0"\n'
    )
    result = read_file(tmp_path / "yarn.lock")
    assert refs(result, direct=True) == {"left@1.0.0"}
    assert refs(result, direct=None) == {"right@1.0.0"}
