"""The store interface: what searchkit asks of the place its articles are kept.

A store keeps *analysed* articles: searchkit's analyzer (:mod:`searchkit.analysis`)
makes the terms on both the indexing and the query side, so every store
matches the same words. The layers above it — the query planner
(:mod:`searchkit.query`), re-scoring, snippets, explanations, did-you-mean
and :class:`~searchkit.Results` — speak only this interface:

* :class:`Store` — one index: write (add or replace by id), delete, optimize,
  side files kept with the index (the alias table), counts and versions
  (``info``), and :meth:`Store.reader`, a consistent view for reading;
* :class:`Reader` — what one search needs: term statistics for planning
  (``doc_count_all``, ``doc_frequency``), a :mod:`plan <searchkit.query.plan>`
  made ready to run (:meth:`Reader.prepare`), stored fields by document,
  lookups by id, key terms of a text (related articles), and the terms and
  occurrences did-you-mean reads;
* :class:`Prepared` — one plan on one reader: the best documents and their
  BM25 scores (``find``; by relevance or date; with a filter and a mask),
  scores of given documents, facet counts of every match, and the occurrences
  (code-point ranges into the stored text) of the query's terms in a page of
  hits, for snippets and ``hit.matches``;
* :class:`Found` — the documents ``find`` returned, best first.

Documents are named by a store's own handle (``Doc``: a document number in
Whoosh, the ``_id`` in OpenSearch), valid for the reader that gave it.
Scores are BM25 (k1 and b of :mod:`searchkit.query.plan`, or the reader's
own k1 from :meth:`Reader.with_k1`) times the plan's boosts; equal scores
come in article-id order, so rankings do not depend on how a store laid the
articles out.

A store's failures reach the layers above as :mod:`searchkit.errors`:
:meth:`Store.errors` is the context that turns the backend's own into them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal, Protocol

from ..analysis import Analyzer
from ..query.plan import Plan

__all__ = ["Doc", "FACETS", "Found", "Occurrences", "Prepared", "Reader", "Sort", "Store"]

#: A store's handle of one document (hashable, ordered within one reader).
Doc = Hashable
#: Code-point ranges of query terms in one document's field: ``(start, end, term)``.
Occurrences = list[tuple[int, int, str]]
Sort = Literal["relevance", "date"]
#: The facets a search counts: language, category and publication year.
FACETS = ("lang", "category", "year")


class Found(Protocol):
    """The documents one ``find`` returned: ``scored_length()`` of them, best first."""

    def scored_length(self) -> int: ...

    def score(self, i: int) -> float: ...

    def ranked(self, start: int, stop: int) -> list[tuple[Doc, float]]:
        """``(doc, score)`` of ranks ``start``…``stop`` (by relevance, equal scores in id order; or by date)."""
        ...

    def total(self) -> int:
        """Every matching document, not only those returned."""
        ...


class Prepared(Protocol):
    """One plan made ready to run on one reader."""

    def find(self, limit: int, *, filter: Plan | None = None, mask: Plan | None = None,
             sort: Sort = "relevance") -> Found:
        """The ``limit`` best matching documents (``mask`` excludes; ``filter`` keeps)."""
        ...

    def scores(self, docs: Sequence[Doc]) -> dict[Doc, float]:
        """Scores of a few documents (for pages not sorted by score)."""
        ...

    def facets(self, filter: Plan | None = None) -> dict[str, Counter[str]]:
        """Counts of all matching documents by :data:`FACETS`."""
        ...

    def occurrences(self, docs: Sequence[Doc], terms: Sequence[str], field: str = "body") -> dict[Doc, Occurrences]:
        """Where each of ``terms`` occurs in ``field`` of each of ``docs``."""
        ...

    def __str__(self) -> str:
        """The query as the store runs it (for ``--explain``)."""
        ...


class Reader(Protocol):
    """A consistent view of a store for one search and the hits it returns."""

    analyzer: Analyzer
    #: The store indexes the body's opening as ``lead`` (indexes made before it do not).
    has_lead: bool

    @property
    def store(self) -> Store:
        """The store this is a view of."""
        ...

    def doc_count(self) -> int:
        """Articles in the index."""
        ...

    def doc_count_all(self) -> int:
        """Documents the term statistics count (deleted ones until they are merged away)."""
        ...

    def doc_frequency(self, field: str, term: str) -> int: ...

    def with_k1(self, k1: float) -> Reader:
        """The same view, scoring with BM25 term-frequency saturation ``k1``."""
        ...

    def prepare(self, plan: Plan) -> Prepared: ...

    def stored(self, doc: Doc) -> dict[str, Any]:
        """Every field of a document (:func:`searchkit.documents.stored_article`)."""
        ...

    def doc_of(self, doc_id: str) -> Doc | None: ...

    def id_of(self, doc: Doc) -> str: ...

    def articles(self) -> Iterator[dict[str, Any]]:
        """Every article, as :meth:`stored` gives it."""
        ...

    def key_terms(self, text: str, n: int) -> list[tuple[str, float]]:
        """The ``n`` body terms of ``text`` that best tell it from the rest of the index, weighted."""
        ...

    def terms_from(self, field: str, prefix: str) -> Iterator[str]:
        """Indexed terms of ``field`` that start with ``prefix`` (for did-you-mean)."""
        ...

    def top_terms(self, field: str, n: int) -> list[tuple[str, int]]:
        """The ``n`` terms of ``field`` in the most documents, with their document
        frequency, most frequent first (for did-you-mean)."""
        ...

    def written(self, field: str, term: str) -> Iterator[list[str]]:
        """How ``term`` is written in the stored ``field``: the text of each of its
        occurrences, one list per document holding it (for did-you-mean)."""
        ...


class Store(Protocol):
    """One index of analysed articles."""

    location: str

    def reader(self) -> Reader:
        """This thread's view of the latest commit (refreshed when a newer one exists)."""
        ...

    def write(self, articles: Mapping[str, dict[str, Any]], *, procs: int | None = None) -> None:
        """Add or replace (by id) clean articles (:func:`searchkit.documents.clean_article`), in one commit."""
        ...

    def delete(self, ids: Iterable[str]) -> int:
        """Delete articles by id in one commit; how many were there."""
        ...

    def optimize(self) -> None:
        """Merge the index's segments into one."""
        ...

    def compact(self) -> None:
        """Merge the small segments an import left (cheap; :meth:`optimize` merges all)."""
        ...

    def refresh(self) -> None:
        """Forget this thread's view: the next :meth:`reader` sees the latest commit."""
        ...

    def read_side_file(self, name: str) -> bytes | None:
        """A file kept with the index (the alias table), or None."""
        ...

    def write_side_file(self, name: str, data: bytes | None) -> None:
        """Keep (or, with None, remove) a file with the index."""
        ...

    def errors(self) -> AbstractContextManager[None]:
        """The context that reports the backend's failures as searchkit errors."""
        ...

    def info(self) -> dict[str, Any]: ...

    def close(self) -> None: ...
