"""The embedded store: an index directory in Whoosh's file format.

* :mod:`.store` — :class:`WhooshStore` (create, open, write, read) and the
  reader the search layer asks;
* :mod:`.compile` — query plans as Whoosh queries, with searchkit's matchers;
* :mod:`.matching` — block-at-a-time matchers for keyword queries;
* :mod:`.schema`, :mod:`.formats` — the fields and posting formats;
* :mod:`.writer` — searchkit's own segment writer (one or two processes);
* :mod:`.damage` — damaged files reported as :class:`~searchkit.errors.StorageError`.
"""

from .store import WhooshStore

__all__ = ["WhooshStore"]
