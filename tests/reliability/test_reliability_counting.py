"""Counting: ``len(ix)`` is the number of distinct articles, whatever the
imports, re-imports and deletes; ``searchkit info --json`` reports it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reliability_support import good, no_traceback

from searchkit import Index
from searchkit.ingest.importer import import_articles


def test_len_counts_distinct_articles_through_reimports_and_deletes(jsonl: Any, tmp_path: Path) -> None:
    records = [good(i) for i in range(50)] + [good(i, title=f"dup {i}") for i in range(0, 50, 10)]
    src = jsonl("a.jsonl", *records)
    ix = Index.create(tmp_path / "ix")
    for batch_size in (7, 50, 1000):  # the same import three times, batches of different sizes
        report = import_articles(ix, [src], batch_size=batch_size)
        ix.refresh()
        assert len(ix) == 50
        assert sum(1 for w in report.warnings if "the later article wins" in w) == 5
    assert all(f"g{i}" in ix for i in range(50))
    assert ix.get("g10")["title"] == "dup 10"
    assert ix.delete(["g1", "g2", "nope"]) == 2
    ix.refresh()
    assert len(ix) == 48 and "g1" not in ix
    assert ix.add([good(1), good(1, title="again")]) == 1
    ix.refresh()
    assert len(ix) == 49
    assert ix.search("Tokyo", limit=100).total == 49


def test_delete_counts_a_repeated_id_once(tmp_path: Path) -> None:
    ix = Index.create(tmp_path / "ix")
    ix.add([good(1), good(2)])
    assert ix.delete(["g2", "g2"]) == 1
    ix.refresh()
    assert len(ix) == 1


def test_info_json_reports_documents_analyzer_dictionary_size(jsonl: Any, cli: Any, tmp_path: Path) -> None:
    d = tmp_path / "ix"
    assert cli("index", jsonl("a.jsonl", *[good(i) for i in range(12)]), "-i", d, "-q").exit_code == 0
    Index.open(d).delete(["g0", "g1"])
    res = cli("info", "-i", d, "--json")
    assert res.exit_code == 0, res.output
    no_traceback(res)
    info = json.loads(res.stdout)
    assert info["documents"] == 10 == len(Index.open(d))
    assert isinstance(info["analyzer"], str) and info["analyzer"]
    assert isinstance(info["dictionary"], str) and "unidic" in info["dictionary"].lower()
    assert isinstance(info["size_bytes"], int)
    assert info["size_bytes"] == sum(p.stat().st_size for p in d.iterdir() if p.is_file())
    res = cli("info", "-i", d)
    assert res.exit_code == 0 and "documents" in res.stdout


def test_info_on_a_missing_index_is_exit_1(cli: Any, tmp_path: Path) -> None:
    res = cli("info", "-i", tmp_path / "none", "--json")
    assert res.exit_code == 1
    no_traceback(res)
    assert "no searchkit index" in res.stderr
    assert not (tmp_path / "none").exists()
