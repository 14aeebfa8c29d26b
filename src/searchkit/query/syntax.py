"""The query language: parse text into a small syntax tree.

Grammar (operators are upper case; anything else is text)::

    query   := or ( OR or )*
    or      := unary ( [AND] unary )*        adjacent items without AND: "implicit"
    unary   := NOT unary | -atom | atom
    atom    := ( query ) | FIELD:value | FIELD:"phrase" | FIELD:[lo TO hi] | "phrase" | word

``FIELD`` is one of :data:`FIELDS`. Date ranges take ISO dates or years, with
either end open: ``published:[2024-01-01 TO 2024-06-30]``, ``published:[2024 TO]``.

Two modes: :func:`parse` with ``strict=True`` raises
:class:`~searchkit.errors.QuerySyntaxError` with the position of the first
problem; the lenient default repairs what it can (closes a quote or
parenthesis, drops a dangling operator, reads an unknown ``field:`` as text)
and reports each repair in :attr:`Parsed.warnings`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import QuerySyntaxError

__all__ = ["And", "Node", "Not", "Or", "Parsed", "Phrase", "Range", "Text", "parse"]

FIELDS = ("title", "body", "id", "lang", "category", "tags", "published", "url")
#: Queries are cut to this many characters (lenient) or rejected (strict).
MAX_QUERY_CHARS = 2000
#: Deeper parentheses are ignored (lenient) or rejected (strict).
MAX_DEPTH = 50


@dataclass(frozen=True)
class Text:
    """Free text (one whitespace-delimited run); analyzed later."""

    text: str
    field: str | None = None
    position: int = 0


@dataclass(frozen=True)
class Phrase:
    """A quoted phrase: its terms must be adjacent."""

    text: str
    field: str | None = None
    position: int = 0


@dataclass(frozen=True)
class Range:
    """An inclusive range on a field; ``None`` leaves an end open."""

    field: str
    low: str | None
    high: str | None


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]
    implicit: bool = False  # items were only juxtaposed, no explicit AND


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


Node = Text | Phrase | Range | Not | And | Or


@dataclass
class Parsed:
    """A parsed query: the tree (``None`` if nothing usable) and the repairs made."""

    tree: Node | None
    warnings: list[str] = field(default_factory=list)

    @property
    def is_plain(self) -> bool:
        """True when the query is only free text: no operators, quotes or fields."""
        return _plain(self.tree)


def _plain(node: Node | None) -> bool:
    if isinstance(node, Text):
        return node.field is None
    if isinstance(node, And):
        return node.implicit and all(_plain(i) for i in node.items)
    return False


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<quote>")
  | (?P<range>\[)
  | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)
_FIELD = re.compile(r"([a-z]+):(.*)", re.DOTALL)
_RANGE_BODY = re.compile(r"\[\s*(?:(\S+?)\s+)?TO(?:\s+(\S+?))?\s*\]")


class _Parser:
    def __init__(self, query: str, strict: bool) -> None:
        # NUL separates a field token's parts below; it never means anything in a query.
        self.q = query.replace("\0", " ")
        self.strict = strict
        self.warnings: list[str] = []
        self.toks: list[tuple[str, str, int]] = []
        self.i = 0
        self.depth = 0

    def problem(self, message: str, position: int, repair: str = "ignored") -> None:
        if self.strict:
            raise QuerySyntaxError(message, query=self.q, position=position)
        self.warnings.append(f"{message} at position {position}: {repair}")

    # -- lexing ---------------------------------------------------------------

    def lex(self) -> None:
        q, pos = self.q, 0
        while pos < len(q):
            m = _TOKEN.match(q, pos)
            assert m is not None  # the pattern matches any character
            kind = m.lastgroup or ""
            if kind == "quote":
                end = q.find('"', pos + 1)
                if end < 0:
                    self.problem("unbalanced quote", pos, "closed at the end")
                    end = len(q)
                self.toks.append(("phrase", q[pos + 1 : end], pos))
                pos = end + 1
                continue
            if kind == "word":
                word = m.group()
                fm = _FIELD.fullmatch(word)
                if fm and fm.group(1) in FIELDS:
                    name, rest = fm.group(1), fm.group(2)
                    after = m.end()
                    if rest == "" and after < len(q) and q[after] == '"':
                        end = q.find('"', after + 1)
                        if end < 0:
                            self.problem("unbalanced quote", after)
                            end = len(q)
                        self.toks.append(("fphrase", f"{name}\0{q[after + 1 : end]}", pos))
                        pos = end + 1
                        continue
                    if rest.startswith("[") or (rest == "" and after < len(q) and q[after] == "["):
                        after = pos + len(name) + 1
                        rm = _RANGE_BODY.match(q, after)
                        if rm is None:
                            self.problem(f"malformed range after {name}:", after)
                            pos = after + 1
                            continue
                        low, high = rm.group(1), rm.group(2)
                        self.toks.append(("range", f"{name}\0{low or ''}\0{high or ''}", pos))
                        pos = rm.end()
                        continue
                    if rest == "":
                        self.problem(f"nothing after {name}:", pos)
                        pos = m.end()
                        continue
                    self.toks.append(("fword", f"{name}\0{rest}", pos))
                elif fm and re.fullmatch(r"[a-z_]+", fm.group(1)) and fm.group(2):
                    self.problem(f"unknown field {fm.group(1)!r} (fields: {', '.join(FIELDS)})", pos, "read as text")
                    self.toks.append(("word", word, pos))
                elif word in ("AND", "OR", "NOT"):
                    self.toks.append((word, word, pos))
                elif word.startswith("-") and len(word) > 1:
                    self.toks.append(("NOT", "-", pos))
                    self.toks.append(("word", word[1:], pos + 1))
                else:
                    self.toks.append(("word", word, pos))
            elif kind in ("lparen", "rparen", "range"):
                self.toks.append((kind if kind != "range" else "word", m.group(), pos))
            pos = m.end()

    # -- parsing --------------------------------------------------------------

    def peek(self) -> tuple[str, str, int] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def parse(self) -> Node | None:
        self.lex()
        tree = self.parse_or()
        while self.peek() is not None:
            kind, _, pos = self.toks[self.i]
            self.problem("unbalanced ')'" if kind == "rparen" else f"unexpected {kind}", pos)
            self.i += 1
            more = self.parse_or()
            if more is not None:
                tree = more if tree is None else And((tree, more), implicit=True)
        return tree

    def parse_or(self) -> Node | None:
        items: list[Node] = []
        first = self.parse_and()
        if first is not None:
            items.append(first)
        while (t := self.peek()) is not None and t[0] == "OR":
            self.i += 1
            nxt = self.parse_and()
            if nxt is None or first is None:
                self.problem("OR needs something on both sides", t[2])
            if nxt is not None:
                items.append(nxt)
            first = nxt if first is None else first
        if not items:
            return None
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self) -> Node | None:
        items: list[Node] = []
        explicit = False
        while (t := self.peek()) is not None and t[0] not in ("OR", "rparen"):
            if t[0] == "AND":
                self.i += 1
                if not items:
                    self.problem("AND needs something on its left", t[2])
                nxt = self.peek()
                if nxt is None or nxt[0] in ("OR", "rparen", "AND"):
                    self.problem("AND needs something on its right", t[2])
                explicit = True
                continue
            item = self.parse_unary()
            if item is not None:
                items.append(item)
        if not items:
            return None
        return items[0] if len(items) == 1 else And(tuple(items), implicit=not explicit)

    def parse_unary(self) -> Node | None:
        t = self.peek()
        assert t is not None
        kind, value, pos = t
        if kind == "NOT":
            self.i += 1
            nxt = self.peek()
            if nxt is None or nxt[0] in ("OR", "AND", "rparen"):
                self.problem("NOT needs something after it", pos)
                return None
            item = self.parse_unary()
            return Not(item) if item is not None else None
        self.i += 1
        if kind == "lparen":
            if self.depth >= MAX_DEPTH:
                self.problem(f"parentheses nested deeper than {MAX_DEPTH}", pos)
                return None
            self.depth += 1
            inner = self.parse_or()
            self.depth -= 1
            close = self.peek()
            if close is None or close[0] != "rparen":
                self.problem("unbalanced '('", pos, "closed at the end")
            else:
                self.i += 1
            return inner
        if kind == "rparen":  # pragma: no cover - parse_and stops before ')'
            return None
        if kind == "phrase":
            return Phrase(value, None, pos) if value.strip() else None
        if kind == "fphrase":
            name, text = value.split("\0", 1)
            return Phrase(text, name, pos) if text.strip() else None
        if kind == "fword":
            name, text = value.split("\0", 1)
            return Text(text, name, pos)
        if kind == "range":
            name, low, high = value.split("\0")
            return Range(name, low or None, high or None)
        return Text(value, None, pos)


def parse(query: str, *, strict: bool = False) -> Parsed:
    """Parse ``query`` into a :class:`Parsed` tree.

    Example:
        >>> parse('防衛相 AND (会談 OR 会議) -中国').tree  # doctest: +ELLIPSIS
        And(items=(Text(text='防衛相', ...), Or(...), Not(item=Text(text='中国', ...))), implicit=False)

    Raises:
        QuerySyntaxError: only when ``strict`` is true.
        TypeError: ``query`` is not a ``str``.
    """
    if not isinstance(query, str):
        raise TypeError(f"query must be str, not {type(query).__name__}")
    warnings: list[str] = []
    if len(query) > MAX_QUERY_CHARS:
        if strict:
            raise QuerySyntaxError(
                f"query is {len(query)} characters long (at most {MAX_QUERY_CHARS})",
                query=query[:50] + "…",
                position=MAX_QUERY_CHARS,
            )
        warnings.append(f"query cut to its first {MAX_QUERY_CHARS} of {len(query)} characters")
        query = query[:MAX_QUERY_CHARS]
    parser = _Parser(query, strict)
    tree = parser.parse()
    if tree is None and query.strip():
        parser.warnings.append("the query has no searchable words")
    return Parsed(tree, warnings + parser.warnings)
