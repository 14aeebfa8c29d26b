"""Adapters between searchkit and Whoosh: the tokenizer, field and posting formats.

Whoosh pickles the schema — analyzers and formats included — into the index,
and searchkit's writer pickles :class:`PackedValues` into posting blocks. The
classes here pickle under the path they have always had, ``searchkit._whoosh``
(a module that re-exports them), so indexes made before and after they moved
are the same bytes and open alike. The schema's classes pickle as
configuration only.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate, chain
from pickle import dumps
from typing import Any, ClassVar, overload

from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer
from whoosh.fields import TEXT
from whoosh.formats import Characters, Frequency
from whoosh.system import pack_uint

from ...analysis import Analyzer
from ...analysis.names import READING_PREFIX

__all__ = ["PICKLED_AS", "READING_PREFIX", "Added", "LeadFrequency", "PackedCharacters", "PackedValues", "SearchkitTokenizer",
           "TermCharacters", "Text"]

#: What ``add_postings`` returns: (field length, postings added, new terms).
Added = tuple[int, int, int]



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


class _OwnAnalysis:
    """``word_values`` from the format's ``term_values`` when the field's
    analyzer is a :class:`SearchkitTokenizer`; Whoosh's own way otherwise."""

    def term_values(self, value: str, analyzer: Analyzer) -> list[tuple[bytes, int, float, bytes]]:
        raise NotImplementedError

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[tuple[str, int, float, bytes]]:
        if not isinstance(analyzer, SearchkitTokenizer) or not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)  # type: ignore[misc]
            return
        for tbytes, freq, weight, vbytes in self.term_values(value, analyzer.analyzer):
            yield tbytes.decode("utf-8"), freq, weight, vbytes


class TermCharacters(_OwnAnalysis, Characters):  # type: ignore[misc]
    """Whoosh's ``Characters`` posting format, fed straight from the analyzer.

    Stores positions and code-point character ranges per posting, so snippets
    are cut from stored offsets instead of re-analyzing each hit's text. The
    romaji reading of each Japanese proper noun or loanword is indexed too
    (``r:koizumi`` at the position of 小泉), so names match across scripts. It
    skips Whoosh's per-token object protocol when the field's analyzer is a
    :class:`SearchkitTokenizer` (about a third of indexing time otherwise).
    """

    @staticmethod
    def _occurrences(value: str, analyzer: Analyzer) -> dict[str, list[tuple[int, int, int]]]:
        seen: defaultdict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for pos, (term, start, end, reading) in enumerate(analyzer.index_terms(value)):
            seen[term].append((pos, start, end))
            if reading:
                seen[READING_PREFIX + reading].append((pos, start, end))
        return seen

    def term_values(self, value: str, analyzer: Analyzer) -> list[tuple[bytes, int, float, bytes]]:
        """``(term bytes, freq, weight, value)`` of each term of ``value``, in one pass; terms are shared bytes."""
        fb = self.field_boost
        encode = self.encode
        out = []
        for term, poslist in self._occurrences(value, analyzer).items():
            n = len(poslist)
            out.append((_term_bytes(term), n, n if fb == 1.0 else n * fb, encode(poslist)))
        return out

    def add_postings(self, value: str, analyzer: Analyzer, docnum: int, terms: dict[bytes, list[Any]],
                     named: dict[str, list[Any]]) -> Added:
        """Append one document's postings of ``value`` to a segment writer's ``terms``
        (term bytes → flat ``[docnum, weight, value, …]``); the indexing hot path.

        ``named`` maps each term as a string to its list in ``terms``, so a term
        seen before costs one lookup and no encoding. Same postings as
        :meth:`term_values`, without a tuple per term in between.
        """
        seen = self._occurrences(value, analyzer)
        fb = self.field_boost
        encode = self.encode
        encode_one = type(self)._encode_one
        get = named.get
        length = new = 0
        for term, poslist in seen.items():
            n = len(poslist)
            if n == 1:
                vbytes = encode_one(*poslist[0])
            else:
                vbytes = encode(poslist)
            postings = get(term)
            if postings is None:
                postings, added = _postings_of(terms, named, term)
                new += added
            postings += (docnum, n if fb == 1.0 else n * fb, vbytes)
            length += n
        return length, len(seen), new

    #: ``encode([(pos, start, end)])``, faster: most postings occur once.
    _encode_one: ClassVar[Callable[[int, int, int], bytes]] = staticmethod(
        lambda pos, start, end: _ONE + dumps([(pos, start, end - start)], 2))


class PackedCharacters(TermCharacters):
    """:class:`TermCharacters` with each posting's occurrences stored as
    little-endian uint32 ``(position, start char, end char)`` triples: a
    one-occurrence posting encodes in 0.07 µs instead of 0.57 (pickled deltas),
    and decodes without unpickling. New indexes use it; indexes made with
    :class:`TermCharacters` keep it.
    """

    _encode_one: ClassVar[Callable[[int, int, int], bytes]] = staticmethod(struct.Struct("<3I").pack)

    def encode(self, poslist: list[tuple[int, int, int]]) -> bytes:
        return _uint32_bytes(array("I", chain.from_iterable(poslist)))

    def decode_characters(self, value: bytes) -> list[tuple[int, int, int]]:
        it = iter(_uint32s(value))
        return list(zip(it, it, it))

    def decode_positions(self, value: bytes) -> list[int]:
        return list(_uint32s(value)[0::3])

    def decode_frequency(self, value: bytes) -> int:
        return len(value) // 12


_UINT32 = struct.Struct("<I")
#: Encoded terms shared by every posting of the same term, so the writer
#: holds one bytes object per term instead of one per posting.
_TERM_BYTES: dict[str, bytes] = {}
_TERM_BYTES_MAX = 1_000_000
_ONE: bytes = pack_uint(1)
_BIG_ENDIAN = sys.byteorder == "big"


def _uint32_bytes(a: array[int]) -> bytes:
    """``a`` (typecode ``I``) as little-endian bytes."""
    if _BIG_ENDIAN:
        a.byteswap()
    return a.tobytes()


def _uint32s(data: bytes) -> array[int]:
    """Little-endian uint32 ``data`` as an array."""
    a = array("I", data)
    if _BIG_ENDIAN:
        a.byteswap()
    return a


def _term_bytes(term: str) -> bytes:
    tbytes = _TERM_BYTES.get(term)
    if tbytes is None:
        if len(_TERM_BYTES) > _TERM_BYTES_MAX:
            _TERM_BYTES.clear()
        tbytes = _TERM_BYTES[term] = term.encode("utf-8")
    return tbytes


def _postings_of(terms: dict[bytes, list[Any]], named: dict[str, list[Any]], term: str) -> tuple[list[Any], int]:
    """The list of ``term`` in a writer's ``terms``, made if new (then 1 is returned with it), remembered in ``named``."""
    tbytes = term.encode("utf-8")
    postings = terms.get(tbytes)
    added = 0
    if postings is None:
        postings = terms[tbytes] = []
        added = 1
    named[term] = postings
    return postings, added


class Text(TEXT):  # type: ignore[misc]
    """Whoosh's ``TEXT`` field, with each term's bytes shared by its postings;
    fields in searchkit's formats are analyzed in one pass into a list."""

    @property
    def direct(self) -> bool:
        """Whether searchkit's writer analyzes this field straight into its postings
        (``add_postings`` of :class:`TermCharacters`: title and body, and of :class:`LeadFrequency`)."""
        return isinstance(self.analyzer, SearchkitTokenizer) and isinstance(self.format, (TermCharacters, LeadFrequency))

    def index(self, value: Any, **kwargs: Any) -> Iterable[tuple[bytes, int, float, bytes]]:
        fmt = self.format
        if isinstance(self.analyzer, SearchkitTokenizer) and isinstance(value, str) and not kwargs:
            if isinstance(fmt, (TermCharacters, LeadFrequency)):
                return fmt.term_values(value, self.analyzer.analyzer)
        kwargs.setdefault("mode", "index")
        return ((_term_bytes(term), freq, weight, vbytes)
                for term, freq, weight, vbytes in fmt.word_values(value, self.analyzer, **kwargs))


class LeadFrequency(_OwnAnalysis, Frequency):  # type: ignore[misc]
    """Whoosh's ``Frequency`` format for the ``lead`` field (the opening of
    the body): its terms are taken from the body's analysis, which Whoosh ran
    just before (fields are indexed in name order: body, …, lead)."""

    @staticmethod
    def _frequencies(value: str, analyzer: Analyzer) -> dict[str, int]:
        freqs: defaultdict[str, int] = defaultdict(int)
        for term, _, _, _ in analyzer.prefix_terms(value):
            freqs[term] += 1
        return freqs

    def term_values(self, value: str, analyzer: Analyzer) -> list[tuple[bytes, int, float, bytes]]:
        """``(term bytes, freq, weight, value)`` of each term of ``value``; terms are shared bytes."""
        freqs = self._frequencies(value, analyzer)
        fb = self.field_boost
        return [(_term_bytes(term), freq, freq if fb == 1.0 else freq * fb, pack_uint(freq)) for term, freq in freqs.items()]

    def add_postings(self, value: str, analyzer: Analyzer, docnum: int, terms: dict[bytes, list[Any]],
                     named: dict[str, list[Any]]) -> Added:
        """:meth:`TermCharacters.add_postings` for the lead: term frequencies only."""
        freqs = self._frequencies(value, analyzer)
        fb = self.field_boost
        get = named.get
        length = new = 0
        for term, n in freqs.items():
            postings = get(term)
            if postings is None:
                postings, added = _postings_of(terms, named, term)
                new += added
            postings += (docnum, n if fb == 1.0 else n * fb, pack_uint(n))
            length += n
        return length, len(freqs), new


class PackedValues(Sequence[bytes]):
    """The values of one posting block (a bytes string per posting), packed
    into one string and unpacked on first access.

    Searchkit's writer stores a block's docnums and weights as plain pickled
    tuples and its values (positions and character ranges: most of the bytes)
    as one of these, compressed on its own. Scoring reads docnums and weights
    only, so it never decompresses or unpickles values; snippets and phrases
    unpack the blocks they need. Whoosh's reader indexes it like the tuple it
    expects.

    The packed string is counts and offsets as uint32 (and, from
    :class:`PackedCharacters`, values made of uint32 too); before zlib its
    bytes are regrouped by their place in each 4-byte word (the low bytes of
    every word, then the second bytes…), which turns the high bytes into long
    runs of zeros: on the news corpus 27% smaller and 40% faster to compress
    (zlib level 1) than the words as they are (level 3).
    """

    __slots__ = ("_compressed", "_data", "_plain", "_values")

    def __init__(self, data: bytes, compressed: bool) -> None:
        #: ``count (uint32) + end offsets (uint32 each) + the values joined``, little-endian;
        #: compressed: byte-regrouped, then zlib
        self._data = data
        self._compressed = compressed
        self._plain: bytes | None = None  # the data uncompressed, once read
        self._values: list[bytes] | None = None

    @classmethod
    def pack(cls, values: Sequence[bytes], level: int, wbits: int, min_bytes: int) -> PackedValues:
        """Pack ``values``; compressed with zlib ``level`` when at least ``min_bytes`` long."""
        ends = _uint32_bytes(array("I", accumulate(map(len, values))))
        data = b"".join((len(values).to_bytes(4, "little"), ends, *values))
        if level and len(data) >= min_bytes:
            n = len(data) // 4 * 4
            return cls(zlib.compress(b"".join([data[i:n:4] for i in range(4)]) + data[n:], level, wbits), True)
        return cls(data, False)

    def __reduce__(self) -> tuple[Any, tuple[bytes, bool]]:
        return PackedValues, (self._data, self._compressed)

    def _uncompressed(self) -> bytes:
        data = self._plain
        if data is None:
            data = self._data
            if self._compressed:
                data = zlib.decompress(data)
                m = len(data) // 4
                words = bytearray(data)
                for i in range(4):  # the bytes back in their words
                    words[i:4 * m:4] = data[i * m:(i + 1) * m]
                data = bytes(words)
            self._plain = data
        return data

    def value(self, i: int) -> bytes:
        """The ``i``-th value alone (a phrase looking up a few postings of a block)."""
        if self._values is not None:
            return self._values[i]
        data = self._uncompressed()
        n = int.from_bytes(data[:4], "little")
        if not 0 <= i < n:
            raise IndexError(i)
        start = _UINT32.unpack_from(data, 4 * i)[0] if i else 0
        end = _UINT32.unpack_from(data, 4 + 4 * i)[0]
        base = 4 + 4 * n
        return data[base + start:base + end]

    def _unpack(self) -> list[bytes]:
        data = self._uncompressed()
        self._plain = None
        n = int.from_bytes(data[:4], "little")
        ends = _uint32s(data[4:4 + 4 * n])
        base = 4 + 4 * n
        self._values = values = [data[base + start:base + end] for start, end in zip(chain((0,), ends), ends)]
        return values

    def __len__(self) -> int:
        return len(self._values if self._values is not None else self._unpack())

    @overload
    def __getitem__(self, i: int) -> bytes: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[bytes]: ...
    def __getitem__(self, i: int | slice) -> bytes | Sequence[bytes]:
        return (self._values if self._values is not None else self._unpack())[i]

    def __repr__(self) -> str:
        return f"PackedValues({list(self)!r})"


#: The module path indexes pickle these classes under (see the module docstring).
PICKLED_AS = "searchkit._whoosh"
for _cls in (SearchkitTokenizer, TermCharacters, PackedCharacters, Text, LeadFrequency, PackedValues):
    _cls.__module__ = PICKLED_AS
