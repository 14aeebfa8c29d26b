"""The HTTP API of ``searchkit serve`` (in process, through Starlette's test client)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from searchkit import Index
from searchkit.cli import main
from searchkit.serve import create_app

TOKEN = "test-token-1234"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HOSTILE = {"id": "x-1", "title": "<b>太字</b>の見出し", "lang": "ja", "category": "test",
           "body": "防衛省の発表。<script>window.pwned = 1</script> と <img src=x onerror=\"window.pwned = 2\"> が本文にある。"}


@pytest.fixture(scope="module")
def reader(corpus_index: Index) -> Iterator[TestClient]:
    with TestClient(create_app(corpus_index)) as client:
        yield client


@pytest.fixture
def writer(new_index: Index) -> Iterator[TestClient]:
    new_index.add([HOSTILE])
    with TestClient(create_app(new_index, write_token=TOKEN)) as client:
        yield client


def test_search_finds_the_seed_article_first_with_marks(reader: TestClient) -> None:
    r = reader.get("/search", params={"q": "小泉", "facet": ["lang", "year"]})
    assert r.status_code == 200
    res = r.json()
    assert res["hits"][0]["id"] == "seed-2"
    assert "<mark>小泉</mark>" in res["hits"][0]["snippet"]["html"]
    assert res["hits"][0]["snippet"]["spans"][0] == [3, 5]
    assert set(res["facets"]) == {"lang", "year"}
    assert sum(res["facets"]["lang"].values()) == res["total"]
    assert {"suggestion", "warnings", "expansions", "took_ms"} <= set(res)


def test_koizumi_finds_the_japanese_article_through_its_reading(reader: TestClient) -> None:
    res = reader.get("/search", params={"q": "Koizumi", "lang": "ja"}).json()
    assert res["hits"][0]["id"] == "seed-2"
    assert {"query": "Koizumi", "word": "小泉", "start": 3, "end": 5, "how": "reading"} in res["hits"][0]["matches"]


def test_paging_and_date_sort(reader: TestClient) -> None:
    first = reader.get("/search", params={"q": "Japan", "limit": 5}).json()
    second = reader.get("/search", params={"q": "Japan", "limit": 5, "page": 2}).json()
    assert first["total"] == second["total"] > 10
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    dated = reader.get("/search", params={"q": "Japan", "sort": "date", "limit": 20}).json()["hits"]
    published = [h["published"] for h in dated if h["published"]]
    assert published == sorted(published, reverse=True)


@pytest.mark.parametrize(("params", "status", "parameter"), [
    ({"q": "x", "limit": 101}, 422, "limit"),
    ({"q": "x", "limit": 0}, 422, "limit"),
    ({"q": "x", "page": "two"}, 422, "page"),
    ({"q": "x" * 1001}, 422, "q"),
    ({"q": "x", "sort": "newest"}, 422, "sort"),
    ({"q": "x", "facet": "author"}, 422, "facet"),
    ({"q": "x", "since": "2024-13"}, 422, "since"),
    ({"q": "x", "until": "yesterday"}, 422, "until"),
    ({"q": "x", "limt": 5}, 400, "limt"),
    ({"q": '"x', "strict": "true"}, 400, "q"),
])
def test_bad_input_is_a_json_error_naming_the_parameter(reader: TestClient, params: dict[str, Any], status: int,
                                                        parameter: str) -> None:
    r = reader.get("/search", params=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.json()["parameter"] == parameter
    assert "Traceback" not in r.text


def test_a_strict_syntax_error_gives_the_position(reader: TestClient) -> None:
    body = reader.get("/search", params={"q": "防衛 (会談", "strict": "true"}).json()
    assert body["position"] == 3
    assert "position 3" in body["error"]


def test_undecodable_query_text_is_not_a_server_error(reader: TestClient) -> None:
    assert reader.get("/search?q=%FF%FE").status_code == 200
    assert reader.get("/analyze?text=%C3").status_code == 200


def test_article_related_analyze_health(reader: TestClient, corpus_index: Index) -> None:
    art = reader.get("/articles/seed-2").json()
    assert art["id"] == "seed-2" and "小泉" in art["body"]
    assert reader.get("/articles/nope").status_code == 404
    related = reader.get("/related/seed-2", params={"limit": 3}).json()["hits"]
    assert 0 < len(related) <= 3 and "seed-2" not in {h["id"] for h in related}
    assert reader.get("/related/nope").status_code == 404
    assert reader.get("/related/seed-2", params={"limit": 500}).json()["parameter"] == "limit"
    tokens = reader.get("/analyze", params={"text": "小泉防衛相が会談した"}).json()["tokens"]
    assert [(t["text"], t["start"], t["end"]) for t in tokens if t["term"]][:2] == [("小泉", 0, 2), ("防衛", 2, 4)]
    health = reader.get("/health").json()
    assert health["documents"] == len(corpus_index) and health["status"] == "ok"
    assert isinstance(health["analyzer_version"], int)
    assert reader.get("/health", params={"verbose": 1}).status_code == 400


def test_openapi_schema_lists_every_endpoint(reader: TestClient) -> None:
    paths = reader.get("/openapi.json").json()["paths"]
    assert {"/search", "/articles", "/articles/{doc_id}", "/related/{doc_id}", "/analyze", "/health"} <= set(paths)
    assert {p["name"] for p in paths["/search"]["get"]["parameters"]} >= {"q", "limit", "facet", "since"}


def test_page_and_assets_are_served_with_a_strict_policy(reader: TestClient) -> None:
    page = reader.get("/")
    assert page.status_code == 200 and '<input id="q"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for asset in ("app.js", "style.css"):
        assert reader.get(f"/static/{asset}").status_code == 200
    assert "http" not in page.text.replace("http-equiv", "")  # nothing fetched from elsewhere


def test_document_markup_is_escaped(writer: TestClient) -> None:
    hit = writer.get("/search", params={"q": "防衛省"}).json()["hits"][0]
    assert hit["id"] == "x-1"
    assert "<script" not in hit["snippet"]["html"] and "<img" not in hit["snippet"]["html"]
    assert "&lt;script&gt;" in hit["snippet"]["html"] and "&lt;img src=x onerror=" in hit["snippet"]["html"]
    assert hit["title_snippet"]["html"].startswith("&lt;b&gt;")


def test_writes_are_off_without_a_token(corpus_index: Index) -> None:
    with TestClient(create_app(corpus_index)) as client:
        r = client.put("/articles", json=[HOSTILE], headers=AUTH)
        assert r.status_code == 403
        assert client.delete("/articles/seed-2", headers=AUTH).status_code == 403
    assert corpus_index.get("x-1") is None


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"])
def test_writes_need_the_right_token(writer: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    r = writer.put("/articles", json=[{"id": "n-1", "title": "t", "body": "b"}], headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert writer.delete("/articles/x-1", headers=headers).status_code == 401
    assert writer.get("/articles/n-1").status_code == 404
    assert writer.get("/articles/x-1").status_code == 200


def test_put_replaces_by_id_and_is_seen_at_once(writer: TestClient) -> None:
    body = [{"id": "x-1", "title": "差し替え", "body": "新しい本文の記事。"}, {"id": "x-2", "title": "二本目", "body": "別の記事。"}]
    r = writer.put("/articles", json=body, headers=AUTH)
    assert r.status_code == 200 and r.json() == {"written": 2, "documents": 2}
    assert writer.get("/articles/x-1").json()["title"] == "差し替え"
    assert writer.get("/search", params={"q": "差し替え"}).json()["hits"][0]["id"] == "x-1"
    jsonl = '{"id": "x-3", "title": "三本目", "body": "JSONL の記事"}\n\n{"id": "x-4", "title": "四", "body": "四本目"}\n'
    r = writer.put("/articles", content=jsonl.encode(), headers={**AUTH, "Content-Type": "application/x-ndjson"})
    assert r.json()["written"] == 2 and writer.get("/health").json()["documents"] == 4
    assert writer.get("/search", params={"q": "JSONL"}).json()["hits"][0]["id"] == "x-3"
    assert writer.delete("/articles/x-3", headers=AUTH).json() == {"deleted": 1}
    assert writer.delete("/articles/x-3", headers=AUTH).status_code == 404
    assert "x-3" not in {h["id"] for h in writer.get("/search", params={"q": "JSONL"}).json()["hits"]}


@pytest.mark.parametrize(("body", "expect"), [
    (b"\xff\xfe[]", {"parameter": "body", "position": 0}),
    (b'[{"id": "a"', {"parameter": "body", "line": 1}),
    (b'{"id": "a", "title": "t", "body": "b"}\n{nope}\n', {"parameter": "body", "line": 2}),
    (b"[1, 2]", {"parameter": "body", "line": 1}),
    (b"", {"parameter": "body"}),
    (b'[{"id": "a", "body": "b", "published": "2024/13/01"}]', {"parameter": "body", "field": "published"}),
])
def test_bad_bodies_are_refused_and_write_nothing(writer: TestClient, body: bytes, expect: dict[str, Any]) -> None:
    r = writer.put("/articles", content=body, headers=AUTH)
    assert r.status_code == 400, r.text
    assert expect.items() <= r.json().items()
    assert writer.get("/health").json()["documents"] == 1


def test_cli_serve_binds_loopback_by_default() -> None:
    out = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "127.0.0.1" in out and "SEARCHKIT_WRITE_TOKEN" in out
    assert "Example" in out and "Exit codes" in out


def test_cli_serve_without_the_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "searchkit.serve", None)  # as if fastapi were not installed
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 1
    assert "pip install 'searchkit[serve]'" in result.output


def test_cli_serve_names_a_missing_opensearch_index_without_the_password(opensearch_url: str) -> None:
    url = opensearch_url.replace("://", "://reader:s3cret-pw@") + "/sk-no-such-index"
    result = CliRunner().invoke(main, ["serve", "-i", url])
    assert result.exit_code == 1 and "sk-no-such-index: no index there" in result.output
    assert "s3cret-pw" not in result.output


def test_serve_answers_from_an_opensearch_index(opensearch_url: str, corpus_articles: list[dict[str, Any]],
                                                tmp_path: Any) -> None:
    """The same API over the OpenSearch store: search, marks, facets, an article, health."""
    import uuid

    url = f"{opensearch_url}/sk-serve-{uuid.uuid4().hex[:10]}"
    ix = Index.create(url, shards=2)
    try:
        ix.add(corpus_articles[:300])
        embedded = Index.create(tmp_path / "ix")
        embedded.add(corpus_articles[:300])
        with TestClient(create_app(Index.open(url))) as client:
            res = client.get("/search", params={"q": "小泉", "facet": ["lang"]}).json()
            want = embedded.search("小泉", limit=10)
            assert [h["id"] for h in res["hits"]] == [h.id for h in want] and res["total"] == want.total > 0
            assert "<mark>" in res["hits"][0]["snippet"]["html"]
            assert sum(res["facets"]["lang"].values()) == res["total"]
            assert client.get(f"/articles/{want[0].id}").json()["id"] == want[0].id
            assert client.get("/health").json()["documents"] == 300
    finally:
        ix.close()
        import urllib.request

        urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=30).close()
