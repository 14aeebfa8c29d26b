"""The English (Latin-script) path: words, case folding, stop words, stemming.

Also used for any script MeCab does not know (Hangul, Thai…) in text without
Japanese: words are runs of word characters; emoji and other pictographs are
single-character terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

import snowballstemmer

__all__ = ["MAX_TERM_CHARS", "english_terms", "english_words", "stem", "STOP_WORDS"]

#: Longer "words" (a 200,000-character line without spaces) are cut into
#: pieces of this length rather than indexed as one huge term.
MAX_TERM_CHARS = 64

# \w misses the vowel and tone marks of Thai and other Brahmic scripts (Mn/Mc),
# which would cut their words apart.
_MARKS = "\u0300-\u036f\u0900-\u0903\u093a-\u094f\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd"
_WORD = re.compile(
    rf"[\w{_MARKS}]+(?:['’.][\w{_MARKS}]+)*|[\u2600-\u27bf\U0001f000-\U0001faff]"
)
_POSSESSIVE = re.compile(r"['’]s$")
_STEMMER = snowballstemmer.stemmer("english")


def _load(name: str) -> frozenset[str]:
    text = resources.files(__package__).joinpath("data", name).read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


STOP_WORDS = _load("stopwords_en.txt")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Porter2 (Snowball English) stem of a lower-case word; digits are kept as is."""
    if not word.isalpha():
        return word
    return str(_STEMMER.stemWord(word))


#: Term of each word as written (None: a stop word), so a repeated word costs
#: one dict lookup; cleared when it grows past :data:`_TERMS_MAX`.
_TERMS: dict[str, str | None] = {}
_TERMS_MAX = 200_000


def _word(surface: str) -> str | None:
    """The word lower-cased, without a possessive or trailing dots; None for a stop word."""
    word = _POSSESSIVE.sub("", surface.lower()).rstrip(".")
    return word if word and word not in STOP_WORDS else None


def _term(surface: str) -> str | None:
    word = _word(surface)
    return stem(word) if word is not None else None


def english_terms(text: str, offset: int, out: list[tuple[str, int, int, str]]) -> None:
    """Append ``(term, start, end, "")`` for each word of ``text`` to ``out``.

    ``start``/``end`` are offsets into ``text`` plus ``offset``. Stop words
    are skipped. Possessive ``'s`` is dropped before stemming. This is the
    indexing hot path (the empty string is the reading a Japanese name has).
    """
    terms = _TERMS
    if len(terms) > _TERMS_MAX:
        terms.clear()
    append = out.append
    for m in _WORD.finditer(text):
        surface = m.group()
        try:
            term = terms[surface]
        except KeyError:
            if len(surface) > MAX_TERM_CHARS:
                out.extend(_pieces(surface, offset + m.start()))
                continue
            term = terms[surface] = _term(surface)
        if term is not None:
            start, end = m.span()
            append((term, offset + start, offset + end, ""))


def english_words(text: str, offset: int = 0) -> Iterator[tuple[str, str, int, int]]:
    """Yield ``(term, surface, start, end)`` for each word of ``text`` (:func:`english_terms` with the surface)."""
    out: list[tuple[str, int, int, str]] = []
    english_terms(text, offset, out)
    for term, start, end, _ in out:
        yield term, text[start - offset : end - offset], start, end


def _pieces(surface: str, start: int) -> Iterator[tuple[str, int, int, str]]:
    """A word longer than :data:`MAX_TERM_CHARS`, cut into pieces of that length."""
    word = _word(surface)
    if word is None:
        return
    if len(word) <= MAX_TERM_CHARS:
        yield stem(word), start, start + len(surface), ""
        return
    for i in range(0, len(word), MAX_TERM_CHARS):
        piece = word[i : i + MAX_TERM_CHARS]
        yield piece, start + i, start + i + len(piece), ""
