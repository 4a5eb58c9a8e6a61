"""The manifests of the shared corpus (package.json, composer.json, Cargo.toml, .csproj, Pipfile, .yarnrc.yml,
requirements .in), and the corpus as a whole: every file reads, and a scan of it all reports each component once.

The counts were established without depscan: json / tomllib one-off scripts and
grep over each file (the method is noted per row), so a reader bug cannot
agree with itself.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from conftest import CORPUS, corpus_file
from depscan import purls
from depscan.ingest import read_file

if not CORPUS.exists():  # breadth only: the readers are covered by tests/fixtures on a plain clone
    pytest.skip("shared corpus not available (../shared/corpus)", allow_module_level=True)

# (corpus path, format, components, versioned, scope dev)
CASES = [
    # json: names of dependencies, optionalDependencies, peerDependencies and devDependencies (first field wins),
    # without file:/link:/workspace: ones; versioned: an exact x.y.z range; dev: first declared in devDependencies
    ("npm/package-lock-v1-typescript-node-starter/package.json", "npm-package-json", 63, 57, 41),
    ("npm/package-lock-v2-typescript-node-starter/package.json", "npm-package-json", 64, 57, 42),
    ("npm/package-lock-v3-warehouse/package.json", "npm-package-json", 49, 0, 33),
    ("npm/pnpm-v6-scaleway-cli-wasm/package.json", "npm-package-json", 4, 1, 4),
    ("npm/pnpm-v9-scaleway-cli-wasm/package.json", "npm-package-json", 6, 1, 6),
    # prettier depends on the released prettier: its own name is a registry package, kept
    ("npm/yarn-berry-v10-prettier/package.json", "npm-package-json", 149, 149, 59),
    ("npm/yarn-berry-v6-prettier/package.json", "npm-package-json", 120, 120, 44),
    ("npm/yarn-v1-symfony-demo/package.json", "npm-package-json", 27, 0, 27),  # 28 minus one file: folder
    # no npmRegistryServer: a valid configuration with no registry component
    ("npm/yarn-berry-v10-prettier/.yarnrc.yml", "yarnrc-yml", 0, 0, 0),
    ("npm/yarn-berry-v6-prettier/.yarnrc.yml", "yarnrc-yml", 0, 0, 0),
    # json: require + require-dev names with a '/' (platform packages have none); no exact constraint
    ("php/symfony-demo/composer.json", "composer-json", 47, 0, 13),
    # tomllib: [workspace.dependencies] holds mimalloc "0.1.48" (a caret requirement, not a pin)
    ("cargo/meilisearch/Cargo.toml", "cargo-toml", 1, 0, 0),
    # grep -c '<PackageReference': all Version="[x]" exact
    ("dotnet/bitwarden-server/src/Api/Api.csproj", "msbuild-project", 4, 4, 0),
    ("dotnet/bitwarden-server/src/Core/Core.csproj", "msbuild-project", 46, 46, 0),
    # tomllib: [packages] + [dev-packages]; versioned: '==' without a wildcard
    ("python/pipenv-examples/Pipfile", "pipfile", 6, 0, 1),
    ("python/pipenv/Pipfile", "pipfile", 27, 3, 26),
    # grep -cv '^\s*$': 79 requirement lines, none pinned, no comment lines
    ("python/warehouse/requirements/main.in", "pip-requirements", 79, 0, 0),
]


@pytest.mark.parametrize(("relative", "format_name", "count", "versioned", "dev"), CASES, ids=[c[0] for c in CASES])
def test_corpus_manifest_counts(relative, format_name, count, versioned, dev):
    result = read_file(corpus_file(relative))
    assert result.format == format_name
    assert len(result.components) == count
    assert len({c.bom_ref for c in result.components}) == count
    assert sum(1 for c in result.components if c.version) == versioned
    assert sum(1 for c in result.components if c.scope == "dev") == dev
    assert all(c.direct for c in result.components)  # a manifest declares direct dependencies
    assert all(c.sources[0].line for c in result.components)


def scan(cli, *paths: Path) -> dict:
    run = cli("scan", *map(str, paths), "-f", "json", "--fail-on", "none", "-q", "--no-installed")
    assert run.code in (0, 1), run.stderr
    # no error; warnings are allowed and must match the report (`${VAR}` image tags in the corpus, issue 11)
    assert not [line for line in run.stderr.splitlines() if not line.startswith("depscan: warning:")], run.stderr
    report = run.json()
    assert bool(any(s.get("warnings") for s in report["sources"])) == ("depscan: warning:" in run.stderr)
    return report


# folders with a manifest beside a lockfile: the folder reports exactly the lockfile's packages, each once, with
# the direct ones the lock and manifest tell (numbers of the lockfiles themselves: test_corpus_ecosystems and
# the JavaScript tests)
PAIRS = [
    ("npm/package-lock-v1-typescript-node-starter", "package-lock.json", None),
    ("npm/package-lock-v2-typescript-node-starter", "package-lock.json", None),
    ("npm/package-lock-v3-warehouse", "package-lock.json", None),
    ("npm/pnpm-v6-scaleway-cli-wasm", "pnpm-lock.yaml", None),
    ("npm/pnpm-v9-scaleway-cli-wasm", "pnpm-lock.yaml", None),
    ("npm/yarn-berry-v10-prettier", "yarn.lock", None),
    ("npm/yarn-berry-v6-prettier", "yarn.lock", None),
    ("npm/yarn-v1-symfony-demo", "yarn.lock", (642, 28)),
    ("php/symfony-demo", "composer.lock", (153, 47)),
    ("cargo/meilisearch", "Cargo.lock", (806, 164)),
    ("python/pipenv", "Pipfile.lock", None),
    ("python/pipenv-examples", "Pipfile.lock", None),
]


@pytest.mark.parametrize(("folder", "lock", "expected"), PAIRS, ids=[p[0] for p in PAIRS])
def test_corpus_manifest_beside_its_lock_reports_each_package_once(cli, folder, lock, expected):
    directory = corpus_file(folder)
    locked = {c.purl for c in read_file(directory / lock).components}
    locked_bases = {purls.split(purl or "")[0] for purl in locked}
    for manifest in (p for p in directory.iterdir() if p.name != lock and p.is_file()):
        for component in read_file(manifest).components:  # every declaration has a locked package to fold into
            assert purls.split(component.purl or "")[0] in locked_bases, (manifest.name, component.purl)
    found = [c for c in scan(cli, directory)["components"] if c["kind"] != "registry"]
    assert {c["id"] for c in found} == locked and len(found) == len(locked)
    if expected is not None:
        assert (len(found), sum(1 for c in found if c["direct"])) == expected


def _corpus_files() -> list[Path]:
    if not CORPUS.exists():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "MANIFEST.md")


CORPUS_FILES = _corpus_files()


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[str(p.relative_to(CORPUS)) for p in CORPUS_FILES])
def test_every_corpus_file_is_read(path):
    read_file(path)  # InputError (unrecognised, unreadable) would fail the test


def test_every_corpus_file_scans_without_error(cli):
    """Issue 4's done-when: each file named on the command line is read, exit code 0 or 1, nothing on stderr."""
    if not CORPUS_FILES:
        pytest.skip("shared corpus not available")
    report = scan(cli, *CORPUS_FILES)
    assert sorted(s["path"] for s in report["sources"]) == sorted(map(str, CORPUS_FILES))
    assert [s for s in report["sources"] if s.get("error") or s["format"] is None] == []


def test_whole_corpus_directory_scan_reports_each_component_once(cli):
    report = scan(cli, corpus_file("."))
    assert not [s for s in report["sources"] if s.get("error")]
    ids = collections.Counter(c["id"] for c in report["components"])
    assert [i for i, n in ids.items() if n > 1] == []
    # and no declaration stayed apart from the locked versions of the same package
    versioned = {purls.split(c["purl"])[0] for c in report["components"] if c.get("purl") and c["version"]}
    loose = [c["id"] for c in report["components"] if c.get("purl") and not c["version"]]
    assert [i for i in loose if purls.split(i)[0] in versioned] == []
