"""Parts of the OpenSearch store that need no cluster: locations, credentials, documents, the compiler."""

from __future__ import annotations

from datetime import datetime

import pytest

from searchkit import Analyzer
from searchkit.query import plan as p
from searchkit.stores.opensearch import is_url, parse_location
from searchkit.stores.opensearch.compile import Scoring, compile_plan
from searchkit.stores.opensearch.documents import os_term, quantized_length, source_of


def test_locations() -> None:
    loc = parse_location("http://127.0.0.1:9200/news")
    assert loc.hosts == (("127.0.0.1", 9200),) and loc.index == "news" and loc.url == "http://127.0.0.1:9200/news"
    many = parse_location("https://a:9201,b/news")
    assert many.hosts == (("a", 9201), ("b", 9200)) and many.scheme == "https"
    assert is_url("HTTP://x/y") and not is_url("var/news") and not is_url(None)
    for bad in ("http://127.0.0.1:9200", "http://127.0.0.1:9200/a/b", "http://h/Upper", "http://h/_x", "ftp://h/x"):
        with pytest.raises(ValueError):
            parse_location(bad)


def test_credentials_precedence_and_no_password_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEARCHKIT_OPENSEARCH_USER", "env-user")
    monkeypatch.setenv("SEARCHKIT_OPENSEARCH_PASSWORD", "env-pw")
    assert parse_location("http://h/x").user == "env-user"
    from_url = parse_location("http://u%40x:p%3Aw@h/x")
    assert (from_url.user, from_url.password) == ("u@x", "p:w")
    keyword = parse_location("http://u:p@h/x", http_auth=("k", "kp"))
    assert (keyword.user, keyword.password) == ("k", "kp")
    assert "kp" not in repr(keyword) and "kp" not in str(keyword) and "kp" not in keyword.url
    with pytest.raises(ValueError) as caught:
        parse_location("http://u:hidden@h/")
    assert "hidden" not in str(caught.value)


def test_terms_and_lengths() -> None:
    assert os_term("a b") == "a_b"
    assert len(os_term("x" * 300)) == 255 and len(os_term("😀" * 200).encode("utf-16-le")) <= 510
    assert [quantized_length(n) for n in (0, 1, 7)] == [0, 1, 7]
    lengths = [quantized_length(n) for n in range(1, 5000)]
    assert all(q >= n for n, q in zip(range(1, 5000), lengths)) and lengths == sorted(lengths)
    doc = source_of({"id": "a", "title": "小泉首相が会談", "body": "東京で会談した。" * 3, "lang": "ja",
                     "published": datetime(2024, 5, 1, 9), "tags": "x,y"}, Analyzer(), 300)
    assert doc["title"].split(" ")[:2] == ["小泉", "首相"] and "r:koizumi" in doc["title"].split(" ")
    assert doc["title_n"] == len(doc["title"].split(" "))
    assert doc["lead_n"] <= doc["body_n"] and doc["tags"] == ["x", "y"]
    assert doc["published"] == "2024-05-01T09:00:00Z"


def test_compiled_plans() -> None:
    scoring = Scoring(1.2, 0.75, {("body", "a"): 2.0, ("body", "b"): 3.0}, {"body": 10.0, "title": 5.0, "lead": 4.0})
    term = compile_plan(p.Term("body", "a", 1.5), scoring)
    assert term["script_score"]["script"]["params"]["w"] == 3.0
    phrase = compile_plan(p.Phrase("body", ["a", "b"]), scoring)
    assert phrase["bool"]["filter"] == [{"match_phrase": {"body": {"query": "a b"}}}]
    assert len(phrase["bool"]["must"]) == 2
    best = compile_plan(p.BestOf([p.Term("body", "a"), p.Term("body", "b")]), scoring)
    assert best["dis_max"]["tie_breaker"] == 0.0
    both = compile_plan(p.All([p.Term("body", "a"), p.Not(p.Term("body", "zzz"))]), scoring)
    assert both["bool"]["must"][1]["constant_score"]["boost"] == 1.0
    dates = compile_plan(p.DateRange("published", datetime(2020, 1, 1), None))
    assert dates == {"range": {"published": {"gte": "2020-01-01T00:00:00Z"}}}
    assert compile_plan(p.Term("lang", "ja")) == {"term": {"lang": {"value": "ja"}}}


def test_without_opensearch_py_the_error_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from searchkit import ClusterError, Index

    monkeypatch.setitem(sys.modules, "opensearchpy", None)  # as if the extra were not installed
    with pytest.raises(ClusterError, match=r"pip install 'searchkit\[opensearch\]'"):
        Index.open("http://127.0.0.1:1/news")
