"""Compound-word regression set: a compound query finds the compound, not its parts scattered.

Each row: a query, the articles it must find, the articles it must not find.
Articles are single Japanese sentences written for the case; segmentation is
UniDic 2.1.2 (unidic-lite 1.0.8) — see tests/data/segmentation_ja.tsv.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from searchkit import Index

ARTICLES = {
    "shinkansen": "東海道新幹線で大阪へ移動した。",
    "new-trunk-road": "新しい幹線道路が来月開通する。",
    "kix": "関西国際空港に到着した便が遅れた。",
    "kansai-apart": "関西から出る国際線は別の空港を使う。",
    "nihonjin": "日本人選手が金メダルを獲得した。",
    "nihon": "日本の選手団が帰国した。",
    "tokyo-to": "東京都の人口が過去最多になった。",
    "kyoto": "京都の寺で紅葉が見頃を迎えた。",
    "paid-stream": "無観客有料配信イベントを開催した。",
    "paid-apart": "有料の番組をネットで配信する。",
}

CASES = [
    ("新幹線", {"shinkansen"}, {"new-trunk-road"}),
    ("関西国際空港", {"kix"}, {"kansai-apart"}),
    ("日本人", {"nihonjin"}, {"nihon"}),
    ("日本", {"nihonjin", "nihon"}, set()),
    ("京都", {"kyoto"}, {"tokyo-to"}),
    ("東京都", {"tokyo-to"}, {"kyoto"}),
    ("有料配信", {"paid-stream"}, {"paid-apart"}),
    ('"有料配信"', {"paid-stream"}, {"paid-apart"}),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    ix = Index.create(Path(tmp_path_factory.mktemp("compounds")) / "ix")
    ix.add({"id": k, "title": "", "body": v} for k, v in ARTICLES.items())
    return ix


@pytest.mark.parametrize(("query", "hits", "non_hits"), CASES, ids=[c[0] for c in CASES])
def test_compound_hits_and_non_hits(index: Index, query: str, hits: set[str], non_hits: set[str]) -> None:
    found = {h.id for h in index.search(query, limit=20)}
    assert hits <= found, f"{query}: missing {hits - found}"
    assert not (non_hits & found), f"{query}: should not match {non_hits & found}"


@pytest.mark.parametrize(("query", "hits", "non_hits"), CASES[:3], ids=[c[0] for c in CASES[:3]])
def test_compound_is_marked_whole(index: Index, query: str, hits: set[str], non_hits: set[str]) -> None:
    for hit in index.search(query):
        marked = "".join(hit.snippet.text[s:e] for s, e in hit.snippet.spans)
        assert marked == query
