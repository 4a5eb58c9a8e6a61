"""One self-contained HTML file for the security officer: readable on screen, printed, or saved as PDF.

Everything is inline (CSS, SVG charts, a small script for sorting and filtering) and nothing
refers to anything outside the file: no link, image, font or script URL. A Content-Security-Policy
meta tag allows only the page's own style and script, by hash, so that even a markup bug could
not load or run anything else. Jinja2 autoescapes every value taken from the inputs: a component
named `<img src=x onerror=alert(1)>` stays text. No timestamp: the same scan gives the same bytes.

The script understands a URL fragment, so a link (or a test) can open the page sorted or
filtered: `#sort=TABLE:COLUMN:asc|desc&filter=TABLE:TEXT&severity=LEVEL` with TABLE `findings`
or `components` and COLUMN a header's `data-key`.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from depscan import __version__, i18n
from depscan.i18n import date, localize, ntr, number, tr
from depscan.model import LICENSE_CATEGORIES, SEVERITIES, Component, Finding, ScanResult, severity_rank
from depscan.report import RenderOptions
from depscan.report._common import (
    components_by_id,
    exemptions_of,
    finding_message,
    finding_title,
    findings_by_component,
    indicator_rows,
    is_failing,
    kind_label,
    level_names,
    level_reason,
    of,
    provenance_line,
    rules_by_id,
    rules_of,
    score_of,
    severity_counts,
    severity_label,
    worst,
)

CHART_WIDTH = 380
CHART_LABEL_WIDTH = 160
CHART_ROW = 22
CHART_BARS = 10
CHART_LABEL_CHARACTERS = 21
EXAMPLES = 5
#: licence categories that are open source, for the colour of their bar
_OPEN_CATEGORIES = {"permissive", "weak-copyleft", "strong-copyleft", "network-copyleft", "public-domain"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    css: str
    y: int
    width: float
    tooltip: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    caption: str
    bars: list[Bar]
    height: int
    legend: list[tuple[str, str]]


def render(result: ScanResult, options: RenderOptions) -> str:
    return render_page("report.html.j2", asset("report.css"), asset("report.js"), context(result, options))


def render_page(template_name: str, css: str, js: str, values: dict[str, Any]) -> str:
    """The template with `css` and `js` inlined and a Content-Security-Policy that allows only them, by hash."""
    template = template_environment().get_template(template_name)
    return template.render(
        lang=i18n.current(),
        Markup=Markup,
        number=number,
        date=date,
        severity_label=severity_label,
        kind_label=kind_label,
        css=Markup(css),
        js=Markup(js),
        csp=(
            "default-src 'none'; "
            f"style-src '{csp_digest(css)}'; script-src '{csp_digest(js)}'; "
            "img-src 'none'; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
        ),
        **values,
    )


def context(result: ScanResult, options: RenderOptions) -> dict[str, Any]:
    """Everything the template shows, computed here so that the template only lays it out."""
    summary = result.summary
    findings = findings_by_component(result)
    components = components_by_id(result)
    names = level_names()
    level = summary.get("level")
    failing = [f for f in result.findings if is_failing(f, result.fail_on)]
    score = score_of(result)
    total = summary.get("components", len(result.components))
    rules = rules_by_id(result)
    return {
        "finding_message": lambda finding: finding_message(finding, rules),
        "tool_version": options.tool_version or __version__,
        "provenance": provenance_line(result, options.tool_version or __version__),
        "application": _application(result),
        "chart_width": CHART_WIDTH,
        "chart_label_width": CHART_LABEL_WIDTH,
        "exposures": _exposures(result, components),
        "inputs": [s.path for s in result.sources],
        "ruleset": result.ruleset,
        "fail_on": result.fail_on,
        "level": level,
        "level_name": names.get(level, "") if level is not None else "",
        "level_reason": level_reason(result),
        "level_names": sorted(names.items()),
        "score": None if score is None else round(score),
        "score_parts": [_score_part(part) for part in summary.get("score_parts") or [] if isinstance(part, dict)],
        "counts": [
            (tr("components"), number(total), ""),
            (tr("controlled outside the EU/EEA"), of(summary.get("extra_eu", 0), total), "warn"),
            (tr("not open source"), of(summary.get("non_open_source", 0), total), "warn"),
            (tr("unknown controller"), of(summary.get("unknown_vendor", 0), total), "muted"),
            (tr("unknown licence"), of(summary.get("unknown_license", 0), total), "muted"),
        ],
        "severity_counts": severity_counts(result.findings),
        "exempted_count": sum(1 for f in result.findings if f.exempted),
        "failing": len(failing),
        "indicators": indicator_rows(result),
        "charts": _charts(result),
        "findings": [
            _finding_row(f, components.get(f.component), rules) for f in _ordered(result.findings) if not f.baseline
        ],
        "baseline_findings": [
            _finding_row(f, components.get(f.component), rules) for f in _ordered(result.findings) if f.baseline
        ],
        "baseline": (summary.get("baseline") or {}).get("path", ""),
        "components": [
            _component_row(position, c, findings.get(c.id, [])) for position, c in enumerate(result.components)
        ],
        "rules": rules_of(result),
        "fired": Counter(f.rule for f in result.findings if not f.exempted),
        "exemptions": exemptions_of(result),
        "sources": result.sources,
        "severities": list(reversed(SEVERITIES)),
    }


def _application(result: ScanResult) -> str:
    """A name for the scanned application: the directory its inputs share, if any."""
    directories = [posixpath.dirname(s.path.replace("\\", "/")) for s in result.sources]
    if not directories:
        return ""
    try:
        common = posixpath.commonpath(directories)
    except ValueError:  # absolute and relative paths mixed
        return ""
    return posixpath.basename(common.rstrip("/"))


def _exposures(result: ScanResult, components: dict[str, Component]) -> list[dict[str, Any]]:
    """Active findings by rule and, for rules about the controller, by controller: largest and most severe first."""
    by_controller = {rule.id: rule.about_vendor for rule in rules_of(result)}
    rules = rules_by_id(result)
    groups: dict[tuple[str, str], list[tuple[Finding, Component | None]]] = {}
    for finding in result.findings:
        if not finding.exempted:
            component = components.get(finding.component)
            controller = component.vendor.controller if component and component.vendor else ""
            key = controller if by_controller.get(finding.rule, True) else "*"
            groups.setdefault((finding.rule, key), []).append((finding, component))
    rows = []
    for (rule, key), members in groups.items():
        finding, component = members[0]
        vendor = component.vendor if component and key != "*" else None
        named = sorted(members, key=lambda item: (not (item[1] and item[1].direct), item[1].name if item[1] else ""))
        examples = [f"{c.name} {c.version or ''}".strip() if c else f.component for f, c in named[:EXAMPLES]]
        rows.append(
            {
                "severity": finding.severity,
                "rank": severity_rank(finding.severity),
                "rule": rule,
                "title": finding_title(finding, rules),
                "controller": vendor.controller_name if vendor else tr("various") if key == "*" else tr("unknown"),
                "country": vendor.publisher_label if vendor else "",
                "eu": vendor.eu if vendor else None,
                "laws": list(vendor.laws) if vendor else [],
                "count": len(members),
                "direct": sum(1 for _, c in members if c and c.direct),
                "examples": examples,
                "more": len(members) - len(examples),
                "alternatives": list(vendor.eu_alternatives) if vendor else [],
            }
        )
    rows.sort(key=lambda row: (-row["rank"], -row["count"], row["rule"], row["controller"]))
    return rows


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.exempted, -severity_rank(f.severity), f.rule, f.component))


def _score_part(part: dict[str, Any]) -> dict[str, Any]:
    value = part.get("value")
    return {
        "name": str(part.get("id", "")).replace("_", " "),
        "measures": part.get("measures", ""),
        "basis": part.get("basis", ""),
        "value": tr("n/a") if not isinstance(value, int | float) else i18n.percent(value),
        "weight": part.get("weight", ""),
        "points": tr("n/a") if part.get("points") is None else part.get("points"),
    }


def _source_link(source: dict[str, str]) -> dict[str, str]:
    """A vendor record's source as the report links it: only http(s) URLs become links."""
    url = str(source.get("url", ""))
    if "checked" in source:
        when = tr("checked {date}").format(date=date(source["checked"]))
    elif "cited" in source:
        when = tr("cited {date}, not re-read").format(date=date(source["cited"]))
    else:
        when = tr("no date recorded")
    return {
        "url": url,
        "link": url if url.lower().startswith(("https://", "http://")) else "",
        "supports": str(source.get("supports", "")),
        "date": when,
    }


def _finding_row(finding: Finding, component: Component | None, rules: dict[str, Any]) -> dict[str, Any]:
    vendor = component.vendor if component else None
    return {
        "severity": finding.severity,
        "rank": severity_rank(finding.severity),
        "rule": finding.rule,
        "title": finding_title(finding, rules),
        "name": component.name if component else finding.component,
        "version": (component.version or "") if component else "",
        "anchor": finding.component,
        "controller": vendor.controller_name if vendor else tr("unknown"),
        "country": vendor.publisher_label if vendor else "",
        "eu": vendor.eu if vendor else None,
        "message": finding_message(finding, rules),
        "remediation": finding_message(finding, rules, "remediation"),
        "exempted": finding.exempted,
        "exemption_reason": finding.exemption_reason or "",
    }


def _component_row(position: int, component: Component, findings: list[Finding]) -> dict[str, Any]:
    vendor = component.vendor
    license_ = component.license
    current = worst(findings)
    return {
        "anchor": f"c{position}",
        "id": component.id,
        "name": component.name,
        "version": component.version or "",
        "purl": component.purl or "",
        "kind": component.kind,
        "direct": component.direct,
        "scope": component.scope or "",
        "controller": vendor.controller_name if vendor else "",
        "vendor": vendor.name if vendor else "",
        "country": vendor.publisher_label if vendor else "",
        "eu": vendor.eu if vendor else None,
        "legal_entity": vendor.legal_entity if vendor else True,
        "laws": list(vendor.laws) if vendor else [],
        "chain": " → ".join(vendor.chain) if vendor and vendor.chain else "",
        "vendor_sources": [_source_link(source) for source in vendor.sources] if vendor else [],
        "reviewed": (vendor.reviewed or "") if vendor else "",
        "license_basis": license_.basis if license_ else "",
        "evidence": vendor.evidence if vendor else "",
        "confidence": vendor.confidence if vendor else "",
        "certifications": list(vendor.certifications) if vendor else [],
        "alternatives": list(vendor.eu_alternatives) if vendor else [],
        "license": (license_.expression or "") if license_ else "",
        "category": license_.category if license_ else "unknown",
        "declared": list(license_.declared) if license_ else list(component.declared_licenses),
        "license_evidence": license_.evidence if license_ else "",
        "open_source": license_.open_source if license_ else None,
        "level": component.level,
        "level_reason": localize(component.level_reason),
        "worst": current.severity if current else "",
        "worst_rank": severity_rank(current.severity) if current else -1,
        "findings": findings,
        "suppliers": component.suppliers,
        "repository": component.repository or "",
        "introduced_by": component.introduced_by,
        "sources": [(s.path, s.line) for s in component.sources],
    }


def _charts(result: ScanResult) -> list[Chart]:
    summary = result.summary
    eu_by_country: dict[str, bool | None] = {}
    by_controller: Counter[tuple[str, str, bool | None]] = Counter()
    for component in result.components:
        vendor = component.vendor
        if vendor is not None:
            if vendor.country is not None:
                eu_by_country[vendor.country] = vendor.eu
            by_controller[(vendor.controller_name, vendor.publisher_label, vendor.eu)] += 1
    countries = [
        (country, count, "eu" if eu_by_country.get(country) else "non-eu")
        for country, count in summary.get("by_country", {}).items()
    ]
    controllers = [
        (f"{name} ({country})", count, "other" if eu is None else "eu" if eu else "non-eu")
        for (name, country, eu), count in by_controller.items()
    ]
    categories = [
        (category, count, "open" if category in _OPEN_CATEGORIES else "unknown" if category == "unknown" else "closed")
        for category, count in summary.get("by_license_category", {}).items()
    ]
    order = {category: position for position, category in enumerate(LICENSE_CATEGORIES)}
    categories.sort(key=lambda item: (-item[1], order.get(item[0], 99)))
    eu_legend = [("eu", tr("EU/EEA controller")), ("non-eu", tr("outside the EU/EEA")), ("unknown", tr("unknown"))]
    return [
        chart_data(
            "by-country",
            tr("Components by controller country"),
            tr("country of the ultimate controller"),
            countries,
            eu_legend,
            unknown=summary.get("unknown_vendor", 0),
        ),
        chart_data(
            "by-controller",
            tr("Largest controllers"),
            tr("top {count} of {total} ultimate controllers").format(
                count=number(CHART_BARS), total=number(len(by_controller))
            ),
            controllers,
            eu_legend[:2],
        ),
        chart_data(
            "by-licence",
            tr("Components by licence category"),
            tr("declared licences, normalised to SPDX"),
            categories,
            [("open", tr("open source")), ("closed", tr("not open source")), ("unknown", tr("unknown"))],
        ),
    ]


def chart_data(
    chart_id: str,
    title: str,
    caption: str,
    rows: list[tuple[str, int, str]],
    legend: list[tuple[str, str]],
    unknown: int = 0,
) -> Chart:
    """Horizontal bars, largest first; the tail beyond CHART_BARS and the unknown share come last."""
    rows = sorted(rows, key=lambda item: (-item[1], item[0]))
    shown = rows[:CHART_BARS]
    if len(rows) > CHART_BARS:
        rest = len(rows) - CHART_BARS
        label = ntr("{count} other", "{count} others", rest).format(count=number(rest))
        shown.append((label, sum(count for _, count, _ in rows[CHART_BARS:]), "other"))
    if unknown:
        shown.append((tr("unknown"), unknown, "unknown"))
    largest = max((count for _, count, _ in shown), default=0) or 1
    span = CHART_WIDTH - CHART_LABEL_WIDTH - 45
    bars = [
        Bar(
            label=label if len(label) <= CHART_LABEL_CHARACTERS else label[: CHART_LABEL_CHARACTERS - 1] + "…",
            value=count,
            css=css,
            y=position * CHART_ROW,
            width=max(1.0, round(span * count / largest, 1)),
            tooltip=f"{label}: {number(count)}",
        )
        for position, (label, count, css) in enumerate(shown)
    ]
    return Chart(chart_id, title, caption, bars, max(CHART_ROW, len(bars) * CHART_ROW) + 4, legend)


@cache
def template_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("depscan.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    # the callables read the active language when called, so that one cached environment serves every language
    environment.install_gettext_callables(tr, ntr, newstyle=True)  # type: ignore[attr-defined]
    return environment


@cache
def asset(name: str) -> str:
    return resources.files("depscan.report").joinpath("templates", name).read_text(encoding="utf-8")


def csp_digest(text: str) -> str:
    """The CSP source expression that allows exactly this inline style or script."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
