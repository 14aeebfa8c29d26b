"""Headline queries: a pasted title as the query, timed warm in one process.

Usage::

    python benchmarks/headlines.py time [--work DIR] [--n 500] [--rounds 3] [--src A/src --src B/src ...]
    python benchmarks/headlines.py profile [--work DIR] [--n 500] [--lang ja|en] [--top 30]
    python benchmarks/headlines.py dump --out A.jsonl.gz [--work DIR]
    python benchmarks/headlines.py compare A.jsonl.gz B.jsonl.gz

The index is the quality benchmark's known-item one (livedoor JA + BBC EN,
9,462 articles, titles removed), built once under ``--work`` and reused.
``time`` searches ``--n`` JA and ``--n`` EN titles (``random.Random(13)``
over the sorted ids, as ``quality.py --quick``) for the top 10, without
snippets, after one untimed pass, and reports p50/p95 per language. With
several ``--src`` (checkouts' ``src`` directories) each round times every
one in a child process, in A-B-A order (alternating), so noise falls on all.
``dump`` writes the top 10 ids and scores of every title (7,367 JA, 2,095 EN);
``compare`` checks two dumps give the same ids in order and scores to 1e-9.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
DEFAULT_WORK = Path(os.environ.get("TMPDIR", "/tmp")) / "searchkit-headlines"
SEED = 13
TOLERANCE = 1e-9


def _titles() -> dict[str, dict[str, str]]:
    """id → title of every article, per language (``ja``, ``en``)."""
    out: dict[str, dict[str, str]] = {}
    for lang, name in (("ja", "livedoor-ja.jsonl.gz"), ("en", "bbc-en.jsonl.gz")):
        with gzip.open(DATA / name, "rt", encoding="utf-8") as f:
            out[lang] = {d["id"]: d["title"] for d in map(json.loads, f)}
    return out


def sample(n: int) -> dict[str, list[str]]:
    """``n`` titles per language, sampled as ``quality.py --quick`` does (JA first)."""
    rng = random.Random(SEED)
    return {lang: [t[i] for i in rng.sample(sorted(t), min(n, len(t)))] for lang, t in _titles().items()}


def index(work: Path) -> Any:
    """The known-item index under ``work`` (built on first use)."""
    from searchkit import Index

    location = work / "news"
    try:
        return Index.open(location)
    except Exception:  # noqa: BLE001 - not built yet (or by another analyzer version)
        docs = []
        for name in ("livedoor-ja.jsonl.gz", "bbc-en.jsonl.gz"):
            with gzip.open(DATA / name, "rt", encoding="utf-8") as f:
                docs += [{k: v for k, v in d.items() if k != "title"} for d in map(json.loads, f)]
        t0 = time.perf_counter()
        ix = Index.create(location, overwrite=True)
        ix.add(docs)
        print(f"built {location} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        return ix


def _run(ix: Any, q: str) -> list[tuple[str, float]]:
    return [(h.id, h.score) for h in ix.search(q, limit=10)]


def time_queries(work: Path, n: int) -> dict[str, dict[str, float]]:
    """p50/p95 (ms) per language, warm (one untimed pass first)."""
    ix = index(work)
    qs = sample(n)
    for lang in qs:
        for q in qs[lang]:
            _run(ix, q)
    out: dict[str, dict[str, float]] = {}
    for lang, queries in qs.items():
        ms = []
        for q in queries:
            t0 = time.perf_counter()
            _run(ix, q)
            ms.append((time.perf_counter() - t0) * 1000)
        ms.sort()
        out[lang] = {"p50": statistics.median(ms), "p95": ms[int(0.95 * (len(ms) - 1))], "n": len(ms)}
    return out


def _child(src: str, work: Path, n: int) -> dict[str, dict[str, float]]:
    env = {**os.environ, "PYTHONPATH": src, "PYTHONHASHSEED": "0"}
    cmd = [sys.executable, __file__, "_time", "--work", str(work), "--n", str(n)]
    out: dict[str, dict[str, float]] = json.loads(
        subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout)
    return out


def cmd_time(args: argparse.Namespace) -> None:
    if not args.src:
        print(json.dumps(time_queries(args.work, args.n)))
        return
    _child(args.src[0], args.work, 1)  # builds the index if needed, untimed
    runs: dict[str, list[dict[str, dict[str, float]]]] = {s: [] for s in args.src}
    for r in range(args.rounds):
        order = args.src if r % 2 == 0 else list(reversed(args.src))
        for src in order:
            res = _child(src, args.work, args.n)
            runs[src].append(res)
            print(f"round {r} {src}: " + ", ".join(f"{lang} p50 {v['p50']:.2f} p95 {v['p95']:.2f}"
                                                  for lang, v in res.items()), file=sys.stderr, flush=True)
    print(f"{'src':40} {'JA p50':>8} {'JA p95':>8} {'EN p50':>8} {'EN p95':>8}  (median of {args.rounds} rounds, ms)")
    for src, rs in runs.items():
        cells = [statistics.median(r[lang][k] for r in rs) for lang in ("ja", "en") for k in ("p50", "p95")]
        print(f"{src:40} " + " ".join(f"{c:8.2f}" for c in cells))


def cmd_profile(args: argparse.Namespace) -> None:
    ix = index(args.work)
    queries = sample(args.n)[args.lang]
    for q in queries:
        _run(ix, q)
    prof = cProfile.Profile()
    prof.enable()
    for q in queries:
        _run(ix, q)
    prof.disable()
    stats = pstats.Stats(prof).sort_stats(args.sort)
    stats.print_stats(args.top)


def cmd_dump(args: argparse.Namespace) -> None:
    ix = index(args.work)
    with gzip.open(args.out, "wt", encoding="utf-8") as f:
        for lang, titles in _titles().items():
            for doc_id in sorted(titles):
                res = ix.search(titles[doc_id], limit=10)
                f.write(json.dumps({"lang": lang, "id": doc_id, "hits": [[h.id, h.score] for h in res],
                                    "total": res.total}, ensure_ascii=False) + "\n")


def cmd_compare(args: argparse.Namespace) -> int:
    def rows(p: Path) -> list[dict[str, Any]]:
        with gzip.open(p, "rt", encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    a, b = rows(args.a), rows(args.b)
    if [r["id"] for r in a] != [r["id"] for r in b]:
        print("different query sets")
        return 1
    same, same_total, worst, n = 0, 0, 0.0, len(a)
    for ra, rb in zip(a, b):
        ids_equal = [h[0] for h in ra["hits"]] == [h[0] for h in rb["hits"]]
        same += ids_equal
        same_total += ra["total"] == rb["total"]
        if ids_equal:
            worst = max([worst] + [abs(x[1] - y[1]) for x, y in zip(ra["hits"], rb["hits"])])
    ok = same == n and same_total == n and worst <= TOLERANCE
    print(f"{n} title queries: same top-10 ids in order {same}/{n}, same total {same_total}/{n}, "
          f"max |score diff| {worst:.2e}: {'identical' if ok else 'DIFFERENT'}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("time", "_time", "profile", "dump"):
        s = sub.add_parser(name)
        s.add_argument("--work", type=Path, default=DEFAULT_WORK)
        s.add_argument("--n", type=int, default=500)
    sub.choices["time"].add_argument("--rounds", type=int, default=3)
    sub.choices["time"].add_argument("--src", action="append", help="a checkout's src directory (repeatable)")
    sub.choices["profile"].add_argument("--lang", choices=("ja", "en"), default="ja")
    sub.choices["profile"].add_argument("--top", type=int, default=30)
    sub.choices["profile"].add_argument("--sort", default="tottime")
    sub.choices["dump"].add_argument("--out", type=Path, required=True)
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = p.parse_args(argv)
    if args.cmd == "compare":
        return cmd_compare(args)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.cmd == "_time":
        print(json.dumps(time_queries(args.work, args.n)))
    else:
        {"time": cmd_time, "profile": cmd_profile, "dump": cmd_dump}[args.cmd](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
