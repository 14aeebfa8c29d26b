"""Compaction: the small segments an import leaves are merged at its end, with rankings unchanged."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

from searchkit import Index
from searchkit.cli import main
from searchkit.ingest.importer import import_articles
from searchkit.stores.whoosh.store import _small_segments

QUERIES = ["スマートフォン 発売", "映画 公開", "芸能人", "Japan economy", "小泉", "女性 結婚"]


def _segments(*sizes: int) -> list[Any]:
    return [SimpleNamespace(doc_count_all=lambda n=n: n, n=n) for n in sizes]


@pytest.mark.parametrize(("sizes", "merged"), [
    ((976, 1024, 1024, 976, 976, 1024, 599, 768), [599, 768, 976, 976, 976, 1024, 1024, 1024]),  # a fresh import: all
    ((1_000_000, 2000, 1000, 1000), [1000, 1000, 2000]),  # a day's articles into a big index: not the big one
    ((1_000_000, 2000), []),  # one small segment: nothing to merge with
    ((5000,), []),
    ((100, 400), []),  # 100 is less than half of 400: both stay
])
def test_small_segments_are_those_that_add_up_to_half_the_next(sizes: tuple[int, ...], merged: list[int]) -> None:
    assert [seg.n for seg in _small_segments(_segments(*sizes))] == merged


def _hits(ix: Index) -> list[list[tuple[str, float]]]:
    return [[(h.id, round(h.score, 9)) for h in ix.search(q, limit=20)] for q in QUERIES]


def test_an_import_ends_in_one_segment_with_the_same_rankings(tmp_path: Path, corpus_articles: list[dict[str, Any]]
                                                              ) -> None:
    articles = corpus_articles[:400]
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    left = Index.create(tmp_path / "left")
    report = import_articles(left, [src], batch_size=60, procs=2)
    loose = Index.create(tmp_path / "loose")
    import_articles(loose, [src], batch_size=60, procs=2, compact=False)
    assert report.commits == 7
    assert left.info()["segments"] == 1 and loose.info()["segments"] >= 7
    assert len(left) == len(loose) == len(articles)
    assert _hits(left) == _hits(loose)
    assert all(_hits(left))
    hit = left.search("スマートフォン")[0]
    assert hit.snippet.spans and hit.fields == loose.get(hit.id)  # stored fields came through the merge


def test_the_cli_compacts_unless_told_not_to(tmp_path: Path, corpus_articles: list[dict[str, Any]]) -> None:
    src = tmp_path / "a.jsonl.gz"
    with gzip.open(src, "wt", encoding="utf-8") as f:
        for a in corpus_articles[:150]:
            f.write(json.dumps(a, ensure_ascii=False) + "\n")
    runner = CliRunner()
    done = runner.invoke(main, ["index", str(src), "-i", str(tmp_path / "a"), "--batch-size", "40"])
    assert done.exit_code == 0, done.output
    assert "4 commits" in done.stderr and "in 1 segment" in done.stderr
    done = runner.invoke(main, ["index", str(src), "-i", str(tmp_path / "b"), "--batch-size", "40", "--no-compact"])
    assert done.exit_code == 0, done.output
    assert Index.open(tmp_path / "b").info()["segments"] >= 4
