"""Results and hits: what a search returns, read from the store on first access.

A :class:`Results` holds one page of hits and the prepared query that found
them (:class:`~searchkit.stores.base.Prepared`); stored fields, snippets,
title snippets, ``hit.matches``, the total, facets and did-you-mean are
read from the store when first asked for, for the whole page at once.
"""

from __future__ import annotations

import unicodedata
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from ..analysis.normalize import fold_kanji
from ..query.plan import Not, Phrase, Term
from .highlight import Mark, Snippet, make_snippet, whole_units

if TYPE_CHECKING:
    from ..query.plan import Plan
    from ..stores.base import Doc, Prepared, Reader, Store

__all__ = ["SUGGEST_BELOW", "Hit", "Match", "Results"]

#: A query with fewer hits than this gets a did-you-mean suggestion.
SUGGEST_BELOW = 3


@dataclass(frozen=True, slots=True)
class Match:
    """One matched word of a hit's body, and how it matched.

    Attributes:
        query: the query word it answers.
        word: the word as written in the article.
        start, end: code-point offsets of ``word`` in the article body.
        how: ``exact``, ``lemma`` (another inflection or spelling of the same
            word), ``width`` (full-/half-width or other NFKC form), ``kanji
            form`` (an old or variant kanji form: 齋藤 for 斎藤), ``number``
            (三 for 3), ``long vowel``, ``reading`` (a name in another script)
            ``alias`` or ``synonym`` (another word of its synonym group).
    """

    query: str
    word: str
    start: int
    end: int
    how: str


class Hit:
    """One search result.

    Attributes:
        id: the article id.
        score: relevance score (BM25F; a question's best candidates are then
            re-scored by its wording, see :mod:`searchkit.query.rerank`; higher is better).
        rank: 0-based rank over all pages.
        fields: every field of the article (id, title, body, url, published,
            lang, category, tags; None when the article has none): ``published``
            a timezone-aware UTC datetime, ``tags`` a list.
    """

    __slots__ = ("id", "score", "rank", "_fields", "_doc", "_page", "_snippet", "_matches", "_title_snippet", "_title_matches",
                 "__weakref__")

    def __init__(self, doc: Doc, score: float, rank: int, doc_id: str | None, page: _Page) -> None:
        self.score = float(score)
        self.rank = rank
        self._doc = doc
        self._page = page
        self._fields: dict[str, Any] | None = None
        self.id: str = doc_id if doc_id is not None else self.fields["id"]
        self._snippet: Snippet | None = None
        self._matches: list[Mark] = []
        self._title_snippet: Snippet | None = None
        self._title_matches: list[Mark] = []

    @property
    def fields(self) -> dict[str, Any]:
        """Stored fields (title, body, url, published, lang, category, tags), read on first access."""
        if self._fields is None:
            with self._page.store.errors():
                self._fields = self._page.reader.stored(self._doc)
        return self._fields

    @property
    def snippet(self) -> Snippet:
        """Best passage of the body with the matched words marked (computed on first access)."""
        if self._snippet is None:
            with self._page.store.errors():
                self._page.make_snippets()
        assert self._snippet is not None
        return self._snippet

    @property
    def title_snippet(self) -> Snippet:
        """The whole title with the matched words marked, as :attr:`snippet` marks the body
        (computed on first access)."""
        if self._title_snippet is None:
            with self._page.store.errors():
                self._page.make_title_snippets()
        assert self._title_snippet is not None
        return self._title_snippet

    @property
    def title_matches(self) -> list[Match]:
        """Which query words matched which words of the title, and how (offsets into the title)."""
        title = self.fields.get("title") or ""
        self.title_snippet  # noqa: B018  (computes the title's matches)
        return [self._page.explain(title, mark) for mark in self._title_matches]

    @property
    def matches(self) -> list[Match]:
        """Which query words matched which words of the body, and how."""
        if self._snippet is None:
            with self._page.store.errors():
                self._page.make_snippets()
        body = self.fields.get("body") or ""
        return [self._page.explain(body, mark) for mark in self._matches]

    def __repr__(self) -> str:
        return f"Hit(id={self.id!r}, score={self.score:.3f}, title={(self.fields.get('title') or '')[:40]!r})"


class Results(Sequence[Hit]):
    """The hits of one page of a search, best first.

    Attributes:
        query: the query text.
        warnings: what lenient parsing repaired or dropped, and fallbacks taken.
        expansions: ``(query word, alternative, provenance)`` added by the alias and synonym tables.
        parsed: the query that ran, as the store runs it (for ``--explain``).
        page: 1-based page number; ``pagelen`` hits per page.
    """

    def __init__(self, query: str, store: Store, reader: Reader, prepared: Prepared | None,
                 ranked: Sequence[tuple[Doc, float]], count: Callable[[], int] | None, page: int, pagelen: int, *,
                 origins: dict[str, tuple[str, str]] | None = None, expansions: Sequence[tuple[str, str, str]] = (),
                 relaxed: bool = False, warnings: list[str] | None = None, filter: Plan | None = None,
                 snippet_chars: int = 160, plan: Plan | None = None) -> None:
        self.query = query
        self.warnings = warnings if warnings is not None else []
        self.expansions = list(expansions)
        self.relaxed = relaxed
        self.page = page
        self.pagelen = pagelen
        self._prepared = prepared
        self._filter = filter
        self._count = count
        self._page = _Page(store, reader, prepared, dict(origins or {}), snippet_chars, plan)
        self._total: int | None = None
        self._facets: dict[str, dict[str, int]] | None = None
        self._suggestion: str | None | bool = False
        offset = (page - 1) * pagelen
        self._hits = [Hit(doc, score, offset + i, reader.id_of(doc), self._page)
                      for i, (doc, score) in enumerate(ranked)]
        self._page.hits = [weakref.ref(hit) for hit in self._hits]

    @property
    def parsed(self) -> str:
        """The query that ran, as text (for ``--explain``)."""
        return str(self._prepared) if self._prepared is not None else ""

    @property
    def total(self) -> int:
        """Number of matching articles over all pages (counted on first access)."""
        if self._total is None:
            self._total = int(self._count()) if self._count is not None else 0
        return self._total

    @property
    def facets(self) -> dict[str, dict[str, int]]:
        """Counts of all matching articles by ``lang``, ``category`` and ``year``, largest first."""
        if self._facets is None:
            from ..stores.base import FACETS

            counts = {name: {} for name in FACETS} if self._prepared is None else {
                name: dict(c.most_common()) for name, c in self._prepared.facets(self._filter).items()}
            self._facets = counts
        return self._facets

    @property
    def suggestion(self) -> str | None:
        """A corrected query when this one found fewer than :data:`SUGGEST_BELOW` articles
        (or had to fall back from all words to any word), or when a word of it is in only
        a few articles and a close word finds far more with the other words
        (:func:`~searchkit.results.suggest.suggest`), else None."""
        if self._suggestion is False:
            self._suggestion = None
            if self._prepared is not None or self.query.strip():  # also a query with no searchable words (こんかい)
                from .suggest import suggest

                with self._page.store.errors():
                    self._suggestion = suggest(self._page.reader, self.query,
                                               few_hits=self.relaxed or self.total < SUGGEST_BELOW)
        return self._suggestion  # type: ignore[return-value]

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


class _Page:
    """What the hits of one page share: the reader they came from and the
    query's terms, for stored fields and snippets. It holds the hits weakly (a
    hit holds its page), so a page's reader closes as soon as the last of
    its results and hits is dropped, even after a newer one replaced it."""

    __slots__ = ("store", "reader", "prepared", "origins", "terms", "snippet_chars", "hits", "units")

    def __init__(self, store: Store, reader: Reader, prepared: Prepared | None, origins: dict[str, tuple[str, str]],
                 snippet_chars: int, plan: Plan | None = None) -> None:
        self.store = store
        self.reader = reader
        self.prepared = prepared
        self.origins = origins
        self.terms = tuple(origins)
        self.snippet_chars = snippet_chars
        self.hits: list[weakref.ref[Hit]] = []
        #: field → (terms searched alone, phrases), from the plan that ran (None: mark every term)
        self.units = _units(plan) if plan is not None else None
        for phrases in (p for _, p in (self.units or {}).values()):
            for words in phrases:
                key = " ".join(words)
                if key not in self.origins and all(w in self.origins for w in words):
                    self.origins[key] = _phrase_origin([self.origins[w] for w in words])

    def marks(self, field: str, text: str, matches: list[tuple[int, int, str]]) -> list[Mark]:
        """The occurrences of ``field`` that satisfy the query's units (see :func:`whole_units`)."""
        if self.units is None:  # no plan to go by: every occurrence
            return sorted((s, e, term, ((s, e, term),)) for s, e, term in matches)
        alone, phrases = self.units.get(field, (set(), set()))
        analyzer = self.reader.analyzer

        def joined(gap: str) -> bool:
            if not gap or gap.isspace():
                return True
            return len(gap) <= _MAX_GAP and not analyzer.tokens(gap)

        return whole_units(text, matches, alone, phrases, joined)

    def _held(self, attr: str) -> list[Hit]:
        return [hit for ref in self.hits if (hit := ref()) is not None and getattr(hit, attr) is None]

    def make_snippets(self) -> None:
        """Snippets for the page's hits still held, from the occurrences the store gives."""
        hits = self._held("_snippet")
        matches = self.prepared.occurrences([h._doc for h in hits], self.terms) if self.prepared else {}
        for hit in hits:
            body = hit.fields.get("body") or ""
            hit._matches = self.marks("body", body, matches.get(hit._doc, []))
            hit._snippet = make_snippet(body, [m[:3] for m in hit._matches], max_chars=self.snippet_chars)

    def make_title_snippets(self) -> None:
        """Title snippets for the page's hits still held: the whole title, its matches marked."""
        hits = self._held("_title_snippet")
        matches = self.prepared.occurrences([h._doc for h in hits], self.terms, "title") if self.prepared else {}
        for hit in hits:
            title = hit.fields.get("title") or ""
            hit._title_matches = self.marks("title", title, matches.get(hit._doc, []))
            hit._title_snippet = make_snippet(title, [m[:3] for m in hit._title_matches], max_chars=len(title) + 1)

    def explain(self, text: str, mark: Mark) -> Match:
        """How the marked words of ``text`` met the query: for several words of
        a phrase, the first way one of them differs from the query (else ``exact``)."""
        start, end, term, words = mark
        query_word, how = self.origins.get(term, (term, "exact"))
        if how == "term":
            hows = [self._how(t, text[s:e]) for s, e, t in words]
            how = next((h for h in hows if h != "exact"), "exact")
        return Match(query_word, text[start:end], start, end, how)

    def _how(self, term: str, word: str) -> str:
        """How the article's ``word`` met the query's ``term``."""
        query_word, how = self.origins.get(term, (term, "exact"))
        if how != "term":
            return how
        if word == query_word or word.lower() == query_word.lower():
            return "exact"
        if unicodedata.normalize("NFKC", word).lower() == unicodedata.normalize("NFKC", query_word).lower():
            return "width"
        if unicodedata.normalize("NFKC", word).rstrip("ー") == unicodedata.normalize("NFKC", query_word).rstrip("ー"):
            return "long vowel"
        if _kanji_form(word) == _kanji_form(query_word):
            return "kanji form"
        if term.isdecimal():  # a number written in kanji (三, 廿, 壱) met its digits
            return "number"
        return "lemma"


#: Longest text between two words of a phrase that can still hold no indexed word.
_MAX_GAP = 24


def _units(plan: Plan) -> dict[str, tuple[set[str], set[tuple[str, ...]]]]:
    """Per field, the terms a plan searches on their own and its phrases (the
    body's opening, ``lead``, counts as the body; ``Not`` clauses are left out)."""
    out: dict[str, tuple[set[str], set[tuple[str, ...]]]] = {}
    stack: list[Any] = [plan]
    while stack:
        node = stack.pop()
        if isinstance(node, Term):
            out.setdefault("body" if node.field == "lead" else node.field, (set(), set()))[0].add(node.text)
        elif isinstance(node, Phrase):
            out.setdefault("body" if node.field == "lead" else node.field, (set(), set()))[1].add(tuple(node.words))
        elif not isinstance(node, Not):
            stack.extend(getattr(node, "clauses", ()))
    return out


def _phrase_origin(words: list[tuple[str, str]]) -> tuple[str, str]:
    """The query word and relation of a phrase, from those of its words."""
    text, last = "", None
    for surface, _ in words:
        if surface == last:  # the words of one synonym all answer the same query word
            continue
        last = surface
        if text and text[-1].isascii() and text[-1].isalnum() and surface[:1].isascii() and surface[:1].isalnum():
            text += " "
        text += surface
    hows = [how for _, how in words if how != "term"]
    return text, hows[0] if hows else "term"


def _kanji_form(word: str) -> str:
    return fold_kanji(unicodedata.normalize("NFKC", word))
