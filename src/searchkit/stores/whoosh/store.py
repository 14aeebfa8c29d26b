"""The embedded store: an index directory in Whoosh's file format.

:class:`WhooshStore` keeps the articles in one directory: Whoosh's segment
files (written by searchkit's own segment writer, :mod:`.writer`), the
record of the analyzer version that made its terms (``searchkit.json``) and
side files such as the alias table. Writes go through one writer at a time
(Whoosh's file lock); a second writer waits ``lock_timeout`` seconds, then
fails with :class:`~searchkit.errors.IndexLocked` naming the holder. Every
write is one commit: Whoosh writes new segment files first and switches the
table of contents last, so a crash or a full disk leaves the index at its
previous commit.

:class:`WhooshReader` and :class:`WhooshPrepared` answer the store interface
(:mod:`searchkit.stores.base`) from a Whoosh searcher: plans compiled by
:mod:`.compile`, BM25F scoring, snippets' character ranges read from the
postings (from the blocks the search already read, :mod:`.matching`).
"""

from __future__ import annotations

import errno
import heapq
import json
import os
import re
import shlex
import shutil
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _package_version
from pathlib import Path
from typing import Any

import whoosh.index
from whoosh import query as wq
from whoosh import sorting
from whoosh.index import LockError
from whoosh.query.qcore import TermNotFound
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from ... import _version as _version_module
from ...analysis import DICTIONARY, Analyzer
from ...analysis.userdict import USER_DICTIONARY_FILE
from ...documents import lead_of, stored_article
from ...errors import IndexExists, IndexLocked, IndexNotFound, SchemaMismatch, SearchkitError, StorageError
from ...query.plan import BM25_B, BM25_K1, Plan
from ..base import FACETS, Doc, Occurrences, Sort
from .compile import _AllWords, _Sum, _Union, compile_plan
from .damage import DAMAGE, close_files, damaged, reading
from .files import install as _read_segments_in_place
from .matching import SeenBlocks, doc_frequency, posting_value
from .schema import article_schema
from .writer import ArticleWriter, ParallelWriter

__all__ = ["WhooshFound", "WhooshPrepared", "WhooshReader", "WhooshStore"]

_read_segments_in_place()

_INDEX_NAME = "articles"
_META = "searchkit.json"
_META_TMP = "searchkit.json.tmp"
_HOLDER = "searchkit-writer.json"
_WRITE_LOCK = f"{_INDEX_NAME}_WRITELOCK"
#: Files kept with the index (see :meth:`WhooshStore.write_side_file`).
SIDE_FILES = ("aliases.tsv", "aliases.json", "synonyms.tsv", "synonyms.json", USER_DICTIONARY_FILE)
#: Whoosh's files for the index named "articles": TOCs, segments, locks.
_WHOOSH_FILE = re.compile(rf"^_{_INDEX_NAME}_\d+\.toc(\.[0-9.]+)?$|^{_INDEX_NAME}_[a-z0-9]+\.[a-z]+$|^{_INDEX_NAME}_[A-Z]+LOCK$")
#: Memory (MB) a Whoosh writer sorts postings in before spilling runs to disk:
#: one process gets more (spilling costs it a third of its time), each of two
#: parallel processes less, to stay under 1 GiB in all.
WRITER_MB = 512
WRITER_MB_PARALLEL = 256
#: Below this many articles a batch is written in one process (forking costs more).
PARALLEL_MIN_DOCS = 1_000
#: Articles without a date: Whoosh's column gives them the largest key.
_NO_DATE = 2**63


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



class WhooshStore:
    """An index directory in Whoosh's format (see the module docstring).

    Use :meth:`create` or :meth:`open`.
    """

    def __init__(self, path: Path, ix: Any, *, lock_timeout: float = 10.0) -> None:
        self.path = path
        self.location = str(path)
        self.lock_timeout = lock_timeout
        self._ix = ix
        self._local = threading.local()

    # -- opening -----------------------------------------------------------

    @classmethod
    def create(cls, path: Path, *, overwrite: bool = False, lock_timeout: float = 10.0,
               analyzer: Analyzer | None = None) -> WhooshStore:
        """Create a new, empty index at ``path`` (see :meth:`searchkit.Index.create`); its schema
        holds ``analyzer`` (with its user dictionary, if any)."""
        p = path
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
                if analyzer is not None and analyzer.user_dictionary_id is not None:
                    meta["user_dictionary"] = analyzer.user_dictionary_id
                (p / _META_TMP).write_text(json.dumps(meta), encoding="utf-8")
                os.replace(p / _META_TMP, p / _META)
                ix = whoosh.index.create_in(str(p), article_schema(analyzer), indexname=_INDEX_NAME)
            finally:
                lock.release()
        except OSError as exc:
            raise _storage_error(p, exc) from exc
        return cls(p, ix, lock_timeout=lock_timeout)

    @classmethod
    def open(cls, path: Path, *, lock_timeout: float = 10.0, check_analyzer: bool = True) -> WhooshStore:
        """Open the index at ``path`` (see :meth:`searchkit.Index.open`); with ``check_analyzer``
        false, also one whose terms another analyzer version made."""
        ix = cls._open_dir(path)
        if check_analyzer:
            _check_analyzer(path)
        return cls(path, ix, lock_timeout=lock_timeout)

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
        return bool(_WHOOSH_FILE.match(name)) or name in (_META, _META_TMP, _HOLDER, *SIDE_FILES)

    @classmethod
    def _remove_index_files(cls, p: Path) -> None:
        """Remove searchkit's files from ``p`` (not the write lock, held by whoever removes them)."""
        for f in p.iterdir():
            if f.is_file() and cls._index_file(f.name) and f.name != _WRITE_LOCK:
                f.unlink()
            elif f.is_dir() and f.name == f"{_INDEX_NAME}.tmp":
                shutil.rmtree(f, ignore_errors=True)

    # -- side files --------------------------------------------------------

    def read_side_file(self, name: str) -> bytes | None:
        try:
            return (self.path / name).read_bytes()
        except FileNotFoundError:
            return None

    def write_side_file(self, name: str, data: bytes | None) -> None:
        if name not in SIDE_FILES:
            raise ValueError(f"not a side file of an index: {name!r}")
        if data is None:
            (self.path / name).unlink(missing_ok=True)
        else:
            (self.path / name).write_bytes(data)

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

    def _commit(self, writer: Any, **kwargs: Any) -> None:
        try:
            writer.commit(**kwargs)
        except OSError as exc:
            raise _storage_error(self.path, exc) from exc

    def write(self, articles: Mapping[str, dict[str, Any]], *, procs: int | None = None) -> None:
        nprocs = procs if procs is not None else _default_procs(len(articles))
        with self._writer(nprocs) as writer:
            # Decided under the lock: another writer may have filled the index meanwhile.
            fresh = all(seg.doc_count_all() == 0 for seg in writer.segments)
            write = writer.add_document if fresh else writer.update_document
            lead = "lead" in writer.schema
            for clean in articles.values():
                if lead and clean["body"]:
                    clean["lead"] = lead_of(clean["body"], clean.get("lang"))
                write(**clean)
            self._commit(writer)
        self.refresh()

    def delete(self, ids: Iterable[str]) -> int:
        with self._writer(1) as writer:
            n = sum(writer.delete_by_term("id", doc_id) for doc_id in ids)
            self._commit(writer)
        self.refresh()
        return int(n)

    def optimize(self) -> None:
        with self._writer(1) as writer:
            self._commit(writer, optimize=True)
        self.refresh()

    def compact(self) -> None:
        """Merge the small segments (:func:`merge_small`), if that merges any."""
        if not _small_segments(whoosh.index.open_dir(str(self.path), indexname=_INDEX_NAME)._segments()):
            return  # (checked again under the lock, by the policy)
        with self._writer(1) as writer:
            self._commit(writer, mergetype=merge_small)
        self.refresh()

    # -- reading -----------------------------------------------------------

    def reader(self) -> WhooshReader:
        """This thread's reader, on a new searcher when a newer commit exists."""
        local = self._local
        reader: WhooshReader | None = getattr(local, "reader", None)
        now = time.monotonic()
        try:
            if reader is None:
                local.reader = reader = WhooshReader(self, self._new_searcher())
                local.checked = now
            elif now - local.checked > 1.0:
                local.checked = now
                if not reader.searcher.up_to_date():
                    # A new searcher, not searcher.refresh(): whoosh-reloaded 2.7.5's
                    # refresh puts the old segments back beside the new ones (deleted
                    # articles found, merged ones twice). The old searcher stays open
                    # for results and hits still reading from it, and closes with the
                    # last of them.
                    local.reader = reader = WhooshReader(self, self._new_searcher())
        except DAMAGE as exc:
            if reader is None:  # nothing of this index is open yet (a refresh may reuse open files)
                close_files(exc)
            raise damaged(self.path, exc) from exc
        except OSError as exc:
            if reader is None:
                close_files(exc)
            raise StorageError(f"cannot read the index at {self.path}: {exc.strerror or exc}") from exc
        return reader

    def searcher(self) -> Any:
        """This thread's Whoosh searcher (for tools that read the index's own structures)."""
        return self.reader().searcher

    def _new_searcher(self) -> Any:
        return self._ix.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1))

    def refresh(self) -> None:
        self._local.__dict__.clear()

    def errors(self) -> AbstractContextManager[None]:
        return reading(self.path)

    def info(self) -> dict[str, Any]:
        searcher = self.searcher()
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
            "whoosh": _dist_version("whoosh-reloaded") or _dist_version("whoosh") or "unknown",
            "searchkit": _version_module.__version__,
            "last_modified": datetime.fromtimestamp(self._ix.last_modified()).isoformat(timespec="seconds"),
        }

    def close(self) -> None:
        reader = getattr(self._local, "reader", None)
        if reader is not None:
            reader.searcher.close()
        self._local.__dict__.clear()

    def __repr__(self) -> str:
        return f"WhooshStore({str(self.path)!r})"


class WhooshReader:
    """The store interface's :class:`~searchkit.stores.base.Reader` over one Whoosh searcher."""

    def __init__(self, store: WhooshStore, searcher: Any) -> None:
        self.store = store
        self.searcher = searcher
        self.analyzer: Analyzer = searcher.schema["body"].analyzer.analyzer
        self.has_lead = "lead" in searcher.schema
        #: the id column, once read (shared with the readers of :meth:`with_k1`; no reference
        #: back to this reader, so that it is freed as soon as it is dropped)
        self._columns: dict[str, Any] = {}
        self._k1: dict[float, WhooshReader] = {}  # readers scoring with another k1

    def doc_count(self) -> int:
        return int(self.searcher.doc_count())

    def doc_count_all(self) -> int:
        return int(self.searcher.doc_count_all())

    def doc_frequency(self, field: str, term: str) -> int:
        n = doc_frequency(self.searcher, field, term)
        return int(self.searcher.doc_frequency(field, term)) if n is None else n

    def with_k1(self, k1: float) -> WhooshReader:
        """A reader of the same segments scoring with ``k1`` (one per value, kept: it shares
        the id column and keeps its searcher's idf cache)."""
        reader = self._k1.get(k1)
        if reader is None:
            searcher = Searcher(self.searcher.reader(), weighting=BM25F(B=BM25_B, K1=k1), closereader=False)
            reader = self._k1[k1] = WhooshReader(self.store, searcher)
            reader._columns = self._columns
        return reader

    def prepare(self, plan: Plan) -> WhooshPrepared:
        return WhooshPrepared(self, plan)

    def stored(self, doc: Doc) -> dict[str, Any]:
        return stored_article(self.searcher.stored_fields(doc))

    def doc_of(self, doc_id: str) -> int | None:
        docnum: int | None = self.searcher.document_number(id=doc_id)
        return docnum

    def id_column(self) -> Any:
        """The article ids by document number, from the ``id`` column (None for indexes made without it)."""
        if "id" not in self._columns:
            ids = None
            if self.searcher.schema["id"].column_type is not None:
                ids = self.searcher.reader().column_reader("id")
            self._columns["id"] = ids
        return self._columns["id"]

    def id_of(self, doc: Doc) -> str:
        ids = self.id_column()
        return str(ids[doc]) if ids is not None else str(self.stored(doc)["id"])

    def articles(self) -> Iterator[dict[str, Any]]:
        for fields in self.searcher.all_stored_fields():
            yield stored_article(fields)

    def key_terms(self, text: str, n: int) -> list[tuple[str, float]]:
        return list(self.searcher.key_terms_from_text("body", text, numterms=n))

    def terms_from(self, field: str, prefix: str) -> Iterator[str]:
        for raw in self.searcher.reader().expand_prefix(field, prefix):
            yield raw.decode("utf-8") if isinstance(raw, bytes) else raw

    def top_terms(self, field: str, n: int) -> list[tuple[str, int]]:
        """One pass over the field's term dictionary (about 0.25 s for 90,000 terms)."""
        if field not in self.searcher.schema:
            return []
        pairs = ((info.doc_frequency(), raw) for raw, info in self.searcher.reader().iter_field(field))
        top = heapq.nlargest(n, pairs)
        return [(raw.decode("utf-8") if isinstance(raw, bytes) else raw, int(df)) for df, raw in top]

    def written(self, field: str, term: str) -> Iterator[list[str]]:
        """The text of each occurrence of ``term`` in the stored ``field``, one list per
        document holding it, in index order."""
        try:
            m = self.searcher.reader().postings(field, term)
        except TermNotFound:
            return
        while m.is_active():
            text = self.searcher.stored_fields(m.id()).get(field, "")
            yield [text[s:e] for _, s, e in m.value_as("characters")]
            m.next()


class WhooshPrepared:
    """One plan compiled to a Whoosh query, on one reader."""

    def __init__(self, reader: WhooshReader, plan: Plan) -> None:
        self.reader = reader
        self.query = compile_plan(plan)

    def find(self, limit: int, *, filter: Plan | None = None, mask: Plan | None = None,
             sort: Sort = "relevance") -> WhooshFound:
        searcher = self.reader.searcher
        wquery = self.query
        kwargs: dict[str, Any] = {"filter": compile_plan(filter) if filter is not None else None,
                                  "mask": compile_plan(mask) if mask is not None else None}
        if sort == "relevance" and filter is None and mask is None and isinstance(wquery, (_AllWords, _Sum, _Union)):
            # Only this page's best documents go to Whoosh's collector; the
            # matchers count the ones they leave out, for the total.
            wquery.__dict__.update(top=limit, dropped=0)
            try:
                found = searcher.search(wquery, limit=limit, **kwargs)
            finally:
                del wquery.__dict__["top"]
            return WhooshFound(self.reader, found, sort, wquery.__dict__.pop("dropped", 0))
        if sort == "date":
            # Newest first; articles without a date (Whoosh's column gives them
            # the largest key) sort as the oldest.
            kwargs["sortedby"] = sorting.TranslateFacet(
                lambda v: v if isinstance(v, int) and v < _NO_DATE else -1, sorting.FieldFacet("published"))
            kwargs["reverse"] = True
        return WhooshFound(self.reader, searcher.search(wquery, limit=limit, **kwargs), sort, 0)

    def scores(self, docs: Sequence[Doc]) -> dict[Doc, float]:
        scores: dict[Doc, float] = {}
        m = self.query.matcher(self.reader.searcher)
        for docnum in sorted(docs):  # type: ignore[type-var]
            if not m.is_active():
                break
            if m.id() < docnum:
                m.skip_to(docnum)
            if m.is_active() and m.id() == docnum:
                scores[docnum] = float(m.score())
        return scores

    def facets(self, filter: Plan | None = None) -> dict[str, Counter[str]]:
        searcher = self.reader.searcher
        counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
        q = self.query if filter is None else wq.And([self.query, compile_plan(filter)])
        for docnum in q.docs(searcher):
            stored = searcher.stored_fields(docnum)
            counts["lang"][stored.get("lang") or "unknown"] += 1
            counts["category"][stored.get("category") or "none"] += 1
            published = stored.get("published")
            counts["year"][str(published.year) if published else "undated"] += 1
        return counts

    def occurrences(self, docs: Sequence[Doc], terms: Sequence[str], field: str = "body") -> dict[Doc, Occurrences]:
        """Character ranges of the query's terms in a page of documents, from the postings.

        For the body, each term's postings for the page's documents come from
        the posting blocks the search already read, or else from one posting
        cursor per term and segment walking the page in docnum order: a few
        skips per term, never a re-analysis.
        """
        searcher = self.reader.searcher
        matches: dict[Doc, Occurrences] = {d: [] for d in docs}
        order: list[int] = sorted(matches)  # type: ignore[arg-type]
        seen = _seen_blocks(self.query) if field == "body" else {}
        chars = searcher.schema[field].format.decoder("characters")
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            local = [d - offset for d in order if offset <= d < offset + reader.doc_count_all()]
            if not local:
                continue
            for term in terms:
                tbytes = term.encode("utf-8")
                blocks = seen.get((reader, field, tbytes))
                if not blocks:
                    _read_postings(reader, field, tbytes, term, local, offset, matches)
                    continue
                missing = []
                for docnum in local:
                    known, value = posting_value(blocks, docnum)
                    if not known:
                        missing.append(docnum)
                    elif value is not None:
                        matches[docnum + offset].extend((s, e, term) for _, s, e in chars(value))
                if missing:
                    _read_postings(reader, field, tbytes, term, missing, offset, matches)
        return matches

    def __str__(self) -> str:
        return str(self.query)


class WhooshFound:
    """What one Whoosh search returned."""

    def __init__(self, reader: WhooshReader, results: Any, sort: Sort, dropped: int) -> None:
        self.reader = reader
        self.results = results
        self.sort = sort
        self.dropped = dropped

    def scored_length(self) -> int:
        return int(self.results.scored_length())

    def score(self, i: int) -> float:
        return float(self.results.score(i))

    def ranked(self, start: int, stop: int) -> list[tuple[Doc, float]]:
        if self.sort == "relevance":
            return _by_score(self.results, self.reader)[start:stop]
        r = self.results
        stop = min(stop, r.scored_length())
        return [(r.docnum(i), r.score(i) or 0.0) for i in range(start, stop)]

    def total(self) -> int:
        # Whoosh counts the documents its collector saw, unless it skipped
        # blocks (then it runs the query again, in full, to count).
        r = self.results
        return int(len(r) + (self.dropped if r.collector.computes_count() else 0))


def _by_score(results: Any, reader: WhooshReader) -> list[tuple[Doc, float]]:
    """``(docnum, score)`` of the scored documents, best first, equal scores in id order
    (so a ranking does not depend on which writer process stored which article)."""
    ranked = [(results.docnum(i), results.score(i) or 0.0) for i in range(results.scored_length())]
    ids = reader.id_column() if len(ranked) > 1 else None  # an empty index has no columns
    if ids is not None:
        ranked.sort(key=lambda item: (-item[1], ids[item[0]]))
    return ranked


def _seen_blocks(q: Any) -> SeenBlocks:
    """The posting blocks a query's block-at-a-time matchers read (see :mod:`.matching`)."""
    out: SeenBlocks = {}
    stack = [q] if q is not None else []
    while stack:
        node = stack.pop()
        out.update(node.__dict__.get("seen_blocks", {}))
        stack.extend(node.children())
    return out


def _read_postings(reader: Any, field: str, tbytes: bytes, term: str, docnums: list[int], offset: int,
                   matches: dict[Doc, Occurrences]) -> None:
    """Character ranges of ``term`` in ``field`` of a few documents of one segment, by posting cursor."""
    if (field, tbytes) not in reader:
        return
    m = reader.postings(field, tbytes)
    for docnum in docnums:
        if not m.is_active():
            break
        if m.id() < docnum:
            m.skip_to(docnum)
            if not m.is_active():
                break
        if m.id() == docnum:
            matches[docnum + offset].extend((s, e, term) for _, s, e in m.value_as("characters"))


def _small_segments(segments: Sequence[Any]) -> list[Any]:
    """The smallest segments, taken in order of size while together they hold
    at least half as many documents as the next one (none when that is one segment)."""
    ordered = sorted(segments, key=lambda seg: seg.doc_count_all())
    taken: list[Any] = []
    total = 0
    for seg in ordered:
        if taken and 2 * total < seg.doc_count_all():
            break
        taken.append(seg)
        total += seg.doc_count_all()
    return taken if len(taken) > 1 else []


def merge_small(writer: Any, segments: Sequence[Any]) -> list[Any]:
    """A Whoosh merge policy: merge :func:`_small_segments` into the segment written.

    Eight segments of 600 to 1,000 articles become one; a 1M-article segment
    with new segments of 2,000, 1,000 and 1,000 keeps the big one and merges
    the rest. Each segment left holds more than twice the articles of all
    smaller ones together, so an index of N articles fed in batches of B keeps
    at most log3(N/B) + 1 segments.
    """
    from whoosh.reading import SegmentReader

    small = _small_segments(segments)
    for seg in small:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [seg for seg in segments if not any(seg is other for other in small)]
