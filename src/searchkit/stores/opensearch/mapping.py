"""The index an OpenSearch store creates: settings, mapping, and the record of who made it.

Text fields hold searchkit's own terms, joined by spaces and split again by
OpenSearch's ``whitespace`` analyzer, so positions are searchkit's positions
(readings of names, ``r:…``, follow a field's words, so phrases of words stay
adjacent). Scoring is a scripted similarity reproducing the embedded store's
BM25F: ``idf = ln(N / (df + 1)) + 1`` and ``tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl))``
times the clause's boost, with cluster-wide statistics under
``dfs_query_then_fetch``. A clause whose boost is offset by
:data:`QUESTION_OFFSET` is scored with the question k1 instead.
"""

from __future__ import annotations

from typing import Any

from ...errors import SchemaMismatch

__all__ = ["FORMAT", "QUESTION_OFFSET", "SIMILARITY", "check_meta", "index_body"]

#: Layout version of the documents and mapping below.
FORMAT = 1
SIMILARITY = "searchkit_bm25"
#: Added to a clause's boost to score it with the question k1.
QUESTION_OFFSET = 1000.0


def similarity(k1: float, b: float, question_k1: float) -> dict[str, Any]:
    """The scripted BM25F similarity (``query.boost`` ≥ :data:`QUESTION_OFFSET` selects ``question_k1``)."""
    # boosts travel as float32: the offset one is rounded back to the planner's 4 decimals
    boost = (f"(query.boost >= {QUESTION_OFFSET} ? Math.round((query.boost - {QUESTION_OFFSET}) * 10000.0)"
             " / 10000.0 : query.boost)")
    return {
        "type": "scripted",
        "weight_script": {"source": f"return {boost} * (Math.log((double) field.docCount / (term.docFreq + 1.0))"
                                    " + 1.0);"},
        "script": {"source": (
            f"double k1 = query.boost >= {QUESTION_OFFSET} ? {question_k1} : {k1}; double tf = doc.freq; "
            "double avgdl = field.sumTotalTermFreq / (double) field.docCount; "
            f"return weight * tf * (k1 + 1.0) / (tf + k1 * ({1 - b} + {b} * doc.length / avgdl));")},
    }


def _text(positions: bool) -> dict[str, Any]:
    return {"type": "text", "analyzer": "whitespace", "similarity": SIMILARITY,
            "index_options": "positions" if positions else "freqs"}


def index_body(*, analyzer_version: int, shards: int, replicas: int, k1: float, b: float,
               question_k1: float) -> dict[str, Any]:
    """The body of the create-index request."""
    return {
        "settings": {
            "index": {"number_of_shards": shards, "number_of_replicas": replicas,
                      "max_result_window": 100_000},
            "similarity": {SIMILARITY: similarity(k1, b, question_k1)},
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"searchkit": {"format": FORMAT, "analyzer": analyzer_version}},
            # the term fields are rebuilt from the article; keep only the article itself
            "_source": {"excludes": ["title", "body", "lead"]},
            "properties": {
                "id": {"type": "keyword"},
                "title": _text(True),
                "body": _text(True),
                "lead": _text(False),
                "published": {"type": "date"},
                "lang": {"type": "keyword"},
                "category": {"type": "keyword"},
                "tags": {"type": "keyword"},
                "article": {"type": "object", "enabled": False},
            },
        },
    }


def check_meta(mapping: dict[str, Any], url: str, analyzer_version: int) -> dict[str, Any]:
    """The index's searchkit record; ``SchemaMismatch`` naming ``url`` and the fix when it is not ours."""
    meta = (mapping.get("_meta") or {}).get("searchkit")
    if not isinstance(meta, dict):
        raise SchemaMismatch(f"{url}: this OpenSearch index was not made by searchkit (its mapping has no "
                             "searchkit record): choose another index name, or delete it to let searchkit "
                             "create it (Index.create(url, overwrite=True))")
    if meta.get("format") != FORMAT:
        raise SchemaMismatch(f"{url}: index format {meta.get('format')}, this searchkit reads format {FORMAT}: "
                             "rebuild it (Index.create(url, overwrite=True) and add the articles again)")
    if meta.get("analyzer") != analyzer_version:
        raise SchemaMismatch(f"{url}: made with analyzer version {meta.get('analyzer')}, this searchkit analyzes "
                             f"with version {analyzer_version}: rebuild it (Index.create(url, overwrite=True) "
                             "and add the articles again)")
    return meta
