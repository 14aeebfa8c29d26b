"""Where indexing time goes: one writer process, timers around each stage.

Usage::

    python benchmarks/profile_index.py [--articles N] [--runs 3] [--json out.json]

Indexes ``N`` articles of the vendored corpora (the speed benchmark's
corpus and subset; default: all 9,462) into a new index
with ``procs=1``, and times, inside the same run:

* **MeCab**: the C parse of every Japanese text (title, body and lead), the
  floor no Python change moves;
* **analysis into the pool**: the rest of analysing each field straight into
  the term pool (MeCab's lines decoded, English words and stems,
  normalization, postings appended), Python;
* **document**: the rest of ``add_document`` (stored fields, columns, field
  lengths) and of ``Index.add`` (cleaning, batching);
* **segment write**: the commit (terms sorted, posting blocks encoded and
  written, the term table), with any merge it does.

Stages are CPU time (``process_time``), so a shared machine slows them
alike; ``other`` is the rest of the process's CPU time. Timers cost one
``process_time`` pair per call (a few per field).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SRC = os.path.join(ROOT, "src")
if os.path.isdir(os.path.join(SRC, "searchkit")):  # benchmark the checkout, not an install
    sys.path.insert(0, SRC)

import searchkit  # noqa: E402
from searchkit.analysis import japanese  # noqa: E402
from searchkit.stores.whoosh import writer  # noqa: E402
from systems import corpus  # noqa: E402  (the speed benchmark's corpus)

class Timers:
    """CPU seconds spent inside wrapped functions (outermost call only)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    def wrap(self, owner: Any, name: str, stage: str) -> None:
        inner = getattr(owner, name)
        spent = self.spent
        spent.setdefault(stage, 0.0)
        depth = [0]

        def timed(*args: Any, **kwargs: Any) -> Any:
            if depth[0]:
                return inner(*args, **kwargs)
            depth[0] += 1
            t = time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[stage] += time.process_time() - t
                depth[0] -= 1

        setattr(owner, name, timed)


TIMERS = Timers()
TIMERS.wrap(japanese, "_parse", "mecab")
TIMERS.wrap(writer.TermPool, "add_analyzed", "analysis")
TIMERS.wrap(writer.ArticleWriter, "add_document", "document")
TIMERS.wrap(writer.ArticleWriter, "commit", "segment")


def one_run(docs: list[dict[str, Any]]) -> dict[str, float]:
    for stage in TIMERS.spent:
        TIMERS.spent[stage] = 0.0
    with tempfile.TemporaryDirectory() as work:
        ix = searchkit.Index.create(os.path.join(work, "ix"))
        c0, t0 = time.process_time(), time.perf_counter()
        ix.add(docs, procs=1)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        ix.close()
    s = TIMERS.spent
    out = {
        "wall": wall, "cpu": cpu,
        "mecab": s["mecab"],
        "analysis": s["analysis"] - s["mecab"],
        "document": s["document"] - s["analysis"],
        "segment": s["segment"],
    }
    out["other"] = cpu - out["mecab"] - out["analysis"] - out["document"] - out["segment"]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=0, help="N articles (0: all 9,462)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", default=os.path.join(HERE, "results", "profile_index.json"))
    args = ap.parse_args(argv)
    docs = corpus(limit=args.articles or None)
    runs = []
    for r in range(args.runs):
        runs.append(one_run(docs))
        print(f"run {r + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in runs[-1].items()), flush=True)
    med = {k: statistics.median(run[k] for run in runs) for k in runs[0]}
    print(f"\n{len(docs):,} articles, one process, median of {len(runs)} runs:")
    print("| stage | CPU s | share |")
    print("|---|---:|---:|")
    for k in ("mecab", "analysis", "document", "segment", "other"):
        print(f"| {k} | {med[k]:.2f} | {med[k] / med['cpu']:.0%} |")
    print(f"| total CPU (wall) | {med['cpu']:.2f} ({med['wall']:.2f}) | |")
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as fh:
        json.dump({"articles": len(docs), "runs": runs, "median": med}, fh, indent=2)
        fh.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
