"""The bilingual analyzer: normalize, split by script, segment, choose terms.

The chain, in order (index and query text take the same path):

1. :func:`~searchkit.analysis.normalize.normalize` — NFKC, old kanji forms, control characters,
   keeping an offset map back to the original text;
2. script split — text without kana or kanji goes to the English path whole;
   in Japanese text each run that starts with a Latin letter (``ASEAN``,
   ``U.S.-China rivalry``) takes the English path and the rest goes to MeCab,
   so an all-kanji string is always Japanese;
3. :mod:`~searchkit.analysis.japanese` (MeCab morphemes → lemma / base form,
   POS stop filter) and :mod:`~searchkit.analysis.english` (lower case, stop
   words, Snowball stemmer);
4. positions are numbered over the kept terms, so they are consecutive and
   phrase queries work in both languages.

An :class:`Analyzer` holds only configuration; it pickles small and is safe to
send to worker processes (Whoosh stores it in the index, and parallel writers
pickle it).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

from .english import english_terms, english_words
from .japanese import DICTIONARY, japanese_terms, morphemes
from .normalize import normalize
from .token import Token
from .userdict import UserDictionary

__all__ = ["Analyzer", "DICTIONARY"]

_JAPANESE = re.compile(r"[\u3041-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005-\u3007\u30f6]")
# A run of Latin-script text inside Japanese: starts with a letter, runs through
# printable ASCII and Latin-1/Extended letters, ends at a letter or digit.
_LATIN_RUN = re.compile(
    r"[A-Za-z\u00c0-\u024f](?:[\x20-\x7e\u00c0-\u024f]*[A-Za-z0-9\u00c0-\u024f])?"
)
# MeCab builds a lattice over a whole input; very long inputs are cut at a
# sentence end (failing that, after a space or comma; failing that, hard) to
# keep memory bounded.
_MECAB_CHUNK = 20_000
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_PAUSE = re.compile(r"[\s、，,]")
#: Characters a hard cut should not fall between (a number, a kanji or katakana word).
_JOINING = re.compile(r"[\u3400-\u9fff\u30a0-\u30ff0-9０-９〇○]")
#: This thread's last (text, index_terms) pair, for :meth:`Analyzer.prefix_terms`.
_last = threading.local()


def _chunks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while end - start > _MECAB_CHUNK:
        cut = start + _MECAB_CHUNK
        last = None
        for end_of in (_SENTENCE_END, _PAUSE):
            for m in end_of.finditer(text, start + _MECAB_CHUNK // 2, cut):
                last = m.end()
            if last:
                break
        if not last:  # a hard cut: stepped back out of a number or word, if one ends near
            back = cut
            while back > cut - 100 and _JOINING.match(text, back - 1) and _JOINING.match(text, back):
                back -= 1
            last = back if back > cut - 100 else None
        cut = last or cut
        yield start, cut
        start = cut
    if end > start:
        yield start, end


class Analyzer:
    """Turns Japanese, English or mixed text into terms with exact offsets.

    It has no options yet; ``version`` changes when the terms it produces do
    (an index records it, and one made by another version must be rebuilt).
    Version 2: UniDic senses cut from lemmas (円-助数詞 → 円). Version 3: old and
    variant kanji forms folded (齋藤 → 斎藤). Version 4: numbers written in kanji
    become digits (三人 → 3 人). Version 5: numbers read in context (二三人 and
    八九割 are ranges, 一二月 is December; 〇 alone, 〇〇 and ○○ are words; ひとつ
    is 1 つ as 一つ, ご時世 stays words).

    Example:
        >>> [t.term for t in Analyzer().tokens("小泉防衛相が会談した")]
        ['小泉', '防衛', '相', '会談']
    """

    version = 5
    #: Words MeCab keeps whole (:mod:`searchkit.analysis.userdict`); analyzers
    #: pickled before there were user dictionaries have none.
    user_dictionary: UserDictionary | None = None

    def __init__(self, user_dictionary: UserDictionary | None = None) -> None:
        if user_dictionary is not None:
            self.user_dictionary = user_dictionary

    @property
    def user_dictionary_id(self) -> str | None:
        """``name (digest)`` of the user dictionary, or None."""
        ud = self.user_dictionary
        return None if ud is None else f"{ud.name} ({ud.digest})"

    def _userdic(self) -> str | None:
        ud = self.user_dictionary
        return None if ud is None else ud.compiled()

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Analyzer) and other.version == self.version
                and other.user_dictionary_id == self.user_dictionary_id)

    def __hash__(self) -> int:
        return hash((Analyzer, self.version, self.user_dictionary_id))

    def __repr__(self) -> str:
        user = f", user_dictionary={self.user_dictionary_id!r}" if self.user_dictionary is not None else ""
        return f"Analyzer(version={self.version}, dictionary={DICTIONARY!r}{user})"

    def _segments(self, text: str) -> Iterator[tuple[str, int, int]]:
        """Yield ``(kind, start, end)`` runs of normalized text: kind is ``en`` or ``ja``."""
        if not _JAPANESE.search(text):
            yield "en", 0, len(text)
            return
        last = 0
        for m in _LATIN_RUN.finditer(text):
            if m.start() > last:
                yield from (("ja", a, b) for a, b in _chunks(text, last, m.start()))
            yield "en", m.start(), m.end()
            last = m.end()
        if last < len(text):
            yield from (("ja", a, b) for a, b in _chunks(text, last, len(text)))

    def morphemes(self, text: str) -> Iterator[tuple[str, str, str, int, int, bool, str]]:
        """Yield ``(surface, term, tag, start, end, kept, reading)`` for every word, dropped ones too.

        Offsets are code points into the original ``text``; ``reading`` is the
        romaji key of a Japanese proper noun or loanword (小泉 → ``koizumi``), else "".
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        folded, omap = normalize(text)
        userdic = self._userdic()
        for kind, a, b in self._segments(folded):
            if kind == "en":
                items: Iterator[tuple[str, str, str, int, int, bool, str]] = (
                    (surface, term, "en-word", s, e, True, "")
                    for term, surface, s, e in english_words(folded[a:b], a)
                )
            else:
                items = morphemes(folded[a:b], a, folded[a - 1] if a else "", userdic)
            for surface, term, tag, s, e, keep, reading in items:
                if omap:
                    s, e = omap.start(s), omap.end(e)
                yield surface, term, tag, s, e, keep, reading

    def terms(self, text: str) -> list[tuple[str, int, int]]:
        """Return ``(term, start, end)`` of the kept terms; positions are list indexes."""
        return [(term, s, e) for term, s, e, _ in self.index_terms(text)]

    def index_terms(self, text: str) -> list[tuple[str, int, int, str]]:
        """Return ``(term, start, end, reading)`` of the kept terms; positions are list indexes.

        This is the fast path used for indexing.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        folded, omap = normalize(text)
        out: list[tuple[str, int, int, str]] = []
        userdic = self._userdic()
        for kind, a, b in self._segments(folded):
            if kind == "en":
                english_terms(folded[a:b], a, out)
            else:
                japanese_terms(folded[a:b], a, out, folded[a - 1] if a else "", userdic)
        if omap:
            start, end = omap.start, omap.end
            out = [(term, start(s), end(e), r) for term, s, e, r in out]
        _last.analyzed = (text, out, self.user_dictionary_id)
        return out

    def prefix_terms(self, text: str) -> list[tuple[str, int, int, str]]:
        """:meth:`index_terms` of ``text``, reusing this thread's last analysis when ``text`` begins it.

        An article's ``lead`` (the opening of its body) is indexed right after
        the body, so its terms are the body's first ones: no second MeCab pass.
        """
        last = getattr(_last, "analyzed", None)
        if last is not None and last[2] == self.user_dictionary_id and last[0].startswith(text):
            n = len(text)
            return [t for t in last[1] if t[2] <= n]
        return self.index_terms(text)

    def tokens(self, text: str) -> list[Token]:
        """Return the kept terms as :class:`Token` values (for display and queries)."""
        out: list[Token] = []
        for surface, term, tag, s, e, keep, reading in self.morphemes(text):
            if keep:
                out.append(Token(term, s, e, len(out), surface, term, tag, reading))
        return out
