"""Hostile text on the way out: HTML snippets, terminal output, and where
``searchkit index -i DIR`` writes.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from reliability_support import SEARCHKIT, good, no_traceback

from searchkit import Index
from searchkit.results.highlight import ANSI_OFF, ANSI_ON

HOSTILE_BODY = ('Breaking: <script>alert("pwned")</script> & <img src=x onerror=alert(1)> '
                "AT&T said 'hello' & \"goodbye\" to <b>bold</b> claims. 東京で<i>会談</i>した。")


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("hostile") / "ix"
    ix = Index.create(d)
    ix.add([
        {"id": "html", "title": "<script>document.cookie</script> & title", "body": HOSTILE_BODY},
        {"id": "ansi", "title": "Evil \x1b[31mred\x1b[0m title \x1b]0;pwned\x07",
         "body": "zebras \x1b[2J\x1b[H cleared \x1b[5mblink\x1b[0m \x9b31m c1 \x07 bell and more zebras.",
         "url": "http://example.com/\x1b[8mhidden", "category": "cat\x1b[1m"},
    ])
    ix.close()
    return d


@pytest.mark.parametrize("query", ["script", 'alert "pwned"', '<script>alert("x")</script>', "AT&T", "bold",
                                   "img onerror", "会談", '"<b>bold</b>"'])
def test_html_snippets_escape_document_and_query_text(query: str, hostile_index: Path) -> None:
    ix = Index.open(hostile_index)
    res = ix.search(query)
    assert len(res) >= 1
    for hit in res:
        out = hit.snippet.html()
        bare = out.replace("<mark>", "").replace("</mark>", "")
        assert not re.search(r"[<>\"']", bare), out
        assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt|quot|#x27);)*", bare), out
        assert html.unescape(bare) == hit.snippet.text
        assert "<script" not in out.lower()
    if any(h.id == "html" for h in res) and query in ("script", "AT&T", "bold"):
        assert "<mark>" in next(h for h in res if h.id == "html").snippet.html()


@pytest.mark.parametrize("tag", ["mark onmouseover=alert(1)", "b><script", "", "1x"])
def test_html_tag_argument_is_validated(tag: str, hostile_index: Path) -> None:
    hit = Index.open(hostile_index).search("script")[0]
    with pytest.raises(ValueError):
        hit.snippet.html(tag=tag)


_SGR = re.compile(r"\x1b\[[0-9;]*m")


def _only_sgr(text: str) -> None:
    """Every escape sequence in ``text`` is a colour/style (SGR) one, and there are no other controls."""
    rest = _SGR.sub("", text)
    bad = re.findall(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", rest)
    assert not bad, (bad, text)


def test_ansi_snippet_has_no_control_sequences_from_documents(hostile_index: Path) -> None:
    hit = Index.open(hostile_index).search("zebras")[0]
    assert hit.id == "ansi"
    out = hit.snippet.ansi()
    assert ANSI_ON in out and ANSI_OFF in out
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", out.replace(ANSI_ON, "").replace(ANSI_OFF, ""))


@pytest.mark.parametrize("color", ["--color", "--no-color"])
def test_cli_search_prints_no_control_sequences_from_titles_bodies_urls(color: str, cli: Any,
                                                                          hostile_index: Path) -> None:
    res = cli("search", "zebras", "-i", hostile_index, color, color=True)  # color=True: click strips nothing
    assert res.exit_code == 0
    no_traceback(res)
    assert "zebras" in res.stdout and "ansi" in res.stdout
    lines = [line for line in res.stdout.splitlines() if "Evil" in line or "zebras" in line or "example.com" in line]
    assert len(lines) >= 3
    for line in lines:
        if color == "--no-color":
            assert "\x1b" not in line
        _only_sgr(line)


def test_cli_search_prints_no_control_sequences_from_ids(cli: Any, tmp_path: Path) -> None:
    d = tmp_path / "ix"
    ix = Index.create(d)
    ix.add([{"id": "evil\x1b[2J\x1b]0;pwned\x07", "title": "zebras", "body": "zebras", "lang": "en\x1b[8m"}])
    ix.close()
    for color in ("--color", "--no-color"):
        res = cli("search", "zebras", "-i", d, color, color=True)
        assert res.exit_code == 0
        _only_sgr(res.stdout)


def test_cli_json_output_is_one_valid_object_per_line(cli: Any, hostile_index: Path) -> None:
    res = cli("search", "zebras OR script", "-i", hostile_index, "--jsonl")
    assert res.exit_code == 0
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert {r["id"] for r in rows} == {"ansi", "html"}
    assert "\x1b" not in res.stdout  # JSON escapes control characters


# -- where `searchkit index -i DIR` writes ------------------------------------------------


def _snapshot(root: Path, skip: Path | None = None) -> dict[str, tuple[int, str]]:
    out = {}
    for p in sorted(root.rglob("*")):
        if skip is not None and (p == skip or skip in p.parents):
            continue
        rel = p.relative_to(root).as_posix()
        if p.is_file():
            out[rel] = (p.stat().st_mode, hashlib.sha256(p.read_bytes()).hexdigest())
        else:
            out[rel] = (p.stat().st_mode, "dir")
    return out


def test_cli_index_never_writes_outside_its_directory(tmp_path: Path) -> None:
    parent = tmp_path / "parent"
    inputs = parent / "inputs"
    (inputs / "txt" / "nested").mkdir(parents=True)
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    hostile_ids = ["../../escape", "/etc/passwd-like", "..\\..\\win", "a/../../b", "~/home", "$(touch pwned)"]
    records = [good(i) for i in range(1200)] + [good(0, id=i) for i in hostile_ids]
    (inputs / "a.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                    encoding="utf-8")
    (inputs / "txt" / "nested" / "..evil.txt").write_text("Title\nbody text 東京", encoding="utf-8")
    (inputs / "txt" / "one.txt").write_text("Another\nmore body", encoding="utf-8")
    ix_dir = parent / "ix"
    before = _snapshot(parent)
    env = dict(os.environ, TMPDIR=str(scratch), TEMP=str(scratch), TMP=str(scratch), PYTHONIOENCODING="utf-8")
    runs = [
        ["index", inputs / "a.jsonl", inputs / "txt", "-i", ix_dir, "-q", "--batch-size", "1200", "--procs", "2"],
        ["index", inputs / "a.jsonl", "-i", ix_dir, "-q", "--batch-size", "500"],
        ["index", inputs / "txt", "-i", ix_dir, "-q", "--new"],
        ["search", "東京", "-i", ix_dir, "--jsonl"],
        ["info", "-i", ix_dir],
    ]
    for args in runs:
        proc = subprocess.run([SEARCHKIT, *map(str, args)], capture_output=True, text=True, env=env, timeout=120,
                              cwd=inputs)
        assert proc.returncode == 0, (args, proc.stderr[-1500:])
        assert "Traceback" not in proc.stderr
    assert _snapshot(parent, skip=ix_dir) == before
    assert list(scratch.iterdir()) == []
    assert not (tmp_path / "escape").exists() and not (inputs / "pwned").exists()
    assert len(Index.open(ix_dir)) == 2


def test_new_index_keeps_unrelated_files_in_its_directory(jsonl: Any, cli: Any, tmp_path: Path) -> None:
    d = tmp_path / "ix"
    assert cli("index", jsonl("a.jsonl", good(1)), "-i", d, "-q").exit_code == 0
    mine = d / "articles-notes.txt"
    mine.write_text("my notes", encoding="utf-8")
    assert cli("index", jsonl("b.jsonl", good(2)), "-i", d, "-q", "--new").exit_code == 0
    assert len(Index.open(d)) == 1
    assert mine.exists()


def test_index_refuses_a_non_empty_directory_without_an_index(jsonl: Any, cli: Any, tmp_path: Path) -> None:
    d = tmp_path / "docs"
    d.mkdir()
    (d / "thesis.txt").write_text("precious", encoding="utf-8")
    res = cli("index", jsonl("a.jsonl", good(1)), "-i", d, "-q")
    assert res.exit_code == 1
    no_traceback(res)
    assert "not empty" in res.stderr
    assert [p.name for p in d.iterdir()] == ["thesis.txt"]
