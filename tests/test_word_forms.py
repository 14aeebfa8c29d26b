"""English word forms a stemmer leaves apart (Germany / German, rise / rose), searched as synonyms.

The search tests use the real BBC articles (benchmarks/data/bbc-en.jsonl.gz), titles left
out of the index as in the known-item benchmark: each title below finds its own article
first only through a word form (its body says Chinese where the title says China, or fell
where it says fall), and does not without the tables.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import searchkit.query.synonyms as synonyms
from searchkit import Index
from searchkit.analysis.english import english_words
from searchkit.query.synonyms import SYNONYM_BOOST, WORD_FORMS, SynonymTable, word_forms

CORPUS = Path(__file__).parent.parent / "benchmarks" / "data" / "bbc-en.jsonl.gz"
DATA = Path(synonyms.__file__).parent / "data"

#: title → (its article, the word form that brings it first)
KNOWN = {
    "Chinese exports rise 25% in 2004": ("bbc-business-chinese-exports-rise-25-in-2004", "China"),
    "Consumers drive French economy": ("bbc-business-consumers-drive-french-economy", "France"),
    "Germany nears 1990 jobless level": ("bbc-business-germany-nears-1990-jobless-level", "German"),
    "Veteran Martinez wins Thai title": ("bbc-sport-veteran-martinez-wins-thai-title", "Thailand"),
    "Oil prices fall back from highs": ("bbc-business-oil-prices-fall-back-from-highs", "fell"),
}


@pytest.fixture(scope="module")
def bbc() -> list[dict[str, Any]]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory, bbc: list[dict[str, Any]]) -> Iterator[Index]:
    index = Index.create(tmp_path_factory.mktemp("forms") / "ix")
    index.add([{k: v for k, v in a.items() if k != "title"} for a in bbc])
    yield index
    index.close()


def terms(text: str) -> set[str]:
    return {t for t, *_ in english_words(text)}


def test_every_word_of_the_tables_is_one_english_term() -> None:
    for name in WORD_FORMS:
        for names, provenance in SynonymTable.load(DATA / name):
            assert all(len(terms(n)) == 1 for n in names), provenance
            assert len({next(iter(terms(n))) for n in names}) == len(names), provenance  # the stemmer keeps them apart
    forms = word_forms()
    assert ("Germany", "places_en.tsv:43") in forms["german"] and ("German", "places_en.tsv:43") in forms["germani"]
    assert [w for w, _ in forms["rose"]] == ["rise", "risen"]
    assert all(w.lower() != t for t, alts in forms.items() for w, _ in alts)


@pytest.mark.parametrize("title", sorted(KNOWN))
def test_a_headline_finds_its_article_through_a_word_form(ix: Index, bbc: list[dict[str, Any]], title: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    article, form = KNOWN[title]
    body = next(a["body"] for a in bbc if a["id"] == article)
    assert next(iter(terms(form))) in terms(body)
    res = ix.search(title, limit=10)
    assert res[0].id == article
    assert any(alt == form and source.split(":")[0] in WORD_FORMS for _, alt, source in res.expansions)
    hit = res[0]
    assert any(m.how == "synonym" and m.word.lower() == form.lower() for m in hit.matches)
    monkeypatch.setattr(synonyms, "WORD_FORMS", ())
    word_forms.cache_clear()
    try:
        assert ix.search(title, limit=10)[0].id != article
    finally:
        monkeypatch.undo()
        word_forms.cache_clear()


def test_a_form_scores_below_the_word_itself_and_a_quoted_word_has_none(ix: Index) -> None:
    exact = {h.id: h.score for h in ix.search("Germany", limit=500)}
    through = {h.id: h.score for h in ix.search("German", limit=500)}
    only_country = [i for i in exact if i not in {h.id for h in ix.search('"German"', limit=500)}]
    assert only_country
    for i in only_country[:20]:
        assert through[i] == pytest.approx(exact[i] * SYNONYM_BOOST, rel=1e-3)
    assert ix.search('"German"').expansions == []
    assert not set(only_country) & {h.id for h in ix.search('"German"', limit=500)}


def test_japanese_words_get_no_english_forms(ix: Index) -> None:
    assert ix.search("日本 経済").expansions == []
