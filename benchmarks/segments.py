"""How an index left by ``searchkit index`` searches against its optimized self.

Usage::

    python benchmarks/segments.py [--corpus FILE] [--work DIR] [--rounds 3] [--json out.json]

The corpus (default: livedoor-ja, 7,367 articles) is imported with the CLI's
defaults (``searchkit index FILE -i DIR``, in a child process: commits of
2,000 articles, the small segments merged at the end) and with
``--no-compact``, alternately ``--import-runs`` times; the second is then
copied and optimized (``searchkit optimize``). All are timed. Then 250
two-word title queries (``searchkit.bench.sample_queries``) run on the three
indexes in turn over ``--rounds`` rounds, top 10 with and without snippets;
the figures are medians of the per-round p50s, and of their ratios to the
optimized index.
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

import searchkit  # noqa: E402
from searchkit.bench import latency_summary, load_jsonl, median, sample_queries, searchkit_query_fn, time_queries  # noqa: E402

DEFAULT_CORPUS = os.path.join(HERE, "data", "livedoor-ja.jsonl.gz")


def _cli(*args: str) -> float:
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "searchkit", *args], check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _segments(path: str) -> int:
    return int(searchkit.Index.open(path).info()["segments"])


def run(corpus: str, work: str, rounds: int, import_runs: int) -> dict[str, Any]:
    paths = {name: os.path.join(work, name) for name in ("left", "no-compact", "optimized")}
    imports: dict[str, list[float]] = {"left": [], "no-compact": []}
    for _ in range(import_runs):  # alternately, so both see the same machine
        for name, extra in (("left", ()), ("no-compact", ("--no-compact",))):
            shutil.rmtree(paths[name], ignore_errors=True)
            imports[name].append(_cli("index", corpus, "-i", paths[name], *extra))
    shutil.rmtree(paths["optimized"], ignore_errors=True)
    shutil.copytree(paths["no-compact"], paths["optimized"])
    optimize_s = _cli("optimize", "-i", paths["optimized"])
    docs = load_jsonl(corpus)
    queries = sample_queries(docs, 250)
    warm = sample_queries(docs, 50, seed=29)
    p50: dict[str, dict[str, list[float]]] = {name: {"plain": [], "snippets": []} for name in paths}
    indexes = {name: searchkit.Index.open(path) for name, path in paths.items()}
    for _ in range(rounds):
        for name, ix in indexes.items():
            for mode in ("plain", "snippets"):
                fn = searchkit_query_fn(ix, snippets=mode == "snippets")
                p50[name][mode].append(latency_summary(time_queries(fn, queries, warmup=warm))["p50_ms"])
    result: dict[str, Any] = {
        "corpus": os.path.basename(corpus), "articles": len(docs), "import_runs": import_runs,
        "import_s": round(median(imports["left"]), 2), "import_no_compact_s": round(median(imports["no-compact"]), 2),
        "import_ratio": round(median([a / b for a, b in zip(imports["left"], imports["no-compact"])]), 3),
        "optimize_s": round(optimize_s, 2),
        "segments": {name: _segments(path) for name, path in paths.items()}, "rounds": rounds,
        "queries": len(queries),
    }
    for mode in ("plain", "snippets"):
        for name in paths:
            result[f"p50_{mode}_{name}_ms"] = round(median(p50[name][mode]), 3)
        for name in ("left", "no-compact"):
            result[f"ratio_{mode}_{name}"] = round(
                median([x / y for x, y in zip(p50[name][mode], p50["optimized"][mode])]), 3)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--work", default=os.path.join(ROOT, ".bench-segments"))
    ap.add_argument("--rounds", type=int, default=3, help="query rounds over the three indexes")
    ap.add_argument("--import-runs", type=int, default=2, help="imports with and without compaction, alternately")
    ap.add_argument("--json", help="write the result here")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    result = run(args.corpus, args.work, args.rounds, args.import_runs)
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
