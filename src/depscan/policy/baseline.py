"""Stable finding fingerprints, and baselines: what a change adds is what fails, not what was already there.

A finding's fingerprint is the one code scanning already keeps its alerts by (SARIF
`partialFingerprints`): the rule, the package without its version, and the file (relative to the
repository root) it was read from. It survives line moves and upgrades of the same package, and
it is the same on every machine that checks the repository out.

A baseline is an earlier JSON report (`depscan-report/1`). Its fingerprints are only comparable
with the current ones when the report used the same fingerprint scheme and the same rule set, so
any other baseline is refused rather than misread.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from depscan.errors import ConfigError
from depscan.model import Component, Finding, Location, ScanResult, severity_rank

#: the fingerprint scheme; a report says which one its findings use (key `fingerprints`)
FINGERPRINT_SCHEME = "depscanFinding/v1"
#: report schemas whose findings compare: 1.1 (issue 12) changed what a vendor's country means, not findings
REPORT_SCHEMAS = ("depscan-report/1", "depscan-report/1.1")


def without_version(component: Component) -> str:
    """The component's identity across upgrades: its purl without version, qualifiers and subpath."""
    if component.purl:
        return component.purl.split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[0]
    prefix = f"{component.ecosystem}:" if component.ecosystem else ""
    return f"{prefix}{component.name}"


def primary_location(component: Component) -> Location | None:
    """The first place the component was read from, preferring one with a line number."""
    with_line = [s for s in component.sources if s.line]
    return with_line[0] if with_line else (component.sources[0] if component.sources else None)


def relative_path(path: str, working_dir: str | None, base_dir: str | None) -> tuple[str, bool]:
    """`path` relative to `base_dir` (the repository root), with forward slashes, and whether it lies inside it.

    Paths outside the repository come back absolute. Without a base directory, the path is only normalised.
    """
    if all(d is None or os.path.isabs(d) for d in (working_dir, base_dir)):
        return _relative_path_cached(path, working_dir, base_dir)  # no dependence on the current directory
    return _relative_path(path, working_dir, base_dir)


@lru_cache(maxsize=4096)
def _relative_path_cached(path: str, working_dir: str | None, base_dir: str | None) -> tuple[str, bool]:
    """Every finding asks for its file's path, and a large SBOM is one file: 0.4 s of a 100,000-component scan."""
    return _relative_path(path, working_dir, base_dir)


def _relative_path(path: str, working_dir: str | None, base_dir: str | None) -> tuple[str, bool]:
    normalised = path.replace("\\", "/")
    if base_dir is None:
        return (normalised[2:] if normalised.startswith("./") else normalised), not os.path.isabs(normalised)
    start = working_dir or base_dir
    absolute = os.path.normpath(normalised if os.path.isabs(normalised) else os.path.join(start, normalised))
    relative = os.path.relpath(absolute, base_dir)
    if relative == ".." or relative.startswith(".." + os.sep) or os.path.isabs(relative):
        return absolute.replace(os.sep, "/"), False
    return relative.replace(os.sep, "/"), True


def fingerprint(*parts: str) -> str:
    """A stable hex digest of identifying parts (NUL-joined so that parts cannot run into each other)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


def unique_fingerprints(keys: Sequence[tuple[str, ...]]) -> list[str]:
    """One fingerprint per key; repeated keys (two versions of one package in one file) get an occurrence suffix."""
    seen: dict[str, int] = defaultdict(int)
    prints = []
    for key in keys:
        base = fingerprint(*key)
        seen[base] += 1
        prints.append(base if seen[base] == 1 else f"{base}:{seen[base]}")
    return prints


def fingerprints_of(result: ScanResult, working_dir: str | None, base_dir: str | None) -> dict[int, str]:
    """Fingerprint of every finding (keyed by `id(finding)`): the ones already assigned, else computed.

    Computed over all findings in the policy's order (most severe first, then rule, then component),
    so that a finding keeps its fingerprint whether or not another one is exempted or filtered out.
    """
    if result.findings and all(f.fingerprint for f in result.findings):
        return {id(f): f.fingerprint for f in result.findings}
    components = {c.id: c for c in result.components}
    ordered = sorted(result.findings, key=lambda f: (-_rank(f.severity), f.rule, f.component))
    keys = []
    for finding in ordered:
        component = components.get(finding.component)
        location = primary_location(component) if component else None
        path = relative_path(location.path, working_dir, base_dir)[0] if location else ""
        keys.append((finding.rule, without_version(component) if component else finding.component, path))
    return {id(f): p for f, p in zip(ordered, unique_fingerprints(keys), strict=True)}


def assign_fingerprints(result: ScanResult, working_dir: str | None, base_dir: str | None) -> None:
    """Give each finding its stable fingerprint (the policy step does this once; reports only read it)."""
    prints = fingerprints_of(result, working_dir, base_dir)
    for finding in result.findings:
        finding.fingerprint = prints[id(finding)]


@dataclass(frozen=True)
class Baseline:
    """The fingerprints of an earlier report's findings, with what makes them comparable."""

    path: str
    ruleset: str
    fingerprints: frozenset[str]
    tool_version: str = ""


def load(path: str | Path) -> Baseline:
    """Read a JSON report as a baseline; ConfigError (exit 2) when it cannot be one."""
    report = read_report(path)
    prints = frozenset(
        f["fingerprint"] for f in report.get("findings", []) if isinstance(f, dict) and f.get("fingerprint")
    )
    return Baseline(
        path=str(path),
        ruleset=str(report.get("ruleset") or ""),
        fingerprints=prints,
        tool_version=str((report.get("tool") or {}).get("version") or ""),
    )


def read_report(path: str | Path) -> dict[str, Any]:
    """A depscan JSON report whose findings carry fingerprints of this scheme; ConfigError otherwise."""
    import orjson

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the report: {exc.strerror or exc}") from None
    try:
        report = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not a depscan JSON report (invalid JSON: {exc})") from None
    if not isinstance(report, dict) or not isinstance(report.get("schema"), str):
        raise ConfigError(f"{path}: not a depscan JSON report (no `schema`; write one with --format json)")
    if report["schema"] not in REPORT_SCHEMAS:
        expected = " or ".join(repr(schema) for schema in REPORT_SCHEMAS)
        raise ConfigError(f"{path}: report schema {report['schema']!r} is not {expected}: cannot compare")
    scheme = report.get("fingerprints")
    version = (report.get("tool") or {}).get("version") if isinstance(report.get("tool"), dict) else None
    if scheme != FINGERPRINT_SCHEME:
        written = f"written by depscan {version}" if version else "written by another depscan"
        what = "without finding fingerprints" if scheme is None else f"with fingerprints {scheme!r}"
        raise ConfigError(
            f"{path}: report {written} {what}; this depscan compares {FINGERPRINT_SCHEME!r}: "
            "write the baseline again with this version"
        )
    if not isinstance(report.get("findings"), list) or not isinstance(report.get("components"), list):
        raise ConfigError(f"{path}: not a depscan JSON report (no `findings` or `components` list)")
    return report


def check_ruleset(baseline: Baseline, ruleset_id: str) -> None:
    """Findings of another rule set are other findings: refuse rather than fail or pass on a mismatch."""
    if baseline.ruleset != ruleset_id:
        raise ConfigError(
            f"{baseline.path}: baseline was made with rule set {baseline.ruleset or 'unknown'!r}, "
            f"this scan uses {ruleset_id!r}: scan the baseline again with the same --rules"
        )


def apply(result: ScanResult, baseline: Baseline) -> int:
    """Mark the findings already in the baseline, and count only the others as failing; returns how many."""
    marked = 0
    for finding in result.findings:
        finding.baseline = finding.fingerprint in baseline.fingerprints
        marked += finding.baseline
    result.summary["baseline_findings"] = marked
    result.summary["failing_findings"] = sum(1 for f in result.findings if is_failing(f, result.fail_on))
    result.summary["baseline"] = {"path": baseline.path, "findings": len(baseline.fingerprints)}
    return marked


def is_failing(finding: Finding, fail_on: str) -> bool:
    """Whether this finding alone fails the build: not exempted, not in the baseline, at or above `fail_on`."""
    if finding.exempted or finding.baseline or fail_on == "none":
        return False
    return _rank(finding.severity) >= _rank(fail_on)


def at_least(findings: Iterable[Finding], min_severity: str) -> list[Finding]:
    """The findings a code-scanning upload shows: not exempted, not in the baseline, at or above `min_severity`."""
    floor = _rank(min_severity)
    return [f for f in findings if not f.exempted and not f.baseline and _rank(f.severity) >= floor]


_rank = severity_rank
