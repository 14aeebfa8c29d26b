"""Segment writers: Whoosh's, with postings kept per term instead of per tuple.

Whoosh's segment writer holds every posting as a ``(field, term, docnum,
weight, value)`` tuple, sorts them all at commit and feeds them one by one to
the codec, looking up the document's field length for each. Here postings
are appended to per-term lists as documents are added, only the terms are
sorted, and each term's postings are written a block at a time; the files are
Whoosh's own format (``whoosh3`` codec), read by Whoosh's unchanged readers.
Small blocks are written uncompressed (Whoosh's writer meant to skip them
too; its reader handles both), and block data is pickled with protocol 4.
A block's values (positions and character ranges) are packed and compressed
apart from its docnums and weights (:class:`~searchkit._whoosh.PackedValues`),
so scoring a block decompresses and unpickles nothing it does not use.
"""

from __future__ import annotations

import heapq
import marshal
import multiprocessing
import operator
import os
import shutil
import signal
import zlib
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import chain, groupby, islice
from pickle import dumps
from typing import Any

from whoosh import multiproc
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3FieldWriter, W3TermInfo, W3TermsReader
from whoosh.reading import SegmentReader
from whoosh.filedb.filetables import _lengths as _KEY_VALUE_LENGTHS
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util import random_name
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from ...errors import StorageError
from .formats import PackedValues, Text
from .merge import MAX_SMALL_BLOCKS, SegmentSource, copyable

__all__ = ["ArticleWriter", "ParallelWriter", "TermPool"]

#: Blocks whose pickled data is shorter than this are stored uncompressed:
#: zlib's fixed cost dominates a one-posting block and saves no space there.
COMPRESS_MIN_BYTES = 128
#: Pickle protocol of posting block data. Whoosh writes protocol 2, which
#: stores each bytes value (a posting's positions) as a call to
#: ``_codecs.encode`` on a latin-1 string: protocol 4 stores them as bytes,
#: 10× faster to load, 8× faster to dump and half the compressed size.
#: Whoosh's reader loads any protocol.
BLOCK_PICKLE_PROTOCOL = 4
#: zlib window for posting blocks: 4 KiB holds most blocks whole and halves
#: the cost of each compress call against the default 32 KiB (same sizes);
#: Whoosh's reader decompresses any window size.
COMPRESS_WBITS = 12
#: Blocks of at least this many postings keep their values apart
#: (:class:`~searchkit._whoosh.PackedValues`); smaller ones cost little to
#: decode and would grow by the packing's own bytes.
PACK_MIN_POSTINGS = 16
#: zlib level of packed values: on their regrouped bytes level 1 compresses
#: as well as 3 (2% larger) in 3% less time.
VALUES_COMPRESSION = 1
#: Rough memory cost of one posting and of one new term in a :class:`TermPool`
#: (three list slots and the value's bytes object; two dict entries and a list),
#: used against the writer's ``limitmb``.
POSTING_BYTES = 72
TERM_BYTES = 200
#: Terms per marshalled chunk in a spilled run file.
RUN_CHUNK = 4096
#: Whoosh's field-length byte (a bisect per call), remembered per length.
_length_byte = lru_cache(maxsize=1 << 16)(length_to_byte)
_TERM_INFO = W3TermInfo._struct

#: One term's postings while a segment is written: docnum, weight, value, docnum, …
Postings = list[Any]
#: ``(field, term, docnums, weights, values)``.
TermPostings = tuple[str, bytes, list[int], list[float], list[bytes]]


class TermPool:
    """Postings of a segment being written, held per field and term.

    Docnums only grow while a segment is written, so each term's list stays
    in docnum order. When the estimated size passes ``limitmb`` the terms are
    written to a sorted run file and the pool starts over; at the end the runs
    and what is left in memory are merged term by term.
    """

    def __init__(self, tempstore: Any, limitmb: float = 128) -> None:
        self.tempstore = tempstore
        self.limit = limitmb * 1024 * 1024
        self.size = 0
        self.fields: dict[str, dict[bytes, Postings]] = {}
        #: The same lists by term string, for fields analyzed straight into the pool.
        self.named: dict[str, dict[str, Postings]] = {}
        self.runs: list[str] = []

    @property
    def fieldnames(self) -> set[str]:
        return set(self.fields)

    def _terms(self, fieldname: str) -> dict[bytes, Postings]:
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        return terms

    def add_field(self, fieldname: str, docnum: int, items: Sequence[tuple[bytes, int, float, bytes]],
                  boost: float = 1.0) -> int:
        """Add one document's postings in one field; return the sum of their frequencies."""
        terms = self._terms(fieldname)
        get = terms.get
        length = 0
        new_terms = 0
        for tbytes, freq, weight, vbytes in items:
            postings = get(tbytes)
            if postings is None:
                postings = terms[tbytes] = []
                new_terms += 1
            postings += (docnum, weight * boost if boost != 1.0 else weight, vbytes)
            length += freq
        self._grew(len(items), new_terms)
        return length

    def add_analyzed(self, fieldname: str, docnum: int, field: Any, value: str) -> int:
        """Analyze ``value`` straight into the pool (searchkit's title, body and lead); return its length."""
        named = self.named.get(fieldname)
        if named is None:
            named = self.named[fieldname] = {}
        length, postings, new_terms = field.format.add_postings(value, field.analyzer.analyzer, docnum,
                                                                self._terms(fieldname), named)
        self._grew(postings, new_terms)
        return int(length)

    def add_block(self, fieldname: str, tbytes: bytes, docnums: Sequence[int], weights: Sequence[float],
                  values: Sequence[bytes | None]) -> None:
        """Add a run of one term's postings (a merged segment's block), in docnum order."""
        terms = self._terms(fieldname)
        postings = terms.get(tbytes)
        new_terms = 0
        if postings is None:
            postings = terms[tbytes] = []
            new_terms = 1
        postings += chain.from_iterable(zip(docnums, weights, [v or b"" for v in values]))
        self._grew(len(docnums), new_terms)

    def _grew(self, postings: int, new_terms: int) -> None:
        self.size += postings * POSTING_BYTES + new_terms * TERM_BYTES
        if self.size > self.limit:
            self.save()

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """Whoosh's pool interface: one ``(field, term, docnum, weight, value)`` posting."""
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self._terms(fieldname)
        postings = terms.get(tbytes)
        if postings is None:
            postings = terms[tbytes] = []
            self.size += TERM_BYTES
        postings += (docnum, weight, vbytes or b"")
        self.size += POSTING_BYTES
        if self.size > self.limit:
            self.save()

    def _sorted(self) -> Iterator[tuple[str, bytes, Postings]]:
        """``(field, term, postings)`` in field and term order."""
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for tbytes in sorted(terms):
                yield fieldname, tbytes, terms[tbytes]

    def save(self) -> None:
        """Write the pool's terms to a sorted run file and empty it.

        The file is chunks of :data:`RUN_CHUNK` ``(field, term, postings)``
        tuples, each chunk marshalled whole behind its length: one read and
        one ``loads`` per chunk (``marshal.load`` from a file reads once per
        object, several times slower).
        """
        if not self.fields:
            return
        path = f"{random_name()}.run"
        with self.tempstore.create_file(path).raw_file() as f:
            terms = self._sorted()
            while chunk := list(islice(terms, RUN_CHUNK)):
                data = marshal.dumps(chunk)
                f.write(len(data).to_bytes(8, "little"))
                f.write(data)
        self.runs.append(path)
        self.fields = {}
        self.named = {}
        self.size = 0

    def _read_run(self, path: str) -> Iterator[tuple[str, bytes, Postings]]:
        with self.tempstore.open_file(path).raw_file() as f:
            while header := f.read(8):
                yield from marshal.loads(f.read(int.from_bytes(header, "little")))
        self.tempstore.delete_file(path)

    def terms(self) -> Iterator[TermPostings]:
        """Every ``(field, term, docnums, weights, values)`` in field and term order."""
        if not self.runs:
            for fieldname, tbytes, flat in self._sorted():
                yield fieldname, tbytes, flat[0::3], flat[1::3], flat[2::3]
            return
        sources = [self._read_run(path) for path in self.runs] + [self._sorted()]
        # heapq.merge keeps equal keys in source order: runs were written in docnum order.
        merged = heapq.merge(*sources, key=operator.itemgetter(0, 1))
        for (fieldname, tbytes), group in groupby(merged, key=operator.itemgetter(0, 1)):
            _, _, flat = next(group)
            for _, _, rest in group:  # then the first is a run's list, read for this merge only
                flat += rest
            yield fieldname, tbytes, flat[0::3], flat[1::3], flat[2::3]

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        """Whoosh's pool interface: postings as tuples, in field, term, docnum order."""
        for fieldname, tbytes, ids, weights, values in self.terms():
            yield from zip((fieldname,) * len(ids), (tbytes,) * len(ids), ids, weights, values)

    def cleanup(self) -> None:
        for path in self.runs:
            try:
                self.tempstore.delete_file(path)
            except OSError:
                pass
        self.runs = []
        self.fields = {}
        self.named = {}


def _field_lengths(pdr: Any, fieldname: str) -> list[int]:
    if pdr is None:
        return []
    return [pdr.doc_field_length(docnum, fieldname) for docnum in range(pdr.doc_count_all())]


def _raw_write(f: Any) -> Any:
    """The ``write`` of the file under Whoosh's ``StructFile`` (its own is one more call per write)."""
    raw = getattr(f, "raw_file", None)
    return raw().write if raw is not None else f.write


def write_terms(fieldwriter: Any, schema: Any, pdr: Any, pool: TermPool,
                sources: Sequence[SegmentSource] = ()) -> None:
    """Write the pool's postings into a segment: Whoosh's ``add_postings``, a block at a time.

    ``sources`` are segments merged into this one by copying their posting
    blocks (:mod:`.merge`), numbered after the pool's documents.
    """
    if type(fieldwriter) is not W3FieldWriter:
        if sources:
            raise ValueError("segments are copied into Whoosh 3 segments only")
        fieldwriter.add_postings(schema, pdr, pool.iter_postings())
        return
    codec = fieldwriter._codec
    blocklimit, compression = codec._blocklimit, codec._compression
    postfile, tindex = fieldwriter._postfile, fieldwriter._tindex
    write = _raw_write(postfile)
    add_term = _TermTable(tindex)
    offset = postfile.tell()  # kept here: a tell() per term costs a system call
    lastfn = None
    lengths: list[int] = []
    fixedsize: int | None = None
    fieldkey = b""
    for fieldname, tbytes, own, copies in _all_terms(pool, sources):
        if fieldname != lastfn:
            if lastfn is not None:
                fieldwriter.finish_field()
            fieldobj = schema[fieldname]
            fieldwriter.start_field(fieldname, fieldobj)
            fieldkey = pack_ushort(fieldwriter._fieldid)
            fixedsize = fieldobj.format.fixed_value_size()
            lengths = _field_lengths(pdr, fieldname) if fieldobj.scorable else []
            lastfn = fieldname
        if own is not None and len(own[0]) == 1 and not copies:  # half the terms of a segment: one posting
            ids, weights, values = own
            block, low, high, top, total = _single_block(ids[0], weights[0], values[0], lengths, fixedsize,
                                                         compression)
            write(block)
            info = _TERM_INFO.pack(0, total, 1, 0 if low is None else _length_byte(low), _length_byte(high), top,
                                   ids[0], ids[0])
            add_term(fieldkey + tbytes, info + pack_long(offset) + pack_int(len(block)))
            offset += len(block)
            continue
        blocks: list[tuple[int, bytes, bytes]] = []
        minbyte, maxbyte, maxweight, total, n = 0, 0, 0.0, 0.0, 0
        first = last = -1
        if own is not None:
            blocks, minlength, maxlength, maxweight, total = _encode_blocks(*own, lengths, fixedsize, compression,
                                                                            blocklimit)
            minbyte = 0 if minlength is None else _length_byte(minlength)
            maxbyte = _length_byte(maxlength)
            n, first, last = len(own[0]), own[0][0], own[0][-1]
        for source, value in copies:
            tinfo, pieces = source.postings(value, fixedsize,
                                            coalesce=len(copies) + (own is not None) > MAX_SMALL_BLOCKS)
            _, weight, df, low_byte, high_byte, top, low_id, high_id = tinfo
            total += weight
            n += df
            if low_byte:
                minbyte = low_byte if not minbyte else min(minbyte, low_byte)
            maxbyte = max(maxbyte, high_byte)
            maxweight = max(maxweight, top)
            if first < 0:
                first = low_id + source.startdoc
            last = high_id + source.startdoc
            run: tuple[list[int], list[float], list[bytes]] = ([], [], [])
            for piece in pieces:
                if isinstance(piece[0], list):  # decoded postings: written again with their neighbours
                    for into, part in zip(run, piece):
                        into += part  # type: ignore[operator]
                    continue
                if run[0]:
                    blocks += _encode_blocks(*run, lengths, fixedsize, compression, blocklimit)[0]
                    run = ([], [], [])
                blocks.append(piece)
            if run[0]:
                blocks += _encode_blocks(*run, lengths, fixedsize, compression, blocklimit)[0]
        out = [WHOOSH3_HEADER_MAGIC]
        for i, (_, infobytes, data) in enumerate(blocks):
            blocklength = len(infobytes) + len(data)
            out += (pack_int(-blocklength if i == len(blocks) - 1 else blocklength), infobytes, data)
        block = b"".join(out)
        write(block)
        # W3TermInfo(...).to_bytes() of a term whose postings are not inlined.
        info = _TERM_INFO.pack(0, total, n, minbyte, maxbyte, maxweight, first, last)
        add_term(fieldkey + tbytes, info + pack_long(offset) + pack_int(len(block)))
        offset += len(block)
    if lastfn is not None:
        fieldwriter.finish_field()


def _all_terms(pool: TermPool, sources: Sequence[SegmentSource]
               ) -> Iterator[tuple[str, bytes, tuple[list[int], list[float], list[bytes]] | None,
                                   list[tuple[SegmentSource, bytes]]]]:
    """``(field, term, the pool's postings or None, [(source, term info bytes)…])`` in field and term order."""
    own = ((fieldname, tbytes, -1, (ids, weights, values)) for fieldname, tbytes, ids, weights, values in pool.terms())
    if not sources:
        for fieldname, tbytes, _, mine in own:
            yield fieldname, tbytes, mine, []
        return
    streams = [own, *(_tagged(source.terms(), i) for i, source in enumerate(sources))]
    merged: Iterator[tuple[str, bytes, int, Any]] = heapq.merge(*streams, key=operator.itemgetter(0, 1, 2))
    for (fieldname, tbytes), group in groupby(merged, key=operator.itemgetter(0, 1)):
        postings: tuple[list[int], list[float], list[bytes]] | None = None
        copies: list[tuple[SegmentSource, bytes]] = []
        for _, _, i, payload in group:
            if i < 0:
                postings = payload
            else:
                copies.append((sources[i], payload))
        yield fieldname, tbytes, postings, copies


def _tagged(terms: Iterator[tuple[str, bytes, bytes]], i: int) -> Iterator[tuple[str, bytes, int, bytes]]:
    return ((fieldname, tbytes, i, value) for fieldname, tbytes, value in terms)


def _encode_blocks(ids: Sequence[int], weights: Sequence[float], values: Sequence[bytes], lengths: list[int],
                   fixedsize: int | None, compression: int, blocklimit: int
                   ) -> tuple[list[tuple[int, bytes, bytes]], int | None, int, float, float]:
    """A term's postings as Whoosh 3 blocks ``(count, infobytes, data)``, with
    ``(min length, max length, max weight, total weight)`` over them."""
    sub = operator.sub
    n = len(ids)
    blocks: list[tuple[int, bytes, bytes]] = []
    minlength: int | None = None
    maxlength = 0
    maxweight = total = 0.0
    for b in range(0, n, blocklimit):
        bids = ids[b:b + blocklimit] if n > blocklimit else ids
        bweights = weights[b:b + blocklimit] if n > blocklimit else weights
        bvalues = values[b:b + blocklimit] if n > blocklimit else values
        if lengths:
            blens = [length for length in map(lengths.__getitem__, bids) if length]
            bmin = min(blens) if blens else None
            bmax = max(blens) if blens else 0
        else:
            bmin, bmax = None, 0
        bmaxweight = max(0.0, float(max(bweights)))
        first = bweights[0]
        if bweights.count(first) == len(bweights):
            mini_weights: Any = None if first == 1.0 else float(first)
        else:
            mini_weights = tuple(bweights)
            counts = tuple(map(int, mini_weights))
            if counts == mini_weights:  # frequencies: 2 bytes each pickled instead of 9
                mini_weights = counts
        packed = False
        if fixedsize is None or fixedsize < 0:
            if len(bvalues) >= PACK_MIN_POSTINGS and all(bvalues):
                level = VALUES_COMPRESSION if compression else 0
                mini_values: Any = PackedValues.pack(bvalues, level, COMPRESS_WBITS, COMPRESS_MIN_BYTES)
                packed = True
            else:
                mini_values = tuple(filter(None, bvalues))
        elif fixedsize == 0:
            mini_values = None
        else:
            mini_values = b"".join(bvalues)
        deltas = tuple(map(sub, bids, chain((0,), bids)))
        data = dumps((deltas, mini_weights, mini_values), BLOCK_PICKLE_PROTOCOL)
        comp = compression if not packed and len(data) >= COMPRESS_MIN_BYTES else 0
        if comp:
            data = zlib.compress(data, comp, COMPRESS_WBITS)
        infobytes = dumps((len(bids), bids[-1], bmaxweight, comp, _length_byte(bmin), _length_byte(bmax)), 2)
        blocks.append((len(bids), infobytes, data))
        if bmin is not None:
            minlength = bmin if minlength is None else min(minlength, bmin)
        maxlength = max(maxlength, bmax)
        maxweight = max(maxweight, bmaxweight)
        total += sum(bweights)
    return blocks, minlength, maxlength, maxweight, total


def _single_block(docnum: int, weight: float, value: bytes, lengths: list[int], fixedsize: int | None,
                  compression: int) -> tuple[bytes, int | None, int, float, float]:
    """The posting list of a term with one posting, as the loop in :func:`write_terms` writes it:
    ``(bytes, min length, max length, max weight, total weight)``."""
    length = lengths[docnum] if lengths else 0
    if fixedsize is None or fixedsize < 0:
        mini_values: Any = (value,) if value else ()
    elif fixedsize == 0:
        mini_values = None
    else:
        mini_values = value
    data = dumps(((docnum,), None if weight == 1.0 else float(weight), mini_values), BLOCK_PICKLE_PROTOCOL)
    comp = compression if len(data) >= COMPRESS_MIN_BYTES else 0
    if comp:
        data = zlib.compress(data, comp, COMPRESS_WBITS)
    maxweight = max(0.0, float(weight))
    infobytes = dumps((1, docnum, maxweight, comp, _length_byte(length or None), _length_byte(length)), 2)
    block = b"".join((WHOOSH3_HEADER_MAGIC, pack_int(-(len(infobytes) + len(data))), infobytes, data))
    return block, length or None, length, maxweight, 0.0 + weight


class _TermTable:
    """``OrderedHashWriter.add`` of Whoosh's terms table, counting the file
    position instead of asking the file for it (two system calls per term)."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self.write = _raw_write(table.dbfile)
        self.pos = table.dbfile.tell()

    def __call__(self, key: bytes, value: bytes) -> None:
        table, pos = self.table, self.pos
        if key <= table.lastkey:
            raise ValueError(f"Keys must increase: {table.lastkey!r}..{key!r}")
        table.index.append(pos)
        record = _KEY_VALUE_LENGTHS.pack(len(key), len(value)) + key + value
        self.write(record)
        h = table.hashfn(key)
        table.buckets[h & 255].append((h, pos))
        table.lastkey = key
        self.pos = pos + len(record)


class _WritesTerms:
    """Writer mix-in: a :class:`TermPool` instead of Whoosh's posting pool."""

    pool: TermPool

    def _use_term_pool(self, limitmb: float) -> None:
        self.pool = TermPool(self._tempstorage, limitmb)  # type: ignore[attr-defined]
        #: Segments being merged, copied when this segment's terms are written (see :mod:`.merge`).
        self._sources: list[SegmentSource] = []
        self._pooled = False  # a merged segment went through the pool: later ones must too

    def _finish(self) -> None:
        """Whoosh's clean-up after a commit or cancel (``SegmentWriter._finish``),
        made unable to fail a commit that has landed: Whoosh removes its
        temporary directory before it lets go of the lock, and a file that
        appears there meanwhile (a dying writer's) made that raise after the new
        generation was written, with the lock still held."""
        self._close_sources()
        searcher = self._searcher  # type: ignore[has-type]
        if searcher is not None:
            searcher._orig_close()
            # Whoosh's cached searcher holds its own close method, a cycle that
            # kept its files open until the cycle collector ran: break it.
            searcher.__dict__.pop("_orig_close", None)
            searcher.__dict__.pop("close", None)
            self._searcher = None
        try:
            self._tempstorage.destroy()  # type: ignore[attr-defined]
        except OSError:
            shutil.rmtree(self._tempstorage.folder, ignore_errors=True)  # type: ignore[attr-defined]
        if self.writelock:  # type: ignore[attr-defined]
            self.writelock.release()  # type: ignore[attr-defined]
        self.is_closed = True

    def add_reader(self, reader: Any) -> None:
        """Merge a segment; its fields' total lengths stay exact (for BM25's average length).

        Whoosh sums the merged documents' lengths as stored, one byte each
        (rounded above 100 terms), so an index scored differently once
        merged; a segment without deletions keeps its exact totals.
        """
        lengths = getattr(self.perdocwriter, "_fieldlengths", None)  # type: ignore[attr-defined]
        before = dict(lengths) if lengths is not None else {}
        SegmentWriter.add_reader(self, reader)
        if lengths is not None and not reader.has_deletions():
            for name in {*before, *lengths}:
                lengths[name] = before.get(name, 0) + reader.field_length(name)

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: dict[int, int] | None) -> None:
        """Merge a segment's postings (its documents were just copied, from ``startdoc``).

        A segment without deletions is copied a posting block at a time when
        the new segment's terms are written (:mod:`.merge`). Otherwise its
        postings go through the pool a block at a time (Whoosh's own merge
        adds them one at a time, four Python calls each), deleted documents
        left out; segments held for copying before it go through the pool
        first, so every term's postings stay in docnum order.
        """
        if copyable(reader) and not self._pooled:
            self._sources.append(SegmentSource(self.storage, reader, startdoc,  # type: ignore[attr-defined]
                                               _TERM_INFO, BLOCK_PICKLE_PROTOCOL, COMPRESS_WBITS))
            return
        self._pooled = True
        for source in self._sources:
            self._pool_postings(source.reader, source.startdoc, None)
        self._close_sources()
        self._pool_postings(reader, startdoc, docmap)

    def _pool_postings(self, reader: Any, startdoc: int, docmap: dict[int, int] | None) -> None:
        if not isinstance(reader, SegmentReader) or not isinstance(reader._terms, W3TermsReader):
            SegmentWriter.add_postings_to_pool(self, reader, startdoc, docmap)
            return
        schema = self.schema  # type: ignore[attr-defined]
        fixed = {name: schema[name].format.fixed_value_size() for name in schema.names()
                 if schema[name].format is not None}
        source = SegmentSource(self.storage, reader, startdoc if docmap is None else 0,  # type: ignore[attr-defined]
                               _TERM_INFO, BLOCK_PICKLE_PROTOCOL, COMPRESS_WBITS)
        try:
            for fieldname, tbytes, value in source.terms():
                if fieldname not in fixed:
                    continue
                ids, weights, values = source.decoded(value, fixed[fieldname])
                if docmap is not None:  # deleted documents are not in the map: leave them out
                    kept = [i for i, d in enumerate(ids) if d in docmap]
                    ids = [docmap[ids[i]] for i in kept]
                    weights = [weights[i] for i in kept]
                    values = [values[i] for i in kept]
                if ids:
                    self.pool.add_block(fieldname, tbytes, ids, weights, values)
        finally:
            source.close()

    def _close_sources(self) -> None:
        for source in self._sources:
            source.close()
        self._sources = []

    def _flush_segment(self) -> None:
        self.perdocwriter.close()  # type: ignore[attr-defined]
        pdr = self.per_document_reader() if self.codec.length_stats else None  # type: ignore[attr-defined]
        try:
            write_terms(self.fieldwriter, self.schema, pdr, self.pool, self._sources)  # type: ignore[attr-defined]
            self.fieldwriter.close()  # type: ignore[attr-defined]
        finally:
            self._close_sources()
            if pdr:
                pdr.close()


class ArticleWriter(_WritesTerms, SegmentWriter):  # type: ignore[misc]
    """Whoosh's ``SegmentWriter`` over a :class:`TermPool`."""

    def __init__(self, ix: Any, limitmb: float = 128, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self._use_term_pool(limitmb)
        # Spelling fields and term vectors go through Whoosh's own code.
        self._plain = not any(f.separate_spelling() or f.vector for _, f in self.schema.items())

    def add_document(self, **fields: Any) -> None:
        if not self._plain:
            super().add_document(**fields)
            return
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, fieldname, docboost)
                    if boost == 1.0 and type(field) is Text and type(value) is str and field.direct:
                        length = self.pool.add_analyzed(fieldname, docnum, field, value)
                    else:
                        items = field.index(value)
                        if not isinstance(items, list):
                            items = list(items)
                        length = self.pool.add_field(fieldname, docnum, items, boost)
                    if not field.scorable:
                        length = 0
                stored = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (no-op elsewhere).

    ``parent`` is the pid that forked this process: if it died before the
    request was made, the request would never fire, so exit at once.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)


class _SubWriterTask(multiproc.SubWriterTask):  # type: ignore[misc]
    """Whoosh's writer worker with an :class:`ArticleWriter`, made safe to kill:
    it lets go of the index lock it inherited through fork (a ``kill -9`` of the
    import would otherwise leave the lock held by orphaned workers), dies with
    its parent, and leaves Ctrl-C to the parent. Its segment is returned whole
    (``multisegment``)."""

    lock_fd: int | None = None
    parent: int | None = None

    def run(self) -> None:
        if self.lock_fd is not None:
            try:
                os.close(self.lock_fd)
            except OSError:
                pass
        if self.parent is not None:
            _die_with_parent(self.parent)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = ArticleWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            jobinfo = self.jobqueue.get()
            if jobinfo is None:
                break
            self._process_file(*jobinfo)
        if not self.running:
            writer.cancel()
            return
        segment = writer._finalize_segment()
        self.resultqueue.put((None, writer.pool.fieldnames, segment), timeout=5)


class ParallelWriter(_WritesTerms, multiproc.MpWriter):  # type: ignore[misc]
    """Whoosh's multi-process writer, one segment per :class:`_SubWriterTask`."""

    def __init__(self, ix: Any, procs: int, limitmb: float = 128, **kwargs: Any) -> None:
        super().__init__(ix, procs=procs, multisegment=True, limitmb=limitmb, **kwargs)
        self._use_term_pool(limitmb)

    def _commit_toc(self, segments: Any) -> None:
        # Whoosh commits the segments of the workers whose results arrived: one
        # that died (killed, out of memory) would lose its articles silently.
        died = [task.exitcode for task in self.tasks if task.exitcode != 0]
        if died:
            raise StorageError(f"a writer process died (exit code {died[0]}) before handing over its articles; "
                               "nothing was committed")
        super()._commit_toc(segments)

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
        if multiprocessing.get_start_method() == "fork":  # the worker is our child and holds our fds
            task.lock_fd = getattr(getattr(self, "writelock", None), "fd", None)
            task.parent = os.getpid()
        self.tasks.append(task)
        task.start()
        return task
