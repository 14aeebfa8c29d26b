"""Query plans as OpenSearch query DSL, scored as the embedded store scores them.

Each ``Term`` of a text field is a ``term`` query scored by the index's BM25F
similarity (:mod:`.mapping`). A ``Phrase`` is scored as Whoosh scores one: the
sum of its words' own BM25 (each with its frequency in the document), over the
documents that hold the words in a row (``match_phrase`` as a filter).
``AnyOf``/``Sum`` → ``bool.should`` (scores add up), ``All``/``AllWords`` →
``bool.must`` (``Not`` clauses → ``must_not``), ``BestOf`` → ``dis_max``.
With ``question`` every text clause's boost carries :data:`.mapping.QUESTION_OFFSET`,
which the similarity reads as "score with the question k1".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...query import plan as p
from .documents import os_term
from .mapping import QUESTION_OFFSET

__all__ = ["TEXT_FIELDS", "compile_plan"]

#: Fields indexed as searchkit terms (scored); the others are keywords or dates.
TEXT_FIELDS = frozenset({"title", "body", "lead"})


def compile_plan(node: p.Plan, *, question: bool = False) -> dict[str, Any]:
    """The query DSL of a plan (``question``: score text clauses with the question k1)."""
    if isinstance(node, p.Term):
        if node.field in TEXT_FIELDS:
            return _term(node.field, node.text, node.boost, question)
        return {"term": {node.field: {"value": node.text}}}
    if isinstance(node, p.Phrase):
        words = [os_term(w) for w in node.words]
        scored = [_term(node.field, w, node.boost, question) for w in node.words]
        if len(words) == 1:
            return scored[0]
        return {"bool": {"filter": [{"match_phrase": {node.field: {"query": " ".join(words)}}}], "must": scored}}
    if isinstance(node, (p.AnyOf, p.Sum)):
        if not node.clauses:
            return {"match_none": {}}
        return {"bool": {"should": [compile_plan(c, question=question) for c in node.clauses],
                         "minimum_should_match": 1}}
    if isinstance(node, (p.All, p.AllWords)):
        must = [compile_plan(c, question=question) for c in node.clauses if not isinstance(c, p.Not)]
        must_not = [compile_plan(c.clause, question=question) for c in node.clauses if isinstance(c, p.Not)]
        out: dict[str, Any] = {"must": must or [{"match_all": {}}]}
        if must_not:
            out["must_not"] = must_not
        return {"bool": out}
    if isinstance(node, p.BestOf):
        return {"dis_max": {"queries": [compile_plan(c, question=question) for c in node.clauses],
                            "tie_breaker": 0.0}}
    if isinstance(node, p.Not):
        return {"bool": {"must_not": [compile_plan(node.clause, question=question)]}}
    if isinstance(node, p.DateRange):
        bounds: dict[str, Any] = {}
        if node.low is not None:
            bounds["gte"] = _date(node.low)
        if node.high is not None:
            bounds["lte"] = _date(node.high)
        return {"range": {node.field: bounds}} if bounds else {"exists": {"field": node.field}}
    if isinstance(node, p.TermRange):
        bounds = {}
        if node.low is not None:
            bounds["gte"] = node.low
        if node.high is not None:
            bounds["lte"] = node.high
        return {"range": {node.field: bounds}} if bounds else {"exists": {"field": node.field}}
    raise TypeError(f"not a plan node: {node!r}")


def _term(field: str, text: str, boost: float, question: bool) -> dict[str, Any]:
    return {"term": {field: {"value": os_term(text), "boost": boost + QUESTION_OFFSET if question else boost}}}


def _date(value: datetime) -> str:
    """A plan's date (naive UTC, or aware) as OpenSearch reads it."""
    if value.tzinfo is not None:
        return value.isoformat()
    return value.isoformat() + "Z"
