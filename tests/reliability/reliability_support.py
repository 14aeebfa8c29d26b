"""Helpers shared by the reliability tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

REPO = Path(__file__).resolve().parents[2]
LIVEDOOR = REPO / "benchmarks" / "data" / "livedoor-ja.jsonl.gz"
BIN = Path(sys.executable).parent
SEARCHKIT = str(BIN / "searchkit")
PYTHON = sys.executable

#: Articles in the interruption corpus, and the batch size used to import it.
N_ARTICLES = 3000
BATCH = 300


def good(i: int | str, **extra: Any) -> dict[str, Any]:
    """A valid article."""
    doc = {"id": f"g{i}", "title": f"Tokyo news {i}", "body": f"東京で会談した。 Talks number {i} were held."}
    doc.update(extra)
    return doc


def no_traceback(result: Result) -> None:
    """The command failed or succeeded on purpose: no Python traceback reached the user."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout


class Spawned:
    """A helper process in its own session (process group)."""

    def __init__(self, args: list[str], **kwargs: Any) -> None:
        self.proc = subprocess.Popen(args, start_new_session=True, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                     errors="replace", **kwargs)
        self.pid = self.proc.pid

    def readline(self, timeout: float = 60) -> str:
        """The next stdout line (the helpers print one when they reach their point)."""
        import selectors

        with selectors.DefaultSelector() as sel:
            assert self.proc.stdout is not None
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            if not sel.select(timeout):
                raise TimeoutError(f"helper {self.pid} printed nothing in {timeout} s")
        return self.proc.stdout.readline().strip()

    def kill9(self) -> None:
        """SIGKILL the helper itself (not the processes it forked)."""
        os.kill(self.pid, signal.SIGKILL)
        self.proc.wait()

    def group_alive(self) -> list[int]:
        """Pids still running in the helper's process group (zombies excluded)."""
        out = subprocess.run(["ps", "-o", "pid=,stat=", "-g", str(self.pid)], capture_output=True, text=True)
        return [int(line.split()[0]) for line in out.stdout.splitlines() if line.split()[1][0] != "Z"]

    def cleanup(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.communicate(timeout=10)
        except (subprocess.TimeoutExpired, ValueError):
            pass


LOCK_HOLDER = textwrap.dedent(
    """
    import sys, time
    import whoosh.multiproc, whoosh.writing
    from searchkit import Index

    path, procs, hold = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    target = whoosh.multiproc.MpWriter if procs > 1 else whoosh.writing.SegmentWriter
    original = target.commit

    def commit(self, *args, **kwargs):
        print("holding", flush=True)
        time.sleep(hold)
        return original(self, *args, **kwargs)

    target.commit = commit
    ix = Index.open(path)
    docs = [{"id": f"held-{i}", "title": f"held {i}", "body": "東京で会談した。" * 20} for i in range(600)]
    ix.add(docs if procs > 1 else docs[:1], procs=procs)
    print("committed", flush=True)
    """
)


def remount_readonly(point: Path) -> None:
    res = subprocess.run(["mount", "-o", "remount,ro", str(point)], capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot remount the tmpfs read-only: {res.stderr.strip()}")


def fill_disk(point: Path, leave: int) -> Path:
    """Fill the file system at ``point`` so that about ``leave`` bytes stay free."""
    st = os.statvfs(point)
    free = st.f_bavail * st.f_frsize
    filler = point / "filler.bin"
    with filler.open("wb") as f:
        f.write(b"\0" * max(0, free - leave))
    return filler


def wait_for(predicate: Callable[[], bool], timeout: float = 30, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
