"""Questions re-scored by their wording (searchkit.query.rerank), on JSQuAD passages."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import searchkit.query.rerank as rerank_module
from searchkit import Index
from searchkit.query.rerank import MASK, question_ngrams, rerank
from searchkit.query.planner import Planner as _Builder

DATA = Path(__file__).resolve().parents[1] / "benchmarks" / "data"


def _jsonl(name: str) -> list[dict[str, Any]]:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="module")
def questions() -> list[dict[str, Any]]:
    return _jsonl("jsquad-dev-queries.jsonl.gz")


@pytest.fixture(scope="module")
def jsquad_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    ix = Index.create(tmp_path_factory.mktemp("jsquad") / "ix")
    ix.add(_jsonl("jsquad-dev-passages.jsonl.gz"))
    yield ix
    ix.close()


def _grams(analyzer: Any, question: str) -> set[str]:
    builder = _Builder(analyzer)
    builder.tokens(question)
    return question_ngrams(builder.question_texts)


def test_question_words_and_grammar_make_no_ngrams(analyzer: Any) -> None:
    grams = _grams(analyzer, "ラオスの首都はどこなのか。")
    assert {"ラオ", "ラオス", "首都", "首都は"} <= grams
    assert not any("ど" in g or "こ" in g for g in grams)  # どこ is masked
    assert not grams & {"なの", "のか", "か。"}  # kana and punctuation only: grammar
    assert "の首" in grams  # a particle joined to a word, as the passage joins them


def test_ngrams_are_width_and_case_folded(analyzer: Any) -> None:
    assert {"un", "nt", "ts", "so", "unt", "日本語"} <= _grams(analyzer, "ＵＮＴＳＯを日本語でこたえよ")
    assert question_ngrams([f"ラオス{MASK}首都"]) >= {"ラオ", "オス", "首都"}
    assert not any(MASK in g for g in question_ngrams([f"ラオス{MASK}首都"]))
    assert question_ngrams(["齋藤の國"]) == question_ngrams(["斎藤の国"]) >= {"斎藤"}  # old kanji forms, as indexed


def test_rerank_moves_the_candidate_that_holds_the_rare_wording() -> None:
    texts = {1: "梅雨の時期は雨が多い。梅雨明けは七月。", 2: "雨がほとんど降らない梅雨を空梅雨と呼ぶ。"}
    grams = question_ngrams(["ほとんど雨が降らない梅雨を\x00と呼ぶか"])
    assert [d for d, _ in rerank(grams, [(1, 10.0), (2, 9.0)], texts.__getitem__)] == [2, 1]


def test_wording_every_candidate_holds_moves_nothing() -> None:
    texts = {1: "梅雨の時期", 2: "梅雨の時期", 3: "梅雨の時期"}
    ranked = [(1, 10.0), (2, 9.0), (3, 8.0)]
    out = rerank(question_ngrams(["梅雨の時期"]), ranked, texts.__getitem__)
    assert [d for d, _ in out] == [1, 2, 3]
    assert rerank(set(), ranked, texts.__getitem__) == ranked


def test_only_the_first_candidates_are_rescored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rerank_module, "RERANK_DEPTH", 2)
    texts = {1: "東京", 2: "京都", 3: "空梅雨"}
    out = rerank(question_ngrams(["空梅雨"]), [(1, 10.0), (2, 9.0), (3, 8.0)], texts.__getitem__)
    assert out == [(1, 10.0), (2, 9.0), (3, 8.0)]  # 3 holds the wording but is past the depth


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("1949年の総選挙で日本共産党は何議席獲得したか？", "jsquad-a14985p20"),
        ("ほとんど雨が降らない梅雨を何と呼ぶか", "jsquad-a10336p42"),
        ("コンゴ民主共和国の首都は", "jsquad-a13221p18"),  # no question word: a question's ending
    ],
)
def test_questions_find_their_passage_first(jsquad_index: Index, monkeypatch: pytest.MonkeyPatch,
                                            question: str, passage: str) -> None:
    assert jsquad_index.search(question)[0].id == passage
    monkeypatch.setattr(rerank_module, "RERANK_WEIGHT", 0.0)
    assert jsquad_index.search(question)[0].id != passage  # BM25 alone puts a sibling first


def test_rerank_lifts_mrr_on_jsquad_questions(jsquad_index: Index, questions: list[dict[str, Any]],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    sample = questions[:300]

    def mrr() -> float:
        total = 0.0
        for q in sample:
            ids = [h.id for h in jsquad_index.search(q["query"], limit=10)]
            if q["relevant"][0] in ids:
                total += 1 / (ids.index(q["relevant"][0]) + 1)
        return total / len(sample)

    with_rerank = mrr()
    monkeypatch.setattr(rerank_module, "RERANK_WEIGHT", 0.0)
    assert with_rerank > mrr() + 0.005


def test_pages_of_a_reranked_question_agree(jsquad_index: Index) -> None:
    question = "共産党委員長は誰か？"
    ten = [h.id for h in jsquad_index.search(question, limit=10)]
    assert [h.id for h in jsquad_index.search(question, limit=5, page=2)] == ten[5:]
    assert [h.id for h in jsquad_index.search(question, limit=3, page=4)] == ten[9:10] + [
        h.id for h in jsquad_index.search(question, limit=12)][10:12]


def test_reranked_hits_carry_their_stored_fields(jsquad_index: Index) -> None:
    res = jsquad_index.search("ラオスの首都はどこなのか。")
    fresh = jsquad_index.search("ラオス 首都", limit=50)
    stored = {h.id: h.fields for h in fresh}
    for hit in res:
        assert hit.fields["id"] == hit.id
        if hit.id in stored:
            assert hit.fields == stored[hit.id]
    assert any("ラオス" in (h.fields.get("title") or "") for h in res)


def test_keyword_queries_and_headlines_are_not_reranked(jsquad_index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    queries = ["梅雨 北海道", "オホーツク海気団の影響で冷夏になる年", "ラオス 首都 ビエンチャン"]
    before = [[(h.id, h.score) for h in jsquad_index.search(q)] for q in queries]
    monkeypatch.setattr(rerank_module, "RERANK_WEIGHT", 0.0)
    assert before == [[(h.id, h.score) for h in jsquad_index.search(q)] for q in queries]
    assert all(before)
