"""Dockerfiles and Containerfiles: the images a build pulls, and what it downloads.

What counts, following BuildKit's own semantics:

- `FROM [--platform=...] image [AS stage]`: an image, unless it names an
  earlier stage (stage names are case-insensitive) or is `scratch`. Only the
  ARGs declared before the first FROM are in scope for FROM lines, with their
  defaults substituted (`${VAR}`, `$VAR`, `${VAR:-word}`, `${VAR:+word}`).
- `COPY --from=x` and `RUN --mount=...,from=x`: an image when x is neither a
  stage name nor a stage index.
- `ADD https://...`: a file fetched at build time (kind tooling, its URL as the
  endpoint, so the host's controller is found).
- `# syntax=docker/dockerfile:1`: the BuildKit frontend, itself an image that
  the build pulls from its registry.

Roles: the image the final stage descends from is `runtime-base` (it ships
with the application); other stages' images are `build-stage`. References
that stay unresolved after substitution (an ARG without default) are skipped:
nothing can be said about their controller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from depscan import purls
from depscan.ingest.base import InputFile, Reader, ReadResult
from depscan.ingest.infra.images import ComponentSet, image_component, parse_image, without_unresolved_tag
from depscan.model import Component, Location

_DIRECTIVE = re.compile(r"^#\s*([A-Za-z]+)\s*=\s*(.*?)\s*$")
_INSTRUCTION = re.compile(r"^\s*([A-Za-z]+)(?:\s+|$)(.*)$", re.DOTALL)
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
#: `FROM [--flag=value ...] reference [AS name]`: the shape of a FROM line (prose starting with "From" is not one)
_FROM_LINE = re.compile(
    r"^[ \t]*FROM(?:[ \t]+--\S+)*[ \t]+[^\s-]\S*(?:[ \t]+AS[ \t]+\S+)?[ \t]*$", re.IGNORECASE | re.MULTILINE
)
_ARG_LINE = re.compile(r"^ARG(?:\s+[A-Za-z_][A-Za-z0-9_]*(?:=(?:\"[^\"]*\"|'[^']*'|\S*))?)+\s*$", re.IGNORECASE)
_KNOWN_INSTRUCTIONS = {
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
}
_MAX_STAGES = 10_000


@dataclass
class Instruction:
    keyword: str  # upper case
    arguments: str  # continuation lines joined, heredoc bodies removed
    line: int


@dataclass
class Stage:
    base: str  # the FROM argument after substitution
    name: str | None
    line: int
    platform: str | None
    arguments: dict[str, str | None] = field(default_factory=dict)


def substitute(text: str, variables: dict[str, str | None]) -> str:
    """Expand `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR:+word}`; unknown or valueless variables stay as written."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(4)
        operator, word = match.group(2), match.group(3)
        value = variables.get(name)
        if operator in (":-", "-"):
            if value:
                return value
            return word if (operator == ":-" or name not in variables or value is None) else value
        if operator in (":+", "+"):
            return word if value else ""
        return value if value is not None else match.group(0)

    return _VARIABLE.sub(replace, text)


def _flags(arguments: str) -> tuple[dict[str, list[str]], list[str]]:
    """Split `--name=value` flags from the positional words of an instruction."""
    flags: dict[str, list[str]] = {}
    words = arguments.split()
    index = 0
    while index < len(words) and words[index].startswith("--"):
        name, _, value = words[index][2:].partition("=")
        flags.setdefault(name.lower(), []).append(value)
        index += 1
    return flags, words[index:]


class DockerfileReader(Reader):
    format = "dockerfile"
    #: `Dockerfile.*` except `Dockerfile.dockerignore` (BuildKit's per-Dockerfile ignore file): fnmatch cannot negate,
    #: so the suffix is spelled out as "not starting with 'doc'"
    filenames = (
        "dockerfile",
        "containerfile",
        "*.dockerfile",
        "*.containerfile",
        "dockerfile.[!d]*",
        "dockerfile.d[!o]*",
        "dockerfile.do[!c]*",
        "containerfile.*",
    )

    def sniff(self, source: InputFile) -> bool:
        text = source.sniff_text()
        if text is None:
            return False
        if not _FROM_LINE.search(text):
            return False
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            return bool(_FROM_LINE.match(stripped) or _ARG_LINE.match(stripped))
        return False

    def read(self, source: InputFile) -> ReadResult:
        directives, instructions = parse(source)
        found = ComponentSet()
        syntax = directives.get("syntax")
        if syntax:
            frontend = parse_image(syntax[0])
            if frontend is not None:
                found.add(image_component(frontend, source.display, syntax[1], "frontend"))
        global_arguments: dict[str, str | None] = {}
        stages: list[Stage] = []
        stage_names: dict[str, int] = {}
        for instruction in instructions:
            keyword = instruction.keyword
            if keyword == "ARG":
                target = stages[-1].arguments if stages else global_arguments
                for name, value in _arg_declarations(instruction.arguments):
                    if value is not None:
                        value = substitute(value, target)
                    elif stages and name in global_arguments:
                        value = global_arguments[name]  # re-declared in a stage: inherits the global default
                    target[name] = value
            elif keyword == "FROM":
                stage = self._from(source, instruction, global_arguments)
                stages.append(stage)
                if len(stages) > _MAX_STAGES:
                    raise source.error(f"more than {_MAX_STAGES} build stages", instruction.line)
                if stage.name:
                    stage_names.setdefault(stage.name.lower(), len(stages) - 1)
            elif keyword in ("COPY", "ADD", "RUN") and stages:
                self._references(source, instruction, stages, stage_names, found)
        if not stages and not found:
            raise source.error("no FROM instruction: not a Dockerfile")
        self._stage_images(source, stages, stage_names, found)
        return found.result(self.format)

    def _from(self, source: InputFile, instruction: Instruction, arguments: dict[str, str | None]) -> Stage:
        flags, words = _flags(instruction.arguments)
        if not words:
            raise source.error("FROM without an image", instruction.line)
        name = None
        if len(words) >= 3 and words[1].lower() == "as":
            name = words[2]
        platform = None
        if flags.get("platform"):
            written = substitute(flags["platform"][-1], arguments)
            platform = written if "$" not in written else None
        return Stage(substitute(words[0], arguments), name, instruction.line, platform)

    def _references(
        self,
        source: InputFile,
        instruction: Instruction,
        stages: list[Stage],
        stage_names: dict[str, int],
        found: ComponentSet,
    ) -> None:
        scope = {**stages[-1].arguments}
        flags, words = _flags(instruction.arguments)
        sources_from: list[tuple[str, str]] = []
        if instruction.keyword in ("COPY", "ADD"):
            sources_from.extend((value, "copy-source") for value in flags.get("from", ()))
        if instruction.keyword == "RUN":
            for mount in flags.get("mount", ()):
                for option in mount.split(","):
                    key, _, value = option.partition("=")
                    if key.strip().lower() == "from" and value:
                        sources_from.append((value.strip(), "mount-source"))
        for written, role in sources_from:
            value = substitute(written, scope)
            if value.isdigit() or value.lower() in stage_names:
                continue
            if "$" in value:
                source.warn(f"--from={written!r} uses a variable with no value: not used", instruction.line)
                continue
            image = parse_image(value)
            if image is None:
                source.warn(f"--from={written!r} is neither a stage nor an image reference: not used", instruction.line)
            else:
                found.add(image_component(image, source.display, instruction.line, role))
        if instruction.keyword == "ADD" and not flags.get("from"):
            if len(words) < 2:
                source.warn("ADD without a source and a destination: not read", instruction.line)
            for word in words[:-1]:  # the last word is the destination
                url = substitute(word.strip("\"'[],"), scope)
                if url.startswith(("http://", "https://", "git@")) and "$" not in url:
                    download = _download_component(url, source.display, instruction.line)
                    if download is None:
                        source.warn(f"ADD source {url!r} is not a usable URL: not read", instruction.line)
                    else:
                        found.add(download)

    def _stage_images(
        self, source: InputFile, stages: list[Stage], stage_names: dict[str, int], found: ComponentSet
    ) -> None:
        runtime_stage = len(stages) - 1
        seen: set[int] = set()
        while runtime_stage >= 0 and runtime_stage not in seen:
            seen.add(runtime_stage)
            base = stages[runtime_stage].base.lower()
            earlier = stage_names.get(base)
            if earlier is None or earlier >= runtime_stage:
                break
            runtime_stage = earlier
        for index, stage in enumerate(stages):
            base = stage.base
            earlier = stage_names.get(base.lower())
            if (earlier is not None and earlier < index) or base.lower() == "scratch":
                continue
            if "$" in base:
                base = without_unresolved_tag(source, base, "$", stage.line)
                if base is None:
                    continue
            image = parse_image(base)
            if image is None:
                source.warn(f"FROM {stage.base!r} is not an image reference: not used", stage.line)
                continue
            role = "runtime-base" if index == runtime_stage else "build-stage"
            found.add(image_component(image, source.display, stage.line, role, stage.platform))


def _arg_declarations(arguments: str) -> list[tuple[str, str | None]]:
    """`ARG A=1 B="two" C` -> [('A', '1'), ('B', 'two'), ('C', None)]."""
    declarations: list[tuple[str, str | None]] = []
    for match in re.finditer(r"([A-Za-z_][A-Za-z0-9_]*)(?:=(\"[^\"]*\"|'[^']*'|\S*))?", arguments):
        name, value = match.group(1), match.group(2)
        if value is not None and len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        declarations.append((name, value))
    return declarations


def _download_component(url: str, display: str, line: int) -> Component | None:
    """A file or Git repository ADDed from a URL: a build-time download whose host is the dependency.

    None when the URL names no host or file (`https://[bad/...`): the caller warns.
    """
    location, _, ref = url.partition("#")
    if location.startswith("git@"):
        host, _, path = location[4:].partition(":")
    else:
        try:
            parts = urlsplit(location)
        except ValueError:  # e.g. an unbalanced '[' taken for an IPv6 address
            return None
        host, path = parts.netloc, parts.path
    path = path.strip("/")
    if not host or any(c.isspace() for c in host) or not (path or host).rsplit("/", 1)[-1].strip():
        return None
    is_git = location.startswith("git@") or location.endswith(".git")
    properties: dict[str, object] = {"role": "download", "url": url}
    if is_git:
        repository_path = path.removesuffix(".git")
        owner, _, repository = repository_path.partition("/")
        if host.lower() == "github.com" and owner and repository and "/" not in repository:
            purl = purls.build("github", repository.lower(), ref or None, namespace=owner.lower())
        else:
            purl = purls.build("generic", repository_path.rsplit("/", 1)[-1], ref or None, qualifiers={"vcs_url": url})
        return Component(
            name=f"{host}/{repository_path}",
            version=ref or None,
            purl=purl,
            ecosystem="generic",
            kind="tooling",
            # the repository, not its host, says who controls the code: no endpoint that would outrank it
            repository=f"https://{host}/{repository_path}",
            sources=[Location(display, line)],
            properties=properties,
        )
    name = path.rsplit("/", 1)[-1] or host
    scheme = "http" if url.startswith("http://") else "https"
    return Component(
        name=name,
        purl=purls.build("generic", name, None, qualifiers={"download_url": url}),
        ecosystem="generic",
        kind="tooling",
        endpoints=[f"{scheme}://{host}/"],
        sources=[Location(display, line)],
        properties=properties,
    )


def parse(source: InputFile) -> tuple[dict[str, tuple[str, int]], list[Instruction]]:
    """Parser directives and instructions, continuation lines joined and heredoc bodies skipped."""
    lines = source.text.splitlines()
    directives: dict[str, tuple[str, int]] = {}
    index = 0
    while index < len(lines):
        match = _DIRECTIVE.match(lines[index].strip())
        if not match or match.group(1).lower() in directives:
            break
        directives[match.group(1).lower()] = (match.group(2), index + 1)
        index += 1
    escape = directives.get("escape", ("\\", 0))[0] or "\\"
    if escape not in ("\\", "`"):
        raise source.error(f"invalid escape directive {escape!r} (only \\ and ` are allowed)", directives["escape"][1])
    instructions: list[Instruction] = []
    while index < len(lines):
        raw = lines[index]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        start = index + 1
        parts: list[str] = []
        while True:
            text = lines[index].rstrip()
            index += 1
            if text.endswith(escape):
                parts.append(text[:-1])
                # skip the comment and empty lines BuildKit allows inside a continued instruction
                while index < len(lines) and (not lines[index].strip() or lines[index].lstrip().startswith("#")):
                    index += 1
                if index < len(lines):
                    continue
            else:
                parts.append(text)
            break
        logical = " ".join(part.strip() for part in parts)
        match = _INSTRUCTION.match(logical)
        keyword = match.group(1).upper() if match else ""
        if match is None or keyword not in _KNOWN_INSTRUCTIONS:
            # template markup or a typo: BuildKit would stop here, a scanner reads on, and says so
            source.warn(f"{logical.split(maxsplit=1)[0][:40]!r} is not a Dockerfile instruction: line not read", start)
            continue
        arguments = match.group(2)
        if keyword in ("RUN", "COPY", "ADD"):
            for heredoc in _HEREDOC.finditer(arguments):
                delimiter = heredoc.group(3)
                strip_tabs = heredoc.group(1) == "-"
                while index < len(lines):
                    body = lines[index].lstrip("\t") if strip_tabs else lines[index]
                    index += 1
                    if body.rstrip() == delimiter:
                        break
                else:
                    raise source.error(f"heredoc <<{delimiter} is never closed", start)
        instructions.append(Instruction(keyword, arguments, start))
    return directives, instructions
