"""Docker Compose files (`compose.yaml`, `docker-compose.yml` and their variants): the images services pull.

Each service's `image:` is a dependency, kind `infrastructure` with role
`runtime`: it runs the application (see `images`). Not dependencies: services with `build:` (their `image:` is
the name given to the local build) and services that use an image another
service of the file builds, or that say `pull_policy: build|never`; the
Dockerfile of a build context is read on its own when it is scanned.

Compose interpolation is applied as Compose does it: `${VAR}`, `$VAR`,
`${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `$$` for a dollar,
with values from the `.env` file beside the compose file. The process
environment is deliberately ignored, so that a scan does not depend on who
runs it. A reference still unresolved after that is skipped.

Compose files without a top-level `services:` (the version 1 format) are
read when the file name says it is a compose file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from depscan.ingest._yaml import line_of, load_one, mapping, text_of
from depscan.ingest.base import InputFile, Reader, ReadResult, read_related
from depscan.ingest.infra.images import (
    ComponentSet,
    comment_after,
    image_component,
    parse_image,
    without_unresolved_tag,
)
from depscan.model import Component, Location

_NAME_HINT = re.compile(r"^(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml$", re.IGNORECASE)
_TOP_SERVICES = re.compile(r"^services\s*:", re.MULTILINE)
_SERVICE_KEY = re.compile(r"^[ \t]+(?:image|build)\s*:", re.MULTILINE)
_NOT_COMPOSE = re.compile(r"^(?:apiVersion|jobs|stages|on)\s*:", re.MULTILINE)
_INTERPOLATION = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$")
_MAX_ENV_BYTES = 1 << 20
_UNRESOLVED = "\x00"


class ComposeReader(Reader):
    format = "docker-compose"
    filenames = (
        "compose.yml",
        "compose.yaml",
        "compose.*.yml",
        "compose.*.yaml",
        "docker-compose.yml",
        "docker-compose.yaml",
        "docker-compose.*.yml",
        "docker-compose.*.yaml",
        "docker-compose-*.yml",
        "docker-compose-*.yaml",
    )

    def sniff(self, source: InputFile) -> bool:
        if source.head.startswith((b"<", b"[")):
            return False
        text = source.text_or_none()
        if text is None:
            return False
        if _NOT_COMPOSE.search(text):
            return False
        if _TOP_SERVICES.search(text):
            return True
        return bool(_NAME_HINT.match(source.path.name) and _SERVICE_KEY.search(text))

    def read(self, source: InputFile) -> ReadResult:
        document = load_one(source)
        if document is None:
            return ReadResult(self.format, [])
        if not isinstance(document, dict):
            raise source.error("not a Compose file: the document is not a mapping")
        services = document.get("services")
        if services is None and "services" not in document and _NAME_HINT.match(source.path.name):
            services = {k: v for k, v in document.items() if isinstance(v, dict) and ("image" in v or "build" in v)}
        if services is None:
            if "services" in document:
                source.warn("'services' is empty: no service to read", line_of("services"))
            services = {}
        if not isinstance(services, dict):
            raise source.error("not a Compose file: 'services' is not a mapping")
        environment = _dotenv(source.path.parent / ".env")
        lines = source.text.splitlines()
        built = {
            _interpolate(image, environment)
            for service in services.values()
            if isinstance(service, dict) and service.get("build") is not None
            for image in [text_of(service.get("image"))]
            if image
        }
        found = ComponentSet()
        for service_name, service in services.items():
            if not isinstance(service, dict):
                source.skip(f"service {service_name!r}", service, line_of(service_name))
                continue
            build = service.get("build")
            remote_context = _remote_context(build)
            if remote_context:
                found.add(_context_component(remote_context, source.display))
            written = text_of(service.get("image"))
            if written is None and build is None and "image" in service:
                source.skip(f"image of service {service_name!r}", service["image"], line_of(service_name))
                continue
            if written is None or build is not None:
                continue
            reference = _interpolate(written, environment)
            policy = str(service.get("pull_policy") or "").lower()
            if reference in built or policy in ("build", "never"):
                continue
            if _UNRESOLVED in reference:
                # `grafana/loki:${LOKI_VERSION}`: the image is known, its tag is not
                kept = without_unresolved_tag(source, reference, _UNRESOLVED, line_of(written), shown=written)
                if kept is None:
                    continue
                reference = kept
            image = parse_image(reference)
            if image is None:
                source.warn(f"image {written!r} is not an image reference: not used", line_of(written))
                continue
            platform = text_of(service.get("platform"))
            line = line_of(written)
            found.add(image_component(image, source.display, line, "runtime", platform, comment_after(lines, line)))
        return found.result(self.format)


def _interpolate(text: str, environment: dict[str, str]) -> str:
    """Compose's variable interpolation; an unresolvable variable leaves a marker that no image can contain."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        operator, word = match.group(2), match.group(3)
        value = environment.get(name)
        if operator == ":-":
            return value if value else word
        if operator == "-":
            return value if value is not None else word
        if operator == ":+":
            return word if value else ""
        if operator == "+":
            return word if value is not None else ""
        return value if value is not None else _UNRESOLVED

    return _INTERPOLATION.sub(replace, text)


def _dotenv(path: Path) -> dict[str, str]:
    """`KEY=value` lines of the `.env` file Compose reads by default; absent or unreadable means none."""
    data = read_related(path, str(path), _MAX_ENV_BYTES)
    if data is None:
        return {}
    text = data.decode("utf-8", errors="replace")
    values: dict[str, str] = {}
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        match = _ENV_LINE.match(line)
        if not match:
            continue
        value = match.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        else:
            value = value.split(" #", 1)[0].strip()
        values[match.group(1)] = value
    return values


def _remote_context(build: Any) -> str | None:
    """A build context fetched from a Git repository or URL rather than the local tree."""
    context = build if isinstance(build, str) else mapping(build).get("context")
    if isinstance(context, str) and context.startswith(("https://", "http://", "git@", "git://", "github.com/")):
        return context
    return None


def _context_component(url: str, display: str) -> Component:
    return Component(
        name=url.split("#", 1)[0],
        version=url.split("#", 1)[1] if "#" in url else None,
        ecosystem="generic",
        kind="tooling",
        repository=url.split("#", 1)[0],
        sources=[Location(display, line_of(url))],
        properties={"role": "build-context"},
    )
