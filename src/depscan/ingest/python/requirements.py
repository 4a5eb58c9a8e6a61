"""pip requirements files: pins, hashes, extras, markers, URLs, `-r`/`-c` includes.

Requirement lines are parsed by `packaging` (the PEP 508 reference
implementation pip itself vendors). pip-compile's `# via` annotations, when
present, tell direct from transitive dependencies.
"""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from depscan import purls
from depscan.errors import InputError
from depscan.ingest.base import InputFile, Reader, ReadResult, confined
from depscan.model import Component, Location

_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_ARCHIVE = re.compile(r"/([A-Za-z0-9][A-Za-z0-9._]*?)-(\d[^-/]*?)(?:-[^/]*)?\.(?:whl|tar\.gz|zip|tar\.bz2)$")
_REQUIREMENT_START = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*(==|>=|<=|~=|!=|===|<|>|@|;|$)")
_VIA = re.compile(r"^#\s+via\b\s*(.*)$")
_INLINE_COMMENT = re.compile(r"\s+#")
_MAX_INCLUDE_DEPTH = 20


class RequirementsReader(Reader):
    format = "pip-requirements"
    filenames = (
        "requirements*.txt",
        "*requirements.txt",
        "requirements/*.txt",
        "requirements/*.in",
        "requirements*.in",
        "constraints*.txt",
    )

    def sniff(self, source: InputFile) -> bool:
        if source.is_binary or source.head.startswith((b"{", b"<", b"[")):
            return False
        name = source.path.name.lower()
        if any(fnmatch(name, pattern) for pattern in ("*requirements*.txt", "*requirements*.in", "constraints*.txt")):
            return True
        text = source.text_or_none()
        if text is None:
            return False
        significant = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
        if not significant:
            return False
        pinned = 0
        for line in significant[:200]:
            line = _INLINE_COMMENT.split(line, maxsplit=1)[0]
            if line.startswith("-"):
                continue
            if not _REQUIREMENT_START.match(line) and not line.startswith(("http://", "https://", "git+")):
                return False
            pinned += "==" in line
        # in a requirements/ or constraints/ folder (pip-tools' main.in), bare names are requirements too
        return pinned > 0 or source.path.parent.name.lower() in ("requirements", "constraints")

    def read(self, source: InputFile) -> ReadResult:
        components: list[Component] = []
        graph: dict[str, list[str]] = {}
        annotated: dict[str, list[str]] = {}
        self._read_file(source, components, annotated, seen={source.path.resolve()}, depth=0)
        roots: list[str] = []
        if annotated:
            # pip-compile output: '# via -r file' marks direct ones, '# via pkg' gives the edges
            names = {c.bom_ref for c in components}
            for component in components:
                parents = annotated.get(component.bom_ref or "", [])
                if any(_names_an_input(p) for p in parents) or not parents:
                    roots.append(component.bom_ref or "")
                for parent in parents:
                    parent_key = purls.pypi_name(parent.split("[", 1)[0])
                    if parent_key in names:
                        graph.setdefault(parent_key, []).append(component.bom_ref or "")
        else:
            roots = [c.bom_ref or "" for c in components]
        return ReadResult(self.format, components, graph, roots)

    def _read_file(
        self,
        source: InputFile,
        components: list[Component],
        annotated: dict[str, list[str]],
        seen: set[Path],
        depth: int,
    ) -> None:
        text = source.text
        last: Component | None = None
        via_block: list[str] | None = None
        for number, line in _logical_lines(text):
            stripped = line.strip()
            if not stripped:
                continue
            if stripped.startswith("#"):
                via_block = self._annotation(stripped, last, annotated, via_block)
                continue
            via_block = None
            line_no_comment = re.split(r"\s+#", stripped, maxsplit=1)[0].strip()
            if line_no_comment.startswith("-"):
                self._option(source, line_no_comment, number, components, annotated, seen, depth)
                continue
            component = self._requirement(source, line_no_comment, number)
            if component is not None:
                components.append(component)
                last = component

    def _annotation(
        self,
        comment: str,
        last: Component | None,
        annotated: dict[str, list[str]],
        via_block: list[str] | None,
    ) -> list[str] | None:
        """Collect pip-compile '# via' comments under the requirement they follow."""
        if last is None:
            return None
        key = last.bom_ref or ""
        via = _VIA.match(comment)
        if via:
            parents = annotated.setdefault(key, [])
            if via.group(1):
                parents.append(via.group(1).strip())
                return None
            return parents
        if via_block is not None:
            value = comment.lstrip("#").strip()
            if value and not value.startswith("("):
                via_block.append(value)
            return via_block
        return None

    def _option(
        self,
        source: InputFile,
        line: str,
        number: int,
        components: list[Component],
        annotated: dict[str, list[str]],
        seen: set[Path],
        depth: int,
    ) -> None:
        option, _, value = line.partition(" ")
        if "=" in option and option.startswith("--"):
            option, _, value = option.partition("=")
        value = value.strip()
        if option in ("-r", "--requirement"):
            self._include(source, value, number, components, annotated, seen, depth)
        elif option in ("-e", "--editable"):
            component = self._requirement(source, value, number)
            if component is not None:
                component.scope = "editable"
                components.append(component)
        # -c constraints pin versions without adding requirements; index options name registries
        # that report steps may show; other pip options do not change the component list.

    def _include(
        self,
        source: InputFile,
        target: str,
        number: int,
        components: list[Component],
        annotated: dict[str, list[str]],
        seen: set[Path],
        depth: int,
    ) -> None:
        if not target:
            raise source.error("-r without a file name", number)
        if depth >= _MAX_INCLUDE_DEPTH:
            raise source.error(f"-r includes nested deeper than {_MAX_INCLUDE_DEPTH}", number)
        path = confined(source.path.parent / target, source.display, number, "included file")
        if path is None:
            return  # outside the scanned directory (`-r /proc/self/environ`, `-r ../../secret.env`): warned, not read
        if path in seen:
            return  # an include cycle: each file is read once
        seen.add(path)
        display = str(Path(source.display).parent / target)
        try:
            included = InputFile.open(path, display)
        except InputError as exc:
            raise source.error(f"cannot read included file {target}: {exc.message}", number) from None
        self._read_file(included, components, annotated, seen, depth + 1)

    def _requirement(self, source: InputFile, line: str, number: int) -> Component | None:
        text = re.sub(r"\s--hash[= ]\S+", "", line).strip()
        if text.startswith(("http://", "https://", "git+", "file:", "svn+", "hg+", "bzr+")):
            return self._url_requirement(source, text, number)
        if text.startswith((".", "/")):
            return None  # a local path: the project's own code
        try:
            requirement = Requirement(text)
        except InvalidRequirement as exc:
            raise source.error(f"invalid requirement {text!r}: {exc}", number) from None
        version = None
        specifiers = list(requirement.specifier)
        if len(specifiers) == 1 and specifiers[0].operator in ("==", "===") and "*" not in specifiers[0].version:
            version = specifiers[0].version
        name = purls.pypi_name(requirement.name)
        component = Component(
            name=requirement.name,
            version=version,
            purl=purls.build("pypi", name, version),
            ecosystem="pypi",
            bom_ref=name,
            sources=[Location(source.display, number)],
        )
        if requirement.url:
            component.repository = _vcs_url(requirement.url)
            component.properties["url"] = requirement.url
        if version is None and str(requirement.specifier):
            component.properties["specifier"] = str(requirement.specifier)
        if requirement.extras:
            component.properties["extras"] = sorted(requirement.extras)
        if requirement.marker is not None:
            component.properties["marker"] = str(requirement.marker)
        return component

    def _url_requirement(self, source: InputFile, url: str, number: int) -> Component | None:
        egg = _EGG.search(url)
        archive = _ARCHIVE.search(url.split("#", 1)[0])
        if egg:
            name, version = egg.group(1), None
        elif archive:
            name, version = archive.group(1), archive.group(2)
        else:
            raise source.error(f"cannot tell the package name of URL requirement {url!r} (add #egg=name)", number)
        key = purls.pypi_name(name)
        return Component(
            name=name,
            version=version,
            purl=purls.build("pypi", key, version),
            ecosystem="pypi",
            repository=_vcs_url(url),
            bom_ref=key,
            sources=[Location(source.display, number)],
            properties={"url": url},
        )


def _names_an_input(parent: str) -> bool:
    """'-r requirements.in', '-c constraints.txt' or 'app (pyproject.toml)': a direct requirement, not a package."""
    return parent.startswith(("-r ", "-c ")) or (parent.endswith(")") and " (" in parent)


def _vcs_url(url: str) -> str | None:
    if url.startswith(("git+", "hg+", "svn+", "bzr+")) or "github.com" in url or "gitlab.com" in url:
        return url.split("#", 1)[0]
    return None


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Join backslash continuations; keep the number of the first physical line."""
    result: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not buffer:
            start = number
        if raw.endswith("\\") and not raw.lstrip().startswith("#"):
            buffer.append(raw[:-1])
            continue
        buffer.append(raw)
        result.append((start, " ".join(buffer)))
        buffer = []
    if buffer:
        result.append((start, " ".join(buffer)))
    return result
