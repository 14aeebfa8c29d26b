"""Ranked search: from query text to :class:`Results` of :class:`Hit`, on any store.

The query is planned (:mod:`searchkit.query.planner`: units, keyword or
question, cross-script names, aliases) into a store-neutral plan; the store
finds and scores its best documents (BM25F, :mod:`searchkit.stores.base`);
a keyword query that finds nothing falls back to some of its words, then to
any; equal scores are ordered by article id.

A question (a question word, a final question mark, or a Japanese question's
ending: …は。, …か。, 答えよ; not a headline: ！, text after ？, 【tag】) is
scored with BM25 k1 :data:`QUESTION_K1`, and its best candidates are
re-scored by its wording found in each (:mod:`searchkit.query.rerank`),
whatever the page asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from .analysis import Token
from .documents import TEXT_FIELDS
from .errors import QueryError
from .query import rerank as _rerank
from .query.plan import AllWords, AnyOf, Plan, Term
from .query.plan import Sum as _Sum
from .query.planner import KEYWORD_MAX_UNITS, NAME_BOOST, Planner, filters, flatten, is_headline
from .query.syntax import Parsed, parse
from .results.hits import Hit, Match, Results
from .stores.base import Found, Prepared, Reader, Store

if TYPE_CHECKING:
    from .query.aliases import AliasTable
    from .query.synonyms import SynonymTable

__all__ = ["Hit", "Match", "Results", "related", "search"]

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
#: Key terms taken from an article to find related ones, each weighing the
#: same (BM25 weighs them by rarity). Share of the 5 related articles in the
#: probe's category, two disjoint samples of 1,000 random probes: 40 terms
#: 79.2% / 78.7%, 80 83.9% / 83.1%, 150 86.6% / 85.8%, 250 86.7% / 85.9%
#: (12 terms weighted by their key-term score: 74% on 100 probes; 80 weighted
#: by the square root of it: 77.0% / 75.5%); benchmarks/didyoumean.py.
RELATED_TERMS = 150
#: Boost (times the planner's NAME_BOOST) of a key name's reading, which
#: finds articles in the other script (小泉 → koizumi) against the key terms.
RELATED_NAME_BOOST = 2.0


def _with_whole_tie(run: Callable[[int], Found], want: int, n: int | None = None,
                    found: Found | None = None) -> tuple[Found, int]:
    """Results of ``run(n)`` holding the first ``want`` documents and the whole
    of a tie that reaches past them (so the store can order it by id): ``n``
    documents (default one more than wanted), twice as many while a tie runs
    on. ``found`` is ``run(n)`` if already run. Returns the results and ``n``."""
    n = want + 1 if n is None else n
    found = run(n) if found is None else found
    while found.scored_length() == n and found.score(want - 1) == found.score(n - 1):
        n *= 2
        found = run(n)
    return found, n


def search(
    store: Store,
    query: str,
    *,
    aliases: AliasTable | None = None,
    synonyms: SynonymTable | None = None,
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
    """Search ``store`` for ``query``.

    Args:
        query: query text (see :mod:`searchkit.query.syntax` for the language).
        aliases: a name alias table.
        synonyms: a synonym table (:mod:`searchkit.query.synonyms`).
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
    reader: Reader = store.reader()
    planner = Planner(reader.analyzer, aliases, reader, cross_script, lead=reader.has_lead, synonyms=synonyms)
    filt = filters(lang, category, since, until)

    union: Plan | None = None  # keyword queries: articles with any unit
    last_resort: Callable[[], Plan] | None = None  # when no article holds a whole unit (built if needed)
    q: Plan | None
    if parsed.is_plain:
        runs: list[tuple[str, list[Token]]] = []
        sentence = False
        texts = flatten(parsed.tree)
        planner.headline = is_headline(" ".join(t.text for t in texts))
        for node in texts:
            toks, is_sentence = planner.tokens(node.text)
            sentence |= is_sentence
            if toks:
                runs.append((node.text, toks))
        n_terms = sum(len(toks) for _, toks in runs)
        n_units = sum(len(planner.units(toks)) for _, toks in runs)
        alias_alts = planner.alias_queries(" ".join(t.text for t in texts), TEXT_FIELDS)
        if not runs and not alias_alts:
            warnings.append("the query has no searchable words")
            q = None
        elif sentence or n_units > KEYWORD_MAX_UNITS:
            q = planner.question_query(runs)
            if alias_alts:
                q = AnyOf([q, *alias_alts])
        else:
            units = [p for text, toks in runs for p in planner.text_unit(text, toks, TEXT_FIELDS)]
            q = units[0] if len(units) == 1 else AllWords(units) if units else AnyOf(alias_alts)
            if units and alias_alts:  # an alias stands for the name it was found in
                q = AnyOf([q, *alias_alts])
            if len(units) > 1 or (units and alias_alts):
                union = AnyOf(units + alias_alts)
            if n_terms > 1:
                last_resort = lambda: planner.question_query(runs)  # noqa: E731
    else:
        q = planner.node(parsed.tree, warnings) if parsed.tree is not None else None

    if planner.question and QUESTION_K1 is not None:
        reader = reader.with_k1(QUESTION_K1)

    def results(prepared: Prepared | None, ranked: list[tuple[Any, float]], count: Callable[[], int] | None,
                plan: Plan) -> Results:
        return Results(query, store, reader, prepared, ranked, count, page, limit, origins=planner.origins,
                       expansions=planner.expansions, relaxed=planner.relaxed, warnings=warnings, filter=filt,
                       snippet_chars=snippet_chars, plan=plan)

    if q is None:
        return Results(query, store, reader, None, [], None, page, limit, warnings=warnings, filter=filt,
                       snippet_chars=snippet_chars)
    want = page * limit
    offset = want - limit
    # A question's best candidates are re-scored by its wording (whatever the
    # page, so pages agree): fetch them all.
    reranked = parsed.is_plain and planner.question and sort == "relevance" and _rerank.RERANK_DEPTH > 0
    fetch = max(want, _rerank.RERANK_DEPTH) if reranked else want
    # Each step runs only when the one before found nothing: all units, then
    # articles with some units, then any word of a compound that never occurs whole.
    steps: list[tuple[Plan | Callable[[], Plan], str]] = [(q, "")]
    if union is not None:
        steps.append((union, "no article has all the words; showing articles with some of them, best first"))
    if last_resort is not None:
        steps.append((last_resort, "no article has the words together; showing articles with any of them, best first"))
    n = fetch + 1 + TIE_HEADROOM
    for step, note in steps:
        if note:
            warnings.append(note)
            planner.relaxed = True
        ran = step() if callable(step) else step
        prepared = reader.prepare(ran)
        found = prepared.find(n, filter=filt, sort=sort)
        if found.scored_length():
            break
    # Equal scores are ordered by article id, not by where the index stored
    # the articles: a tie that reaches into the page and past what was
    # fetched is fetched whole.
    if sort == "relevance":
        found, n = _with_whole_tie(lambda k: prepared.find(k, filter=filt, sort=sort), want, n, found)
    stored: dict[Any, dict[str, Any]] = {}
    if reranked:
        def text_of(doc: Any) -> str:
            fields = stored[doc] = reader.stored(doc)
            return f"{fields.get('title') or ''}\n{fields.get('body') or ''}"

        grams = _rerank.question_ngrams(planner.question_texts)
        fetched = found.ranked(0, n)
        depth = _rerank.RERANK_DEPTH
        if len(fetched) > depth:
            # The candidates are the ones scoring above the first left out: a
            # tie across the cut is left out whole, whatever the index order.
            cut = fetched[depth][1]
            depth = sum(1 for _, score in fetched[:depth] if score > cut)
        ranked = _rerank.rerank(grams, fetched, text_of, depth)[offset:want]
    else:
        ranked = found.ranked(offset, want)
    if sort == "date" and ranked:
        scores = prepared.scores([d for d, _ in ranked])
        ranked = [(d, scores.get(d, 0.0)) for d, _ in ranked]
    res = results(prepared, ranked, found.total, ran)
    for hit in res:  # stored fields the reranking read already
        if hit._doc in stored:
            hit._fields = stored[hit._doc]
    return res


def related(store: Store, doc_id: str, *, limit: int = 5) -> list[Hit]:
    """Articles like ``doc_id``, from its :data:`RELATED_TERMS` key terms (title and body), best first.

    Raises:
        KeyError: no article has this id.
    """
    from .analysis.english import stem

    reader = store.reader()
    doc = reader.doc_of(doc_id)
    if doc is None:
        raise KeyError(f"no article with id {doc_id!r} in {store.location}")
    stored = reader.stored(doc)
    title, body = stored.get("title") or "", stored.get("body") or ""
    keys = dict.fromkeys(term for term, _ in reader.key_terms((title + "\n") * 2 + body, RELATED_TERMS))
    clauses: list[Plan] = [Term("body", term) for term in keys]
    # Names also find articles in the other script (小泉 → koizumi).
    for tok in reader.analyzer.tokens(title + "\n" + body[:2000]):
        if tok.reading and tok.term in keys:
            clauses.append(Term("body", stem(tok.reading), NAME_BOOST * RELATED_NAME_BOOST))
    prepared = reader.prepare(_Sum(clauses))
    mask = Term("id", doc_id)
    found, _ = _with_whole_tie(lambda n: prepared.find(n, mask=mask), limit)
    ranked = found.ranked(0, limit)
    return list(Results("", store, reader, prepared, ranked, found.total, 1, limit))
