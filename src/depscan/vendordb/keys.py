"""Normalise the identifiers that vendor match rules are written against.

Both sides of a match (the rule's key and the component's identifier) go
through the same function, so matching is a dict look-up.
"""

from __future__ import annotations

import re
from functools import lru_cache

from depscan import purls

MATCH_KEYS = (
    "purl",
    "purl_prefix",
    "supplier",
    "repository_owner",
    "container_registry",
    "container_image",
    "github_action_owner",
    "terraform_provider",
    "domain",
)

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_LEGAL_SUFFIXES = (
    " inc",
    " incorporated",
    " llc",
    " ltd",
    " limited",
    " gmbh",
    " ag",
    " sas",
    " sasu",
    " sa",
    " se",
    " bv",
    " nv",
    " corp",
    " corporation",
    " co",
    " plc",
    " oy",
    " ab",
    " as",
    " spa",
    " srl",
    " sarl",
    " pty",
    " kk",
)


@lru_cache(maxsize=65536)
def supplier_key(name: str) -> str:
    """'Amazon Web Services, Inc.' -> 'amazon web services inc'."""
    text = name.strip()
    for marker in ("Organization:", "Person:", "Tool:"):
        if text.startswith(marker):
            text = text[len(marker) :]
    text = re.sub(r"<[^>]*>|\([^)]*\)", " ", text)  # e-mail addresses and URLs in "Name <mail> (url)"
    return _NON_WORD.sub(" ", text.lower()).strip()


@lru_cache(maxsize=65536)
def supplier_key_bare(name: str) -> str:
    """The supplier key without legal-form suffixes: 'amazon web services inc' -> 'amazon web services'."""
    key = supplier_key(name)
    changed = True
    while changed:
        changed = False
        for suffix in _LEGAL_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix) + 1:
                key = key[: -len(suffix)].rstrip()
                changed = True
    return key


def purl_key(value: str) -> str | None:
    base, _ = purls.split(value)
    return base


def purl_prefix_key(value: str) -> str:
    """Prefixes cannot go through the purl parser (they are not complete purls)."""
    value = value.strip()
    if value.lower().startswith("pkg:pypi/"):
        head, tail = value[:9], value[9:]
        # keep a trailing separator: "google-cloud-" stays a prefix of "google-cloud-storage"
        value = head + re.sub(r"[_.]+", "-", tail)
    if value.lower().startswith("pkg:npm/@"):
        value = "pkg:npm/%40" + value[9:]
    return value.lower()


@lru_cache(maxsize=65536)
def repository_owner(url: str) -> str | None:
    """'git+https://github.com/aws/aws-sdk-js.git' -> 'github.com/aws'."""
    text = url.strip().lower()
    for prefix in ("git+", "scm:git:", "scm:", "git:"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    if "://" in text:
        text = text.split("://", 1)[1]
    elif text.startswith("git@"):
        text = text[4:].replace(":", "/", 1)
    elif text.startswith(("github:", "gitlab:", "bitbucket:")):
        host, _, rest = text.partition(":")
        text = f"{host}.{'org' if host == 'bitbucket' else 'com'}/{rest}"
    text = text.split("@", 1)[-1] if "@" in text.split("/", 1)[0] else text
    parts = [p for p in text.split("/") if p]
    if len(parts) < 2:
        return None
    host = parts[0].split(":", 1)[0].removeprefix("www.")
    return f"{host}/{parts[1]}"


def split_image(reference: str) -> tuple[str, str]:
    """'nginx:1.25' -> ('docker.io', 'docker.io/library/nginx'); keeps registry and repository."""
    ref = reference.strip().lower().split("@", 1)[0]
    first, sep, rest = ref.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        registry, path = "docker.io", ref
    if registry in ("index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"):
        registry = "docker.io"
    last_slash = path.rfind("/")
    colon = path.rfind(":")
    if colon > last_slash:
        path = path[:colon]
    if registry == "docker.io" and "/" not in path:
        path = f"library/{path}"
    return registry, f"{registry}/{path}"


def domain_key(value: str) -> str:
    """A host from a URL or a bare host name, lowercase, without port."""
    text = value.strip().lower()
    if "://" in text:
        text = text.split("://", 1)[1]
    text = text.split("/", 1)[0].split("@")[-1]
    return text.split(":", 1)[0].rstrip(".")
