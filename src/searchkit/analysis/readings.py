"""Romaji reading keys for names, so 小泉進次郎 and "Shinjiro Koizumi" meet.

Japanese text gets one key per proper noun and katakana loanword, from UniDic's
kana reading converted by :func:`~searchkit.analysis.romaji.kana_to_romaji`;
Latin-script text gets one key per capitalized word, folded by
:func:`~searchkit.analysis.romaji.fold_romaji`. A key is lower-case ASCII
(``koizumi``, ``shinjiro``, ``tokyo``), with offsets into the original text in
code points, so it can be indexed at the position of the word it came from.

Which Japanese words give a key (UniDic 2.1.2 as shipped in unidic-lite):

* proper nouns (``pos2 == 固有名詞``): people, places, organizations, other
  names. Person names are separate morphemes in UniDic, so 小泉進次郎 gives
  ``koizumi`` (family, ``pos4 == 姓``) and ``shinjiro`` (given, ``名``);
* loanwords: nouns whose word origin (``goshu``) is ``外``, and nouns whose
  surface is all katakana (including words MeCab does not know);
* nothing else: common nouns never give a key (会 does not give ``kai``), nor
  do morphemes without kana or kanji (``ASEAN`` is left to the Latin path).

The reading is UniDic's ``kana`` field (index 17): the reading of the form as
written (ヴァイオリン stays ヴァイオリン, where ``pron`` says バイオリン).
Feature indexes in unidic-lite's ``dicrc``: pos1=0, pos2=1, pos3=2, pos4=3,
lemma=7, orthBase=10, goshu=12, kana=17. Words MeCab does not know have only
six features (no goshu, no reading); for them the surface is the reading when
it is all kana.

UniDic gives one reading per word, and for some names it is not the one the
person uses: 菅 is カン (``kan``: right for 菅直人, wrong for 菅義偉, Suga),
文雄 is ブンユウ (``bunyu``, not Fumio for 岸田文雄), 日本 is ニッポン. In the
seed page's 安圭伯, 安 is a family name (アン, ``an``), 圭 a given name
(ケイ, ``kei``) and 伯 a common noun (no key); none of it meets the Korean
romanization "Ahn Gyu-back": that is what :mod:`searchkit.query.aliases` is for.

Japanese readings come from the analyzer's MeCab pass
(:mod:`searchkit.analysis.japanese` prints the kana and word origin of every
morpheme and calls :func:`morpheme_reading` once per distinct output line),
so indexing parses each text once. The readings of a whole text, for
display and for the alias table, are in :mod:`searchkit.analysis.names`,
which runs the analyzer (this module stays below it: the analyzer uses it).
"""

from __future__ import annotations

import re

from .english import STOP_WORDS
from .normalize import normalize
from .romaji import fold_romaji, is_kana, kana_to_romaji

__all__ = ["kana_query_reading", "latin_name_keys", "morpheme_reading"]


_JAPANESE_CHAR = re.compile(r"[\u3041-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005-\u3007]")

_PERSON_KIND = {"姓": "family", "名": "given"}
_PROPER_KIND = {"人名": "person", "地名": "place", "組織名": "organization"}


def _is_katakana(surface: str) -> bool:
    return all("\u30a1" <= c <= "\u30fa" or c == "ー" for c in surface)


def morpheme_reading(surface: str, pos1: str, pos2: str, pos3: str, pos4: str, goshu: str,
                     kana: str) -> tuple[str | None, str]:
    """The reading key and kind of one MeCab morpheme, or ``(None, "")``.

    Arguments are UniDic features 0, 1, 2, 3, 12 and 17 (empty or ``*`` when
    absent, as for unknown words). A tokenizer that already runs MeCab can
    print these fields too and call this per distinct output line instead of
    parsing the text a second time.

    Example:
        >>> morpheme_reading("小泉", "名詞", "固有名詞", "人名", "姓", "固", "コイズミ")
        ('koizumi', 'family')
        >>> morpheme_reading("会", "名詞", "普通名詞", "一般", "*", "漢", "カイ")
        (None, '')
    """
    if pos1 != "名詞" or not _JAPANESE_CHAR.search(surface):
        return None, ""
    if pos2 == "固有名詞":
        kind = _PERSON_KIND.get(pos4, "") if pos3 == "人名" else ""
        kind = kind or _PROPER_KIND.get(pos3, "proper")
    elif goshu == "外" or (len(surface) > 1 and _is_katakana(surface)):
        kind = "loanword"
    else:
        return None, ""
    if not kana or kana == "*":
        if not is_kana(surface):  # an unknown word in kanji: no reading
            return None, ""
        kana = surface
    key = kana_to_romaji(kana)
    return (key or None), kind


# -- public API ----------------------------------------------------------------


# A Latin word: letters (Latin-1 and Latin Extended too), with inner
# apostrophes (Ken'ichi). Hyphens separate words.
_LATIN_WORD = re.compile(
    r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]+"
    r"(?:['’][A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]+)*"
)
_POSSESSIVE = re.compile(r"['’][sS]$")


def latin_name_keys(text: str, *, capitalized_only: bool = True) -> list[tuple[str, int, int]]:
    """``(key, start, end)`` for Latin-script words of ``text``, folded with :func:`fold_romaji`.

    Args:
        capitalized_only: keep only words that start with a capital letter
            (names in running English text). Pass False for query text, where
            users type names in lower case.

    English stop words (The, In…) and one-letter words give no key; a
    possessive ``'s`` is dropped (Koizumi's → koizumi).

    Example:
        >>> latin_name_keys("Japan's Shinjiro Koizumi met Ahn")
        [('japan', 0, 7), ('shinjiro', 8, 16), ('koizumi', 17, 24), ('ahn', 29, 32)]
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    folded, omap = normalize(text)
    out: list[tuple[str, int, int]] = []
    for m in _LATIN_WORD.finditer(folded):
        word = m.group()
        if capitalized_only and not word[0].isupper():
            continue
        bare = _POSSESSIVE.sub("", word)
        if bare.lower() in STOP_WORDS:
            continue
        key = fold_romaji(bare)
        if len(key) < 2:
            continue
        s, e = m.span()
        if omap:
            s, e = omap.start(s), omap.end(e)
        out.append((key, s, e))
    return out


def kana_query_reading(query: str) -> str | None:
    """The romaji key of a query written only in kana, else None.

    Spaces and ・ are ignored. MeCab is not involved: the whole query is read
    as one word, so こいずみ gives ``koizumi`` even where MeCab would split it.

    Example:
        >>> kana_query_reading("こいずみ"), kana_query_reading("シンジロー"), kana_query_reading("小泉")
        ('koizumi', 'shinjiro', None)
    """
    folded, _ = normalize(query)
    compact = "".join(folded.split()).replace("・", "")
    if not is_kana(compact):
        return None
    return kana_to_romaji(compact) or None
