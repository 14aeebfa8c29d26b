"""Query plans: what the planner asks a store to match and score, in no store's terms.

A plan is a small tree of the nodes below, over *analysed* terms (the terms
the analyzer indexed: lemmas, folded forms, ``r:`` name readings). Each store
turns a plan into its own query (:mod:`searchkit.stores.whoosh.compile`
into Whoosh matchers; an OpenSearch store into query DSL) and scores it with
BM25 (:data:`BM25_K1`, :data:`BM25_B`, every field) times each node's boost:

================ ==========================================================
node             a document matches / scores
================ ==========================================================
``Term``         holds ``text`` in ``field``; BM25 of the term × boost
``Phrase``       holds ``words`` in a row in ``field``; BM25 of the phrase
``AnyOf``        holds any clause; the sum of the clauses it holds
``Sum``          as ``AnyOf``, for long ORs (questions): stores may score it
                 all at once instead of clause by clause
``All``          holds every clause; the sum
``AllWords``     as ``All``, for the words of a keyword query (each word an
                 ``AnyOf`` of plain terms, which stores may match a block at a time)
``BestOf``       holds any clause; the best clause's score (one word in several
                 fields counts once)
``Not``          does not hold the clause (inside ``All``; scores nothing)
``DateRange``    ``field`` (a date) within ``low``…``high`` (inclusive; None: open)
``TermRange``    ``field`` within ``low``…``high`` as text
================ ==========================================================

Filters and masks are plans too (``Term`` of ``lang``/``category``/``id``,
``DateRange``, ``All``), matched without scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Union

__all__ = ["BM25_B", "BM25_K1", "All", "AllWords", "AnyOf", "BestOf", "DateRange", "Not", "Phrase", "Plan", "Sum",
           "Term", "TermRange", "terms_of"]

#: BM25 term-frequency saturation and length normalization (every field).
BM25_K1 = 1.2
BM25_B = 0.75


@dataclass(eq=False, slots=True)
class Term:
    field: str
    text: str
    boost: float = 1.0


@dataclass(eq=False, slots=True)
class Phrase:
    field: str
    words: list[str]
    boost: float = 1.0


@dataclass(eq=False, slots=True)
class AnyOf:
    clauses: list[Plan]


@dataclass(eq=False, slots=True)
class Sum:
    clauses: list[Plan]
    #: Score the clauses all at once (fast for many terms); None: the store decides.
    at_once: bool | None = None


@dataclass(eq=False, slots=True)
class All:
    clauses: list[Plan]


@dataclass(eq=False, slots=True)
class AllWords:
    clauses: list[Plan]


@dataclass(eq=False, slots=True)
class BestOf:
    clauses: list[Plan]


@dataclass(eq=False, slots=True)
class Not:
    clause: Plan


@dataclass(eq=False, slots=True)
class DateRange:
    field: str
    low: datetime | None
    high: datetime | None


@dataclass(eq=False, slots=True)
class TermRange:
    field: str
    low: str | None
    high: str | None


Plan = Union[Term, Phrase, AnyOf, Sum, All, AllWords, BestOf, Not, DateRange, TermRange]


def terms_of(plan: Plan | None) -> list[tuple[str, str]]:
    """``(field, term)`` of every ``Term`` and ``Phrase`` word in ``plan`` (outside ``Not``), in order."""
    out: list[tuple[str, str]] = []
    stack: list[Plan] = [plan] if plan is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Term):
            out.append((node.field, node.text))
        elif isinstance(node, Phrase):
            out.extend((node.field, w) for w in node.words)
        elif isinstance(node, (AnyOf, Sum, All, AllWords, BestOf)):
            stack.extend(reversed(node.clauses))
    return out
