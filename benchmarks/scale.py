#!/usr/bin/env python
"""The cost curve: index 10k to 1M synthetic articles with the defaults and query each index.

    python benchmarks/scale.py [--sizes 10000,100000,300000,1000000] [--data /tmp/scale-data]
                               [--work /tmp/scale-ix] [--out benchmarks/results/scale.json]

Per size the corpus is made by ``benchmarks/make_large.py`` (seed 1) unless it is already
in ``--data``, then indexed by the CLI exactly as a user would (``searchkit index FILE -i DIR``:
default batches and writer processes) in a child process. Measured: wall and CPU time
(the child and its writer processes), articles/s, peak memory as the summed PSS of the
process tree (``/proc/PID/smaps_rollup``, sampled every second), and its anonymous part
(the processes' own memory; the rest is mapped index files), index size on disk, the
number of segments; then in a fresh process the time to open the index and answer one
search, and top-10 p50/p95 for 250 two-word title queries (drawn from the bundled corpora,
the same at every size) without and with snippets, and for 200 JSQuAD questions.
Results are written to the JSON after every size, so a run cut short keeps what finished.
``--plot`` (needs matplotlib: ``pip install '.[bench]'``) draws ``scale.png`` from the JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from speed import _tree  # the process and its writer workers

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

from searchkit.bench import WARMUP_SEED, dir_size, latency_summary, load_jsonl, sample_queries  # noqa: E402

SIZES = (10_000, 100_000, 300_000, 1_000_000)
DATA = HERE / "data"
QUESTIONS = DATA / "jsquad-dev-queries.jsonl.gz"


def _label(n: int) -> str:
    return f"{n // 1_000_000}m" if n % 1_000_000 == 0 else f"{n // 1000}k"


def memory_mib(pids: list[int]) -> dict[str, float]:
    """Summed PSS of *pids*, and its two parts: anonymous (the processes' own
    memory) and file-backed (mapped index files: page cache, shared and reclaimable)."""
    out = {"pss": 0.0, "anon": 0.0, "file": 0.0}
    keys = {"Pss:": "pss", "Pss_Anon:": "anon", "Pss_File:": "file"}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    key = keys.get(line.split(maxsplit=1)[0])
                    if key:
                        out[key] += int(line.split()[1]) / 1024
        except (OSError, ValueError, IndexError):
            continue
    return out


def corpus_file(n: int, data: Path) -> Path:
    """The synthetic corpus of *n* articles, made if missing."""
    path = data / f"large-{_label(n)}.jsonl.gz"
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "make_large.py"), "--articles", str(n), "--seed", "1",
                        "--out", str(path)], check=True)
    return path


def index_once(corpus: Path, ix_dir: Path, log: Path) -> dict[str, Any]:
    """``searchkit index`` in a child; wall, CPU (with its workers), peak PSS of the tree."""
    shutil.rmtree(ix_dir, ignore_errors=True)
    cmd = [sys.executable, "-m", "searchkit", "index", str(corpus), "-i", str(ix_dir)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = {"pss": 0.0, "anon": 0.0, "file": 0.0}
    samples = []
    t0 = time.perf_counter()
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
        while proc.poll() is None:
            mem = memory_mib(_tree(proc.pid))
            peak = {key: max(value, mem[key]) for key, value in peak.items()}
            samples.append([round(time.perf_counter() - t0, 1), round(mem["pss"]), round(mem["anon"])])
            time.sleep(1.0)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"searchkit index failed ({proc.returncode}):\n{log.read_text()[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    segments = sum(1 for p in ix_dir.iterdir() if p.suffix == ".seg")
    return {"wall_s": wall, "cpu_s": cpu, "peak_pss_mib": peak["pss"], "peak_anon_mib": peak["anon"],
            "peak_file_mib": peak["file"], "index_mb": dir_size(ix_dir) / 1e6,
            "segments": segments, "pss_samples": samples[:: max(1, len(samples) // 200)]}


def make_queries() -> dict[str, list[str]]:
    """250 two-word title queries from the bundled corpora, warm-ups, 200 JSQuAD questions."""
    docs = load_jsonl([DATA / "livedoor-ja.jsonl.gz", DATA / "bbc-en.jsonl.gz"])
    title = sample_queries(docs, 250)
    taken = set(title)
    warm = [q for q in sample_queries(docs, 300, seed=WARMUP_SEED) if q not in taken][:50]
    questions = [r["query"] for r in load_jsonl(QUESTIONS)]
    picked = random.Random(13).sample(range(len(questions)), 250)
    return {"title": title, "warmup": warm, "questions": [questions[i] for i in picked[:200]],
            "question_warmup": [questions[i] for i in picked[200:]]}


def query_child(ix_dir: str, queries_path: str) -> dict[str, Any]:
    """In a fresh process: open + first search, then the latencies (runs as ``--query-child``)."""
    from searchkit import Index
    from searchkit.bench import searchkit_query_fn, time_queries

    qs = json.loads(Path(queries_path).read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    ix = Index.open(ix_dir)
    ix.search(qs["title"][0], limit=10)
    first = time.perf_counter() - t0
    out: dict[str, Any] = {"open_first_search_s": first}
    for key, snippets in (("query", False), ("snippet", True)):
        ms = time_queries(searchkit_query_fn(ix, snippets=snippets), qs["title"], warmup=qs["warmup"])
        out[key] = latency_summary(ms)
    ms = time_queries(searchkit_query_fn(ix, snippets=False), qs["questions"], warmup=qs["question_warmup"])
    out["question"] = latency_summary(ms)
    out["hits"] = sum(1 for q in qs["title"] if len(ix.search(q, limit=1)) > 0) / len(qs["title"])
    out["memory_mib"] = memory_mib([os.getpid()])  # after the queries
    ix.close()
    return out


def query_once(ix_dir: Path, queries_path: Path) -> dict[str, Any]:
    res = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--query-child", str(ix_dir),
                          str(queries_path)], check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    return result


def plot(results: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sorted(results["sizes"], key=lambda r: r["articles"])
    n = [r["articles"] for r in rows]
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    a.plot(n, [1000 * r["index"]["wall_s"] / r["articles"] for r in rows], "o-", label="wall")
    a.plot(n, [1000 * r["index"]["cpu_s"] / r["articles"] for r in rows], "s--", label="CPU")
    a.set(xscale="log", xlabel="articles", ylabel="ms per article", title="indexing (searchkit index, defaults)")
    a.set_ylim(bottom=0)
    a.legend()
    for key, label in (("query", "two-word"), ("snippet", "two-word + snippets"), ("question", "questions")):
        b.plot(n, [r["search"][key]["p50_ms"] for r in rows], "o-", label=label)
    b.set(xscale="log", yscale="log", xlabel="articles", ylabel="p50 ms (top 10)", title="query latency")
    b.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) == 4 and sys.argv[1] == "--query-child":
        print(json.dumps(query_child(sys.argv[2], sys.argv[3])))
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default=",".join(map(str, SIZES)))
    p.add_argument("--data", type=Path, default=Path("/tmp/scale-data"))
    p.add_argument("--work", type=Path, default=Path("/tmp/scale-ix"))
    p.add_argument("--out", type=Path, default=HERE / "results" / "scale.json")
    p.add_argument("--keep", action="store_true", help="keep the indexes (default: remove after measuring)")
    p.add_argument("--plot", action="store_true", help="only draw scale.png from the JSON")
    args = p.parse_args(argv)
    if args.plot:
        plot(json.loads(args.out.read_text(encoding="utf-8")), args.out.with_suffix(".png"))
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    args.data.mkdir(parents=True, exist_ok=True)
    qpath = args.work / "queries.json"
    qpath.write_text(json.dumps(make_queries(), ensure_ascii=False), encoding="utf-8")
    results: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                               "cpus": os.cpu_count(), "sizes": []}
    if args.out.exists():  # a re-run of some sizes keeps the others
        old = json.loads(args.out.read_text(encoding="utf-8"))
        wanted = {int(s) for s in args.sizes.split(",")}
        results["sizes"] = [r for r in old.get("sizes", []) if r["articles"] not in wanted]
    for n in (int(s) for s in args.sizes.split(",")):
        corpus = corpus_file(n, args.data)
        ix_dir = args.work / f"ix-{_label(n)}"
        load = os.getloadavg()[0]
        print(f"{time.strftime('%H:%M:%S')} indexing {n:,} articles", file=sys.stderr, flush=True)
        ix = index_once(corpus, ix_dir, args.work / f"index-{_label(n)}.log")
        ix["articles_per_s"] = n / ix["wall_s"]
        print(f"{time.strftime('%H:%M:%S')} querying {n:,}", file=sys.stderr, flush=True)
        search = query_once(ix_dir, qpath)
        results["sizes"].append({"articles": n, "loadavg_1min": [load, os.getloadavg()[0]],
                                 "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                 "index": ix, "search": search})
        results["sizes"].sort(key=lambda r: r["articles"])
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(json.dumps({"articles": n, **{k: v for k, v in ix.items() if k != "pss_samples"},
                          **{k: search[k] for k in ("open_first_search_s", "hits")},
                          "p50": {k: search[k]["p50_ms"] for k in ("query", "snippet", "question")}}),
              file=sys.stderr, flush=True)
        if not args.keep:
            shutil.rmtree(ix_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
