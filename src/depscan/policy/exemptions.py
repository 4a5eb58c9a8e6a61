"""Exemptions: findings an organisation accepts, with a reason, an approver and an end date.

The file is TOML, one `[[exemption]]` table per entry::

    [[exemption]]
    rule = "extra-eu-sdk"                 # a rule id, or "*" for any rule
    purl = "pkg:npm/%40aws-sdk/*"         # a glob over the purl without version
    vendor = "aws"                        # a vendor id (matches the whole chain up to the controller)
    kind = "tooling"                      # a component kind (library, sdk, service, infrastructure, tooling, registry)
    component = "github-runner:*"         # a glob over the component id (as the JSON report gives it)
    reason = "S3 holds only public assets; migration to OVHcloud planned for Q3"
    expires = 2026-09-30                  # last day the exemption applies (or "2026-09-30")
    approved_by = "RSSI, J. Martin"

At least one of rule, purl, vendor, kind and component; all given must match.
Components without a purl (hosted CI runners, services) are exempted by
`component` or `kind`. An exempted
finding stays in the report (`exempted`, `exemption_reason`) and does not
count for --fail-on. After `expires` the exemption no longer applies and is
reported as expired; one that matches nothing is reported as stale, so that
the file does not silently accumulate entries nobody needs.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from depscan import _toml, purls
from depscan.errors import ConfigError
from depscan.model import KINDS, Component, Finding

_FIELDS = {"rule", "purl", "vendor", "kind", "component", "reason", "expires", "approved_by"}
_SELECTORS = ("rule", "purl", "vendor", "kind", "component")
_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*exemption[ \t]*\]\]", re.MULTILINE)


@dataclass
class Exemption:
    """One `[[exemption]]` entry and, after `apply`, what it did."""

    number: int  # position in the file, from 1
    line: int | None
    origin: str  # the file, as given
    rule: str | None  # None for "*"
    purl: str | None  # the glob as written
    vendor: str | None
    reason: str
    expires: dt.date
    approved_by: str
    kind: str | None = None
    component: str | None = None  # glob over Component.id
    _purl_regex: re.Pattern[str] | None = field(default=None, repr=False)
    _purl_prefix: str = field(default="", repr=False)
    status: str = ""  # applied, expired or stale, set by apply()
    matches: int = 0  # findings matched (exempted when applied; that would have been exempted when expired)

    def matches_component(self, component: Component) -> bool:
        if self.kind is not None and component.kind != self.kind:
            return False
        if self.component is not None and not fnmatch.fnmatchcase(component.id.lower(), self.component.lower()):
            return False
        if self.vendor is not None:
            vendor = component.vendor
            if vendor is None or self.vendor not in (vendor.id, vendor.controller, *vendor.chain):
                return False
        if self._purl_regex is not None:
            base = purls.split(component.purl)[0] if component.purl else None
            if base is None or not base.startswith(self._purl_prefix) or not self._purl_regex.match(base):
                return False
        return True

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "file": self.origin,
            "line": self.line,
            "rule": self.rule or "*",
            "purl": self.purl,
            "vendor": self.vendor,
            "kind": self.kind,
            "component": self.component,
            "reason": self.reason,
            "expires": self.expires.isoformat(),
            "approved_by": self.approved_by,
            "status": self.status,
            "matches": self.matches,
        }


def load(path: str | Path) -> list[Exemption]:
    """Read and check an exemptions file; every problem is reported at once, as a ConfigError."""
    origin = str(path)
    try:
        text = _toml.read_config_text(Path(path))
    except _toml.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{origin}: cannot read exemptions: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{origin}: exemptions file is not UTF-8: {exc}") from None
    try:
        document = _toml.loads_config(text)
    except _toml.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: invalid TOML: {exc}") from None
    unknown = set(document) - {"exemption"}
    problems: list[str] = []
    if unknown:
        problems.append(f"{origin}: unknown top-level key(s): {', '.join(sorted(unknown))} (expected [[exemption]])")
    entries = document.get("exemption", [])
    if not isinstance(entries, list):
        problems.append(f"{origin}: 'exemption' must be an array of tables ([[exemption]])")
        entries = []
    lines = [text.count("\n", 0, m.start()) + 1 for m in _HEADER.finditer(text)]
    exemptions = []
    for number, raw in enumerate(entries, start=1):
        line = lines[number - 1] if len(lines) == len(entries) else None
        exemption = _parse(problems, origin, number, line, raw)
        if exemption is not None:
            exemptions.append(exemption)
    if problems:
        raise ConfigError("\n".join(problems))
    return exemptions


def _parse(problems: list[str], origin: str, number: int, line: int | None, raw: Any) -> Exemption | None:
    where = f"{origin}:{line}" if line else origin
    where += f": exemption #{number}"
    if not isinstance(raw, dict):
        problems.append(f"{where}: not a table")
        return None
    before = len(problems)
    extra = set(raw) - _FIELDS
    if extra:
        problems.append(f"{where}: unknown field(s): {', '.join(sorted(extra))}")
    for name in (*_SELECTORS, "reason", "approved_by"):
        if name in raw and (not isinstance(raw[name], str) or not raw[name].strip()):
            problems.append(f"{where}: {name} must be a non-empty string")
    if not any(isinstance(raw.get(name), str) and raw[name].strip() for name in _SELECTORS):
        problems.append(f"{where}: give at least one of {', '.join(_SELECTORS)}")
    if isinstance(raw.get("kind"), str) and raw["kind"].strip() and raw["kind"].strip() not in KINDS:
        problems.append(f"{where}: kind {raw['kind']!r} is not one of {', '.join(KINDS)}")
    for name in ("reason", "approved_by"):
        if name not in raw:
            problems.append(f"{where}: {name} is required")
    expires = _date(raw.get("expires"))
    if expires is None:
        problems.append(f"{where}: expires must be a date, YYYY-MM-DD (got {raw.get('expires')!r})")
    regex, prefix = None, ""
    purl = raw.get("purl")
    if isinstance(purl, str) and purl.strip():
        compiled = _purl_glob(purl.strip())
        if isinstance(compiled, str):
            problems.append(f"{where}: purl {purl!r}: {compiled}")
        else:
            regex, prefix = compiled
    if len(problems) > before:
        return None
    assert expires is not None
    rule = raw.get("rule", "").strip() or None
    return Exemption(
        number=number,
        line=line,
        origin=origin,
        rule=None if rule == "*" else rule,
        purl=purl.strip() if isinstance(purl, str) else None,
        vendor=raw.get("vendor", "").strip() or None,
        reason=raw["reason"].strip(),
        expires=expires,
        approved_by=raw["approved_by"].strip(),
        kind=raw.get("kind", "").strip() or None,
        component=raw.get("component", "").strip() or None,
        _purl_regex=regex,
        _purl_prefix=prefix,
    )


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None  # a date and time is not what the format asks for
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _purl_glob(pattern: str) -> tuple[re.Pattern[str], str] | str:
    """Compile a purl glob to match canonical purl bases (lowercase, npm scope as %40); or say what is wrong."""
    if not pattern.lower().startswith("pkg:"):
        return "a purl glob starts with pkg:"
    canonical = purls.canonical_base(pattern) or pattern.lower()
    if "@" in canonical:
        return "globs match the purl without its version: remove the @version part"
    if "?" in pattern.split("/", 1)[-1] and "=" in pattern:
        return "globs match the purl without its qualifiers: remove the ?qualifiers part"
    prefix = re.split(r"[*?\[]", canonical, maxsplit=1)[0]
    return re.compile(fnmatch.translate(canonical)), prefix


def apply(
    findings: list[Finding],
    components: dict[str, Component],
    exemptions: list[Exemption],
    today: dt.date,
) -> None:
    """Mark exempted findings and set each exemption's status and count, in place.

    When several exemptions match one finding, the first in the file gives the
    reason; each of them counts the match, so none is reported stale.
    """
    for exemption in exemptions:
        exemption.matches = 0
    cache: dict[str, list[Exemption]] = {}
    for finding in findings:
        candidates = cache.get(finding.component)
        if candidates is None:
            component = components.get(finding.component)
            candidates = [e for e in exemptions if component is not None and e.matches_component(component)]
            cache[finding.component] = candidates
        first: Exemption | None = None
        for exemption in candidates:
            if exemption.rule is not None and exemption.rule != finding.rule:
                continue
            exemption.matches += 1
            if first is None and exemption.expires >= today:
                first = exemption
        if first is not None:
            finding.exempted = True
            finding.exemption_reason = first.reason
            finding.exemption = first.number
    for exemption in exemptions:
        if exemption.expires < today:
            exemption.status = "expired"
        else:
            exemption.status = "applied" if exemption.matches else "stale"
