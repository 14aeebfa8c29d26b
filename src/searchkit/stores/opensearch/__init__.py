"""The OpenSearch store: searchkit's analysis and ranking on an OpenSearch cluster.

Articles are analysed in Python exactly as for the embedded store; OpenSearch
indexes those terms (whitespace-joined, positions kept) and scores them with a
similarity that reproduces the embedded BM25F, using cluster-wide statistics
(``dfs_query_then_fetch``). Needs the ``opensearch`` extra:
``pip install 'searchkit[opensearch]'``.
"""

from __future__ import annotations

from .connection import Location, connect, is_url, parse_location
from .store import OpenSearchStore

__all__ = ["Location", "OpenSearchStore", "connect", "is_url", "parse_location"]
