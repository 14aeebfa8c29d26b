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
