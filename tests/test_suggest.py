"""Did-you-mean on the demo corpus (:mod:`searchkit.results.suggest`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchkit import Index
from searchkit.results.suggest import _KANA_WORD, _LATIN_WORD, _variants


@pytest.mark.parametrize(("query", "want"), [
    ("gamng", "gaming"),  # not gang: one missed key from gaming, as articles write it
    ("Mobile gamlng", "Mobile gaming"),
    ("dpping case", "doping case"),  # a neighbouring key (o → p), not the stem dope
    ("Online gamse", "Online games"),  # swapped keys cost less than a missed one (game)
    ("pricse drop", "prices drop"),
    ("Britney attackd", "Britney attacks"),  # a neighbouring key (s → d)
    ("waves damag", "waves damage"),  # damag is the stem of damage, which no article writes
])
def test_typos_are_corrected_as_written(corpus_index: Index, query: str, want: str) -> None:
    assert corpus_index.search(query).suggestion == want


@pytest.mark.parametrize("query", [
    "Umaga ready for fearsome Lions",  # a stop word (for) is no typo of four
    "Macy's owner buys rival",  # Macy's is one term, not a typo in "Macy"
    "gaming",
    "Yamaguchi",
])
def test_right_spellings_get_no_suggestion(corpus_index: Index, query: str) -> None:
    assert corpus_index.search(query).suggestion is None


def test_words_are_whole_terms() -> None:
    assert _LATIN_WORD.findall("O'Leary vol.11 Macy's end. Then") == ["end", "Then"]
    assert _KANA_WORD.findall("顔文字・デコ素材") == ["デコ"]  # not the middle dot


def test_variant_costs() -> None:
    v = _variants("gamse")
    assert v["games"] < v["game"] == v["gamxe"] < v["gampe"]  # swap < extra or neighbouring key < other key
    assert all(s[0] == "g" for s in v)  # the first letter is kept


def test_a_kana_word_is_not_corrected_to_itself_or_from_inside_a_word(tmp_path: Path) -> None:
    """スーパー is not corrected to スパ (the same reading once long vowels fold), nor
    おおかみ to オオカミ; the まな of まな板 is not a word to correct."""
    from searchkit.results.suggest import _kana_form

    assert _kana_form("おおかみ") == _kana_form("オオカミ")
    assert _kana_form("スーパー") == _kana_form("スパ") and _kana_form("ケイ") != _kana_form("圭")
    ix = Index.create(tmp_path / "ix")
    ix.add([{"id": "a", "body": "スパに行った。スパでマナーを守る。"}, {"id": "b", "body": "土井さんとスーパーへ。"},
            {"id": "c", "body": "登場したまな板。"}])
    assert ix.search("スーパー 土井").suggestion is None
    assert ix.search("登場 まな板").suggestion is None


def test_hiragana_is_read_as_the_frequent_kanji_noun(corpus_index: Index) -> None:
    """しゅしょう finds nothing (MeCab reads it as 殊勝); 首相, read so, is in many articles."""
    assert corpus_index.search("しゅしょう").suggestion == "首相"
    assert corpus_index.search("しゅしょう 辞任").suggestion == "首相 辞任"
    assert corpus_index.search("じょせい").suggestion == "女性"


def test_hiragana_that_finds_articles_is_left_alone(corpus_index: Index) -> None:
    assert corpus_index.search("えいが").total > 20  # read as 映画 already
    assert corpus_index.search("えいが").suggestion is None


def test_nouns_by_reading(corpus_index: Index) -> None:
    from searchkit.analysis.japanese import noun_reading
    from searchkit.results.suggest import NOUN_DF, nouns_by_reading

    table = nouns_by_reading(corpus_index._store.reader())
    assert table["シュショウ"][0] == "首相" and table["エイガ"][0] == "映画"
    assert all(len(noun) >= 2 and df >= NOUN_DF and noun_reading(noun) == reading
               for reading, (noun, df) in table.items())
    assert noun_reading("言う") is None and noun_reading("小泉首相") is None  # a verb; two words
