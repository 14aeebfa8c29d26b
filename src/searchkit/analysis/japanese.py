"""The Japanese path: MeCab (fugashi + unidic-lite) morphemes to terms.

This is the only module that imports fugashi. One Tagger is created lazily per
thread (MeCab taggers are not thread-safe, and fugashi reuses node memory on
the next parse), so analyzers stay plain configuration that pickles.

Term choice per part of speech (UniDic 2.1.2, as shipped in unidic-lite 1.0.8):

* proper nouns (``固有名詞``) keep their written base form: UniDic's ``lemma``
  field turns them into katakana readings (東京 → トウキョウ, 小泉 → コイズミ),
  which would merge unrelated names that sound alike;
* other words use ``lemma`` so inflections and spelling variants meet
  (使った → 使う, 子ども → 子供, コンピュータ → コンピューター), with what
  UniDic appends after a hyphen removed: a loanword's English gloss
  (``コンピューター-computer``) or a sense (``円-助数詞``, the 円 of 100円;
  ``私-代名詞``), so the query 円 finds the 円 of 100円 as it finds 円 alone;
* unknown words (no lemma) keep their surface;
* katakana terms of four or more characters lose one trailing long-vowel mark
  (コンピューター and コンピュータ become コンピュータ), as Lucene's
  JapaneseKatakanaStemFilter does;
* numbers written in kanji become digits, as most news writes them (三人 →
  ``3`` ``人``, 二十五日 → ``25`` ``日``, 二〇二三年 → ``2023`` ``年``, 二千〇五年 →
  ``2005`` ``年``, 壱万円 → ``1`` ``万`` ``円``): adjacent numeral morphemes written in
  kanji are read as one number from their lemmas (壱 → 一, 〇 → 零), with 〇 as
  zero whatever MeCab tags it and ○ as zero after a digit (二○一六); 万, 億 and
  兆 stay words of their own, as they do after digits (3万人 and 三万人 both give
  ``3`` ``万`` ``人``), and so do 十, 百 and 千 right after digits (6千五百円 → ``6``
  ``千`` ``500`` ``円``, as MeCab reads 2千). Numerals in hiragana are read only
  before つ or 度 (ひとつ → ``1`` ``つ``, as 一つ; ひと工夫, ご時世 stay words).
  What is not plainly one number keeps its words: 〇 alone (a bullet, or a
  placeholder as in 〇月〇日; but 〇歳 and 〇点 are zero), 〇〇 and ○○ (one ``〇``
  per character, also before a number: ○○三人), 十十; two consecutive digits
  are a range, one word however MeCab split them (二三日, 二三人 and 八九割 give
  ``二三``, ``二三``, ``八九``), unless 第 or an era name comes before (第一二回,
  大正一二年) or 月, 時 or 号 follows and the number fits it (一二月 → ``12``
  ``月``; 七八月 and 二三分 stay ranges).

Dropped: particles, auxiliary verbs, whitespace, fillers, conjunctions,
punctuation, and the lemmas in ``data/stopwords_ja.txt``. UniDic tags Korean,
Thai and emoji as symbols (``補助記号``) too, so a symbol is dropped only when
every character of it is punctuation or a symbol by Unicode category.
"""

from __future__ import annotations

import csv
import re
import threading
import unicodedata
from collections.abc import Iterator
from importlib import resources
from typing import Any

from ..errors import AnalysisError, DictionaryNotFound
from .readings import morpheme_reading

__all__ = ["DICTIONARY", "Morpheme", "japanese_terms", "kanji_number", "morphemes",
           "name_readings", "noun_reading", "word_reading"]

DICTIONARY = "unidic-lite"

_DROP_POS1 = frozenset({"助詞", "助動詞", "空白", "接続詞", "感動詞"})
_SYMBOL_POS1 = frozenset({"補助記号", "記号"})
_DROP_CATEGORIES = frozenset({"Po", "Ps", "Pe", "Pi", "Pf", "Pd", "Pc", "Sm", "Sc", "Sk", "Zs", "Zl", "Zp", "Cc", "Cf"})


def _load(name: str) -> frozenset[str]:
    text = resources.files(__package__).joinpath("data", name).read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


STOP_LEMMAS = _load("stopwords_ja.txt")

_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMERAL = re.compile("[〇一二三四五六七八九十百千]+")
_ZEROS = re.compile("[〇○]+")
#: What a numeral morpheme's surface may hold to be read as a number (not いち, じゅう).
_NUMERAL_SURFACE = frozenset("〇○零一二三四五六七八九十百千壱壹弐貳参參肆伍陸漆捌玖拾廿卅")
#: Words before two consecutive digits that make them a number, not a range
#: (第一二回, 大正一二年), and words after them with the largest number they
#: take (一二月, 二三時; 七八月 stays a range; 二三分 is "two or three minutes").
_NUMBER_BEFORE = frozenset({"第", "西暦", "明治", "大正", "昭和", "平成", "令和"})
_NUMBER_AFTER = {"月": 12, "時": 24, "号": 99}
#: Words after which 〇 alone is zero (〇歳児, 〇点); elsewhere it is a bullet or a placeholder (〇月〇日).
_ZERO_AFTER = frozenset({"歳", "点", "勝", "敗", "度"})
#: Words after which a numeral written in kana is a number (ひとつ, ふたつ, いちど):
#: before other words it is more often part of a word or name (ひと工夫, ご時世).
_KANA_COUNTERS = frozenset({"つ", "度"})
#: A numeral morpheme: its number form (lemma, 零 as 〇; a surface of zeros as
#: written), the term it has outside a number, and whether it is written in kana.
_Numeral = tuple[str, str | None, bool]

#: (surface, term, tag, start, end, keep, reading) — start/end index the parsed
#: string; reading is the romaji key of a proper noun or loanword, else "".
Morpheme = tuple[str, str, str, int, int, bool, str]

# MeCab prints one line per morpheme: leading whitespace, surface, and the
# feature string as it is in the dictionary (%H: picking fields with %f[n]
# makes MeCab split every feature string, 10% of its time). ``-O ""`` is
# needed: unidic's dicrc sets an output format type that otherwise overrides
# ``-F`` (taku910/mecab#41). Backslashes are doubled because fugashi splits the
# argument string shell-style before MeCab sees it.
_FORMAT = r'-O "" -F%pS\\t%m\\t%H\\n -U%pS\\t%m\\t%H\\n -E\\n'
#: Feature fields used: POS levels 1–4, lemma, written base form, word origin
#: (goshu), kana reading. Unknown words have the first six fields only.
_POS1, _POS2, _POS3, _POS4, _LEMMA, _ORTH_BASE, _GOSHU, _KANA = 0, 1, 2, 3, 7, 10, 12, 17
_FEATURES = 18
#: One entry per distinct output line: (whitespace length, surface length,
#: term or None when dropped, surface, tag, reading key, reading kind). News
#: vocabulary repeats, so most morphemes are a dict lookup.
_Line = tuple[int, int, str | None, str, str, str, str, _Numeral | None]
_LINES: dict[str, _Line] = {}
_LINES_MAX = 500_000
#: The indexing path's own cache of lines, with only what it needs: (whitespace
#: + surface length, surface length, term or None, reading key, numeral).
_INDEX_LINES: dict[str, tuple[int, int, str | None, str, _Numeral | None]] = {}

_local = threading.local()


def _tagger(userdic: str | None = None) -> Any:
    """This thread's Tagger on unidic-lite, with the compiled user dictionary ``userdic`` if given."""
    taggers: dict[str | None, Any] | None = getattr(_local, "taggers", None)
    if taggers is None:
        taggers = _local.taggers = {}
    tagger = taggers.get(userdic)
    if tagger is None:
        try:
            import fugashi
            import unidic_lite
        except ImportError as exc:
            raise DictionaryNotFound(
                "No MeCab dictionary found. Install one: pip install fugashi unidic-lite"
            ) from exc
        dicdir = unidic_lite.DICDIR
        try:
            user = f' -u "{userdic}"' if userdic else ""
            tagger = fugashi.GenericTagger(f'-r "{dicdir}/mecabrc" -d "{dicdir}"{user} {_FORMAT}')
        except RuntimeError as exc:
            raise DictionaryNotFound(f"MeCab could not load unidic-lite from {dicdir}{user}: {exc}") from exc
        taggers[userdic] = tagger
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
        term = lemma[:dash] if dash > 0 else lemma
    if len(term) >= 4 and term[-1] == "ー" and _is_katakana(term):
        term = term[:-1]
    return term.lower()


def _features(feature: str) -> list[str]:
    """The fields of a MeCab feature string (CSV: a field with a comma is quoted)."""
    fields = next(csv.reader([feature])) if '"' in feature else feature.split(",")
    return fields + [""] * (_FEATURES - len(fields))


def _line(line: str) -> _Line:
    """Decide once what an output line of MeCab means."""
    parts = line.split("\t")
    if len(parts) < 2:  # the empty line after the last morpheme
        return 0, 0, None, "", "", "", "", None
    ws, surface = parts[0], parts[1]
    f = _features(parts[2] if len(parts) > 2 else "")
    pos1, pos2, pos3, pos4 = f[_POS1], f[_POS2], f[_POS3], f[_POS4]
    lemma, orth_base, goshu, kana = f[_LEMMA], f[_ORTH_BASE], f[_GOSHU], f[_KANA]
    tag = f"{pos1}-{pos2}" if pos2 and pos2 != "*" else pos1
    lemma = "" if lemma == "*" else lemma
    orth_base = "" if orth_base == "*" else orth_base
    term: str | None
    reading = kind = ""
    if pos1 in _DROP_POS1 or (pos1 in _SYMBOL_POS1 and _is_punctuation(surface)):
        term = None
    else:
        term = _term(surface, pos2, lemma, orth_base)
        if term in STOP_LEMMAS:
            term = None
        else:
            key, kind = morpheme_reading(surface, pos1, pos2, pos3, pos4, goshu, kana)
            reading = key or ""
    numeral: _Numeral | None = None
    if _ZEROS.fullmatch(surface):  # 二〇〇七: MeCab may tag the second 〇 a symbol
        numeral = surface, surface.replace("○", "〇"), False
    elif tag == "名詞-数詞":
        form = (lemma or surface).replace("零", "〇")
        if _KANJI_NUMERAL.fullmatch(form):
            if _NUMERAL_SURFACE.issuperset(surface):
                numeral = form, term, False
            elif len(surface) > 1 and all("\u3041" <= c <= "\u309f" for c in surface):  # ひと, みっ, いち
                numeral = form, term, True
    if numeral is not None:  # read with its neighbours (see _read_run)
        term, reading = None, ""
    return len(ws), len(surface), term, surface, tag, reading, kind, numeral


# MeCab's output is line- and tab-separated, and leading whitespace is printed
# as is (%pS): tabs and line breaks become spaces first (same length, so
# offsets hold).
_LAYOUT = str.maketrans("\t\n\r\v\f\x85\u2028\u2029", "        ")


def kanji_number(parts: list[str]) -> str | None:
    """The digits of a number written in kanji, given as the forms of MeCab's
    morphemes (``["二十", "五"]`` → ``"25"``, ``["二", "〇", "二三"]`` → ``"2023"``),
    or None when they are not plainly one number (``["二三"]``: two or three;
    ``["〇", "〇"]``, ``["○"]``: placeholders; ``["十", "十"]``)."""
    text = "".join(parts)
    if text.startswith("○"):  # ○○県: a placeholder; ○ is zero only after a digit
        return None
    text = text.replace("○", "〇")
    if not text.strip("〇"):  # 〇 alone, 〇〇: a bullet or a placeholder
        return None
    if not any(c in _KANJI_UNITS for c in text):
        if _is_range(text):  # 二三日, 八九割: two or three, eight or nine
            return None
        return "".join(str(_KANJI_DIGITS[c]) for c in text)  # written digit by digit
    total, digit, last_unit = 0, None, 10_000
    for c in text:
        unit = _KANJI_UNITS.get(c)
        if unit is None:
            if c == "〇" and digit is None and last_unit >= 100 and total:  # 二千〇五: a zero after 百 or 千
                continue
            if digit is not None:  # two digits in a row (二三百): not one number
                return None
            digit = _KANJI_DIGITS[c]
        else:
            if unit >= last_unit or digit == 0:  # 十十, 百千, 〇十
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    return str(total + (digit or 0))


def _is_range(text: str) -> bool:
    """Whether ``text`` is two consecutive kanji digits (二三, 八九): a range."""
    return (len(text) == 2 and text[0] in _KANJI_DIGITS and text[1] in _KANJI_DIGITS
            and _KANJI_DIGITS[text[1]] == _KANJI_DIGITS[text[0]] + 1 > 1)


def _read_run(numerals: list[_Numeral], before: str | None, after: str | None,
              digit_before: bool) -> list[tuple[int, int, str | None]]:
    """Read a run of adjacent numeral morphemes, between the kept words
    ``before`` and ``after`` that touch it (None: no such word) and after a
    digit or not: ``(first, stop, term)`` for each term, the number read from
    ``numerals[first:stop]`` or a morpheme's own term (None: dropped)."""
    forms = [form for form, _, _ in numerals]
    first = 0  # leading placeholder zeros: ○○県, ○○三人, 〇〇三人
    if "".join(forms).startswith(("○", "〇〇", "〇○")):
        while first < len(forms) and _ZEROS.fullmatch(forms[first]):
            first += 1
    if first == 0 and digit_before and forms[0] in _KANJI_UNITS:  # 6千円, 6千五百円: 千 a word, as MeCab reads 2千
        first, before = 1, numerals[0][1]
    own: list[tuple[int, int, str | None]] = [(i, i + 1, numerals[i][1]) for i in range(first)]
    rest = forms[first:]
    if not rest:
        return own
    number = None
    if after in _KANA_COUNTERS or not any(kana for _, _, kana in numerals[first:]):
        number = kanji_number(rest)
        joined = "".join(rest)
        if number is None and joined == "〇" and numerals[first][1] == "〇" and after in _ZERO_AFTER:  # not 絶対零度
            number = "0"
        elif number is None and _is_range(joined):
            digits = "".join(str(_KANJI_DIGITS[c]) for c in joined)
            if before in _NUMBER_BEFORE or int(digits) <= _NUMBER_AFTER.get(after or "", 0):  # 一二月: twelve
                number = digits
            else:  # 二三人 as MeCab splits it is 二三, as in 二三日
                return [*own, (first, len(forms), joined)]
    if number is not None:
        return [*own, (first, len(forms), number)]
    return own + [(i, i + 1, numerals[i][1]) for i in range(first, len(forms))]


#: A run of adjacent numeral morphemes: (numeral, start, end) each.
_Run = list[tuple[_Numeral, int, int]]


def _run_terms(run: _Run, before: str | None, after: str | None,
               digit_before: bool) -> Iterator[tuple[int, str | None, int, int]]:
    """The terms of a run as :func:`_read_run` reads it: ``(first morpheme,
    term or None, start, end)``; placeholder zeros give one ``〇`` each (MeCab
    may join ○○ or not)."""
    for a, b, term in _read_run([numeral for numeral, _, _ in run], before, after, digit_before):
        start, end = run[a][1], run[b - 1][2]
        if term is not None and len(term) > 1 and term == "〇" * len(term) and end - start == len(term):
            yield from ((a, "〇", start + k, start + k + 1) for k in range(len(term)))
        else:
            yield a, term, start, end


def _runs(numerals: list[tuple[int, _Numeral, int, int]]) -> Iterator[tuple[int, _Run]]:
    """Group ``(place, numeral, start, end)`` into runs of adjacent ones at the same place."""
    run: _Run = []
    place = -1
    for at, numeral, s, e in numerals:
        if run and (at != place or run[-1][2] != s):
            yield place, run
            run = []
        place = at
        run.append((numeral, s, e))
    if run:
        yield place, run


def _parse(text: str, userdic: str | None = None) -> list[str]:
    try:
        return str(_tagger(userdic).parse(text.translate(_LAYOUT))).split("\n")
    except (RuntimeError, UnicodeError) as exc:
        raise AnalysisError(f"MeCab failed on a text of {len(text)} characters: {exc}") from exc


def _decoded(lines: list[str]) -> Iterator[_Line]:
    cache = _LINES
    if len(cache) > _LINES_MAX:
        cache.clear()
    for line in lines:
        info = cache.get(line)
        if info is None:
            info = cache[line] = _line(line)
        yield info


def japanese_terms(text: str, offset: int, out: list[tuple[str, int, int, str]], before: str = "",
                   userdic: str | None = None) -> None:
    """Append ``(term, start, end, reading)`` of the kept morphemes of ``text`` to ``out``.

    Offsets are into ``text`` plus ``offset``; ``before`` is the character
    before ``text`` (6 of 6千円), if any. This is the indexing hot path.
    ``text`` must not contain NUL (normalization turns it into a space).
    """
    pos = offset
    append = out.append
    cache = _INDEX_LINES
    if len(cache) > _LINES_MAX:
        cache.clear()
    get = cache.get
    first = len(out)
    numerals: list[tuple[int, _Numeral, int, int]] = []
    for line in _parse(text, userdic):
        info = get(line)
        if info is None:
            ws, n, term, _, _, reading, _, numeral = _line(line)
            info = cache[line] = (ws + n, n, term, reading, numeral)
        advance, n, term, reading, numeral = info
        pos += advance
        if term is not None:
            append((term, pos - n, pos, reading))
        elif numeral is not None:  # numbers are read once their run is whole
            numerals.append((len(out), numeral, pos - n, pos))
    for at, run in reversed(list(_runs(numerals))):  # back to front: places hold
        start, end = run[0][1], run[-1][2]
        word_before = out[at - 1][0] if at > first and out[at - 1][2] == start else None
        after = out[at][0] if at < len(out) and out[at][1] == end else None
        char_before = text[start - offset - 1] if start > offset else before
        out[at:at] = [(term, s, e, "") for _, term, s, e in _run_terms(run, word_before, after, char_before.isdecimal())
                      if term is not None]


def morphemes(text: str, offset: int = 0, before: str = "", userdic: str | None = None) -> Iterator[Morpheme]:
    """Yield every morpheme of ``text`` with a flag saying whether it is kept
    (a number written in kanji as one morpheme, however MeCab split it);
    ``before`` is the character before ``text``, if any."""
    pos = offset
    run: list[tuple[_Numeral, int, int, str]] = []
    context: tuple[str | None, bool] = (None, False)  # the kept word that ends where the run starts; a digit before it
    last: tuple[str | None, int] = (None, -1)  # the last morpheme's term (if kept) and end
    for ws, n, term, surface, tag, reading, _, numeral in _decoded(_parse(text, userdic)):
        if not n:
            continue
        start = pos + ws
        pos = start + n
        if numeral is not None:
            if run and run[-1][2] != start:
                yield from _numeral_morphemes(text, offset, run, context, None)
            if not run:
                char_before = text[start - offset - 1] if start > offset else before
                context = (last[0] if last[1] == start else None), char_before.isdecimal()
            run.append((numeral, start, pos, tag))
            continue
        if run:
            yield from _numeral_morphemes(text, offset, run, context, term if run[-1][2] == start else None)
        last = (term, pos)
        yield surface, term if term is not None else surface, tag, start, pos, term is not None, reading
    if run:
        yield from _numeral_morphemes(text, offset, run, context, None)


def _numeral_morphemes(text: str, offset: int, run: list[tuple[_Numeral, int, int, str]],
                       context: tuple[str | None, bool], after: str | None) -> Iterator[Morpheme]:
    """The run of numeral morphemes as :func:`_run_terms` reads it; empties ``run``."""
    for a, term, s, e in _run_terms([(numeral, s, e) for numeral, s, e, _ in run], context[0], after, context[1]):
        surface = text[s - offset:e - offset]
        yield surface, term if term is not None else surface, run[a][3], s, e, term is not None, ""
    run.clear()


def name_readings(text: str, offset: int = 0) -> Iterator[tuple[str, int, int, str]]:
    """Yield ``(reading key, start, end, kind)`` for the names and loanwords of ``text``."""
    pos = offset
    for ws, n, _, _, _, reading, kind, _ in _decoded(_parse(text)):
        start = pos + ws
        pos = start + n
        if reading:
            yield reading, start, pos, kind



def _one_morpheme(word: str) -> list[str] | None:
    """MeCab's features of ``word`` when it reads it as one morpheme, else None."""
    lines = [line for line in _parse(word) if "\t" in line]
    if len(lines) != 1:
        return None
    parts = lines[0].split("\t")
    if parts[0] or parts[1] != word:
        return None
    return _features(parts[2] if len(parts) > 2 else "")


def word_reading(word: str) -> str | None:
    """The katakana reading of ``word`` when MeCab reads it as one morpheme, else None.

    Example:
        >>> word_reading("しゅしょう"), word_reading("さいよう")  # 殊勝; さい + よう
        ('シュショウ', None)
    """
    f = _one_morpheme(word)
    return f[_KANA] if f and f[_KANA] not in ("", "*") else None


def noun_reading(word: str) -> str | None:
    """The katakana reading of ``word`` when MeCab reads it as one common noun, else None.

    Example:
        >>> noun_reading("首相"), noun_reading("言う"), noun_reading("小泉首相")
        ('シュショウ', None, None)
    """
    f = _one_morpheme(word)
    if f is None or f[_POS1] != "名詞" or f[_POS2] != "普通名詞":
        return None
    return f[_KANA] if f[_KANA] not in ("", "*") else None
