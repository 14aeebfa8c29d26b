"""Retrieval-quality evaluation: ranked-list metrics and a file-based runner.

A *search function* takes ``(query, depth)`` and returns a ranked list of
document ids (best first).  :func:`evaluate` runs it over a set of judged
queries and reports MRR@k, Recall@k, Recall@depth and query latency.

Conventions:

* MRR@k is the mean over queries of ``1 / rank`` of the first relevant id
  within the top ``k`` (0 when none is there).
* Recall@k is ``|relevant ∩ top k| / |relevant|`` per query, averaged.
* A ranking is truncated to ``depth`` and repeated ids are ignored after
  their first occurrence (so a system cannot earn recall twice for one id).
* A query whose search function raises counts as a miss (rank 0, recall 0)
  and is tallied in :attr:`EvalResult.errors`; its time still counts.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "EvalResult",
    "QueryOutcome",
    "evaluate",
    "evaluate_files",
    "first_relevant_rank",
    "load_jsonl",
    "recall",
    "reciprocal_rank",
    "summarize",
]

SearchFn = Callable[[str, int], list[str]]


def load_jsonl(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Yield one dict per non-blank line of a JSON Lines file (``.gz`` aware)."""
    raw = gzip.open(path, "rb") if os.fspath(path).endswith(".gz") else open(path, "rb")
    with raw, io.TextIOWrapper(raw, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{os.fspath(path)}:{lineno}: invalid JSON: {exc}") from exc


def _dedupe(ranking: Iterable[str], depth: int) -> list[str]:
    """First ``depth`` distinct ids of ``ranking``, order kept."""
    seen: set[str] = set()
    out: list[str] = []
    for doc_id in ranking:
        if doc_id not in seen:
            seen.add(doc_id)
            out.append(doc_id)
            if len(out) >= depth:
                break
    return out


def first_relevant_rank(ranking: Iterable[str], relevant: Iterable[str]) -> int:
    """1-based rank of the first relevant id in ``ranking``, or 0 if none."""
    rel = set(relevant)
    seen: set[str] = set()
    rank = 0
    for doc_id in ranking:
        if doc_id in seen:
            continue
        seen.add(doc_id)
        rank += 1
        if doc_id in rel:
            return rank
    return 0


def reciprocal_rank(ranking: Iterable[str], relevant: Iterable[str], k: int) -> float:
    """``1/rank`` of the first relevant id within the top ``k``, else 0."""
    rank = first_relevant_rank(_dedupe(ranking, k), relevant)
    return 1.0 / rank if rank else 0.0


def recall(ranking: Iterable[str], relevant: Iterable[str], k: int) -> float:
    """Fraction of ``relevant`` found in the top ``k`` distinct ids."""
    rel = set(relevant)
    if not rel:
        raise ValueError("recall is undefined for a query with no relevant ids")
    return len(rel.intersection(_dedupe(ranking, k))) / len(rel)


@dataclass(frozen=True)
class QueryOutcome:
    """What happened to one query."""

    qid: str
    rank: int  # 1-based rank of the first relevant id within depth; 0 = not found
    recall_at_k: float
    recall_at_depth: float
    ms: float
    error: str | None = None


@dataclass
class EvalResult:
    """Aggregate metrics of one run (``n`` queries, ``errors`` of which raised)."""

    mrr: float
    recall_at_k: float
    recall_at_depth: float
    mean_ms: float
    p50_ms: float
    n: int
    k: int = 10
    depth: int = 100
    errors: int = 0
    per_query: list[QueryOutcome] | None = field(default=None, repr=False)

    def as_dict(self, *, per_query: bool = False) -> dict[str, Any]:
        """JSON-ready dict; per-query outcomes only if asked for."""
        d = asdict(self)
        if not per_query:
            d.pop("per_query")
        return d


def evaluate(
    search: SearchFn,
    queries: Iterable[Mapping[str, Any]],
    *,
    k: int = 10,
    depth: int = 100,
    keep_per_query: bool = False,
) -> EvalResult:
    """Run every query through ``search(query, depth)`` and score the rankings.

    ``queries`` yields mappings with ``qid``, ``query`` and ``relevant`` (a
    non-empty list of ids).  Latency is wall time of each ``search`` call,
    including turning its result into a list.
    """
    if not 0 < k <= depth:
        raise ValueError(f"need 0 < k <= depth, got k={k}, depth={depth}")
    outcomes: list[QueryOutcome] = []
    for q in queries:
        qid, text, relevant = str(q["qid"]), q["query"], set(q["relevant"])
        if not relevant:
            raise ValueError(f"query {qid!r} has no relevant ids")
        error: str | None = None
        t0 = time.perf_counter()
        try:
            ranking = list(search(text, depth))
        except Exception as exc:  # noqa: BLE001 - a failing query is a scored miss
            ranking, error = [], f"{type(exc).__name__}: {exc}"
        ms = (time.perf_counter() - t0) * 1000.0
        top = _dedupe(ranking, depth)
        rank = first_relevant_rank(top, relevant)
        outcomes.append(
            QueryOutcome(
                qid=qid,
                rank=rank,
                recall_at_k=len(relevant.intersection(top[:k])) / len(relevant),
                recall_at_depth=len(relevant.intersection(top)) / len(relevant),
                ms=ms,
                error=error,
            )
        )
    return summarize(outcomes, k=k, depth=depth, keep_per_query=keep_per_query)


def summarize(
    outcomes: list[QueryOutcome], *, k: int = 10, depth: int = 100, keep_per_query: bool = False
) -> EvalResult:
    """Aggregate per-query outcomes into an :class:`EvalResult`."""
    n = len(outcomes)
    if n == 0:
        return EvalResult(0.0, 0.0, 0.0, 0.0, 0.0, 0, k, depth, 0, [] if keep_per_query else None)
    times = [o.ms for o in outcomes]
    return EvalResult(
        mrr=sum(1.0 / o.rank for o in outcomes if 0 < o.rank <= k) / n,
        recall_at_k=sum(o.recall_at_k for o in outcomes) / n,
        recall_at_depth=sum(o.recall_at_depth for o in outcomes) / n,
        mean_ms=statistics.fmean(times),
        p50_ms=statistics.median(times),
        n=n,
        k=k,
        depth=depth,
        errors=sum(o.error is not None for o in outcomes),
        per_query=outcomes if keep_per_query else None,
    )


def evaluate_files(
    passages_path: str | os.PathLike[str],
    queries_path: str | os.PathLike[str],
    *,
    index_dir: str | os.PathLike[str] | None = None,
    k: int = 10,
    depth: int = 100,
    keep_per_query: bool = False,
) -> EvalResult:
    """Index ``passages_path`` with searchkit defaults and evaluate ``queries_path``.

    Passages are JSON Lines documents (``id``, ``body``, optional ``title``,
    ``lang``...); queries are JSON Lines with ``qid``, ``query``, ``relevant``.
    The index is built in ``index_dir`` (overwritten) or in a temporary
    directory that is removed afterwards.
    """
    from . import Index  # deferred: avoids an import cycle with the package

    def run(path: str | os.PathLike[str]) -> EvalResult:
        ix = Index.create(path, overwrite=True)
        try:
            ix.add(load_jsonl(passages_path))

            def search(query: str, limit: int) -> list[str]:
                return [hit.id for hit in ix.search(query, limit=limit)]

            return evaluate(
                search, load_jsonl(queries_path), k=k, depth=depth, keep_per_query=keep_per_query
            )
        finally:
            close = getattr(ix, "close", None)
            if callable(close):
                close()

    if index_dir is not None:
        return run(index_dir)
    with tempfile.TemporaryDirectory(prefix="searchkit-eval-") as tmp:
        return run(os.path.join(tmp, "index"))
