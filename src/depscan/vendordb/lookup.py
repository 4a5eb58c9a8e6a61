"""`depscan db lookup`: answer for one free-form query by trying what it can be."""

from __future__ import annotations

import re

from depscan.model import Component, VendorMatch
from depscan.vendordb.database import VendorDatabase

_ACTION = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@\S+$")
_PROVIDER = re.compile(r"^(registry\.terraform\.io/)?[a-z0-9-]+/[a-z0-9-]+$")
_HOST = re.compile(r"^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def interpretations(query: str) -> list[Component]:
    """The components a query may stand for, most likely first."""
    text = query.strip()
    if text.lower().startswith("pkg:"):
        return [Component(name=text, purl=text)]
    candidates: list[Component] = []
    if "://" in text or text.startswith("git@"):
        candidates.append(Component(name=text, repository=text))
        candidates.append(Component(name=text, endpoints=[text]))
        return candidates
    if _ACTION.match(text):
        candidates.append(Component(name=text, action=text))
    if _PROVIDER.match(text):
        candidates.append(Component(name=text, terraform_provider=text))
    if _HOST.match(text):
        candidates.append(Component(name=text, endpoints=[text]))
    if "/" in text and " " not in text:
        candidates.append(Component(name=text, image=text))
        candidates.append(Component(name=text, repository=f"https://{text}"))
    elif ":" in text and " " not in text:
        candidates.append(Component(name=text, image=text))
    candidates.append(Component(name=text, suppliers=[text]))
    return candidates


def _explicit_image(text: str) -> bool:
    """'nginx:1.27' or 'ghcr.io/org/app' name an image; a bare 'owner/name' may be anything."""
    first = text.split("/", 1)[0]
    return ":" in text or "@sha256:" in text or "." in first or first == "localhost"


def lookup(database: VendorDatabase, query: str) -> VendorMatch | None:
    text = query.strip()
    for component in interpretations(text):
        match = database.resolve(component)
        if match is None:
            continue
        if component.image and match.match_key == "container_registry" and not _explicit_image(text):
            # only the default registry matched: 'owner/name' is not known to be a Docker Hub image
            continue
        return match
    return None
