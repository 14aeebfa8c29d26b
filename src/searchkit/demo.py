"""The bundled demo index: the seed page plus samples of the shared corpora.

``searchkit search QUERY`` without ``-i`` searches it. It is built on first
use in the user's cache directory (``$SEARCHKIT_CACHE``, else
``$XDG_CACHE_HOME/searchkit``, else ``~/.cache/searchkit``) and rebuilt when
the searchkit version or the analyzer version changes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ._version import __version__
from .corpus import sample_articles
from .errors import IndexNotFound, SchemaMismatch
from .index import Index

__all__ = ["demo_index", "demo_path"]


def demo_path() -> Path:
    """Where the demo index lives."""
    base = os.environ.get("SEARCHKIT_CACHE")
    if base:
        root = Path(base)
    else:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "searchkit"
    return root / f"demo-{__version__}"


def demo_index(*, announce: Callable[[str], None] | None = None) -> Index:
    """Open the demo index, building it first if needed."""
    path = demo_path()
    try:
        return Index.open(path)
    except (IndexNotFound, SchemaMismatch):
        pass
    if announce:
        announce(f"building the demo index in {path} (first use only)…")
    ix = Index.create(path, overwrite=True)
    ix.add(sample_articles())
    return ix
