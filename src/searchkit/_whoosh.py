"""Adapters between searchkit and Whoosh; the only place Whoosh types meet ours.

Whoosh pickles the schema — analyzers and formats included — into the index,
so the classes here must stay importable at this path (``searchkit._whoosh``)
for existing indexes to open. They pickle as configuration only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from pickle import dumps
from typing import Any

from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer
from whoosh.fields import TEXT
from whoosh.formats import Characters, Frequency
from whoosh.system import pack_uint

from .analysis import Analyzer

__all__ = ["READING_PREFIX", "Added", "LeadFrequency", "SearchkitTokenizer", "TermCharacters", "Text"]

#: What ``add_postings`` returns: (field length, postings added, new terms).
Added = tuple[int, int, int]

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
        for tbytes, freq, weight, vbytes in self.term_values(value, analyzer.analyzer):
            yield tbytes.decode("utf-8"), freq, weight, vbytes

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

    def add_postings(self, value: str, analyzer: Analyzer, docnum: int, terms: dict[bytes, list[Any]]) -> Added:
        """Append one document's postings of ``value`` to a segment writer's ``terms``
        (term bytes → flat ``[docnum, weight, value, …]``); the indexing hot path.

        Same postings as :meth:`term_values`, without a tuple per term in between.
        """
        seen = self._occurrences(value, analyzer)
        fb = self.field_boost
        encode = self.encode
        shared = _TERM_BYTES.get  # looked up here first: a call per term costs 2% of indexing
        get = terms.get
        length = new = 0
        for term, poslist in seen.items():
            n = len(poslist)
            if n == 1:
                pos, start, end = poslist[0]
                vbytes = _ONE + dumps([(pos, start, end - start)], 2)  # what encode() writes, faster
            else:
                vbytes = encode(poslist)
            tbytes = shared(term) or _term_bytes(term)
            postings = get(tbytes)
            if postings is None:
                postings = terms[tbytes] = []
                new += 1
            postings += (docnum, n if fb == 1.0 else n * fb, vbytes)
            length += n
        return length, len(seen), new


#: Encoded terms shared by every posting of the same term, so the writer
#: holds one bytes object per term instead of one per posting.
_TERM_BYTES: dict[str, bytes] = {}
_TERM_BYTES_MAX = 1_000_000
_ONE = pack_uint(1)


def _term_bytes(term: str) -> bytes:
    tbytes = _TERM_BYTES.get(term)
    if tbytes is None:
        if len(_TERM_BYTES) > _TERM_BYTES_MAX:
            _TERM_BYTES.clear()
        tbytes = _TERM_BYTES[term] = term.encode("utf-8")
    return tbytes


class Text(TEXT):  # type: ignore[misc]
    """Whoosh's ``TEXT`` field, with each term's bytes shared by its postings;
    fields in searchkit's formats are analyzed in one pass into a list."""

    @property
    def direct(self) -> bool:
        """Whether searchkit's writer analyzes this field straight into its postings
        (:meth:`TermCharacters.add_postings`: title and body; the short lead takes :meth:`index`)."""
        return isinstance(self.analyzer, SearchkitTokenizer) and isinstance(self.format, TermCharacters)

    def index(self, value: Any, **kwargs: Any) -> Iterable[tuple[bytes, int, float, bytes]]:
        fmt = self.format
        if isinstance(self.analyzer, SearchkitTokenizer) and isinstance(value, str) and not kwargs:
            if isinstance(fmt, (TermCharacters, LeadFrequency)):
                return fmt.term_values(value, self.analyzer.analyzer)
        kwargs.setdefault("mode", "index")
        return ((_term_bytes(term), freq, weight, vbytes)
                for term, freq, weight, vbytes in fmt.word_values(value, self.analyzer, **kwargs))


class LeadFrequency(Frequency):  # type: ignore[misc]
    """Whoosh's ``Frequency`` format for the ``lead`` field (the opening of
    the body): its terms are taken from the body's analysis, which Whoosh ran
    just before (fields are indexed in name order: body, …, lead)."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[tuple[str, int, float, bytes]]:
        if not isinstance(analyzer, SearchkitTokenizer) or not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        for tbytes, freq, weight, vbytes in self.term_values(value, analyzer.analyzer):
            yield tbytes.decode("utf-8"), freq, weight, vbytes

    def term_values(self, value: str, analyzer: Analyzer) -> list[tuple[bytes, int, float, bytes]]:
        """``(term bytes, freq, weight, value)`` of each term of ``value``; terms are shared bytes."""
        freqs: defaultdict[str, int] = defaultdict(int)
        for term, _, _, _ in analyzer.prefix_terms(value):
            freqs[term] += 1
        fb = self.field_boost
        return [(_term_bytes(term), freq, freq if fb == 1.0 else freq * fb, pack_uint(freq)) for term, freq in freqs.items()]
