"""Helper maths of searchkit.bench: percentiles, summaries, query sampling. No timings asserted."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from searchkit import bench

DOCS = [
    {"id": "e1", "title": "Shell boss leaves after reserves scandal", "lang": "en"},
    {"id": "e2", "title": "Markets rally as oil prices tumble", "lang": "en"},
    {"id": "e3", "title": "New football stadium plans approved", "lang": "en"},
    {"id": "e4", "title": "Go up", "lang": "en"},  # no two content words
    {"id": "j1", "title": "東京都の天気予報と気温の変化"},
    {"id": "j2", "title": "新型スマートフォンの発売日が決定"},
    {"id": "j3", "title": "日本代表がワールドカップ予選で勝利", "lang": "ja"},
    {"id": "j4", "title": "話題のアプリ in 東京 with iPhone"},
]


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([5.0], 50, 5.0),
        ([5.0], 95, 5.0),
        ([1.0, 2.0, 3.0, 4.0], 0, 1.0),
        ([1.0, 2.0, 3.0, 4.0], 100, 4.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
        ([4.0, 1.0, 3.0, 2.0], 50, 2.5),  # order does not matter
        ([0.0, 10.0], 95, 9.5),
        (list(range(1, 101)), 95, 95.05),
        (list(range(1, 101)), 50, 50.5),
    ],
)
def test_percentile_interpolates_between_ranks(values: list[float], q: float, expected: float) -> None:
    assert bench.percentile(values, q) == pytest.approx(expected)


def test_percentile_matches_median_and_is_monotonic() -> None:
    xs = [3.1, 0.2, 9.9, 4.4, 4.4, 7.0, 1.5]
    assert bench.percentile(xs, 50) == pytest.approx(bench.median(xs))
    qs = [bench.percentile(xs, q) for q in range(0, 101, 5)]
    assert qs == sorted(qs)
    assert qs[0] == min(xs) and qs[-1] == max(xs)


@pytest.mark.parametrize("bad", [-1, 100.5])
def test_percentile_rejects_out_of_range(bad: float) -> None:
    with pytest.raises(ValueError):
        bench.percentile([1.0], bad)


def test_empty_inputs_raise() -> None:
    with pytest.raises(ValueError):
        bench.percentile([], 50)
    with pytest.raises(ValueError):
        bench.median([])


def test_median_even_and_odd() -> None:
    assert bench.median([3.0, 1.0, 2.0]) == 2.0
    assert bench.median([4.0, 1.0, 3.0, 2.0]) == 2.5


def test_latency_summary() -> None:
    s = bench.latency_summary([1.0, 2.0, 3.0, 4.0, 10.0])
    assert s["n"] == 5
    assert s["p50_ms"] == 3.0
    assert s["p95_ms"] == pytest.approx(8.8)
    assert s["mean_ms"] == 4.0
    assert s["max_ms"] == 10.0


def test_time_queries_runs_warmup_then_each_query_once() -> None:
    seen: list[str] = []
    out = bench.time_queries(seen.append, ["a", "b", "c"], warmup=["w1", "w2"])
    assert seen == ["w1", "w2", "a", "b", "c"]
    assert len(out) == 3 and all(x >= 0 for x in out)


def test_text_bytes_counts_utf8_title_and_body() -> None:
    docs = [{"title": "ab", "body": "日本"}, {"title": "x"}, {"body": None}]
    assert bench.text_bytes(docs) == 2 + 6 + 1


def test_is_japanese_uses_lang_then_script() -> None:
    assert bench.is_japanese({"title": "hello", "lang": "ja"})
    assert not bench.is_japanese({"title": "日本", "lang": "en"})
    assert bench.is_japanese({"title": "日本の話"})
    assert not bench.is_japanese({"title": "Japan news"})


def test_sample_queries_is_deterministic() -> None:
    a = bench.sample_queries(DOCS, 8)
    b = bench.sample_queries(DOCS, 8)
    assert a == b
    assert a != bench.sample_queries(DOCS, 8, seed=99) or len(a) < 2


def test_sample_queries_two_title_content_words() -> None:
    qs = bench.sample_queries(DOCS, 12)
    assert qs and len(qs) == len(set(qs)) <= 12
    titles = {d["title"] for d in DOCS}
    for q in qs:
        words = q.split(" ")
        assert len(words) == 2 and words[0].lower() != words[1].lower()
        assert any(all(w in t for w in words) for t in titles), q
        for w in words:
            if w.isascii():
                assert len(w) >= 4 and w.isalpha() and w.lower() != "after"  # "after" is a stop word
    assert not any("Go" in q.split(" ") for q in qs)


def test_sample_queries_japanese_nouns_only() -> None:
    qs = bench.sample_queries([d for d in DOCS if d["id"].startswith("j")], 12)
    assert qs
    words = {w for q in qs for w in q.split(" ")}
    assert not words & {"の", "が", "で", "と", "in", "with"}  # particles; short or stop Latin words
    for w in words:
        assert not w.isascii() or (len(w) >= 4 and w.isalpha())


def test_sample_queries_prefix_stable_when_n_grows() -> None:
    assert bench.sample_queries(DOCS, 10)[:4] == bench.sample_queries(DOCS, 4)


def test_sample_queries_edge_cases() -> None:
    assert bench.sample_queries([], 5) == []
    assert bench.sample_queries(DOCS, 0) == []
    assert bench.sample_queries([{"id": "x", "title": "Go up"}], 3) == []


def test_iter_jsonl_reads_plain_and_gzip(tmp_path: Path) -> None:
    recs = [{"id": "1", "title": "a"}, {"id": "2", "title": "b"}]
    plain = tmp_path / "a.jsonl"
    plain.write_text("\n".join(json.dumps(r) for r in recs) + "\n\n", encoding="utf-8")
    gz = tmp_path / "b.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(recs[0]) + "\n")
    assert bench.load_jsonl(plain) == recs
    assert bench.load_jsonl([plain, gz]) == recs + recs[:1]


def test_dir_size(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a").write_bytes(b"x" * 10)
    (tmp_path / "sub" / "b").write_bytes(b"y" * 5)
    assert bench.dir_size(tmp_path) == 15
    assert bench.dir_size(tmp_path / "a") == 10


def test_format_bench_renders_a_table() -> None:
    result = {
        "articles": 3,
        "text_mb": 0.01,
        "runs": 1,
        "queries": 2,
        "index": {"wall_s": 1.0, "cpu_s": 1.5, "articles_per_s": 3.0, "mb_per_s": 0.01, "index_mb": 0.1},
        "search": {"query_p50_ms": 0.5, "query_p95_ms": 0.9, "snippet_p50_ms": 1.0, "snippet_p95_ms": 2.0},
        "peak_rss_mb": {"self_mb": 100.0, "children_mb": 0.0},
    }
    text = bench.format_bench(result)
    assert text.startswith("| measure | value |")
    assert "0.50 / 0.90 ms" in text
