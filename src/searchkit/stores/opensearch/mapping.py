"""The index an OpenSearch store creates: settings, mapping, and the record of who made it.

Text fields hold searchkit's own terms, joined by spaces and split again by
OpenSearch's ``whitespace`` analyzer, so positions are searchkit's positions
(readings of names, ``r:…``, follow a field's words, so phrases of words stay
adjacent). Scoring reproduces the embedded store's BM25F exactly: the field's
similarity gives a term's frequency, and each term clause's script
(:data:`BM25_SCRIPT`) turns it into ``boost · idf · tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl))``
with ``idf = ln(N / (df + 1)) + 1`` from the whole index's counts (whatever the
shard count), ``avgdl`` from the sum of ``{field}_n`` and ``dl`` the length as
the embedded store's one-byte table holds it (``{field}_len``): Lucene's own
norms round lengths by up to 12%, the embedded store's by 3%.
"""

from __future__ import annotations

from typing import Any

from ...errors import SchemaMismatch

__all__ = ["BM25_SCRIPT", "COLLECTION_FREQUENCY_BOOST", "FORMAT", "SIMILARITY", "check_meta", "index_body"]

#: Layout version of the documents and mapping below.
FORMAT = 1
SIMILARITY = "searchkit_tf"


#: A term query with this boost scores the term's total frequency in the index instead
#: (under ``dfs_query_then_fetch``: the whole index's), for related articles' key terms.
COLLECTION_FREQUENCY_BOOST = 4096.0


def similarity() -> dict[str, Any]:
    """A similarity whose score is the term's frequency in the document: the BM25 around it
    is computed by each clause's script (:data:`BM25_SCRIPT`)."""
    return {"type": "scripted", "script": {
        "source": f"return query.boost == {COLLECTION_FREQUENCY_BOOST} ? term.totalTermFreq : doc.freq;"}}


#: BM25 of one term clause from its frequency (``_score``) and the document's field
#: length as the embedded store keeps it (``{field}_len``): ``params.w`` is boost × idf.
BM25_SCRIPT = ("double tf = _score; double dl = doc[params.len].value; "
               "return params.w * tf * (params.k1 + 1.0) / (tf + params.k1 * (1.0 - params.b + params.b * dl "
               "/ params.avgdl));")


def _text(positions: bool) -> dict[str, Any]:
    return {"type": "text", "analyzer": "whitespace", "similarity": SIMILARITY,
            "index_options": "positions" if positions else "freqs"}


def index_body(*, analyzer_version: int, shards: int, replicas: int) -> dict[str, Any]:
    """The body of the create-index request."""
    return {
        "settings": {
            "index": {"number_of_shards": shards, "number_of_replicas": replicas,
                      "max_result_window": 100_000},
            "similarity": {SIMILARITY: similarity()},
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"searchkit": {"format": FORMAT, "analyzer": analyzer_version}},
            # the term fields are rebuilt from the article; keep only the article itself
            "_source": {"excludes": ["title", "body", "lead", "body_terms"]},
            "properties": {
                "id": {"type": "keyword"},
                "title": _text(True),
                "body": _text(True),
                "lead": _text(False),
                **{f"{f}_{kind}": {"type": "integer"} for f in ("title", "body", "lead") for kind in ("n", "len")},
                "published": {"type": "date"},
                "lang": {"type": "keyword"},
                "category": {"type": "keyword"},
                "tags": {"type": "keyword"},
                # the body's distinct terms, for did-you-mean's term list (terms aggregation)
                "body_terms": {"type": "keyword", "index": False},
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
    expected = index_body(analyzer_version=analyzer_version, shards=1, replicas=0)["mappings"]["properties"]
    found = mapping.get("properties") or {}
    for name, want in expected.items():
        have = found.get(name) or {}
        if have.get("type", "object") != want["type"] or have.get("analyzer", want.get("analyzer")) != want.get(
                "analyzer"):
            raise SchemaMismatch(f"{url}: mapping conflict: field {name!r} is {have.get('type', 'missing')}"
                                 f"{' with analyzer ' + have['analyzer'] if have.get('analyzer') else ''}, searchkit "
                                 f"needs {want['type']}{' with analyzer ' + want['analyzer'] if 'analyzer' in want else ''}"
                                 ": rebuild it (Index.create(url, overwrite=True) and add the articles again)")
    if meta.get("analyzer") != analyzer_version:
        raise SchemaMismatch(f"{url}: made with analyzer version {meta.get('analyzer')}, this searchkit analyzes "
                             f"with version {analyzer_version}: rebuild it (Index.create(url, overwrite=True) "
                             "and add the articles again)")
    return meta
