"""The on-disk index: create, open, add, update, delete, count.

An :class:`Index` wraps a Whoosh index directory. Writes go through one Whoosh
writer at a time (Whoosh's file lock); a second writer waits ``lock_timeout``
seconds, then fails with :class:`~searchkit.errors.IndexLocked` naming the
holder. Every :meth:`Index.add` and :meth:`Index.delete` is one commit: Whoosh
writes new segment files first and switches the table of contents last, so a
crash or a full disk leaves the index at its previous commit.
"""

from __future__ import annotations

import errno
import json
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import shlex
import shutil
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _package_version

import whoosh.index
from whoosh import query as wq
from whoosh.index import LockError
from whoosh.scoring import BM25F

from . import _version as _version_module
from .aliases import AliasTable
from .analysis import DICTIONARY, Analyzer
from ._writer import ArticleWriter, ParallelWriter
from ._damage import DAMAGE, close_files, damaged, reading
from .documents import clean_article, repair_text, stored_article
from .errors import IndexExists, IndexLocked, IndexNotFound, SchemaMismatch, SearchkitError, StorageError
from .schema import BM25_B, BM25_K1, article_schema, lead_of

if TYPE_CHECKING:
    from .search import Hit, Results

__all__ = ["Index"]

_INDEX_NAME = "articles"
_META = "searchkit.json"
_META_TMP = "searchkit.json.tmp"
_HOLDER = "searchkit-writer.json"
_WRITE_LOCK = f"{_INDEX_NAME}_WRITELOCK"
_ALIAS_FILES = ("aliases.tsv", "aliases.json")
#: Whoosh's files for the index named "articles": TOCs, segments, locks.
_WHOOSH_FILE = re.compile(rf"^_{_INDEX_NAME}_\d+\.toc(\.[0-9.]+)?$|^{_INDEX_NAME}_[a-z0-9]+\.[a-z]+$|^{_INDEX_NAME}_[A-Z]+LOCK$")
#: Key terms taken from an article to find related ones.
RELATED_TERMS = 12
#: Memory (MB) a Whoosh writer sorts postings in before spilling runs to disk:
#: one process gets more (spilling costs it a third of its time), each of two
#: parallel processes less, to stay under 1 GiB in all.
WRITER_MB = 512
WRITER_MB_PARALLEL = 256
#: Below this many articles a batch is written in one process (forking costs more).
PARALLEL_MIN_DOCS = 1_000


def _analyzer_version(path: Path) -> int:
    """The analyzer version an index's terms were made by (an index that does
    not record it was made by version 1).

    Raises:
        SchemaMismatch: the record is not what searchkit writes.
        StorageError: the record cannot be read.
    """
    record = path / _META
    try:
        meta = json.loads(record.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return 1
    except OSError as exc:
        raise _storage_error(path, exc) from exc
    except ValueError as exc:
        raise SchemaMismatch(f"{record} is damaged ({exc}); rebuild the index") from exc
    version = meta.get("analyzer", 1) if isinstance(meta, dict) else None
    if not isinstance(version, int) or isinstance(version, bool):
        raise SchemaMismatch(f"{record} is damaged (no analyzer version in it); rebuild the index")
    return version


def _check_analyzer(path: Path) -> None:
    """Refuse an index whose terms another analyzer version made: queries would miss words."""
    built_by = _analyzer_version(path)
    if built_by == Analyzer.version:
        return
    rebuild = f"searchkit index SOURCE... -i {shlex.quote(str(path))} --new"
    if built_by > Analyzer.version:
        raise SchemaMismatch(
            f"the index at {path} holds terms made by analyzer version {built_by}, newer than this "
            f"searchkit's version {Analyzer.version}: upgrade searchkit, or rebuild the index ({rebuild})")
    raise SchemaMismatch(
        f"the index at {path} holds terms made by analyzer version {built_by}; this searchkit makes "
        f"version {Analyzer.version} terms, so queries would miss words: rebuild it ({rebuild})")


def _write_lock(path: Path, timeout: float) -> Any:
    """Whoosh's write lock of the index at ``path``, held (waits up to ``timeout`` seconds).

    Raises:
        IndexLocked: another writer holds it.
    """
    from whoosh.filedb.filestore import FileStorage
    from whoosh.util.filelock import try_for

    lock = FileStorage(str(path)).lock(_WRITE_LOCK)
    if not try_for(lock.acquire, timeout=timeout, delay=0.05):  # as Whoosh's writer waits
        raise IndexLocked(_lock_message(path, timeout))
    return lock


def _lock_message(path: Path, timeout: float) -> str:
    msg = f"the index at {path} is locked by another writer"
    try:
        info = json.loads((path / _HOLDER).read_text(encoding="utf-8"))
        since = datetime.fromtimestamp(info["since"]).isoformat(timespec="seconds")
        msg += f" (pid {info['pid']} on {info['host']} since {since}: {info['command']})"
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return msg + f"; waited {timeout:g} s"


def _dist_version(name: str) -> str | None:
    try:
        return _package_version(name)
    except PackageNotFoundError:
        return None


def _default_procs(n_docs: int) -> int:
    if n_docs < PARALLEL_MIN_DOCS:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def _holds_index(p: Path) -> bool:
    """Whether directory ``p`` holds an index (a damaged one counts)."""
    try:
        return p.is_dir() and whoosh.index.exists_in(str(p), indexname=_INDEX_NAME)
    except DAMAGE as exc:
        close_files(exc)
        return True


def _storage_error(path: Path, exc: OSError) -> StorageError:
    if exc.errno == errno.ENOSPC:
        why = "the disk is full"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "the index directory is not writable"
    else:
        why = exc.strerror or str(exc)
    return StorageError(f"cannot write the index at {path}: {why}; the last commit is intact")


class Index:
    """A searchkit index directory.

    Use :meth:`create` or :meth:`open`; don't call the constructor.
    """

    def __init__(self, path: Path, ix: Any, *, lock_timeout: float = 10.0) -> None:
        self.path = path
        self.lock_timeout = lock_timeout
        self._ix = ix
        self._local = threading.local()
        self.aliases: AliasTable | None = None
        for name in _ALIAS_FILES:
            if (path / name).is_file():
                self.aliases = AliasTable.load(path / name)

    # -- opening -----------------------------------------------------------

    @classmethod
    def create(cls, path: str | os.PathLike[str], *, overwrite: bool = False, lock_timeout: float = 10.0,
               aliases: str | os.PathLike[str] | None = None) -> Index:
        """Create a new, empty index at ``path``.

        Args:
            overwrite: replace an index already at ``path``.
            lock_timeout: seconds a writer waits for another one.
            aliases: a name alias table (TSV or JSON, see :meth:`set_aliases`).

        Raises:
            IndexExists: there is an index at ``path`` and ``overwrite`` is false.
            IndexLocked: ``overwrite`` and another writer holds the old index past ``lock_timeout``.
            StorageError: ``path`` is not a directory searchkit may use.
        """
        p = Path(path)
        if p.exists() and not p.is_dir():
            raise StorageError(f"{p} exists and is not a directory")
        if _holds_index(p):
            if not overwrite:
                raise IndexExists(f"an index already exists at {p} (use overwrite=True to replace it)")
        elif p.is_dir() and any(not cls._index_file(f.name) for f in p.iterdir()) and not overwrite:
            raise StorageError(f"{p} is not empty and holds no searchkit index; choose an empty directory")
        try:
            p.mkdir(parents=True, exist_ok=True)
            # Under the write lock: a writer busy with the old index finishes
            # (or the wait times out) before its files are removed.
            lock = _write_lock(p, lock_timeout)
            try:
                cls._remove_index_files(p)  # the old index, or what a crash during an earlier create left
                # The record first (whole, by rename), then the index: a reader
                # that finds the index always finds how its terms are made.
                meta = {"format": 2, "searchkit": _version_module.__version__, "dictionary": DICTIONARY,
                        "analyzer": Analyzer.version}
                (p / _META_TMP).write_text(json.dumps(meta), encoding="utf-8")
                os.replace(p / _META_TMP, p / _META)
                ix = whoosh.index.create_in(str(p), article_schema(), indexname=_INDEX_NAME)
            finally:
                lock.release()
        except OSError as exc:
            raise _storage_error(p, exc) from exc
        index = cls(p, ix, lock_timeout=lock_timeout)
        if aliases is not None:
            index.set_aliases(aliases)
        return index

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, lock_timeout: float = 10.0) -> Index:
        """Open the index at ``path``.

        Raises:
            IndexNotFound: no index at ``path``.
            SchemaMismatch: the index was not written by searchkit, or its terms
                were made by another version of the analyzer (rebuild it).
            StorageError: the index cannot be read, or its files are damaged.
        """
        p = Path(path)
        ix = cls._open_dir(p)
        _check_analyzer(p)
        return cls(p, ix, lock_timeout=lock_timeout)

    @classmethod
    def describe(cls, path: str | os.PathLike[str]) -> dict[str, Any]:
        """:meth:`info` of the index at ``path``, also of one whose terms another
        analyzer version made (``analyzer_version`` says which; it cannot be searched
        until rebuilt).

        Raises:
            IndexNotFound: no index at ``path``.
            SchemaMismatch: the index was not written by searchkit.
            StorageError: the index cannot be read, or its files are damaged.
        """
        p = Path(path)
        index = cls(p, cls._open_dir(p))
        try:
            return index.info()
        finally:
            index.close()

    @staticmethod
    def _open_dir(p: Path) -> Any:
        """The Whoosh index of a searchkit index directory (any analyzer version)."""
        try:
            if not _holds_index(p):
                raise IndexNotFound(f"no searchkit index at {p} (create one with: searchkit index SOURCE -i {p})")
            ix = whoosh.index.open_dir(str(p), indexname=_INDEX_NAME)
        except (whoosh.index.IndexVersionError, ModuleNotFoundError, AttributeError) as exc:
            raise SchemaMismatch(f"the index at {p} was written by an incompatible version: {exc}") from exc
        except OSError as exc:
            raise StorageError(f"cannot read the index at {p}: {exc.strerror or exc}") from exc
        except DAMAGE as exc:
            close_files(exc)
            raise damaged(p, exc) from exc
        if set(ix.schema.names()) < {"id", "title", "body"}:
            raise SchemaMismatch(f"the index at {p} is not a searchkit article index")
        return ix

    @staticmethod
    def _index_file(name: str) -> bool:
        """Whether ``name`` is one of the files an index directory holds."""
        return bool(_WHOOSH_FILE.match(name)) or name in (_META, _META_TMP, _HOLDER, *_ALIAS_FILES)

    @classmethod
    def _remove_index_files(cls, p: Path) -> None:
        """Remove searchkit's files from ``p`` (not the write lock, held by whoever removes them)."""
        for f in p.iterdir():
            if f.is_file() and cls._index_file(f.name) and f.name != _WRITE_LOCK:
                f.unlink()
            elif f.is_dir() and f.name == f"{_INDEX_NAME}.tmp":
                shutil.rmtree(f, ignore_errors=True)

    def set_aliases(self, path: str | os.PathLike[str] | None) -> None:
        """Use (and keep in the index directory) a name alias table, or none.

        The table lists names that readings cannot bridge, one group per line
        (TSV: ``安圭伯<TAB>Ahn Gyu-back``) or as JSON (``{"安圭伯": ["Ahn Gyu-back"]}``).
        Searches for one name also find the others, at a lower weight.

        Raises:
            AliasError: the file is malformed (the message names file and line).
        """
        table = AliasTable.load(path) if path is not None else None  # check before replacing
        for name in _ALIAS_FILES:
            (self.path / name).unlink(missing_ok=True)
        if path is None or table is None:
            self.aliases = None
            return
        src = Path(path)
        dest = self.path / ("aliases.json" if src.suffix == ".json" else "aliases.tsv")
        shutil.copyfile(src, dest)
        self.aliases = AliasTable.load(dest)

    # -- writing -----------------------------------------------------------

    @contextmanager
    def _writer(self, procs: int) -> Iterator[Any]:
        kwargs: dict[str, Any] = {"timeout": self.lock_timeout}
        try:
            if procs > 1:
                writer = ParallelWriter(self._ix, procs=procs, batchsize=256, limitmb=WRITER_MB_PARALLEL, **kwargs)
            else:
                writer = ArticleWriter(self._ix, limitmb=WRITER_MB, **kwargs)
        except LockError as exc:
            raise IndexLocked(_lock_message(self.path, self.lock_timeout)) from exc
        except OSError as exc:
            raise _storage_error(self.path, exc) from exc
        holder = self.path / _HOLDER
        try:
            holder.write_text(
                json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": time.time(),
                            "command": " ".join(sys.argv)[:300]}),
                encoding="utf-8",
            )
        except OSError:
            pass
        try:
            yield writer
        except BaseException as exc:
            try:
                writer.cancel()
            except OSError:
                # A full disk can fail the cancel too, before it lets go of the lock.
                lock = getattr(writer, "writelock", None)
                if lock is not None:
                    try:
                        lock.release()
                    except OSError:
                        pass
            self._clean_after_failure()
            if isinstance(exc, OSError) and not isinstance(exc, SearchkitError):
                raise _storage_error(self.path, exc) from exc
            raise
        finally:
            try:
                holder.unlink()
            except OSError:
                pass

    def _clean_after_failure(self) -> None:
        """Remove the files of a commit that failed (the last commit stays as it was)."""
        lock = self._ix.storage.lock(_WRITE_LOCK)
        if not lock.acquire(False):  # another writer started meanwhile: leave its files alone
            return
        try:
            toc = whoosh.index.TOC.read(self._ix.storage, _INDEX_NAME)
            whoosh.index.clean_files(self._ix.storage, _INDEX_NAME, toc.generation, toc.segments)
            shutil.rmtree(self.path / f"{_INDEX_NAME}.tmp", ignore_errors=True)
        except (OSError, whoosh.index.EmptyIndexError):
            pass
        finally:
            lock.release()

    def _commit(self, writer: Any) -> None:
        try:
            writer.commit()
        except OSError as exc:
            raise _storage_error(self.path, exc) from exc

    def add(self, docs: Iterable[Mapping[str, Any]], *, procs: int | None = None) -> int:
        """Add or replace articles (same ``id`` replaces) and commit.

        All articles are checked before anything is written: one bad article
        raises and writes none of them. Within ``docs`` the last article with
        a given id wins.

        Args:
            docs: article dicts (see the README's "Article format").
            procs: writer processes; default 2 for 1,000+ articles on a
                multi-core machine, else 1.

        Returns:
            The number of distinct articles written.

        Raises:
            DocumentError: an article is invalid (the message names the field).
            IndexLocked: another writer holds the index past ``lock_timeout``.
            StorageError: the disk is full or the directory is not writable.
        """
        batch: dict[str, dict[str, Any]] = {}
        for doc in docs:
            clean = clean_article(doc)
            batch.pop(clean["id"], None)  # dedupe: Whoosh would keep both
            batch[clean["id"]] = clean
        if not batch:
            return 0
        nprocs = procs if procs is not None else _default_procs(len(batch))
        with self._writer(nprocs) as writer:
            # Decided under the lock: another writer may have filled the index meanwhile.
            fresh = all(seg.doc_count_all() == 0 for seg in writer.segments)
            write = writer.add_document if fresh else writer.update_document
            lead = "lead" in writer.schema
            for clean in batch.values():
                if lead and clean["body"]:
                    clean["lead"] = lead_of(clean["body"])
                write(**clean)
            self._commit(writer)
        self._local.__dict__.clear()
        return len(batch)

    def delete(self, ids: Iterable[str]) -> int:
        """Delete articles by id and commit; returns how many were deleted."""
        ids = list(dict.fromkeys(ids))
        for doc_id in ids:
            if not isinstance(doc_id, str):
                raise TypeError(f"ids must be str, not {type(doc_id).__name__}")
        ids = [repair_text(doc_id) for doc_id in ids]
        with self._writer(1) as writer:
            n = sum(writer.delete_by_term("id", doc_id) for doc_id in ids)
            self._commit(writer)
        self._local.__dict__.clear()
        return int(n)

    def optimize(self) -> None:
        """Merge all segments into one (faster queries after many small imports)."""
        with self._writer(1) as writer:
            try:
                writer.commit(optimize=True)
            except OSError as exc:
                raise _storage_error(self.path, exc) from exc

    # -- reading -----------------------------------------------------------

    def _searcher(self) -> Any:
        """This thread's Whoosh searcher, refreshed when a newer commit exists."""
        local = self._local
        searcher = getattr(local, "searcher", None)
        now = time.monotonic()
        try:
            if searcher is None:
                local.searcher = searcher = self._new_searcher()
                local.checked = now
            elif now - local.checked > 1.0:
                local.checked = now
                if not searcher.up_to_date():
                    # A new searcher, not searcher.refresh(): whoosh-reloaded 2.7.5's
                    # refresh puts the old segments back beside the new ones (deleted
                    # articles found, merged ones twice). The old searcher stays open
                    # for results and hits still reading from it, and closes with the
                    # last of them.
                    local.searcher = searcher = self._new_searcher()
        except DAMAGE as exc:
            if searcher is None:  # nothing of this index is open yet (a refresh may reuse open files)
                close_files(exc)
            raise damaged(self.path, exc) from exc
        except OSError as exc:
            if searcher is None:
                close_files(exc)
            raise StorageError(f"cannot read the index at {self.path}: {exc.strerror or exc}") from exc
        return searcher

    def _new_searcher(self) -> Any:
        return self._ix.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1))

    def refresh(self) -> None:
        """See commits made since this index (or this thread's searcher) was opened."""
        self._local.__dict__.clear()

    def __len__(self) -> int:
        return int(self._searcher().doc_count())

    def __contains__(self, doc_id: object) -> bool:
        with reading(self.path):
            return isinstance(doc_id, str) and self._searcher().document_number(id=repair_text(doc_id)) is not None

    def get(self, doc_id: str) -> dict[str, Any] | None:
        """One article (every field, as :attr:`Hit.fields <searchkit.Hit>` gives it), or None."""
        with reading(self.path):
            fields = self._searcher().document(id=repair_text(doc_id))
        return stored_article(fields) if fields is not None else None

    def articles(self) -> Iterator[dict[str, Any]]:
        """Every article, as :meth:`get` gives it, in the order the index stores them."""
        searcher = self._searcher()
        with reading(self.path):
            for fields in searcher.all_stored_fields():
                yield stored_article(fields)

    def search(self, query: str, *, limit: int = 10, page: int = 1, lang: str | None = None,
               category: str | None = None, since: str | date | None = None, until: str | date | None = None,
               sort: Literal["relevance", "date"] = "relevance", strict: bool = False, cross_script: bool = True,
               snippet_chars: int = 160) -> Results:
        """Search the index; see :func:`searchkit.search.search` for the options.

        Raises:
            QueryError: a bad option (``limit`` or ``page`` below 1, an unknown
                ``sort``, a malformed date); :class:`QuerySyntaxError` with ``strict``.
        """
        from .search import search

        with reading(self.path):
            return search(self, query, limit=limit, page=page, lang=lang, category=category, since=since,
                          until=until, sort=sort, strict=strict, cross_script=cross_script,
                          snippet_chars=snippet_chars)

    def related(self, doc_id: str, *, limit: int = 5) -> list[Hit]:
        """Articles like ``doc_id``, from its key terms (title and body), best first.

        Raises:
            KeyError: no article has this id.
            ValueError: ``limit`` is below 1.
        """
        if limit < 1:
            raise ValueError("limit must be at least 1")
        with reading(self.path):
            return self._related(doc_id, limit)

    def _related(self, doc_id: str, limit: int) -> list[Hit]:
        from .analysis.english import stem
        from .search import NAME_BOOST, Results, _by_score, _with_whole_tie

        searcher = self._searcher()
        docnum = searcher.document_number(id=doc_id)
        if docnum is None:
            raise KeyError(f"no article with id {doc_id!r} in {self.path}")
        stored = searcher.stored_fields(docnum)
        text = (stored.get("title", "") + "\n") * 2 + stored.get("body", "")
        keys = dict(searcher.key_terms_from_text("body", text, numterms=RELATED_TERMS))
        clauses = [wq.Term("body", term, boost=weight) for term, weight in keys.items()]
        # Names also find articles in the other script (小泉 → koizumi).
        analyzer = searcher.schema["body"].analyzer.analyzer
        for tok in analyzer.tokens(stored.get("title", "") + "\n" + stored.get("body", "")[:2000]):
            if tok.reading and tok.term in keys:
                clauses.append(wq.Term("body", stem(tok.reading), boost=keys[tok.term] * NAME_BOOST))
        q = wq.Or(clauses)
        mask = wq.Term("id", doc_id)
        wresults, _ = _with_whole_tie(lambda n: searcher.search(q, limit=n, mask=mask), limit)
        ranked = _by_score(wresults, searcher)[:limit]
        return list(Results("", searcher, q, ranked, lambda: len(wresults), 1, limit, None, [], None, 160, self))

    def info(self) -> dict[str, Any]:
        """Counts and versions: documents, segments, size on disk, analyzer, dictionary."""
        searcher = self._searcher()
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
        analyzer_version = _analyzer_version(self.path)
        return {
            "path": str(self.path),
            "documents": int(searcher.doc_count()),
            "deleted": int(searcher.doc_count_all() - searcher.doc_count()),
            "segments": len(self._ix._segments()),
            "size_bytes": size,
            "fields": list(self._ix.schema.names()),
            "analyzer": f"Analyzer(version={analyzer_version}, dictionary={DICTIONARY!r})",
            "analyzer_version": analyzer_version,
            "dictionary": f"{DICTIONARY} {_dist_version('unidic-lite') or 'unknown'}",
            "aliases": len(self.aliases) if self.aliases is not None else 0,
            "whoosh": _dist_version("whoosh-reloaded") or _dist_version("whoosh") or "unknown",
            "searchkit": _version_module.__version__,
            "last_modified": datetime.fromtimestamp(self._ix.last_modified()).isoformat(timespec="seconds"),
        }

    def close(self) -> None:
        """Close this thread's searcher (others close when garbage-collected)."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
        self._local.__dict__.clear()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Index({str(self.path)!r})"
