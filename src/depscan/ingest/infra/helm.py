"""Helm charts: `Chart.yaml` / `Chart.lock` dependencies and the images of `values.yaml`.

- `Chart.yaml` (`apiVersion: v2`; `requirements.yaml` for v1 charts) lists
  the sub-charts a release pulls, with their repository: an `https://` chart
  repository (its host is the endpoint) or an `oci://` registry (the chart is
  an OCI artifact, so it also gets `Component.image` for the registry
  matcher). `file://` dependencies are the project's own charts. The chart's
  own `version` and `appVersion` describe the project, not a dependency.
  `Chart.lock` / `requirements.lock` give the resolved versions.
- `values.yaml` beside a `Chart.yaml`: the images the chart deploys, when
  written plainly (`image: {registry, repository, tag, digest}` or
  `image: "repo:tag"`). Values computed by templates cannot be known here.

Chart dependencies are `tooling` (packages the deployment pulls), ecosystem
`helm`; there is no purl type for Helm charts in the purl specification, so
they carry none.
"""

from __future__ import annotations

import re
from typing import Any

from depscan.errors import InputError
from depscan.ingest._yaml import key_line, line_of, load_one, mapping, sequence, text_of
from depscan.ingest.base import InputFile, Reader, ReadResult, endpoint_of, read_related, type_name
from depscan.ingest.infra.images import ComponentSet, comment_after, image_component, parse_image
from depscan.model import Component, Location

_TOP_API_VERSION = re.compile(r"^apiVersion\s*:\s*[\"']?v[12]\b", re.MULTILINE)
_TOP_KIND = re.compile(r"^kind\s*:", re.MULTILINE)
_TOP_NAME = re.compile(r"^name\s*:", re.MULTILINE)
_TOP_DEPENDENCIES = re.compile(r"^dependencies\s*:", re.MULTILINE)
_LOCK_FIELDS = re.compile(r"^(?:digest|generated)\s*:", re.MULTILINE)
_DEPENDENCY_REPOSITORY = re.compile(r"^\s*-?\s*repository\s*:", re.MULTILINE)
_EXACT_VERSION = re.compile(r"^v?\d+(?:\.\d+)*(?:[-+][0-9A-Za-z.+-]+)?$")
_VALUES_NAME = re.compile(r"^values(?:[.-][\w.-]+)?\.ya?ml$", re.IGNORECASE)
_IMAGE_KEY = re.compile(r"^[ \t]*image\s*:", re.MULTILINE)
_MAX_DEPTH = 64
#: what a partial `image:` override (`image: {tag: x}`, for a sub-chart) may set without naming the repository
_IMAGE_OVERRIDE_KEYS = ("tag", "digest", "registry", "pullPolicy", "pullSecrets", "imagePullPolicy")


class HelmChartReader(Reader):
    """`Chart.yaml`, `Chart.lock`, and the v1 `requirements.yaml` / `requirements.lock`."""

    format = "helm-chart"
    filenames = ("chart.yaml", "chart.yml", "chart.lock")

    def sniff(self, source: InputFile) -> bool:
        text = source.sniff_text()
        if text is None:
            return False
        if _TOP_KIND.search(text):
            return False  # a Kubernetes object, not a chart
        if _TOP_API_VERSION.search(text) and _TOP_NAME.search(text):
            return True
        return bool(_TOP_DEPENDENCIES.search(text) and _DEPENDENCY_REPOSITORY.search(text))

    def read(self, source: InputFile) -> ReadResult:
        document = load_one(source)
        if not isinstance(document, dict):
            raise source.error("not a Helm chart file: the document is not a mapping")
        locked = bool(document.get("digest") or document.get("generated"))
        found = ComponentSet()
        dependencies = document.get("dependencies")
        if dependencies is not None and not isinstance(dependencies, list):
            raise source.error("'dependencies' is not a list", key_line(document, "dependencies"))
        if dependencies is None and "dependencies" in document:
            source.warn("'dependencies' is empty: no chart dependency to read", key_line(document, "dependencies"))
        for entry in sequence(dependencies):
            if not isinstance(entry, dict):
                source.skip("a chart dependency", entry, key_line(document, "dependencies"))
                continue
            if text_of(entry.get("name")) is None:
                line = line_of(next((v for v in entry.values() if line_of(v)), None))
                source.warn(f"a chart dependency has no name (name is {type_name(entry.get('name'))}): not used", line)
                continue
            component = _chart_dependency(entry, source.display, locked)
            if component is not None:
                found.add(component)
        return found.result(self.format)


class HelmValuesReader(Reader):
    """`values.yaml` of a chart: the images it deploys by default."""

    format = "helm-values"
    filenames = ("values.yaml", "values.yml")

    def sniff(self, source: InputFile) -> bool:
        if not _VALUES_NAME.match(source.path.name):
            return False
        text = source.text_or_none()
        if text is None:
            return False
        in_chart = any((source.path.parent / name).is_file() for name in ("Chart.yaml", "Chart.yml", "chart.yaml"))
        return in_chart or bool(_IMAGE_KEY.search(text))

    def read(self, source: InputFile) -> ReadResult:
        document = load_one(source)
        if document is None:
            return ReadResult(self.format, [])
        if not isinstance(document, dict):
            raise source.error("not Helm values: the document is not a mapping")
        lines = source.text.splitlines()
        found = ComponentSet()
        app_version = _app_version(source)
        global_registry = text_of(mapping(document.get("global")).get("imageRegistry"))
        stack: list[tuple[Any, int]] = [(document, 0)]
        while stack:
            node, depth = stack.pop()
            if depth > _MAX_DEPTH:
                raise source.error(f"values nested deeper than {_MAX_DEPTH} levels")
            if isinstance(node, list):
                stack.extend((item, depth + 1) for item in node)
                continue
            if not isinstance(node, dict):
                continue
            for key, value in node.items():
                if key == "image":
                    component = _values_image(value, global_registry, app_version, source.display, lines)
                    if component is not None:
                        found.add(component)
                        continue
                    _explain_unused_image(source, node, value)
                if isinstance(value, (dict, list)):
                    stack.append((value, depth + 1))
        return found.result(self.format)


def _chart_dependency(entry: dict[Any, Any], display: str, locked: bool) -> Component | None:
    name = text_of(entry.get("name"))
    if name is None:
        return None
    repository = (text_of(entry.get("repository")) or "").strip()
    if repository.startswith("file://"):
        return None  # a chart of the project itself
    written_version = entry.get("version")
    version_text = str(written_version).strip() if isinstance(written_version, (str, int, float)) else ""
    exact = bool(_EXACT_VERSION.match(version_text))
    component = Component(
        name=name.strip(),
        version=version_text if exact else None,
        ecosystem="helm",
        kind="tooling",
        sources=[Location(display, line_of(name))],
        properties={"role": "chart-dependency"},
    )
    if version_text and not exact:
        component.properties["constraint"] = version_text
    if locked:
        component.properties["locked"] = True
    if repository.startswith("oci://"):
        reference = repository[len("oci://") :].rstrip("/") + "/" + name.strip()
        component.image = reference + (f":{version_text}" if exact else "")
        component.repository = None
        component.properties["repository"] = repository
    elif repository.startswith(("https://", "http://")):
        endpoint = endpoint_of(repository)
        component.endpoints = [endpoint] if endpoint else []
        component.properties["repository"] = repository
    elif repository:
        component.properties["repository"] = repository  # an alias (`@bitnami`) of a locally configured repository
    alias = text_of(entry.get("alias"))
    if alias:
        component.properties["alias"] = alias.strip()
    return component


def _app_version(source: InputFile) -> str | None:
    """The `appVersion` of the chart beside a values file: Helm's usual default image tag."""
    for name in ("Chart.yaml", "Chart.yml", "chart.yaml"):
        path = source.path.parent / name
        if path.is_file():
            data = read_related(path, source.display)
            if data is None:
                return None
            try:
                chart = load_one(InputFile(path, str(path), data))
            except InputError:
                return None
            value = mapping(chart).get("appVersion")
            return (str(value).strip() or None) if isinstance(value, (str, int, float)) else None
    return None


def _explain_unused_image(source: InputFile, owner: dict[Any, Any], value: Any) -> None:
    """Warn about an `image:` that could not be used, unless it is a partial override (`image: {tag: x}`), which
    a values file of an umbrella chart writes for its sub-charts and which names no image on its own."""
    line = key_line(owner, "image")
    if isinstance(value, str):
        if value.strip():
            source.warn(f"image {value!r} is not an image reference: not used", line_of(value) or line)
    elif isinstance(value, dict):
        named = "repository" if "repository" in value else "name" if "name" in value else None
        written = value.get(named) if named else None
        if named is not None and not isinstance(written, str):
            source.skip(f"an image's {named!r}", written, line)
        elif isinstance(written, str) and written.strip():
            source.warn(f"image {written!r} is not an image reference: not used", line_of(written) or line)
        elif named is None and not any(key in value for key in _IMAGE_OVERRIDE_KEYS):
            source.warn("'image' names no repository and overrides nothing known: not used", line)
    else:
        source.skip("'image'", value, line)


def _values_image(
    value: Any, global_registry: str | None, app_version: str | None, display: str, lines: list[str]
) -> Component | None:
    defaulted = False
    if isinstance(value, str):
        image = parse_image(value)
        line = line_of(value)
    elif isinstance(value, dict):
        repository = text_of(value.get("repository")) or text_of(value.get("name"))
        if repository is None:
            return None
        registry = text_of(value.get("registry")) or global_registry
        tag = value.get("tag")
        tag_text = str(tag).strip() if isinstance(tag, (str, int, float)) and not isinstance(tag, bool) else ""
        digest = text_of(value.get("digest"))
        reference = repository.strip()
        if registry and not reference.startswith(registry.strip().rstrip("/") + "/"):
            reference = f"{registry.strip().rstrip('/')}/{reference}"
        if not tag_text and not text_of(value.get("digest")) and app_version and "tag" in value:
            tag_text, defaulted = app_version, True  # `tag: ""` -> `.Chart.AppVersion` in Helm's starter chart
        if tag_text:
            reference += f":{tag_text}"
        if digest:
            reference += f"@{digest.strip()}"
        image = parse_image(reference)
        line = line_of(repository)
    else:
        return None
    if image is None:
        return None
    component = image_component(image, display, line, "runtime", note=comment_after(lines, line))
    if defaulted:
        component.properties["tag_from"] = "Chart.yaml appVersion"
    return component
