"""Stores: where analysed articles are kept, behind one interface (:mod:`.base`).

* :mod:`.whoosh` — the embedded store: an index directory in Whoosh's format;
  the only package that imports ``whoosh``.
"""
