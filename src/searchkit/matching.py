"""Keyword matching a posting block at a time.

Whoosh matches an AND of ORs document by document through a tree of
matcher objects: several Python calls per posting and per candidate. For the
common shape of keyword queries (each word an OR of plain terms over a few
fields) this module scores each term's postings block by block into a dict,
intersects the words' documents with set operations, and hands Whoosh's
collector a list of (document, score) in document order. The scores are
Whoosh's BM25F scores (same formula, same statistics); sums may differ in the
last bit because they are added in another order.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

from whoosh import matching as wm
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25FScorer

__all__ = ["ScoredList", "all_words_matcher", "plain_terms", "word_matcher", "word_scores"]


def plain_terms(q: Any) -> list[wq.Term] | None:
    """The terms of a word query (a Term, or an OR of Terms and such ORs), or None for anything else."""
    if type(q) is wq.Term:
        return [q]
    if isinstance(q, wq.Or) and q.boost == 1.0 and getattr(q, "scale", None) is None and q.subqueries:
        out: list[wq.Term] = []
        for sub in q.subqueries:
            terms = plain_terms(sub)
            if terms is None:
                return None
            out += terms
        return out
    return None


class ScoredList(wm.ListMatcher):  # type: ignore[misc]
    """Documents with their final scores, in document order.

    It claims no upper bound on its scores, so Whoosh's collector never
    rewrites a matcher tree around it (its quality-driven rewrites of unions
    into AND-MAYBE trees can drop a sub-score).
    """

    def max_quality(self) -> float:
        return float("inf")

    def replace(self, minquality: float = 0) -> Any:
        return self if self.is_active() else wm.NullMatcher()


def _lengths(reader: Any, fieldname: str) -> list[Any]:
    """Every document's length in ``fieldname`` as BM25F reads it (cached on the segment reader)."""
    cache: dict[str, list[Any]] = reader.__dict__.setdefault("_searchkit_lengths", {})
    lengths = cache.get(fieldname)
    if lengths is None:
        dfl = reader.doc_field_length
        lengths = cache[fieldname] = [dfl(d, fieldname, 1) for d in range(reader.doc_count_all())]
    return lengths


def word_scores(searcher: Any, context: Any, terms: Sequence[wq.Term],
                only: list[int] | None = None) -> dict[int, float] | None:
    """BM25F score of one word (the sum over its terms) for each document of an atomic searcher.

    ``only``: sorted document numbers to score (others are skipped, whole
    blocks at a time). None when this searcher or a term cannot be read
    block by block (the caller falls back to Whoosh's matchers).
    """
    if not searcher.is_atomic():
        return None
    reader = searcher.reader()
    weighting = context.weighting if context is not None else searcher.weighting
    if weighting is None:  # unscored (Whoosh asks for documents only)
        return None
    schema = searcher.schema
    scores: dict[int, float] = {}
    get = scores.get
    deleted: Any = ()
    for term in terms:
        fieldname = term.fieldname
        if fieldname not in schema:
            continue
        try:
            tbytes = schema[fieldname].to_bytes(term.text)
        except ValueError:
            continue
        if (fieldname, tbytes) not in reader:
            continue
        leaf = reader.postings(fieldname, tbytes)
        if isinstance(leaf, FilterMatcher):  # the segment has deletions: dropped below
            deleted = leaf._ids
            leaf = leaf.child
        scorer = weighting.scorer(searcher, fieldname, tbytes)
        if type(leaf) is not W3LeafMatcher or type(scorer) is not BM25FScorer:
            return None
        idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
        k1p1, boost = k1 + 1, float(term.boost)
        lengths = _lengths(reader, fieldname)
        lo = 0
        while leaf.is_active():
            hi = leaf._maxid
            if only is not None:
                i = bisect_left(only, lo)
                if i == len(only):
                    break
                if only[i] > hi:  # no candidate in this block: skip it unread
                    lo = hi + 1
                    leaf._next_block()
                    continue
            leaf._read_ids()
            leaf._read_weights()
            for d, w in zip(leaf._ids, leaf._weights):
                # whoosh.scoring.bm25, then the term's boost (Whoosh's WrappingMatcher)
                scores[d] = get(d, 0.0) + idf * ((w * k1p1) / (w + k1 * ((1 - b) + b * lengths[d] / avgfl))) * boost
            lo = hi + 1
            leaf._next_block()
    if only is not None or deleted:
        keep = set(only) if only is not None else None
        scores = {d: s for d, s in scores.items() if (keep is None or d in keep) and d not in deleted}
    return scores


def all_words_matcher(searcher: Any, context: Any, words: Sequence[Sequence[wq.Term]]) -> Any:
    """A matcher over the documents holding every word, scored by the sum of the words' scores.

    None when :func:`word_scores` cannot serve this searcher.
    """
    # The rarest word first: later words are scored only where the earlier ones occur.
    reader = searcher.reader() if searcher.is_atomic() else None
    if reader is None:
        return None
    schema = searcher.schema

    def postings(word: Sequence[wq.Term]) -> int:
        n = 0
        for t in word:
            if t.fieldname in schema:
                try:
                    n += reader.doc_frequency(t.fieldname, schema[t.fieldname].to_bytes(t.text))
                except ValueError:
                    pass
        return n

    order = sorted(range(len(words)), key=lambda i: postings(words[i]))
    per_word: list[dict[int, float] | None] = [None] * len(words)
    only: list[int] | None = None
    for i in order:
        scores = word_scores(searcher, context, words[i], only)
        if scores is None:
            return None
        if not scores:
            return wm.NullMatcher()
        per_word[i] = scores
        only = sorted(scores if only is None else scores.keys() & set(only))
        if not only:
            return wm.NullMatcher()
    assert only is not None
    totals = [sum(s[d] for s in per_word if s is not None) for d in only]
    return ScoredList(only, totals)


def word_matcher(searcher: Any, context: Any, terms: Sequence[wq.Term]) -> Any:
    """A matcher over the documents holding one word (any of its terms); None as :func:`word_scores`."""
    scores = word_scores(searcher, context, terms)
    if scores is None:
        return None
    if not scores:
        return wm.NullMatcher()
    ids = sorted(scores)
    return ScoredList(ids, [scores[d] for d in ids])
