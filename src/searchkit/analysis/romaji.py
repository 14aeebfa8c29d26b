"""Kana to Hepburn romaji, and the folding that lets Latin spellings meet it.

Both functions produce a *romaji key*: lower-case ASCII letters, long vowels
folded, no apostrophes, macrons or hyphens. An English article writing
"Shinjiro Koizumi", a user typing "Kôizumi" or "Shinjirou", and UniDic's
reading of 小泉進次郎 (コイズミ シンジロウ) all give ``koizumi`` / ``shinjiro``.

:func:`kana_to_romaji` transliterates kana (modified Hepburn: シ shi, チ chi,
ツ tsu, フ fu, ジ/ヂ ji, ズ/ヅ zu, ヲ o) and then applies :func:`fold_romaji`,
so for any kana ``k``, ``fold_romaji(kana_to_romaji(k)) == kana_to_romaji(k)``.

The folding rules (applied left to right, repeated until nothing changes):

* ``ou``, ``oo`` → ``o`` and ``uu`` → ``u`` (トウキョウ → tokyo, オオサカ →
  osaka, ユウキ → yuki), except ``ou`` before ``e``, which is kept because
  that ``u`` almost always starts the next syllable (イノウエ → inoue);
* ``oh`` before a consonant other than ``y``, or at the end of a word, → ``o``
  (Ohno → ono, Kohno → kono; Ohashi and Kohei are untouched);
* the prolonged sound mark ー is dropped (イチロー → ichiro);
* ``m`` before ``b``/``p`` → ``n`` (Shimbun, Namba → shinbun, nanba), the
  same as ン, which is always ``n``;
* ``cch`` → ``tch`` (ッチ is ``tch`` in Hepburn; some spellings use ``cch``);
* ``aa``, ``ii``, ``ee`` and ``ei`` are kept: Hepburn writes them out
  (ケイ → kei, ニイガタ → niigata).

Folding loses information on purpose: 大内 (オオウチ, Ōuchi) and "Ouchi" both
become ``ochi``, and ユウウツ becomes ``yutsu``; what matters is that both
scripts give the same key. Limits: Western names written in katakana
(トランプ → ``toranpu``) do not meet their English spelling ("Trump"), nor
do names whose usual romanization is not Hepburn ("Ahn"); an alias table
covers those.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["fold_romaji", "is_kana", "kana_to_romaji", "to_katakana"]

# -- kana tables ---------------------------------------------------------------

_BASIC = {
    "ア": "a", "イ": "i", "ウ": "u", "エ": "e", "オ": "o",
    "カ": "ka", "キ": "ki", "ク": "ku", "ケ": "ke", "コ": "ko",
    "ガ": "ga", "ギ": "gi", "グ": "gu", "ゲ": "ge", "ゴ": "go",
    "サ": "sa", "シ": "shi", "ス": "su", "セ": "se", "ソ": "so",
    "ザ": "za", "ジ": "ji", "ズ": "zu", "ゼ": "ze", "ゾ": "zo",
    "タ": "ta", "チ": "chi", "ツ": "tsu", "テ": "te", "ト": "to",
    "ダ": "da", "ヂ": "ji", "ヅ": "zu", "デ": "de", "ド": "do",
    "ナ": "na", "ニ": "ni", "ヌ": "nu", "ネ": "ne", "ノ": "no",
    "ハ": "ha", "ヒ": "hi", "フ": "fu", "ヘ": "he", "ホ": "ho",
    "バ": "ba", "ビ": "bi", "ブ": "bu", "ベ": "be", "ボ": "bo",
    "パ": "pa", "ピ": "pi", "プ": "pu", "ペ": "pe", "ポ": "po",
    "マ": "ma", "ミ": "mi", "ム": "mu", "メ": "me", "モ": "mo",
    "ヤ": "ya", "ユ": "yu", "ヨ": "yo",
    "ラ": "ra", "リ": "ri", "ル": "ru", "レ": "re", "ロ": "ro",
    "ワ": "wa", "ヰ": "i", "ヱ": "e", "ヲ": "o", "ン": "n",
    "ヴ": "vu", "ヵ": "ka", "ヶ": "ke",
    # small vowels and ya/yu/yo/wa on their own (after a consonant they are
    # handled as digraphs below)
    "ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o",
    "ャ": "ya", "ュ": "yu", "ョ": "yo", "ヮ": "wa",
}

# Two-kana combinations (a kana plus a small kana).
_DIGRAPHS: dict[str, str] = {}


def _add_yoon() -> None:
    rows = {
        "キ": "ky", "ギ": "gy", "シ": "sh", "ジ": "j", "チ": "ch", "ヂ": "j",
        "ニ": "ny", "ヒ": "hy", "ビ": "by", "ピ": "py", "ミ": "my", "リ": "ry",
    }
    for kana, onset in rows.items():
        for small, vowel in (("ャ", "a"), ("ュ", "u"), ("ョ", "o")):
            _DIGRAPHS[kana + small] = onset + vowel
    _DIGRAPHS.update({
        # extended katakana for loanwords
        "シェ": "she", "ジェ": "je", "チェ": "che", "ヂェ": "je",
        "ティ": "ti", "ディ": "di", "トゥ": "tu", "ドゥ": "du",
        "テュ": "tyu", "デュ": "dyu",
        "ツァ": "tsa", "ツィ": "tsi", "ツェ": "tse", "ツォ": "tso",
        "ファ": "fa", "フィ": "fi", "フェ": "fe", "フォ": "fo", "フュ": "fyu",
        "ウィ": "wi", "ウェ": "we", "ウォ": "wo",
        "ヴァ": "va", "ヴィ": "vi", "ヴェ": "ve", "ヴォ": "vo", "ヴュ": "vyu",
        "クァ": "kwa", "クィ": "kwi", "クェ": "kwe", "クォ": "kwo", "クヮ": "kwa",
        "グァ": "gwa", "グヮ": "gwa",
        "イェ": "ye", "スィ": "si", "ズィ": "zi",
        "キェ": "kye", "ニェ": "nye", "ヒェ": "hye",
    })


_add_yoon()

_SOKUON = "ッ"
_CHOON = "ー"
_ITERATION = {"ヽ": False, "ヾ": True}  # repeat the previous kana (voiced for ヾ)
_VOICED = str.maketrans("カキクケコサシスセソタチツテトハヒフヘホ", "ガギグゲゴザジズゼゾダヂヅデドバビブベボ")


def to_katakana(text: str) -> str:
    """Hiragana (ぁ–ゖ, ゝゞ) to katakana; everything else unchanged."""
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" or c in "ゝゞ" else c for c in text)


def is_kana(text: str) -> bool:
    """True when ``text`` is non-empty and only kana (hiragana, katakana, ー, ・)."""
    return bool(text) and all(
        "\u3041" <= c <= "\u3096" or "\u30a1" <= c <= "\u30fa" or c in "ーゝゞヽヾ・"
        for c in text
    )


# -- folding -------------------------------------------------------------------

# One alternation, matched left to right, so a vowel is lengthened only once.
_FOLD = re.compile(r"ou(?!e)|oo|uu|oh(?=[^aeiouy]|$)|m(?=[bp])|cch")
_FOLD_TO = {"ou": "o", "oo": "o", "uu": "u", "oh": "o", "m": "n", "cch": "tch"}
# Apostrophes and hyphens inside a word (Ken'ichi, Gyu-back) are dropped.
_DROP = re.compile(r"['’‘`´ʼ\-‐‑‒–—・]")
_LETTERS = re.compile(r"[^a-z0-9]")


def _fold_ascii(text: str) -> str:
    # Repeat to a fixed point, so folding a key again never changes it
    # (oouchi → ouchi → ochi).
    while True:
        folded = _FOLD.sub(lambda m: _FOLD_TO[m.group()], text)
        if folded == text:
            return folded
        text = folded


@lru_cache(maxsize=65_536)
def fold_romaji(text: str) -> str:
    """Fold a Latin-script word the way :func:`kana_to_romaji` folds its output.

    Lower-cases, removes diacritics (ō, ô, ū, û → o, u), drops apostrophes and
    hyphens, keeps only ``a-z`` and digits, and folds long vowels (see the
    module docstring).

    Example:
        >>> [fold_romaji(w) for w in ("Koizumi", "Kôizumi", "Shinjirou", "Ōhno", "Ken'ichi")]
        ['koizumi', 'koizumi', 'shinjiro', 'ono', 'kenichi']
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    lowered = _DROP.sub("", stripped.casefold())
    # ß, æ, ø… have no ASCII decomposition; map the common ones, drop the rest.
    lowered = lowered.replace("ß", "ss").replace("æ", "ae").replace("ø", "o").replace("œ", "oe")
    return _fold_ascii(_LETTERS.sub("", lowered))


@lru_cache(maxsize=65_536)
def kana_to_romaji(kana: str) -> str:
    """Katakana or hiragana to a folded Hepburn romaji key.

    Characters that are not kana are kept when they are ASCII letters or
    digits (lower-cased) and dropped otherwise (・, spaces, punctuation).

    Example:
        >>> [kana_to_romaji(k) for k in ("シンジロウ", "コイズミ", "とうきょう", "マッチ", "ヴァイオリン")]
        ['shinjiro', 'koizumi', 'tokyo', 'matchi', 'vaiorin']
    """
    text = to_katakana(unicodedata.normalize("NFKC", kana))
    out: list[str] = []
    geminate = False
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        pair = text[i : i + 2]
        if len(pair) == 2 and pair in _DIGRAPHS:
            syllable = _DIGRAPHS[pair]
            i += 2
        elif c in _BASIC:
            syllable = _BASIC[c]
            i += 1
        elif c == _SOKUON:
            geminate = True
            i += 1
            continue
        elif c == _CHOON:
            i += 1
            continue
        elif c in _ITERATION:
            prev = text[i - 1] if i else ""
            if prev in _ITERATION or not prev:
                i += 1
                continue
            prev = prev.translate(_VOICED) if _ITERATION[c] else prev
            syllable = _BASIC.get(prev, "")
            i += 1
        else:
            i += 1
            low = c.lower()
            if low.isascii() and low.isalnum():
                out.append(low)
            geminate = False
            continue
        if geminate:
            if syllable.startswith("ch"):
                syllable = "t" + syllable  # ッチ → tchi
            elif syllable[0] not in "aeioun":
                syllable = syllable[0] + syllable
            geminate = False
        out.append(syllable)
    return _fold_ascii("".join(out))
