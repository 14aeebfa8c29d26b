"""Synonyms and user dictionaries on the OpenSearch store: kept in the index's mapping record,
used by every later open, import and search, and equal to the embedded store's results.

Skipped without a cluster (SEARCHKIT_TEST_OPENSEARCH=http://127.0.0.1:PORT).
"""

from __future__ import annotations

import gzip
import json
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from searchkit import Index
from searchkit.errors import SchemaMismatch

CORPUS = Path(__file__).parent.parent / "benchmarks" / "data" / "livedoor-ja.jsonl.gz"
BEIKOKU = "livedoor-5473472"  # says 米国, never アメリカ
WORDS = "surface,reading,pos\n東京スカイツリー,トウキョウスカイツリー,固有名詞\n"


@pytest.fixture(scope="module")
def livedoor() -> list[dict[str, Any]]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        arts = [json.loads(line) for line in f]
    keep = [a for a in arts if a["id"] == BEIKOKU or "東京スカイツリー" in a["body"] or "アメリカ" in a["body"]][:120]
    return keep + arts[:40]


@pytest.fixture
def url(opensearch_url: str) -> Iterator[str]:
    name = f"sk-test-syn-{uuid.uuid4().hex[:8]}"
    yield f"{opensearch_url}/{name}"
    try:
        urllib.request.urlopen(urllib.request.Request(f"{opensearch_url}/{name}", method="DELETE"), timeout=60)
    except OSError:
        pass


def test_synonyms_on_opensearch_equal_the_embedded_store(url: str, tmp_path: Path,
                                                         livedoor: list[dict[str, Any]]) -> None:
    remote = Index.create(url, synonyms="starter")
    remote.add(livedoor)
    local = Index.create(tmp_path / "ix", synonyms="starter")
    local.add(livedoor)
    again = Index.open(url)
    assert again.synonyms is not None and len(again.synonyms) == len(local.synonyms or ())
    res = again.search("アメリカ", limit=200)
    assert BEIKOKU in [h.id for h in res]
    assert ("アメリカ", "米国", "synonyms.tsv:12") in res.expansions
    hit = next(h for h in res if h.id == BEIKOKU)
    assert any(m.word == "米国" and m.how == "synonym" for m in hit.matches)
    mine = local.search("アメリカ", limit=200)
    assert [h.id for h in res] == [h.id for h in mine]
    assert [round(h.score, 3) for h in res] == [round(h.score, 3) for h in mine]


def test_user_dictionary_on_opensearch(url: str, tmp_path: Path, livedoor: list[dict[str, Any]]) -> None:
    words = tmp_path / "words.csv"
    words.write_text(WORDS, encoding="utf-8")
    Index.create(url, user_dictionary=words)
    remote = Index.open(url)  # the dictionary comes from the index, not from the caller
    remote.add(livedoor)
    local = Index.create(tmp_path / "ix", user_dictionary=words)
    local.add(livedoor)
    assert remote.user_dictionary is not None and remote.user_dictionary.digest == local.user_dictionary.digest  # type: ignore[union-attr]
    for query in ('"東京スカイツリー"', "ツリー", "スカイ"):
        assert [h.id for h in Index.open(url).search(query, limit=200)] == \
            [h.id for h in local.search(query, limit=200)], query
    assert Index.open(url).search('"東京スカイツリー"').total > 0
    other = tmp_path / "other.csv"
    other.write_text("surface,reading,pos\nゆるキャラ,ユルキャラ,名詞\n", encoding="utf-8")
    with pytest.raises(SchemaMismatch, match="other.csv"):
        Index.open(url, user_dictionary=other)
