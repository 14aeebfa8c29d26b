"""searchkit: full-text search for Japanese and English news articles.

Example:
    >>> import searchkit
    >>> ix = searchkit.Index.create(tmp_path / "news")          # doctest: +SKIP
    >>> ix.add([{"id": "n1", "title": "防衛相会談", "body": "小泉防衛相が会談した。"}])  # doctest: +SKIP
    1
    >>> [h.id for h in ix.search("会談")]                          # doctest: +SKIP
    ['n1']
"""

from __future__ import annotations

from ._version import __version__
from .analysis import Analyzer, Token
from .errors import (
    AnalysisError,
    AuthenticationFailed,
    ClusterError,
    DictionaryNotFound,
    DocumentError,
    IndexExists,
    IndexLocked,
    IndexNotFound,
    QueryError,
    QuerySyntaxError,
    SchemaMismatch,
    SearchkitError,
    StorageError,
)
from .results.highlight import Snippet
from .index import Index
from .search import Hit, Results

__all__ = [
    "AnalysisError",
    "Analyzer",
    "AuthenticationFailed",
    "ClusterError",
    "DictionaryNotFound",
    "DocumentError",
    "Hit",
    "Index",
    "IndexExists",
    "IndexLocked",
    "IndexNotFound",
    "QueryError",
    "QuerySyntaxError",
    "Results",
    "SchemaMismatch",
    "SearchkitError",
    "Snippet",
    "StorageError",
    "Token",
    "__version__",
]
