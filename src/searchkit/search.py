"""Ranked search: from query text to :class:`Results` of :class:`Hit`.

How query text becomes a Whoosh query:

* the text is parsed (:mod:`searchkit.query`) and each free-text run is
  analyzed whole with the index's analyzer (never split at whitespace first);
* a run that analyzes into adjacent terms (防衛相会談 → 防衛 相 会談,
  スマートフォン → スマート フォン) is one *unit*: a phrase, so its pieces are
  never matched apart;
* a plain query of a few keywords (no particles, at most
  :data:`KEYWORD_MAX_TERMS` terms) requires every unit (AND); if nothing
  matches, it is run again the way questions are, with a warning;
* a natural-language question (particles between its words, or longer than
  that) is a weighted OR of its terms, with each multi-term unit added again
  as a boosted phrase, so passages holding more of the question's words, and
  holding them together, rank first. Question words (何, どこ, who…) are dropped;
* queries with operators, quotes or ``field:`` follow the query language, with
  AND between juxtaposed items.

Each term is searched in ``title`` (weighted :data:`TITLE_BOOST`) and ``body``
and scored with BM25F.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal, overload

from whoosh import query as wq
from whoosh.query.qcore import TermNotFound

from .analysis import Analyzer, Token
from .documents import parse_datetime
from .errors import QueryError
from .highlight import Snippet, make_snippet
from .query import And, Node, Not, Or, Parsed, Phrase, Range, Text, parse

if TYPE_CHECKING:
    from .index import Index

__all__ = ["Hit", "Results", "search"]

TITLE_BOOST = 2.0
PHRASE_BOOST = 1.5
PAIR_BOOST = 0.0
PAIR_FIELDS = ("body",)
KEYWORD_MAX_TERMS = 4
SNIPPET_CHARS = 160
_TEXT_FIELDS = ("title", "body")
_EXACT_FIELDS = ("id", "lang", "category", "tags")
_PUNCT_TAGS = ("補助記号", "空白", "記号")


def _load_words(name: str) -> frozenset[str]:
    text = resources.files("searchkit.analysis").joinpath("data", name).read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


QUESTION_WORDS = _load_words("question_words.txt")


# -- results -------------------------------------------------------------------


class Hit:
    """One search result.

    Attributes:
        id: the article id.
        score: relevance score (BM25F; higher is better).
        rank: 0-based rank over all pages.
        fields: stored fields (title, body, url, published, lang, category, tags).
    """

    __slots__ = ("id", "score", "rank", "fields", "_docnum", "_results", "_snippet")

    def __init__(self, docnum: int, score: float, rank: int, fields: dict[str, Any], results: Results) -> None:
        self.id: str = fields["id"]
        self.score = float(score)
        self.rank = rank
        self.fields = fields
        self._docnum = docnum
        self._results = results
        self._snippet: Snippet | None = None

    @property
    def snippet(self) -> Snippet:
        """Best passage of the body with the matched words marked (computed on first access)."""
        if self._snippet is None:
            self._results._make_snippets()
        assert self._snippet is not None
        return self._snippet

    def __repr__(self) -> str:
        return f"Hit(id={self.id!r}, score={self.score:.3f}, title={self.fields.get('title', '')[:40]!r})"


class Results(Sequence[Hit]):
    """The hits of one page of a search, best first.

    Attributes:
        query: the query text.
        warnings: what lenient parsing repaired or dropped, and fallbacks taken.
        page: 1-based page number; ``pagelen`` hits per page.
    """

    def __init__(self, query: str, searcher: Any, wresults: Any, page: int, pagelen: int,
                 highlight_terms: Sequence[str], warnings: list[str], parsed: str,
                 snippet_chars: int) -> None:
        self.query = query
        self.warnings = warnings
        self.page = page
        self.pagelen = pagelen
        self.parsed = parsed
        self._searcher = searcher
        self._wresults = wresults
        self._terms = tuple(dict.fromkeys(highlight_terms))
        self._snippet_chars = snippet_chars
        self._total: int | None = None
        offset = (page - 1) * pagelen
        self._hits: list[Hit] = []
        if wresults is not None:
            stop = min(offset + pagelen, wresults.scored_length())
            for i in range(offset, stop):
                docnum = wresults.docnum(i)
                stored = dict(searcher.stored_fields(docnum))
                if "tags" in stored:
                    stored["tags"] = [t for t in stored["tags"].split(",") if t]
                self._hits.append(Hit(docnum, wresults.score(i) or 0.0, i, stored, self))

    @property
    def total(self) -> int:
        """Number of matching articles over all pages (counted on first access)."""
        if self._total is None:
            self._total = 0 if self._wresults is None else len(self._wresults)
        return self._total

    def __len__(self) -> int:
        return len(self._hits)

    @overload
    def __getitem__(self, i: int) -> Hit: ...
    @overload
    def __getitem__(self, i: slice) -> list[Hit]: ...
    def __getitem__(self, i: int | slice) -> Hit | list[Hit]:
        return self._hits[i]

    def __iter__(self) -> Iterator[Hit]:
        return iter(self._hits)

    def __repr__(self) -> str:
        return f"Results(query={self.query!r}, hits={len(self._hits)}, page={self.page})"

    def _make_snippets(self) -> None:
        """Snippets for every hit of the page, from stored character ranges.

        One posting cursor per query term walks the page's documents in
        docnum order, so the cost is a few skips per term, not a re-analysis.
        """
        matches: dict[int, list[tuple[int, int, str]]] = {h._docnum: [] for h in self._hits}
        order = sorted(matches)
        reader = self._searcher.reader()
        for term in self._terms:
            try:
                m = reader.postings("body", term)
            except TermNotFound:
                continue
            for docnum in order:
                if not m.is_active():
                    break
                if m.id() < docnum:
                    m.skip_to(docnum)
                    if not m.is_active():
                        break
                if m.id() == docnum:
                    matches[docnum].extend((s, e, term) for _, s, e in m.value_as("characters"))
        for hit in self._hits:
            hit._snippet = make_snippet(hit.fields.get("body", ""), matches[hit._docnum],
                                        max_chars=self._snippet_chars)


# -- query building ------------------------------------------------------------


@dataclass
class _Builder:
    analyzer: Analyzer
    highlight: list[str] = field(default_factory=list)

    def tokens(self, text: str) -> tuple[list[Token], bool]:
        """Analyzed query terms (question words dropped) and whether it reads as a sentence."""
        toks: list[Token] = []
        asked: list[Token] = []
        sentence = False
        for surface, term, tag, s, e, keep in self.analyzer.morphemes(text):
            if not keep:
                if toks and not tag.startswith(_PUNCT_TAGS):
                    sentence = True
                continue
            tok = Token(term, s, e, len(toks), surface, term, tag)
            if term in QUESTION_WORDS:
                asked.append(tok)
                sentence = True
                continue
            toks.append(tok)
        return (toks, sentence) if toks else (asked, False)

    @staticmethod
    def units(toks: list[Token]) -> list[list[str]]:
        """Group terms whose words touch in the query text (a compound) into units."""
        groups: list[list[str]] = []
        last_end = -1
        for t in toks:
            if groups and t.start == last_end:
                groups[-1].append(t.term)
            else:
                groups.append([t.term])
            last_end = t.end
        return groups

    def term(self, text: str, fields: Sequence[str], boost: float = 1.0) -> wq.Query:
        self.highlight.append(text)
        clauses = [wq.Term(f, text, boost=boost * (TITLE_BOOST if f == "title" else 1.0)) for f in fields]
        return clauses[0] if len(clauses) == 1 else wq.Or(clauses)

    def unit(self, words: list[str], fields: Sequence[str], boost: float = 1.0) -> wq.Query:
        if len(words) == 1:
            return self.term(words[0], fields, boost)
        self.highlight.extend(words)
        clauses = [wq.Phrase(f, words, boost=boost * (TITLE_BOOST if f == "title" else 1.0)) for f in fields]
        return clauses[0] if len(clauses) == 1 else wq.Or(clauses)

    def keyword_query(self, groups: list[list[str]]) -> wq.Query:
        return wq.And([self.unit(g, _TEXT_FIELDS) for g in groups])

    def question_query(self, groups: list[list[str]], toks: list[Token] | None = None) -> wq.Query:
        clauses = [self.term(w, _TEXT_FIELDS) for g in groups for w in g]
        if PHRASE_BOOST:
            clauses += [self.unit(g, _TEXT_FIELDS, PHRASE_BOOST) for g in groups if len(g) > 1]
        if PAIR_BOOST and toks:
            terms = [t.term for t in toks]
            pairs = dict.fromkeys(zip(terms, terms[1:]))
            clauses += [wq.Phrase(f, list(p), boost=PAIR_BOOST) for p in pairs for f in PAIR_FIELDS]
        return wq.Or(clauses)

    def node(self, node: Node, warnings: list[str]) -> wq.Query | None:
        if isinstance(node, (Text, Phrase)):
            name = node.field
            if name in _EXACT_FIELDS:
                value = node.text.lower() if name in ("lang",) else node.text
                return wq.Term(name, value)
            if name == "url":
                warnings.append("url is stored, not searchable: url:… ignored")
                return None
            fields = (name,) if name else _TEXT_FIELDS
            toks, _ = self.tokens(node.text)
            if not toks:
                warnings.append(f"{node.text!r} has no searchable words: ignored")
                return None
            if isinstance(node, Phrase):
                return self.unit([t.term for t in toks], fields)
            groups = self.units(toks)
            parts = [self.unit(g, fields) for g in groups]
            return parts[0] if len(parts) == 1 else wq.And(parts)
        if isinstance(node, Range):
            return _range(node, warnings)
        if isinstance(node, Not):
            saved = list(self.highlight)
            inner = self.node(node.item, warnings)
            self.highlight[:] = saved  # a NOT term is never highlighted
            return wq.Not(inner) if inner is not None else None
        items = [q for q in (self.node(i, warnings) for i in node.items) if q is not None]
        if not items:
            return None
        if len(items) == 1 and not isinstance(items[0], wq.Not):
            return items[0]
        return wq.Or(items) if isinstance(node, Or) else wq.And(items)


def _flatten(node: Node | None) -> list[Text]:
    """The free-text runs of a plain query, in order."""
    if isinstance(node, Text):
        return [node]
    if isinstance(node, And):
        return [t for item in node.items for t in _flatten(item)]
    return []


def _date_bound(text: str, *, upper: bool) -> datetime:
    """A range end: ``2024`` / ``2024-05`` / ``2024-05-01`` cover the whole year / month / day."""
    dt = parse_datetime(text)
    if upper and len(text) <= 10 and "T" not in text:
        if len(text) == 4:
            dt = dt.replace(month=12, day=31)
        elif len(text) == 7:
            dt = dt.replace(day=calendar.monthrange(dt.year, dt.month)[1])
        dt = dt.replace(hour=23, minute=59, second=59, microsecond=999999)
    return dt


def _range(node: Range, warnings: list[str]) -> wq.Query | None:
    if node.field != "published":
        return wq.TermRange(node.field, node.low, node.high)
    try:
        low = _date_bound(node.low, upper=False) if node.low else None
        high = _date_bound(node.high, upper=True) if node.high else None
    except ValueError:
        warnings.append(f"published:[{node.low} TO {node.high}] is not a date range: ignored")
        return None
    return wq.DateRange("published", low, high)


def _filters(lang: str | None, category: str | None,
             since: str | date | None, until: str | date | None) -> wq.Query | None:
    parts: list[wq.Query] = []
    if lang:
        parts.append(wq.Term("lang", lang.lower()))
    if category:
        parts.append(wq.Term("category", category))
    if since or until:
        try:
            low = _date_bound(str(since), upper=False) if since else None
            high = _date_bound(str(until), upper=True) if until else None
        except ValueError as exc:
            raise QueryError(f"since/until must be dates (YYYY, YYYY-MM or YYYY-MM-DD): {exc}") from exc
        parts.append(wq.DateRange("published", low, high))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def search(
    index: Index,
    query: str,
    *,
    limit: int = 10,
    page: int = 1,
    lang: str | None = None,
    category: str | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    sort: Literal["relevance", "date"] = "relevance",
    strict: bool = False,
    snippet_chars: int = SNIPPET_CHARS,
) -> Results:
    """Search ``index`` for ``query``.

    Args:
        query: query text (see :mod:`searchkit.query` for the language).
        limit: hits per page.
        page: 1-based page number.
        lang, category: keep only articles with this language / category.
        since, until: keep only articles published in this range (inclusive;
            ``"2024"``, ``"2024-05"`` or ``"2024-05-01"``).
        sort: ``"relevance"`` (default) or ``"date"`` (newest first).
        strict: raise :class:`~searchkit.errors.QuerySyntaxError` on bad
            syntax instead of repairing it.
        snippet_chars: length budget of each hit's snippet.

    Returns:
        :class:`Results`; ``results.warnings`` lists repairs and fallbacks.
    """
    if limit < 1 or page < 1:
        raise ValueError("limit and page must be at least 1")
    if sort not in ("relevance", "date"):
        raise ValueError(f"sort must be 'relevance' or 'date', not {sort!r}")
    parsed: Parsed = parse(query, strict=strict)
    warnings = list(parsed.warnings)
    searcher = index._searcher()
    builder = _Builder(searcher.schema["body"].analyzer.analyzer)
    filt = _filters(lang, category, since, until)

    fallback: wq.Query | None = None
    q: wq.Query | None
    if parsed.is_plain:
        texts = _flatten(parsed.tree)
        toks: list[Token] = []
        sentence = False
        groups: list[list[str]] = []
        for node in texts:
            t, s = builder.tokens(node.text)
            toks += t
            sentence |= s
            groups += builder.units(t)
        if not toks:
            warnings.append("the query has no searchable words")
            q = None
        elif sentence or len(toks) > KEYWORD_MAX_TERMS:
            q = builder.question_query(groups, toks)
        else:
            q = builder.keyword_query(groups)
            if len(toks) > 1:
                fallback = builder.question_query(groups)
    else:
        q = builder.node(parsed.tree, warnings) if parsed.tree is not None else None

    def run(wquery: wq.Query) -> Any:
        kwargs: dict[str, Any] = {"filter": filt}
        if sort == "date":
            kwargs.update(sortedby="published", reverse=True)
        return searcher.search(wquery, limit=page * limit, **kwargs)

    if q is None:
        return Results(query, searcher, None, page, limit, [], warnings, "", snippet_chars)
    wresults = run(q)
    if fallback is not None and wresults.scored_length() == 0:
        warnings.append("no article has all the words; showing articles with any of them, best first")
        q = fallback
        wresults = run(q)
    return Results(query, searcher, wresults, page, limit, builder.highlight, warnings, str(q), snippet_chars)
