"""Did-you-mean: corrections for queries that find little, or that hold a rare typo.

* A Latin word that no article writes as typed is replaced by the indexed
  word one slip away (a swap of neighbours, a neighbouring or extra key, a
  missed key; two edits when none is), scored by the articles it finds with
  the query's other words and the cost of the slip: ``gamng takes`` →
  ``gaming takes``, ``minsiter`` → ``minister``. A word in fewer than
  :data:`RARE_DF` articles is corrected too (also when the query finds
  articles) if the candidate finds :data:`FAR_MORE` times as many with the
  other words (``opne books``). Other words that match articles are left
  alone, also when they match only as the reading of a Japanese name
  (``Ueda`` finds 植田, ``Sato`` 佐藤); so are stop words.
* A kana word is replaced by the Japanese name or loanword indexed with that
  reading: ``こいずみ`` → ``小泉`` (queries that find little only).
* A hiragana word is replaced by the frequent kanji noun read so (two or more
  characters, one of the :data:`TOP_TERMS` commonest body terms, in
  :data:`NOUN_DF` or more articles) when MeCab does not read the word as one
  word (``さいよう``: さい + よう → ``採用``), or reads it as a word of the same
  reading that the noun outnumbers :data:`KANA_MORE` times (``しゅしょう``, read
  as 殊勝 → ``首相``; not ``じしん``, read as 自身, for 地震). Only a word
  typed alone (between spaces) is read so, before names and loanwords
  (``こうはく`` → 紅白, not コハク).

Indexed terms are stems and lemmas, so the suggestion shows the word as it is
written in articles, read from the stored character ranges of occurrences.
"""

from __future__ import annotations

import math
import re
import time
import weakref
from collections import Counter
from typing import TYPE_CHECKING, Any

from ..analysis.english import STOP_WORDS, stem
from ..analysis.japanese import noun_reading, word_reading
from ..analysis.names import READING_PREFIX
from ..analysis.readings import kana_query_reading
from ..analysis.romaji import fold_romaji, is_kana, to_katakana
from ..query.plan import All, AnyOf, Term

if TYPE_CHECKING:
    from ..stores.base import Reader

__all__ = ["edit_distance", "nouns_by_reading", "suggest"]

#: A Latin word that is a whole term (not a piece of O'Leary, Macy's, vol.11).
_LATIN_WORD = re.compile(r"(?<![\w'’.])[A-Za-z]{3,}(?![\w'’]|[.'’]\w)")
_JAPANESE = re.compile(r"[\u3041-\u30ff\u3400-\u9fff]")
_KANA_WORD = re.compile(r"[\u3041-\u3096\u30a1-\u30faー]{2,}")  # not the middle dot ・


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


_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
#: Keys next to each key on a QWERTY keyboard (a slip of the finger).
_NEAR: dict[str, str] = {
    ch: "".join(_ROWS[rr][cc] for rr in (r - 1, r, r + 1) if 0 <= rr < 3
                for cc in (c - 1, c, c + 1) if 0 <= cc < len(_ROWS[rr]) and (rr, cc) != (r, c))
    for r, row in enumerate(_ROWS) for c, ch in enumerate(row)
}
#: Cost of an edit: swapped neighbours and neighbouring keys are the usual slips.
SWAP_COST, NEAR_COST, EDIT_COST = 0.6, 0.8, 1.0
#: Weight of one unit of edit cost against the log of the articles a candidate finds.
COST_WEIGHT = 3.0
#: A word in fewer articles than this may be a typo that some articles share
#: (``opne``); it is corrected only when the candidate finds :data:`FAR_MORE`
#: times as many articles with the other words of the query.
RARE_DF, FAR_MORE = 5, 100
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _variants(word: str) -> dict[str, float]:
    """Spellings one edit from ``word`` (first letter kept), with the cost of the slip that made ``word``."""
    out: dict[str, float] = {}

    def add(v: str, cost: float) -> None:
        if v and cost < out.get(v, 9.0):
            out[v] = cost

    for i in range(1, len(word) + 1):
        if i < len(word):  # an extra key typed: cheaper next to a key it neighbours or repeats
            c = word[i]
            near = any(c == n or c in _NEAR.get(n, "") for n in word[i - 1:i] + word[i + 1:i + 2])
            add(word[:i] + word[i + 1:], NEAR_COST if near else EDIT_COST)
            if i + 1 < len(word) and word[i] != word[i + 1]:
                add(word[:i] + word[i + 1] + word[i] + word[i + 2:], SWAP_COST)
            for ch in _LETTERS:
                if ch != c:
                    add(word[:i] + ch + word[i + 1:], NEAR_COST if c in _NEAR.get(ch, "") else EDIT_COST)
        for ch in _LETTERS:  # a key missed
            add(word[:i] + ch + word[i:], EDIT_COST)
    return out


def _forms(reader: Reader, term: str, want: str = "", limit: int = 200) -> Counter[str]:
    """How ``term`` is written in articles (lower-cased, with counts), from its first
    ``limit`` titles and ``limit`` bodies; stops early once ``want`` is seen."""
    forms: Counter[str] = Counter()
    for field in ("title", "body"):
        for n, written in enumerate(reader.written(field, term)):
            forms.update(w.lower() for w in written)
            if want in forms:
                return forms
            if n + 1 >= limit:
                break
    return forms


def _df(reader: Reader, term: str) -> int:
    return max(reader.doc_frequency("body", term), reader.doc_frequency("title", term))


def _together(reader: Reader, terms: list[str]) -> int:
    """Articles holding every one of ``terms`` (in the body or the title)."""
    if len(terms) == 1:
        return _df(reader, terms[0])
    plan = All([AnyOf([Term("body", t), Term("title", t)]) for t in terms])
    return int(reader.prepare(plan).find(1).total())


def _correct_latin(reader: Reader, word: str, context: list[str], query: str, few_hits: bool = True
                   ) -> str | None:
    """A correction of ``word`` (as written in articles), or None.

    The candidates are the indexed words one slip away (or, when there are
    none, two edits away); each scores ``log(1 + articles with it and the
    other words) - COST_WEIGHT * cost of the slip``. A word with hits is
    corrected only when it is rare (:data:`RARE_DF`) and the best candidate
    finds :data:`FAR_MORE` times as many articles with the other words.
    """
    typed = word.lower()
    key = stem(typed)
    df = _df(reader, key)
    if not df and not few_hits:  # the query found plenty without it: read otherwise (MOET in Japanese text)
        return None
    if df and typed not in _forms(reader, key, typed):
        df = 0  # no article writes it so: the stem of a typo (damag, the stem of damage)
    if df >= RARE_DF or (df and _JAPANESE.search(query)):  # rare: judged only by Latin context
        return None
    # A name with hits as written is no typo, also when only its Japanese
    # spelling is there (Ueda → 植田, Sato → 佐藤).
    if _df(reader, READING_PREFIX + fold_romaji(word)):
        return None
    spellings: dict[str, dict[str, float]] = {}  # candidate term → its spellings one slip away, with the cost
    for v, cost in _variants(typed).items():
        t = stem(v)
        if (t != key or not df) and t.isalpha() and (t in spellings or _df(reader, t)):
            spellings.setdefault(t, {})[v] = cost
    if not spellings:
        for cand in reader.terms_from("body", key[0]):
            if cand.isalpha() and abs(len(cand) - len(key)) <= 2 and cand != key and edit_distance(key, cand) <= 2:
                spellings[cand] = {}
    # Best first; the best is checked against how its word is written in
    # articles (a stem such as movi is no word) and, if it is not, scored again.
    found = {t: _together(reader, [t, *context]) for t in spellings}
    ranked: list[tuple[float, str, str]] = []
    for t, options in spellings.items():
        v, cost = min(options.items(), key=lambda o: (o[1], o[0])) if options else ("", 2.0)
        ranked.append((math.log1p(found[t]) - COST_WEIGHT * cost, t, v))
    checked: set[str] = set()
    while ranked:
        ranked.sort(key=lambda r: (-r[0], r[1]))
        score, t, v = ranked[0]
        if t in checked:
            break
        checked.add(t)
        forms = _forms(reader, t, v)  # v: its cheapest spelling
        written = [(c, -forms[w], w) for w, c in spellings[t].items() if w in forms]
        if written:
            cost, _, v = min(written)
        elif forms:
            v = min(forms, key=lambda f: (edit_distance(typed, f), f))
            cost = max(min(spellings[t].values(), default=2.0), float(edit_distance(typed, v)))
        else:
            ranked.pop(0)
            continue
        ranked[0] = (math.log1p(found[t]) - COST_WEIGHT * cost, t, v)
    if not ranked:
        return None
    _, t, v = ranked[0]
    if df:  # a rare word: corrected when the candidate finds far more articles with the other words
        typed_found = _together(reader, [key, *context])
        if found[t] < (FAR_MORE * typed_found if typed_found else 1):
            return None
    return v


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
        if _kana_form(written) != _kana_form(word):  # not the same word in the other kana or long vowels
            return written
    return None


#: The commonest body terms looked at for kanji nouns, and how many articles make one frequent.
TOP_TERMS, NOUN_DF = 20_000, 20
#: A hiragana word is replaced when its noun is in this many times as many articles as it finds.
KANA_MORE = 10
#: How long a store's table of nouns by reading is kept (it is also rebuilt when the article count changes).
NOUNS_SECONDS = 600.0
_HIRAGANA_WORD = re.compile(r"[\u3041-\u3096ー]{2,}")
_KANJI = re.compile(r"[\u3400-\u9fff]")
_nouns: weakref.WeakKeyDictionary[Any, tuple[tuple[int, float], dict[str, tuple[str, int]]]] = (
    weakref.WeakKeyDictionary())


def nouns_by_reading(reader: Reader) -> dict[str, tuple[str, int]]:
    """Katakana reading → (the kanji common noun read so in the most articles, its article count),
    over the body's :data:`TOP_TERMS` commonest terms in :data:`NOUN_DF` or more articles."""
    count = reader.doc_count_all()
    cached = _nouns.get(reader.store)
    if cached is not None and cached[0][0] == count and time.monotonic() - cached[0][1] < NOUNS_SECONDS:
        return cached[1]
    table: dict[str, tuple[str, int]] = {}
    top = sorted(reader.top_terms("body", TOP_TERMS), key=lambda p: (-p[1], p[0]))
    for term, df in top:  # most frequent first: the first noun read so wins
        if df < NOUN_DF:
            break
        if len(term) >= 2 and _KANJI.search(term) and (reading := noun_reading(term)) and reading not in table:
            table[reading] = (term, df)
    _nouns[reader.store] = ((count, time.monotonic()), table)
    return table


def _correct_hiragana(reader: Reader, word: str) -> str | None:
    """The frequent kanji noun that ``word`` (hiragana) reads as, unless MeCab reads
    ``word`` as another word of that reading that is in a tenth as many articles or more."""
    reading = to_katakana(word)
    noun = nouns_by_reading(reader).get(reading)
    if noun is None:
        return None
    typed = [t for t, _, _ in reader.analyzer.terms(word)]
    if noun[0] in typed:
        return None
    if word_reading(word) != reading:  # not read as a word (さいよう: さい + よう)
        return noun[0]
    found = _together(reader, typed) if typed else 0
    return noun[0] if noun[1] >= KANA_MORE * max(found, 1) else None


def _kana_form(word: str) -> str:
    """Katakana without long-vowel marks (おおかみ and オオカミ, スーパー and スパ alike)."""
    return to_katakana(word).replace("ー", "")


def suggest(reader: Reader, query: str, few_hits: bool = True) -> str | None:
    """A corrected version of ``query``, or None when no word needs correcting.

    ``few_hits``: the query found few articles (or fell back from all its
    words); otherwise only rare Latin words (:data:`RARE_DF`) and hiragana
    words (:data:`KANA_MORE`) are looked at.
    """
    changed = False
    words = [w.lower() for w in _LATIN_WORD.findall(query)]
    indexed = [t for w in words if w not in STOP_WORDS and _df(reader, t := stem(w))]

    def latin(m: re.Match[str]) -> str:
        nonlocal changed
        typed = m.group().lower()
        if typed in STOP_WORDS:
            return m.group()
        key = stem(typed)
        context = [t for t in indexed if t != key]
        fixed = _correct_latin(reader, m.group(), context, query, few_hits)
        if fixed and fixed != typed:
            changed = True
            return fixed
        return m.group()

    def kana(m: re.Match[str]) -> str:
        nonlocal changed
        before, after = query[m.start() - 1:m.start()], query[m.end():m.end() + 1]
        if not is_kana(m.group()) or before.isalnum() or after.isalnum():  # まな of まな板 is no word
            return m.group()
        fixed = None
        if _HIRAGANA_WORD.fullmatch(m.group()) and not before.strip() and not after.strip():  # a word typed alone
            fixed = _correct_hiragana(reader, m.group())  # (not the かな of 「…かな」)
        if not fixed and few_hits:
            fixed = _correct_kana(reader, m.group())
        if fixed:
            changed = True
            return fixed
        return m.group()

    out = _KANA_WORD.sub(kana, _LATIN_WORD.sub(latin, query))
    return out if changed else None
