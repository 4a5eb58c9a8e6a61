"""A small, strict parser for the subset of HCL2 that Terraform dependency declarations use.

Terraform files are HCL: blocks (`type "label" { ... }`) holding attributes
(`name = expression`) and further blocks. depscan needs literal values only
(`source = "hashicorp/aws"`, `version = "~> 5.0"`, object attributes such as
`aws = { source = ..., version = ... }`), so expressions are tokenised
faithfully (strings with escapes and `${...}` templates, heredocs, comments
`#`, `//` and `/* */`, nested brackets) but only literals, objects and
tuples are turned into values; anything else is kept as an `Expression`
holding its source text. No dependency: the HCL libraries for Python either
pull a parser generator or lag behind the language.

Every error is an InputError naming the line: an unterminated string,
comment or heredoc, and unbalanced braces, brackets or parentheses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from depscan.ingest.base import InputFile

_MAX_NESTING = 256
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_CLOSERS = {"{": "}", "[": "]", "(": ")"}
_OPENERS = {v: k for k, v in _CLOSERS.items()}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "ident", "string", "number", "newline", "punct", "eof"
    value: str
    line: int
    templated: bool = False  # a string with ${...} or %{...} sequences


@dataclass(frozen=True, slots=True)
class Expression:
    """An expression depscan does not evaluate (references, function calls, templates), as written."""

    text: str


@dataclass
class Attribute:
    name: str
    value: Any  # str, Expression, dict[str, Any] (object), list[Any] (tuple)
    line: int


@dataclass
class Block:
    type: str
    labels: list[str]
    body: Body
    line: int


@dataclass
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def blocks_of(self, block_type: str) -> list[Block]:
        return [block for block in self.blocks if block.type == block_type]


class _Lexer:
    def __init__(self, source: InputFile, text: str) -> None:
        self.source = source
        self.text = text
        self.position = 0
        self.line = 1

    def error(self, message: str, line: int | None = None) -> Exception:
        return self.source.error(message, line or self.line)

    def tokens(self) -> list[Token]:
        text, length = self.text, len(self.text)
        result: list[Token] = []
        while self.position < length:
            char = text[self.position]
            if char in " \t\r\ufeff":
                self.position += 1
            elif char == "\n":
                if not result or result[-1].kind != "newline":
                    result.append(Token("newline", "\n", self.line))
                self.line += 1
                self.position += 1
            elif char == "#" or text.startswith("//", self.position):
                end = text.find("\n", self.position)
                self.position = length if end == -1 else end
            elif text.startswith("/*", self.position):
                end = text.find("*/", self.position + 2)
                if end == -1:
                    raise self.error("unterminated /* comment")
                self.line += text.count("\n", self.position, end)
                self.position = end + 2
            elif char == '"':
                result.append(self._string())
            elif text.startswith("<<", self.position) and self._heredoc_start():
                result.append(self._heredoc())
            elif char.isalpha() or char == "_":
                start = self.position
                while self.position < length and (text[self.position].isalnum() or text[self.position] in "_-"):
                    self.position += 1
                result.append(Token("ident", text[start : self.position], self.line))
            elif char.isdigit():
                start = self.position
                while self.position < length and (text[self.position].isalnum() or text[self.position] in "._"):
                    if text[self.position] in "eE" and self.position + 1 < length and text[self.position + 1] in "+-":
                        self.position += 1
                    self.position += 1
                result.append(Token("number", text[start : self.position], self.line))
            else:
                for operator in ("==", "!=", "<=", ">=", "&&", "||", "=>", "...", "::"):
                    if text.startswith(operator, self.position):
                        result.append(Token("punct", operator, self.line))
                        self.position += len(operator)
                        break
                else:
                    result.append(Token("punct", char, self.line))
                    self.position += 1
        result.append(Token("eof", "", self.line))
        return result

    def _string(self) -> Token:
        """A quoted template: `"..."`, with escapes and `${ }` / `%{ }` sequences."""
        start_line = self.line
        text, length = self.text, len(self.text)
        self.position += 1
        pieces: list[str] = []
        templated = False
        while True:
            if self.position >= length:
                raise self.error("unterminated string", start_line)
            char = text[self.position]
            if char == '"':
                self.position += 1
                return Token("string", "".join(pieces), start_line, templated)
            if char == "\n":
                raise self.error("unterminated string (a quoted string cannot span lines)", start_line)
            if char == "\\":
                escape = text[self.position + 1 : self.position + 2]
                if escape in _ESCAPES:
                    pieces.append(_ESCAPES[escape])
                    self.position += 2
                elif escape in ("u", "U"):
                    size = 4 if escape == "u" else 8
                    digits = text[self.position + 2 : self.position + 2 + size]
                    try:
                        pieces.append(chr(int(digits, 16)))
                    except (ValueError, OverflowError):
                        raise self.error(f"invalid \\{escape} escape in string") from None
                    self.position += 2 + size
                else:
                    raise self.error(f"invalid escape sequence \\{escape} in string")
            elif text.startswith(("$${", "%%{"), self.position):
                pieces.append(text[self.position + 1 : self.position + 3])
                self.position += 3
            elif text.startswith(("${", "%{"), self.position):
                templated = True
                begin = self.position
                self._template_sequence()
                pieces.append(text[begin : self.position])
            else:
                pieces.append(char)
                self.position += 1

    def _template_sequence(self) -> None:
        """Skip a `${ ... }` sequence: nested braces and strings inside it included."""
        start_line = self.line
        text, length = self.text, len(self.text)
        self.position += 2
        depth = 1
        while depth:
            if self.position >= length:
                raise self.error("unterminated ${ sequence in string", start_line)
            char = text[self.position]
            if char == '"':
                self._string()
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            elif char == "\n":
                self.line += 1
            self.position += 1

    def _heredoc_start(self) -> bool:
        rest = self.text[self.position + 2 : self.position + 3]
        if rest == "-":
            rest = self.text[self.position + 3 : self.position + 4]
        return rest.isalpha() or rest == "_"

    def _heredoc(self) -> Token:
        start_line = self.line
        text = self.text
        self.position += 2
        indented = text.startswith("-", self.position)
        if indented:
            self.position += 1
        start = self.position
        while self.position < len(text) and (text[self.position].isalnum() or text[self.position] == "_"):
            self.position += 1
        marker = text[start : self.position]
        end_of_line = text.find("\n", self.position)
        if end_of_line == -1:
            raise self.error(f"heredoc <<{marker} is never closed", start_line)
        self.position = end_of_line + 1
        self.line += 1
        body: list[str] = []
        while self.position < len(text):
            end = text.find("\n", self.position)
            line = text[self.position :] if end == -1 else text[self.position : end]
            if line.strip() == marker:
                # stop on the closing line's newline: it ends the attribute, as after any other value
                self.position = len(text) if end == -1 else end
                if indented:  # `<<-` removes the indentation the lines have in common
                    margin = min((len(b) - len(b.lstrip(" \t")) for b in body if b.strip()), default=0)
                    body = [b[margin:] for b in body]
                content = "\n".join(body)
                return Token("string", content, start_line, templated="${" in content or "%{" in content)
            self.position = len(text) if end == -1 else end + 1
            body.append(line)
            self.line += 1
        raise self.error(f"heredoc <<{marker} is never closed", start_line)


class _Parser:
    def __init__(self, source: InputFile, tokens: list[Token], text: str) -> None:
        self.source = source
        self.tokens = tokens
        self.index = 0
        self.text = text

    def peek(self) -> Token:
        return self.tokens[self.index]

    def next(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "eof":
            self.index += 1
        return token

    def skip_newlines(self) -> None:
        while self.peek().kind == "newline":
            self.index += 1

    def body(self, opener: Token | None, depth: int) -> Body:
        if depth > _MAX_NESTING:
            raise self.source.error(f"blocks nested deeper than {_MAX_NESTING} levels", self.peek().line)
        body = Body()
        while True:
            self.skip_newlines()
            token = self.next()
            if token.kind == "eof":
                if opener is not None:
                    raise self.source.error(
                        f"unbalanced braces: the '{{' opened on line {opener.line} is never closed", opener.line
                    )
                return body
            if token.kind == "punct" and token.value == "}":
                if opener is None:
                    raise self.source.error("unbalanced braces: '}' with no block open", token.line)
                return body
            if token.kind != "ident":
                raise self.source.error(f"expected an attribute or a block, found {token.value!r}", token.line)
            following = self.peek()
            if following.kind == "punct" and following.value == "=":
                self.next()
                value = self.expression(depth)
                body.attributes[token.value] = Attribute(token.value, value, token.line)
                continue
            labels: list[str] = []
            while self.peek().kind in ("string", "ident"):
                labels.append(self.next().value)
            brace = self.next()
            if brace.kind != "punct" or brace.value != "{":
                raise self.source.error(
                    f"expected '=' or '{{' after {token.value!r}, found {brace.value or 'end of file'!r}", brace.line
                )
            body.blocks.append(Block(token.value, labels, self.body(brace, depth + 1), token.line))

    def expression(self, depth: int) -> Any:
        """Tokens up to the end of the attribute (newline or closing brace at depth 0), as a value."""
        start = self.index
        stack: list[Token] = []
        while True:
            token = self.peek()
            if token.kind == "eof":
                if stack:
                    raise self.source.error(
                        f"unbalanced brackets: the '{stack[-1].value}' opened on line {stack[-1].line} is never closed",
                        stack[-1].line,
                    )
                break
            if not stack and (token.kind == "newline" or (token.kind == "punct" and token.value == "}")):
                break
            if token.kind == "punct" and token.value in _CLOSERS:
                if len(stack) >= _MAX_NESTING:
                    raise self.source.error(f"expression nested deeper than {_MAX_NESTING} levels", token.line)
                stack.append(token)
            elif token.kind == "punct" and token.value in _OPENERS:
                if not stack:
                    raise self.source.error(f"unbalanced brackets: unexpected {token.value!r}", token.line)
                opened = stack.pop()
                if _CLOSERS[opened.value] != token.value:
                    raise self.source.error(
                        f"unbalanced brackets: {token.value!r} closes the {opened.value!r} of line {opened.line}",
                        token.line,
                    )
            self.index += 1
        tokens = self.tokens[start : self.index]
        if not any(t.kind != "newline" for t in tokens):
            raise self.source.error("attribute without a value", self.tokens[max(start - 1, 0)].line)
        return _value(self.source, tokens, depth)


def _value(source: InputFile, tokens: list[Token], depth: int) -> Any:
    """Literal strings, objects and tuples as Python values; everything else an Expression."""
    significant = [t for t in tokens if t.kind != "newline"]
    if not significant:
        raise source.error("missing value", tokens[0].line if tokens else None)
    if depth > _MAX_NESTING:
        raise source.error(f"expression nested deeper than {_MAX_NESTING} levels", significant[0].line)
    if len(significant) == 1:
        token = significant[0]
        if token.kind == "string" and not token.templated:
            return token.value
        return Expression(token.value)
    first, last = significant[0], significant[-1]
    start, end = tokens.index(first), len(tokens) - 1 - tokens[::-1].index(last)
    inner = tokens[start + 1 : end]
    inner_significant = [t for t in inner if t.kind != "newline"]
    is_for = bool(inner_significant) and inner_significant[0].value == "for"
    if first.value == "{" and last.value == "}" and _matching(significant) and not is_for:
        return _object(source, inner, depth + 1)
    if first.value == "[" and last.value == "]" and _matching(significant) and not is_for:
        items = _split(inner, separators=(",",))
        return [_value(source, item, depth + 1) for item in items if any(t.kind != "newline" for t in item)]
    return Expression(" ".join(t.value for t in significant))


def _matching(tokens: list[Token]) -> bool:
    """Whether the first token's bracket is closed by the last one (not `{...} + {...}`)."""
    depth = 0
    for position, token in enumerate(tokens):
        if token.kind != "punct":
            continue
        if token.value in _CLOSERS:
            depth += 1
        elif token.value in _OPENERS:
            depth -= 1
            if depth == 0 and position != len(tokens) - 1:
                return False
    return True


def _split(tokens: list[Token], separators: tuple[str, ...]) -> list[list[Token]]:
    """Split on separator tokens (`,`, or `\n` for object items) outside nested brackets."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.kind == "punct" and token.value in _CLOSERS:
            depth += 1
        elif token.kind == "punct" and token.value in _OPENERS:
            depth -= 1
        if depth == 0 and token.value in separators and token.kind in ("punct", "newline"):
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def _object(source: InputFile, tokens: list[Token], depth: int) -> dict[str, Any]:
    """`key = value` (or `key: value`) items separated by commas or newlines."""
    result: dict[str, Any] = {}
    for item in _split(tokens, separators=(",", "\n")):
        significant = [t for t in item if t.kind != "newline"]
        if not significant or significant[0].value == "(":
            continue  # empty, or a computed key `(var.name) = ...`: nothing literal to keep
        if len(significant) < 3 or significant[1].kind != "punct" or significant[1].value not in ("=", ":"):
            raise source.error("malformed object: expected 'key = value'", significant[0].line)
        result[significant[0].value] = _value(source, significant[2:], depth)
    return result


def parse(source: InputFile) -> Body:
    """The top-level body of an HCL file; InputError with the line on anything malformed."""
    text = source.text
    tokens = _Lexer(source, text).tokens()
    return _Parser(source, tokens, text).body(None, 0)
