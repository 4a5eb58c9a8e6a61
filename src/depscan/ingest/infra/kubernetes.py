"""Kubernetes manifests: the container images of every pod a manifest would run.

Any YAML stream (multi-document, or a `kind: List`) whose documents carry
`apiVersion` and `kind`. Pod specs sit at different depths depending on the
kind (Pod `spec`, Deployment/StatefulSet/DaemonSet/ReplicaSet/Job
`spec.template.spec`, CronJob `spec.jobTemplate.spec.template.spec`, and
custom resources such as Argo Rollouts or Knative Services that embed the
same shape), so the documents are walked and every `containers`,
`initContainers` and `ephemeralContainers` list contributes its images.
Kustomize's `kustomization.yaml` contributes its `images:` overrides
(`newName`/`newTag`/`digest`).

Helm templates (`templates/*.yaml`) are not YAML until rendered; when a file
does not parse and contains template markup, its literal `image:` lines are
read one by one and the templated ones skipped. Rendering the chart
(`helm template`) and scanning the output gives the complete answer.

Images are runtime `infrastructure` with role `runtime` (see `images`).
"""

from __future__ import annotations

import re
from typing import Any

from depscan.errors import InputError
from depscan.ingest._yaml import first_line, key_line, line_of, load_all, text_of
from depscan.ingest.base import InputFile, Reader, ReadResult, type_name
from depscan.ingest.infra.images import ComponentSet, comment_after, image_component, parse_image

_TOP_API_VERSION = re.compile(r"^apiVersion\s*:\s*\S", re.MULTILINE)
#: kustomize's own kinds (a `Component` carries `images:` overrides as a `Kustomization` does)
_KUSTOMIZE_KINDS = ("Kustomization", "Component")
_KUSTOMIZE_API = "kustomize.config.k8s.io/"
_TOP_KIND = re.compile(r"^kind\s*:\s*\S", re.MULTILINE)
_JSON_API_VERSION = re.compile(rb'"apiVersion"\s*:')
_JSON_KIND = re.compile(rb'"kind"\s*:')
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
_TEMPLATE_IMAGE_LINE = re.compile(r"^[ \t-]*image\s*:\s*(?P<value>\"[^\"]*\"|'[^']*'|[^#\s][^#]*?)\s*(?:#.*)?$")
_MAX_DEPTH = 128


class KubernetesReader(Reader):
    format = "kubernetes"
    filenames = (
        "*deployment.yaml",
        "*deployment.yml",
        "*statefulset.yaml",
        "*statefulset.yml",
        "*daemonset.yaml",
        "*daemonset.yml",
        "*cronjob.yaml",
        "*cronjob.yml",
        "kustomization.yaml",
        "kustomization.yml",
        "k8s/*.yaml",
        "k8s/*.yml",
        "kubernetes/*.yaml",
        "kubernetes/*.yml",
    )

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if head.startswith(b"<"):
            return False
        if head.startswith(b"{"):
            return bool(_JSON_API_VERSION.search(head) and _JSON_KIND.search(head))
        text = source.text_or_none()
        if text is None:
            return False
        return bool(_TOP_API_VERSION.search(text) and _TOP_KIND.search(text))

    def read(self, source: InputFile) -> ReadResult:
        lines = source.text.splitlines()
        try:
            documents = load_all(source)
        except InputError:
            if "{{" not in source.text:
                raise
            return self._read_template(source, lines)
        found = ComponentSet()
        objects = 0
        for document in documents:
            for item in _objects(source, document):
                objects += 1
                if not isinstance(item.get("kind"), str):
                    source.warn(
                        f"an object's 'kind' is {type_name(item.get('kind'))}: object not read", key_line(item, "kind")
                    )
                elif item.get("kind") in _KUSTOMIZE_KINDS:
                    self._kustomize_images(source, lines, item, found)
                elif str(item.get("apiVersion")).startswith(_KUSTOMIZE_API):
                    source.warn(
                        f"kustomize kind {item['kind']!r} is not known: object not read", key_line(item, "kind")
                    )
                else:
                    self._pod_images(source, lines, item, found)
        if documents and not objects:
            raise source.error("no Kubernetes object (apiVersion and kind) in this YAML file")
        return found.result(self.format)

    def _pod_images(self, source: InputFile, lines: list[str], item: dict[Any, Any], found: ComponentSet) -> None:
        stack: list[tuple[Any, int]] = [(item, 0)]
        while stack:
            node, depth = stack.pop()
            if depth > _MAX_DEPTH:
                raise source.error(f"manifest nested deeper than {_MAX_DEPTH} levels")
            if isinstance(node, list):
                stack.extend((child, depth + 1) for child in node)
                continue
            if not isinstance(node, dict):
                continue
            for key, value in node.items():
                if key in _CONTAINER_LISTS and isinstance(value, list):
                    for container in value:
                        if isinstance(container, dict):
                            self._container(source, lines, container, found)
                        else:
                            source.skip(f"an entry of {key!r}", container, line_of(key))
                elif isinstance(value, (dict, list)):
                    stack.append((value, depth + 1))

    def _container(self, source: InputFile, lines: list[str], container: dict[Any, Any], found: ComponentSet) -> None:
        if "image" in container and not isinstance(container["image"], str):
            source.skip("a container's 'image'", container["image"], key_line(container, "image"))
            return
        written = text_of(container.get("image"))
        if written is None:
            return
        image = parse_image(written)
        if image is None:
            source.warn(f"image {written!r} is not an image reference: not used", line_of(written))
        else:
            line = line_of(written)
            found.add(image_component(image, source.display, line, "runtime", note=comment_after(lines, line)))

    def _kustomize_images(self, source: InputFile, lines: list[str], item: dict[Any, Any], found: ComponentSet) -> None:
        for entry in source.list_at(item, "images", key_line(item, "images")):
            if not isinstance(entry, dict):
                source.skip("an entry of 'images'", entry, key_line(item, "images"))
                continue
            name = text_of(entry.get("newName")) or text_of(entry.get("name"))
            if name is None:
                source.warn("an entry of 'images' has no name: not used", first_line(*entry))
                continue
            reference = name.strip()
            tag = entry.get("newTag")
            if isinstance(tag, (str, int, float)) and not isinstance(tag, bool) and str(tag).strip():
                reference += f":{str(tag).strip()}"
            digest = text_of(entry.get("digest"))
            if digest:
                reference += f"@{digest.strip()}"
            image = parse_image(reference)
            if image is None:
                source.warn(f"image {reference!r} is not an image reference: not used", line_of(name))
            else:
                line = line_of(name)
                found.add(image_component(image, source.display, line, "runtime", note=comment_after(lines, line)))

    def _read_template(self, source: InputFile, lines: list[str]) -> ReadResult:
        """A Helm template: literal `image:` values only, line by line."""
        found = ComponentSet()
        for number, text in enumerate(lines, start=1):
            match = _TEMPLATE_IMAGE_LINE.match(text)
            if not match:
                continue
            value = match.group("value").strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            image = parse_image(value)
            if image is not None:
                found.add(image_component(image, source.display, number, "runtime", note=comment_after(lines, number)))
        return found.result(self.format)


def _objects(source: InputFile, document: Any) -> list[dict[Any, Any]]:
    """The Kubernetes objects of one YAML document: itself, or the items of a `List`."""
    if not isinstance(document, dict) or "kind" not in document or "apiVersion" not in document:
        return []
    kind = document.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and "items" in document:
        items = source.list_at(document, "items", key_line(document, "items"))
        for item in items:
            if not isinstance(item, dict):
                source.skip("an item of a List", item, key_line(document, "items"))
        return [item for item in items if isinstance(item, dict)]
    return [document]
