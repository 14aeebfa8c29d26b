"""The OpenSearch store: the store interface (:mod:`searchkit.stores.base`) over one OpenSearch index.

Documents are named by their ``_id`` (the article id). Term statistics are
the whole index's (counts, not one shard's), so the shard count does not change
a ranking; equal scores come in id order. Snippets' character ranges come from
analysing the stored text of the page's hits again (the same analyzer made the
index's terms, so the ranges are the embedded store's).
"""

from __future__ import annotations

import base64
import json
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from ... import _version as _version_module
from ...analysis import DICTIONARY, Analyzer
from ...analysis.userdict import USER_DICTIONARY_FILE, UserDictionary
from ...errors import ClusterError, IndexExists, IndexNotFound, SchemaMismatch
from ...query.plan import BM25_B, BM25_K1, Plan, terms_of
from ..base import FACETS, Doc, Occurrences, Sort
from .bulk import analyse, write_bulk
from .compile import TEXT_FIELDS, Scoring, compile_plan
from .connection import Location, connect, parse_location, translate
from .documents import READING_PREFIX, article_of, os_term
from .mapping import COLLECTION_FREQUENCY_BOOST, check_meta, index_body

__all__ = ["OpenSearchFound", "OpenSearchPrepared", "OpenSearchReader", "OpenSearchStore"]
#: Most terms one did-you-mean look-up reads.
MAX_TERMS = 10_000
#: Seconds a thread's reader keeps its statistics.
READER_SECONDS = 1.0
#: Most documents one request asks for (the index's ``max_result_window``).
MAX_WINDOW = 100_000


class OpenSearchStore:
    """One searchkit index in an OpenSearch cluster."""

    def __init__(self, location: Location, client: Any, meta: dict[str, Any]) -> None:
        self._location = location
        self.client = client
        self.meta = meta
        self.analyzer = self._analyzer()
        self._local = threading.local()
        self._generation = 0

    def _analyzer(self) -> Analyzer:
        """The analyzer, with the user dictionary kept in the mapping's record if there is one."""
        raw = self.read_side_file(USER_DICTIONARY_FILE)
        return Analyzer(UserDictionary.from_bytes(raw, USER_DICTIONARY_FILE) if raw is not None else None)

    @property
    def location(self) -> str:
        """The index's URL, without credentials."""
        return self._location.url

    @property
    def name(self) -> str:
        return self._location.index

    @classmethod
    def create(cls, url: str, *, shards: int = 1, replicas: int = 0, overwrite: bool = False,
               http_auth: tuple[str, str] | None = None, ca_certs: str | None = None) -> OpenSearchStore:
        """Make a new, empty index at ``url`` (``overwrite`` replaces a searchkit index there, never another)."""
        from opensearchpy import exceptions as ox

        location = parse_location(url, http_auth)
        client = connect(location, ca_certs=ca_certs)
        name = location.index
        try:
            if client.indices.exists(index=name):
                if not overwrite:
                    raise IndexExists(f"{location.url}: an index exists there: open it with Index.open(url), or "
                                      "replace it with Index.create(url, overwrite=True)")
                mapping = _mapping(client, location)
                if not isinstance((mapping.get("_meta") or {}).get("searchkit"), dict):
                    raise SchemaMismatch(f"{location.url}: the index there was not made by searchkit, so "
                                         "overwrite=True leaves it alone: delete it yourself or choose another name")
                client.indices.delete(index=name)
            body = index_body(analyzer_version=Analyzer.version, shards=shards, replicas=replicas)
            client.indices.create(index=name, body=body, params={"wait_for_active_shards": "1"})
        except ox.RequestError as exc:
            if exc.error == "resource_already_exists_exception":
                raise IndexExists(f"{location.url}: an index was created there meanwhile: open it with "
                                  "Index.open(url)") from None
            raise translate(exc, location, "create the index") from None
        except ox.TransportError as exc:
            raise translate(exc, location, "create the index") from None
        return cls(location, client, check_meta(_mapping(client, location), location.url, Analyzer.version))

    @classmethod
    def open(cls, url: str, *, http_auth: tuple[str, str] | None = None, ca_certs: str | None = None,
             check_analyzer: bool = True) -> OpenSearchStore:
        """Open the searchkit index at ``url``."""
        location = parse_location(url, http_auth)
        client = connect(location, ca_certs=ca_certs)
        mapping = _mapping(client, location)
        if check_analyzer:
            meta = check_meta(mapping, location.url, Analyzer.version)
        else:
            found = (mapping.get("_meta") or {}).get("searchkit")
            meta = found if isinstance(found, dict) else check_meta(mapping, location.url, Analyzer.version)
        return cls(location, client, meta)

    # -- writing -----------------------------------------------------------

    def write(self, articles: Mapping[str, dict[str, Any]], *, procs: int | None = None,
              progress: Callable[[int], None] | None = None) -> None:
        """Add or replace clean articles by id; visible to searches on return."""
        if procs is None:
            procs = 2 if len(articles) >= 1_000 else 1
        try:
            write_bulk(self.client, self._location, analyse(articles.values(), procs, analyzer=self.analyzer),
                       progress=progress)
        finally:
            self.refresh()

    def delete(self, ids: Iterable[str]) -> int:
        body = "".join(json.dumps({"delete": {"_id": i}}, ensure_ascii=False) + "\n" for i in ids)
        if not body:
            return 0
        result = self.call("delete articles", self.client.bulk, body=body, index=self.name, refresh="true")
        self._generation += 1
        return sum(item["delete"]["status"] == 200 for item in result["items"])

    def optimize(self) -> None:
        self.call("optimize the index", self.client.indices.forcemerge, index=self.name, max_num_segments=1)
        self.refresh()

    def compact(self) -> None:
        """Nothing to do: OpenSearch merges an index's small segments on its own."""

    def refresh(self) -> None:
        self._generation += 1
        self.call("refresh the index", self.client.indices.refresh, index=self.name)

    def read_side_file(self, name: str) -> bytes | None:
        side = (self.meta.get("side") or {}).get(name)
        return None if side is None else base64.b64decode(side)

    def write_side_file(self, name: str, data: bytes | None) -> None:
        """Side files (the alias table) live in the mapping's searchkit record."""
        meta = dict(self.meta)
        side = dict(meta.get("side") or {})
        if data is None:
            side.pop(name, None)
        else:
            side[name] = base64.b64encode(data).decode("ascii")
        meta["side"] = side
        self.call("keep a side file", self.client.indices.put_mapping, index=self.name,
                  body={"_meta": {"searchkit": meta}})
        self.meta = meta
        if name == USER_DICTIONARY_FILE:
            self.analyzer = self._analyzer()
            self._generation += 1

    # -- reading -----------------------------------------------------------

    def reader(self) -> OpenSearchReader:
        """This thread's reader: its statistics are kept for a second (as the embedded store
        looks for a newer commit once a second), and dropped at once after a write through this store."""
        local = self._local
        reader: OpenSearchReader | None = getattr(local, "reader", None)
        now = time.monotonic()
        if reader is None or now - local.made > READER_SECONDS or local.generation != self._generation:
            local.reader = reader = OpenSearchReader(self, BM25_K1)
            local.made, local.generation = now, self._generation
        return reader

    def errors(self) -> AbstractContextManager[None]:
        return self._errors()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        from opensearchpy import exceptions as ox

        try:
            yield
        except (ox.TransportError, ox.ImproperlyConfigured) as exc:
            raise translate(exc, self._location, "search") from None

    def call(self, doing: str, method: Callable[..., Any], **kwargs: Any) -> Any:
        """One client call, its failures as searchkit errors naming the URL."""
        from opensearchpy import exceptions as ox

        try:
            return method(**kwargs)
        except ox.NotFoundError as exc:
            if exc.error == "index_not_found_exception":
                raise IndexNotFound(f"{self.location}: the index is gone (deleted meanwhile?)") from None
            raise translate(exc, self._location, doing) from None
        except (ox.TransportError, ox.ImproperlyConfigured) as exc:
            raise translate(exc, self._location, doing) from None

    def search(self, body: dict[str, Any], **params: Any) -> dict[str, Any]:
        """One search request."""
        result: dict[str, Any] = self.call("search", self.client.search, index=self.name, body=body, **params)
        return result

    def info(self) -> dict[str, Any]:
        settings = self.call("read the index", self.client.indices.get_settings, index=self.name)
        index_settings = next(iter(settings.values()))["settings"]["index"]
        stats = self.call("read the index", self.client.indices.stats, index=self.name)
        primaries = stats["indices"][self.name]["primaries"]
        version = self.meta.get("analyzer")
        return {
            "path": self.location,
            "url": self.location,
            "documents": int(primaries["docs"]["count"]),
            "deleted": int(primaries["docs"]["deleted"]),
            "segments": int(primaries["segments"]["count"]),
            "size_bytes": int(primaries["store"]["size_in_bytes"]),
            "shards": int(index_settings["number_of_shards"]),
            "replicas": int(index_settings["number_of_replicas"]),
            "fields": ["id", "title", "body", "url", "published", "lang", "category", "tags", "lead"],
            "analyzer": f"Analyzer(version={version}, dictionary={DICTIONARY!r})",
            "analyzer_version": version,
            "opensearch": self.call("read the cluster", self.client.info)["version"]["number"],
            "searchkit": _version_module.__version__,
        }

    def drop(self) -> None:
        """Delete this index from the cluster (a missing one is not an error)."""
        self.call("delete the index", self.client.indices.delete, index=self.name, params={"ignore_unavailable": "true"})

    def close(self) -> None:
        self.client.close()

    def __repr__(self) -> str:
        return f"OpenSearchStore({self.location!r})"


class OpenSearchReader:
    """The store interface's Reader: searches and lookups on one index (statistics cached per reader)."""

    has_lead = True

    def __init__(self, store: OpenSearchStore, k1: float) -> None:
        self.store = store
        self.k1 = k1
        self.analyzer = store.analyzer
        self._count: int | None = None
        self._df: dict[tuple[str, str], int] = {}
        self._stored: dict[str, dict[str, Any]] = {}
        self._avgdl: dict[str, float] | None = None

    def doc_count(self) -> int:
        if self._count is None:
            self._count = int(self.store.call("count articles", self.store.client.count,
                                              index=self.store.name)["count"])
        return self._count

    def doc_count_all(self) -> int:
        return self.doc_count()

    def doc_frequency(self, field: str, term: str) -> int:
        return self.doc_frequencies(field, [term])[term]

    def doc_frequencies(self, field: str, terms: Sequence[str]) -> dict[str, int]:
        """Documents holding each term in ``field``, in one request."""
        missing = [t for t in dict.fromkeys(terms) if (field, t) not in self._df]
        for i in range(0, len(missing), 200):
            part = missing[i:i + 200]
            lines = "".join(json.dumps({}) + "\n" + json.dumps(
                {"size": 0, "track_total_hits": True, "query": {"term": {field: os_term(t)}}},
                ensure_ascii=False) + "\n" for t in part)
            answer = self.store.call("count documents", self.store.client.msearch, body=lines,
                                     index=self.store.name)
            for t, r in zip(part, answer["responses"]):
                if "error" in r:
                    raise ClusterError(f"{self.store.location}: a count failed: {r['error']}")
                self._df[(field, t)] = int(r["hits"]["total"]["value"])
        return {t: self._df[(field, t)] for t in terms}

    def with_k1(self, k1: float) -> OpenSearchReader:
        reader = OpenSearchReader(self.store, k1)
        reader._count, reader._df, reader._stored, reader._avgdl = self._count, self._df, self._stored, self._avgdl
        return reader

    def avgdl(self) -> dict[str, float]:
        """Each text field's average length over every document (as the embedded store counts it)."""
        if self._avgdl is None:
            body = {"size": 0, "track_total_hits": True,
                    "aggs": {f: {"sum": {"field": f"{f}_n"}} for f in TEXT_FIELDS}}
            aggs = self.store.search(body)["aggregations"]
            n = self.doc_count_all() or 1
            self._avgdl = {f: float(aggs[f]["value"] or 0.0) / n for f in TEXT_FIELDS}
        return self._avgdl

    def scoring(self, plan: Plan | None) -> Scoring:
        """BM25's statistics for the terms of ``plan``."""
        wanted: dict[str, list[str]] = {}
        for field, term in terms_of(plan):
            if field in TEXT_FIELDS:
                wanted.setdefault(field, []).append(term)
        n = self.doc_count_all()
        idf: dict[tuple[str, str], float] = {}
        for field, terms in wanted.items():
            for term, df in self.doc_frequencies(field, terms).items():
                idf[(field, term)] = math.log(n / (df + 1)) + 1 if n else 1.0
        return Scoring(self.k1, BM25_B, idf, self.avgdl() if n else {f: 1.0 for f in TEXT_FIELDS})

    def prepare(self, plan: Plan) -> OpenSearchPrepared:
        return OpenSearchPrepared(self, plan)

    def fetch(self, docs: Sequence[Doc]) -> None:
        """Read the stored articles of ``docs`` into this reader's cache, in one request."""
        want = [str(d) for d in dict.fromkeys(docs) if d not in self._stored]
        if not want:
            return
        found = self.store.call("read articles", self.store.client.mget, index=self.store.name,
                                body={"ids": want})
        for d in found["docs"]:
            if d.get("found"):
                self._stored[d["_id"]] = article_of(d["_source"])

    def stored(self, doc: Doc) -> dict[str, Any]:
        self.fetch([doc])
        try:
            return self._stored[str(doc)]
        except KeyError:
            raise IndexNotFound(f"{self.store.location}: article {doc!r} is gone (deleted meanwhile?)") from None

    def doc_of(self, doc_id: str) -> str | None:
        self.fetch([doc_id])
        return doc_id if doc_id in self._stored else None

    def id_of(self, doc: Doc) -> str:
        return str(doc)

    def articles(self) -> Iterator[dict[str, Any]]:
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {"size": 1000, "sort": [{"id": "asc"}], "query": {"match_all": {}}}
            if after is not None:
                body["search_after"] = after
            hits = self.store.call("read articles", self.store.client.search, index=self.store.name,
                                   body=body)["hits"]["hits"]
            for hit in hits:
                yield article_of(hit["_source"])
            if len(hits) < 1000:
                return
            after = hits[-1]["sort"]

    def collection_frequencies(self, field: str, terms: Sequence[str]) -> dict[str, int]:
        """Each term's total frequency in ``field`` over the whole index (0: not indexed)."""
        out: dict[str, int] = {}
        terms = list(dict.fromkeys(terms))
        for i in range(0, len(terms), 200):
            part = terms[i:i + 200]
            lines = "".join(json.dumps({"search_type": "dfs_query_then_fetch"}) + "\n" + json.dumps(
                {"size": 1, "_source": False, "track_total_hits": False,
                 "query": {"term": {field: {"value": os_term(t), "boost": COLLECTION_FREQUENCY_BOOST}}}},
                ensure_ascii=False) + "\n" for t in part)
            answer = self.store.call("count terms", self.store.client.msearch, body=lines, index=self.store.name)
            for t, r in zip(part, answer["responses"]):
                if "error" in r:
                    raise ClusterError(f"{self.store.location}: a term count failed: {r['error']}")
                hits = r["hits"]["hits"]
                out[t] = int(round(hits[0]["_score"])) if hits else 0
        return out

    def key_terms(self, text: str, n: int) -> list[tuple[str, float]]:
        """Bo1 weights of the body terms of ``text``, as Whoosh's ``key_terms_from_text``."""
        tf: Counter[str] = Counter()
        for term, _, _, reading in self.analyzer.index_terms(text):
            tf[term] += 1
            if reading:
                tf[READING_PREFIX + reading] += 1
        if not tf:
            return []
        total = self.doc_count_all() or 1
        cfs = self.collection_frequencies("body", list(tf))
        scored = []
        for word, weight in tf.items():
            if cfs[word]:
                f = cfs[word] / total
                scored.append((weight * math.log((1.0 + f) / f, 2) + math.log(1.0 + f, 2), word))
        if not scored:
            return []
        top = max(s for s, _ in scored)
        f = top / total
        norm = (top * math.log((1.0 + f) / f) + math.log(1.0 + f)) / math.log(2.0) if top else 1.0
        scored.sort(reverse=True)
        return [(word, score / norm) for score, word in scored[:n]]

    def terms_from(self, field: str, prefix: str) -> Iterator[str]:
        """Body terms that start with ``prefix``, in order (the first :data:`MAX_TERMS`), from ``body_terms``."""
        if field != "body":
            return
        pattern = re.sub(r'([.?+*|{}\[\]()"\\#@&<>~])', r"\\\1", os_term(prefix)) + ".*"
        body = {"size": 0, "aggs": {"t": {"terms": {"field": "body_terms", "include": pattern, "size": MAX_TERMS,
                                                   "order": {"_key": "asc"}}}}}
        for bucket in self.store.search(body)["aggregations"]["t"]["buckets"]:
            yield str(bucket["key"])

    def top_terms(self, field: str, n: int) -> list[tuple[str, int]]:
        """The most frequent body terms (at most 50,000), from a terms aggregation on ``body_terms``.

        Each shard sends its ``2n + 1,000`` most frequent (OpenSearch's default of ``1.5n + 10``
        missed terms of the top 80 on a 3-shard test index)."""
        if field != "body":
            return []
        n = min(n, 50_000)
        body = {"size": 0, "aggs": {"t": {"terms": {"field": "body_terms", "size": n, "shard_size": 2 * n + 1000}}}}
        return [(str(b["key"]), int(b["doc_count"])) for b in self.store.search(body)["aggregations"]["t"]["buckets"]]

    def written(self, field: str, term: str) -> Iterator[list[str]]:
        """How ``term`` is written in the stored ``field`` of (up to 200) documents holding it, in id order."""
        hits = self.store.search({"size": 200, "sort": [{"id": "asc"}], "_source": False,
                                  "query": {"term": {field: os_term(term)}}})["hits"]["hits"]
        docs = [h["_id"] for h in hits]
        self.fetch(docs)
        for doc, ranges in _occurrences(self, docs, [term], field).items():
            text = self._stored[str(doc)].get(field) or ""
            yield [text[s:e] for s, e, _ in ranges]


class OpenSearchPrepared:
    """One plan compiled to query DSL, on one reader."""

    def __init__(self, reader: OpenSearchReader, plan: Plan) -> None:
        self.reader = reader
        self.query = compile_plan(plan, reader.scoring(plan))

    def _query(self, filter: Plan | None = None, mask: Plan | None = None) -> dict[str, Any]:
        if filter is None and mask is None:
            return self.query
        out: dict[str, Any] = {"must": [self.query]}
        if filter is not None:
            out["filter"] = [compile_plan(filter)]
        if mask is not None:
            out["must_not"] = [compile_plan(mask)]
        return {"bool": out}

    def find(self, limit: int, *, filter: Plan | None = None, mask: Plan | None = None,
             sort: Sort = "relevance") -> OpenSearchFound:
        order: list[Any]
        if sort == "date":
            order = [{"published": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
        else:
            order = [{"_score": "desc"}, {"id": "asc"}]
        body = {"query": self._query(filter, mask), "size": max(0, min(limit, MAX_WINDOW)), "sort": order,
                "track_scores": True, "track_total_hits": True, "_source": False}
        answer = self.reader.store.search(body)
        hits = [(h["_id"], float(h["_score"] or 0.0)) for h in answer["hits"]["hits"]]
        return OpenSearchFound(hits, int(answer["hits"]["total"]["value"]))

    def scores(self, docs: Sequence[Doc]) -> dict[Doc, float]:
        if not docs:
            return {}
        body = {"query": {"bool": {"must": [self.query], "filter": [{"ids": {"values": [str(d) for d in docs]}}]}},
                "size": len(docs), "_source": False}
        return {h["_id"]: float(h["_score"]) for h in self.reader.store.search(body)["hits"]["hits"]}

    def facets(self, filter: Plan | None = None) -> dict[str, Counter[str]]:
        body = {"query": self._query(filter), "size": 0, "track_total_hits": True, "aggs": {
            "lang": {"terms": {"field": "lang", "size": 1000, "missing": "unknown"}},
            "category": {"terms": {"field": "category", "size": 10000, "missing": "none"}},
            "year": {"date_histogram": {"field": "published", "calendar_interval": "year", "format": "yyyy",
                                        "min_doc_count": 1}},
            "undated": {"missing": {"field": "published"}},
        }}
        aggs = self.reader.store.search(body)["aggregations"]
        counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
        for name in ("lang", "category"):
            for bucket in aggs[name]["buckets"]:
                counts[name][str(bucket["key"])] += int(bucket["doc_count"])
        for bucket in aggs["year"]["buckets"]:
            counts["year"][str(int(bucket["key_as_string"]))] += int(bucket["doc_count"])
        if aggs["undated"]["doc_count"]:
            counts["year"]["undated"] += int(aggs["undated"]["doc_count"])
        return counts

    def occurrences(self, docs: Sequence[Doc], terms: Sequence[str], field: str = "body") -> dict[Doc, Occurrences]:
        self.reader.fetch(docs)
        return _occurrences(self.reader, docs, terms, field)

    def __str__(self) -> str:
        return json.dumps(self.query, ensure_ascii=False)


class OpenSearchFound:
    """What one search returned: ``(id, score)`` best first, and the number of matches."""

    def __init__(self, hits: list[tuple[Doc, float]], total: int) -> None:
        self.hits = hits
        self._total = total

    def scored_length(self) -> int:
        return len(self.hits)

    def score(self, i: int) -> float:
        return self.hits[i][1]

    def ranked(self, start: int, stop: int) -> list[tuple[Doc, float]]:
        return self.hits[start:stop]

    def total(self) -> int:
        return self._total


def _occurrences(reader: OpenSearchReader, docs: Sequence[Doc], terms: Sequence[str],
                 field: str) -> dict[Doc, Occurrences]:
    """Ranges of ``terms`` in the stored ``field`` of ``docs``, by analysing the text again,
    in the embedded store's order (term by term, then by position)."""
    wanted = set(terms)
    out: dict[Doc, Occurrences] = {}
    for doc in docs:
        stored = reader._stored.get(str(doc))
        text = (stored or {}).get(field) or ""
        where: dict[str, list[tuple[int, int, str]]] = {}
        if text and field in ("title", "body"):
            for term, s, e, reading in reader.analyzer.index_terms(text):
                if term in wanted:
                    where.setdefault(term, []).append((s, e, term))
                if reading and READING_PREFIX + reading in wanted:
                    key = READING_PREFIX + reading
                    where.setdefault(key, []).append((s, e, key))
        out[doc] = [occ for term in terms for occ in where.get(term, [])]
    return out


def _mapping(client: Any, location: Location) -> dict[str, Any]:
    """The index's mapping; ``IndexNotFound`` naming the URL when there is no index."""
    from opensearchpy import exceptions as ox

    try:
        found = client.indices.get_mapping(index=location.index)
    except ox.NotFoundError:
        raise IndexNotFound(f"{location.url}: no index there: create it with Index.create(url)") from None
    except ox.TransportError as exc:
        raise translate(exc, location, "read the index's mapping") from None
    if not found:
        raise IndexNotFound(f"{location.url}: no index there: create it with Index.create(url)")
    mapping = next(iter(found.values()))["mappings"]
    if not isinstance(mapping, dict):
        raise ClusterError(f"{location.url}: unexpected mapping answer")
    return mapping
