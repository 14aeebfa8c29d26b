"""An index on an OpenSearch cluster: create, open, write and read articles, run a compiled query."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ...analysis import Analyzer
from ...errors import ClusterError, DocumentError, IndexExists, IndexNotFound, SchemaMismatch
from ...schema import BM25_B, BM25_K1
from .bulk import analyse, write_bulk
from .connection import Location, connect, parse_location, translate
from .documents import article_of
from .mapping import check_meta, index_body

__all__ = ["OpenSearchStore"]

#: The question k1 of the embedded store's ranking (``searchkit.search.QUESTION_K1``).
QUESTION_K1 = 0.6


class OpenSearchStore:
    """One searchkit index in an OpenSearch cluster."""

    def __init__(self, location: Location, client: Any, analyzer: Analyzer, meta: dict[str, Any]) -> None:
        self.location = location
        self.client = client
        self.analyzer = analyzer
        self.meta = meta

    @property
    def url(self) -> str:
        """The index's URL, without credentials."""
        return self.location.url

    @classmethod
    def create(cls, url: str, *, shards: int = 1, replicas: int = 0, overwrite: bool = False,
               http_auth: tuple[str, str] | None = None, ca_certs: str | None = None,
               analyzer: Analyzer | None = None) -> OpenSearchStore:
        """Make a new, empty index at ``url`` (``overwrite`` replaces a searchkit index there, never another)."""
        from opensearchpy import exceptions as ox

        location = parse_location(url, http_auth)
        analyzer = analyzer or Analyzer()
        client = connect(location, ca_certs=ca_certs)
        name = location.index
        try:
            if client.indices.exists(index=name):
                check_meta(_mapping(client, location), location.url, analyzer.version) if overwrite else None
                if not overwrite:
                    raise IndexExists(f"{location.url}: an index exists there: open it with Index.open(url), or "
                                      "replace it with Index.create(url, overwrite=True)")
                client.indices.delete(index=name)
            body = index_body(analyzer_version=analyzer.version, shards=shards, replicas=replicas, k1=BM25_K1,
                              b=BM25_B, question_k1=QUESTION_K1)
            client.indices.create(index=name, body=body, params={"wait_for_active_shards": "1"})
        except SchemaMismatch:
            raise SchemaMismatch(f"{location.url}: an index that searchkit did not make (or made with another "
                                 "analyzer or format) is there; overwrite replaces only a searchkit index of this "
                                 "version: delete it yourself or choose another name") from None
        except ox.RequestError as exc:
            if exc.error == "resource_already_exists_exception":
                raise IndexExists(f"{location.url}: an index was created there meanwhile: open it with "
                                  "Index.open(url)") from None
            raise translate(exc, location, "create the index") from None
        except (ox.TransportError, ox.ImproperlyConfigured) as exc:
            raise translate(exc, location, "create the index") from None
        return cls(location, client, analyzer, check_meta(_mapping(client, location), location.url,
                                                          analyzer.version))

    @classmethod
    def open(cls, url: str, *, http_auth: tuple[str, str] | None = None, ca_certs: str | None = None,
             analyzer: Analyzer | None = None) -> OpenSearchStore:
        """Open the searchkit index at ``url``."""
        location = parse_location(url, http_auth)
        analyzer = analyzer or Analyzer()
        client = connect(location, ca_certs=ca_certs)
        meta = check_meta(_mapping(client, location), location.url, analyzer.version)
        return cls(location, client, analyzer, meta)

    def add(self, docs: Iterable[Any], *, procs: int | None = None, skip_errors: bool = False,
            progress: Callable[[int], None] | None = None) -> int:
        """Write articles (replacing any with the same id); visible to searches on return."""
        def prepared() -> Iterator[tuple[str, dict[str, Any]]]:
            for item in analyse(docs, procs):
                if isinstance(item, DocumentError):
                    if skip_errors:
                        continue
                    raise item
                yield item

        try:
            n = write_bulk(self.client, self.location, prepared(), progress=progress)
        finally:
            self.refresh()
        return n

    def delete(self, ids: Iterable[str]) -> int:
        """Delete articles by id; return how many were there."""
        import json

        body = "".join(json.dumps({"delete": {"_id": i}}, ensure_ascii=False) + "\n" for i in ids)
        if not body:
            return 0
        result = self._call("delete articles", self.client.bulk, body=body, index=self.location.index,
                            refresh="wait_for")
        return sum(item["delete"]["status"] == 200 for item in result["items"])

    def refresh(self) -> None:
        """Make every write so far visible to searches."""
        self._call("refresh the index", self.client.indices.refresh, index=self.location.index)

    def __len__(self) -> int:
        return int(self._call("count articles", self.client.count, index=self.location.index)["count"])

    def get(self, doc_id: str) -> dict[str, Any] | None:
        """The article with ``doc_id``, or None."""
        from opensearchpy import exceptions as ox

        try:
            found = self.client.get(index=self.location.index, id=doc_id)
        except ox.NotFoundError:
            return None
        except ox.TransportError as exc:
            raise translate(exc, self.location, "read an article") from None
        return article_of(found["_source"])

    def search(self, body: dict[str, Any]) -> dict[str, Any]:
        """Run a search request body with cluster-wide term statistics."""
        return self._call("search", self.client.search, index=self.location.index, body=body,
                          search_type="dfs_query_then_fetch")

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> OpenSearchStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, doing: str, method: Callable[..., Any], **kwargs: Any) -> Any:
        from opensearchpy import exceptions as ox

        try:
            return method(**kwargs)
        except ox.NotFoundError as exc:
            if exc.error == "index_not_found_exception":
                raise IndexNotFound(f"{self.location.url}: the index is gone (deleted meanwhile?)") from None
            raise translate(exc, self.location, doing) from None
        except (ox.TransportError, ox.ImproperlyConfigured) as exc:
            raise translate(exc, self.location, doing) from None


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
