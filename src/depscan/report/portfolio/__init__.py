"""What the portfolio formats share: their registry, and the per-application rows of the spreadsheet views.

A portfolio renderer is `render(portfolio: dict, options: RenderOptions) -> str | bytes`
over the `depscan-portfolio/1` document; like the per-scan reports, it decides nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from depscan.report import RenderOptions

#: format name -> (module, default file extension)
PORTFOLIO_FORMATS: dict[str, tuple[str, str]] = {
    "json": ("depscan.report.portfolio.json_report", "json"),
    "html": ("depscan.report.portfolio.html", "html"),
    "csv": ("depscan.report.portfolio.csv_report", "csv"),
    "xlsx": ("depscan.report.portfolio.xlsx", "xlsx"),
    "markdown": ("depscan.report.portfolio.markdown", "md"),
}
BINARY_PORTFOLIO_FORMATS = frozenset({"xlsx"})


def portfolio_renderer(name: str) -> Callable[[dict[str, Any], RenderOptions], str | bytes]:
    module = importlib.import_module(PORTFOLIO_FORMATS[name][0])
    render: Callable[[dict[str, Any], RenderOptions], str | bytes] = module.render
    return render


def percent(value: Any) -> str:
    return "n/a" if not isinstance(value, int | float) or isinstance(value, bool) else f"{value * 100:.0f}%"


def eu_share_text(part: dict[str, Any]) -> str:
    """ "5 of 161 (3%) with a known jurisdiction; 362 of 549 unknown": never a bare percentage."""
    from depscan.report._common import HOW_TO_KNOW_MORE, MOSTLY_UNKNOWN, share_text

    total = part.get("total")
    jurisdiction = part.get("jurisdiction", part.get("attributed"))
    text = share_text(part.get("eu"), jurisdiction, part.get("eu_share_of_jurisdiction"))
    if isinstance(total, int):
        unknown = part.get("unknown", total - int(part.get("attributed") or 0))
        text += f" with a known jurisdiction; {unknown} of {total} with an unknown controller"
        if part.get("no_jurisdiction"):
            text += f", {part['no_jurisdiction']} from communities or individuals"
        if total and unknown / total > MOSTLY_UNKNOWN:
            text += f". Most controllers are unknown: {HOW_TO_KNOW_MORE}"
    return text


def open_share_text(part: dict[str, Any]) -> str:
    """ "473 of 474 (100%) with a known licence; 75 of 549 unknown"."""
    from depscan.report._common import HOW_TO_KNOW_MORE, MOSTLY_UNKNOWN, share_text

    total, known = part.get("total"), part.get("known")
    text = share_text(part.get("open"), known, part.get("share_of_known")) + " with a known licence"
    if isinstance(total, int) and isinstance(known, int):
        text += f"; {total - known} of {total} unknown"
        if total and (total - known) / total > MOSTLY_UNKNOWN:
            text += f". Most licences are unknown: {HOW_TO_KNOW_MORE}"
    return text


def level_text(level: int | None, name: str | None = None) -> str:
    if level is None:
        return "unknown"
    return f"{level} ({name})" if name else str(level)


def indicator(application: dict[str, Any], group: str, key: str) -> Any:
    """One indicator of an application, whatever the policy step filled in (None when absent)."""
    indicators = application.get("indicators") or {}
    part = indicators.get(group) if isinstance(indicators, dict) else None
    return part.get(key) if isinstance(part, dict) else None


def declared_text(application: dict[str, Any], roles: tuple[str, ...]) -> str:
    """Declared dependencies of some roles: "OVH Groupe SA (FR, gra)", unknown ones marked."""
    items = []
    for entry in application.get("declared", []):
        if entry["role"] not in roles:
            continue
        if entry.get("vendor"):
            where = ", ".join(part for part in (entry.get("country"), entry.get("region")) if part)
            items.append(f"{entry['vendor_name']} ({where})" if where else str(entry["vendor_name"]))
        else:
            items.append(f"{entry['value']} (unknown)")
    return "; ".join(items)


def extra_eu_hosted(application: dict[str, Any]) -> list[dict[str, Any]]:
    """Controllers outside the EU/EEA that the application's SDKs, services or infrastructure depend on."""
    return [c for c in application.get("controllers", []) if not c["eu"] and c["hosted"]]


def best_change_text(application: dict[str, Any]) -> str:
    change = application.get("best_change")
    if not change:
        return ""
    alternative = change.get("best_alternative_name") or "an EU/EEA provider"
    return (
        f"replace {change['name']} ({change['country']}, {change['hosted_components']} hosted) with {alternative}:"
        f" level {change['level_before']} -> {change['level_after']}"
    )


def errors_text(application: dict[str, Any]) -> str:
    parts = []
    for error in application.get("errors", []):
        where = error.get("path") or ""
        if where and error.get("line"):
            where += f":{error['line']}"
        parts.append(f"{where}: {error['message']}" if where else str(error["message"]))
    return "; ".join(parts)


#: the per-application columns of the CSV and the XLSX "Applications" sheet
APPLICATION_COLUMNS = (
    "application",
    "owner",
    "criticality",
    "data sensitivity",
    "status",
    "level",
    "level name",
    "score",
    "components",
    "extra-EU components",
    "not open source",
    "unknown controller",
    "EU share",
    "open-source share",
    "HHI",
    "extra-EU hosted controllers",
    "hosting",
    "services and identity",
    "unknown declared",
    "best single change",
    "level after change",
    "errors",
    "warnings",
    "level reason",
    "latest scan",
    "stale",
)


def application_row(application: dict[str, Any]) -> list[Any]:
    """One application as spreadsheet cells, in APPLICATION_COLUMNS order (raw: callers neutralise)."""
    counts = application["counts"]
    change = application.get("best_change") or {}
    return [
        application["name"],
        application.get("owner") or "",
        application.get("criticality") or "",
        application.get("data_sensitivity") or "",
        application["status"],
        application["level"],
        application.get("level_name") or "",
        application.get("score"),
        counts["components"],
        counts["extra_eu"],
        counts["non_open_source"],
        counts["unknown_vendor"],
        indicator(application, "components", "eu_share"),
        indicator(application, "open_source", "share"),
        indicator(application, "concentration", "hhi"),
        "; ".join(f"{c['name']} ({c['country']})" for c in extra_eu_hosted(application)),
        declared_text(application, ("hosting", "infrastructure")),
        declared_text(application, ("services", "identity")),
        "; ".join(f"{u['role']}: {u['value']}" for u in application.get("unknown_declared", [])),
        best_change_text(application),
        change.get("level_after"),
        errors_text(application),
        "; ".join(application.get("warnings", [])),
        application.get("level_reason") or "",
        (application.get("report") or {}).get("pushed_at") or "",
        _stale_cell(application),
    ]


def _stale_cell(application: dict[str, Any]) -> str:
    """ "yes" / "no" for a pushed scan judged against --max-age, empty where no age limit applies."""
    report = application.get("report")
    if not report or "stale" not in report:
        return ""
    return "yes" if report["stale"] else "no"
