"""Go modules: `go.mod` (what the main module requires) and `go.sum` (what Go checked the hash of).

`go.mod` is the authority. Since Go 1.17 it lists every module that provides
a package to the build, the ones the code imports itself plain and the rest
marked `// indirect`; `replace` directives say where each really comes from,
so they are applied (a replacement by a local directory is the project's own
code and is not a component). It gives no edges between modules, only which
are direct, so `direct` is set here and `roots` left empty: with roots and no
edges, `graph.mark_direct` would turn every indirect module into "unknown".

`go.sum` lists modules Go *consulted*, not only the ones built. A line
`path version/go.mod h1:...` means only that module's go.mod file was read,
for version selection; its code was never downloaded, so it is not a
component. A line `path version h1:...` (the hash of the module's zip) means
its code was downloaded: those are the components. That is a superset of
go.mod's list (modules needed only by the tests of dependencies have zip
hashes too), so when a go.mod sits beside the go.sum, go.mod decides: the
modules it requires keep its version and its direct/indirect mark, a version
it did not select is dropped, and the modules found only in go.sum are
transitive. A directory scan that reads both merges the two by purl.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from depscan import purls
from depscan.errors import InputError
from depscan.ingest.base import InputFile, Reader, ReadResult, read_related
from depscan.model import Component, Location

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|=>|[()]|(?:[^\s"`=()]|=(?!>))+')
_GO_SUM_LINE = re.compile(rb"^\S+ v\S* [a-z0-9]+:\S+\s*$")
_BLOCK_VERBS = {"require", "replace", "exclude", "retract", "tool", "godebug", "ignore"}
_GO_MOD_SUFFIX = "/go.mod"


@dataclass(slots=True)
class GoRequirement:
    path: str
    version: str
    indirect: bool
    line: int


@dataclass(slots=True)
class GoReplacement:
    old_path: str
    old_version: str | None  # None: every version of old_path
    new_path: str
    new_version: str | None  # None: a local directory, the project's own code
    line: int


@dataclass
class GoModFile:
    module: str | None = None
    requires: list[GoRequirement] = field(default_factory=list)
    replaces: list[GoReplacement] = field(default_factory=list)

    def effective(self, path: str, version: str) -> tuple[str, str | None, GoReplacement | None]:
        """Where `path@version` really comes from once `replace` directives apply (version None: local)."""
        wildcard = None
        for replacement in self.replaces:
            if replacement.old_path != path:
                continue
            if replacement.old_version == version:
                return replacement.new_path, replacement.new_version, replacement
            if replacement.old_version is None:
                wildcard = replacement
        if wildcard is not None:
            return wildcard.new_path, wildcard.new_version, wildcard
        return path, version, None


def golang_purl(path: str, version: str | None) -> str:
    """pkg:golang/<module path>@<version>: the last path segment is the name, the rest the namespace."""
    namespace, _, name = path.rpartition("/")
    return purls.build("golang", name, version, namespace=namespace or None)


def _is_local_path(target: str) -> bool:
    return target.startswith(("./", "../", "/", ".\\", "..\\")) or target in (".", "..") or target[1:3] == ":\\"


def _unquote(token: str) -> str:
    if token.startswith("`"):
        return token[1:-1]
    if token.startswith('"'):
        return token[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return token


def _split_comment(line: str) -> tuple[str, str]:
    """Code and comment of one go.mod line; `//` inside a quoted string is not a comment."""
    if '"' not in line and "`" not in line:
        code, _, comment = line.partition("//")
        return code, comment
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote and (quote == "`" or line[index - 1] != "\\"):
                quote = ""
        elif char in '"`':
            quote = char
        elif line.startswith("//", index):
            return line[:index], line[index + 2 :]
    return line, ""


def _is_indirect(comment: str) -> bool:
    text = comment.strip()
    return text == "indirect" or text.startswith("indirect;")


#: directives depscan does not need but go.mod may hold (go.dev/ref/mod#go-mod-file-grammar)
_OTHER_VERBS = {"go", "toolchain", "exclude", "retract", "godebug", "tool", "ignore"}


def parse_go_mod(source: InputFile) -> GoModFile:
    """Parse the directives depscan needs (module, require, replace); others are skipped."""
    parsed = GoModFile()
    block: str | None = None
    for number, raw in enumerate(source.text.splitlines(), start=1):
        code, comment = _split_comment(raw)
        tokens = _TOKEN.findall(code)
        if not tokens:
            continue
        if block is not None:
            if tokens == [")"]:
                block = None
                continue
            _directive(source, parsed, block, tokens, comment, number)
            continue
        verb = tokens[0]
        if verb in _BLOCK_VERBS and tokens[1:] == ["("]:
            block = verb
            continue
        if verb in _BLOCK_VERBS and tokens[1:] == ["(", ")"]:
            continue
        if verb == "module":
            if len(tokens) != 2:
                raise source.error("expected 'module <path>'", number)
            parsed.module = _unquote(tokens[1])
        elif verb in ("require", "replace"):
            _directive(source, parsed, verb, tokens[1:], comment, number)
        elif verb not in _OTHER_VERBS:  # the go command refuses the file; depscan reads on, and says so
            source.warn(f"unknown go.mod directive {verb[:40]!r}: line not read", number)
    if block is not None:
        raise source.error(f"unterminated {block} block: missing ')'")
    return parsed


def _directive(source: InputFile, parsed: GoModFile, verb: str, tokens: list[str], comment: str, number: int) -> None:
    if verb == "require":
        if len(tokens) != 2:
            raise source.error("expected '<module path> <version>' in require", number)
        parsed.requires.append(GoRequirement(_unquote(tokens[0]), _unquote(tokens[1]), _is_indirect(comment), number))
    elif verb == "replace":
        if "=>" not in tokens:
            raise source.error("expected '=>' in replace", number)
        arrow = tokens.index("=>")
        old, new = [_unquote(t) for t in tokens[:arrow]], [_unquote(t) for t in tokens[arrow + 1 :]]
        if len(old) not in (1, 2) or len(new) not in (1, 2):
            raise source.error("expected '<module> [<version>] => <module> [<version>]' in replace", number)
        local = len(new) == 1
        if local and not _is_local_path(new[0]):
            raise source.error(f"replacement module {new[0]!r} needs a version (or a ./ local path)", number)
        parsed.replaces.append(
            GoReplacement(old[0], old[1] if len(old) == 2 else None, new[0], None if local else new[1], number)
        )


def _component(path: str, version: str, display: str, line: int | None) -> Component:
    return Component(
        name=path,
        version=version,
        purl=golang_purl(path, version),
        ecosystem="golang",
        bom_ref=f"{path}@{version}",
        sources=[Location(display, line)],
    )


def _go_mod_components(parsed: GoModFile, display: str) -> Iterator[Component]:
    """The required modules, after `replace`, without local replacements; one per module@version."""
    seen: set[str] = set()
    for requirement in parsed.requires:
        path, version, replacement = parsed.effective(requirement.path, requirement.version)
        if version is None:
            continue  # replaced by a local directory: the project's own code
        component = _component(path, version, display, requirement.line)
        if component.bom_ref in seen:
            continue
        seen.add(component.bom_ref or "")
        component.direct = not requirement.indirect
        if replacement is not None:
            component.properties["replaces"] = f"{requirement.path}@{requirement.version}"
        yield component


class GoModReader(Reader):
    format = "go-mod"
    filenames = ("go.mod",)

    def sniff(self, source: InputFile) -> bool:
        if source.path.name == "go.mod":
            return True
        for raw in source.head[:4096].splitlines():
            line = raw.strip()
            if not line or line.startswith(b"//"):
                continue
            return line.startswith((b"module ", b"module\t", b'module"'))
        return False

    def read(self, source: InputFile) -> ReadResult:
        parsed = parse_go_mod(source)
        if parsed.module is None and not parsed.requires:
            raise source.error("not a go.mod file (no module directive)")
        return ReadResult(self.format, list(_go_mod_components(parsed, source.display)))


class GoSumReader(Reader):
    format = "go-sum"
    filenames = ("go.sum",)

    def sniff(self, source: InputFile) -> bool:
        if source.path.name == "go.sum":
            return True
        first = source.head.split(b"\n", 1)[0]
        return bool(_GO_SUM_LINE.match(first))

    def read(self, source: InputFile) -> ReadResult:
        downloaded: dict[str, tuple[str, str, int]] = {}  # "path@version" -> (path, version, first line)
        for number, raw in enumerate(source.text.splitlines(), start=1):
            fields = raw.split()
            if not fields:
                continue
            if len(fields) != 3:
                raise source.error("malformed go.sum line: expected '<module> <version> <hash>'", number)
            path, version, _hash = fields
            if version.endswith(_GO_MOD_SUFFIX):
                continue  # only the go.mod file was consulted, for version selection
            downloaded.setdefault(f"{path}@{version}", (path, version, number))
        manifest = self._manifest(source)
        if manifest is None:
            components = [_component(p, v, source.display, n) for p, v, n in downloaded.values()]
            return ReadResult(self.format, components)
        return ReadResult(self.format, self._against_manifest(source, downloaded, manifest))

    def _manifest(self, source: InputFile) -> GoModFile | None:
        """The go.mod beside this go.sum, when there is a readable one."""
        path = source.path.parent / "go.mod"
        try:
            data = read_related(path, source.display)
            if data is None:
                return None
            return parse_go_mod(InputFile(path, str(Path(source.display).parent / "go.mod"), data))
        except (InputError, OSError):
            return None  # a broken go.mod is reported when it is read itself; go.sum still stands alone

    def _against_manifest(
        self, source: InputFile, downloaded: dict[str, tuple[str, str, int]], manifest: GoModFile
    ) -> list[Component]:
        """go.mod's selection and direct marks; go.sum-only modules as transitive."""
        selected: dict[str, bool] = {}  # effective path -> direct
        selected_versions: dict[str, str] = {}
        for requirement in manifest.requires:
            path, version, _ = manifest.effective(requirement.path, requirement.version)
            if version is None:
                continue
            selected_versions[path] = version
            selected[path] = selected.get(path, False) or not requirement.indirect
        components: list[Component] = []
        for path, version, number in downloaded.values():
            if path in selected_versions and selected_versions[path] != version:
                continue  # a version go.mod did not select: consulted, not built
            component = _component(path, version, source.display, number)
            component.direct = selected.get(path, False)
            if path not in selected:
                component.properties["go_sum_only"] = True
            components.append(component)
        return components
