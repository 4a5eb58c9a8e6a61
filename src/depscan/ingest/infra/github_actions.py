"""GitHub Actions workflows (`.github/workflows/*.yml`) and action metadata files (`action.yml`).

What a workflow depends on, beyond the code it builds:

- actions, `uses: owner/repo[/path]@ref` in steps, and reusable workflows,
  `uses:` at job level: code GitHub runs with the job's token and secrets.
  purl `pkg:github/owner/repo@ref` (`#path` for an action in a sub-folder);
  `Component.action` is `owner/repo[/path]@ref` for the vendor matcher.
  Local actions and workflows (`./...`) are the project's own and skipped.
- `docker://image` actions and the images of `container:` and `services:`.
- the machines: `runs-on` labels of GitHub-hosted runners (`ubuntu-*`,
  `windows-*`, `macos-*`) are machines operated by GitHub, Inc. that build
  the application: the build chain (`tooling`), where the code and its
  secrets are processed; the component names GitHub, Inc. as
  supplier so the matcher attributes it. A few well-known third-party runner
  services are recognised by their label prefix the same way. Self-hosted
  runners and custom labels are the organisation's own machines: not a
  vendor dependency.

`${{ matrix.x }}` is expanded from the job's `strategy.matrix` (its lists and
its `include` entries) and, in other expressions, quoted literals that look
like hosted-runner labels are taken as the possible values
(`${{ vars.RUNS_ON || 'ubuntu-latest' }}`). Whatever stays an expression is
skipped: nothing can be said about it.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from packageurl import PackageURL

from depscan.ingest._yaml import key_line, line_of, load_one, mapping, sequence, text_of
from depscan.ingest.base import InputFile, Reader, ReadResult
from depscan.ingest.infra.images import ComponentSet, comment_after, image_component, parse_image
from depscan.model import Component, Location

_TOP_JOBS = re.compile(r"^jobs\s*:", re.MULTILINE)
_TOP_ON = re.compile(r"^(?:on|\"on\"|'on'|true)\s*:", re.MULTILINE)
_TOP_RUNS = re.compile(r"^runs\s*:", re.MULTILINE)
_USING = re.compile(r"^\s+using\s*:", re.MULTILINE)
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_MATRIX_REFERENCE = re.compile(r"\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}")
_QUOTED_LITERAL = re.compile(r"'((?:[^']|'')*)'")
#: the values of the `cond && 'a' || 'b'` idiom: literals right after && or ||
_ALTERNATIVE_LITERAL = re.compile(r"(?:&&|\|\|)\s*'((?:[^']|'')*)'")
_ACTION = re.compile(r"^([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)((?:/[^@\s]+)?)(?:@(\S+))?$")
_COMMIT_SHA = re.compile(r"^[0-9a-f]{40}$")
#: GitHub-hosted runner images and their larger/arm variants (ubuntu-24.04-arm, macos-14-large, windows-11-arm)
_GITHUB_HOSTED = re.compile(r"^(?:ubuntu|windows|macos)-(?:latest|slim|\d[\w.]*)(?:-[a-z0-9]+)*$", re.IGNORECASE)
#: hosted-runner services sold as drop-in `runs-on` labels, by label prefix
_THIRD_PARTY_RUNNERS = (
    ("buildjet-", "BuildJet"),
    ("blacksmith-", "Blacksmith"),
    ("depot-", "Depot Technologies"),
    ("namespace-profile-", "Namespace Labs"),
    ("ubicloud-", "Ubicloud"),
    ("warp-", "WarpBuild"),
)
_MAX_MATRIX_COMBINATIONS = 256
GITHUB_SUPPLIER = "GitHub, Inc."


class GitHubActionsReader(Reader):
    format = "github-actions"
    filenames = (".github/workflows/*.yml", ".github/workflows/*.yaml", "action.yml", "action.yaml")

    def sniff(self, source: InputFile) -> bool:
        text = source.sniff_text()
        if text is None:
            return False
        if _TOP_JOBS.search(text) and _TOP_ON.search(text):
            return True
        return bool(_TOP_RUNS.search(text) and _USING.search(text))

    def read(self, source: InputFile) -> ReadResult:
        document = load_one(source)
        if not isinstance(document, dict):
            raise source.error("not a GitHub Actions workflow or action: the document is not a mapping")
        lines = source.text.splitlines()
        found = ComponentSet()
        if "jobs" in document:
            jobs = document["jobs"]
            if not isinstance(jobs, dict):
                raise source.error("'jobs' is not a mapping", key_line(document, "jobs"))
            for job_id, job in jobs.items():
                if isinstance(job, dict):
                    self._job(source, lines, job, found)
                else:
                    source.skip(f"job {job_id!r}", job, line_of(job_id))
        elif isinstance(document.get("runs"), dict):
            self._action_metadata(source, lines, document["runs"], found)
        else:
            raise source.error("not a GitHub Actions workflow (no 'jobs') or action (no 'runs')")
        return found.result(self.format)

    # -- workflows ----------------------------------------------------------

    def _job(self, source: InputFile, lines: list[str], job: dict[Any, Any], found: ComponentSet) -> None:
        matrix = _matrix_values(mapping(job.get("strategy")).get("matrix"))
        uses = self._uses_text(source, job)
        if uses:
            self._uses(source, lines, uses, found, reusable=True)
        for label, line in _runner_labels(job.get("runs-on"), matrix):
            component = _runner_component(label, source.display, line)
            if component is not None:
                found.add(component)
        container = job.get("container")
        if container is not None:
            self._image(source, lines, container, matrix, "ci-container", found)
        for service in mapping(job.get("services")).values():
            self._image(source, lines, service, matrix, "ci-service", found)
        for step in self._steps(source, job):
            step_uses = self._uses_text(source, step)
            if step_uses:
                self._uses(source, lines, step_uses, found)

    def _steps(self, source: InputFile, owner: dict[Any, Any]) -> list[Any]:
        """The steps of a job or an action; an error when 'steps' is not a list, a warning per step not a mapping."""
        steps = source.list_at(owner, "steps", key_line(owner, "steps"))
        for step in steps:
            if not isinstance(step, dict):
                source.skip("a step", step, line_of(step))
        return [step for step in steps if isinstance(step, dict)]

    def _uses_text(self, source: InputFile, owner: Any) -> str | None:
        """`uses:` as a string; a warning when it is there but is not one (`uses: [..]`)."""
        declared = mapping(owner)
        value = declared.get("uses")
        if "uses" in declared and not isinstance(value, str):  # `uses:` left empty is null
            source.skip("'uses'", value, key_line(owner, "uses"))
            return None
        return text_of(value)

    def _image(
        self,
        source: InputFile,
        lines: list[str],
        declaration: Any,
        matrix: dict[str, list[Any]],
        role: str,
        found: ComponentSet,
    ) -> None:
        written = declaration.get("image") if isinstance(declaration, dict) else declaration
        if not isinstance(written, str):
            return
        line = line_of(written)
        for value in _expand_matrix(written, matrix):
            candidates = [value, _strip_expression_tag(value)]
            expression = _EXPRESSION.fullmatch(value.strip())
            if expression:
                candidates = _ALTERNATIVE_LITERAL.findall(expression.group(1))
            for candidate in candidates:
                image = parse_image(candidate)
                if image is not None:
                    found.add(image_component(image, source.display, line, role, note=comment_after(lines, line)))
                    if not expression:
                        break

    def _uses(
        self, source: InputFile, lines: list[str], uses: str, found: ComponentSet, reusable: bool = False
    ) -> None:
        line = line_of(uses)
        value = uses.strip()
        if value.startswith("./") or value.startswith(".\\") or "${{" in value:
            return  # the project's own action or workflow; expressions are not allowed here anyway
        if value.startswith("docker://"):
            image = parse_image(value[len("docker://") :])
            if image is not None:
                found.add(image_component(image, source.display, line, "action", note=comment_after(lines, line)))
            return
        component = action_component(value, source.display, line, comment_after(lines, line))
        if component is None:
            raise source.error(f"cannot read action reference {value!r}", line)
        if reusable:
            component.properties["reusable_workflow"] = True
        found.add(component)

    # -- action.yml ---------------------------------------------------------

    def _action_metadata(self, source: InputFile, lines: list[str], runs: dict[Any, Any], found: ComponentSet) -> None:
        """Composite actions depend on the actions of their steps; Docker actions on their image."""
        image = text_of(runs.get("image"))
        if image and image.startswith("docker://"):
            self._uses(source, lines, image, found)
        for step in self._steps(source, runs):
            step_uses = self._uses_text(source, step)
            if step_uses:
                self._uses(source, lines, step_uses, found)


def action_component(reference: str, display: str, line: int | None, comment: str | None = None) -> Component | None:
    """`owner/repo[/path]@ref` as a component; None when `reference` is not in that form."""
    match = _ACTION.match(reference)
    if not match:
        return None
    owner, repository, subpath, ref = match.group(1), match.group(2), match.group(3).strip("/"), match.group(4)
    name = f"{owner}/{repository}" + (f"/{subpath}" if subpath else "")
    purl = PackageURL(
        type="github",
        namespace=owner.lower(),
        name=repository.lower(),
        version=ref or None,
        subpath=subpath or None,
    ).to_string()
    component = Component(
        name=name,
        version=ref,
        purl=purl,
        ecosystem="github-actions",
        kind="tooling",
        action=f"{name}@{ref}" if ref else name,
        repository=f"https://github.com/{owner}/{repository}",
        sources=[Location(display, line)],
    )
    if ref and _COMMIT_SHA.match(ref):
        component.properties["pinned"] = "commit"
    if comment:
        component.properties["comment"] = comment
    return component


def _runner_component(label: str, display: str, line: int | None) -> Component | None:
    """A hosted runner, part of the build chain (tooling); None for self-hosted and custom labels."""
    supplier = None
    if _GITHUB_HOSTED.match(label):
        supplier, hosting = GITHUB_SUPPLIER, "github-hosted"
    else:
        lowered = label.lower()
        for prefix, company in _THIRD_PARTY_RUNNERS:
            if lowered.startswith(prefix):
                supplier, hosting = company, "third-party-hosted"
                break
    if supplier is None:
        return None
    return Component(
        name=label,
        ecosystem="github-runner",
        kind="tooling",  # a hosted CI runner builds the application: the build chain
        suppliers=[supplier],
        sources=[Location(display, line)],
        properties={"runner": hosting},
    )


def _runner_labels(runs_on: Any, matrix: dict[str, list[Any]]) -> list[tuple[str, int | None]]:
    """The labels a job may run on: a string, a list (all must match), or `{group, labels}`."""
    if isinstance(runs_on, dict):
        return _runner_labels(runs_on.get("labels"), matrix)
    if isinstance(runs_on, list):
        if any(isinstance(item, str) and item.strip().lower() == "self-hosted" for item in runs_on):
            return []
        labels: list[tuple[str, int | None]] = []
        for item in runs_on:
            labels.extend(_runner_labels(item, matrix))
        return labels
    if not isinstance(runs_on, str):
        return []
    line = line_of(runs_on)
    labels = []
    for value in _expand_matrix(runs_on, matrix):
        if "${{" not in value:
            labels.append((value.strip(), line))
            continue
        # an expression: its quoted literals are the labels it can evaluate to
        for expression in _EXPRESSION.findall(value):
            for literal in _QUOTED_LITERAL.findall(expression):
                if _GITHUB_HOSTED.match(literal.strip()):
                    labels.append((literal.strip(), line))
    return labels


def _matrix_values(matrix: Any) -> dict[str, list[Any]]:
    """Every value each matrix variable takes: its own list plus the `include` entries."""
    values: dict[str, list[Any]] = {}
    if not isinstance(matrix, dict):
        return values
    for name, entries in matrix.items():
        if name in ("include", "exclude") or not isinstance(name, str):
            continue
        if isinstance(entries, list):
            values.setdefault(name, []).extend(entries)
    for entry in sequence(matrix.get("include")):
        for name, value in mapping(entry).items():
            if isinstance(name, str):
                values.setdefault(name, []).append(value)
    return values


def _expand_matrix(text: str, matrix: dict[str, list[Any]]) -> list[str]:
    """`text` with each `${{ matrix.x }}` replaced by every value x takes (scalar values only)."""
    names = sorted(set(_MATRIX_REFERENCE.findall(text)))
    if not names:
        return [text]
    choices: list[list[str]] = []
    for name in names:
        scalars = [str(v) for v in matrix.get(name, ()) if isinstance(v, (str, int, float)) and not isinstance(v, bool)]
        choices.append(list(dict.fromkeys(scalars)) or [f"${{{{ matrix.{name} }}}}"])
    expanded: list[str] = []
    for combination in itertools.islice(itertools.product(*choices), _MAX_MATRIX_COMBINATIONS):
        value = text
        for name, choice in zip(names, combination, strict=True):
            value = re.sub(r"\$\{\{\s*matrix\." + re.escape(name) + r"\s*\}\}", lambda _m, c=choice: c, value)
        expanded.append(value)
    return list(dict.fromkeys(expanded))


def _strip_expression_tag(value: str) -> str:
    """`repo:${{ inputs.tag }}` -> `repo`: the image is known even when its tag is computed."""
    head = value.split("${{", 1)[0]
    return head.rstrip(":@") if head.endswith((":", "@")) else value
