"""Ranked search: from query text to :class:`Results` of :class:`Hit`.

How query text becomes a Whoosh query:

* the text is parsed (:mod:`searchkit.query`) and each free-text run is
  analyzed whole with the index's analyzer (never split at whitespace first);
* a run that analyzes into adjacent terms (防衛相会談 → 防衛 相 会談,
  スマートフォン → スマート フォン) is one *unit*: a phrase, so its pieces are
  never matched apart;
* a plain query of a few keywords (no particles, at most
  :data:`KEYWORD_MAX_UNITS` units) requires every unit (AND); when no article
  holds them all, articles holding some are shown instead, with a warning;
* a natural-language question (particles between its words, or longer than
  that) is a weighted OR of its terms; words found in more than
  :data:`COMMON_DF` of the articles are left out (they cost the most and
  weigh the least). When it asks something (a question word such as 何, どこ,
  who), query terms found next to each other in an article add a bonus
  (:data:`PAIR_BOOST`), and the question words themselves are dropped;
* queries with operators, quotes or ``field:`` follow the query language, with
  AND between juxtaposed items;
* names cross scripts: a Japanese proper noun also matches its romaji reading
  in English text (小泉 → koizumi), and a Latin or kana word also matches
  Japanese names read that way (Koizumi, こいずみ → 小泉), at
  :data:`NAME_BOOST`; an alias table (:mod:`searchkit.aliases`) adds
  alternatives for names readings cannot bridge.

Each term is searched in ``title`` (weighted :data:`TITLE_BOOST`) and
``body``, and scored with BM25F. Long queries that do not ask anything (a
headline) also search the body's opening, ``lead`` (:data:`LEAD_BOOST`: news
puts the gist first; known-item MRR@10 +0.06); a question that asks something
(who, 何…) does not, since its answer can be anywhere in the article, and
neither do two-word keyword queries (+0.005 MRR@10 there, for 25% more query
time). In a long query each word counts once, in the field where it scores
best (title, body, or its name in the other script), plus the lead bonus.

A question (a question word, a final question mark, or a Japanese question's
ending: …は。, …か。, 答えよ) is scored with BM25 k1 :data:`QUESTION_K1`, and
its best candidates are re-scored by its wording found in each
(:mod:`searchkit.rerank`), whatever the page asked for.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
import weakref
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal, overload

from whoosh import matching as wm
from whoosh import query as wq

from . import rerank as _rerank
from . import _damage
from ._whoosh import READING_PREFIX
from .analysis import Analyzer, Token
from .analysis.english import stem
from .analysis.normalize import fold_kanji
from .analysis.readings import kana_query_reading
from .analysis.romaji import fold_romaji, is_kana
from .documents import parse_datetime, repair_text, stored_article
from .errors import QueryError
from .highlight import Snippet, make_snippet
from .matching import SeenBlocks, all_words_matcher, plain_terms, posting_value, word_matcher
from .schema import BM25_B
from .query import And, Node, Not, Or, Parsed, Phrase, Range, Text, parse

if TYPE_CHECKING:
    from .aliases import AliasTable
    from .index import Index

__all__ = ["Hit", "Match", "Results", "search"]

TITLE_BOOST = 1.5
PAIR_BOOST = 0.25
OR_MATCHER: int | None = wq.Or.ARRAY_MATCHER
#: Question words found in more than this share of articles are left out.
COMMON_DF: float | None = 0.2
COMMON_DF_MIN_DOCS = 200
NAME_BOOST = 0.6
#: Extra weight of a word found in the opening of the body (the ``lead`` field).
LEAD_BOOST = 0.6
KEYWORD_MAX_UNITS = 2
#: BM25 k1 for questions (a question word such as 何, どこ, who, a final
#: question mark, or a question's ending: …は。, …か。, 答えよ): term frequency
#: saturates sooner, so a passage is ranked more by how many of the question's
#: words it holds than by how often it repeats one (JSQuAD MRR@10 +0.007 on
#: each half of the dev questions, known-item JA −0.003); other queries keep
#: the index's k1.
QUESTION_K1: float | None = 0.6
SNIPPET_CHARS = 160
#: The orders a search can sort by.
SORTS = ("relevance", "date")
#: Results fetched past the page, so that a tie across its end (copies of
#: one article score alike) is usually seen whole without searching again.
TIE_HEADROOM = 10
#: A query with fewer hits than this gets a did-you-mean suggestion.
SUGGEST_BELOW = 3
_TEXT_FIELDS = ("title", "body")
_EXACT_FIELDS = ("id", "lang", "category", "tags")
_PUNCT_TAGS = ("補助記号", "空白", "記号")
#: How Japanese questions without a question word end: …の名前は。 …したのか。
#: …を答えよ.
_QUESTION_END = re.compile(r"(?:[はか]|答えよ|答えなさい|[挙あ]げよ|こたえよ|教えて(?:ください)?)[。．.]?\s*$")
_FACETS = ("lang", "category", "year")
_NO_DATE = 2**63


def _load_words(name: str) -> frozenset[str]:
    text = resources.files("searchkit.analysis").joinpath("data", name).read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


QUESTION_WORDS = _load_words("question_words.txt")


# -- results -------------------------------------------------------------------


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
            or ``alias``.
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
            re-scored by its wording, see :mod:`searchkit.rerank`; higher is better).
        rank: 0-based rank over all pages.
        fields: every field of the article (id, title, body, url, published,
            lang, category, tags; None when the article has none): ``published``
            a timezone-aware UTC datetime, ``tags`` a list.
    """

    __slots__ = ("id", "score", "rank", "_fields", "_docnum", "_page", "_snippet", "_matches", "_title_snippet",
                 "__weakref__")

    def __init__(self, docnum: int, score: float, rank: int, doc_id: str | None, page: _Page) -> None:
        self.score = float(score)
        self.rank = rank
        self._docnum = docnum
        self._page = page
        self._fields: dict[str, Any] | None = None
        self.id: str = doc_id if doc_id is not None else self.fields["id"]
        self._snippet: Snippet | None = None
        self._matches: list[tuple[int, int, str]] = []
        self._title_snippet: Snippet | None = None

    @property
    def fields(self) -> dict[str, Any]:
        """Stored fields (title, body, url, published, lang, category, tags), read on first access."""
        if self._fields is None:
            with _damage.reading(self._page.index.path):
                self._fields = _stored(self._page.searcher, self._docnum)
        return self._fields

    @property
    def snippet(self) -> Snippet:
        """Best passage of the body with the matched words marked (computed on first access)."""
        if self._snippet is None:
            with _damage.reading(self._page.index.path):
                self._page.make_snippets()
        assert self._snippet is not None
        return self._snippet

    @property
    def title_snippet(self) -> Snippet:
        """The whole title with the matched words marked, as :attr:`snippet` marks the body
        (computed on first access)."""
        if self._title_snippet is None:
            with _damage.reading(self._page.index.path):
                self._page.make_title_snippets()
        assert self._title_snippet is not None
        return self._title_snippet

    @property
    def matches(self) -> list[Match]:
        """Which query words matched which words of the body, and how."""
        if self._snippet is None:
            with _damage.reading(self._page.index.path):
                self._page.make_snippets()
        body = self.fields.get("body", "")
        return [self._page.explain(term, body[s:e], s, e) for s, e, term in sorted(self._matches)]

    def __repr__(self) -> str:
        return f"Hit(id={self.id!r}, score={self.score:.3f}, title={self.fields.get('title', '')[:40]!r})"


class Results(Sequence[Hit]):
    """The hits of one page of a search, best first.

    Attributes:
        query: the query text.
        warnings: what lenient parsing repaired or dropped, and fallbacks taken.
        expansions: ``(query word, alternative, provenance)`` added by the alias table.
        parsed: the Whoosh query that ran, as text (for ``--explain``).
        page: 1-based page number; ``pagelen`` hits per page.
    """

    def __init__(self, query: str, searcher: Any, wquery: Any, ranked: Sequence[tuple[int, float]],
                 count: Any, page: int, pagelen: int, builder: _Builder | None, warnings: list[str],
                 filt: Any, snippet_chars: int, index: Index) -> None:
        self.query = query
        self.warnings = warnings
        self.expansions = list(builder.expansions) if builder else []
        self.relaxed = bool(builder and builder.relaxed)
        self.page = page
        self.pagelen = pagelen
        self._searcher = searcher
        self._wquery = wquery
        self._filter = filt
        self._count = count
        self._index = index
        self._page = _Page(index, searcher, wquery, dict(builder.origins) if builder else {}, snippet_chars)
        self._total: int | None = None
        self._facets: dict[str, dict[str, int]] | None = None
        self._suggestion: str | None | bool = False
        offset = (page - 1) * pagelen
        ids = _id_column(searcher) if ranked else None
        self._hits = [Hit(docnum, score, offset + i, ids[docnum] if ids is not None else None, self._page)
                      for i, (docnum, score) in enumerate(ranked)]
        self._page.hits = [weakref.ref(hit) for hit in self._hits]

    @property
    def parsed(self) -> str:
        """The Whoosh query that ran, as text (for ``--explain``)."""
        return str(self._wquery) if self._wquery is not None else ""

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
            counts: dict[str, Counter[str]] = {name: Counter() for name in _FACETS}
            if self._wquery is not None:
                q = self._wquery if self._filter is None else wq.And([self._wquery, self._filter])
                for docnum in q.docs(self._searcher):
                    stored = self._searcher.stored_fields(docnum)
                    counts["lang"][stored.get("lang") or "unknown"] += 1
                    counts["category"][stored.get("category") or "none"] += 1
                    published = stored.get("published")
                    counts["year"][str(published.year) if published else "undated"] += 1
            self._facets = {name: dict(c.most_common()) for name, c in counts.items()}
        return self._facets

    @property
    def suggestion(self) -> str | None:
        """A corrected query when this one found fewer than :data:`SUGGEST_BELOW` articles
        (or had to fall back from all words to any word), else None."""
        if self._suggestion is False:
            self._suggestion = None
            if self._wquery is not None and (self.relaxed or self.total < SUGGEST_BELOW):
                from .suggest import suggest

                self._suggestion = suggest(self._index, self.query)
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
    """What the hits of one page share: the searcher they came from and the
    query's terms, for stored fields and snippets. It holds the hits weakly (a
    hit holds its page), so a page's searcher closes as soon as the last of
    its results and hits is dropped, even after a newer searcher replaced it."""

    __slots__ = ("index", "searcher", "wquery", "origins", "terms", "snippet_chars", "hits")

    def __init__(self, index: Index, searcher: Any, wquery: Any, origins: dict[str, tuple[str, str]],
                 snippet_chars: int) -> None:
        self.index = index
        self.searcher = searcher
        self.wquery = wquery
        self.origins = origins
        self.terms = tuple(origins)
        self.snippet_chars = snippet_chars
        self.hits: list[weakref.ref[Hit]] = []

    def make_snippets(self) -> None:
        """Snippets for the page's hits still held, from stored character ranges.

        Each query term's body postings for the page's documents come from the
        posting blocks the search already read, or else from one posting cursor
        per term and segment walking the page in docnum order: a few skips per
        term, never a re-analysis.
        """
        hits = [hit for ref in self.hits if (hit := ref()) is not None and hit._snippet is None]
        matches: dict[int, list[tuple[int, int, str]]] = {h._docnum: [] for h in hits}
        order = sorted(matches)
        seen = _seen_blocks(self.wquery)
        chars = self.searcher.schema["body"].format.decoder("characters")
        for sub, offset in self.searcher.leaf_searchers():
            reader = sub.reader()
            local = [d - offset for d in order if offset <= d < offset + reader.doc_count_all()]
            if not local:
                continue
            for term in self.terms:
                tbytes = term.encode("utf-8")
                blocks = seen.get((reader, "body", tbytes))
                missing = []
                for docnum in local:
                    known, value = posting_value(blocks, docnum) if blocks else (False, None)
                    if not known:
                        missing.append(docnum)
                    elif value is not None:
                        matches[docnum + offset].extend((s, e, term) for _, s, e in chars(value))
                if missing:
                    self._read_postings(reader, tbytes, term, missing, offset, matches)
        for hit in hits:
            hit._matches = matches[hit._docnum]
            hit._snippet = make_snippet(hit.fields.get("body", ""), hit._matches, max_chars=self.snippet_chars)

    def make_title_snippets(self) -> None:
        """Title snippets for the page's hits still held: the whole title, its matches marked."""
        hits = [hit for ref in self.hits if (hit := ref()) is not None and hit._title_snippet is None]
        matches: dict[int, list[tuple[int, int, str]]] = {h._docnum: [] for h in hits}
        order = sorted(matches)
        for sub, offset in self.searcher.leaf_searchers():
            reader = sub.reader()
            local = [d - offset for d in order if offset <= d < offset + reader.doc_count_all()]
            for term in self.terms if local else ():
                self._read_postings(reader, term.encode("utf-8"), term, local, offset, matches, "title")
        for hit in hits:
            title = hit.fields.get("title") or ""
            hit._title_snippet = make_snippet(title, matches[hit._docnum], max_chars=len(title) + 1)

    @staticmethod
    def _read_postings(reader: Any, tbytes: bytes, term: str, docnums: list[int], offset: int,
                       matches: dict[int, list[tuple[int, int, str]]], field: str = "body") -> None:
        """Character ranges of ``term`` in ``field`` of a few documents of one segment, by posting cursor."""
        if (field, tbytes) not in reader:
            return
        m = reader.postings(field, tbytes)
        for docnum in docnums:
            if not m.is_active():
                break
            if m.id() < docnum:
                m.skip_to(docnum)
                if not m.is_active():
                    break
            if m.id() == docnum:
                matches[docnum + offset].extend((s, e, term) for _, s, e in m.value_as("characters"))

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


def _seen_blocks(q: Any) -> SeenBlocks:
    """The posting blocks a query's block-at-a-time matchers read (see :mod:`searchkit.matching`)."""
    out: SeenBlocks = {}
    stack = [q] if q is not None else []
    while stack:
        node = stack.pop()
        out.update(node.__dict__.get("seen_blocks", {}))
        stack.extend(node.children())
    return out


def _id_column(searcher: Any) -> Any:
    """The article ids by document number, from the ``id`` column (None for indexes made without it)."""
    cached = searcher.__dict__.get("_searchkit_ids", False)
    if cached is False:
        cached = None
        if searcher.schema["id"].column_type is not None:
            cached = searcher.reader().column_reader("id")
        searcher.__dict__["_searchkit_ids"] = cached
    return cached


def _by_score(wresults: Any, searcher: Any) -> list[tuple[int, float]]:
    """``(docnum, score)`` of the scored documents, best first, equal scores in id order
    (so a ranking does not depend on which writer process stored which article)."""
    ranked = [(wresults.docnum(i), wresults.score(i) or 0.0) for i in range(wresults.scored_length())]
    ids = _id_column(searcher) if len(ranked) > 1 else None  # an empty index has no columns
    if ids is not None:
        ranked.sort(key=lambda item: (-item[1], ids[item[0]]))
    return ranked


def _with_whole_tie(run: Callable[[int], Any], want: int, n: int | None = None,
                    found: Any = None) -> tuple[Any, int]:
    """Whoosh results of ``run(n)`` holding the first ``want`` documents and the
    whole of a tie that reaches past them (so :func:`_by_score` can order it by
    id): ``n`` documents (default one more than wanted), twice as many while a
    tie runs on. ``found`` is ``run(n)`` if already run. Returns the results and ``n``."""
    n = want + 1 if n is None else n
    found = run(n) if found is None else found
    while found.scored_length() == n and found.score(want - 1) == found.score(n - 1):
        n *= 2
        found = run(n)
    return found, n


def _stored(searcher: Any, docnum: int) -> dict[str, Any]:
    return stored_article(searcher.stored_fields(docnum))


# -- query building ------------------------------------------------------------


class _MaxMatcher(wm.UnionMatcher):  # type: ignore[misc]
    """The union of two matchers, scored with the higher of the two scores at
    the current document. (Whoosh's ``DisjunctionMaxMatcher`` compares the
    scores of both sub-matchers even when they stand on different documents.)"""

    def score(self) -> float:
        a, b = self.a, self.b
        if not a.is_active():
            return float(b.score())
        if not b.is_active():
            return float(a.score())
        if a.id() < b.id():
            return float(a.score())
        if b.id() < a.id():
            return float(b.score())
        return float(max(a.score(), b.score()))


class _BestField(wq.DisjunctionMax):  # type: ignore[misc]
    """One query word in several fields: a document scores the best of them, not their sum.

    A passage whose title already holds the word gains nothing more when its
    body repeats it, so passages of one article that share a title are ranked
    by the words they do not share (JSQuAD MRR@10 +0.013).
    """

    def _matcher(self, subs: Any, searcher: Any, context: Any) -> Any:
        from whoosh.util import make_binary_tree

        matchers = [q.matcher(searcher, context) for q in subs]
        m = matchers[0] if len(matchers) == 1 else make_binary_tree(_MaxMatcher, matchers)
        return m if self.boost == 1.0 else wm.WrappingMatcher(m, self.boost)


@dataclass
class _Builder:
    analyzer: Analyzer
    aliases: AliasTable | None = None
    searcher: Any = None
    cross_script: bool = True
    lead: bool = False  # the index has a lead field (indexes made before it have not)
    #: whoosh term → (query word, how it relates: "term", "reading", "alias")
    origins: dict[str, tuple[str, str]] = field(default_factory=dict)
    expansions: list[tuple[str, str, str]] = field(default_factory=list)
    relaxed: bool = False
    asked: bool = False  # the query holds a question word (何, どこ, who…)
    #: the query's texts with question words masked (for :mod:`searchkit.rerank`)
    question_texts: list[str] = field(default_factory=list)
    question_mark: bool = False  # the query ends with a question mark
    question_end: bool = False  # the query ends as a Japanese question does (…は。, …か。, 答えよ)

    @property
    def question(self) -> bool:
        """The query reads as a question: a question word, a final question mark or question ending."""
        return self.asked or self.question_mark or self.question_end

    def tokens(self, text: str) -> tuple[list[Token], bool]:
        """Analyzed query terms (question words dropped) and whether it reads as a sentence."""
        toks: list[Token] = []
        asked: list[Token] = []
        sentence = False
        masked = list(text)
        for surface, term, tag, s, e, keep, reading in self.analyzer.morphemes(text):
            # A question word by lemma or as written (UniDic reads どの in
            # ふつうどのくらい as 殿; English ones are stop words, never kept).
            question = term in QUESTION_WORDS or surface.lower() in QUESTION_WORDS
            if question:
                masked[s:e] = [_rerank.MASK] * (e - s)
            if not keep:
                if toks and not tag.startswith(_PUNCT_TAGS):
                    sentence = True
                if question:
                    self.asked = sentence = True
                continue
            tok = Token(term, s, e, len(toks), text[s:e], term, tag, reading)
            if question:
                asked.append(tok)
                sentence = True
                self.asked = True
                continue
            toks.append(tok)
        self.question_texts.append("".join(masked))
        if text.rstrip().endswith(("?", "？")):
            self.question_mark = True
        elif _QUESTION_END.search(text):
            self.question_end = True
        return (toks, sentence) if toks else (asked, False)

    @staticmethod
    def units(toks: list[Token]) -> list[list[Token]]:
        """Group terms whose words touch in the query text (a compound) into units."""
        groups: list[list[Token]] = []
        last_end = -1
        for t in toks:
            if groups and t.start == last_end:
                groups[-1].append(t)
            else:
                groups.append([t])
            last_end = t.end
        return groups

    def _note(self, term: str, query_word: str, how: str) -> None:
        self.origins.setdefault(term, (query_word, how))

    def _clauses(self, term: str, fields: Sequence[str], boost: float) -> list[wq.Query]:
        return [wq.Term(f, term, boost=round(boost * (TITLE_BOOST if f == "title" else 1.0), 4)) for f in fields]

    def term(self, tok: Token, fields: Sequence[str], boost: float = 1.0, lead: bool = False) -> wq.Query:
        """One query word: the term itself, plus its name in the other script
        (and, with ``lead``, the word in the body's opening)."""
        self._note(tok.term, tok.surface, "term")
        clauses = self._clauses(tok.term, fields, boost)
        if lead and self.lead and "body" in fields and not self.asked:
            clauses.append(wq.Term("lead", tok.term, boost=round(boost * LEAD_BOOST, 4)))
        for alt, how in self._cross_script(tok) if self.cross_script else ():
            self._note(alt, tok.surface, how)
            clauses += self._clauses(alt, fields, boost * NAME_BOOST)
        return clauses[0] if len(clauses) == 1 else _Union(clauses)

    @staticmethod
    def _cross_script(tok: Token) -> list[tuple[str, str]]:
        if tok.reading:  # a Japanese name: its romaji, as English text indexes it
            return [(stem(tok.reading), "reading")]
        word = tok.surface
        if tok.tag == "en-word" and len(word) >= 3 and word.isascii() and word.isalpha():
            return [(READING_PREFIX + fold_romaji(word), "reading")]
        return []

    def unit(self, toks: list[Token], fields: Sequence[str], boost: float = 1.0) -> wq.Query:
        if len(toks) == 1:
            return self.term(toks[0], fields, boost)
        words = [t.term for t in toks]
        for t in toks:
            self._note(t.term, t.surface, "term")
        clauses = [wq.Phrase(f, words, boost=round(boost * (TITLE_BOOST if f == "title" else 1.0), 4)) for f in fields]
        if self.cross_script and all(t.reading for t in toks):  # 小泉進次郎 ↔ Shinjiro Koizumi (either order)
            alts = [stem(t.reading) for t in toks]
            for t, alt in zip(toks, alts):
                self._note(alt, t.surface, "reading")
            clauses += [wq.And([wq.Term(f, a, boost=boost * NAME_BOOST) for a in alts]) for f in fields]
        return clauses[0] if len(clauses) == 1 else _Union(clauses)

    def text_unit(self, text: str, toks: list[Token], fields: Sequence[str]) -> list[wq.Query]:
        """The units of one free-text run; a kana run also matches names read that way."""
        groups = self.units(toks)
        parts = [self.unit(g, fields) for g in groups]
        alternatives: list[wq.Query] = []
        key = kana_query_reading(text) if self.cross_script and is_kana(text) else None
        if key:  # こいずみ → Japanese names read koizumi, and "Koizumi"
            for alt in (READING_PREFIX + key, stem(key)):
                if alt in self.origins:  # a loanword token already brought it
                    continue
                self._note(alt, text, "reading")
                alternatives += self._clauses(alt, fields, NAME_BOOST)
        if alternatives:
            whole = parts[0] if len(parts) == 1 else wq.And(parts)
            return [_Union([whole, *alternatives])]
        return parts

    def alias_queries(self, text: str, fields: Sequence[str]) -> list[wq.Query]:
        """Queries for the other names of every alias found in ``text`` (recorded in ``expansions``)."""
        if self.aliases is None:
            return []
        out: list[wq.Query] = []
        for match in self.aliases.find(text):
            for alias, provenance in match.alternatives:
                alias_toks, _ = self.tokens(alias)
                if not alias_toks:
                    continue
                self.expansions.append((match.surface, alias, provenance))
                for t in alias_toks:
                    self.origins.setdefault(t.term, (match.surface, "alias"))
                parts = [self.unit(g, fields, NAME_BOOST) for g in self.units(alias_toks)]
                for t in alias_toks:
                    self.origins[t.term] = (match.surface, "alias")
                out.append(parts[0] if len(parts) == 1 else wq.And(parts))
        return out

    def question_query(self, runs: list[tuple[str, list[Token]]]) -> wq.Query:
        toks = [t for _, ts in runs for t in ts]
        n_docs = self.searcher.doc_count_all() if self.searcher is not None else 0
        if COMMON_DF is not None and len(toks) > 2 and n_docs >= COMMON_DF_MIN_DOCS:
            # Words in most articles add little to BM25 but cost the most to
            # score: leave them out of long questions.
            limit = COMMON_DF * n_docs
            rare = [t for t in toks if self.searcher.doc_frequency("body", t.term) <= limit]
            toks = rare or toks
        clauses: list[wq.Query] = []
        for t in toks:
            q = self.term(t, _TEXT_FIELDS, lead=True)
            subs = q.subqueries if isinstance(q, wq.Or) else [q]
            # The lead bonus adds to the body's score; title, body and the
            # word's name in the other script are alternatives: the best counts.
            lead = [c for c in subs if c.field() == "lead"]
            best = [c for c in subs if c.field() != "lead"]
            clauses += [_BestField(best) if len(best) > 1 else best[0], *lead]
        if PAIR_BOOST and self.asked:
            # A question's words tend to stand together in the passage that
            # answers it ("何と呼ぶ" questions quote it); a headline's don't.
            terms = [t.term for t in toks]
            for pair in dict.fromkeys(zip(terms, terms[1:])):
                clauses.append(wq.Phrase("body", list(pair), boost=PAIR_BOOST))
        query = wq.Or(clauses)
        if OR_MATCHER is not None:
            # Many-term ORs: add up scores in an array instead of walking a
            # tree of union matchers (several times faster in Whoosh).
            query.matcher_type = OR_MATCHER
        return query

    def node(self, node: Node, warnings: list[str]) -> wq.Query | None:
        if isinstance(node, (Text, Phrase)):
            name = node.field
            if name in _EXACT_FIELDS:
                value = repair_text(node.text.lower() if name in ("lang",) else node.text)
                return wq.Term(name, value)
            if name == "url":
                warnings.append("url is stored, not searchable: url:… ignored")
                return None
            if name == "published":  # published:2024-05 is the range of that month
                return _range(Range("published", node.text, node.text), warnings)
            fields = (name,) if name else _TEXT_FIELDS
            toks, _ = self.tokens(node.text)
            if not toks:
                warnings.append(f"{node.text!r} has no searchable words: ignored")
                return None
            if isinstance(node, Phrase):
                whole = self.unit(toks, fields)
            else:
                parts = self.text_unit(node.text, toks, fields)
                whole = parts[0] if len(parts) == 1 else wq.And(parts)
            alternatives = self.alias_queries(node.text, fields)
            return _Union([whole, *alternatives]) if alternatives else whole
        if isinstance(node, Range):
            return _range(node, warnings)
        if isinstance(node, Not):
            saved = dict(self.origins)
            inner = self.node(node.item, warnings)
            self.origins = saved  # a NOT term is never highlighted
            return wq.Not(inner) if inner is not None else None
        items = [q for q in (self.node(i, warnings) for i in node.items) if q is not None]
        if not items:
            return None
        if len(items) == 1 and not isinstance(items[0], wq.Not):
            return items[0]
        return _Union(items) if isinstance(node, Or) else wq.And(items)


class _Union(wq.Or):  # type: ignore[misc]
    """OR of a few clauses, as a tree of union matchers over the clauses that
    match anything in the segment.

    Whoosh would pick its array matcher for segments under 5,000 articles,
    which scores every posting of every clause; the tree lets an enclosing AND
    skip ahead and the top-10 collector skip blocks that cannot make the page
    (keyword queries 3× faster on the news corpus). Clauses with no postings in
    the segment (a name's romaji in Japanese-only text) are left out of it.
    """

    def _matcher(self, subs: Any, searcher: Any, context: Any) -> Any:
        from whoosh.util import make_binary_tree

        terms = plain_terms(self)
        if terms is not None:
            m = word_matcher(searcher, context, terms, self.__dict__.setdefault("seen_blocks", {}), _top(self))
            if m is not None:
                _count_dropped(self, m)
                return m
        matchers = [m for m in (q.matcher(searcher, context) for q in subs) if m.is_active()]
        if not matchers:
            return wm.NullMatcher()
        m = matchers[0] if len(matchers) == 1 else make_binary_tree(wm.UnionMatcher, matchers)
        return m if self.boost == 1.0 else wm.WrappingMatcher(m, self.boost)


class _AllWords(wq.And):  # type: ignore[misc]
    """AND of the words of a keyword query; each word an OR of plain terms is
    matched a posting block at a time (:mod:`searchkit.matching`)."""

    def _matcher(self, subs: Any, searcher: Any, context: Any) -> Any:
        words = [w for w in (plain_terms(q) for q in subs) if w is not None]
        if self.boost == 1.0 and len(words) == len(subs):
            m = all_words_matcher(searcher, context, words, self.__dict__.setdefault("seen_blocks", {}), _top(self))
            if m is not None:
                _count_dropped(self, m)
                return m
        return super()._matcher(subs, searcher, context)


def _top(q: wq.Query) -> int | None:
    """How many best documents the running search needs of ``q`` (set by :func:`search`
    while it collects a page by score with no filter), else None: all."""
    top: int | None = q.__dict__.get("top")
    return top


def _count_dropped(q: wq.Query, m: Any) -> None:
    """Add up the matching documents a matcher of ``q`` left out (for the total)."""
    if getattr(m, "dropped", 0):
        q.__dict__["dropped"] = q.__dict__.get("dropped", 0) + m.dropped


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
    except (ValueError, OverflowError):
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
        except (ValueError, OverflowError) as exc:
            raise QueryError(f"since/until must be dates (YYYY, YYYY-MM or YYYY-MM-DD): {exc}") from exc
        parts.append(wq.DateRange("published", low, high))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _with_k1(searcher: Any, k1: float) -> Any:
    """A searcher over the same reader, scoring BM25F with term-frequency saturation ``k1``."""
    from whoosh.scoring import BM25F
    from whoosh.searching import Searcher

    return Searcher(searcher.reader(), weighting=BM25F(B=BM25_B, K1=k1), closereader=False)


def _relevance(searcher: Any, q: wq.Query, docnums: list[int]) -> dict[int, float]:
    """BM25F scores of a few documents (for date-sorted pages, whose order is not by score)."""
    scores: dict[int, float] = {}
    m = q.matcher(searcher)
    for docnum in sorted(docnums):
        if not m.is_active():
            break
        if m.id() < docnum:
            m.skip_to(docnum)
        if m.is_active() and m.id() == docnum:
            scores[docnum] = float(m.score())
    return scores


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
    cross_script: bool = True,
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
        sort: ``"relevance"`` (default) or ``"date"`` (newest first, undated last).
        strict: raise :class:`~searchkit.errors.QuerySyntaxError` on bad
            syntax instead of repairing it.
        cross_script: also match names written in the other script
            (Koizumi ↔ 小泉, こいずみ → 小泉); off, a word matches only itself.
        snippet_chars: length budget of each hit's snippet.

    Returns:
        :class:`Results`, best first (equal scores in article-id order);
        ``results.warnings`` lists repairs and fallbacks.
    """
    for name, value in (("limit", limit), ("page", page)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise QueryError(f"{name} must be a whole number of at least 1, not {value!r}")
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(map(repr, SORTS))}, not {sort!r}")
    parsed: Parsed = parse(query, strict=strict)
    warnings = list(parsed.warnings)
    searcher = index._searcher()
    builder = _Builder(searcher.schema["body"].analyzer.analyzer, index.aliases, searcher, cross_script,
                       lead="lead" in searcher.schema)
    filt = _filters(lang, category, since, until)

    union: wq.Query | None = None  # keyword queries: articles with any unit
    last_resort: Callable[[], wq.Query] | None = None  # when no article holds a whole unit (built if needed)
    q: wq.Query | None
    if parsed.is_plain:
        runs: list[tuple[str, list[Token]]] = []
        sentence = False
        texts = _flatten(parsed.tree)
        for node in texts:
            toks, is_sentence = builder.tokens(node.text)
            sentence |= is_sentence
            if toks:
                runs.append((node.text, toks))
        n_terms = sum(len(toks) for _, toks in runs)
        n_units = sum(len(builder.units(toks)) for _, toks in runs)
        alias_alts = builder.alias_queries(" ".join(t.text for t in texts), _TEXT_FIELDS)
        if not runs and not alias_alts:
            warnings.append("the query has no searchable words")
            q = None
        elif sentence or n_units > KEYWORD_MAX_UNITS:
            q = builder.question_query(runs)
            if alias_alts:
                q = _Union([q, *alias_alts])
        else:
            units = [p for text, toks in runs for p in builder.text_unit(text, toks, _TEXT_FIELDS)]
            q = units[0] if len(units) == 1 else _AllWords(units) if units else _Union(alias_alts)
            if units and alias_alts:  # an alias stands for the name it was found in
                q = _Union([q, *alias_alts])
            if len(units) > 1 or (units and alias_alts):
                union = _Union(units + alias_alts)
            if n_terms > 1:
                last_resort = lambda: builder.question_query(runs)  # noqa: E731
    else:
        q = builder.node(parsed.tree, warnings) if parsed.tree is not None else None

    def run(wquery: wq.Query, n: int, mask: wq.Query | None = None) -> Any:
        kwargs: dict[str, Any] = {"filter": filt, "mask": mask}
        if sort == "relevance" and filt is None and mask is None and isinstance(wquery, (_AllWords, _Union)):
            # Only this page's best documents go to Whoosh's collector; the
            # matchers count the ones they leave out, for the total.
            wquery.__dict__.update(top=n, dropped=0)
            try:
                return searcher.search(wquery, limit=n, **kwargs)
            finally:
                del wquery.__dict__["top"]
        if sort == "date":
            from whoosh import sorting

            # Newest first; articles without a date (Whoosh's column gives them
            # the largest key) sort as the oldest.
            kwargs["sortedby"] = sorting.TranslateFacet(
                lambda v: v if isinstance(v, int) and v < _NO_DATE else -1, sorting.FieldFacet("published"))
            kwargs["reverse"] = True
        return searcher.search(wquery, limit=n, **kwargs)

    if builder.question and QUESTION_K1 is not None:
        searcher = _with_k1(searcher, QUESTION_K1)

    def items(wresults: Any, start: int, stop: int) -> list[tuple[int, float]]:
        if sort == "relevance":
            return _by_score(wresults, searcher)[start:stop]
        stop = min(stop, wresults.scored_length())
        return [(wresults.docnum(i), wresults.score(i) or 0.0) for i in range(start, stop)]

    if q is None:
        return Results(query, searcher, None, [], None, page, limit, None, warnings, filt, snippet_chars, index)
    want = page * limit
    offset = want - limit
    # A question's best candidates are re-scored by its wording (whatever the
    # page, so pages agree): fetch them all.
    reranked = parsed.is_plain and builder.question and sort == "relevance" and _rerank.RERANK_DEPTH > 0
    fetch = max(want, _rerank.RERANK_DEPTH) if reranked else want
    # Each step runs only when the one before found nothing: all units, then
    # articles with some units, then any word of a compound that never occurs whole.
    steps: list[tuple[wq.Query | Callable[[], wq.Query], str]] = [(q, "")]
    if union is not None:
        steps.append((union, "no article has all the words; showing articles with some of them, best first"))
    if last_resort is not None:
        steps.append((last_resort, "no article has the words together; showing articles with any of them, best first"))
    n = fetch + 1 + TIE_HEADROOM
    for step, note in steps:
        if note:
            warnings.append(note)
            builder.relaxed = True
        final_q = step() if callable(step) else step
        found = run(final_q, n)
        if found.scored_length():
            break
    # Equal scores are ordered by article id, not by where the index stored
    # the articles: a tie that reaches into the page and past what was
    # fetched is fetched whole.
    if sort == "relevance":
        found, n = _with_whole_tie(lambda k: run(final_q, k), want, n, found)
    stored: dict[int, dict[str, Any]] = {}
    if reranked:
        def text_of(docnum: int) -> str:
            fields = stored[docnum] = _stored(searcher, docnum)
            return f"{fields.get('title') or ''}\n{fields.get('body') or ''}"

        grams = _rerank.question_ngrams(builder.question_texts)
        fetched = items(found, 0, n)
        depth = _rerank.RERANK_DEPTH
        if len(fetched) > depth:
            # The candidates are the ones scoring above the first left out: a
            # tie across the cut is left out whole, whatever the index order.
            cut = fetched[depth][1]
            depth = sum(1 for _, score in fetched[:depth] if score > cut)
        ranked = _rerank.rerank(grams, fetched, text_of, depth)[offset:want]
    else:
        ranked = items(found, offset, want)
    dropped = final_q.__dict__.pop("dropped", 0)
    # Whoosh counts the documents its collector saw, unless it skipped blocks
    # (then it runs the query again, in full, to count).
    count: Any = lambda: len(found) + (dropped if found.collector.computes_count() else 0)  # noqa: E731
    if sort == "date" and ranked:
        scores = _relevance(searcher, final_q, [d for d, _ in ranked])
        ranked = [(d, scores.get(d, 0.0)) for d, _ in ranked]
    results = Results(query, searcher, final_q, ranked, count, page, limit, builder, warnings, filt,
                      snippet_chars, index)
    for hit in results:  # stored fields the reranking read already
        if hit._docnum in stored:
            hit._fields = stored[hit._docnum]
    return results
