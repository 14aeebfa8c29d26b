"""Concurrent use: a second writer, crashed writers, readers during an import,
many threads searching one index, a long-lived :class:`Index`.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from reliability_support import PYTHON, SEARCHKIT, Spawned, good, no_traceback
from whoosh.filedb.filestore import FileStorage

from searchkit import Index
from searchkit.errors import IndexLocked, IndexNotFound, StorageError


def _small_index(d: Path, n: int = 2) -> None:
    ix = Index.create(d)
    ix.add([good(i) for i in range(1, n + 1)])
    ix.close()


# -- a second writer ---------------------------------------------------------------


def test_second_writer_gets_index_locked_naming_the_holder(lock_holder: Callable[..., Spawned],
                                                           tmp_path: Path) -> None:
    d = tmp_path / "ix"
    _small_index(d)
    holder = lock_holder(d)
    ix = Index.open(d, lock_timeout=0.5)
    with pytest.raises(IndexLocked) as info:
        ix.add([good(3)])
    message = str(info.value)
    assert f"pid {holder.pid}" in message and "hold_lock.py" in message and "waited 0.5 s" in message
    with pytest.raises(IndexLocked):
        ix.delete(["g1"])
    # Readers are not blocked by the writer.
    assert len(Index.open(d)) == 2
    assert [h.id for h in ix.search("id:g1")] == ["g1"]


def test_cli_reports_a_locked_index_with_exit_1(lock_holder: Callable[..., Spawned], jsonl: Any, cli: Any,
                                                tmp_path: Path) -> None:
    d = tmp_path / "ix"
    _small_index(d)
    holder = lock_holder(d)
    res = cli("index", jsonl("more.jsonl", good(3)), "-i", d, "--lock-timeout", "0.5", "-q")
    assert res.exit_code == 1
    no_traceback(res)
    assert "locked by another writer" in res.stderr and f"pid {holder.pid}" in res.stderr
    assert len(Index.open(d)) == 2


def test_crashed_writer_leaves_no_stale_lock(lock_holder: Callable[..., Spawned], tmp_path: Path) -> None:
    d = tmp_path / "ix"
    _small_index(d)
    holder = lock_holder(d)
    holder.kill9()
    ix = Index.open(d, lock_timeout=0.5)
    assert ix.add([good(3)]) == 1
    assert len(ix) == 3 and "held-0" not in ix  # the crashed writer's uncommitted article is gone


def test_crashed_parallel_writer_leaves_no_stale_lock(lock_holder: Callable[..., Spawned], tmp_path: Path) -> None:
    d = tmp_path / "ix"
    _small_index(d)
    holder = lock_holder(d, procs=2)
    holder.kill9()
    ix = Index.open(d, lock_timeout=3)
    assert ix.add([good(3)]) == 1
    assert len(ix) == 3


def test_a_stray_file_in_the_temporary_directory_does_not_fail_a_landed_commit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A writer that dies while it writes (its workers still running) can leave a
    # file in the shared temporary directory just as the next commit removes it.
    d = tmp_path / "ix"
    _small_index(d)
    clean = FileStorage.clean

    def clean_then_a_file_appears(self: FileStorage, ignore: bool = False) -> None:
        clean(self, ignore)
        if self.folder.endswith(".tmp"):
            (Path(self.folder) / "late.ctmp").write_bytes(b"x")

    monkeypatch.setattr(FileStorage, "clean", clean_then_a_file_appears)
    ix = Index.open(d, lock_timeout=0.5)
    assert ix.add([good(3)]) == 1
    assert ix.add([good(4)]) == 1  # the first commit let go of the lock
    monkeypatch.undo()
    assert len(Index.open(d)) == 4
    assert not any(p.name.endswith(".tmp") for p in d.iterdir())


_FORK_LATE = """
import os, sys, time
from searchkit.stores.whoosh.writer import _die_with_parent
parent, marker, parent_waits = os.getpid(), sys.argv[1], sys.argv[2] == "1"
child = os.fork()
if child == 0:
    time.sleep(1.0)  # the parent has exited by now, unless it waits
    _die_with_parent(parent)
    open(marker, "w").write("running")
    os._exit(0)
if parent_waits:
    os.waitpid(child, 0)
"""


@pytest.mark.parametrize("parent_waits", [False, True])
def test_a_worker_whose_parent_died_before_it_started_exits(parent_waits: bool, tmp_path: Path) -> None:
    marker = tmp_path / "worker-ran"
    subprocess.run([PYTHON, "-c", _FORK_LATE, marker, "1" if parent_waits else "0"], check=True, timeout=60)
    time.sleep(0 if parent_waits else 2.0)
    assert marker.exists() == parent_waits


_START_METHOD = """
import multiprocessing, sys
from searchkit import Index

if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[2])
    ix = Index.create(sys.argv[1])
    docs = [{"id": f"d{i}", "title": f"title {i}", "body": f"東京で会議 number {i} " * 20} for i in range(600)]
    print(ix.add(docs, procs=2), len(Index.open(sys.argv[1])))
"""


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_parallel_writing_keeps_every_article_whatever_the_start_method(method: str, tmp_path: Path) -> None:
    # forkserver is Python 3.14's default on Linux: workers are not the writer's children there.
    script = tmp_path / "start_method.py"
    script.write_text(_START_METHOD, encoding="utf-8")
    res = subprocess.run([PYTHON, script, tmp_path / "ix", method], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["600", "600"]


def test_a_writer_process_that_dies_fails_the_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchkit.stores.whoosh import writer as _writer

    d = tmp_path / "ix"
    _small_index(d)
    monkeypatch.setattr(_writer._SubWriterTask, "run", lambda self: os._exit(3))
    ix = Index.open(d, lock_timeout=0.5)
    with pytest.raises(StorageError, match="exit code 3"):
        ix.add([good(i) for i in range(10, 610)], procs=2)
    monkeypatch.undo()
    assert len(Index.open(d)) == 2  # nothing of the failed commit
    assert ix.add([good(3)]) == 1 and len(Index.open(d)) == 3  # the lock was let go


def test_racing_writers_on_an_empty_index_store_no_duplicate(lock_holder: Callable[..., Spawned],
                                                             tmp_path: Path) -> None:
    d = tmp_path / "ix"
    Index.create(d).close()
    holder = lock_holder(d, hold=3)  # will add "held-0" once its 3 s pause ends
    ix = Index.open(d, lock_timeout=60)
    ix.add([{"id": "held-0", "title": "the second writer's version"}])
    assert holder.readline() == "committed"
    ix.refresh()
    assert [h.id for h in ix.search("id:held-0")] == ["held-0"]
    assert len(ix) == 1


# -- readers during an import ----------------------------------------------------


def test_searches_while_an_import_runs_see_the_last_commit(livedoor_3000: tuple[Path, list[str]],
                                                           spawn: Callable[..., Spawned], tmp_path: Path) -> None:
    src, ids = livedoor_3000
    n_docs, batch = 600, 100
    part = tmp_path / "part.jsonl"
    with src.open(encoding="utf-8") as f:
        part.write_text("".join(islice(f, n_docs)), encoding="utf-8")
    ids = ids[:n_docs]
    d = tmp_path / "ix"
    Index.create(d).close()
    long_lived = Index.open(d)
    proc = spawn(SEARCHKIT, "index", part, "-i", d, "--batch-size", batch, "-q")
    seen: list[int] = []
    while True:
        running = proc.proc.poll() is None
        for ix in (long_lived, Index.open(d)):
            ix.refresh()
            n = len(ix)
            assert n % batch == 0, n
            if n:
                assert ids[n - 1] in ix and [h.id for h in ix.search(f"id:{ids[n - 1]}")] == [ids[n - 1]]
            if n < n_docs:
                assert ids[n] not in ix
            seen.append(n)
        if not running:
            break
        time.sleep(0.05)
    assert proc.proc.returncode == 0
    assert seen[::2] == sorted(seen[::2])  # the long-lived index never goes back
    long_lived.refresh()
    assert len(long_lived) == n_docs


# -- threads -----------------------------------------------------------------------------

QUERIES = ["東京", "映画 公開", "女性", "iPhone", "スマートフォン", "結婚 相手", "独女", "サッカー 日本代表",
           "NOT 東京", '"映画"', "title:映画", "published:[2011 TO 2012]"]


@pytest.fixture(scope="module")
def shared_index(livedoor_3000: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    src, _ = livedoor_3000
    with src.open(encoding="utf-8") as f:
        docs = [json.loads(line) for line in islice(f, 400)]
    ix = Index.create(tmp_path_factory.mktemp("threads") / "ix")
    ix.add(docs, procs=1)
    yield ix
    ix.close()


def _answers(ix: Index) -> dict[str, list[tuple[str, float, str, tuple[tuple[int, int], ...]]]]:
    out = {}
    for q in QUERIES:
        res = ix.search(q, limit=20)
        out[q] = [(h.id, round(h.score, 6), h.snippet.text, h.snippet.spans) for h in res]
    return out


def test_eight_threads_return_the_same_results_as_one(shared_index: Index) -> None:
    expected = _answers(shared_index)
    assert sum(len(v) for v in expected.values()) > 20
    barrier = threading.Barrier(8)
    results: list[Any] = [None] * 8
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[k] = [_answers(shared_index) for _ in range(2)]
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    for per_thread in results:
        assert per_thread is not None
        for answers in per_thread:
            assert answers == expected


def test_threads_with_their_own_index_objects_agree(shared_index: Index) -> None:
    expected = _answers(shared_index)
    results: list[Any] = [None] * 4

    def work(k: int) -> None:
        with Index.open(shared_index.path) as ix:
            results[k] = _answers(ix)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert results == [expected] * 4


# -- a long-lived Index ----------------------------------------------------------------------


def test_long_lived_index_sees_new_commits_after_refresh(jsonl: Any, cli: Any, tmp_path: Path) -> None:
    d = tmp_path / "ix"
    _small_index(d)
    reader = Index.open(d)
    assert len(reader) == 2 and [h.id for h in reader.search("id:g1")] == ["g1"]
    Index.open(d).add([good(3)])  # another Index object in this process
    reader.refresh()
    assert len(reader) == 3 and "g3" in reader
    res = cli("index", jsonl("more.jsonl", good(4), good(1, title="replaced")), "-i", d, "-q")  # the CLI
    assert res.exit_code == 0
    reader.refresh()
    assert len(reader) == 4
    assert reader.get("g1")["title"] == "replaced"
    assert [h.id for h in reader.search("id:g4")] == ["g4"]
    Index.open(d).delete(["g2"])
    reader.refresh()
    assert len(reader) == 3 and "g2" not in reader


def test_open_a_missing_index_is_index_not_found(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFound):
        Index.open(tmp_path / "nothing")
    assert not (tmp_path / "nothing").exists()
