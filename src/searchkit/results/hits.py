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
from .highlight import Snippet, make_snippet

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
        self._matches: list[tuple[int, int, str]] = []
        self._title_snippet: Snippet | None = None
        self._title_matches: list[tuple[int, int, str]] = []

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
        return [self._page.explain(term, title[s:e], s, e) for s, e, term in sorted(self._title_matches)]

    @property
    def matches(self) -> list[Match]:
        """Which query words matched which words of the body, and how."""
        if self._snippet is None:
            with self._page.store.errors():
                self._page.make_snippets()
        body = self.fields.get("body") or ""
        return [self._page.explain(term, body[s:e], s, e) for s, e, term in sorted(self._matches)]

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
                 snippet_chars: int = 160) -> None:
        self.query = query
        self.warnings = warnings if warnings is not None else []
        self.expansions = list(expansions)
        self.relaxed = relaxed
        self.page = page
        self.pagelen = pagelen
        self._prepared = prepared
        self._filter = filter
        self._count = count
        self._page = _Page(store, reader, prepared, dict(origins or {}), snippet_chars)
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
            if self._prepared is not None:
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

    __slots__ = ("store", "reader", "prepared", "origins", "terms", "snippet_chars", "hits")

    def __init__(self, store: Store, reader: Reader, prepared: Prepared | None, origins: dict[str, tuple[str, str]],
                 snippet_chars: int) -> None:
        self.store = store
        self.reader = reader
        self.prepared = prepared
        self.origins = origins
        self.terms = tuple(origins)
        self.snippet_chars = snippet_chars
        self.hits: list[weakref.ref[Hit]] = []

    def _held(self, attr: str) -> list[Hit]:
        return [hit for ref in self.hits if (hit := ref()) is not None and getattr(hit, attr) is None]

    def make_snippets(self) -> None:
        """Snippets for the page's hits still held, from the occurrences the store gives."""
        hits = self._held("_snippet")
        matches = self.prepared.occurrences([h._doc for h in hits], self.terms) if self.prepared else {}
        for hit in hits:
            hit._matches = matches.get(hit._doc, [])
            hit._snippet = make_snippet(hit.fields.get("body") or "", hit._matches, max_chars=self.snippet_chars)

    def make_title_snippets(self) -> None:
        """Title snippets for the page's hits still held: the whole title, its matches marked."""
        hits = self._held("_title_snippet")
        matches = self.prepared.occurrences([h._doc for h in hits], self.terms, "title") if self.prepared else {}
        for hit in hits:
            title = hit.fields.get("title") or ""
            hit._title_matches = matches.get(hit._doc, [])
            hit._title_snippet = make_snippet(title, hit._title_matches, max_chars=len(title) + 1)

    def explain(self, term: str, word: str, start: int, end: int) -> Match:
        """How the body word ``word`` (at ``start``-``end``) met the query's ``term``."""
        query_word, how = self.origins.get(term, (term, "exact"))
        if how == "term":
            if word == query_word or word.lower() == query_word.lower():
                how = "exact"
            elif unicodedata.normalize("NFKC", word).lower() == unicodedata.normalize("NFKC", query_word).lower():
                how = "width"
            elif unicodedata.normalize("NFKC", word).rstrip("ー") == unicodedata.normalize("NFKC", query_word).rstrip("ー"):
                how = "long vowel"
            elif _kanji_form(word) == _kanji_form(query_word):
                how = "kanji form"
            elif term.isdecimal():  # a number written in kanji (三, 廿, 壱) met its digits
                how = "number"
            else:
                how = "lemma"
        return Match(query_word, word, start, end, how)



def _kanji_form(word: str) -> str:
    return fold_kanji(unicodedata.normalize("NFKC", word))
