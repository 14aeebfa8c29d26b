"""Did-you-mean: corrections for queries that find little.

* A Latin word that is not in the index is replaced by the indexed word
  closest to it in edit distance (transpositions count once), preferring
  frequent words: ``minsiter`` → ``minister``. A word that matches articles
  as written is left alone, also when it matches only as the reading of a
  Japanese name (``Ueda`` finds 植田, ``Sato`` 佐藤).
* A kana word is replaced by the Japanese name or loanword indexed with that
  reading: ``こいずみ`` → ``小泉``.

Indexed terms are stems and lemmas, so the suggestion shows the word as it is
written in an article, read from the stored character range of one occurrence.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from ..analysis.english import stem
from ..analysis.names import READING_PREFIX
from ..analysis.readings import kana_query_reading
from ..analysis.romaji import fold_romaji, is_kana

if TYPE_CHECKING:
    from ..stores.base import Reader

__all__ = ["edit_distance", "suggest"]

_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
_KANA_WORD = re.compile(r"[\u3041-\u3096\u30a1-\u30fcー]{2,}")


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Optimal string alignment distance (Damerau-Levenshtein without re-edits), capped at ``limit``."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) >= limit:
            return limit
        prev2, prev = prev, cur
    return min(prev[-1], limit)


def _written(reader: Reader, term: str, typed: str) -> str | None:
    """How ``term`` is written in articles: of the first occurrences, the form closest to ``typed``."""
    forms: set[str] = set()
    for written in reader.written("body", term):
        forms.update(w.lower() for w in written)
        if len(forms) >= 20:
            break
    if not forms:
        return None
    return min(forms, key=lambda f: (edit_distance(typed.lower(), f), f))


def _correct_latin(reader: Reader, word: str) -> str | None:
    key = stem(word.lower())
    if reader.doc_frequency("body", key) or reader.doc_frequency("title", key):
        return None
    # A name with hits as written is no typo, also when only its Japanese
    # spelling is there (Ueda → 植田, Sato → 佐藤).
    name = READING_PREFIX + fold_romaji(word)
    if reader.doc_frequency("body", name) or reader.doc_frequency("title", name):
        return None
    best: tuple[int, int, str] | None = None
    for cand in reader.terms_from("body", key[0]):
        if not cand.isalpha() or abs(len(cand) - len(key)) > 2:
            continue
        d = edit_distance(key, cand)
        if d > 2:
            continue
        score = (d, -reader.doc_frequency("body", cand), cand)
        if best is None or score < best:
            best = score
    if best is None:
        return None
    return _written(reader, best[2], word)


def _correct_kana(reader: Reader, word: str) -> str | None:
    key = kana_query_reading(word)
    if not key:
        return None
    seen: Counter[str] = Counter()
    for texts in reader.written("body", READING_PREFIX + key):
        seen.update(texts)
        if sum(seen.values()) >= 50:
            break
    for written, _ in seen.most_common():
        if written != word:
            return written
    return None


def suggest(reader: Reader, query: str) -> str | None:
    """A corrected version of ``query``, or None when no word needs correcting."""
    changed = False

    def latin(m: re.Match[str]) -> str:
        nonlocal changed
        fixed = _correct_latin(reader, m.group())
        if fixed and fixed != m.group().lower():
            changed = True
            return fixed
        return m.group()

    def kana(m: re.Match[str]) -> str:
        nonlocal changed
        if not is_kana(m.group()):
            return m.group()
        fixed = _correct_kana(reader, m.group())
        if fixed:
            changed = True
            return fixed
        return m.group()

    out = _KANA_WORD.sub(kana, _LATIN_WORD.sub(latin, query))
    return out if changed else None
