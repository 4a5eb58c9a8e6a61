"""The plain data of a portfolio audit: what the inventory declares, and what one application's scan sends back.

`ApplicationResult` is what travels from a worker process to the parent: the
scan summary and per-controller essentials, never whole `Component` objects,
so that a thousand applications cost a few megabytes of pickling, not
hundreds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: criticality scale, most critical first; "critical applications" are the first two
CRITICALITIES = ("critical", "high", "medium", "low")
CRITICAL = frozenset({"critical", "high"})

#: declared dependency roles -> the component kind they become in the application's result
ROLE_KINDS = {
    "hosting": "infrastructure",
    "infrastructure": "infrastructure",
    "services": "service",
    "identity": "service",
}


@dataclass(frozen=True, slots=True)
class Declared:
    """A dependency that no file shows: written in the inventory as a vendor id or name."""

    role: str  # a key of ROLE_KINDS
    value: str  # as written: a vendor id, a name or a domain
    region: str | None = None


@dataclass(slots=True)
class Application:
    """One `[[application]]` of the inventory (or one CSV row)."""

    name: str
    owner: str | None = None
    criticality: str | None = None
    data_sensitivity: str | None = None
    paths: tuple[str, ...] = ()
    declared: tuple[Declared, ...] = ()
    description: str | None = None
    line: int | None = None  # where the inventory declares it
    problems: tuple[str, ...] = ()  # entries that make it unscannable: reported as its error
    warnings: tuple[str, ...] = ()  # entries ignored (unknown fields): reported, the scan goes on

    @property
    def critical(self) -> bool:
        return self.criticality in CRITICAL


@dataclass(slots=True)
class Inventory:
    path: str  # as the user gave it
    base_dir: str  # absolute: application paths are relative to it
    name: str
    format: str  # "toml" or "csv"
    applications: list[Application] = field(default_factory=list)


@dataclass(slots=True)
class ControllerUse:
    """What one application depends on from one ultimate controller."""

    name: str
    country: str | None  # None: a community or an individual, no jurisdiction
    eu: bool | None
    laws: tuple[str, ...]
    legal_entity: bool = True
    controller_type: str = "company"
    components: int = 0
    hosted: int = 0  # SDK, service and infrastructure components
    hosted_level: int | None = None  # the lowest level among them
    kinds: dict[str, int] = field(default_factory=dict)
    vendors: tuple[str, ...] = ()  # the matched vendor ids under this controller
    alternatives: tuple[str, ...] = ()  # EU alternatives the database records
    examples: tuple[str, ...] = ()  # a few component names, hosted ones first

    def as_dict(self) -> dict[str, Any]:
        """The fields every portfolio document shows of a controller (the caller adds its own extras)."""
        return {
            "name": self.name,
            "country": self.country,
            "eu": self.eu,
            "legal_entity": self.legal_entity,
            "controller_type": self.controller_type,
            "laws": list(self.laws),
            "components": self.components,
            "hosted": self.hosted,
            "hosted_level": self.hosted_level,
            "kinds": self.kinds,
        }


@dataclass(slots=True)
class ExtraEuDependency:
    """A component controlled outside the EU/EEA, identified without its version (what history compares)."""

    key: str
    name: str
    kind: str
    vendor: str
    controller: str
    country: str
    level: int | None


@dataclass(slots=True)
class ApplicationResult:
    """One application's scan, compact: enough for the portfolio view and the history."""

    index: int
    name: str
    # "ok", "partial" (some inputs unreadable: no level or score, as they would describe part of it)
    # or "error" (nothing could be scanned)
    status: str
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"path", "line", "message"}
    warnings: list[str] = field(default_factory=list)
    declared: list[dict[str, Any]] = field(default_factory=list)
    unknown_declared: list[dict[str, str]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    level: int | None = None
    level_reason: str = ""
    score: float | None = None
    indicators: dict[str, Any] = field(default_factory=dict)
    controllers: dict[str, ControllerUse] = field(default_factory=dict)
    extra_eu: list[ExtraEuDependency] = field(default_factory=list)
