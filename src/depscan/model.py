"""The plain data every step shares: ingest fills `Component`, resolve adds
`License` and `VendorMatch`, policy adds `Finding`s, report reads `ScanResult`.

No I/O here, and no behaviour beyond small derived properties, so that every
step can be tested with hand-built values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("library", "sdk", "service", "infrastructure", "tooling", "registry")
SEVERITIES = ("info", "low", "medium", "high", "critical")
LICENSE_CATEGORIES = (
    "permissive",
    "weak-copyleft",
    "strong-copyleft",
    "network-copyleft",
    "public-domain",
    "free-restricted",  # ScanCode LicenseDB "Free Restricted": free of charge, use restricted (not open source)
    "source-available",
    "proprietary",
    "unknown",
)


def severity_rank(severity: str) -> int:
    """Order severities so that `--fail-on` can compare them."""
    return SEVERITIES.index(severity)


@dataclass(slots=True, frozen=True)
class Location:
    """Where a component was found: the input file and, when known, the line."""

    path: str
    line: int | None = None


@dataclass(slots=True)
class License:
    """A declared licence, normalised and classified."""

    expression: str | None  # normalised SPDX expression, None when nothing usable was declared
    category: str  # one of LICENSE_CATEGORIES
    open_source: bool | None  # None when unknown
    declared: tuple[str, ...] = ()  # the raw strings as found in the input
    evidence: str = ""
    basis: str = ""  # which licence databases classify each id (ScanCode LicenseDB, SPDX OSI/FSF flags)


@dataclass(slots=True)
class Vendor:
    """One record of the vendor database, as written in `vendor_db/vendors/<id>.toml`."""

    id: str
    name: str
    type: str
    country: str
    reviewed: str
    confidence: str
    aliases: tuple[str, ...] = ()
    hq_country: str | None = None
    legal_entity: bool = True  # False: a community with no legal person a law could compel
    parent: str | None = None
    laws: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    eu_alternatives: tuple[str, ...] = ()
    website: str | None = None
    notes: str | None = None
    sources: tuple[dict[str, str], ...] = ()
    certifications: tuple[dict[str, str], ...] = ()
    matches: tuple[dict[str, Any], ...] = ()


@dataclass(slots=True)
class VendorMatch:
    """Who controls a component, and why depscan thinks so."""

    id: str
    name: str
    # where the ultimate controller is effectively run (its headquarters, else its seat);
    # None when it is a community or an individual: no legal person a law could compel
    country: str | None
    eu: bool | None  # whether that country is in the EU/EEA; None with no jurisdiction
    controller: str  # id of the ultimate controller
    controller_name: str
    laws: tuple[str, ...]
    evidence: str  # e.g. "purl prefix pkg:npm/%40aws-sdk/"
    match_key: str  # the key type that matched, e.g. "purl_prefix"
    kind: str  # the dependency kind the matching rule implies
    chain: tuple[str, ...] = ()  # vendor ids from the matched vendor up to the controller
    confidence: str = "high"
    certifications: tuple[str, ...] = ()
    eu_alternatives: tuple[str, ...] = ()
    seat_country: str | None = None  # the ultimate controller's legal seat, shown beside `country`
    controller_type: str = "company"  # company, foundation, public-body, community, individual
    legal_entity: bool = True  # False: community or individual, no jurisdiction
    sources: tuple[dict[str, str], ...] = ()  # the vendor records' sources along the chain, for evidence
    reviewed: str | None = None  # the oldest review date along the chain

    @property
    def publisher_label(self) -> str:
        """How a report names the controller's jurisdiction: its country, or what it is when it has none."""
        if not self.legal_entity:
            return f"{self.controller_type}, no country"
        if self.country and self.seat_country and self.seat_country != self.country:
            return f"{self.country} (seat {self.seat_country})"
        return self.country or "unknown"


@dataclass(slots=True, frozen=True)
class Publisher:
    """Who publishes a component when no vendor record claims it: known, but with no jurisdiction to give.

    The npm index (`vendor_db/npm_publishers.tsv.gz`) names the repository owner of
    most npm packages; an owner that no vendor record claims is reported as is.
    """

    name: str  # e.g. "github.com/sindresorhus"
    evidence: str


@dataclass(slots=True)
class Component:
    """One dependency as read from an input, later resolved."""

    name: str
    version: str | None = None
    purl: str | None = None
    ecosystem: str | None = None  # purl type (pypi, npm, maven...) or a pseudo-type (docker, github-action)
    kind: str = "library"
    declared_licenses: list[str] = field(default_factory=list)
    suppliers: list[str] = field(default_factory=list)  # supplier, publisher, manufacturer, author names
    repository: str | None = None  # source repository URL
    image: str | None = None  # container image reference
    action: str | None = None  # GitHub Action owner/name@ref
    terraform_provider: str | None = None  # namespace/name
    endpoints: list[str] = field(default_factory=list)  # service URLs or hosts
    direct: bool | None = None  # None when the input does not say
    scope: str | None = None  # "dev", "optional"... when the input says
    introduced_by: list[str] = field(default_factory=list)  # ids of direct dependencies that pull this one in
    sources: list[Location] = field(default_factory=list)
    bom_ref: str | None = None  # the input's own identifier, for dependency graphs
    properties: dict[str, Any] = field(default_factory=dict)
    # filled by resolve
    license: License | None = None
    vendor: VendorMatch | None = None
    # the hosted service or infrastructure the component drives when its controller is not the
    # component's vendor: hashicorp/aws is HashiCorp's code and implies AWS; an OpenStack provider
    # whose auth_url is on ovh.net implies OVHcloud without being OVHcloud's code
    implies: VendorMatch | None = None
    publisher: Publisher | None = None  # set only when `vendor` is None and the publisher is still known
    level: int | None = None
    level_reason: str = ""  # a depscan.i18n.Text when the policy set it: English as a str, translatable in reports

    @property
    def id(self) -> str:
        """Stable identity used to merge the same component found in several places."""
        if self.purl:
            return self.purl
        prefix = f"{self.ecosystem}:" if self.ecosystem else ""
        return f"{prefix}{self.name}@{self.version}" if self.version else f"{prefix}{self.name}"


@dataclass(slots=True)
class Finding:
    """A rule that fired on a component."""

    rule: str
    severity: str
    component: str  # Component.id
    message: str
    title: str = ""
    remediation: str = ""
    exempted: bool = False
    exemption_reason: str | None = None
    exemption: int | None = None  # number of the exemption that applied, in ScanResult.exemptions
    fingerprint: str = ""  # stable across line moves and upgrades (policy.baseline); SARIF and baselines use it
    baseline: bool = False  # already in the baseline report: shown, but neither failing nor uploaded
    #: the words the rule's message and remediation were filled with, so that a report can say them in
    #: another language from the rule's translated templates (never in the JSON report)
    values: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class SourceInfo:
    """One input file and what came out of it."""

    path: str
    format: str | None
    components: int = 0
    error: str | None = None
    line: int | None = None
    warnings: list[InputWarning] = field(default_factory=list)  # what was read but could not be used


@dataclass(slots=True)
class ScanResult:
    """Everything a report needs, and nothing it has to compute."""

    components: list[Component]
    findings: list[Finding]
    sources: list[SourceInfo]
    ruleset: str = "default"
    fail_on: str = "high"
    summary: dict[str, Any] = field(default_factory=dict)
    rules: list[Any] = field(default_factory=list)  # the rule set's rules (policy.rules.Rule), for reports to describe
    exemptions: list[dict[str, Any]] = field(default_factory=list)  # each exemption with its status and count
    database: dict[str, Any] = field(default_factory=dict)  # the vendor database's digest and review range

    @property
    def errors(self) -> list[SourceInfo]:
        return [s for s in self.sources if s.error]

    @property
    def warnings(self) -> list[tuple[SourceInfo, InputWarning]]:
        """Every input warning with its source, in the order of the sources."""
        return [(s, w) for s in self.sources for w in s.warnings]


@dataclass(slots=True, frozen=True)
class InputWarning:
    """Something an input holds that depscan could not use (an entry of the wrong type, an include outside the
    scanned directory, a duplicate key): reported with its source, so that no scan drops anything silently."""

    message: str
    line: int | None = None
    path: str | None = None  # the file it is about, when not the source itself (an included file)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.path and self.line else (self.path or "")
        if not self.path and self.line:
            where = f"line {self.line}"
        return f"{where}: {self.message}" if where else self.message
