"""What the portfolio formats share: their registry, and the per-application rows of the spreadsheet views.

A portfolio renderer is `render(portfolio: dict, options: RenderOptions) -> str | bytes`
over the `depscan-portfolio/1` document; like the per-scan reports, it decides nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from depscan import i18n
from depscan.i18n import N_, number, tr
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
    """A share of 1 in the locale's form (`26%`, `26 %`); "n/a" when there is none."""
    return tr("n/a") if not isinstance(value, int | float) or isinstance(value, bool) else i18n.percent(value)


def when(value: Any) -> str:
    """A recorded date-time as a person reads it: as recorded in English, `4 décembre 2026` in French."""
    if not value:
        return ""
    return str(value) if i18n.current() == "en" else i18n.date(str(value))


#: the statuses of an application (machine values in JSON), as a person reads them
_STATUS_LABELS = {"ok": N_("ok"), "partial": N_("partial"), "error": N_("error")}
#: criticalities and data sensitivities (machine values in JSON), as a person reads them
_CRITICALITY_LABELS = {
    "critical": N_("critical"),
    "high": N_("high"),
    "medium": N_("medium"),
    "low": N_("low"),
    "unspecified": N_("unspecified"),
}


#: the HHI bands and the kinds of change of an application (machine values in JSON), as a person reads them
_BANDS = {"low": N_("low"), "moderate": N_("moderate"), "high": N_("high")}
_CHANGES = {
    "improved": N_("improved"),
    "worsened": N_("worsened"),
    "added": N_("added"),
    "removed": N_("removed"),
    "changed": N_("changed"),
    "unchanged": N_("unchanged"),
}


def band_label(band: str | None) -> str:
    return tr(_BANDS[band]) if band in _BANDS else band or tr("n/a")


def change_label(change: str | None) -> str:
    return tr(_CHANGES[change]) if change in _CHANGES else change or ""


#: the kinds of controller (machine values in JSON), as a person reads them
_CONTROLLER_TYPES = {
    "company": N_("company"),
    "foundation": N_("foundation"),
    "public-body": N_("public body"),
    "community": N_("community"),
    "individual": N_("individual"),
}


def controller_type_label(kind: Any) -> str:
    return tr(_CONTROLLER_TYPES[kind]) if kind in _CONTROLLER_TYPES else str(kind or "")


def status_label(status: Any) -> str:
    return tr(_STATUS_LABELS[status]) if status in _STATUS_LABELS else str(status or "")


def criticality_label(criticality: Any) -> str:
    return tr(_CRITICALITY_LABELS[criticality]) if criticality in _CRITICALITY_LABELS else str(criticality or "")


def eu_share_text(part: dict[str, Any]) -> str:
    """ "5 of 161 (3%) with a known jurisdiction; 362 of 549 unknown": never a bare percentage."""
    from depscan.report._common import HOW_TO_KNOW_MORE, MOSTLY_UNKNOWN, share_text

    total = part.get("total")
    jurisdiction = part.get("jurisdiction", part.get("attributed"))
    text = share_text(part.get("eu"), jurisdiction, part.get("eu_share_of_jurisdiction"))
    if isinstance(total, int):
        unknown = part.get("unknown", total - int(part.get("attributed") or 0))
        text += tr(" with a known jurisdiction; {unknown} of {total} with an unknown controller").format(
            unknown=number(unknown), total=number(total)
        )
        if part.get("no_jurisdiction"):
            text += tr(", {count} from communities or individuals").format(count=number(part["no_jurisdiction"]))
        if total and unknown / total > MOSTLY_UNKNOWN:
            text += tr(". Most controllers are unknown: {how}").format(how=tr(HOW_TO_KNOW_MORE))
    return text


def open_share_text(part: dict[str, Any]) -> str:
    """ "473 of 474 (100%) with a known licence; 75 of 549 unknown"."""
    from depscan.report._common import HOW_TO_KNOW_MORE, MOSTLY_UNKNOWN, share_text

    total, known = part.get("total"), part.get("known")
    text = share_text(part.get("open"), known, part.get("share_of_known")) + tr(" with a known licence")
    if isinstance(total, int) and isinstance(known, int):
        text += tr("; {unknown} of {total} unknown").format(unknown=number(total - known), total=number(total))
        if total and (total - known) / total > MOSTLY_UNKNOWN:
            text += tr(". Most licences are unknown: {how}").format(how=tr(HOW_TO_KNOW_MORE))
    return text


def level_text(level: int | None, name: str | None = None) -> str:
    if level is None:
        return tr("unknown")
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
            items.append(tr("{value} (unknown)").format(value=entry["value"]))
    return "; ".join(items)


def extra_eu_hosted(application: dict[str, Any]) -> list[dict[str, Any]]:
    """Controllers outside the EU/EEA that the application's SDKs, services or infrastructure depend on."""
    return [c for c in application.get("controllers", []) if not c["eu"] and c["hosted"]]


def best_change_text(application: dict[str, Any]) -> str:
    change = application.get("best_change")
    if not change:
        return ""
    alternative = change.get("best_alternative_name") or tr("an EU/EEA provider")
    return tr("replace {name} ({country}, {hosted} hosted) with {alternative}: level {before} -> {after}").format(
        name=change["name"],
        country=change["country"],
        hosted=number(change["hosted_components"]),
        alternative=alternative,
        before=change["level_before"],
        after=change["level_after"],
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
    N_("application"),
    N_("owner"),
    N_("criticality"),
    N_("data sensitivity"),
    N_("status"),
    N_("level"),
    N_("level name"),
    N_("score"),
    N_("components"),
    N_("extra-EU components"),
    N_("not open source"),
    N_("unknown controller"),
    N_("EU share"),
    N_("open-source share"),
    N_("HHI"),
    N_("extra-EU hosted controllers"),
    N_("hosting"),
    N_("services and identity"),
    N_("unknown declared"),
    N_("best single change"),
    N_("level after change"),
    N_("errors"),
    N_("warnings"),
    N_("level reason"),
    N_("latest scan"),
    N_("stale"),
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
