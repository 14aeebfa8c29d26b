"""Segment files read in place from their map against Whoosh's copy of them.

Usage::

    python benchmarks/mapped.py [--index DIR] [--work DIR] [--rounds 3] [--json out.json]

The index (default: the bundled livedoor-ja and bbc-en corpora, 9,462
articles, imported by ``searchkit index`` into ``--work``) is searched in a
fresh process per round, alternately with searchkit's reader
(``stores/whoosh/files.py``: the files of a segment read from its memory map)
and with Whoosh's (each file copied into the process when a segment is
opened). Per round: the time to open the index and answer one search, p50 of
250 two-word title queries top 10 with and without snippets, and the process's
memory afterwards (PSS, and its anonymous part: what the process holds itself
rather than mapped pages of the index files). Then ``searchkit optimize`` runs
on copies of the index, alternately with each reader: its time and peak
memory. Figures are medians over the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SRC = os.path.join(ROOT, "src")
if os.path.isdir(os.path.join(SRC, "searchkit")):  # benchmark the checkout, not an install
    sys.path.insert(0, SRC)

from scale import memory_mib  # noqa: E402
from searchkit.bench import latency_summary, load_jsonl, median, sample_queries, searchkit_query_fn, time_queries  # noqa: E402

DATA = os.path.join(HERE, "data")
CORPORA = [os.path.join(DATA, "livedoor-ja.jsonl.gz"), os.path.join(DATA, "bbc-en.jsonl.gz")]
READERS = ("mapped", "copied")


def _use(reader: str) -> None:
    """Whoosh's copying reader for ``copied`` (searchkit installs its own when imported)."""
    import searchkit  # noqa: F401  (installs the mapped reader)

    if reader == "copied":
        import whoosh.filedb.compound
        from whoosh.filedb.structfile import BufferFile

        whoosh.filedb.compound.BufferFile = BufferFile


def search_child(reader: str, index: str, queries: list[str]) -> dict[str, Any]:
    _use(reader)
    from searchkit import Index

    t0 = time.perf_counter()
    ix = Index.open(index)
    ix.search(queries[0], limit=10)
    out: dict[str, Any] = {"open_first_search_ms": 1000 * (time.perf_counter() - t0)}
    for key, snippets in (("p50_ms", False), ("snippets_p50_ms", True)):
        ms = time_queries(searchkit_query_fn(ix, snippets=snippets), queries[50:], warmup=queries[:50])
        out[key] = latency_summary(ms)["p50_ms"]
    out["memory_mib"] = memory_mib([os.getpid()])
    ix.close()
    return out


def optimize_child(reader: str, index: str) -> dict[str, Any]:
    _use(reader)
    import resource

    from searchkit import Index

    t0 = time.perf_counter()
    ix = Index.open(index)
    ix.optimize()
    ix.close()
    return {"optimize_s": time.perf_counter() - t0,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _child(*args: str) -> dict[str, Any]:
    res = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", *args], check=True,
                         capture_output=True, text=True)
    result: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == ["--child"]:
        kind, reader, index = args_in[1:4]
        if kind == "search":
            out = search_child(reader, index, json.loads(open(args_in[4], encoding="utf-8").read()))
        else:
            out = optimize_child(reader, index)
        print(json.dumps(out))
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--index", help="an index to search (default: the bundled corpora, imported into --work)")
    p.add_argument("--work", default="/tmp/searchkit-mapped")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json", default=os.path.join(HERE, "results", "mapped.json"))
    args = p.parse_args(args_in)
    os.makedirs(args.work, exist_ok=True)
    index = args.index
    if index is None:
        index = os.path.join(args.work, "ix")
        shutil.rmtree(index, ignore_errors=True)
        env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
        subprocess.run([sys.executable, "-m", "searchkit", "index", *CORPORA, "-i", index], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    queries = sample_queries(load_jsonl(CORPORA), 300)
    qpath = os.path.join(args.work, "queries.json")
    with open(qpath, "w", encoding="utf-8") as fh:
        json.dump(queries, fh, ensure_ascii=False)
    runs: dict[str, list[dict[str, Any]]] = {r: [] for r in READERS}
    for i in range(args.rounds):  # alternately, the order turned each round
        for reader in READERS if i % 2 == 0 else READERS[::-1]:
            row = _child("search", reader, index, qpath)
            copy = os.path.join(args.work, f"optimize-{reader}")
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(index, copy)
            row.update(_child("optimize", reader, copy))
            shutil.rmtree(copy, ignore_errors=True)
            runs[reader].append(row)
            print(reader, json.dumps(row), file=sys.stderr, flush=True)
    summary = {}
    for reader, rows in runs.items():
        summary[reader] = {key: median([r[key] for r in rows]) for key in rows[0] if key != "memory_mib"}
        summary[reader].update({f"{k}_mib": median([r["memory_mib"][k] for r in rows]) for k in ("pss", "anon")})
    result = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "index": index,
              "rounds": args.rounds, "loadavg_1min": os.getloadavg()[0], "summary": summary, "runs": runs}
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=1)
        fh.write("\n")
    keys = list(summary["mapped"])
    print("| reader | " + " | ".join(keys) + " |")
    print("|---|" + "---:|" * len(keys))
    for reader in READERS:
        print(f"| {reader} | " + " | ".join(f"{summary[reader][k]:.2f}" for k in keys) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
