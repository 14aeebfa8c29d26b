"""Stores: where analysed articles are kept, behind one interface (:mod:`.base`).

* :mod:`.whoosh` — the embedded store: an index directory in Whoosh's format;
  the only package that imports ``whoosh``.
* :mod:`.opensearch` — an index on an OpenSearch cluster, named by its URL
  (``http[s]://host:port/name``); needs the ``opensearch`` extra.
"""
