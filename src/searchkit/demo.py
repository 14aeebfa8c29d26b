"""The bundled demo index: the seed page plus samples of the shared corpora.

``searchkit search QUERY`` without ``-i`` searches it. It is built on first
use in the user's cache directory (``$SEARCHKIT_CACHE``, else
``$XDG_CACHE_HOME/searchkit``, else ``~/.cache/searchkit``) and rebuilt when
the searchkit version or the analyzer version changes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
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
    """Open the demo index, building it first if needed.

    It is built in a directory beside its place and moved there whole: a
    search started meanwhile never opens a half-built index, and two first
    searches at once each end with a complete one.
    """
    path = demo_path()
    try:
        return Index.open(path)
    except (IndexNotFound, SchemaMismatch):
        pass
    if announce:
        announce(f"building the demo index in {path} (first use only)…")
    path.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{path.name}-building-", dir=path.parent))
    stale = building.with_name(building.name.replace("-building-", "-stale-"))
    try:
        ix = Index.create(building)
        ix.add(sample_articles())
        ix.close()
        try:
            return Index.open(path)  # another search finished building first
        except (IndexNotFound, SchemaMismatch):
            pass
        if path.exists():  # an index of another analyzer version: set it aside
            try:
                os.replace(path, stale)
            except OSError:  # another search set it aside first
                pass
        try:
            os.rename(building, path)
        except OSError:  # another search moved its index there meanwhile
            pass
    finally:
        shutil.rmtree(building, ignore_errors=True)
        shutil.rmtree(stale, ignore_errors=True)
    return Index.open(path)
