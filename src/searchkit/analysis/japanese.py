"""The Japanese path: MeCab (fugashi + unidic-lite) morphemes to terms.

This is the only module that imports fugashi. One Tagger is created lazily per
thread (MeCab taggers are not thread-safe, and fugashi reuses node memory on
the next parse), so analyzers stay plain configuration that pickles.

Term choice per part of speech (UniDic 2.1.2, as shipped in unidic-lite 1.0.8):

* proper nouns (``固有名詞``) keep their written base form: UniDic's ``lemma``
  field turns them into katakana readings (東京 → トウキョウ, 小泉 → コイズミ),
  which would merge unrelated names that sound alike;
* other words use ``lemma`` so inflections and spelling variants meet
  (使った → 使う, 子ども → 子供, コンピュータ → コンピューター), with the
  English gloss UniDic appends to loanwords removed (``コンピューター-computer``);
* unknown words (no lemma) keep their surface;
* katakana terms of four or more characters lose one trailing long-vowel mark
  (コンピューター and コンピュータ become コンピュータ), as Lucene's
  JapaneseKatakanaStemFilter does.

Dropped: particles, auxiliary verbs, whitespace, fillers, conjunctions,
punctuation, and the lemmas in ``data/stopwords_ja.txt``. UniDic tags Korean,
Thai and emoji as symbols (``補助記号``) too, so a symbol is dropped only when
every character of it is punctuation or a symbol by Unicode category.
"""

from __future__ import annotations

import csv
import threading
import unicodedata
from collections.abc import Iterator
from importlib import resources
from typing import Any

from ..errors import AnalysisError, DictionaryNotFound

__all__ = ["DICTIONARY", "Morpheme", "morphemes"]

DICTIONARY = "unidic-lite"

_DROP_POS1 = frozenset({"助詞", "助動詞", "空白", "接続詞", "感動詞"})
_SYMBOL_POS1 = frozenset({"補助記号", "記号"})
_DROP_CATEGORIES = frozenset({"Po", "Ps", "Pe", "Pi", "Pf", "Pd", "Pc", "Sm", "Sc", "Sk", "Zs", "Cc", "Cf"})


def _load(name: str) -> frozenset[str]:
    text = resources.files(__package__).joinpath("data", name).read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


STOP_LEMMAS = _load("stopwords_ja.txt")

#: (surface, lemma, tag, start, end, keep) — start/end index the parsed string.
Morpheme = tuple[str, str, str, int, int, bool]

_local = threading.local()


def _tagger() -> Any:
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        try:
            import fugashi
            import unidic_lite  # noqa: F401  (fugashi finds it; import checks it is there)
        except ImportError as exc:
            raise DictionaryNotFound(
                "No MeCab dictionary found. Install one: pip install fugashi unidic-lite"
            ) from exc
        try:
            tagger = fugashi.Tagger()
        except RuntimeError as exc:
            raise DictionaryNotFound(f"MeCab could not load unidic-lite: {exc}") from exc
        _local.tagger = tagger
    return tagger


def _is_punctuation(surface: str) -> bool:
    return all(unicodedata.category(c) in _DROP_CATEGORIES for c in surface)


def _is_katakana(term: str) -> bool:
    return all("\u30a1" <= c <= "\u30fc" for c in term)


def _term(surface: str, pos2: str, lemma: str, orth_base: str) -> str:
    if pos2 == "固有名詞" or not lemma:
        term = orth_base or surface
    else:
        dash = lemma.find("-")
        term = lemma[:dash] if dash > 0 and lemma[dash + 1 : dash + 2].isascii() else lemma
    if len(term) >= 4 and term[-1] == "ー" and _is_katakana(term):
        term = term[:-1]
    return term.lower()


def morphemes(text: str, offset: int = 0) -> Iterator[Morpheme]:
    """Yield every morpheme of ``text`` with a flag saying whether it is kept.

    Offsets are into ``text`` plus ``offset``. ``text`` must not contain NUL
    (normalization turns it into a space).
    """
    try:
        nodes = _tagger()(text)
    except (RuntimeError, UnicodeError) as exc:
        raise AnalysisError(f"MeCab failed on a text of {len(text)} characters: {exc}") from exc
    pos = 0
    for node in nodes:
        # Read everything now: fugashi nodes point into memory the next parse reuses.
        surface = node.surface
        raw = node.feature_raw
        pos += len(node.white_space)
        start = pos
        pos += len(surface)
        fields = next(csv.reader([raw])) if '"' in raw else raw.split(",")
        pos1 = fields[0]
        pos2 = fields[1] if len(fields) > 1 else "*"
        lemma = fields[7] if len(fields) > 7 and fields[7] != "*" else ""
        orth_base = fields[10] if len(fields) > 10 and fields[10] != "*" else ""
        tag = f"{pos1}-{pos2}" if pos2 != "*" else pos1
        if pos1 in _DROP_POS1 or (pos1 in _SYMBOL_POS1 and _is_punctuation(surface)):
            yield surface, lemma or surface, tag, offset + start, offset + pos, False
            continue
        term = _term(surface, pos2, lemma, orth_base)
        keep = term not in STOP_LEMMAS
        yield surface, term, tag, offset + start, offset + pos, keep
