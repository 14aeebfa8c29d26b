"""Dump and compare rankings: the same queries on two builds, stores or versions.

Usage::

    python benchmarks/rankings.py dump --work DIR --out A.jsonl.gz [--location URL_OR_DIR...]
    python benchmarks/rankings.py compare A.jsonl.gz B.jsonl.gz

``dump`` builds (or reuses, when DIR already holds them) three indexes of the
vendored data — ``jsquad`` (the 1,145 JSQuAD dev passages), ``news`` (the
9,462 news articles with titles removed, as the quality benchmark's
known-item task) and ``corpus`` (the 9,462 articles whole, as the speed
benchmark) — and writes, one JSON line per query: the top 100 ids and scores
of every quality-benchmark query (4,442 questions, 1,000 JA and 500 EN
titles, sample seed 13), and for the speed benchmark's 250 title queries and
500 questions the top 10 with each hit's snippet text and spans, title and
``hit.matches``, the total and the suggestion.

``compare`` reports, per query set, how many queries give the same ids in the
same order, the largest score difference, and whether snippets and matches
are equal; it exits 1 unless everything is the same (scores to 1e-9).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
if (SRC / "searchkit").is_dir():  # the checkout, not an install
    sys.path.insert(0, str(SRC))
sys.path.insert(0, str(HERE))

import quality  # noqa: E402
import speed  # noqa: E402
from searchkit import Index  # noqa: E402

TOLERANCE = 1e-9


def _index(location: str, docs: list[dict[str, Any]]) -> Index:
    try:
        return Index.open(location)
    except Exception:  # noqa: BLE001 - not there yet (or another version): build it
        ix = Index.create(location, overwrite=True)
        ix.add(docs)
        return ix


def _hit(hit: Any) -> dict[str, Any]:
    return {"id": hit.id, "score": hit.score, "title": hit.fields.get("title"), "snippet": hit.snippet.text,
            "spans": [list(s) for s in hit.snippet.spans],
            "matches": [[m.query, m.word, m.start, m.end, m.how] for m in hit.matches]}


def dump(work: Path, out: Path, locations: dict[str, str]) -> None:
    j_docs, j_sets = quality.jsquad_task()
    n_docs, n_sets = quality.news_task()
    c_docs = speed.systems.corpus(1.0)
    loc = {name: locations.get(name) or str(work / name) for name in ("jsquad", "news", "corpus")}
    t0 = time.perf_counter()
    ixs = {"jsquad": _index(loc["jsquad"], j_docs), "news": _index(loc["news"], n_docs),
           "corpus": _index(loc["corpus"], c_docs)}
    print(f"indexes ready in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    speed_q = speed.make_queries(250, 500)
    with gzip.open(out, "wt", encoding="utf-8") as f:
        def write(row: dict[str, Any]) -> None:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")

        for name, ix, sets in (("jsquad", ixs["jsquad"], j_sets), ("news", ixs["news"], n_sets)):
            for key, queries in sets.items():
                for q in queries:
                    res = ix.search(q["query"], limit=100)
                    write({"set": key, "query": q["query"], "ids": [h.id for h in res],
                           "scores": [h.score for h in res], "total": res.total})
        for key, ix in (("speed-title", ixs["corpus"]), ("speed-questions", ixs["jsquad"])):
            for q in speed_q["title" if key == "speed-title" else "questions"]:
                res = ix.search(q, limit=10)
                write({"set": key, "query": q, "ids": [h.id for h in res], "scores": [h.score for h in res],
                       "total": res.total, "suggestion": res.suggestion, "hits": [_hit(h) for h in res]})
    print(f"wrote {out} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def compare(a: Path, b: Path) -> bool:
    stats: dict[str, dict[str, Any]] = {}
    rows_b = list(_rows(b))
    rows_a = list(_rows(a))
    if len(rows_a) != len(rows_b):
        print(f"different numbers of queries: {len(rows_a)} vs {len(rows_b)}")
        return False
    for ra, rb in zip(rows_a, rows_b):
        s = stats.setdefault(ra["set"], {"queries": 0, "same_ids": 0, "max_score_diff": 0.0, "same_hits": 0,
                                         "same_total": 0, "examples": []})
        s["queries"] += 1
        same = ra["ids"] == rb["ids"]
        s["same_ids"] += same
        s["same_total"] += ra.get("total") == rb.get("total")
        if same:
            diff = max((abs(x - y) for x, y in zip(ra["scores"], rb["scores"])), default=0.0)
            s["max_score_diff"] = max(s["max_score_diff"], diff)
        elif len(s["examples"]) < 3:
            s["examples"].append(ra["query"])
        if "hits" in ra:
            s["same_hits"] += (ra["hits"] == rb["hits"] or _hits_equal(ra["hits"], rb["hits"])) \
                and ra.get("suggestion") == rb.get("suggestion")
    ok = True
    for key, s in stats.items():
        hits = f", snippets/matches/suggestion equal {s['same_hits']}/{s['queries']}" if key.startswith("speed") else ""
        print(f"{key:16} same ids in order {s['same_ids']}/{s['queries']}, same total {s['same_total']}/{s['queries']},"
              f" max |score diff| {s['max_score_diff']:.2e}{hits}"
              + (f"; differ e.g. {s['examples']}" if s["examples"] else ""))
        ok &= s["same_ids"] == s["queries"] and s["max_score_diff"] <= TOLERANCE and s["same_total"] == s["queries"]
        ok &= not key.startswith("speed") or s["same_hits"] == s["queries"]
    print("identical" if ok else "DIFFERENT")
    return ok


def _hits_equal(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if abs(x["score"] - y["score"]) > TOLERANCE or {**x, "score": 0} != {**y, "score": 0}:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--work", type=Path, required=True, help="directory for the three indexes (reused if there)")
    d.add_argument("--out", type=Path, required=True)
    for name in ("jsquad", "news", "corpus"):
        d.add_argument(f"--{name}", help=f"location of the {name} index (a directory or an OpenSearch URL)")
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = p.parse_args(argv)
    if args.cmd == "dump":
        args.work.mkdir(parents=True, exist_ok=True)
        locations = {n: getattr(args, n) for n in ("jsquad", "news", "corpus") if getattr(args, n)}
        dump(args.work, args.out, locations)
        return 0
    return 0 if compare(args.a, args.b) else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
