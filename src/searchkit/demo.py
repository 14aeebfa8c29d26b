"""The bundled demo index: the seed page plus samples of the shared corpora.

``searchkit search QUERY`` without ``-i`` searches it. It is built on first
use in the user's cache directory (``$SEARCHKIT_CACHE``, else
``$XDG_CACHE_HOME/searchkit``, else ``~/.cache/searchkit``), one directory per
searchkit version and analyzer version.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from ._version import __version__
from .analysis import Analyzer
from .ingest.corpus import sample_articles
from .errors import SearchkitError, StorageError
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

    It is built in a directory beside its place and moved there whole, so a
    search started meanwhile never opens a half-built index; builders take
    turns (a file lock beside it), so a second first search waits for the
    first one's index and uses it. A damaged index is rebuilt.

    Raises:
        StorageError: the cache directory cannot be written.
    """
    path = demo_path()
    ix = _usable(path)
    if ix is not None:
        return ix
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(path.parent / f".{path.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if announce:
                announce(f"waiting for another search that is building the demo index in {path}…")
            fcntl.flock(lock, fcntl.LOCK_EX)
    except OSError as exc:
        raise StorageError(f"cannot build the demo index in {path.parent}: {exc.strerror or exc}; "
                           f"set SEARCHKIT_CACHE to a writable directory") from exc
    try:
        ix = _usable(path)  # built by another search while this one waited
        if ix is None:
            ix = _build(path, announce)
    finally:
        os.close(lock)  # and with it the lock
    return ix


def _usable(path: Path) -> Index | None:
    """The index at ``path`` if it opens and reads, else None (missing, old or damaged)."""
    try:
        ix = Index.open(path)
        len(ix)  # reads every segment's header
    except SearchkitError:
        return None
    return ix


def _build(path: Path, announce: Callable[[str], None] | None) -> Index:
    """Build the demo index aside and move it to ``path`` (the caller holds the build lock)."""
    if announce:
        announce(f"building the demo index in {path} (first use only)…")
    _remove_stale_builds(path)
    token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    building = path.with_name(f".{path.name}-building-{token}")
    try:
        building.mkdir()
        ix = Index.create(building)
        ix.add(sample_articles())
        ix.close()
        try:
            os.rename(building, path)  # fails if an index is there already
        except OSError:
            ix_there = _usable(path)  # put there by a search that did not take the lock
            if ix_there is not None:
                return ix_there
            stale = path.with_name(f".{path.name}-stale-{token}")  # old or damaged: moved aside
            os.replace(path, stale)
            os.rename(building, path)
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink()
    except OSError as exc:
        raise StorageError(f"cannot build the demo index in {path.parent}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(building, ignore_errors=True)
    _remove_outdated(path)
    return Index.open(path)


def _remove_outdated(path: Path) -> None:
    """Remove the demo indexes this searchkit version made with older analyzer
    versions (``demo-0.1.0``, ``demo-0.1.0-a4``): it never opens them again.
    Other searchkit versions' indexes are left to them."""
    names = [f"demo-{__version__}", *(f"demo-{__version__}-a{n}" for n in range(1, Analyzer.version))]
    for d in (path.with_name(name) for name in names):
        if d.is_dir():
            shutil.rmtree(d, ignore_errors=True)
            with contextlib.suppress(OSError):
                d.with_name(f".{d.name}.lock").unlink()


def _remove_stale_builds(path: Path) -> None:
    """Remove build directories beside ``path`` that no build has touched for an hour."""
    cutoff = time.time() - STALE_BUILD_SECONDS
    for d in path.parent.glob(f".{path.name}-*-*"):
        try:
            if d.is_dir() and d.stat().st_mtime < cutoff:
                shutil.rmtree(d, ignore_errors=True)
        except OSError:
            pass
