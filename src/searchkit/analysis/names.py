"""The reading keys of a whole text: names in either script, for display and aliases.

Built on the analyzer's MeCab pass (:mod:`.japanese`) for Japanese words and
on :func:`.readings.latin_name_keys` for Latin ones; see :mod:`.readings` for
which words give a key and how.
"""

from __future__ import annotations

from typing import NamedTuple

from .analyzer import Analyzer
from .japanese import name_readings as japanese_readings
from .normalize import normalize
from .readings import kana_query_reading, latin_name_keys

__all__ = ["READING_PREFIX", "Reading", "name_readings", "reading_keys", "readings"]

#: Reading keys of Japanese names are indexed beside the word, at its position
#: and character range, as ``r:koizumi``; no analyzed term contains ":".
READING_PREFIX = "r:"


class Reading(NamedTuple):
    """One reading key with where it came from.

    ``kind`` is ``family``, ``given`` or ``person`` (a person name UniDic does
    not split, or an unknown katakana name), ``place``, ``organization``,
    ``proper`` (another proper noun), ``loanword`` or ``latin``.
    """

    key: str
    start: int
    end: int
    surface: str
    kind: str


def _japanese_readings(folded: str) -> list[tuple[str, int, int, str]]:
    """``(key, start, end, kind)`` over already-normalized text (normalized offsets).

    Uses the analyzer's own MeCab pass (:mod:`.japanese`), which reads the
    kana and word origin of every morpheme along with its lemma.
    """
    out: list[tuple[str, int, int, str]] = []
    for kind, a, b in Analyzer()._segments(folded):
        if kind == "ja":
            out.extend(japanese_readings(folded[a:b], a))
    return out


def readings(text: str) -> list[Reading]:
    """Every reading key of the Japanese words in ``text``, with surface and kind.

    Offsets are code points into ``text``; ``surface`` is ``text[start:end]``.

    Example:
        >>> [(r.key, r.surface, r.kind) for r in readings("小泉進次郎防衛相")]
        [('koizumi', '小泉', 'family'), ('shinjiro', '進次郎', 'given')]
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    folded, omap = normalize(text)
    out = []
    for key, s, e, kind in _japanese_readings(folded):
        if omap:
            s, e = omap.start(s), omap.end(e)
        out.append(Reading(key, s, e, text[s:e], kind))
    return out


def name_readings(text: str) -> list[tuple[str, int, int]]:
    """``(romaji, start, end)`` for each proper noun and katakana loanword of ``text``.

    Example:
        >>> name_readings("日本の小泉進次郎防衛相と韓国の安圭伯国防相")
        [('nippon', 0, 2), ('koizumi', 3, 5), ('shinjiro', 5, 8), ('kankoku', 12, 14), ('an', 15, 16), ('kei', 16, 17)]
    """
    return [(r.key, r.start, r.end) for r in readings(text)]


def reading_keys(text: str, *, query: bool = False) -> list[tuple[str, int, int]]:
    """All reading keys of mixed Japanese / English text, in text order.

    Japanese words give keys as in :func:`name_readings`, Latin words as in
    :func:`latin_name_keys` (capitalized words only, unless ``query``). With
    ``query`` true, a query written only in kana gives the one key of
    :func:`kana_query_reading` spanning the whole query.

    Example:
        >>> reading_keys("小泉防衛相 met Ahn Gyu-back")
        [('koizumi', 0, 2), ('ahn', 10, 13), ('gyu', 14, 17)]
        >>> reading_keys("koizumi", query=True)
        [('koizumi', 0, 7)]
    """
    if query:
        key = kana_query_reading(text)
        if key is not None:
            stripped = text.strip()
            start = text.find(stripped) if stripped else 0
            return [(key, start, start + len(stripped))]
    keys = name_readings(text) + latin_name_keys(text, capitalized_only=not query)
    keys.sort(key=lambda k: (k[1], k[2]))
    return keys
