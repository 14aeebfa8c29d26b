"""The segment writer: postings held per term must write what Whoosh's own writer writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import whoosh.index
from whoosh.fields import TEXT, Schema
from whoosh.writing import SegmentWriter

from searchkit._writer import ArticleWriter, TermPool
from searchkit.documents import clean_article
from searchkit.schema import article_schema, lead_of


def _build(path: Path, writer_class: type, articles: list[dict[str, Any]], limitmb: float) -> Any:
    path.mkdir()
    ix = whoosh.index.create_in(str(path), article_schema())
    writer = writer_class(ix, limitmb=limitmb)
    for article in articles:
        clean = clean_article(article)
        if clean["body"]:
            clean["lead"] = lead_of(clean["body"])
        writer.add_document(**clean)
    writer.commit()
    return whoosh.index.open_dir(str(path)).reader()


def _postings(reader: Any, field: str, term: bytes) -> list[tuple[Any, ...]]:
    m = reader.postings(field, term)
    out = []
    while m.is_active():
        out.append((m.id(), m.weight(), m.value(), m.block_max_weight(), m.block_min_length(), m.block_max_length()))
        m.next()
    return out


@pytest.mark.parametrize("limitmb", [256, 0.5])
def test_article_writer_writes_what_whoosh_writes(tmp_path: Path, corpus_articles: list[dict[str, Any]],
                                                  limitmb: float) -> None:
    """Same terms, term statistics, postings and block statistics as Whoosh's
    SegmentWriter, for real Japanese and English articles (0.5 MiB: through run files)."""
    articles = corpus_articles[:400]
    theirs = _build(tmp_path / "whoosh", SegmentWriter, articles, 256)
    ours = _build(tmp_path / "ours", ArticleWriter, articles, limitmb)
    terms = list(theirs.all_terms())
    assert terms == list(ours.all_terms())
    assert any(field == "body" and len(term.decode()) > 1 and term.decode() >= "\u3040" for field, term in terms)
    stats = ("weight", "doc_frequency", "min_length", "max_length", "max_weight", "min_id", "max_id")
    for field, term in terms:
        a, b = theirs.term_info(field, term), ours.term_info(field, term)
        assert [getattr(a, s)() for s in stats] == [getattr(b, s)() for s in stats], (field, term)
        assert _postings(theirs, field, term) == _postings(ours, field, term), (field, term)
    for docnum in range(theirs.doc_count_all()):
        assert theirs.stored_fields(docnum) == ours.stored_fields(docnum)
        assert theirs.doc_field_length(docnum, "body") == ours.doc_field_length(docnum, "body")


def test_term_pool_merges_runs_in_docnum_order(tmp_path: Path) -> None:
    from whoosh.filedb.filestore import FileStorage

    pool = TermPool(FileStorage(str(tmp_path)), limitmb=1)
    for docnum in range(6):
        pool.add_field("body", docnum, [(b"a", 1, 1.0, b"x%d" % docnum), (b"b%d" % (docnum % 2), 2, 2.0, b"y")])
        if docnum in (1, 3):
            pool.save()
    assert len(pool.runs) == 2
    merged = {(f, t): (list(ids), list(ws), vs) for f, t, ids, ws, vs in pool.terms()}
    assert merged[("body", b"a")] == ([0, 1, 2, 3, 4, 5], [1.0] * 6, [b"x%d" % d for d in range(6)])
    assert merged[("body", b"b1")] == ([1, 3, 5], [2.0] * 3, [b"y"] * 3)
    assert list(merged) == [("body", b"a"), ("body", b"b0"), ("body", b"b1")]
    pool.cleanup()
    assert not list(tmp_path.glob("*.run"))


def test_term_vectors_go_through_whoosh(tmp_path: Path) -> None:
    """Fields with term vectors (not in the article schema) are written by Whoosh's own code path."""
    ix = whoosh.index.create_in(str(tmp_path), Schema(text=TEXT(vector=True, stored=True)))
    writer = ArticleWriter(ix)
    writer.add_document(text="alfa bravo alfa")
    writer.commit()
    with ix.searcher() as s:
        assert dict(s.vector_as("frequency", 0, "text")) == {"alfa": 2, "bravo": 1}
        assert [hit["text"] for hit in s.search(whoosh.query.Term("text", "bravo"))] == ["alfa bravo alfa"]
