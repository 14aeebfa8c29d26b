"""Tests for romaji reading keys of names in Japanese and English text."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from searchkit.analysis.names import Reading, name_readings, reading_keys, readings
from searchkit.analysis.readings import kana_query_reading, latin_name_keys

# The Japanese summary on the seed page.
SEED_SUMMARY = (
    "日本の小泉進次郎防衛相と韓国の安圭伯国防相は、神奈川県の横須賀基地で会談し、"
    "毎年相互訪問を行うことで合意した。二人は自衛隊と韓国軍の交流促進やAIなどの先端技術協力も約束した。"
)
SEED_ENGLISH = (
    "South Korean Defense Minister Ahn Gyu-back held his first in-person talks with "
    "Japan's new Defense Minister Shinjiro Koizumi."
)


def keys(text: str) -> list[str]:
    return [k for k, _, _ in name_readings(text)]


def test_dictionary_feature_layout() -> None:
    """The feature indexes the module relies on, as the installed dictionary documents them."""
    import unidic_lite

    dicrc = (Path(unidic_lite.DICDIR) / "dicrc").read_text("utf-8")
    layout = {int(i): name for i, name in re.findall(r"^; f\[(\d+)\]:\s+(\w+)", dicrc, re.MULTILINE)}
    expected = {0: "pos1", 1: "pos2", 2: "pos3", 3: "pos4", 7: "lemma", 10: "orthBase", 12: "goshu", 17: "kana"}
    assert {i: layout.get(i) for i in expected} == expected


def test_seed_summary() -> None:
    got = readings(SEED_SUMMARY)
    assert [(r.key, r.surface, r.kind) for r in got] == [
        ("nippon", "日本", "place"),      # UniDic reads 日本 as ニッポン
        ("koizumi", "小泉", "family"),
        ("shinjiro", "進次郎", "given"),
        ("kankoku", "韓国", "place"),
        ("an", "安", "family"),           # 安圭伯: 安 family name (アン) …
        ("kei", "圭", "given"),           # … 圭 given name (ケイ) …
        ("kanagawa", "神奈川", "place"),  # … and 伯 a common noun: no key
        ("yokosuka", "横須賀", "place"),
        ("kankoku", "韓国", "place"),
    ]
    for r in got:
        assert SEED_SUMMARY[r.start : r.end] == r.surface


def test_seed_english_meets_seed_japanese() -> None:
    ja = set(keys(SEED_SUMMARY))
    en = {k for k, _, _ in latin_name_keys(SEED_ENGLISH)}
    assert {"koizumi", "shinjiro"} <= ja & en
    # the Korean minister's names do not meet by reading: aliases are needed
    assert "ahn" in en and "an" in ja and "ahn" not in ja


def test_name_readings_tuples_and_offsets() -> None:
    assert name_readings("小泉進次郎防衛相") == [("koizumi", 0, 2), ("shinjiro", 2, 5)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("安倍晋三首相", ["abe", "shinzo"]),
        ("岸田首相と高市早苗氏", ["kishida", "takaichi", "sanae"]),
        ("石破茂幹事長", ["ishiba", "shigeru"]),
        ("鳩山由紀夫元首相", ["hatoyama", "yukio"]),
        ("野田佳彦首相", ["noda", "yoshihiko"]),
        ("麻生太郎財務相", ["aso", "taro"]),
        ("小沢一郎氏", ["ozawa", "ichiro"]),
        ("石原慎太郎知事", ["ishihara", "shintaro"]),
        ("菅直人首相", ["kan", "naoto"]),
        ("本田圭佑選手", ["honda", "keisuke"]),
        ("井上尚弥", ["inoue", "naoya"]),
        ("イチロー選手", ["ichiro"]),
        ("東京と大阪と京都と北海道", ["tokyo", "osaka", "kyoto", "hokkaido"]),
        ("東京都と京都府", ["tokyo", "kyoto"]),  # 都 and 府 are common nouns
        ("沖縄県の那覇市", ["okinawa", "naha"]),
        ("ソニーとトヨタとパナソニック", ["soni", "toyota", "panasonikku"]),
    ],
)
def test_names_in_news_sentences(text: str, expected: list[str]) -> None:
    assert keys(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # UniDic has one reading per word, and for some names it is not the
        # one the person uses.
        ("菅義偉首相", ["kan", "yoshihide"]),   # Suga Yoshihide
        ("岸田文雄首相", ["kishida", "bunyu"]),  # Kishida Fumio
        # 任天堂 is two common-noun morphemes (任天 + 堂): no key at all
        ("任天堂の新型ゲーム機", ["gemu"]),
        # トランプ is a common loanword (playing cards): a loanword key
        ("トランプ大統領", ["toranpu"]),
        # みずほ (the bank) is a common noun 瑞穂 in hiragana: no key
        ("みずほ銀行", []),
    ],
)
def test_unidic_surprises(text: str, expected: list[str]) -> None:
    assert keys(text) == expected


@pytest.mark.parametrize("text", ["会", "会の会長が会談した", "防衛相と国防相", "自衛隊の基地", "先端技術協力"])
def test_common_nouns_never_give_a_key(text: str) -> None:
    assert name_readings(text) == []


def test_loanwords_and_unknown_katakana() -> None:
    got = [(r.key, r.surface, r.kind) for r in readings("コンピューターとヴァイオリンとグギャボンバ氏")]
    assert got == [
        ("konpyuta", "コンピューター", "loanword"),
        ("vaiorin", "ヴァイオリン", "loanword"),  # kana as written, not pron (バイオリン)
        ("gugyabonba", "グギャボンバ", "person"),  # unknown to UniDic: reading from the surface
    ]


def test_katakana_full_name_is_split_at_the_dot() -> None:
    assert [(r.key, r.surface) for r in readings("ドナルド・トランプ氏")] == [
        ("donarudo", "ドナルド"),
        ("toranpu", "トランプ"),
    ]


def test_latin_in_japanese_text_is_left_to_the_latin_path() -> None:
    assert name_readings("ASEANとＡＳＥＡＮとAI") == []
    assert [k for k, _, _ in latin_name_keys("ASEANとＡＳＥＡＮとAI")] == ["asean", "asean", "ai"]


def test_offsets_are_into_the_original_text() -> None:
    text = "㍻の\tｺｲｽﾞﾐ\r\n\n小泉　進次郎が"
    got = readings(text)
    assert [r.surface for r in got] == ["㍻", "ｺｲｽﾞﾐ", "小泉", "進次郎"]
    assert [r.key for r in got] == ["heisei", "koizumi", "koizumi", "shinjiro"]
    for r in got:
        assert text[r.start : r.end] == r.surface


def test_whitespace_and_control_characters_keep_offsets() -> None:
    text = "小泉\n\n進次郎\tと\x00石破\r\n茂"
    got = readings(text)
    assert [(r.key, r.surface) for r in got] == [
        ("koizumi", "小泉"), ("shinjiro", "進次郎"), ("ishiba", "石破"), ("shigeru", "茂"),
    ]
    for r in got:
        assert text[r.start : r.end] == r.surface


def test_long_text_is_cut_and_offsets_still_hold() -> None:
    sentence = "小泉進次郎防衛相が横須賀で会談した。"
    text = sentence * 3000  # 54,000 characters: several MeCab chunks
    got = name_readings(text)
    assert len(got) == 3 * 3000
    for key, s, e in got:
        assert text[s:e] in ("小泉", "進次郎", "横須賀")


def test_empty_and_non_japanese_text() -> None:
    assert name_readings("") == []
    assert name_readings("   ") == []
    assert name_readings("Shinjiro Koizumi") == []
    with pytest.raises(TypeError):
        name_readings(None)  # type: ignore[arg-type]


def test_threads_get_their_own_tagger() -> None:
    def work(_: int) -> list[list[tuple[str, int, int]]]:
        return [name_readings(SEED_SUMMARY) for _ in range(50)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = [r for batch in pool.map(work, range(4)) for r in batch]
    assert len(results) == 200
    assert all(r == results[0] for r in results)


# -- Latin side --------------------------------------------------------------------


def test_latin_name_keys_seed_sentence() -> None:
    got = latin_name_keys(SEED_ENGLISH)
    assert [k for k, _, _ in got] == [
        "soth", "korean", "defense", "minister", "ahn", "gyu",  # ou folds in English too
        "japan", "defense", "minister", "shinjiro", "koizumi",
    ]
    for key, s, e in got:
        assert SEED_ENGLISH[s:e].lower().startswith(key[:2])


def test_latin_name_keys_details() -> None:
    text = "The PM, Jun'ichirō Koizumi's ally Ōno, met KOIZUMI in Tōkyō."
    got = latin_name_keys(text)
    assert [(k, text[s:e]) for k, s, e in got] == [
        ("pm", "PM"),
        ("junichiro", "Jun'ichirō"),
        ("koizumi", "Koizumi's"),
        ("ono", "Ōno"),
        ("koizumi", "KOIZUMI"),
        ("tokyo", "Tōkyō"),
    ]


def test_latin_name_keys_decomposed_accents_and_full_width() -> None:
    text = "Ko\u0304izumi and Ｋｏｉｚｕｍｉ"
    got = latin_name_keys(text)
    assert [(k, text[s:e]) for k, s, e in got] == [
        ("koizumi", "Ko\u0304izumi"),
        ("koizumi", "Ｋｏｉｚｕｍｉ"),
    ]


def test_latin_name_keys_lower_case_for_queries() -> None:
    assert latin_name_keys("koizumi shinjirou") == []
    assert [k for k, _, _ in latin_name_keys("koizumi shinjirou", capitalized_only=False)] == [
        "koizumi", "shinjiro",
    ]


# -- queries -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, key",
    [
        ("こいずみ", "koizumi"),
        ("コイズミ", "koizumi"),
        ("ｺｲｽﾞﾐ", "koizumi"),
        ("しんじろう", "shinjiro"),
        ("シンジロー", "shinjiro"),
        (" こいずみ しんじろう ", "koizumishinjiro"),
        ("とうきょう", "tokyo"),
        ("イチロー", "ichiro"),
        ("小泉", None),
        ("こいずみ防衛相", None),
        ("Koizumi", None),
        ("", None),
        ("ー", None),
    ],
)
def test_kana_query_reading(query: str, key: str | None) -> None:
    assert kana_query_reading(query) == key


def test_reading_keys_index_and_query() -> None:
    text = "小泉防衛相 met Ahn Gyu-back"
    assert reading_keys(text) == [("koizumi", 0, 2), ("ahn", 10, 13), ("gyu", 14, 17)]
    assert reading_keys(text, query=True) == [
        ("koizumi", 0, 2), ("met", 6, 9), ("ahn", 10, 13), ("gyu", 14, 17), ("back", 18, 22),
    ]
    assert reading_keys(" こいずみ ", query=True) == [("koizumi", 1, 5)]
    assert reading_keys("小泉", query=True) == [("koizumi", 0, 2)]
    assert reading_keys("Koizumi", query=True) == reading_keys("koizumi", query=True) == [("koizumi", 0, 7)]


def test_both_scripts_meet_on_reading_keys() -> None:
    for ja, en in [("小泉進次郎", "Shinjiro Koizumi"), ("東京", "Tokyo"), ("大阪", "Osaka"),
                   ("京都", "Kyoto"), ("北海道", "Hokkaido"), ("鳩山", "Hatoyama"),
                   ("野田", "Noda"), ("石破", "Ishiba"), ("高市", "Takaichi"), ("岸田", "Kishida"),
                   ("安倍", "Abe"), ("菅", "Kan")]:
        assert sorted(k for k, _, _ in reading_keys(ja)) == sorted(k for k, _, _ in reading_keys(en)), ja


def test_reading_is_a_tuple() -> None:
    r = Reading("koizumi", 0, 2, "小泉", "family")
    assert r == ("koizumi", 0, 2, "小泉", "family")
    assert r.key == "koizumi"
