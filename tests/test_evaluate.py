"""Metric maths of searchkit.evaluate on small hand-made rankings."""

from __future__ import annotations

import gzip
import json
import math

import pytest

from searchkit.evaluate import (
    EvalResult,
    evaluate,
    first_relevant_rank,
    load_jsonl,
    recall,
    reciprocal_rank,
)


def q(qid: str, query: str, *relevant: str) -> dict:
    return {"qid": qid, "query": query, "relevant": list(relevant)}


def fixed(rankings: dict[str, list[str]]):
    """A search function that returns a canned ranking per query text."""

    def search(query: str, depth: int) -> list[str]:
        if query not in rankings:
            raise RuntimeError(f"boom: {query}")
        return rankings[query]

    return search


# --------------------------------------------------------------------------- helpers


def test_first_relevant_rank() -> None:
    assert first_relevant_rank(["a", "b", "c"], {"c"}) == 3
    assert first_relevant_rank(["a", "b", "c"], {"b", "c"}) == 2
    assert first_relevant_rank(["a", "b"], {"z"}) == 0
    assert first_relevant_rank([], {"a"}) == 0
    # a repeated id does not take a rank of its own
    assert first_relevant_rank(["a", "a", "b"], {"b"}) == 2


def test_reciprocal_rank_cut_at_k() -> None:
    ranking = [f"d{i}" for i in range(1, 21)]
    assert reciprocal_rank(ranking, {"d1"}, 10) == 1.0
    assert reciprocal_rank(ranking, {"d4"}, 10) == 0.25
    assert reciprocal_rank(ranking, {"d10"}, 10) == 0.1
    assert reciprocal_rank(ranking, {"d11"}, 10) == 0.0  # just outside the cut
    assert reciprocal_rank(ranking, {"d11"}, 11) == pytest.approx(1 / 11)


def test_recall_multi_relevant_and_duplicates() -> None:
    ranking = ["a", "x", "b", "y", "c"]
    assert recall(ranking, {"a", "b", "c", "d"}, 2) == 0.25
    assert recall(ranking, {"a", "b", "c", "d"}, 5) == 0.75
    # a duplicate cannot earn recall twice nor push a later id out of the top k
    assert recall(["a", "a", "b"], {"a", "b"}, 2) == 1.0
    with pytest.raises(ValueError):
        recall(ranking, set(), 10)


# --------------------------------------------------------------------------- evaluate()


def test_evaluate_known_values() -> None:
    rankings = {
        "first": ["r1", "x", "y"],  # rank 1
        "third": ["x", "y", "r2"],  # rank 3
        "deep": [f"n{i}" for i in range(14)] + ["r3"],  # rank 15: > k, <= depth
        "miss": ["x", "y", "z"],  # not found
    }
    queries = [
        q("1", "first", "r1"),
        q("2", "third", "r2"),
        q("3", "deep", "r3"),
        q("4", "miss", "r4"),
    ]
    res = evaluate(fixed(rankings), queries, k=10, depth=100, keep_per_query=True)
    assert isinstance(res, EvalResult)
    assert res.n == 4
    assert res.errors == 0
    assert res.mrr == pytest.approx((1 + 1 / 3 + 0 + 0) / 4)
    assert res.recall_at_k == pytest.approx(2 / 4)
    assert res.recall_at_depth == pytest.approx(3 / 4)
    assert [o.rank for o in res.per_query] == [1, 3, 15, 0]
    assert [o.qid for o in res.per_query] == ["1", "2", "3", "4"]


def test_evaluate_depth_truncates_ranking() -> None:
    ranking = [f"n{i}" for i in range(20)] + ["rel"]  # rel at rank 21
    queries = [q("1", "q", "rel")]
    assert evaluate(fixed({"q": ranking}), queries, k=10, depth=20).recall_at_depth == 0.0
    assert evaluate(fixed({"q": ranking}), queries, k=10, depth=21).recall_at_depth == 1.0


def test_evaluate_passes_depth_to_search() -> None:
    seen: list[tuple[str, int]] = []

    def search(query: str, depth: int) -> list[str]:
        seen.append((query, depth))
        return []

    evaluate(search, [q("1", "hello", "a")], k=5, depth=37)
    assert seen == [("hello", 37)]


def test_ties_same_rank_same_credit() -> None:
    # Two queries whose relevant ids sit at the same rank score identically,
    # and two relevant ids in one ranking credit only the first for MRR.
    rankings = {"a": ["x", "r", "y"], "b": ["y", "s", "x"], "c": ["r", "s"]}
    queries = [q("1", "a", "r"), q("2", "b", "s"), q("3", "c", "r", "s")]
    res = evaluate(fixed(rankings), queries, keep_per_query=True)
    assert [o.rank for o in res.per_query] == [2, 2, 1]
    assert res.mrr == pytest.approx((0.5 + 0.5 + 1.0) / 3)
    assert res.recall_at_k == 1.0


def test_duplicate_ids_in_ranking_are_ignored() -> None:
    rankings = {"q": ["x", "x", "x", "r"]}
    res = evaluate(fixed(rankings), [q("1", "q", "r")], k=2, depth=2)
    assert res.mrr == pytest.approx(0.5)  # r is the 2nd distinct id
    assert res.recall_at_k == 1.0


def test_query_that_raises_counts_as_miss() -> None:
    rankings = {"ok": ["r1"]}
    queries = [q("1", "ok", "r1"), q("2", "explodes", "r2")]
    res = evaluate(fixed(rankings), queries, keep_per_query=True)
    assert res.n == 2
    assert res.errors == 1
    assert res.mrr == 0.5
    assert res.recall_at_k == 0.5
    assert res.recall_at_depth == 0.5
    bad = res.per_query[1]
    assert bad.rank == 0 and bad.error is not None and "boom" in bad.error
    assert bad.ms >= 0.0


def test_empty_query_set() -> None:
    res = evaluate(fixed({}), [])
    assert res.n == 0 and res.mrr == 0.0 and res.errors == 0


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        evaluate(fixed({}), [q("1", "x", "a")], k=20, depth=10)
    with pytest.raises(ValueError):
        evaluate(fixed({"x": []}), [q("1", "x")])  # no relevant ids


def test_timing_fields_are_consistent() -> None:
    res = evaluate(fixed({"a": ["r"], "b": [], "c": ["r"]}),
                   [q("1", "a", "r"), q("2", "b", "r"), q("3", "c", "r")], keep_per_query=True)
    times = [o.ms for o in res.per_query]
    assert all(t >= 0 and math.isfinite(t) for t in times)
    assert res.mean_ms == pytest.approx(sum(times) / 3)
    assert res.p50_ms == sorted(times)[1]


def test_as_dict_is_json_ready() -> None:
    res = evaluate(fixed({"a": ["r"]}), [q("1", "a", "r")], keep_per_query=True)
    d = res.as_dict()
    assert "per_query" not in d
    assert d["mrr"] == 1.0 and d["n"] == 1 and d["k"] == 10 and d["depth"] == 100
    full = json.loads(json.dumps(res.as_dict(per_query=True)))
    assert full["per_query"][0]["qid"] == "1"


# --------------------------------------------------------------------------- load_jsonl()


def test_load_jsonl_plain_and_gz(tmp_path) -> None:
    rows = [{"id": "1", "body": "日本語"}, {"id": "2", "body": "English"}]
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n"
    plain = tmp_path / "a.jsonl"
    plain.write_text(text, encoding="utf-8")
    packed = tmp_path / "a.jsonl.gz"
    with gzip.open(packed, "wt", encoding="utf-8") as fh:
        fh.write(text)
    assert list(load_jsonl(plain)) == rows
    assert list(load_jsonl(str(packed))) == rows


def test_load_jsonl_reports_bad_line(tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n{oops\n', encoding="utf-8")
    with pytest.raises(ValueError, match=":2:"):
        list(load_jsonl(bad))


# --------------------------------------------------------------------------- evaluate_files()


def test_evaluate_files_end_to_end(tmp_path) -> None:
    from searchkit.evaluate import evaluate_files

    passages = [
        {"id": "p1", "title": "梅雨", "body": "梅雨は東アジアの雨季の一種である。", "lang": "ja"},
        {"id": "p2", "title": "Volcano", "body": "A volcano erupts molten lava and ash.", "lang": "en"},
        {"id": "p3", "title": "富士山", "body": "富士山は日本で最も高い山である。", "lang": "ja"},
    ]
    queries = [
        q("q1", "梅雨とは何季の一種か?", "p1"),
        q("q2", "What does a volcano erupt?", "p2"),
        q("q3", "日本で最も高い山は？", "p3"),
    ]
    pfile, qfile = tmp_path / "p.jsonl", tmp_path / "q.jsonl"
    pfile.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in passages), encoding="utf-8")
    qfile.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in queries), encoding="utf-8")
    res = evaluate_files(pfile, qfile, index_dir=tmp_path / "ix")
    assert res.n == 3 and res.errors == 0
    assert res.recall_at_k == 1.0
    assert res.mrr == 1.0
