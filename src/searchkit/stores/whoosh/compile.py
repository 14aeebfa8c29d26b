"""Query plans as Whoosh queries: the matchers searchkit adds to Whoosh's.

:func:`compile_plan` turns each :mod:`plan <searchkit.query.plan>` node into
the Whoosh query that runs it: ``AnyOf`` → :class:`_Union` (a tree of union
matchers, or a block-at-a-time word matcher, :mod:`.matching`), ``AllWords``
→ :class:`_AllWords`, ``BestOf`` → :class:`_BestField`, ``Sum`` scored all
at once → :class:`_Sum` (scores added up a posting block at a time, as
Whoosh's array matcher adds them), other ``Sum`` → a Whoosh ``Or``.
"""

from __future__ import annotations

from typing import Any

from whoosh import matching as wm
from whoosh import query as wq

from ...query import plan as p
from .matching import all_words_matcher, plain_terms, sum_matcher, word_clauses, word_matcher

__all__ = ["OR_MATCHER", "compile_plan"]

#: Whoosh's matcher for a ``Sum`` scored all at once where :class:`_Sum` cannot serve
#: (None: Whoosh's default, and no :class:`_Sum`).
OR_MATCHER: int | None = wq.Or.ARRAY_MATCHER


def compile_plan(node: p.Plan) -> wq.Query:
    """The Whoosh query of a plan."""
    if isinstance(node, p.Term):
        return wq.Term(node.field, node.text, boost=node.boost)
    if isinstance(node, p.Phrase):
        return wq.Phrase(node.field, node.words, boost=node.boost)
    if isinstance(node, p.AnyOf):
        return _Union([compile_plan(c) for c in node.clauses])
    if isinstance(node, p.AllWords):
        return _AllWords([compile_plan(c) for c in node.clauses])
    if isinstance(node, p.All):
        return wq.And([compile_plan(c) for c in node.clauses])
    if isinstance(node, p.BestOf):
        return _BestField([compile_plan(c) for c in node.clauses])
    if isinstance(node, p.Sum):
        subs = [compile_plan(c) for c in node.clauses]
        if node.at_once and OR_MATCHER is not None:
            q = _Sum(subs)
            q.matcher_type = OR_MATCHER
            return q
        return wq.Or(subs)
    if isinstance(node, p.Not):
        return wq.Not(compile_plan(node.clause))
    if isinstance(node, p.DateRange):
        return wq.DateRange(node.field, node.low, node.high)
    if isinstance(node, p.TermRange):
        return wq.TermRange(node.field, node.low, node.high)
    raise TypeError(f"not a plan node: {node!r}")


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

    best_of_terms = True  # (for :func:`.matching.sum_matcher`)

    def _matcher(self, subs: Any, searcher: Any, context: Any) -> Any:
        from whoosh.util import make_binary_tree

        matchers = [q.matcher(searcher, context) for q in subs]
        m = matchers[0] if len(matchers) == 1 else make_binary_tree(_MaxMatcher, matchers)
        return m if self.boost == 1.0 else wm.WrappingMatcher(m, self.boost)


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


class _Sum(wq.Or):  # type: ignore[misc]
    """A long OR scored all at once (a question, a headline): the sum of its
    clauses' scores, as Whoosh's array matcher adds them, with terms and
    best-of-terms clauses read a posting block at a time (:func:`.matching.sum_matcher`)
    and, for a page by score, only the documents that can make it."""

    def _matcher(self, subs: Any, searcher: Any, context: Any) -> Any:
        m = sum_matcher(searcher, context, subs, self.__dict__.setdefault("seen_blocks", {}), _top(self))
        if m is None:
            return super()._matcher(subs, searcher, context)
        _count_dropped(self, m)
        return m


class _AllWords(wq.And):  # type: ignore[misc]
    """AND of the words of a keyword query; each word an OR of plain terms and
    two-word phrases is matched a posting block at a time (:mod:`.matching`)."""

    def _matcher(self, subs: Any, searcher: Any, context: Any) -> Any:
        words = [w for w in (word_clauses(q) for q in subs) if w is not None]
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
