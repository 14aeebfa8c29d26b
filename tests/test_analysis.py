"""Analysis table tests: terms, offsets into the original text, positions.

Every row is ``(text, [(term, start, end, position), ...])`` and checks all four
together (Lucene ``TestJapaneseAnalyzer.testBasics`` style).  Offsets are code
points into the *original* text, so ``text[start:end]`` is the written word
even when normalization (NFKC, half-width kana) changed it.

The golden file ``tests/data/segmentation_ja.tsv`` holds the longer list of
Japanese segmentations; :func:`test_golden_segmentation` reads it.
"""

from __future__ import annotations

import pickle
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from searchkit import Analyzer, Token
from searchkit.analysis import DICTIONARY
from searchkit.analysis.normalize import KANJI_VARIANTS

DATA = Path(__file__).parent / "data"

Row = tuple[str, list[tuple[str, int, int, int]]]

JAPANESE: list[Row] = [
    # inflections meet at the lemma
    ("会談し", [("会談", 0, 2, 0)]),
    ("会談する", [("会談", 0, 2, 0)]),
    ("会談した", [("会談", 0, 2, 0)]),
    ("使った", [("使う", 0, 2, 0)]),
    ("使います", [("使う", 0, 2, 0)]),
    ("美しかった", [("美しい", 0, 4, 0)]),
    # spelling variants meet
    ("子ども", [("子供", 0, 3, 0)]),
    ("子供", [("子供", 0, 2, 0)]),
    ("コンピュータ", [("コンピュータ", 0, 6, 0)]),
    ("コンピューター", [("コンピュータ", 0, 7, 0)]),
    ("ｺﾝﾋﾟｭｰﾀｰ", [("コンピュータ", 0, 8, 0)]),
    # proper nouns keep their written form, not a katakana reading
    ("東京", [("東京", 0, 2, 0)]),
    ("小泉", [("小泉", 0, 2, 0)]),
    ("大阪", [("大阪", 0, 2, 0)]),
    # compounds split into their parts
    ("日本人", [("日本", 0, 2, 0), ("人", 2, 3, 1)]),
    ("防衛相会談", [("防衛", 0, 2, 0), ("相", 2, 3, 1), ("会談", 3, 5, 2)]),
    # particles and auxiliaries are dropped; positions stay consecutive
    (
        "小泉防衛相が会談した",
        [("小泉", 0, 2, 0), ("防衛", 2, 4, 1), ("相", 4, 5, 2), ("会談", 6, 8, 3)],
    ),
    # an all-kanji string (no kana) is Japanese, never one "word"
    ("東京都知事", [("東京", 0, 2, 0), ("都", 2, 3, 1), ("知事", 3, 5, 2)]),
    ("外務大臣", [("外務", 0, 2, 0), ("大臣", 2, 4, 1)]),
    # punctuation and brackets are dropped
    ("「東京」、大阪！", [("東京", 1, 3, 0), ("大阪", 5, 7, 1)]),
    ("東京、大阪。", [("東京", 0, 2, 0), ("大阪", 3, 5, 1)]),
    # question words are ordinary terms at index time
    ("これは何ですか", [("何", 3, 4, 0)]),
    # full-width digits fold before MeCab, so numbers stay whole
    ("２０２４年", [("2024", 0, 4, 0), ("年", 4, 5, 1)]),
    ("㍻", [("平成", 0, 1, 0)]),
]

FULL_WIDTH_AND_MIXED: list[Row] = [
    ("ＡＳＥＡＮ", [("asean", 0, 5, 0)]),
    ("ＮＨＫ", [("nhk", 0, 3, 0)]),
    (
        "ＡＳＥＡＮ拡大国防相会議でｺﾝﾋﾟｭｰﾀｰを使った",
        [
            ("asean", 0, 5, 0),
            ("拡大", 5, 7, 1),
            ("国防", 7, 9, 2),
            ("相", 9, 10, 3),
            ("会議", 10, 12, 4),
            ("コンピュータ", 13, 21, 5),
            ("使う", 22, 24, 6),
        ],
    ),
    # a Latin run inside Japanese takes the English path: lower case + stem
    ("Appleの新しいiPhoneを使った", [("appl", 0, 5, 0), ("新しい", 6, 9, 1), ("iphon", 9, 15, 2), ("使う", 16, 18, 3)]),
    ("Ministersが会談", [("minist", 0, 9, 0), ("会談", 10, 12, 1)]),
    (
        "U.S.-China rivalryが激化",
        [("u.s", 0, 3, 0), ("china", 5, 10, 1), ("rivalri", 11, 18, 2), ("激化", 19, 21, 3)],
    ),
    (
        "ASEAN拡大国防相会議（ADMM-Plus）",
        [
            ("asean", 0, 5, 0),
            ("拡大", 5, 7, 1),
            ("国防", 7, 9, 2),
            ("相", 9, 10, 3),
            ("会議", 10, 12, 4),
            ("admm", 13, 17, 5),
            ("plus", 18, 22, 6),
        ],
    ),
    ("東京 Tokyo 2020年", [("東京", 0, 2, 0), ("tokyo", 3, 8, 1), ("2020", 9, 13, 2), ("年", 13, 14, 3)]),
]

ENGLISH: list[Row] = [
    # case folding, stop words dropped, stemming
    ("The Defense Ministers met", [("defens", 4, 11, 0), ("minist", 12, 21, 1), ("met", 22, 25, 2)]),
    ("ministers", [("minist", 0, 9, 0)]),
    ("MINISTER", [("minist", 0, 8, 0)]),
    ("running runs", [("run", 0, 7, 0), ("run", 8, 12, 1)]),
    ("The AND of it", []),
    # possessive 's is dropped before stemming (the offsets keep it)
    ("Japan's ministers", [("japan", 0, 7, 0), ("minist", 8, 17, 1)]),
    ("Hello, world!", [("hello", 0, 5, 0), ("world", 7, 12, 1)]),
    ("café naïve", [("café", 0, 4, 0), ("naïv", 5, 10, 1)]),
    # NFKC: ligatures and full-width letters fold, offsets stay on the original
    ("ﬁnance", [("financ", 0, 6, 0)]),
    ("ＡＢＣ１２３", [("abc123", 0, 6, 0)]),
    ("...!!!???", []),
]

OTHER_SCRIPTS: list[Row] = [
    # Korean, Thai and emoji survive (they are not punctuation)
    ("안녕하세요 세계", [("안녕하세요", 0, 5, 0), ("세계", 6, 8, 1)]),
    ("😀🎉", [("😀", 0, 1, 0), ("🎉", 1, 2, 1)]),
    ("韓国語で안녕하세요と言う", [("韓国", 0, 2, 0), ("語", 2, 3, 1), ("안녕하세요", 4, 9, 2), ("言う", 10, 12, 3)]),
    ("東京😀です", [("東京", 0, 2, 0), ("😀", 2, 3, 1)]),
    ("한국어와 日本語", [("한국어와", 0, 4, 0), ("日本", 5, 7, 1), ("語", 7, 8, 2)]),
]

# Rows that once exposed bugs, kept as regressions: an unknown word (スマホ,
# emoji, Hangul) ending a Japanese run used to be dropped (fugashi strips the
# empty trailing fields of the last MeCab line); line breaks, tabs and line
# separators used to shift later offsets or be indexed; Thai vowel and tone
# marks used to cut Thai words apart.
TRAILING_UNKNOWN: list[Row] = [
    ("スマホ", [("スマホ", 0, 3, 0)]),
    ("アベノミクス", [("アベノミクス", 0, 6, 0)]),
    ("東京😀", [("東京", 0, 2, 0), ("😀", 2, 3, 1)]),
    ("日本語 안녕하세요", [("日本", 0, 2, 0), ("語", 2, 3, 1), ("안녕하세요", 4, 9, 2)]),
    ("東京😀ASEAN", [("東京", 0, 2, 0), ("😀", 2, 3, 1), ("asean", 3, 8, 2)]),
]

LAYOUT: list[Row] = [
    ("東京\n\n小泉", [("東京", 0, 2, 0), ("小泉", 4, 6, 1)]),
    ("東京\r\n小泉", [("東京", 0, 2, 0), ("小泉", 4, 6, 1)]),
    ("いる。\n記事では", [("記事", 4, 6, 0)]),
    ("東京\t小泉", [("東京", 0, 2, 0), ("小泉", 3, 5, 1)]),
    ("東京\u2028小泉", [("東京", 0, 2, 0), ("小泉", 3, 5, 1)]),
    ("東京\u2029小泉\x85大阪", [("東京", 0, 2, 0), ("小泉", 3, 5, 1), ("大阪", 6, 8, 2)]),
]

THAI: list[Row] = [
    ("สวัสดี ครับ", [("สวัสดี", 0, 6, 0), ("ครับ", 7, 11, 1)]),
]

ALL_ROWS = JAPANESE + FULL_WIDTH_AND_MIXED + ENGLISH + OTHER_SCRIPTS + TRAILING_UNKNOWN + LAYOUT + THAI


def _table(analyzer: Analyzer, text: str) -> list[tuple[str, int, int, int]]:
    return [(t.term, t.start, t.end, t.position) for t in analyzer.tokens(text)]


@pytest.mark.parametrize(("text", "expected"), ALL_ROWS)
def test_analysis_table(analyzer: Analyzer, text: str, expected: list[tuple[str, int, int, int]]) -> None:
    assert _table(analyzer, text) == expected


@pytest.mark.parametrize(("text", "expected"), ALL_ROWS)
def test_terms_fast_path_matches_tokens(analyzer: Analyzer, text: str, expected: list[tuple[str, int, int, int]]) -> None:
    """``terms()`` (indexing) and ``tokens()`` (queries, display) must agree exactly."""
    assert analyzer.terms(text) == [(term, s, e) for term, s, e, _ in expected]


@pytest.mark.parametrize(("text", "expected"), ALL_ROWS)
def test_offsets_slice_the_original_text(analyzer: Analyzer, text: str, expected: list[tuple[str, int, int, int]]) -> None:
    tokens = analyzer.tokens(text)
    assert [t.position for t in tokens] == list(range(len(tokens)))
    for t in tokens:
        written = text[t.start : t.end]
        assert written != ""
        assert written.strip() == written
        # NFKC of what is written is what the analyzer saw
        assert unicodedata.normalize("NFKC", written) == t.surface, (t, written)


def test_variants_meet(analyzer: Analyzer) -> None:
    def terms(text: str) -> list[str]:
        return [t for t, _, _ in analyzer.terms(text)]

    assert terms("コンピュータ") == terms("コンピューター") == terms("ｺﾝﾋﾟｭｰﾀｰ")
    assert terms("会談し") == terms("会談する") == terms("会談した") == ["会談"]
    assert terms("ＡＳＥＡＮ") == terms("ASEAN") == terms("asean")
    assert terms("ministers") == terms("Minister") == ["minist"]


@pytest.mark.parametrize(("old", "modern"), [
    ("齋藤", "斎藤"), ("髙橋", "高橋"), ("宮﨑あおい", "宮崎あおい"), ("𠮷田", "吉田"), ("渡邊", "渡辺"), ("渡邉", "渡辺"),
    ("長澤まさみ", "長沢まさみ"), ("國學院", "国学院"), ("曾祖母", "曽祖母"), ("辯護士", "弁護士"),
])
def test_old_kanji_forms_meet_the_modern_form(analyzer: Analyzer, old: str, modern: str) -> None:
    """Names are written both ways in the same news (渡邉恒雄 / 渡辺恒雄 in livedoor): both make one term."""
    assert analyzer.terms(old) == analyzer.terms(modern) != []
    for t in analyzer.tokens(f"「{old}」"):  # offsets slice the original, 𠮷 (outside the BMP) included
        assert unicodedata.normalize("NFKC", f"「{old}」"[t.start:t.end]).translate(KANJI_VARIANTS) == t.surface


def test_kanji_variant_table_is_one_step_and_one_character() -> None:
    assert len(KANJI_VARIANTS) > 300
    for code, modern in KANJI_VARIANTS.items():
        old = chr(code)
        assert len(modern) == 1 and modern != old, old  # offsets stay put
        assert ord(modern) not in KANJI_VARIANTS, old  # folding once is enough
        assert unicodedata.normalize("NFKC", old) == old, old  # applied after NFKC, so reachable
    assert "籠" not in "".join(map(chr, KANJI_VARIANTS))  # a Jōyō kanji itself


def test_proper_nouns_keep_written_form(analyzer: Analyzer) -> None:
    tokens = analyzer.tokens("東京の小泉")
    assert [(t.term, t.tag) for t in tokens] == [("東京", "名詞-固有名詞"), ("小泉", "名詞-固有名詞")]
    # no katakana readings anywhere
    assert not any(t.term in ("トウキョウ", "コイズミ") for t in tokens)


def test_token_fields(analyzer: Analyzer) -> None:
    [tok] = analyzer.tokens("ｺﾝﾋﾟｭｰﾀｰ")
    assert tok == Token("コンピュータ", 0, 8, 0, "コンピューター", "コンピュータ", "名詞-普通名詞", "konpyuta")
    [en] = analyzer.tokens("Ministers")
    assert (en.term, en.surface, en.tag, en.reading) == ("minist", "Ministers", "en-word", "")
    # reading is the last field and defaults to "" (Token built the old way)
    assert Token("a", 0, 1, 0, "a", "a", "en-word").reading == ""


def test_readings_only_for_names_and_loanwords(analyzer: Analyzer) -> None:
    """Proper nouns and katakana loanwords carry a romaji key; common words, verbs and English do not."""
    text = "小泉進次郎防衛相が東京でスマホを使った。Ministers met"
    tokens = analyzer.tokens(text)
    assert [(t.surface, t.reading) for t in tokens] == [
        ("小泉", "koizumi"), ("進次郎", "shinjiro"), ("防衛", ""), ("相", ""), ("東京", "tokyo"),
        ("スマホ", "sumaho"), ("使っ", ""), ("Ministers", ""), ("met", ""),
    ]
    # readings never change the terms
    assert [t.term for t in tokens] == [t for t, _, _ in analyzer.terms(text)]


def test_morphemes_report_dropped_words(analyzer: Analyzer) -> None:
    rows = list(analyzer.morphemes("小泉が会談した。"))
    assert all(len(row) == 7 for row in rows)
    assert [(surface, s, e, keep, reading) for surface, _, _, s, e, keep, reading in rows] == [
        ("小泉", 0, 2, True, "koizumi"),
        ("が", 2, 3, False, ""),
        ("会談", 3, 5, True, ""),
        ("し", 5, 6, False, ""),
        ("た", 6, 7, False, ""),
        ("。", 7, 8, False, ""),
    ]


@pytest.mark.parametrize("text", ["", " ", "\u3000", "。、！？", "\x00", "   \n  "])
def test_nothing_to_index(analyzer: Analyzer, text: str) -> None:
    assert analyzer.tokens(text) == []
    assert analyzer.terms(text) == []


def test_nul_does_not_stop_analysis(analyzer: Analyzer) -> None:
    """MeCab stops reading at NUL; normalization must turn it into a space first."""
    assert _table(analyzer, "東京\x00大阪") == [("東京", 0, 2, 0), ("大阪", 3, 5, 1)]
    assert _table(analyzer, "Tokyo\x00Osaka") == [("tokyo", 0, 5, 0), ("osaka", 6, 11, 1)]


def test_long_text_is_chunked_without_losing_words(analyzer: Analyzer) -> None:
    sentence = "小泉防衛相が会談した。"
    text = sentence * 5000  # 55,000 characters: several MeCab chunks
    tokens = analyzer.tokens(text)
    assert len(tokens) == 4 * 5000
    assert all(text[t.start : t.end] == t.surface for t in tokens)
    assert [t.start for t in tokens if t.term == "小泉"] == [i * len(sentence) for i in range(5000)]


def test_long_run_without_sentence_end(analyzer: Analyzer) -> None:
    text = "東京" * 15_000  # 30,000 characters, hard cut
    tokens = analyzer.tokens(text)
    assert tokens
    assert all(text[t.start : t.end] == t.surface for t in tokens)
    assert [t.position for t in tokens] == list(range(len(tokens)))


def test_english_very_long_word_is_cut(analyzer: Analyzer) -> None:
    text = "a" * 200
    assert [(t.term, t.start, t.end) for t in analyzer.tokens(text)] == [
        ("a" * 64, 0, 64),
        ("a" * 64, 64, 128),
        ("a" * 64, 128, 192),
        ("a" * 8, 192, 200),
    ]


def test_rejects_bytes(analyzer: Analyzer) -> None:
    with pytest.raises(TypeError):
        analyzer.tokens(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        analyzer.terms(b"bytes")  # type: ignore[arg-type]


def test_analyzer_is_configuration(analyzer: Analyzer) -> None:
    analyzer.tokens("東京")  # a Tagger exists now; it must not be part of the value
    data = pickle.dumps(analyzer)
    assert len(data) < 2048
    clone = pickle.loads(data)
    assert clone == analyzer == Analyzer()
    assert hash(clone) == hash(analyzer)
    assert _table(clone, "東京で会談した") == [("東京", 0, 2, 0), ("会談", 3, 5, 1)]
    assert DICTIONARY in repr(analyzer)


# -- golden segmentation file -----------------------------------------------------


def _golden_rows() -> list[object]:
    params: list[object] = []
    topic = ""
    known = False
    for lineno, raw in enumerate((DATA / "segmentation_ja.tsv").read_text(encoding="utf-8").splitlines(), 1):
        if raw.startswith("## "):
            topic = raw[3:].strip()
            known = topic.lower().startswith("known problems")
            continue
        if not raw.strip() or raw.startswith("#"):
            continue
        text, _, rest = raw.partition("\t")
        terms, _, note = rest.partition("\t")
        expected = []
        for item in terms.split(" ") if terms else []:
            term, _, span = item.rpartition("@")
            start, _, end = span.partition("-")
            expected.append((term, int(start), int(end)))
        params.append(pytest.param(text, expected, known, id=f"L{lineno}-{text[:12]}"))
    return params


GOLDEN = _golden_rows()


def test_golden_file_is_well_formed() -> None:
    header = (DATA / "segmentation_ja.tsv").read_text(encoding="utf-8")
    assert "unidic-lite 1.0.8" in header and "UniDic 2.1.2" in header
    assert "## Known problems" in header
    assert len(GOLDEN) >= 50


def test_golden_dictionary_version() -> None:
    from importlib.metadata import version

    assert version("unidic-lite") == "1.0.8", "segmentation_ja.tsv is pinned to unidic-lite 1.0.8"


@pytest.mark.parametrize(("text", "expected", "known_problem"), GOLDEN)
def test_golden_segmentation(analyzer: Analyzer, text: str, expected: list[tuple[str, int, int]], known_problem: bool) -> None:
    """Known problems record today's (bad) output: a change there shows up here and in the diff."""
    assert analyzer.terms(text) == expected


@pytest.mark.parametrize(("text", "word"), [
    ("価格は1,680円。", "円"),  # UniDic: 円-助数詞 (a counter) beside the noun 円
    ("私は行く", "私"),  # 私-代名詞
])
def test_unidic_senses_are_cut_from_lemmas(analyzer: Analyzer, text: str, word: str) -> None:
    """A sense after a lemma's hyphen is cut, so the word alone and the word in context meet."""
    terms = [t.term for t in analyzer.tokens(text)]
    alone = [t.term for t in analyzer.tokens(word)]
    assert alone == [word] and word in terms, (terms, alone)
    assert not any("-" in t for t in terms)


@pytest.mark.parametrize(("kanji", "digits", "number"), [
    ("三人が死亡した", "3人が死亡した", "三"),
    ("二十五日に会談した", "25日に会談した", "二十五"),
    ("二〇二六年の予算", "2026年の予算", "二〇二六"),
    ("当日千五百円", "当日1500円", "千五百"),
    ("第三者委員会", "第3者委員会", "三"),
    ("三万人が参加", "3万人が参加", "三"),
    ("二百三十キロ", "230キロ", "二百三十"),
    ("三十代となった今", "30代となった今", "三十"),  # livedoor
    ("二〇二三年に", "2023年に", "二〇二三"),  # MeCab: 二 〇 二三
    ("二〇〇七年に", "2007年に", "二〇〇七"),  # MeCab tags the second 〇 a symbol
    ("二○一六年に", "2016年に", "二○一六"),  # ○ (a circle) written for zero
    ("二千〇五年に", "2005年に", "二千〇五"),
    ("金壱万円", "金1万円", "壱"),  # an old numeral, read from its lemma
    ("○○三人が来た", "○○3人が来た", "三"),  # ○ placeholders stay apart from the number after them
    ("令和元年一二月に", "令和元年12月に", "一二"),  # two consecutive digits before 月: twelve, not a range
    ("第一二回大会", "第12回大会", "一二"),
    ("ひとつの答え", "1つの答え", "ひと"),  # a kana numeral before the word it counts
    ("みっつの約束", "3つの約束", "みっ"),
    ("六千円を払う", "6000円を払う", "六千"),
])
def test_numbers_written_in_kanji_meet_digits(analyzer: Analyzer, kanji: str, digits: str, number: str) -> None:
    tokens = analyzer.tokens(kanji)
    assert [t.term for t in tokens] == [t.term for t in analyzer.tokens(digits)]
    assert [(t.term, t.start, t.end) for t in tokens] == [t[:3] for t in analyzer.index_terms(kanji)]
    # the number's offsets cover its kanji, for exact highlighting
    assert [kanji[t.start:t.end] for t in tokens if t.term.isdigit()] == [number]


@pytest.mark.parametrize(("parts", "digits"), [
    (["三"], "3"), (["十"], "10"), (["百"], "100"), (["二十", "五"], "25"),
    (["二", "〇", "二", "六"], "2026"), (["二", "〇", "二三"], "2023"),  # MeCab joins 二三 inside 二〇二三
    (["一", "九", "六七"], "1967"), (["二", "〇", "〇", "七"], "2007"), (["三", "〇", "〇"], "300"),
    (["千", "五百"], "1500"), (["二百三十"], "230"), (["十二"], "12"), (["二千", "〇", "五"], "2005"),
    (["二三"], None), (["五六"], None),  # 二三日, 五六人: two or three, five or six
    (["二", "三"], None), (["八", "九"], None),  # the same ranges as MeCab splits them (二三人, 八九割)
    (["三", "五"], "35"), (["〇", "三"], "03"), (["二", "○", "一六"], "2016"), (["三", "○"], "30"),
    (["二", "三百"], None), (["十", "十"], None), (["百千"], None), (["〇", "〇"], None),
    (["〇"], None), (["○"], None), (["○", "〇", "三"], None),  # a bullet, placeholders
    (["十", "〇", "五"], None),  # a zero skipped after 百 or 千 only (二千〇五)
])
def test_kanji_number(parts: list[str], digits: str | None) -> None:
    from searchkit.analysis.japanese import kanji_number

    assert kanji_number(parts) == digits


def test_runs_that_are_not_one_number_keep_their_kanji(analyzer: Analyzer) -> None:
    assert [t.term for t in analyzer.tokens("二三日休んだ")][:2] == ["二三", "日"]
    assert [t.term for t in analyzer.tokens("○○県の話")][:3] == ["〇", "〇", "県"]  # a placeholder, as 〇〇県
    # a range is one word however MeCab splits it (二三日: one morpheme; 二三人: two)
    for text, words in [("二三人が来た", ["二三", "人"]), ("八九割は賛成", ["八九", "割"]),
                        ("業界で一二を争う", ["業界", "一二", "争う"]), ("十中八九", ["10", "中", "八九"]),
                        # 〇 alone is a bullet or a placeholder, 〇〇 too, before a number as well
                        ("〇月〇日に", ["〇", "月", "〇", "日"]), ("〇〇三人", ["〇", "〇", "3", "人"]),
                        ("〇重視した", ["〇", "重視"]),
                        # 十, 百 and 千 right after digits stay words, as MeCab reads 2千
                        ("6千円", ["6", "千", "円"]), ("2千円", ["2", "千", "円"]),
                        # a kana numeral is read only before the word it counts
                        ("はちにん", ["八"]), ("いちにさん", ["一", "さん"]), ("Tさん本人", ["t", "三", "本人"]),
                        ("そんなご時世", ["そんな", "御", "時世"]), ("ひと工夫", ["一", "工夫"]),
                        # a range before 月, 時, 分 is a number only if it can be one (一二月, 二三時)
                        ("七八月は暑い", ["七八", "月"]), ("三四時", ["三四", "時"]), ("八九分通り", ["八九", "分", "通り"]),
                        ("二三分待って", ["二三", "分", "待つ"]), ("絶対零度", ["絶対", "零", "度"]),
                        ("二三時", ["23", "時"]), ("大正一二年", ["大正", "12", "年"]),
                        # after digits a unit is a word, and what follows it a number
                        ("6千五百円", ["6", "千", "500", "円"]), ("ABC 6千円", ["abc", "6", "千", "円"]),
                        # 〇 alone is zero before 歳 or 点; MeCab joining ○○ or not gives the same terms
                        ("〇歳児", ["0", "歳", "児"]), ("タレントの○○は", ["タレント", "〇", "〇"]),
                        ("タレントの〇〇は", ["タレント", "〇", "〇"])]:
        assert [t.term for t in analyzer.tokens(text)][:len(words)] == words, text
        assert [t[0] for t in analyzer.index_terms(text)][:len(words)] == words, text
    assert [t.term for t in analyzer.tokens("〇〇県")] == [t.term for t in analyzer.tokens("○○県")] == ["〇", "〇", "県"]
    # words that hold a numeral stay words; numerals in names are numbers on both sides
    assert [t.term for t in analyzer.tokens("一緒に五輪を見た")] == ["一緒", "五輪", "見る"]


def test_numbers_in_kanji_on_real_articles(analyzer: Analyzer, corpus_articles: list[dict[str, Any]]) -> None:
    # Every number the analyzer reads from kanji in the sample corpus's
    # Japanese articles covers kanji numerals only, and both paths agree.
    kanji = set("〇一二三四五六七八九十百千")
    numbers = 0
    for article in corpus_articles:
        if article.get("lang") != "ja":
            continue
        body = article.get("body") or ""
        tokens = analyzer.tokens(body)
        assert [(t.term, t.start, t.end) for t in tokens] == [t[:3] for t in analyzer.index_terms(body)]
        for t in tokens:
            written = body[t.start:t.end]
            if t.term.isdigit() and kanji & set(written):
                assert set(written) <= kanji | set("○壱弐参拾廿"), written
                numbers += 1
    assert numbers > 100


def test_mecab_feature_strings_are_read_as_csv() -> None:
    """MeCab prints each feature string whole; a quoted field may hold commas, unknown words have six fields."""
    from searchkit.analysis.japanese import _line

    known = ("\t円\t名詞,普通名詞,助数詞可能,*,*,*,エン,円-助数詞,円,エン,円,エン,漢,*,*,*,*,エン,エン,エン,エン,"
             '*,"B4WW,B",1,C3,*')
    assert _line(known)[2:6] == ("円", "円", "名詞-普通名詞", "")  # UniDic's lemma 円-助数詞, its sense cut
    name = " \t小泉\t名詞,固有名詞,人名,姓,*,*,コイズミ,コイズミ,小泉,コイズミ,小泉,コイズミ,固,*,*,*,*,コイズミ,コイズミ,コイズミ,コイズミ,*,*,\"2,1\",*,*"
    assert _line(name) == (1, 2, "小泉", "小泉", "名詞-固有名詞", "koizumi", "family", None)
    assert _line("\tｶﾞｰﾃﾞﾝ\t名詞,普通名詞,一般,*,*,*")[2] == "ｶﾞｰﾃﾞﾝ".lower()
    assert _line("\t、\t補助記号,読点,*,*,*,*,,、,、,,、,,記号,*,*,*,*,,,,,*,*,*,*,*")[2] is None
    assert _line("")[2] is None


@pytest.mark.parametrize("text", ["The Prime Minister's visit.", "Japan's defence: Japan's ministers met"])
def test_english_words_are_the_same_when_seen_again(text: str) -> None:
    from searchkit.analysis import english

    first = list(english.english_words(text, 5))
    assert first and first == list(english.english_words(text, 5))
    english._TERMS.clear()
    assert list(english.english_words(text, 5)) == first


def test_characters_skipped_by_normalization_are_their_own_nfkc_form() -> None:
    """Normalization leaves KEPT_AS_IS alone without asking NFKC: each must be NFKC-stable."""
    import re

    from searchkit.analysis.normalize import KEPT_AS_IS

    kept = [c for c in map(chr, range(0x80, 0x10000)) if re.fullmatch(f"[{KEPT_AS_IS}]", c)]
    assert "、" in kept and "」" in kept and "■" in kept
    for c in kept:
        assert unicodedata.normalize("NFKC", c) == c, hex(ord(c))
        assert unicodedata.category(c) not in ("Cc", "Cs") and not unicodedata.combining(c), hex(ord(c))


def test_normalization_is_nfkc_on_real_articles(corpus_articles: list[dict[str, Any]]) -> None:
    """NFKC, then the modern kanji forms (the demo corpus writes 長澤まさみ, 眞鍋かをり, 宮﨑あおい)."""
    from searchkit.analysis.normalize import normalize

    texts = [t for a in corpus_articles for t in (a.get("title") or "", a.get("body") or "")]
    assert sum("、" in t for t in texts) > 100
    assert sum(any(ord(c) in KANJI_VARIANTS for c in t) for t in texts) >= 10
    for text in texts:
        assert normalize(text)[0] == unicodedata.normalize("NFKC", text).translate(KANJI_VARIANTS)


def test_indexing_path_gives_the_kept_tokens_of_real_articles(analyzer: Analyzer,
                                                              corpus_articles: list[dict[str, Any]]) -> None:
    """``index_terms`` (line and word caches, terms appended in place) agrees with ``tokens``, read twice."""
    texts = [a["body"] for a in corpus_articles[:120] if a.get("body")]
    assert any("。" in t for t in texts) and any(t.isascii() for t in texts)
    for text in texts + texts:
        tokens = analyzer.tokens(text)
        indexed = analyzer.index_terms(text)
        assert [(term, s, e) for term, s, e, _ in indexed] == [(t.term, t.start, t.end) for t in tokens]
        assert [r for _, _, _, r in indexed] == [t.reading for t in tokens]


def test_a_long_text_without_sentence_ends_is_cut_after_a_pause(analyzer: Analyzer) -> None:
    """MeCab gets at most 20,000 characters at once: without a sentence end, the
    cut falls after a comma or space, so no word or number is split."""
    from searchkit.analysis.analyzer import _MECAB_CHUNK, _chunks

    # no pause at all: the hard cut steps back out of the number (二〇|二三 at 20,000)
    text = "あ" * 19_998 + "二〇二三年" + "あ" * 10
    assert [t[0] for t in analyzer.index_terms(text)].count("2023") == 1
    assert [t.term for t in analyzer.tokens(text)].count("2023") == 1

    body = "二千二十五年の東京" * 1000  # 9,000 characters, then a comma, then more
    text = "はじまりの話" + body + "、" + body + "、" + body  # a hard cut at 20,000 would split 二千二|十五
    cuts = [b for _, b in _chunks(text, 0, len(text))][:-1]
    assert cuts and all(text[c - 1] == "、" for c in cuts)
    assert all(b - a <= _MECAB_CHUNK for a, b in _chunks(text, 0, len(text)))
    terms = [t[0] for t in analyzer.index_terms(text)]
    assert terms.count("2025") == 3000 and "2" not in terms and "25" not in terms
