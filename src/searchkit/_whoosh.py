"""Adapters between searchkit and Whoosh; the only place Whoosh types meet ours.

Whoosh pickles the schema — analyzers and formats included — into the index,
so the classes here must stay importable at this path (``searchkit._whoosh``)
for existing indexes to open. They pickle as configuration only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import marshal
import os
import signal
from itertools import islice

from whoosh import multiproc
from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer
from whoosh.fields import TEXT
from whoosh.formats import Characters, Frequency
from whoosh.system import pack_uint
from whoosh.writing import PostingPool

from .analysis import Analyzer

__all__ = ["READING_PREFIX", "LeadFrequency", "ParallelWriter", "SearchkitTokenizer", "TermCharacters", "Text"]

#: Reading keys of Japanese names are indexed beside the word, at its position
#: and character range, as ``r:koizumi``; no analyzed term contains ":".
READING_PREFIX = "r:"


class SearchkitTokenizer(Tokenizer):  # type: ignore[misc]
    """A Whoosh tokenizer that runs a searchkit :class:`Analyzer`."""

    def __init__(self, analyzer: Analyzer | None = None) -> None:
        self.analyzer = analyzer or Analyzer()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SearchkitTokenizer) and other.analyzer == self.analyzer

    def __hash__(self) -> int:
        return hash(self.analyzer)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[WhooshToken]:
        t = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for i, (term, start, end) in enumerate(self.analyzer.terms(value)):
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = start_pos + i
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class TermCharacters(Characters):  # type: ignore[misc]
    """Whoosh's ``Characters`` posting format, fed straight from the analyzer.

    Stores positions and code-point character ranges per posting, so snippets
    are cut from stored offsets instead of re-analyzing each hit's text. The
    romaji reading of each Japanese proper noun or loanword is indexed too
    (``r:koizumi`` at the position of 小泉), so names match across scripts. It
    skips Whoosh's per-token object protocol when the field's analyzer is a
    :class:`SearchkitTokenizer` (about a third of indexing time otherwise).
    """

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[tuple[str, int, float, bytes]]:
        if not isinstance(analyzer, SearchkitTokenizer) or not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        seen: defaultdict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for pos, (term, start, end, reading) in enumerate(analyzer.analyzer.index_terms(value)):
            seen[term].append((pos, start, end))
            if reading:
                seen[READING_PREFIX + reading].append((pos, start, end))
        fb = self.field_boost
        encode = self.encode
        for term, poslist in seen.items():
            yield term, len(poslist), len(poslist) * fb, encode(poslist)


#: Encoded terms shared by every posting of the same term: Whoosh's writer
#: holds each posting as a tuple with its term's bytes until the segment is
#: written, and one object per term instead of per posting saves about a
#: fifth of that memory.
_TERM_BYTES: dict[str, bytes] = {}
_TERM_BYTES_MAX = 1_000_000


class Text(TEXT):  # type: ignore[misc]
    """Whoosh's ``TEXT`` field, with each term's bytes shared by its postings."""

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        cache = _TERM_BYTES
        if len(cache) > _TERM_BYTES_MAX:
            cache.clear()
        kwargs.setdefault("mode", "index")
        for term, freq, weight, vbytes in self.format.word_values(value, self.analyzer, **kwargs):
            tbytes = cache.get(term)
            if tbytes is None:
                tbytes = cache[term] = term.encode("utf-8")
            yield tbytes, freq, weight, vbytes


class LeadFrequency(Frequency):  # type: ignore[misc]
    """Whoosh's ``Frequency`` format for the ``lead`` field (the opening of
    the body): its terms are taken from the body's analysis, which Whoosh ran
    just before (fields are indexed in name order: body, …, lead)."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[tuple[str, int, float, bytes]]:
        if not isinstance(analyzer, SearchkitTokenizer) or not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        freqs: defaultdict[str, int] = defaultdict(int)
        for term, _, _, _ in analyzer.analyzer.prefix_terms(value):
            freqs[term] += 1
        fb = self.field_boost
        for term, freq in freqs.items():
            yield term, freq, freq * fb, pack_uint(freq)


class PostingRuns(PostingPool):  # type: ignore[misc]
    """Whoosh's posting pool, writing its sorted runs in marshalled chunks.

    When postings outgrow the writer's memory limit Whoosh spills them to
    sorted run files, one pickle call per posting each way; chunks of
    :data:`RUN_CHUNK` postings make that a few calls per run.
    """

    def _write_run(self, f: Any, items: Any) -> None:
        items = iter(items)
        while chunk := list(islice(items, RUN_CHUNK)):
            marshal.dump(chunk, f)
        f.close()

    def _read_run(self, path: str) -> Iterator[Any]:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = marshal.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


RUN_CHUNK = 8192


def use_posting_runs(writer: Any) -> None:
    """Give a fresh Whoosh segment writer a :class:`PostingRuns` pool."""
    pool = getattr(writer, "pool", None)
    if pool is not None and type(pool) is PostingPool and not pool.runs and not pool.current:
        pool.__class__ = PostingRuns


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (no-op elsewhere)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class _SubWriterTask(multiproc.SubWriterTask):  # type: ignore[misc]
    """Whoosh's writer worker, made safe to kill: it lets go of the index lock
    it inherited through fork (a ``kill -9`` of the import would otherwise leave
    the lock held by orphaned workers), dies with its parent, and leaves
    Ctrl-C to the parent."""

    lock_fd: int | None = None

    def run(self) -> None:
        if self.lock_fd is not None:
            try:
                os.close(self.lock_fd)
            except OSError:
                pass
        _die_with_parent()
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        super().run()

    def _process_file(self, filename: str, doc_count: int) -> None:
        use_posting_runs(self.writer)
        super()._process_file(filename, doc_count)


class ParallelWriter(multiproc.MpWriter):  # type: ignore[misc]
    """Whoosh's multi-process writer with :class:`_SubWriterTask` workers."""

    def cancel(self) -> None:
        # Stop the workers before Whoosh removes their job files under them.
        for task in self.tasks:
            task.terminate()
        for task in self.tasks:
            task.join(5)
        super().cancel()

    def _new_task(self) -> Any:
        task = _SubWriterTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                              self.subargs, self.multisegment)
        task.lock_fd = getattr(getattr(self, "writelock", None), "fd", None)
        self.tasks.append(task)
        task.start()
        return task
