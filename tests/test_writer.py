"""The segment writer: postings held per term must write what Whoosh's own writer writes."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
import whoosh.index
from whoosh.fields import TEXT, Schema
from whoosh.writing import SegmentWriter

from searchkit.stores.whoosh.formats import PackedCharacters, PackedValues, TermCharacters
from searchkit.stores.whoosh.writer import ArticleWriter, TermPool
from searchkit.documents import clean_article
from searchkit.documents import lead_of
from searchkit.stores.whoosh.schema import article_schema


def _build(path: Path, writer_class: type, articles: list[dict[str, Any]], limitmb: float) -> Any:
    path.mkdir()
    ix = whoosh.index.create_in(str(path), article_schema())
    writer = writer_class(ix, limitmb=limitmb)
    for article in articles:
        clean = clean_article(article)
        if clean["body"]:
            clean["lead"] = lead_of(clean["body"], clean.get("lang"))
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


def _segmented(path: Path, articles: list[dict[str, Any]], merge: Any, delete: tuple[int, ...]) -> Any:
    """An index of five segments (with the articles at ``delete`` deleted), then merged into one by ``merge``."""
    path.mkdir()
    ix = whoosh.index.create_in(str(path), article_schema())
    for i in range(0, len(articles), len(articles) // 5):
        writer = ArticleWriter(ix, limitmb=256)
        for article in articles[i:i + len(articles) // 5]:
            clean = clean_article(article)
            if clean["body"]:
                clean["lead"] = lead_of(clean["body"], clean.get("lang"))
            writer.add_document(**clean)
        writer.commit(merge=False)
    if delete:
        writer = ArticleWriter(ix, limitmb=256)
        for i in delete:
            writer.delete_by_term("id", articles[i]["id"])
        writer.commit(merge=False)
    assert len(whoosh.index.open_dir(str(path)).reader().leaf_readers()) == 5
    writer = ArticleWriter(ix, limitmb=256)
    writer.add_postings_to_pool = merge.__get__(writer)  # type: ignore[method-assign]
    writer.commit(optimize=True)
    return whoosh.index.open_dir(str(path)).reader()


def test_merging_segments_copies_what_whoosh_copies(tmp_path: Path, corpus_articles: list[dict[str, Any]]) -> None:
    """Merges through the pool (segments with deletions) and by copying
    posting blocks (:mod:`~searchkit.stores.whoosh.merge`) write the same
    index as Whoosh's own posting-at-a-time merge: terms, statistics,
    postings, stored fields, deleted articles left out; copied blocks keep
    their boundaries, with block statistics true to their postings."""
    articles = corpus_articles[:300]
    pairs = []
    # deletions in the first segment (all through the pool), in the last only
    # (four copied, then moved to the pool), none (all copied)
    for name, delete in (("first", (3, 70, 299)), ("last", (250, 299)), ("none", ())):
        theirs = _segmented(tmp_path / f"whoosh-{name}", articles, SegmentWriter.add_postings_to_pool, delete)
        ours = _segmented(tmp_path / f"ours-{name}", articles, ArticleWriter.add_postings_to_pool, delete)
        assert theirs.doc_count_all() == ours.doc_count_all() == len(articles) - len(delete)
        pairs.append((theirs, ours))
    stats = ("weight", "doc_frequency", "min_length", "max_length", "max_weight", "min_id", "max_id")
    for a_reader, b_reader in pairs:
        terms = list(a_reader.all_terms())
        assert terms == list(b_reader.all_terms())
        for field, term in terms:
            a, b = a_reader.term_info(field, term), b_reader.term_info(field, term)
            assert [getattr(a, s)() for s in stats] == [getattr(b, s)() for s in stats], (field, term)
            assert [p[:3] for p in _postings(a_reader, field, term)] == [p[:3] for p in _postings(b_reader, field, term)]
            _check_blocks(b_reader, field, term)
        for docnum in range(a_reader.doc_count_all()):
            assert a_reader.stored_fields(docnum) == b_reader.stored_fields(docnum)
            assert a_reader.doc_field_length(docnum, "body") == b_reader.doc_field_length(docnum, "body")


def _check_blocks(reader: Any, field: str, term: bytes) -> None:
    """Each block's max weight and id and length bounds are those of its postings."""
    from whoosh.util.numeric import byte_to_length, length_to_byte

    m = reader.postings(field, term)
    while m.is_active():
        ids, weights = [], []
        top, low, high = m.block_max_weight(), m.block_min_length(), m.block_max_length()
        while True:
            ids.append(m.id())
            weights.append(m.weight())
            if m.next() or not m.is_active():  # next() is True when it moved to another block
                break
        assert top == max(weights), (field, term)
        lengths = [reader.doc_field_length(d, field) for d in ids]
        assert high == byte_to_length(length_to_byte(max(lengths))), (field, term)
        assert low == byte_to_length(length_to_byte(min(lengths))), (field, term)


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


@pytest.mark.parametrize("level", [0, 3])
def test_packed_values_unpack_and_pickle_as_written(level: int) -> None:
    values = [b"", b"\x00\x01", "小泉進次郎".encode(), b"x" * 300] + [b"%d" % i for i in range(40)]
    packed = PackedValues.pack(values, level, 12, 128)
    assert packed._compressed is bool(level)
    again = pickle.loads(pickle.dumps(packed, 4))
    assert type(again) is PackedValues and again._values is None  # nothing unpacked until read
    assert list(again) == values and len(again) == len(values)
    assert again[2] == values[2] and again[-1] == b"39" and list(again[1:3]) == values[1:3]
    one = pickle.loads(pickle.dumps(packed, 4))
    assert [one.value(i) for i in range(len(values))] == values and one._values is None  # one at a time
    with pytest.raises(IndexError):
        one.value(len(values))


def test_packed_characters_decode_what_whoosh_characters_decode() -> None:
    poslist = [(0, 0, 2), (7, 15, 19), (300, 70000, 70005)]
    ours, theirs = PackedCharacters(), TermCharacters()
    for fmt in (ours, theirs):
        value = fmt.encode(poslist)
        assert fmt.decode_characters(value) == poslist
        assert fmt.decode_positions(value) == [0, 7, 300]
        assert fmt.decode_frequency(value) == 3 and fmt.decode_weight(value) == 3
    assert len(ours.encode(poslist)) == 36
    assert PackedCharacters._encode_one(5, 10, 12) == ours.encode([(5, 10, 12)])
    assert TermCharacters._encode_one(5, 10, 12) == theirs.encode([(5, 10, 12)])


def test_long_posting_lists_keep_values_packed_apart(tmp_path: Path, corpus_articles: list[dict[str, Any]]) -> None:
    """Blocks of 16 or more postings hold their values in a PackedValues; Whoosh's reader reads them."""
    reader = _build(tmp_path / "ours", ArticleWriter, corpus_articles[:400], 256)
    common = [term for field, term in reader.all_terms() if field == "body" and reader.doc_frequency(field, term) >= 40]
    assert common
    m = reader.postings("body", common[0])
    m._read_data()
    assert type(m._data[2]) is PackedValues
    chars = reader.schema["body"].format.decoder("characters")
    while m.is_active():
        text = reader.stored_fields(m.id())["body"]
        assert {text[s:e].lower() for _, s, e in chars(m.value())}  # ranges inside the stored body
        m.next()
