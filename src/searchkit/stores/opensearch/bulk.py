"""Bulk writes: batches, retries with backoff on 429 and on a node that goes away, idempotent by id.

Every article is written with the ``index`` action under its id, so a batch sent
twice (a retry, or a re-run after a crash) leaves one document per id.
Analysis runs in worker processes started by ``fork`` (no ``__main__`` guard
needed); where fork is not available it runs in this process.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from ...analysis import Analyzer
from ...documents import lead_chars
from ...errors import ClusterError, DocumentError
from .connection import Location, translate
from .documents import source_of

__all__ = ["BATCH_DOCS", "analyse", "write_bulk"]

#: Articles per bulk request, and the most bytes one may carry.
BATCH_DOCS = 500
BATCH_BYTES = 8 << 20
#: Retries of one batch, and the longest pause between two.
RETRIES = 10
MAX_PAUSE = 20.0
#: Item statuses worth retrying: too many requests, and shards briefly unavailable.
_RETRY_STATUS = {429, 500, 502, 503, 504}

_analyzer: Analyzer | None = None


def _analyse_chunk(cleans: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    global _analyzer
    if _analyzer is None:
        _analyzer = Analyzer()
    return [(clean["id"], source_of(clean, _analyzer, lead_chars(clean.get("lang")))) for clean in cleans]


def _chunks(docs: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for doc in docs:
        chunk.append(doc)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def analyse(cleans: Iterable[dict[str, Any]], procs: int | None = None,
            chunk: int = 100, analyzer: Analyzer | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(id, document)`` per clean article (``clean_article``), in order, analysed by ``procs`` processes
    (with ``analyzer``, default ``Analyzer()``; forked workers inherit it)."""
    global _analyzer
    _analyzer = analyzer or Analyzer()
    procs = procs if procs is not None else min(2, os.cpu_count() or 1)
    if procs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for part in _chunks(cleans, chunk):
            yield from _analyse_chunk(part)
        return
    with ProcessPoolExecutor(procs, mp_context=multiprocessing.get_context("fork")) as pool:
        pending: list[Any] = []
        for part in _chunks(cleans, chunk):
            pending.append(pool.submit(_analyse_chunk, part))
            if len(pending) > 2 * procs:
                yield from pending.pop(0).result()
        for future in pending:
            yield from future.result()


def _pause(attempt: int) -> float:
    return float(min(MAX_PAUSE, 0.25 * 2 ** attempt))


def _send(client: Any, location: Location, lines: list[str], ids: list[str], refresh: bool,
          sleep: Callable[[float], None]) -> None:
    """Send one batch until every item is written; retry what the cluster could not take yet."""
    from opensearchpy import exceptions as ox

    todo = list(range(len(ids)))
    for attempt in range(RETRIES + 1):
        body = "".join(lines[2 * i] + lines[2 * i + 1] for i in todo)
        try:
            result = client.bulk(body=body, index=location.index, refresh="wait_for" if refresh else "false")
        except (ox.ConnectionError, ox.ConnectionTimeout) as exc:
            if attempt == RETRIES:
                raise translate(exc, location, "write articles") from None
            sleep(_pause(attempt))
            continue
        except ox.TransportError as exc:
            if exc.status_code in _RETRY_STATUS and attempt < RETRIES:
                sleep(_pause(attempt))
                continue
            raise translate(exc, location, "write articles") from None
        again = []
        for i, item in zip(todo, result["items"]):
            status = item["index"]["status"]
            if status < 300:
                continue
            if status in _RETRY_STATUS:
                again.append(i)
                continue
            error = item["index"].get("error") or {}
            raise DocumentError(f"{location.url} refused it: {error.get('type')}: {error.get('reason')}",
                                doc_id=ids[i])
        if not again:
            return
        todo = again
        if attempt < RETRIES:
            sleep(_pause(attempt))
    raise ClusterError(f"{location.url}: {len(todo)} articles still refused after {RETRIES} retries "
                       "(the cluster is overloaded or lost shards): run the same import again to complete it")


def write_bulk(client: Any, location: Location, prepared: Iterable[tuple[str, dict[str, Any]]], *,
               batch: int = BATCH_DOCS, refresh: bool = False, progress: Callable[[int], None] | None = None,
               sleep: Callable[[float], None] = time.sleep) -> int:
    """Write ``(id, document)`` pairs in bulk batches; return how many were written."""
    lines: list[str] = []
    ids: list[str] = []
    size = written = 0

    def flush() -> None:
        nonlocal lines, ids, size, written
        if ids:
            _send(client, location, lines, ids, refresh, sleep)
            written += len(ids)
            if progress is not None:
                progress(len(ids))
        lines, ids, size = [], [], 0

    for doc_id, source in prepared:
        action = json.dumps({"index": {"_id": doc_id}}, ensure_ascii=False) + "\n"
        doc = json.dumps(source, ensure_ascii=False) + "\n"
        lines += (action, doc)
        ids.append(doc_id)
        size += len(action) + len(doc)
        if len(ids) >= batch or size >= BATCH_BYTES:
            flush()
    flush()
    return written
