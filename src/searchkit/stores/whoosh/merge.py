"""Merging segments by copying their posting blocks.

Whoosh merges segments by reading every posting of every term and adding it
to the new segment's pool, which writes them again: most of a merge's time.
A segment without deleted documents is merged here by copying its posting
blocks into the new segment as they are, with only their document numbers
shifted: a block's values (positions and character ranges, most of the
bytes, packed and compressed apart, see :class:`~searchkit._whoosh.PackedValues`)
are never unpacked. Blocks of fewer than :data:`SMALL_BLOCK` postings (a rare
term's) are copied too while they are few; for a term in more than
:data:`MAX_SMALL_BLOCKS` segments, or with more than that many small blocks
in one, they are decoded and written again together, so a term never ends
up in many tiny blocks. A term's statistics are summed
from the segments' term infos.

The segment's term dictionary is read in (field, term) order and merged
with the writer's own terms (:func:`~searchkit.stores.whoosh.writer.write_terms`).
"""

from __future__ import annotations

import io
import pickle
import zlib
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermsReader
from whoosh.reading import SegmentReader
from whoosh.system import _int_struct, _long_struct

__all__ = ["MAX_SMALL_BLOCKS", "SMALL_BLOCK", "Copied", "SegmentSource", "TermInfo", "copyable"]

#: Blocks with fewer postings than this are decoded and written again with
#: their neighbours; larger ones are copied.
SMALL_BLOCK = 32
#: A term's small blocks are copied as they are while a segment holds at most
#: this many of them (and the term is in few segments), so repeated merges
#: cannot leave a term in many tiny blocks.
MAX_SMALL_BLOCKS = 4

#: ``(flags, total weight, doc frequency, min length byte, max length byte, max weight, min id, max id)``
TermInfo = tuple[int, float, int, int, int, float, int, int]
#: A run of decoded postings ``(docnums, weights, values)``, or a copied block
#: ``(count, infobytes, data)`` ready to write.
Copied = tuple[list[int], list[float], list[bytes]] | tuple[int, bytes, bytes]


def copyable(reader: Any) -> bool:
    """Whether a segment's postings can be copied block by block (a Whoosh 3 segment without deletions)."""
    return (isinstance(reader, SegmentReader) and isinstance(reader._terms, W3TermsReader)
            and not reader.has_deletions())


class SegmentSource:
    """A segment of ``storage`` being merged into the one written, its documents numbered from ``startdoc``."""

    def __init__(self, storage: Any, reader: SegmentReader, startdoc: int, term_info: Any, protocol: int,
                 wbits: int) -> None:
        # The merge policy closes its reader once the documents are copied; the
        # postings are copied later, when the new segment's terms are written.
        self.reader = SegmentReader(storage, reader.schema, reader.segment())
        terms = self.reader._terms
        self._tindex = terms._tindex
        self._postfile = terms._postfile
        self._decode_key = terms._keydecoder
        fieldmap = terms._fieldmap
        self._ordered = sorted(fieldmap, key=fieldmap.get) == sorted(fieldmap)
        self.startdoc = startdoc
        self._info = term_info
        self._protocol = protocol
        self._wbits = wbits

    def terms(self) -> Iterator[tuple[str, bytes, bytes]]:
        """``(field, term, term info bytes)`` in field-name and term order."""
        items = ((*self._decode_key(key), value) for key, value in self._tindex.items())
        return items if self._ordered else iter(sorted(items))

    def postings(self, value: bytes, fixedsize: int | None, coalesce: bool = True) -> tuple[TermInfo, list[Copied]]:
        """A term's info and its postings, as decoded runs and copied blocks, document numbers shifted.

        Small blocks are decoded (to be written again with their neighbours)
        with ``coalesce``, or when this segment holds more than
        :data:`MAX_SMALL_BLOCKS` of them for the term; otherwise they are
        copied too, which is cheaper.
        """
        info, blocks = self._read(value)
        start = self.startdoc
        if blocks is None:  # postings inlined in the term info
            return info, [self.decoded(value, fixedsize)]
        small = sum(1 for block_info, _, _ in blocks if block_info[0] < SMALL_BLOCK)
        coalesce = coalesce or small > MAX_SMALL_BLOCKS
        out: list[Copied] = []
        for (count, maxid, maxweight, comp, minlen, maxlen), infobytes, data in blocks:
            if coalesce and count < SMALL_BLOCK:
                out.append(self._decoded(count, comp, data, fixedsize))
            elif start == 0:
                out.append((count, infobytes, data))
            else:  # the first docnum of a block is stored whole, the rest as deltas
                block = zlib.decompress(data) if comp else data
                deltas, weights, values = pickle.loads(block)
                block = pickle.dumps(((deltas[0] + start, *deltas[1:]), weights, values), self._protocol)
                if comp:
                    block = zlib.compress(block, comp, self._wbits)
                infobytes = pickle.dumps((count, maxid + start, maxweight, comp, minlen, maxlen), 2)
                out.append((count, infobytes, block))
        return info, out

    def decoded(self, value: bytes, fixedsize: int | None) -> tuple[list[int], list[float], list[bytes]]:
        """All of a term's postings ``(docnums, weights, values)``, document numbers shifted."""
        info, blocks = self._read(value)
        if blocks is None:
            ids, weights, values = pickle.loads(value[self._info.size:])
            return [d + self.startdoc for d in ids], list(weights), [v or b"" for v in values]
        out: tuple[list[int], list[float], list[bytes]] = ([], [], [])
        for (count, _, _, comp, _, _), _, data in blocks:
            for into, part in zip(out, self._decoded(count, comp, data, fixedsize)):
                into += part  # type: ignore[operator]
        return out

    def _read(self, value: bytes) -> tuple[TermInfo, list[tuple[Any, bytes, bytes]] | None]:
        """A term's info and its blocks ``(block info, info bytes, data)``; None for inlined postings."""
        size = self._info.size
        info: TermInfo = self._info.unpack(value[:size])
        if info[0]:
            return info, None
        offset = _long_struct.unpack(value[size:size + 8])[0]
        length = _int_struct.unpack(value[size + 8:size + 12])[0]
        raw = self._postfile.get(offset, length)
        if raw[:4] != WHOOSH3_HEADER_MAGIC:
            raise ValueError(f"not a posting list at offset {offset} of segment {self.reader._segment.segment_id()}")
        blocks = []
        pos = 4
        while True:
            signed = _int_struct.unpack_from(raw, pos)[0]
            pos += 4
            end = pos + abs(signed)
            f = io.BytesIO(raw[pos:end])
            blocks.append((pickle.load(f), raw[pos:pos + f.tell()], raw[pos + f.tell():end]))
            if signed < 0:
                return info, blocks
            pos = end

    def _decoded(self, count: int, comp: int, data: bytes, fixedsize: int | None
                 ) -> tuple[list[int], list[float], list[bytes]]:
        deltas, weights, values = pickle.loads(zlib.decompress(data) if comp else data)
        start = self.startdoc
        ids = [d + start for d in accumulate(deltas)]
        if weights is None:
            ws = [1.0] * count
        elif isinstance(weights, float):
            ws = [weights] * count
        else:
            ws = [float(w) for w in weights]
        if fixedsize is None or fixedsize < 0:
            vs = list(values) if values else [b""] * count
        elif fixedsize == 0:
            vs = [b""] * count
        else:
            vs = [values[i:i + fixedsize] for i in range(0, len(values), fixedsize)]
        if len(vs) != count:
            raise ValueError(f"a posting block of segment {self.reader._segment.segment_id()} has "
                             f"{len(vs)} values for {count} postings")
        return ids, ws, vs

    def close(self) -> None:
        self.reader.close()
