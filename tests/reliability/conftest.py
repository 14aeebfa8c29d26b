"""Fixtures for the reliability suite (bad input, interruptions, concurrency, hostile text).

* ``jsonl``: write a JSONL file (``.gz`` compressed) from dicts and/or raw lines.
* ``cli``: run ``searchkit`` in-process (click's ``CliRunner``); the result has
  ``exit_code``, ``stdout``, ``stderr`` and ``exception``.
* ``run_searchkit``: run the installed ``searchkit`` script in a real process.
* ``livedoor_3000``: 3,000 livedoor news articles (bodies cut to 120
  characters so a full import takes seconds) as a JSONL file, with their ids
  in file order.
* ``spawn``: start a helper process in its own session; it and anything it
  forked are killed at teardown.
* ``lock_holder``: a helper process that stops inside a commit, holding the
  index's write lock.
* ``tmpfs``: mount a tiny tmpfs (a real full disk, a real read-only file
  system); the tests that need it are skipped where mounting is not permitted.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from reliability_support import LIVEDOOR, LOCK_HOLDER, N_ARTICLES, PYTHON, SEARCHKIT, Spawned

from searchkit.cli import main


@pytest.fixture
def jsonl(tmp_path: Path) -> Callable[..., Path]:
    def write(name: str, *records: Any, end: str = "\n") -> Path:
        lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
        path = tmp_path / name
        text = end.join(lines) + (end if lines else "")
        if name.endswith(".gz"):
            path.write_bytes(gzip.compress(text.encode("utf-8")))
        else:
            path.write_text(text, encoding="utf-8", newline="")
        return path

    return write


@pytest.fixture
def cli() -> Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str, color: bool = False) -> Result:
        return runner.invoke(main, [str(a) for a in args], color=color)

    return invoke


@pytest.fixture
def run_searchkit() -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(*args: str, timeout: float = 60, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, PYTHONIOENCODING="utf-8")
        env.update(kwargs.pop("env", {}))
        return subprocess.run([SEARCHKIT, *map(str, args)], capture_output=True, text=True,
                              encoding="utf-8", errors="replace", timeout=timeout, env=env, **kwargs)

    return run


@pytest.fixture(scope="session")
def livedoor_3000(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """``N_ARTICLES`` livedoor articles (bodies cut to 120 characters) and their ids, in order."""
    out = tmp_path_factory.mktemp("corpus") / "livedoor-3000.jsonl"
    ids: list[str] = []
    with gzip.open(LIVEDOOR, "rt", encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for line in islice(src, N_ARTICLES):
            rec = json.loads(line)
            rec["body"] = rec["body"][:120]
            ids.append(rec["id"])
            dst.write(json.dumps(rec, ensure_ascii=False) + "\n")
    assert len(ids) == len(set(ids)) == N_ARTICLES
    return out, ids


@pytest.fixture
def spawn() -> Iterator[Callable[..., Spawned]]:
    started: list[Spawned] = []

    def start(*args: str, **kwargs: Any) -> Spawned:
        s = Spawned([str(a) for a in args], **kwargs)
        started.append(s)
        return s

    yield start
    for s in started:
        s.cleanup()


#: A helper that opens a writer on the index at argv[1] and stops inside the
#: commit (prints "holding", then sleeps), so the lock is held. argv[2] is the
#: number of writer processes; argv[3] the seconds to hold before committing
#: (the commit then completes).
@pytest.fixture
def lock_holder(tmp_path: Path, spawn: Callable[..., Spawned]) -> Callable[..., Spawned]:
    script = tmp_path / "hold_lock.py"
    script.write_text(LOCK_HOLDER, encoding="utf-8")

    def start(index_dir: Path, procs: int = 1, hold: float = 120) -> Spawned:
        s = spawn(PYTHON, script, index_dir, procs, hold)
        line = s.readline()
        assert line == "holding", (line, s.proc.stderr.read() if s.proc.poll() is not None else "")
        return s

    return start


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """``mount(size)`` mounts a tmpfs of that size (e.g. ``"2m"``) and returns its path."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        point = tmp_path / f"tmpfs{len(mounted)}"
        point.mkdir()
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(point)],
                             capture_output=True, text=True)
        if res.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (needs CAP_SYS_ADMIN): {res.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        if subprocess.run(["umount", str(point)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(point)], capture_output=True)
