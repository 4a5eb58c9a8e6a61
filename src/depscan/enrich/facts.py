"""What enrichment learns about one package, and how it is merged into a component.

Every fact carries where it came from, and merging never overwrites what the
input declared: a report must be able to tell a licence the SBOM declared
from one depscan read from an installed package or asked a registry for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import getaddresses
from functools import lru_cache

from depscan import licenses
from depscan.model import Component

#: Component.properties key holding, per enriched field, the evidence of where its value came from
PROVENANCE = "provenance"
#: Component.properties key that resolve.resolve turns into License.evidence
LICENSE_EVIDENCE = "license_evidence"

SOURCE_INSTALLED = "installed metadata"

_MAX_SUPPLIERS = 5
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "git.sr.ht", "salsa.debian.org")
_NOT_A_REPOSITORY = ("sponsors", "orgs", "apps", "marketplace", "features", "topics", "collections")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")


@dataclass(slots=True, frozen=True)
class Facts:
    """Licence, publisher and repository of one package version, as one source tells them."""

    source: str  # "installed metadata", "registry (pypi)", "deps.dev", "ClearlyDefined"
    location: str = ""  # the file read or the URL asked, so the claim can be checked
    licenses: tuple[str, ...] = ()  # raw declared strings, normalised later by depscan.licenses
    suppliers: tuple[str, ...] = ()  # publisher, author or maintainer names
    repository: str | None = None  # source repository URL
    notes: tuple[str, ...] = field(default=())  # e.g. "licence recognised from the text of LICENSE"

    @property
    def evidence(self) -> str:
        """'installed metadata: .venv/.../METADATA': the source first, then what to look at."""
        text = f"{self.source}: {self.location}" if self.location else self.source
        return f"{text} ({'; '.join(self.notes)})" if self.notes else text

    @property
    def empty(self) -> bool:
        return not (self.licenses or self.suppliers or self.repository)


def license_known(component: Component) -> bool:
    """Whether the component already has a usable licence (declared, concluded or enriched)."""
    if not component.declared_licenses:
        return False
    return licenses.classify(component.declared_licenses).expression is not None


def publisher_known(component: Component) -> bool:
    """Whether something tells who publishes the component: a supplier name or a source repository."""
    return bool(component.suppliers or component.repository)


def needs_enrichment(component: Component) -> bool:
    return not license_known(component) or not publisher_known(component)


def apply(component: Component, facts: Facts) -> list[str]:
    """Fill what the component lacks from `facts`; return the names of the fields filled.

    Declared data always wins: a field is only set when the input said nothing
    usable, and each field set records its evidence under properties["provenance"].
    """
    filled: list[str] = []
    provenance: dict[str, str] = component.properties.setdefault(PROVENANCE, {})
    if facts.licenses and not license_known(component):
        component.declared_licenses = list(facts.licenses)
        component.properties[LICENSE_EVIDENCE] = facts.evidence
        provenance["license"] = facts.evidence
        filled.append("license")
    if facts.suppliers and not component.suppliers:
        component.suppliers = list(facts.suppliers)
        provenance["suppliers"] = facts.evidence
        filled.append("suppliers")
    if facts.repository and not component.repository:
        component.repository = facts.repository
        provenance["repository"] = facts.evidence
        filled.append("repository")
    if not provenance:
        del component.properties[PROVENANCE]
    return filled


# -- normalising what packages say ---------------------------------------------


def people(*values: str | None) -> tuple[str, ...]:
    """Names from author/maintainer fields ('A <a@x>, B <b@y>', 'Name', 'Name <mail> (url)').

    E-mail addresses alone are not names and are dropped; duplicates go, order stays.
    """
    names: list[str] = []
    for value in values:
        if not value or not isinstance(value, str):
            continue
        for name in _names_in(value.strip()):
            if name not in names:
                names.append(name)
    return tuple(names[:_MAX_SUPPLIERS])


@lru_cache(maxsize=4096)
def _names_in(value: str) -> tuple[str, ...]:
    text = re.sub(r"\([^)]*\)", " ", value)  # npm's "Name <mail> (url)"
    if "<" not in text and "@" not in text:
        # a plain list of names; commas inside one organisation name ("Foo, Inc.") are rare enough
        return tuple(n for n in (" ".join(text.split()),) if n)
    found: list[str] = []
    for name, address in getaddresses([text]):
        name = " ".join(name.replace('"', " ").split())
        if name and not _EMAIL.match(name):
            found.append(name)
        elif not name and address and not _EMAIL.match(address):
            found.append(address)
    return tuple(found)


@lru_cache(maxsize=4096)
def repository_url(url: str | None) -> str | None:
    """A code-hosting URL reduced to its repository, or None for anything else.

    'https://github.com/a/b/tree/main/pkg' -> 'https://github.com/a/b';
    'git+https://github.com/a/b.git' -> 'https://github.com/a/b';
    npm's 'a/b' and 'github:a/b' shorthands -> 'https://github.com/a/b'.
    A documentation site or a sponsor page is not a repository.
    """
    if not url or not isinstance(url, str):
        return None
    text = url.strip()
    lowered = text.lower()
    for prefix in ("git+", "scm:git:", "scm:"):
        if lowered.startswith(prefix):
            text, lowered = text[len(prefix) :], lowered[len(prefix) :]
    if lowered.startswith(("github:", "gitlab:", "bitbucket:")):
        host, _, rest = text.partition(":")
        text = f"https://{host.lower()}.{'org' if host.lower() == 'bitbucket' else 'com'}/{rest}"
    elif lowered.startswith("git@"):
        text = "https://" + text[4:].replace(":", "/", 1)
    elif re.fullmatch(r"[\w.-]+/[\w.-]+", text):
        text = f"https://github.com/{text}"  # npm's owner/name shorthand
    elif "://" not in text:
        return None
    scheme, _, rest = text.partition("://")
    if scheme.lower() not in ("https", "http", "git", "ssh"):
        return None
    host_part, _, path = rest.partition("/")
    host = host_part.rsplit("@", 1)[-1].split(":", 1)[0].lower().removeprefix("www.")
    if host not in _CODE_HOSTS:
        return None
    path = path.split("#", 1)[0].split("?", 1)[0]
    segments = [s for s in path.split("/") if s]
    if host == "gitlab.com" and "-" in segments:
        segments = segments[: segments.index("-")]  # gitlab groups nest: cut at the '/-/' separator
    elif host == "gitlab.com":
        segments = segments[:2] if len(segments) > 2 and segments[2] in ("tree", "blob", "issues") else segments
    else:
        segments = segments[:2]
    if len(segments) < 2 or segments[0].lower() in _NOT_A_REPOSITORY:
        return None
    segments[-1] = segments[-1].removesuffix(".git")
    return f"https://{host}/{'/'.join(segments)}"
