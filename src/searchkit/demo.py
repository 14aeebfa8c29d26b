"""The bundled demo index: the seed page plus samples of the shared corpora.

``searchkit search QUERY`` without ``-i`` searches it. It is built on first
use in the user's cache directory (``$SEARCHKIT_CACHE``, else
``$XDG_CACHE_HOME/searchkit``, else ``~/.cache/searchkit``), one directory per
searchkit version and analyzer version.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from ._version import __version__
from .analysis import Analyzer
from .corpus import sample_articles
from .errors import IndexNotFound, SchemaMismatch
from .index import Index

__all__ = ["demo_index", "demo_path"]

#: A build directory left this long (its builder was killed) is removed by the next build.
STALE_BUILD_SECONDS = 3600


def demo_path() -> Path:
    """Where the demo index lives."""
    base = os.environ.get("SEARCHKIT_CACHE")
    if base:
        root = Path(base)
    else:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "searchkit"
    return root / f"demo-{__version__}-a{Analyzer.version}"


def demo_index(*, announce: Callable[[str], None] | None = None) -> Index:
    """Open the demo index, building it first if needed.

    It is built in a directory beside its place and moved there whole: a
    search started meanwhile never opens a half-built index, and when two
    first searches build at once, the first to finish puts its index in place
    and the other uses it.
    """
    path = demo_path()
    try:
        return Index.open(path)
    except (IndexNotFound, SchemaMismatch):
        pass
    if announce:
        announce(f"building the demo index in {path} (first use only)…")
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_builds(path)
    token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    building = path.with_name(f".{path.name}-building-{token}")
    building.mkdir()
    try:
        ix = Index.create(building)
        ix.add(sample_articles())
        ix.close()
        try:
            os.rename(building, path)  # fails if an index is there already
        except OSError:
            try:
                return Index.open(path)  # another search put its index there first
            except (IndexNotFound, SchemaMismatch):  # a damaged one is in the way
                stale = path.with_name(f".{path.name}-stale-{token}")
                os.replace(path, stale)
                os.rename(building, path)
                shutil.rmtree(stale, ignore_errors=True)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return Index.open(path)


def _remove_stale_builds(path: Path) -> None:
    """Remove build directories beside ``path`` that no build has touched for an hour."""
    cutoff = time.time() - STALE_BUILD_SECONDS
    for d in path.parent.glob(f".{path.name}-*-*"):
        try:
            if d.is_dir() and d.stat().st_mtime < cutoff:
                shutil.rmtree(d, ignore_errors=True)
        except OSError:
            pass
