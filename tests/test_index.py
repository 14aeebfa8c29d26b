"""Index round trips on a fresh on-disk index per test (``tmp_path``).

Also the pickle contract: Whoosh pickles the schema, analyzers included, into
the index, so the analyzer must pickle as small configuration and an index
must open and search in a fresh process.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from searchkit import (
    Analyzer,
    DocumentError,
    Index,
    IndexExists,
    IndexLocked,
    IndexNotFound,
    SchemaMismatch,
    SearchkitError,
    StorageError,
)
from searchkit.stores.whoosh.formats import SearchkitTokenizer
from searchkit.stores.whoosh.schema import article_schema

DOCS = [
    {"id": "n1", "title": "防衛相会談", "body": "小泉防衛相が横須賀基地で会談した。", "published": "2024-05-01T09:00:00+09:00",
     "category": "politics", "tags": ["defense", "korea"], "url": "https://example.com/n1"},
    {"id": "n2", "title": "Defense ministers meet", "body": "The defense ministers met in Kuala Lumpur.",
     "published": "2023-11-01", "category": "world"},
    {"id": "n3", "title": "東京の天気", "body": "東京は晴れ。"},
]


def ids(results: object) -> list[str]:
    return [h.id for h in results]  # type: ignore[attr-defined]


# -- pickle -------------------------------------------------------------------


def test_analyzer_pickles_small_and_round_trips() -> None:
    a = Analyzer()
    a.tokens("東京で会談した")  # the thread's MeCab tagger exists now
    data = pickle.dumps(a)
    assert len(data) < 2048
    b = pickle.loads(data)
    assert b == a
    assert b.terms("東京で会談した") == a.terms("東京で会談した") == [("東京", 0, 2), ("会談", 3, 5)]


def test_tokenizer_and_schema_pickle_small_and_round_trip() -> None:
    schema = article_schema()
    tokenizer = schema["body"].analyzer
    assert isinstance(tokenizer, SearchkitTokenizer)
    list(tokenizer("小泉防衛相が会談した", positions=True, chars=True))  # used once
    tdata = pickle.dumps(tokenizer)
    assert len(tdata) < 2048
    assert pickle.loads(tdata) == tokenizer
    data = pickle.dumps(schema)
    assert len(data) < 2048
    clone = pickle.loads(data)
    assert sorted(clone.names()) == sorted(schema.names())
    assert [(t.text, t.pos, t.startchar, t.endchar) for t in clone["body"].analyzer(
        "小泉防衛相が会談した", positions=True, chars=True)] == [
        ("小泉", 0, 0, 2), ("防衛", 1, 2, 4), ("相", 2, 4, 5), ("会談", 3, 6, 8)]


def test_index_reopens_in_a_fresh_process(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    ix = Index.create(path)
    ix.add(DOCS)
    ix.close()
    code = (
        "import json, sys\n"
        "from searchkit import Index\n"
        "ix = Index.open(sys.argv[1])\n"
        "res = ix.search('会談')\n"
        "print(json.dumps({'n': len(ix), 'ids': [h.id for h in res], 'spans': [list(s) for s in res[0].snippet.spans],"
        " 'text': res[0].snippet.text}, ensure_ascii=False))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["n"] == 3
    assert out["ids"] == ["n1"]
    [(s, e)] = out["spans"]
    assert out["text"][s:e] == "会談"


# -- create / open ---------------------------------------------------------------


def test_create_then_open(tmp_path: Path) -> None:
    path = tmp_path / "news"
    ix = Index.create(path)
    assert len(ix) == 0
    ix.close()
    again = Index.open(path)
    assert len(again) == 0
    assert again.path == path


def test_create_where_index_exists(tmp_path: Path) -> None:
    path = tmp_path / "news"
    Index.create(path).add(DOCS)
    with pytest.raises(IndexExists) as exc:
        Index.create(path)
    assert str(path) in str(exc.value)
    fresh = Index.create(path, overwrite=True)
    assert len(fresh) == 0
    assert len(Index.open(path)) == 0


@pytest.mark.parametrize("recorded", ["older", "unrecorded"])
def test_index_of_another_analyzer_version_is_refused_and_left_alone(tmp_path: Path, recorded: str) -> None:
    """Its terms were made another way (an index made before analyzers were
    recorded is version 1): searching it would miss words, so it must be rebuilt."""
    path = tmp_path / "news"
    ix = Index.create(path)
    ix.add(DOCS)
    ix.close()
    meta_file = path / "searchkit.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    assert meta["analyzer"] == Analyzer.version
    if recorded == "older":
        meta["analyzer"] = Analyzer.version - 1
    else:
        del meta["analyzer"]
        assert Analyzer.version > 1
    meta_file.write_text(json.dumps(meta), encoding="utf-8")
    before = {f.name: f.read_bytes() for f in path.iterdir()}
    with pytest.raises(SchemaMismatch) as exc:
        Index.open(path)
    message = str(exc.value)
    assert str(path) in message and "rebuild" in message and "--new" in message
    built_by = Analyzer.version - 1 if recorded == "older" else 1
    assert f"version {built_by};" in message and f"version {Analyzer.version} terms" in message
    assert {f.name: f.read_bytes() for f in path.iterdir()} == before
    Index.create(path, overwrite=True).add(DOCS)
    assert len(Index.open(path)) == len(DOCS)


@pytest.mark.parametrize(("record", "expected"), [
    ('{"format": 2, "analyzer": 99}', "newer than this searchkit's version"),
    ('{"format": 2, "anal', "is damaged"),
    ('["not", "a", "record"]', "is damaged"),
    ('{"format": 2, "analyzer": "2"}', "is damaged"),
])
def test_index_with_a_newer_or_damaged_analyzer_record_is_refused(tmp_path: Path, record: str,
                                                                  expected: str) -> None:
    path = tmp_path / "news"
    Index.create(path).add(DOCS)
    (path / "searchkit.json").write_text(record, encoding="utf-8")
    with pytest.raises(SchemaMismatch) as exc:
        Index.open(path)
    assert expected in str(exc.value) and str(path) in str(exc.value)
    assert "version 1" not in str(exc.value)


def test_overwrite_waits_for_the_writer_of_the_old_index(tmp_path: Path) -> None:
    """Replacing an index while another writer works on it would mix the two:
    ``create(overwrite=True)`` takes the write lock first."""
    path = tmp_path / "news"
    ix = Index.create(path)
    ix.add(DOCS)
    with ix._store._writer(1) as writer:  # a writer at work: the lock is held
        before = {f.name: f.read_bytes() for f in path.iterdir() if f.is_file()}
        with pytest.raises(IndexLocked) as exc:
            Index.create(path, overwrite=True, lock_timeout=0.2)
        assert "locked by another writer" in str(exc.value)
        after = {f.name: f.read_bytes() for f in path.iterdir() if f.is_file()}
        assert after == before
        writer.cancel()
    assert len(Index.open(path)) == len(DOCS)
    assert len(Index.create(path, overwrite=True, lock_timeout=0.2)) == 0  # the lock is free again


def test_a_reader_never_finds_an_index_without_its_analyzer_record(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The record is written before the index, so a reader polling a directory
    while it is created (an import just started) never takes it for an old one."""
    import searchkit.stores.whoosh.store as index_module

    path = tmp_path / "news"
    real_create_in = index_module.whoosh.index.create_in
    seen: list[int] = []

    def create_in(*args: object, **kwargs: object) -> object:
        seen.append(json.loads((path / "searchkit.json").read_text(encoding="utf-8"))["analyzer"])
        return real_create_in(*args, **kwargs)

    monkeypatch.setattr(index_module.whoosh.index, "create_in", create_in)
    Index.create(path).add(DOCS)
    assert seen == [Analyzer.version]
    monkeypatch.undo()
    assert len(Index.open(path)) == len(DOCS)

    # Interrupted between the record and the index: no index yet, and the
    # next create goes ahead.
    def interrupted(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    other = tmp_path / "other"
    monkeypatch.setattr(index_module.whoosh.index, "create_in", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Index.create(other)
    monkeypatch.undo()
    with pytest.raises(IndexNotFound):
        Index.open(other)
    Index.create(other).add(DOCS)
    assert len(Index.open(other)) == len(DOCS)


def test_demo_index_of_another_analyzer_version_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchkit import demo

    monkeypatch.setenv("SEARCHKIT_CACHE", str(tmp_path))
    monkeypatch.setattr(demo, "sample_articles", lambda: iter(DOCS))
    path = demo.demo_path()
    Index.create(path).add(DOCS[:1])
    meta = json.loads((path / "searchkit.json").read_text(encoding="utf-8"))
    (path / "searchkit.json").write_text(json.dumps({**meta, "analyzer": Analyzer.version - 1}), encoding="utf-8")
    announced: list[str] = []
    ix = demo.demo_index(announce=announced.append)
    assert announced and len(ix) == len(DOCS)
    assert ix.search("東京")[0].id == "n3"


def test_demo_index_is_never_seen_half_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchkit import demo

    monkeypatch.setenv("SEARCHKIT_CACHE", str(tmp_path))
    path = demo.demo_path()
    seen_during_build: list[str] = []

    def articles() -> Iterator[dict[str, Any]]:
        for i, doc in enumerate(DOCS):
            if i == 1:  # a search that starts now finds no index, not an empty one
                try:
                    seen_during_build.append(f"{len(Index.open(path))} articles")
                except IndexNotFound:
                    seen_during_build.append("not found")
            yield doc

    monkeypatch.setattr(demo, "sample_articles", articles)
    ix = demo.demo_index()
    assert seen_during_build == ["not found"]
    assert len(ix) == len(DOCS) and ix.path == path
    assert cache_names(tmp_path) == [path.name]  # nothing left beside it but the build lock


def cache_names(cache: Path) -> list[str]:
    """What the cache directory holds, but the demo build's lock file."""
    return sorted(p.name for p in cache.iterdir() if not p.name.endswith(".lock"))


def test_two_first_searches_at_once_both_get_the_whole_demo_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchkit import demo

    monkeypatch.setenv("SEARCHKIT_CACHE", str(tmp_path))
    builds: list[int] = []
    sizes: list[int] = []
    told: list[str] = []
    second = threading.Thread(target=lambda: sizes.append(len(demo.demo_index(announce=told.append))))

    def articles() -> Iterator[dict[str, Any]]:
        builds.append(1)
        second.start()  # a second first search, while this one builds
        time.sleep(0.5)
        yield from DOCS

    monkeypatch.setattr(demo, "sample_articles", articles)
    sizes.append(len(demo.demo_index()))
    second.join(60)
    assert sizes == [len(DOCS), len(DOCS)]
    assert builds == [1]  # the second waited for the first build and used it
    assert len(told) == 1 and told[0].startswith("waiting for another search")
    assert cache_names(tmp_path) == [demo.demo_path().name]
    assert Index.open(demo.demo_path()).search("東京")[0].id == "n3"


@pytest.mark.parametrize("damage", ["empty", "truncated", "segment", "garbage", "removed"])
def test_a_damaged_demo_index_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    from searchkit import demo

    monkeypatch.setenv("SEARCHKIT_CACHE", str(tmp_path))
    monkeypatch.setattr(demo, "sample_articles", lambda: iter(DOCS))
    path = demo.demo_path()
    Index.create(path).add(DOCS[:2], procs=1)
    victim = next(path.glob("*.seg" if damage in ("segment", "removed") else "*.toc"))
    data = victim.read_bytes()
    if damage == "removed":
        victim.unlink()
    elif damage == "garbage":  # Whoosh's own IndexError ("created on different architecture")
        victim.write_bytes(bytes([5]) + data[1:])
    else:
        victim.write_bytes(b"" if damage == "empty" else data[: len(data) // 2])
    with pytest.raises(StorageError, match="damaged"):
        len(Index.open(path))
    announced: list[str] = []
    ix = demo.demo_index(announce=announced.append)
    assert announced and len(ix) == len(DOCS)
    assert ix.search("東京")[0].id == "n3"
    assert cache_names(tmp_path) == [path.name]


def test_demo_indexes_of_older_analyzer_versions_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchkit import __version__, demo

    monkeypatch.setenv("SEARCHKIT_CACHE", str(tmp_path))
    monkeypatch.setattr(demo, "sample_articles", lambda: iter(DOCS))
    old = [tmp_path / f"demo-{__version__}", tmp_path / f"demo-{__version__}-a{Analyzer.version - 1}"]
    others = [tmp_path / "demo-0.0.9-a3", tmp_path / f"demo-{__version__}-a{Analyzer.version + 1}", tmp_path / "notes"]
    for d in old + others:
        (d / "x").mkdir(parents=True)
    demo.demo_index()
    assert not any(d.exists() for d in old)
    assert all(d.exists() for d in others)  # other versions' indexes, a newer searchkit's, the user's own


def test_a_file_in_the_demo_index_place_is_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchkit import demo

    monkeypatch.setenv("SEARCHKIT_CACHE", str(tmp_path))
    monkeypatch.setattr(demo, "sample_articles", lambda: iter(DOCS))
    path = demo.demo_path()
    path.write_text("not an index", encoding="utf-8")
    assert len(demo.demo_index()) == len(DOCS)
    assert cache_names(tmp_path) == [path.name]  # the file is not left beside it


def test_two_first_searches_replace_a_damaged_demo_index_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchkit import demo

    monkeypatch.setenv("SEARCHKIT_CACHE", str(tmp_path))
    path = demo.demo_path()
    Index.create(path).add(DOCS[:1], procs=1)
    next(path.glob("*.toc")).write_bytes(b"")
    builds: list[int] = []

    def articles() -> Iterator[dict[str, Any]]:
        builds.append(1)
        time.sleep(0.3)
        yield from DOCS

    monkeypatch.setattr(demo, "sample_articles", articles)
    sizes: list[int] = []
    threads = [threading.Thread(target=lambda: sizes.append(len(demo.demo_index()))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sizes == [len(DOCS), len(DOCS)] and builds == [1]
    assert cache_names(tmp_path) == [path.name]


def test_an_unwritable_demo_cache_is_a_storage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchkit import demo

    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("SEARCHKIT_CACHE", str(blocker / "cache"))
    with pytest.raises(StorageError, match="SEARCHKIT_CACHE"):
        demo.demo_index()


def test_a_demo_build_that_finishes_second_uses_the_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchkit import demo

    monkeypatch.setenv("SEARCHKIT_CACHE", str(tmp_path))
    path = demo.demo_path()

    def articles() -> Iterator[dict[str, Any]]:
        yield from DOCS[:1]
        other = Index.create(path)  # another first search finishes its build meanwhile
        other.add(DOCS)
        other.close()

    monkeypatch.setattr(demo, "sample_articles", articles)
    ix = demo.demo_index()
    assert len(ix) == len(DOCS)  # the other search's index, left in place
    assert cache_names(tmp_path) == [path.name]


def test_a_killed_demo_build_is_swept_by_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import time

    from searchkit import demo

    monkeypatch.setenv("SEARCHKIT_CACHE", str(tmp_path))
    monkeypatch.setattr(demo, "sample_articles", lambda: iter(DOCS))
    path = demo.demo_path()
    dead = path.with_name(f".{path.name}-building-1-dead")
    (dead / "ix").mkdir(parents=True)
    then = time.time() - 2 * demo.STALE_BUILD_SECONDS
    os.utime(dead, (then, then))
    live = path.with_name(f".{path.name}-building-2-live")  # a build in progress
    live.mkdir()
    demo.demo_index()
    assert not dead.exists() and live.exists()


def test_open_missing_index_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(IndexNotFound) as exc:
        Index.open(missing)
    assert str(missing) in str(exc.value)
    assert isinstance(exc.value, SearchkitError)
    # an existing directory without an index is "not found" too
    (tmp_path / "empty").mkdir()
    with pytest.raises(IndexNotFound):
        Index.open(tmp_path / "empty")


def test_create_refuses_unrelated_directory_and_files(tmp_path: Path) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(StorageError):
        Index.create(busy)
    assert (busy / "notes.txt").read_text(encoding="utf-8") == "mine"
    afile = tmp_path / "file"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(StorageError):
        Index.create(afile)


# -- add / update / delete -------------------------------------------------------------


def test_add_returns_count_and_len(new_index: Index) -> None:
    assert new_index.add(DOCS) == 3
    assert len(new_index) == 3
    assert "n1" in new_index and "zz" not in new_index
    assert new_index.add([]) == 0
    assert len(new_index) == 3


def test_stored_fields(new_index: Index) -> None:
    new_index.add(DOCS)
    [hit] = new_index.search("横須賀")
    assert hit.id == "n1"
    f = hit.fields
    assert f["title"] == "防衛相会談"
    assert f["body"] == "小泉防衛相が横須賀基地で会談した。"
    assert f["url"] == "https://example.com/n1"
    assert f["lang"] == "ja"
    assert f["category"] == "politics"
    assert f["tags"] == ["defense", "korea"]
    assert f["published"].isoformat() == "2024-05-01T00:00:00+00:00"  # UTC, and it says so
    assert f["published"] == datetime(2024, 5, 1, tzinfo=timezone.utc)
    assert new_index.get("n2")["lang"] == "en"  # type: ignore[index]
    assert new_index.get("missing") is None


def test_fields_carry_every_article_field(new_index: Index) -> None:
    new_index.add([{"id": "bare", "body": "東京は晴れ。"}])
    [hit] = new_index.search("晴れ")
    assert list(hit.fields) == ["id", "title", "body", "url", "published", "lang", "category", "tags"]
    assert hit.fields["url"] is None and hit.fields["published"] is None and hit.fields["category"] is None
    assert hit.fields["tags"] is None and hit.fields["title"] == "" and hit.fields["lang"] == "ja"
    assert new_index.get("bare") == hit.fields


def test_get_returns_tags_as_a_list(new_index: Index) -> None:
    new_index.add(DOCS)
    assert new_index.get("n1")["tags"] == ["defense", "korea"]  # type: ignore[index]
    [hit] = new_index.search("横須賀")
    assert new_index.get("n1") == hit.fields
    assert new_index.get("n3")["tags"] is None  # type: ignore[index]


def test_update_by_same_id_replaces(new_index: Index) -> None:
    new_index.add(DOCS)
    assert new_index.add([{"id": "n3", "title": "大阪の天気", "body": "大阪は雨。"}]) == 1
    assert len(new_index) == 3
    assert ids(new_index.search("大阪")) == ["n3"]
    assert ids(new_index.search("東京")) == []
    assert new_index.get("n3")["title"] == "大阪の天気"  # type: ignore[index]


def test_update_twice_in_separate_commits(new_index: Index) -> None:
    for i in range(3):
        new_index.add([{"id": "same", "title": f"version{i}"}])
    assert len(new_index) == 1
    assert ids(new_index.search("version2")) == ["same"]
    assert ids(new_index.search("version0")) == []


def test_duplicate_ids_in_one_add_last_wins(new_index: Index) -> None:
    n = new_index.add([
        {"id": "d", "title": "first version"},
        {"id": "e", "title": "other"},
        {"id": "d", "title": "second version"},
    ])
    assert n == 2
    assert len(new_index) == 2
    assert ids(new_index.search("second")) == ["d"]
    assert ids(new_index.search("first")) == []


def test_duplicate_ids_in_add_to_non_empty_index(new_index: Index) -> None:
    new_index.add(DOCS)
    assert new_index.add([{"id": "n1", "title": "alpha"}, {"id": "n1", "title": "beta"}]) == 1
    assert len(new_index) == 3
    assert ids(new_index.search("beta")) == ["n1"]
    assert ids(new_index.search("alpha")) == []


def test_delete(new_index: Index) -> None:
    new_index.add(DOCS)
    assert new_index.delete(["n2", "not-there"]) == 1
    assert len(new_index) == 2
    assert "n2" not in new_index
    assert ids(new_index.search("ministers")) == []
    assert new_index.delete([]) == 0
    with pytest.raises(TypeError):
        new_index.delete([1])  # type: ignore[list-item]
    # delete then re-add the same id
    assert new_index.add([{"id": "n2", "title": "ministers again"}]) == 1
    assert ids(new_index.search("ministers")) == ["n2"]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"title": "no id"}, "id"),
        ({"id": 7, "title": "numeric id"}, "id"),
        ({"id": "  ", "title": "blank id"}, "id"),
        ({"id": "x", "title": 5}, "title"),
        ({"id": "x", "body": ["a"]}, "body"),
        ({"id": "x"}, "title/body"),
        ({"id": "x", "title": "t", "published": "yesterday"}, "published"),
        ({"id": "x", "title": "t", "tags": "a,b"}, "tags"),
        ({"id": "x", "title": "t", "tags": ["a,b"]}, "tags"),
        ({"id": "x", "title": "t", "url": 3}, "url"),
        ({"id": "x", "title": "t", "lang": 1}, "lang"),
    ],
)
def test_bad_document_names_field_and_writes_nothing(new_index: Index, bad: dict[str, object], field: str) -> None:
    new_index.add(DOCS[:1])
    with pytest.raises(DocumentError) as exc:
        new_index.add([{"id": "good", "title": "good article"}, bad])
    assert exc.value.field == field
    assert repr(field) in str(exc.value)
    assert len(new_index) == 1
    assert "good" not in new_index
    assert ids(new_index.search("good")) == []


def test_not_a_mapping(new_index: Index) -> None:
    with pytest.raises(DocumentError):
        new_index.add(["just a string"])  # type: ignore[list-item]
    assert len(new_index) == 0


def test_lang_is_detected(new_index: Index) -> None:
    new_index.add([{"id": "j", "title": "日本語の記事"}, {"id": "e", "title": "An English story"},
                   {"id": "x", "title": "Tokyo", "lang": "JA"}])
    assert new_index.get("j")["lang"] == "ja"  # type: ignore[index]
    assert new_index.get("e")["lang"] == "en"  # type: ignore[index]
    assert new_index.get("x")["lang"] == "ja"  # type: ignore[index]


def test_info_counts(new_index: Index) -> None:
    from importlib.metadata import version

    new_index.add(DOCS)
    new_index.delete(["n3"])
    info = new_index.info()
    assert info["documents"] == 2
    assert info["path"] == str(new_index.path)
    assert {"id", "title", "body", "published"} <= set(info["fields"])
    assert info["dictionary"] == f"unidic-lite {version('unidic-lite')}"
    assert info["whoosh"] == version("whoosh-reloaded")  # from package metadata
    assert info["aliases"] == 0
    assert info["size_bytes"] > 0
    json.dumps(info)


def test_set_aliases_is_kept_with_the_index(new_index: Index, tmp_path: Path) -> None:
    table = tmp_path / "names.tsv"
    table.write_text("安圭伯\tAhn Gyu-back\n# comment\n小泉進次郎\tShinjiro Koizumi\n", encoding="utf-8")
    new_index.set_aliases(table)
    assert new_index.info()["aliases"] == 2
    assert (new_index.path / "aliases.tsv").read_text(encoding="utf-8") == table.read_text(encoding="utf-8")
    table.unlink()  # the index keeps its own copy
    reopened = Index.open(new_index.path)
    assert reopened.info()["aliases"] == 2
    reopened.set_aliases(None)
    assert reopened.info()["aliases"] == 0
    assert not (new_index.path / "aliases.tsv").exists()
    reopened.close()


def test_bad_alias_file_is_rejected_and_nothing_kept(new_index: Index, tmp_path: Path) -> None:
    from searchkit.query.aliases import AliasError

    bad = tmp_path / "bad.tsv"
    bad.write_text("安圭伯\n", encoding="utf-8")  # one name: not a group
    with pytest.raises(AliasError) as exc:
        new_index.set_aliases(bad)
    assert "bad.tsv" in str(exc.value)
    assert new_index.aliases is None and not (new_index.path / "aliases.tsv").exists()


def test_search_sees_commits_from_another_index_object(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    writer = Index.create(path)
    reader = Index.open(path)
    assert len(reader) == 0
    writer.add(DOCS)
    reader.refresh()
    assert len(reader) == 3


def test_rejected_alias_file_keeps_the_previous_table(new_index: Index, tmp_path: Path) -> None:
    from searchkit.query.aliases import AliasError

    good = tmp_path / "good.tsv"
    good.write_text("安圭伯\tAhn Gyu-back\n", encoding="utf-8")
    bad = tmp_path / "bad.tsv"
    bad.write_text("安圭伯\n", encoding="utf-8")
    new_index.set_aliases(good)
    with pytest.raises(AliasError):
        new_index.set_aliases(bad)
    assert new_index.info()["aliases"] == 1
    reopened = Index.open(new_index.path)
    try:
        assert reopened.info()["aliases"] == 1
    finally:
        reopened.close()


def test_postings_of_one_term_share_its_bytes() -> None:
    """The writer keeps every posting until the segment is written: one bytes object per term, not per posting."""
    body = article_schema()["body"]
    first = {tbytes: tbytes for tbytes, *_ in body.index("小泉防衛相が会談した。")}
    second = {tbytes: tbytes for tbytes, *_ in body.index("会談の後、小泉氏は帰国した。")}
    for word in ("会談", "小泉"):
        key = word.encode()
        assert first[key] == key and first[key] is second[key]


@pytest.mark.parametrize("procs", [1, 2])
def test_spilled_postings_index_the_same(tmp_path: Path, corpus_articles: list[dict[str, object]],
                                         monkeypatch: pytest.MonkeyPatch, procs: int) -> None:
    """Postings that outgrow the writer's memory go through sorted run files and come back intact."""
    import searchkit.stores.whoosh.store as index_module

    articles = corpus_articles[:300]
    whole = Index.create(tmp_path / "whole")
    whole.add(articles, procs=procs)
    monkeypatch.setattr(index_module, "WRITER_MB", 1)
    monkeypatch.setattr(index_module, "WRITER_MB_PARALLEL", 1)
    spilled = Index.create(tmp_path / "spilled")
    spilled.add(articles, procs=procs)
    a, b = whole._store.searcher().reader(), spilled._store.searcher().reader()
    assert sorted(a.all_terms()) == sorted(b.all_terms())
    for field, term in list(a.all_terms())[::50]:
        assert a.doc_frequency(field, term) == b.doc_frequency(field, term)
    for query in ("小泉", "防衛相", "election", "スマートフォン 発売"):
        assert ids(whole.search(query, limit=20)) == ids(spilled.search(query, limit=20))


def test_a_damaged_index_is_a_storage_error_and_can_be_replaced(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    Index.create(path).add(DOCS, procs=1)
    toc = next(path.glob("*.toc"))
    toc.write_bytes(toc.read_bytes()[:10])  # cut short, as by a full disk outside searchkit's writes
    with pytest.raises(StorageError) as exc:
        Index.open(path)
    assert str(path) in str(exc.value) and "damaged" in str(exc.value) and "--new" in str(exc.value)
    with pytest.raises(IndexExists):
        Index.create(path)  # a damaged index is still an index: not replaced unasked
    Index.create(path, overwrite=True).add(DOCS, procs=1)
    assert len(Index.open(path)) == len(DOCS)


# Whoosh retries opening a segment ten times on an OSError (a writer may be
# removing files) and leaves each try's file to the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_damage_met_while_searching_is_a_storage_error(tmp_path: Path, corpus_articles: list[dict[str, Any]]) -> None:
    # Real articles, then bytes of the segment overwritten: searches, stored
    # fields and snippets report damage, not zlib or pickle errors.
    import gc
    import random

    path = tmp_path / "ix"
    Index.create(path).add(corpus_articles[:200], procs=1)
    seg = next(path.glob("*.seg"))
    data = seg.read_bytes()
    raw: list[str] = []
    for at in range(0, len(data) - 512, max(1, len(data) // 100)):
        damaged = bytearray(data)
        damaged[at:at + 512] = random.Random(at).randbytes(512)
        seg.write_bytes(bytes(damaged))
        ix = None
        try:
            ix = Index.open(path)
            for q in ["東京", "女性", "Japan", "男性 結婚", "2012年", "彼"]:
                for hit in ix.search(q):
                    hit.snippet, hit.matches, hit.fields  # noqa: B018
        except SearchkitError:
            pass
        except Exception as exc:  # noqa: BLE001 -- what this test is for: nothing else escapes
            raw.append(f"{type(exc).__module__}.{type(exc).__name__} at {at}: {exc}")
        finally:
            if ix is not None:
                ix.close()
            gc.collect()  # Whoosh's leaked files are closed within this test
    assert not raw, raw



def test_a_searcher_refreshed_after_another_writer_sees_exactly_the_new_commit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import searchkit.stores.whoosh.store as index_module

    path = tmp_path / "ix"
    ix = Index.create(path)
    ix.add([{"id": f"a{i}", "title": "東京", "body": f"東京の記事{i}。"} for i in range(4)], procs=1)
    ix.add([{"id": f"b{i}", "title": "大阪", "body": f"大阪の記事{i}。東京にも行く。"} for i in range(4)], procs=1)
    assert len(ix.search("東京", limit=50)) == 8
    other = Index.open(path)  # another writer: a delete, an add, a merge of every segment
    other.delete(["a1"])
    other.add([{"id": "c1", "title": "京都", "body": "京都と東京の記事"}], procs=1)
    other.optimize()
    other.close()
    later = time.monotonic() + 5  # past the one-second check, without waiting for it
    monkeypatch.setattr(index_module.time, "monotonic", lambda: later)
    ids = [h.id for h in ix.search("東京", limit=50)]
    assert sorted(ids) == sorted(["a0", "a2", "a3", "b0", "b1", "b2", "b3", "c1"])  # once each, a1 gone
    assert len(ix) == 8 and "a1" not in ix and "c1" in ix
    assert sorted(h.id for h in ix.related("a0", limit=50)) == sorted(set(ids) - {"a0"})


@pytest.mark.parametrize("query", ["東京 記事", "東京の記事は何番ですか？"])  # words; a question (re-scored)
def test_a_replaced_searchers_files_are_freed_when_its_results_are_dropped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, query: str) -> None:
    # Freed by reference counting, not left to the cycle collector: a server
    # that commits often would otherwise hold old searchers' files open.
    import gc
    import weakref

    import searchkit.stores.whoosh.store as index_module

    path = tmp_path / "ix"
    ix = Index.create(path)
    ix.add([{"id": f"a{i}", "title": "東京", "body": f"東京の記事{i}。"} for i in range(4)], procs=1)
    other = Index.open(path)
    gc.collect()
    gc.disable()
    try:
        res = ix.search(query)
        kept = res[1]
        assert [h.snippet.text for h in res] and res.total == 4 and kept.matches
        related = ix.related("a0")
        old = weakref.ref(ix._store.searcher().reader())  # what holds the files
        other.add([{"id": "b1", "title": "大阪", "body": "大阪の記事"}], procs=1)
        later = time.monotonic() + 5
        monkeypatch.setattr(index_module.time, "monotonic", lambda: later)
        assert len(ix) == 5  # a new searcher
        del res, related
        assert old() is not None  # the hit still kept reads from it
        del kept
        assert old() is None
    finally:
        gc.enable()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files in /proc")
def test_commits_and_searches_leave_no_files_open_for_the_cycle_collector(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A writer's cached searcher and replaced searchers close by reference
    # counting: 30 commits with searches between them once left ~90 files open.
    import gc
    import os

    import searchkit.stores.whoosh.store as index_module

    path = tmp_path / "ix"
    writer = Index.create(path)
    writer.add([{"id": "a", "title": "東京", "body": "東京の天気"}], procs=1)
    ix = Index.open(path)
    clock = [time.monotonic()]
    monkeypatch.setattr(index_module.time, "monotonic", lambda: clock[0])
    gc.collect()
    gc.disable()
    try:
        ix.search("東京")
        before = len(os.listdir("/proc/self/fd"))
        for i in range(30):
            assert [h.snippet.text for h in ix.search("東京 天気")]
            writer.add([{"id": f"x{i}", "title": "東京", "body": f"東京の記事{i}"}], procs=1)
            writer.delete([f"x{i - 1}"])
            clock[0] += 2  # past the one-second check: the next search opens a new searcher
        assert len(ix) == 2
        assert len(os.listdir("/proc/self/fd")) <= before + 6
    finally:
        gc.enable()


def test_a_hit_kept_alone_keeps_its_snippet(tmp_path: Path) -> None:
    ix = Index.create(tmp_path / "ix")
    ix.add([{"id": f"a{i}", "title": "東京", "body": f"{'前置き。' * i}東京の記事{i}。"} for i in range(3)], procs=1)
    whole = [(h.id, h.snippet.text, h.snippet.spans, h.matches) for h in ix.search("東京 記事")]
    assert len(whole) == 3
    second = ix.search("東京 記事")[1]  # its results, and the other hits, are gone at once
    assert (second.id, second.snippet.text, second.snippet.spans, second.matches) == whole[1]


@pytest.mark.parametrize("error", [MemoryError, OverflowError])
def test_a_garbage_length_in_the_table_of_contents_is_damage(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: type[Exception]) -> None:
    # Random bytes in a table of contents can make Whoosh read a huge length
    # and ask for that much memory (seen with a real damaged file).
    import searchkit.stores.whoosh.store as index_module

    path = tmp_path / "ix"
    Index.create(path).add(DOCS, procs=1)

    def read(*args: object, **kwargs: object) -> object:
        raise error("a garbage length")

    monkeypatch.setattr(index_module.whoosh.index.TOC, "read", read)
    with pytest.raises(StorageError, match="damaged"):
        Index.open(path)
