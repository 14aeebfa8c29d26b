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
from typing import TYPE_CHECKING, Any

from whoosh.query.qcore import TermNotFound

from ._whoosh import READING_PREFIX
from .analysis.english import stem
from .analysis.readings import kana_query_reading
from .analysis.romaji import fold_romaji, is_kana

if TYPE_CHECKING:
    from .index import Index

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


def _written(searcher: Any, term: str, typed: str) -> str | None:
    """How ``term`` is written in articles: of the first occurrences, the form closest to ``typed``."""
    try:
        m = searcher.reader().postings("body", term)
    except TermNotFound:
        return None
    forms: set[str] = set()
    while m.is_active() and len(forms) < 20:
        body = searcher.stored_fields(m.id()).get("body", "")
        forms.update(body[s:e].lower() for _, s, e in m.value_as("characters"))
        m.next()
    if not forms:
        return None
    return min(forms, key=lambda f: (edit_distance(typed.lower(), f), f))


def _correct_latin(searcher: Any, word: str) -> str | None:
    reader = searcher.reader()
    key = stem(word.lower())
    if reader.doc_frequency("body", key) or reader.doc_frequency("title", key):
        return None
    # A name with hits as written is no typo, also when only its Japanese
    # spelling is there (Ueda → 植田, Sato → 佐藤).
    name = READING_PREFIX + fold_romaji(word)
    if reader.doc_frequency("body", name) or reader.doc_frequency("title", name):
        return None
    best: tuple[int, int, str] | None = None
    for raw in reader.expand_prefix("body", key[0]):
        cand = raw.decode("utf-8") if isinstance(raw, bytes) else raw
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
    return _written(searcher, best[2], word)


def _correct_kana(searcher: Any, word: str) -> str | None:
    key = kana_query_reading(word)
    if not key:
        return None
    try:
        m = searcher.reader().postings("body", READING_PREFIX + key)
    except TermNotFound:
        return None
    seen: Counter[str] = Counter()
    while m.is_active() and sum(seen.values()) < 50:
        body = searcher.stored_fields(m.id()).get("body", "")
        for _, start, end in m.value_as("characters"):
            seen[body[start:end]] += 1
        m.next()
    for written, _ in seen.most_common():
        if written != word:
            return written
    return None


def suggest(index: Index, query: str) -> str | None:
    """A corrected version of ``query``, or None when no word needs correcting."""
    searcher = index._searcher()
    changed = False

    def latin(m: re.Match[str]) -> str:
        nonlocal changed
        fixed = _correct_latin(searcher, m.group())
        if fixed and fixed != m.group().lower():
            changed = True
            return fixed
        return m.group()

    def kana(m: re.Match[str]) -> str:
        nonlocal changed
        if not is_kana(m.group()):
            return m.group()
        fixed = _correct_kana(searcher, m.group())
        if fixed:
            changed = True
            return fixed
        return m.group()

    out = _KANA_WORD.sub(kana, _LATIN_WORD.sub(latin, query))
    return out if changed else None
