"""The OpenSearch store against a real cluster: same API, same rankings as the embedded store."""

from __future__ import annotations

import gzip
import itertools
import json
import urllib.request
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from searchkit import Index
from searchkit.errors import (ClusterError, DocumentError, IndexExists, IndexNotFound, SchemaMismatch,
                              SearchkitError)
from searchkit.stores.opensearch import OpenSearchStore, parse_location

CORPUS_FILES = ("livedoor-ja.jsonl.gz", "bbc-en.jsonl.gz")
PER_CORPUS = 250


def corpus_dir() -> Path:
    """The corpora vendored in the repository (benchmarks/data)."""
    return Path(__file__).resolve().parents[1] / "benchmarks" / "data"


@pytest.fixture(scope="module")
def articles() -> list[dict[str, Any]]:
    """Real articles: the first of each corpus (every tenth kept, for variety)."""
    out: list[dict[str, Any]] = []
    for name in CORPUS_FILES:
        with gzip.open(corpus_dir() / name, "rt", encoding="utf-8") as f:
            lines = itertools.islice(f, 0, PER_CORPUS * 4, 4)
            out += [json.loads(line) for line in lines]
    return out


def call(method: str, url: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def names(opensearch_url: str) -> Iterator[list[str]]:
    """Index names made by this module, deleted at its end."""
    made: list[str] = []
    yield made
    for name in made:
        try:
            call("DELETE", f"{opensearch_url}/{name}")
        except OSError:
            pass


def new_url(opensearch_url: str, names: list[str]) -> str:
    name = f"sk-test-{uuid.uuid4().hex[:10]}"
    names.append(name)
    return f"{opensearch_url}/{name}"


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory, articles: list[dict[str, Any]]) -> Iterator[Index]:
    ix = Index.create(tmp_path_factory.mktemp("embedded") / "ix")
    ix.add(articles)
    yield ix
    ix.close()


@pytest.fixture(scope="module")
def clustered(opensearch_url: str, names: list[str], articles: list[dict[str, Any]]) -> Iterator[Index]:
    ix = Index.create(new_url(opensearch_url, names), shards=3, replicas=1)
    ix.add(articles)
    yield ix
    ix.close()


def queries(articles: list[dict[str, Any]]) -> list[str]:
    titles = [a["title"] for a in articles[::9]]
    return titles + ["東京", "首相 会談", "government election", '"prime minister"', "oil OR gas", "economy -china",
                     "携帯 アプリ", "koizumi", "小泉", "映画 監督", "growth in 2004",
                     # word forms (Germany / German, fall / fell), searched as synonyms
                     "German economy", "Chinese exports rise as economy grows", "Oil prices fall back from highs"]


def ranking(ix: Index, query: str, **kw: Any) -> list[tuple[str, float]]:
    return [(h.id, h.score) for h in ix.search(query, limit=10, **kw)]


def test_create_open_len_and_info(clustered: Index, embedded: Index, opensearch_url: str) -> None:
    assert len(clustered) == len(embedded) > 400
    url = clustered.location
    assert url.startswith("http://127.0.0.1:")
    again = Index.open(url)
    try:
        assert len(again) == len(embedded)
        info = again.info()
        assert info["shards"] == 3 and info["replicas"] == 1 and info["documents"] == len(embedded)
    finally:
        again.close()


def test_rankings_equal_the_embedded_store(clustered: Index, embedded: Index, articles: list[dict[str, Any]]) -> None:
    qs = queries(articles)
    same = 0
    for q in qs:
        want, got = ranking(embedded, q), ranking(clustered, q)
        assert [i for i, _ in got] == [i for i, _ in want], q
        assert [s for _, s in got] == pytest.approx([s for _, s in want], rel=1e-5), q
        same += 1
    assert same == len(qs) > 60


def test_filters_sort_and_paging_equal(clustered: Index, embedded: Index, articles: list[dict[str, Any]]) -> None:
    for kw in ({"lang": "en"}, {"lang": "ja", "page": 2}, {"sort": "date", "lang": "ja"}, {"since": "2012-01-01"},
               {"category": articles[-1]["category"]}, {"category": articles[0]["category"]}):
        for q in ("year", "東京", "market"):
            want, got = ranking(embedded, q, **kw), ranking(clustered, q, **kw)
            assert [i for i, _ in got] == [i for i, _ in want], (q, kw)
            assert [s for _, s in got] == pytest.approx([s for _, s in want], rel=1e-5), (q, kw)


def test_snippets_matches_totals_and_facets_equal(clustered: Index, embedded: Index) -> None:
    for q in ("東京 電力", "oil prices", '"interest rates"', "映画"):
        want, got = embedded.search(q, limit=10), clustered.search(q, limit=10)
        assert got.total == want.total, q
        assert got.facets == want.facets, q
        for a, b in zip(want, got):
            assert b.snippet == a.snippet, q
            assert [(m.start, m.end, m.word, m.how) for m in b.matches] == \
                [(m.start, m.end, m.word, m.how) for m in a.matches]
            assert b.title_snippet == a.title_snippet
            assert b.fields == a.fields


def test_did_you_mean_equal(clustered: Index, embedded: Index) -> None:
    asked = 0
    for q in ("goverment", "econmy growth", "marekt", "koizmi", "すまーとふぉん", "アイフォン", "しゅしょう 辞任"):
        want = embedded.search(q, limit=10).suggestion
        assert clustered.search(q, limit=10).suggestion == want, q
        asked += want is not None
    assert asked >= 2


def test_top_terms_equal(clustered: Index, embedded: Index) -> None:
    """The frequent body terms did-you-mean reads kana as kanji from (counts summed over 3 shards)."""
    def top(ix: Index) -> dict[str, int]:
        pairs = ix._store.reader().top_terms("body", 60)
        cut = pairs[-1][1]
        return {t: df for t, df in pairs if df > cut}  # leave out the tie across the cut

    want = top(embedded)
    assert len(want) > 20 and top(clustered) == want
    assert any(not t.isascii() for t in want)  # Japanese terms among them


def test_question_ranking_and_related_equal(clustered: Index, embedded: Index, articles: list[dict[str, Any]]) -> None:
    for q in ("東京で節電が続いているのはなぜか。", "Who runs the oil company?"):
        assert [i for i, _ in ranking(clustered, q)] == [i for i, _ in ranking(embedded, q)], q
    for doc in (articles[3]["id"], articles[-3]["id"]):
        want, got = embedded.related(doc), clustered.related(doc)
        assert [h.id for h in got] == [h.id for h in want] and len(want) == 5
        assert [h.score for h in got] == pytest.approx([h.score for h in want], rel=1e-5)


def test_shard_count_does_not_change_rankings(clustered: Index, opensearch_url: str, names: list[str],
                                              articles: list[dict[str, Any]]) -> None:
    one = Index.create(new_url(opensearch_url, names), shards=1)
    try:
        one.add(articles)
        for q in queries(articles)[:20]:
            a, b = ranking(one, q), ranking(clustered, q)
            assert [i for i, _ in a] == [i for i, _ in b], q
            assert [s for _, s in a] == pytest.approx([s for _, s in b], rel=1e-5), q
    finally:
        one.close()


def test_add_replace_delete_by_id(opensearch_url: str, names: list[str], articles: list[dict[str, Any]]) -> None:
    ix = Index.create(new_url(opensearch_url, names))
    try:
        assert len(ix) == 0
        assert ix.add(articles[:20]) == 20
        assert ix.add(articles[:20]) == 20  # idempotent by id
        assert len(ix) == 20
        changed = dict(articles[0], title="Zanzibar quokka parade", body="A quokka parade in Zanzibar.")
        ix.add([changed])
        assert len(ix) == 20
        assert ix.get(changed["id"])["title"] == "Zanzibar quokka parade"
        assert [h.id for h in ix.search("quokka")] == [changed["id"]]
        assert ix.delete([changed["id"], "no-such-id"]) == 1
        assert len(ix) == 19 and ix.get(changed["id"]) is None
        assert list(ix.search("quokka")) == []
        with pytest.raises(DocumentError):
            ix.add([{"id": "x"}])
    finally:
        ix.close()


def test_errors_name_the_url_without_the_password(opensearch_url: str, names: list[str]) -> None:
    secret = "s3cr3t-pw"
    with pytest.raises(ClusterError) as caught:
        Index.open(f"http://admin:{secret}@127.0.0.1:1/news")
    text = str(caught.value)
    assert "127.0.0.1:1/news" in text and secret not in text and "opensearch/cluster start" in text
    assert secret not in repr(parse_location(f"http://admin:{secret}@127.0.0.1:1/news"))
    with pytest.raises(IndexNotFound) as missing:
        Index.open(f"{opensearch_url}/sk-test-missing-{uuid.uuid4().hex[:6]}")
    assert "Index.create" in str(missing.value)
    with pytest.raises(ValueError):
        Index.open(f"{opensearch_url}/Upper_Case")


def test_foreign_index_and_analyzer_mismatch(opensearch_url: str, names: list[str]) -> None:
    foreign = new_url(opensearch_url, names)
    call("PUT", foreign, {"mappings": {"properties": {"text": {"type": "text"}}}})
    with pytest.raises(SchemaMismatch, match="not made by searchkit"):
        Index.open(foreign)
    with pytest.raises(SchemaMismatch):
        Index.create(foreign, overwrite=True)
    assert "text" in call("GET", f"{foreign}/_mapping")[foreign.rsplit("/", 1)[1]]["mappings"]["properties"]
    ours = new_url(opensearch_url, names)
    Index.create(ours).close()
    with pytest.raises(IndexExists):
        Index.create(ours)
    meta = call("GET", f"{ours}/_mapping")[ours.rsplit("/", 1)[1]]["mappings"]["_meta"]["searchkit"]
    call("PUT", f"{ours}/_mapping", {"_meta": {"searchkit": dict(meta, analyzer=meta["analyzer"] - 1)}})
    with pytest.raises(SchemaMismatch, match="analyzer version"):
        Index.open(ours)
    Index.create(ours, overwrite=True).close()  # a searchkit index may be replaced
    assert len(Index.open(ours)) == 0


def test_store_is_a_searchkit_error_source(opensearch_url: str) -> None:
    with pytest.raises(SearchkitError):
        OpenSearchStore.open("http://127.0.0.1:1/x")


@pytest.mark.disruptive
def test_import_survives_a_killed_node(opensearch_url: str, names: list[str], articles: list[dict[str, Any]]) -> None:
    """SIGKILL the last node between two bulk batches (replicas=1): the import completes, each article once."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    data = Path(os.environ.get("SEARCHKIT_CLUSTER_DATA", root / "opensearch" / ".build" / "cluster"))
    state_file = data / "cluster.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else None
    if not state or f"http://127.0.0.1:{state['http_port']}" != opensearch_url or state["nodes"] < 3:
        pytest.skip(f"needs a 3-node cluster started by opensearch/cluster with --data {data}")
    cluster = [sys.executable, str(root / "opensearch" / "cluster"), "--data", str(data)]
    hosts = ",".join(f"127.0.0.1:{state['http_port'] + k}" for k in range(state["nodes"]))
    url = new_url(opensearch_url, names)
    ix = Index.create(f"http://{hosts}/{url.rsplit('/', 1)[1]}", shards=3, replicas=1)
    try:
        half = len(articles) // 2
        ix.add(articles[:half])
        subprocess.run(cluster + ["kill", str(state["nodes"])], check=True, capture_output=True, timeout=60)
        ix.add(articles[half:])
        ix.add(articles[half - 50:half + 50])  # a re-run over what is there already adds no duplicates
        assert len(ix) == len({a["id"] for a in articles})
        assert [h.id for h in ix.search(articles[1]["title"], limit=1)] == [articles[1]["id"]]
    finally:
        restarted = subprocess.run(cluster + ["restart", str(state["nodes"])], capture_output=True, text=True,
                                   timeout=330)
        ix.close()
    assert restarted.returncode == 0, restarted.stderr


def test_mapping_conflict_is_a_schema_mismatch(opensearch_url: str, names: list[str]) -> None:
    url = new_url(opensearch_url, names)
    Index.create(url).close()
    name = url.rsplit("/", 1)[1]
    mapping = call("GET", f"{url}/_mapping")[name]["mappings"]
    properties = {k: {kk: vv for kk, vv in v.items() if kk != "similarity"} for k, v in mapping["properties"].items()}
    properties["title"] = {"type": "keyword"}
    other = new_url(opensearch_url, names)
    call("PUT", other, {"mappings": {"_meta": mapping["_meta"], "properties": properties}})
    with pytest.raises(SchemaMismatch, match="mapping conflict: field 'title' is keyword"):
        Index.open(other)


def test_cli_with_an_index_url(opensearch_url: str, names: list[str], articles: list[dict[str, Any]],
                               tmp_path: Path) -> None:
    from click.testing import CliRunner

    from searchkit.cli import main

    source = tmp_path / "a.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles[:30]), encoding="utf-8")
    url = new_url(opensearch_url, names)
    runner = CliRunner()
    done = runner.invoke(main, ["index", str(source), "-i", url])
    assert done.exit_code == 0, done.output
    found = runner.invoke(main, ["search", articles[2]["title"], "-i", url, "--json"])
    assert found.exit_code == 0, found.output
    assert articles[2]["id"] in found.output
    info = runner.invoke(main, ["info", "-i", url, "--json"])
    assert info.exit_code == 0 and json.loads(info.output)["documents"] == 30
    secret = "pw-never-shown"
    bad = runner.invoke(main, ["search", "x", "-i", f"http://u:{secret}@127.0.0.1:1/news"])
    assert bad.exit_code != 0 and secret not in bad.output and "127.0.0.1:1/news" in bad.output


def test_bulk_retries_a_real_429_with_backoff(opensearch_url: str, names: list[str], articles: list[dict[str, Any]],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-flight requests breaker set tiny makes the cluster answer bulk requests with 429; the import
    waits, retries and completes once the breaker is back, with every article once."""
    import threading

    from searchkit.stores.opensearch import bulk

    pauses: list[int] = []
    real_pause = bulk._pause
    monkeypatch.setattr(bulk, "_pause", lambda attempt: pauses.append(attempt) or min(real_pause(attempt), 0.5))
    url = new_url(opensearch_url, names)
    ix = Index.create(url)
    breaker = "network.breaker.inflight_requests.limit"
    call("PUT", f"{opensearch_url}/_cluster/settings", {"transient": {breaker: "1kb"}})
    try:
        done: list[BaseException | None] = []

        def run() -> None:
            try:
                ix.add(articles[:120])
                done.append(None)
            except BaseException as exc:  # reported below
                done.append(exc)

        worker = threading.Thread(target=run)
        worker.start()
        deadline = time.monotonic() + 30
        while not pauses and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        call("PUT", f"{opensearch_url}/_cluster/settings", {"transient": {breaker: None}})
    worker.join(120)
    assert pauses, "the cluster never answered 429"
    assert done == [None]
    assert len(ix) == 120
    assert [h.id for h in ix.search(articles[7]["title"], limit=1)] == [articles[7]["id"]]


def test_bench_with_an_index_url(opensearch_url: str, names: list[str], articles: list[dict[str, Any]],
                                 tmp_path: Path) -> None:
    """`searchkit bench -i URL` benchmarks the OpenSearch store, deletes its index, and never touches one
    that was there before."""
    from click.testing import CliRunner

    from searchkit.cli import main

    source = tmp_path / "a.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles[:60]), encoding="utf-8")
    url = new_url(opensearch_url, names)
    runner = CliRunner()
    done = runner.invoke(main, ["bench", str(source), "-i", url, "--runs", "2", "--queries", "20", "--json"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    assert result["store"] == f"opensearch {url}" and result["articles"] == 60
    assert result["index"]["index_mb"] > 0 and result["search"]["query_p50_ms"] > 0
    with pytest.raises(IndexNotFound):
        Index.open(url)
    kept = new_url(opensearch_url, names)
    Index.create(kept).add(articles[:5])
    refused = runner.invoke(main, ["bench", str(source), "-i", kept, "--runs", "1"])
    assert refused.exit_code == 1 and "an index exists there" in refused.output
    assert len(Index.open(kept)) == 5
