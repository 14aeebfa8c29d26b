"""Errors raised by searchkit.

Every error the library raises on purpose derives from :class:`SearchkitError`,
so an application (or the CLI) can catch that one class::

    SearchkitError
    ├── AnalysisError ── DictionaryNotFound
    ├── IndexNotFound
    ├── IndexExists
    ├── IndexLocked
    ├── SchemaMismatch
    ├── QueryError ── QuerySyntaxError
    ├── DocumentError
    └── StorageError ── ClusterError ── AuthenticationFailed

Programmer mistakes (passing bytes where a ``str`` is expected, say) stay
builtin ``TypeError``/``ValueError``.
"""

from __future__ import annotations

__all__ = [
    "AnalysisError",
    "AuthenticationFailed",
    "ClusterError",
    "DictionaryNotFound",
    "DocumentError",
    "IndexExists",
    "IndexLocked",
    "IndexNotFound",
    "QueryError",
    "QuerySyntaxError",
    "SchemaMismatch",
    "SearchkitError",
    "StorageError",
]


class SearchkitError(Exception):
    """Base class of every error searchkit raises on purpose."""


class AnalysisError(SearchkitError):
    """Text could not be analyzed."""


class DictionaryNotFound(AnalysisError):
    """The MeCab dictionary (unidic-lite) is missing."""


class IndexNotFound(SearchkitError):
    """There is no searchkit index at the given path."""


class IndexExists(SearchkitError):
    """An index already exists where a new one was to be created."""


class IndexLocked(SearchkitError):
    """Another writer holds the index lock."""


class SchemaMismatch(SearchkitError):
    """The index on disk was written with an incompatible schema."""


class StorageError(SearchkitError):
    """The index directory cannot be read or written (permissions, full disk)."""


class QueryError(SearchkitError):
    """A query cannot be run."""


class QuerySyntaxError(QueryError):
    """A query does not follow the query language (strict parsing only).

    Attributes:
        query: the query text.
        position: code-point offset in ``query`` where the problem is.
    """

    def __init__(self, message: str, *, query: str, position: int) -> None:
        super().__init__(f"{message} at position {position} in query {query!r}")
        self.query = query
        self.position = position


class DocumentError(SearchkitError):
    """An article is invalid.

    Attributes:
        source: file name (or ``"<stdin>"``, ``"<input>"``) the article came from.
        line: 1-based line number in ``source``, when known.
        field: the offending field, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
        doc_id: str | None = None,
    ) -> None:
        where = []
        if source is not None:
            where.append(f"{source}:{line}" if line is not None else source)
        if doc_id is not None:
            where.append(f"article {doc_id!r}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.reason = message
        self.source = source
        self.line = line
        self.field = field
        self.doc_id = doc_id


class ClusterError(StorageError):
    """An OpenSearch cluster cannot be reached, or refused a request (the message names its URL, never a password)."""


class AuthenticationFailed(ClusterError):
    """An OpenSearch cluster refused the credentials given."""
