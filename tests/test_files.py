"""Segment files read in place from their memory map (stores/whoosh/files.py)."""

from __future__ import annotations

import io
import pickle
import random
from pathlib import Path
from typing import Any

import pytest
import whoosh.filedb.compound
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.reading import SegmentReader

from searchkit import Index
from searchkit.stores.whoosh.files import PEEK, MappedFile, ViewReader

QUERIES = ["スマートフォン 発売", "映画 公開", "芸能人", "Japan economy", "小泉", "女性 結婚", "\"prime minister\""]


def test_the_view_reads_as_bytesio_does() -> None:
    rng = random.Random(7)
    data = bytes(rng.choice(b"ab\n\x00\xff") for _ in range(5000))
    view, bio = ViewReader(memoryview(data)), io.BytesIO(data)
    for _ in range(2000):
        op = rng.choice(["read", "readline", "seek", "seek_cur", "seek_end", "readinto", "peek"])
        if op == "read":
            n = rng.choice([-1, 0, 1, 7, 300, 6000])
            assert view.read(n) == bio.read(n)
        elif op == "readline":
            limit = rng.choice([-1, 3, 50])
            assert view.readline(limit) == bio.readline(limit)
        elif op == "seek":
            pos = rng.randrange(0, 5200)
            assert view.seek(pos) == bio.seek(pos)
        elif op == "seek_cur":
            delta = rng.randrange(0, 40)
            assert view.seek(delta, 1) == bio.seek(delta, 1)
        elif op == "seek_end":
            delta = -rng.randrange(0, 100)
            assert view.seek(delta, 2) == bio.seek(delta, 2)
        elif op == "readinto":
            a, b = bytearray(rng.randrange(1, 90)), None
            b = bytearray(len(a))
            assert view.readinto(a) == bio.readinto(b)
            assert a == b
        else:  # peek reads ahead without moving
            here = view.tell()
            assert view.peek(10) == data[here:here + PEEK]
        assert view.tell() == bio.tell()


@pytest.mark.parametrize("size", [1, PEEK - 20, PEEK, 5 * PEEK])
def test_pickles_and_ints_read_as_whoosh_reads_them(size: int) -> None:
    """``read_pickle`` and ``read_int`` give what Whoosh's own file gives and
    leave the position where it does, for pickles shorter and longer than PEEK."""
    out = io.BytesIO()
    StructFile(out).write_int(-12345)
    pickle.dump((size, "見出し" * size, b"x" * size), out, 2)
    StructFile(out).write_int(99)
    data = out.getvalue() + b"\0" * 3
    ours, theirs = MappedFile(memoryview(data)), BufferFile(memoryview(data))
    for f in (ours, theirs):
        f.seek(0)
    assert ours.read_int() == theirs.read_int() == -12345
    assert ours.read_pickle() == theirs.read_pickle()
    assert ours.tell() == theirs.tell()
    assert ours.read_int() == theirs.read_int() == 99
    assert ours.get(4, 3) == theirs.get(4, 3)
    assert ours.subset(4, 10).read(10) == theirs.subset(4, 10).read(10)


def _results(path: Path) -> list[list[tuple[str, float, str]]]:
    ix = Index.open(path)
    try:
        return [[(h.id, round(h.score, 9), h.snippet) for h in ix.search(q, limit=10)] for q in QUERIES]
    finally:
        ix.close()


def test_an_index_reads_its_segments_in_place_with_the_same_results(
        corpus_index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    path = Path(corpus_index.path)
    ix = Index.open(path)
    searcher: Any = ix._store.searcher()
    readers = [r for r, _ in searcher.reader().leaf_readers()]
    assert readers and all(isinstance(r, SegmentReader) for r in readers)
    for reader in readers:  # the postings and the term dictionary: not copied into the process
        assert isinstance(reader._terms._postfile.file, ViewReader)
        assert isinstance(reader._terms._tindex.dbfile.file, ViewReader)
    ix.close()
    mapped = _results(path)
    monkeypatch.setattr(whoosh.filedb.compound, "BufferFile", BufferFile)  # Whoosh's copying file
    assert _results(path) == mapped
    assert sum(len(hits) for hits in mapped) > 30
