"""Read inputs into components: detect each file's format by content, then call its reader.

Adding a format is one module with a `Reader` subclass plus one line in
`READERS`. Order matters only between readers whose sniffing could overlap:
the structured formats come before the line-based requirements reader.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from depscan.errors import InputError, OwnReport, UnrecognisedFormat
from depscan.ingest.base import InputFile, Reader, ReadResult, reading_under
from depscan.ingest.dotnet.msbuild import MsbuildProjectReader, PackagesConfigReader
from depscan.ingest.dotnet.nuget_lock import NugetLockReader
from depscan.ingest.go.gomod import GoModReader, GoSumReader
from depscan.ingest.graph import mark_direct
from depscan.ingest.infra.compose import ComposeReader
from depscan.ingest.infra.dockerfile import DockerfileReader
from depscan.ingest.infra.github_actions import GitHubActionsReader
from depscan.ingest.infra.gitlab_ci import GitLabCiReader
from depscan.ingest.infra.helm import HelmChartReader, HelmValuesReader
from depscan.ingest.infra.kubernetes import KubernetesReader
from depscan.ingest.infra.terraform import TerraformLockReader, TerraformReader
from depscan.ingest.java.maven import GradleLockReader, PomReader
from depscan.ingest.javascript.npm_config import NpmrcReader, YarnrcYmlReader
from depscan.ingest.javascript.npm_lock import NpmLockReader
from depscan.ingest.javascript.package_json import PackageJsonReader
from depscan.ingest.javascript.pnpm_lock import PnpmLockReader
from depscan.ingest.javascript.yarn_lock import YarnBerryLockReader, YarnClassicLockReader
from depscan.ingest.own_reports import own_report
from depscan.ingest.php.composer_json import ComposerJsonReader
from depscan.ingest.php.composer_lock import ComposerLockReader
from depscan.ingest.python.pdm_lock import PdmLockReader
from depscan.ingest.python.pipfile import PipfileReader
from depscan.ingest.python.pipfile_lock import PipfileLockReader
from depscan.ingest.python.poetry_lock import PoetryLockReader
from depscan.ingest.python.pylock import PylockReader
from depscan.ingest.python.pyproject import PyprojectReader
from depscan.ingest.python.requirements import RequirementsReader
from depscan.ingest.python.uv_lock import UvLockReader
from depscan.ingest.redact import safe_text, scrub
from depscan.ingest.ruby.gemfile_lock import GemfileLockReader
from depscan.ingest.rust.cargo_lock import CargoLockReader
from depscan.ingest.rust.cargo_toml import CargoTomlReader
from depscan.ingest.sbom.cyclonedx_json import CycloneDxJsonReader
from depscan.ingest.sbom.cyclonedx_xml import CycloneDxXmlReader
from depscan.ingest.sbom.spdx3_json import Spdx3JsonReader
from depscan.ingest.sbom.spdx_json import SpdxJsonReader
from depscan.ingest.sbom.spdx_tagvalue import SpdxTagValueReader
from depscan.ingest.sbom.spdx_yaml import SpdxYamlReader
from depscan.model import InputWarning

READERS: tuple[Reader, ...] = (
    CycloneDxJsonReader(),
    SpdxJsonReader(),
    Spdx3JsonReader(),
    NpmLockReader(),
    ComposerJsonReader(),
    ComposerLockReader(),
    NugetLockReader(),
    PipfileLockReader(),
    PackageJsonReader(),
    PoetryLockReader(),
    UvLockReader(),
    PdmLockReader(),
    PylockReader(),
    PyprojectReader(),
    PipfileReader(),
    PnpmLockReader(),
    YarnBerryLockReader(),
    YarnClassicLockReader(),
    NpmrcReader(),
    YarnrcYmlReader(),
    CargoLockReader(),
    CargoTomlReader(),
    CycloneDxXmlReader(),
    PomReader(),
    MsbuildProjectReader(),
    PackagesConfigReader(),
    SpdxTagValueReader(),
    SpdxYamlReader(),
    GoModReader(),
    GoSumReader(),
    GradleLockReader(),
    GemfileLockReader(),
    GitHubActionsReader(),
    GitLabCiReader(),
    ComposeReader(),
    HelmChartReader(),
    HelmValuesReader(),
    KubernetesReader(),
    TerraformLockReader(),
    TerraformReader(),
    DockerfileReader(),
    RequirementsReader(),
)

#: directories never searched: VCS metadata, installed dependencies, virtualenvs, caches, vendored trees
SKIPPED_DIRECTORIES = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".venv",
    "venv",
    "env",
    ".env",
    ".tox",
    ".nox",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "site-packages",
    "vendor",
    "third_party",
    ".terraform",
    "bower_components",
    "jspm_packages",
    "target",
    "build",
    "dist",
}

__all__ = ["READERS", "InputFile", "ReadResult", "Reader", "Skipped", "discover", "read_file", "supported_formats"]


def supported_formats() -> list[str]:
    return [reader.format for reader in READERS]


def detect(source: InputFile) -> Reader:
    """The reader for `source`, judged by content; InputError when none fits."""
    if not source.data.strip():
        raise source.error("empty file")
    if source.is_binary:
        raise source.error("binary file, not an SBOM or lockfile")
    for reader in READERS:
        try:
            if reader.sniff(source):
                return reader
        except RecursionError:
            raise source.error(f"document nested too deeply to read (sniffing it as {reader.format})") from None
    raise UnrecognisedFormat(source.display, f"unrecognised format (depscan reads: {', '.join(supported_formats())})")


def read_file(
    path: Path, display: str | None = None, root: Path | None = None, skip_own_reports: bool = False
) -> ReadResult:
    """Read one file; raise InputError, never anything else, when it cannot be read.

    Every file it opens besides `path` (includes, manifests beside a lock) must lie under `root`: the directory
    the user named, or by default the directory of `path`. What the reader could not use becomes `warnings`.
    With `skip_own_reports` (a file a directory search found), a report depscan wrote raises OwnReport.
    """
    with reading_under(root if root is not None else path.absolute().parent) as context:
        try:
            result = _read(path, display, skip_own_reports)
        except InputError as exc:
            raise type(exc)(safe_text(exc.path), safe_text(exc.message), exc.line) from None
        mark_direct(result)
        scrub(result.components)
        shown = display or str(path)
        result.warnings = [
            InputWarning(safe_text(w.message), w.line, None if w.path in (None, shown) else safe_text(w.path))
            for w in context.warnings
        ]
    return result


def _read(path: Path, display: str | None, skip_own_reports: bool = False) -> ReadResult:
    source = InputFile.open(path, display)
    if skip_own_reports:
        kind = own_report(source)
        if kind is not None:
            raise OwnReport(source.display, f"a {kind} depscan wrote: not read as input")
    reader = detect(source)
    try:
        return reader.read(source)
    except InputError:
        raise
    except (RecursionError, MemoryError):
        raise source.error("document nested too deeply to read") from None
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        # a reader bug or an input shape it did not expect: still one line, naming the file
        raise source.error(f"could not read as {reader.format}: {type(exc).__name__}: {exc}") from None


@dataclass(frozen=True)
class Discovered:
    path: Path
    display: str
    root: str | None = None  # the directory the user named, when found by searching it


@dataclass(frozen=True)
class Skipped:
    """Something a directory search passed over that the user should hear about (a symlink out, an unreadable
    folder): a warning of the scan, never a silent skip."""

    path: str
    message: str


#: written into every `--output-dir`: a later scan of the project does not read depscan's own reports
OUTPUT_MARKER = ".depscan-output"


def _matches_any(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


def _is_candidate(relative: str, name: str) -> bool:
    """Whether a file name (or, for patterns with a folder, its path) is one a reader claims.

    `relative` is the path from the scanned directory, prefixed with the directory as given, so that a scan of
    `.github/workflows` itself still matches `.github/workflows/*.yml`.
    """
    lowered_name, lowered_path = name.lower(), relative.lower()
    for reader in READERS:
        for pattern in (p.lower() for p in reader.filenames):
            if "/" in pattern:
                if fnmatch.fnmatch(lowered_path, pattern) or fnmatch.fnmatch(lowered_path, "*/" + pattern):
                    return True
            elif fnmatch.fnmatch(lowered_name, pattern):
                return True
    return False


def claims_by_name(relative: str, name: str) -> bool:
    """Whether a reader claims this file by a specific name (`bom.json`, `*.cdx.json`, `poetry.lock`), not only by
    its folder and extension (`requirements/*.txt` also holds a README): content it cannot read is then worth a
    warning."""
    lowered_name, lowered_path = name.lower(), relative.lower()
    for reader in READERS:
        for pattern in (p.lower() for p in reader.filenames):
            leaf = pattern.rsplit("/", 1)[-1]
            if leaf.startswith("*.") and leaf.count(".") == 1:
                continue
            if "/" in pattern:
                if fnmatch.fnmatch(lowered_path, "*/" + pattern) or fnmatch.fnmatch(lowered_path, pattern):
                    return True
            elif fnmatch.fnmatch(lowered_name, pattern):
                return True
    return False


def discover(paths: list[str], exclude: tuple[str, ...] = ()) -> Iterator[Discovered | InputError | Skipped]:
    """Expand the user's paths: files as given, directories searched for supported file names."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = False
            for item in _walk(path, exclude):
                if isinstance(item, Skipped):
                    yield item
                    continue
                found = True
                yield Discovered(item, str(item), root=given)
            if not found:
                yield InputError(given, "no supported SBOM or lockfile found in this directory")
        elif path.exists():
            yield Discovered(path, given)
        else:
            yield InputError(given, "no such file or directory")


def _walk(root: Path, exclude: tuple[str, ...]) -> Iterator[Path | Skipped]:
    resolved_root = root.resolve()
    # the folder as the user sees it, so that `.github/workflows` matches patterns that name that folder
    shown_root = resolved_root.as_posix()
    problems: list[OSError] = []
    for directory, subdirectories, files in os.walk(root, onerror=problems.append):
        while problems:
            failed = problems.pop()
            yield Skipped(str(failed.filename or directory), f"folder not searched: {failed.strerror or failed}")
        if OUTPUT_MARKER in files and Path(directory) != root:
            subdirectories[:] = []
            continue  # a folder of reports depscan wrote: never read back as input
        subdirectories[:] = sorted(
            d
            for d in subdirectories
            if d not in SKIPPED_DIRECTORIES
            and not _matches_any(os.path.relpath(os.path.join(directory, d), root), exclude)
            and not _matches_any(d, exclude)
        )
        for name in sorted(files):
            full = os.path.join(directory, name)
            relative = os.path.relpath(full, root)
            if _matches_any(relative, exclude) or _matches_any(name, exclude):
                continue
            if not _is_candidate(f"{shown_root}/{relative.replace(os.sep, '/')}", name):
                continue
            if os.path.islink(full):
                try:
                    target = Path(full).resolve()
                except (OSError, RuntimeError):
                    yield Skipped(full, "symbolic link that cannot be resolved: not read")
                    continue
                if not (target == resolved_root or target.is_relative_to(resolved_root)):
                    yield Skipped(full, "symbolic link to a file outside the scanned directory: not read")
                    continue
            yield Path(full)
    while problems:
        failed = problems.pop()
        yield Skipped(str(failed.filename or root), f"folder not searched: {failed.strerror or failed}")
