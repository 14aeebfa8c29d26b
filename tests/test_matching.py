"""Keyword queries matched a block at a time must rank and score as Whoosh's matchers do."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import searchkit.stores.whoosh.compile as search_module
import searchkit.stores.whoosh.store as store_module
from searchkit import Index
from searchkit.bench import sample_queries
from searchkit.stores.whoosh.matching import ScoredList, plain_terms, word_clauses


def _ranked(ix: Index, queries: list[str]) -> list[list[tuple[str, float]]]:
    return [[(h.id, h.score) for h in ix.search(q, limit=20)] for q in queries]


def _whoosh_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "word_matcher", lambda *a: None)
    monkeypatch.setattr(search_module, "all_words_matcher", lambda *a: None)


@pytest.fixture(scope="module")
def two_segment_index(tmp_path_factory: pytest.TempPathFactory, corpus_articles: list[dict[str, Any]]) -> Index:
    ix = Index.create(tmp_path_factory.mktemp("matching") / "ix")
    ix.add(corpus_articles, procs=2)
    return ix


def _queries(articles: list[dict[str, Any]]) -> list[str]:
    queries = sample_queries(articles, 60, seed=5)
    queries += [a["title"].split()[0] for a in articles[::40] if a.get("title")]  # one word, often a name
    return queries + _compound_queries(articles)


def _compound_queries(articles: list[dict[str, Any]]) -> list[str]:
    """A number and its counter (２人, 3月: a two-word phrase) with a word of the title."""
    out = []
    for a in articles[::15]:
        number = re.search(r"[0-9０-９]+[人月日年]", a.get("body") or "")
        word = re.search(r"[一-龥]{2,}", a.get("title") or "")
        if number and word:
            out.append(f"{number.group()} {word.group()}")
    return out[:30]


def test_same_rankings_and_scores_as_whoosh(two_segment_index: Index, corpus_articles: list[dict[str, Any]],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    ix = two_segment_index
    assert len(ix._store.searcher().leaf_searchers()) == 2
    queries = _queries(corpus_articles)
    assert any(any("\u3040" <= ch <= "\u9fff" for ch in q) for q in queries)
    ours = _ranked(ix, queries)
    _whoosh_only(monkeypatch)
    theirs = _ranked(ix, queries)
    assert sum(1 for r in ours if r) >= len(queries) // 2
    for query, a, b in zip(queries, ours, theirs):
        assert [d for d, _ in a] == [d for d, _ in b], query
        assert [s for _, s in a] == pytest.approx([s for _, s in b], rel=1e-12), query


def test_pages_and_totals_as_whoosh(two_segment_index: Index, corpus_articles: list[dict[str, Any]],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a page's best documents reach Whoosh's collector: later pages, totals and
    filtered searches must not notice."""
    ix = two_segment_index
    queries = _queries(corpus_articles)

    def pages() -> list[tuple[int, list[str], list[str], int]]:
        out = []
        for q in queries:
            second = ix.search(q, limit=5, page=2)
            ja = ix.search(q, lang="ja")
            out.append((second.total, [h.id for h in second], [h.id for h in ja], ja.total))
        return out

    ours = pages()
    assert sum(1 for total, *_ in ours if total > 10) >= 10  # pages with documents left out
    _whoosh_only(monkeypatch)
    assert ours == pages()


def test_copies_score_exactly_alike(tmp_path: Path, corpus_articles: list[dict[str, Any]]) -> None:
    """An article and its copy (another segment, or other blocks) get bit-equal scores,
    so ties fall in document order as with Whoosh's matchers."""
    articles = corpus_articles[:200]
    ix = Index.create(tmp_path / "ix")
    ix.add(articles + [{**a, "id": a["id"] + "#copy"} for a in articles], procs=2)
    assert len(ix._store.searcher().leaf_searchers()) == 2
    compared = 0
    for query in _queries(articles):
        scores = {h.id: h.score for h in ix.search(query, limit=400)}
        for doc_id, score in scores.items():
            if doc_id + "#copy" in scores:
                assert scores[doc_id + "#copy"] == score, (query, doc_id)
                compared += 1
    assert compared >= 100


def test_deleted_articles_are_left_out(tmp_path: Path, corpus_articles: list[dict[str, Any]],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    ix = Index.create(tmp_path / "ix")
    ix.add(corpus_articles[:300], procs=1)
    queries = _queries(corpus_articles[:300])
    first = _ranked(ix, queries)
    gone = {d for r in first for d, _ in r[:1]}
    assert ix.delete(gone) == len(gone)
    ours = _ranked(ix, queries)
    assert not gone & {d for r in ours for d, _ in r}
    totals = [ix.search(q).total for q in queries]
    _whoosh_only(monkeypatch)
    assert [[d for d, _ in r] for r in ours] == [[d for d, _ in r] for r in _ranked(ix, queries)]
    assert totals == [ix.search(q).total for q in queries]


def test_only_plain_word_queries_take_the_fast_path(two_segment_index: Index,
                                                    corpus_articles: list[dict[str, Any]]) -> None:
    from whoosh import query as wq

    assert plain_terms(wq.Or([wq.Term("title", "a", boost=1.5), wq.Or([wq.Term("body", "a")])])) is not None
    assert plain_terms(wq.Or([wq.Term("body", "a")], boost=2.0)) is None
    assert plain_terms(wq.Or([wq.Phrase("body", ["a", "b"])])) is None
    assert word_clauses(wq.Or([wq.Term("title", "c"), wq.Phrase("body", ["a", "b"])])) is not None
    assert word_clauses(wq.Or([wq.Phrase("body", ["a", "b", "c"])])) is None
    assert word_clauses(wq.Or([wq.Phrase("body", ["a", "b"], slop=2)])) is None
    for query in ("小泉 防衛", *_compound_queries(corpus_articles)[:5]):
        res = two_segment_index.search(query)
        assert res.total and not res.relaxed, query
        matchers = [res._prepared.query.matcher(sub) for sub, _ in res._prepared.reader.searcher.leaf_searchers()]
        assert any(isinstance(m, ScoredList) for m in matchers), query


def test_snippets_from_blocks_read_while_scoring_match_a_fresh_read(
        two_segment_index: Index, corpus_articles: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Snippets cut from the posting blocks the search read equal those from reading the postings again."""
    queries = _queries(corpus_articles)

    def snippets() -> list[list[tuple[str, str, list[tuple[int, int, str]]]]]:
        out = []
        for q in queries:
            res = two_segment_index.search(q)
            out.append([(h.id, h.snippet.html(), sorted(h._matches)) for h in res])
        return out

    ours = snippets()
    assert sum(len(m) for page in ours for _, _, m in page) > 100
    monkeypatch.setattr(store_module, "_seen_blocks", lambda q: {})
    assert ours == snippets()


def _long_queries(articles: list[dict[str, Any]]) -> list[str]:
    """Headlines (long ORs), the same asking something (word pairs, re-scored) and questions."""
    titles = [a["title"] for a in articles[::7] if a.get("title")][:60]
    return titles + [t + "は何か" for t in titles[:20]] + ["what did the minister say about the budget?"]


def _whole(ix: Index, queries: list[str]) -> list[tuple[int, list[tuple[str, float]]]]:
    out = []
    for q in queries:
        res = ix.search(q, limit=20)
        out.append((res.total, [(h.id, h.score) for h in res]))
    return out


def test_long_ors_score_bit_for_bit_as_whoosh(two_segment_index: Index, corpus_articles: list[dict[str, Any]],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Headlines and questions scored a block at a time: the same ids, totals and scores,
    to the last bit, as Whoosh's array matcher (so ties fall alike)."""
    queries = _long_queries(corpus_articles)
    ours = _whole(two_segment_index, queries)
    monkeypatch.setattr(search_module, "sum_matcher", lambda *a: None)
    theirs = _whole(two_segment_index, queries)
    assert sum(1 for total, _ in ours if total > 20) >= 20
    for query, a, b in zip(queries, ours, theirs):
        assert a == b, query


def test_long_ors_leave_deleted_articles_out(tmp_path: Path, corpus_articles: list[dict[str, Any]],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    ix = Index.create(tmp_path / "ix")
    ix.add(corpus_articles[:300], procs=1)
    queries = _long_queries(corpus_articles[:300])
    gone = {hits[0][0] for _, hits in _whole(ix, queries) if hits}
    assert ix.delete(gone) == len(gone)
    ours = _whole(ix, queries)
    assert not gone & {d for _, hits in ours for d, _ in hits}
    monkeypatch.setattr(search_module, "sum_matcher", lambda *a: None)
    assert ours == _whole(ix, queries)
