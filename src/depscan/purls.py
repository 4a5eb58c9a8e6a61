"""Package URL helpers tuned for the hot path.

Building purls goes through packageurl-python. Reading them does not: SBOMs
carry one unique purl per component (the version differs), so parsing each
with the library would cost seconds on large inputs. Instead the version is
cut off by string operations and the base, which repeats, is canonicalised
once through a cache.
"""

from __future__ import annotations

import inspect
import re
from functools import lru_cache
from urllib.parse import unquote

from packageurl import PackageURL, normalize_version

#: packageurl-python 0.17.x added the purl type as normalize_version's second parameter (some types
#: normalise their versions); earlier releases take (version, encode) and would read the type as `encode`
_VERSION_BY_TYPE = "ptype" in inspect.signature(normalize_version).parameters

_PYPI_SEPARATORS = re.compile(r"[-_.]+")


def pypi_name(name: str) -> str:
    """Normalise a Python distribution name as PEP 503 and the purl spec do."""
    return _PYPI_SEPARATORS.sub("-", name).lower()


def build(
    type_: str,
    name: str,
    version: str | None = None,
    namespace: str | None = None,
    qualifiers: dict[str, str] | None = None,
) -> str:
    """Build a purl string from its parts, encoded as the spec says (by packageurl-python).

    The base (type, namespace, name) repeats across versions and is cached;
    only the version is encoded per call, which makes lockfiles with tens of
    thousands of entries cheap.
    """
    if type_ == "pypi":
        name = pypi_name(name)
    if qualifiers:
        return PackageURL(
            type=type_, namespace=namespace, name=name, version=version or None, qualifiers=qualifiers
        ).to_string()
    base = _base(type_, namespace or None, name)
    if not version:
        return base
    encoded = normalize_version(version, type_) if _VERSION_BY_TYPE else normalize_version(version)
    return f"{base}@{encoded}" if encoded else base


@lru_cache(maxsize=131072)
def _base(type_: str, namespace: str | None, name: str) -> str:
    return PackageURL(type=type_, namespace=namespace, name=name).to_string()


def split(purl: str) -> tuple[str | None, str | None]:
    """Return (canonical base without version, qualifiers and subpath; version).

    The base is what vendor match rules are written against. Returns
    (None, None) for a string that is not a purl.
    """
    cut = purl.split("#", 1)[0].split("?", 1)[0]
    slash = cut.rfind("/")
    at = cut.rfind("@")
    if at > slash > 0:
        base, version = cut[:at], unquote(cut[at + 1 :]) or None
    else:
        base, version = cut, None
    return canonical_base(base), version


@lru_cache(maxsize=131072)
def canonical_base(base: str) -> str | None:
    """Canonicalise `pkg:type/namespace/name`: the key used for matching (lowercase)."""
    if len(base) < 6 or base[:4].lower() != "pkg:":
        return None
    rest = base[4:].lstrip("/")
    type_, sep, path = rest.partition("/")
    if not sep or not type_ or not path:
        return None
    type_ = type_.lower()
    path = path.strip("/")
    if type_ == "pypi":
        path = pypi_name(unquote(path))
    elif type_ == "npm" and path.startswith("@"):
        path = "%40" + path[1:]
    return f"pkg:{type_}/{path}".lower()


def ecosystem(purl: str) -> str | None:
    """The purl type, lowercase, or None for a string that is not a purl."""
    if purl[:4].lower() != "pkg:":
        return None
    type_ = purl[4:].lstrip("/").partition("/")[0].lower()
    return type_ or None


def name_parts(purl: str) -> tuple[str | None, str | None]:
    """Return (namespace, name) decoded, for display of a purl-only component."""
    base = purl.split("#", 1)[0].split("?", 1)[0]
    slash = base.rfind("/")
    at = base.rfind("@")
    if at > slash:
        base = base[:at]
    path = base[4:].lstrip("/").partition("/")[2]
    namespace, _, name = path.rpartition("/")
    return (unquote(namespace) or None), (unquote(name) or None)
