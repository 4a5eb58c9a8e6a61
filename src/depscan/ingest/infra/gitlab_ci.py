"""GitLab CI/CD pipelines (`.gitlab-ci.yml`): job images, services, includes, hosted runners.

- `image:` and `services:` (strings or `{name: ...}`), global, under
  `default:` and per job (hidden `.template` jobs included: `extends` uses
  them). `$VARIABLES` are substituted from the pipeline's and the job's
  `variables:`; a reference that stays unresolved (`$CI_REGISTRY_IMAGE`, set
  by GitLab at run time) is skipped.
- `include:`: `remote:` URLs (fetched at pipeline creation: their host is the
  dependency), `template:` (shipped by GitLab, Inc.), `component:` (CI/CD
  catalog components, `host/path@version`) and `project:` files from other
  projects. `local:` files are the project's own.
- `tags:` naming GitLab-hosted runners (`saas-linux-*`, `saas-macos-*`,
  `saas-windows-*`): machines operated by GitLab, Inc. that build the
  application; other tags select the organisation's own runners.

Everything is `tooling`: the build chain, hosted runners included.
"""

from __future__ import annotations

import re
from typing import Any

from depscan.ingest._yaml import line_of, load_one, mapping, sequence, text_of
from depscan.ingest.base import InputFile, Reader, ReadResult, endpoint_of
from depscan.ingest.infra.images import ComponentSet, comment_after, image_component, parse_image
from depscan.model import Component, Location

GITLAB_SUPPLIER = "GitLab Inc."
#: keys at the top of a pipeline that are not jobs
_GLOBAL_KEYWORDS = {
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "spec",
}
_NAME_HINT = re.compile(r"(^|[./])gitlab-ci\.ya?ml$", re.IGNORECASE)
_TOP_STAGES = re.compile(r"^(?:stages|include)\s*:", re.MULTILINE)
_SCRIPT = re.compile(r"^[ \t]+(?:script|stage|extends)\s*:", re.MULTILINE)
#: top-level keys of other YAML formats with stages and scripts: GitHub Actions, Kubernetes, Compose, Azure Pipelines
_OTHER_FORMAT = re.compile(r"^(?:jobs|on|apiVersion|services|trigger|pool|pr)\s*:", re.MULTILINE)
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_HOSTED_RUNNER = re.compile(r"^saas-(?:linux|macos|windows)-[a-z0-9-]+$", re.IGNORECASE)
_MAX_SUBSTITUTIONS = 10


class GitLabCiReader(Reader):
    format = "gitlab-ci"
    filenames = (".gitlab-ci.yml", ".gitlab-ci.yaml", "*.gitlab-ci.yml", "*.gitlab-ci.yaml")

    def sniff(self, source: InputFile) -> bool:
        text = source.sniff_text()
        if text is None:
            return False
        if _NAME_HINT.search(source.path.name):
            return True
        return bool(_TOP_STAGES.search(text) and _SCRIPT.search(text) and not _OTHER_FORMAT.search(text))

    def read(self, source: InputFile) -> ReadResult:
        document = load_one(source)
        if document is None:
            return ReadResult(self.format, [])
        if not isinstance(document, dict):
            raise source.error("not a GitLab CI pipeline: the document is not a mapping")
        lines = source.text.splitlines()
        found = ComponentSet()
        global_variables = _variables(document.get("variables"))
        self._images(source, lines, document, global_variables, found)
        self._images(source, lines, mapping(document.get("default")), global_variables, found)
        self._runner_tags(source, mapping(document.get("default")).get("tags"), found)
        self._includes(source, document.get("include"), found)
        for name, job in document.items():
            if name in _GLOBAL_KEYWORDS or not isinstance(job, dict):
                continue
            variables = {**global_variables, **_variables(job.get("variables"))}
            self._images(source, lines, job, variables, found)
            self._runner_tags(source, job.get("tags"), found)
            trigger = job.get("trigger")
            if isinstance(trigger, dict):
                self._includes(source, trigger.get("include"), found)
        return found.result(self.format)

    def _images(
        self,
        source: InputFile,
        lines: list[str],
        holder: dict[Any, Any],
        variables: dict[str, str],
        found: ComponentSet,
    ) -> None:
        image = holder.get("image")
        if image is not None:
            self._image(source, lines, image, variables, "ci-image", found)
        for service in sequence(holder.get("services")):
            self._image(source, lines, service, variables, "ci-service", found)

    def _image(
        self,
        source: InputFile,
        lines: list[str],
        declaration: Any,
        variables: dict[str, str],
        role: str,
        found: ComponentSet,
    ) -> None:
        written = declaration.get("name") if isinstance(declaration, dict) else declaration
        if not isinstance(written, str):
            return
        platform = None
        if isinstance(declaration, dict):
            platform = text_of(mapping(declaration.get("docker")).get("platform"))
        image = parse_image(_substitute(written, variables))
        if image is not None:
            line = line_of(written)
            found.add(image_component(image, source.display, line, role, platform, comment_after(lines, line)))

    def _runner_tags(self, source: InputFile, tags: Any, found: ComponentSet) -> None:
        for tag in sequence(tags):
            if isinstance(tag, str) and _HOSTED_RUNNER.match(tag.strip()):
                found.add(_runner_component(tag.strip(), source.display, line_of(tag)))

    def _includes(self, source: InputFile, include: Any, found: ComponentSet) -> None:
        entries = include if isinstance(include, list) else [include]
        for entry in entries:
            if isinstance(entry, str):
                value = entry.strip()
                if value.startswith(("http://", "https://")):
                    found.add(_remote_include(value, source.display, line_of(entry)))
                continue  # a bare path is a local include
            if not isinstance(entry, dict):
                continue
            remote = text_of(entry.get("remote"))
            if remote:
                found.add(_remote_include(remote.strip(), source.display, line_of(remote)))
            template = text_of(entry.get("template"))
            if template:
                found.add(
                    Component(
                        name=template.strip(),
                        ecosystem="gitlab-ci",
                        kind="tooling",
                        suppliers=[GITLAB_SUPPLIER],
                        sources=[Location(source.display, line_of(template))],
                        properties={"include": "template"},
                    )
                )
            component = text_of(entry.get("component"))
            if component:
                found.add(_catalog_component(component.strip(), source.display, line_of(component)))
            project = text_of(entry.get("project"))
            if project:
                files = entry.get("file") if isinstance(entry.get("file"), list) else [entry.get("file")]
                for file in files:
                    found.add(
                        _project_include(project.strip(), file, entry.get("ref"), source.display, line_of(project))
                    )


def _variables(value: Any) -> dict[str, str]:
    """`variables:` values as strings (`KEY: value` or `KEY: {value: ..., description: ...}`)."""
    variables: dict[str, str] = {}
    for name, entry in mapping(value).items():
        if isinstance(entry, dict):
            entry = entry.get("value")
        if isinstance(name, str) and isinstance(entry, str):
            variables[name] = entry
    return variables


def _substitute(text: str, variables: dict[str, str]) -> str:
    """Expand `$VAR`/`${VAR}` (variables may refer to others, a few levels deep); unknown ones stay."""
    for _ in range(_MAX_SUBSTITUTIONS):
        expanded = _VARIABLE.sub(lambda m: variables.get(m.group(1) or m.group(2), m.group(0)), text)
        if expanded == text:
            break
        text = expanded
    return text


def _runner_component(tag: str, display: str, line: int | None) -> Component:
    return Component(
        name=tag,
        ecosystem="gitlab-runner",
        kind="tooling",  # a hosted CI runner builds the application: the build chain
        suppliers=[GITLAB_SUPPLIER],
        sources=[Location(display, line)],
        properties={"runner": "gitlab-hosted"},
    )


def _remote_include(url: str, display: str, line: int | None) -> Component:
    endpoint = endpoint_of(url)
    return Component(
        name=url,
        ecosystem="gitlab-ci",
        kind="tooling",
        endpoints=[endpoint] if endpoint else [],
        sources=[Location(display, line)],
        properties={"include": "remote"},
    )


def _catalog_component(reference: str, display: str, line: int | None) -> Component:
    """`gitlab.com/components/sast/sast@2.0` or `$CI_SERVER_FQDN/group/project/name@1.0`."""
    path, _, version = reference.partition("@")
    host = path.split("/", 1)[0]
    component = Component(
        name=path,
        version=version or None,
        ecosystem="gitlab-ci",
        kind="tooling",
        sources=[Location(display, line)],
        properties={"include": "component"},
    )
    if "$" not in host and "." in host:
        project = path.rsplit("/", 1)[0]
        component.repository = f"https://{project}"
        component.endpoints = [f"https://{host}/"]
    else:
        component.properties["instance"] = "same GitLab instance"
    return component


def _project_include(project: str, file: Any, ref: Any, display: str, line: int | None) -> Component:
    version = ref.strip() if isinstance(ref, str) and ref.strip() else None
    name = f"{project}:{file.strip()}" if isinstance(file, str) and file.strip() else project
    return Component(
        name=name,
        version=version,
        ecosystem="gitlab-ci",
        kind="tooling",
        sources=[Location(display, line)],
        properties={"include": "project", "instance": "same GitLab instance"},
    )
