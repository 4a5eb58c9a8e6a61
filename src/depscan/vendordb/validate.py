"""`depscan db validate`: every check a reviewer would do by hand on a vendor record.

Schema and unknown fields, dates, sources that are URLs, parents that exist
and chains that end, known countries and laws, EU alternatives that really
are EU-controlled, and no match key claimed twice.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from depscan import _toml
from depscan.errors import ConfigError
from depscan.model import KINDS, Vendor
from depscan.vendordb import keys
from depscan.vendordb.database import MatchIndex, Rule, vendor_from_record

VENDOR_TYPES = {"company", "foundation", "public-body", "community", "individual"}
CONFIDENCE = {"high", "medium", "low"}
CATEGORIES = {
    "cloud",
    "saas",
    "payments",
    "messaging",
    "email",
    "identity",
    "observability",
    "analytics",
    "ai",
    "database",
    "cdn",
    "dns",
    "devtools",
    "ci",
    "registry",
    "hosting",
    "collaboration",
    "security",
    "open-source-foundation",
    "software",
    "telecom",
    "hardware",
    "search",
    "maps",
    "storage",
    "social",
    "ecommerce",
    "consulting",
    "holding",
}
VENDOR_FIELDS = {
    "id",
    "name",
    "aliases",
    "type",
    "country",
    "hq_country",
    "legal_entity",
    "parent",
    "laws",
    "website",
    "categories",
    "eu_alternatives",
    "reviewed",
    "confidence",
    "notes",
    "sources",
    "certifications",
    "match",
}
REQUIRED = ("id", "name", "type", "country", "reviewed", "confidence", "sources")
SOURCE_FIELDS = {"url", "supports", "checked", "cited"}
CERTIFICATION_FIELDS = {"scheme", "scope", "date", "source", "expires", "notes"}
COUNTRY_FIELDS = {"name", "eu", "eea", "laws", "adequacy", "notes"}
LAW_FIELDS = {"name", "country", "summary", "url", "notes", "sources", "scope"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")


def _read(path: Path, errors: list[str]) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return _toml.load(handle)
    except (OSError, _toml.TOMLDecodeError) as exc:
        errors.append(f"{path}: {exc}")
        return {}


def _date(value: Any) -> bool:
    return bool(_DATE.match(str(value)))


#: notes that say a fund owns the vendor: private equity, or owned/held/acquired by ... fund(s)
_FUND_OWNED = re.compile(
    r"private[- ]equity|\b(?:owned|held|acquired|bought|controlled|taken private)\b[^.;]*\bfunds?\b", re.IGNORECASE
)
#: notes of a fund manager's own record ("US private-equity firm ...", "recorded as its controller")
_FUND_MANAGER = re.compile(
    r"^(?:\S+\s+){0,3}(?:private[- ]equity|investment) (?:firm|company|manager)"
    r"|recorded as (?:the |its )?(?:fund manager|(?:ultimate )?controller)\b",
    re.IGNORECASE,
)
#: purl types of operating-system distributions: a namespace prefix gives every package of the distribution
_DISTRIBUTION_TYPES = ("pkg:deb/", "pkg:rpm/", "pkg:apk/", "pkg:alpm/", "pkg:ebuild/")


def warnings_for(vendors: dict[str, Vendor]) -> list[tuple[str, str]]:
    """(vendor id, message) for the written rules that the data does not all meet yet.

    Warnings, not errors: records made before a rule was written are listed for
    review (`db validate` prints them, `db stats` counts them) without failing CI.
    """
    found: list[tuple[str, str]] = []
    for vendor_id, vendor in sorted(vendors.items()):
        notes = vendor.notes or ""
        if _FUND_OWNED.search(notes) and not vendor.parent and not _FUND_MANAGER.search(notes):
            found.append(
                (
                    vendor_id,
                    "notes say a private-equity firm or fund owns it but it has no parent: "
                    "record the fund manager (with its country) and set parent",
                )
            )
        for match in vendor.matches:
            prefixes = [str(p) for p in match.get("purl_prefix", ()) if str(p).lower().startswith(_DISTRIBUTION_TYPES)]
            if prefixes and not match.get("notes"):
                found.append(
                    (
                        vendor_id,
                        f"distribution prefix {', '.join(prefixes)} without match notes saying why the "
                        "distributor controls these packages (see SCHEMA.md, distributions)",
                    )
                )
    return found


def validate(root: Path) -> tuple[list[str], int]:
    """Return (errors, number of vendor records). No errors means the database is consistent."""
    errors, _, count = validate_all(root)
    return errors, count


def validate_all(root: Path) -> tuple[list[str], list[str], int]:
    """Return (errors, warnings, number of vendor records)."""
    errors: list[str] = []
    countries = _read(root / "countries.toml", errors) if (root / "countries.toml").exists() else {}
    laws = _read(root / "laws.toml", errors) if (root / "laws.toml").exists() else {}
    if not countries:
        errors.append(f"{root / 'countries.toml'}: missing or empty")
    if not laws:
        errors.append(f"{root / 'laws.toml'}: missing or empty")
    _check_laws(root / "laws.toml", laws, countries, errors)
    _check_countries(root / "countries.toml", countries, laws, errors)
    records: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in sorted((root / "vendors").glob("*.toml")):
        record = _read(path, errors)
        if record:
            _check_record(path, record, countries, laws, errors)
            records[str(record.get("id", path.stem))] = (path, record)
    vendors = _check_relations(records, countries, errors)
    _check_registries(root / "registries.toml", records, errors)
    warnings = [f"{records[vendor_id][0]}: {message}" for vendor_id, message in warnings_for(vendors)]
    return errors, warnings, len(records)


def _check_laws(path: Path, laws: dict[str, Any], countries: dict[str, Any], errors: list[str]) -> None:
    for law_id, law in laws.items():
        where = f"{path}: [{law_id}]"
        if not isinstance(law, dict):
            errors.append(f"{where}: not a table")
            continue
        for name in set(law) - LAW_FIELDS:
            errors.append(f"{where}: unknown field {name!r}")
        for name in ("name", "country", "summary", "url"):
            if not law.get(name):
                errors.append(f"{where}: missing {name!r}")
        if law.get("url") and not _URL.match(str(law["url"])):
            errors.append(f"{where}: url is not a URL: {law['url']!r}")
        if countries and law.get("country") and law["country"] not in countries:
            errors.append(f"{where}: unknown country {law['country']!r}")


def _check_countries(path: Path, countries: dict[str, Any], laws: dict[str, Any], errors: list[str]) -> None:
    for code, info in countries.items():
        where = f"{path}: [{code}]"
        if not re.match(r"^[A-Z]{2}$", code):
            errors.append(f"{where}: not an ISO 3166-1 alpha-2 code")
        if not isinstance(info, dict):
            errors.append(f"{where}: not a table")
            continue
        for name in set(info) - COUNTRY_FIELDS:
            errors.append(f"{where}: unknown field {name!r}")
        for name in ("name", "eu", "eea"):
            if name not in info:
                errors.append(f"{where}: missing {name!r}")
        if info.get("eu") and not info.get("eea"):
            errors.append(f"{where}: an EU member is in the EEA")
        for law in info.get("laws", []):
            if law not in laws:
                errors.append(f"{where}: unknown law {law!r}")
        adequacy = info.get("adequacy")
        if adequacy is not None:
            if not isinstance(adequacy, dict) or not _URL.match(str(adequacy.get("source", ""))):
                errors.append(f"{where}: adequacy needs a source URL")
            elif not _date(adequacy.get("date", "")):
                errors.append(f"{where}: adequacy date must be YYYY-MM-DD")


def _check_record(
    path: Path, record: dict[str, Any], countries: dict[str, Any], laws: dict[str, Any], errors: list[str]
) -> None:
    where = str(path)
    for name in set(record) - VENDOR_FIELDS:
        errors.append(f"{where}: unknown field {name!r}")
    for name in REQUIRED:
        if not record.get(name):
            errors.append(f"{where}: missing required field {name!r}")
    vendor_id = str(record.get("id", ""))
    if vendor_id != path.stem:
        errors.append(f"{where}: id {vendor_id!r} does not match the file name")
    if not _ID.match(vendor_id):
        errors.append(f"{where}: id must be lowercase letters, digits and '-'")
    if record.get("type") not in VENDOR_TYPES:
        errors.append(f"{where}: type must be one of {', '.join(sorted(VENDOR_TYPES))}")
    if "legal_entity" in record:
        if not isinstance(record["legal_entity"], bool):
            errors.append(f"{where}: legal_entity must be true or false")
        elif not record["legal_entity"] and record.get("type") not in ("community", "individual"):
            errors.append(f"{where}: legal_entity = false is for a community or individual, not {record.get('type')}")
    if record.get("confidence") not in CONFIDENCE:
        errors.append(f"{where}: confidence must be high, medium or low")
    if record.get("reviewed") and not _date(record["reviewed"]):
        errors.append(f"{where}: reviewed must be YYYY-MM-DD")
    for name in ("country", "hq_country"):
        value = record.get(name)
        if value and countries and value not in countries:
            errors.append(f"{where}: unknown {name} {value!r}")
    for law in record.get("laws", []):
        if law not in laws:
            errors.append(f"{where}: unknown law {law!r}")
    for category in record.get("categories", []):
        if category not in CATEGORIES:
            errors.append(f"{where}: unknown category {category!r}")
    for name in ("aliases", "laws", "categories", "eu_alternatives"):
        value = record.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors.append(f"{where}: {name} must be a list of strings")
    sources = record.get("sources", [])
    if not isinstance(sources, list):
        errors.append(f"{where}: sources must be an array of tables ([[sources]])")
        sources = []
    for number, source in enumerate(sources, start=1):
        if not isinstance(source, dict):
            errors.append(f"{where}: source #{number} is not a table")
            continue
        for name in set(source) - SOURCE_FIELDS:
            errors.append(f"{where}: source #{number}: unknown field {name!r}")
        if not _URL.match(str(source.get("url", ""))):
            errors.append(f"{where}: source #{number}: url is not a URL: {source.get('url')!r}")
        if not source.get("supports"):
            errors.append(f"{where}: source #{number}: missing 'supports'")
        dates = [name for name in ("checked", "cited") if name in source]
        if len(dates) != 1:
            errors.append(f"{where}: source #{number}: needs one of checked (content read) or cited (not re-read)")
        elif not _date(source.get(dates[0], "")):
            errors.append(f"{where}: source #{number}: {dates[0]} must be YYYY-MM-DD")
    if record.get("confidence") == "high" and not any(isinstance(s, dict) and "checked" in s for s in sources):
        errors.append(f"{where}: confidence high needs at least one checked source (content read); else medium")
    for number, certification in enumerate(record.get("certifications", []), start=1):
        if not isinstance(certification, dict):
            errors.append(f"{where}: certification #{number} is not a table")
            continue
        for name in set(certification) - CERTIFICATION_FIELDS:
            errors.append(f"{where}: certification #{number}: unknown field {name!r}")
        if not certification.get("scheme") or not certification.get("scope"):
            errors.append(f"{where}: certification #{number}: needs scheme and scope")
        if not _URL.match(str(certification.get("source", ""))):
            errors.append(f"{where}: certification #{number}: source must be a URL")
        if certification.get("date") and not _date(certification["date"]):
            errors.append(f"{where}: certification #{number}: date must be YYYY-MM-DD")
    for number, match in enumerate(record.get("match", []), start=1):
        if not isinstance(match, dict):
            errors.append(f"{where}: match #{number} is not a table")
            continue
        if match.get("kind") not in KINDS:
            errors.append(f"{where}: match #{number}: kind must be one of {', '.join(KINDS)}")
        present = [k for k in keys.MATCH_KEYS if k in match]
        if not present:
            errors.append(f"{where}: match #{number}: no match key ({', '.join(keys.MATCH_KEYS)})")
        for name in set(match) - set(keys.MATCH_KEYS) - {"kind", "notes", "publisher"}:
            errors.append(f"{where}: match #{number}: unknown key {name!r}")
        publisher = match.get("publisher")
        if publisher is not None and (not isinstance(publisher, str) or publisher == vendor_id):
            errors.append(f"{where}: match #{number}: publisher must be the id of another vendor record")
        for key in present:
            values = match[key]
            if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
                errors.append(f"{where}: match #{number}: {key} must be a non-empty list of strings")
            elif key == "purl":
                for value in values:
                    if keys.purl_key(value) is None:
                        errors.append(f"{where}: match #{number}: {value!r} is not a package URL")
            elif key == "purl_prefix":
                for value in values:
                    if not value.lower().startswith("pkg:") or value.count("/") < 1 or len(value) < 10:
                        errors.append(f"{where}: match #{number}: purl prefix {value!r} is too broad or malformed")


def _check_relations(
    records: dict[str, tuple[Path, dict[str, Any]]], countries: dict[str, Any], errors: list[str]
) -> dict[str, Vendor]:
    index = MatchIndex()
    vendors = {}
    for vendor_id, (path, record) in sorted(records.items()):
        try:
            vendors[vendor_id] = vendor_from_record(record, path)
        except ConfigError as exc:
            errors.append(str(exc))
            continue
        for match in record.get("match", []):
            if not isinstance(match, dict):
                continue
            publisher = match.get("publisher")
            if isinstance(publisher, str) and publisher != vendor_id and publisher not in records:
                errors.append(f"{path}: match publisher {publisher!r} is not a vendor record")
            for key in keys.MATCH_KEYS:
                values = match.get(key, [])
                if isinstance(values, list):
                    for value in values:
                        if isinstance(value, str):
                            index.add(Rule(vendor_id, key, value, str(match.get("kind", ""))))
    errors.extend(f"match conflict: {message}" for message in index.conflicts)
    for vendor_id, vendor in vendors.items():
        path = records[vendor_id][0]
        if vendor.parent and vendor.parent not in vendors:
            errors.append(f"{path}: parent {vendor.parent!r} is not a vendor record")
        seen: list[str] = []
        current: str | None = vendor_id
        while current in vendors:
            if current in seen:
                errors.append(f"{path}: parent chain loops: {' -> '.join([*seen, current])}")
                break
            seen.append(current)
            current = vendors[current].parent
        for alternative in vendor.eu_alternatives:
            if alternative not in vendors:
                errors.append(f"{path}: eu_alternatives: {alternative!r} is not a vendor record")
                continue
            controller = alternative
            hops = 0
            while vendors[controller].parent in vendors and hops < 20:
                controller = vendors[controller].parent  # type: ignore[assignment]
                hops += 1
            info = countries.get(vendors[controller].country, {})
            if countries and not (info.get("eu") or info.get("eea")):
                country = vendors[controller].country
                errors.append(f"{path}: eu_alternatives: {alternative!r} is controlled from {country}, not the EU/EEA")
    return vendors


def _check_registries(path: Path, records: dict[str, Any], errors: list[str]) -> None:
    if not path.exists():
        errors.append(f"{path}: missing")
        return
    document = _read(path, errors)
    for number, registry in enumerate(document.get("registry", []), start=1):
        if not isinstance(registry, dict):
            errors.append(f"{path}: registry #{number} is not a table")
            continue
        for name in ("id", "name", "ecosystem", "vendor"):
            if not registry.get(name):
                errors.append(f"{path}: registry #{number}: missing {name!r}")
        if registry.get("vendor") and registry["vendor"] not in records:
            errors.append(
                f"{path}: registry {registry.get('id')!r}: vendor {registry['vendor']!r} is not a vendor record"
            )
