"""Query plans as OpenSearch query DSL, scored as the embedded store scores them.

Each ``Term`` of a text field is a ``term`` query (whose similarity scores its
frequency) in a ``script_score`` that computes the embedded store's BM25 from it
(:data:`.mapping.BM25_SCRIPT`, with the idf and average length of :class:`Scoring`). A ``Phrase`` is scored as Whoosh scores one: the
sum of its words' own BM25 (each with its frequency in the document), over the
documents that hold the words in a row (``match_phrase`` as a filter).
``AnyOf``/``Sum`` → ``bool.should`` (scores add up), ``All``/``AllWords`` →
``bool.must``, ``Not`` → ``must_not`` scoring 1 (as Whoosh's inverse matcher), ``BestOf`` → ``dis_max``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...query import plan as p
from .documents import os_term
from .mapping import BM25_SCRIPT

__all__ = ["TEXT_FIELDS", "Scoring", "compile_plan"]

#: Fields indexed as searchkit terms (scored); the others are keywords or dates.
TEXT_FIELDS = frozenset({"title", "body", "lead"})


@dataclass(frozen=True)
class Scoring:
    """What BM25 needs beyond a document: k1 and b, each term's idf, each field's average length."""

    k1: float
    b: float
    idf: Mapping[tuple[str, str], float]
    avgdl: Mapping[str, float]


def compile_plan(node: p.Plan, scoring: Scoring | None = None) -> dict[str, Any]:
    """The query DSL of a plan; without ``scoring`` (filters, masks) nothing is scored."""
    if isinstance(node, p.Term):
        if node.field in TEXT_FIELDS:
            return _term(node.field, node.text, node.boost, scoring)
        return {"term": {node.field: {"value": node.text}}}
    if isinstance(node, p.Phrase):
        words = [os_term(w) for w in node.words]
        scored = [_term(node.field, w, node.boost, scoring) for w in node.words]
        if len(words) == 1:
            return scored[0]
        return {"bool": {"filter": [{"match_phrase": {node.field: {"query": " ".join(words)}}}], "must": scored}}
    if isinstance(node, (p.AnyOf, p.Sum)):
        if not node.clauses:
            return {"match_none": {}}
        return {"bool": {"should": [compile_plan(c, scoring) for c in node.clauses],
                         "minimum_should_match": 1}}
    if isinstance(node, (p.All, p.AllWords)):
        return {"bool": {"must": [compile_plan(c, scoring) for c in node.clauses] or [{"match_all": {}}]}}
    if isinstance(node, p.BestOf):
        return {"dis_max": {"queries": [compile_plan(c, scoring) for c in node.clauses],
                            "tie_breaker": 0.0}}
    if isinstance(node, p.Not):
        # as Whoosh's inverse matcher: every other document, scoring 1
        return {"constant_score": {"filter": {"bool": {"must_not": [compile_plan(node.clause)]}}, "boost": 1.0}}
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


def _term(field: str, text: str, boost: float, scoring: Scoring | None) -> dict[str, Any]:
    term = {"term": {field: {"value": os_term(text)}}}
    if scoring is None:
        return term
    params = {"w": boost * scoring.idf[(field, text)], "k1": scoring.k1, "b": scoring.b,
              "avgdl": scoring.avgdl[field] or 1.0, "len": f"{field}_len"}
    return {"script_score": {"query": term, "script": {"source": BM25_SCRIPT, "params": params}}}


def _date(value: datetime) -> str:
    """A plan's date (naive UTC, or aware) as OpenSearch reads it."""
    if value.tzinfo is not None:
        return value.isoformat()
    return value.isoformat() + "Z"
