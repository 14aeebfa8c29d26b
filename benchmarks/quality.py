"""Retrieval-quality benchmark: searchkit against peer systems.

Usage::

    python benchmarks/quality.py [--quick] [--only jsquad|news] [--systems a,b] [--json out.json]

Evaluations (metrics: MRR@10, Recall@10, Recall@100, mean/p50 query ms):

* ``jsquad``: the 1,145 JSQuAD dev passages (title + body searchable); each of
  the 4,442 questions has its passage as the one relevant answer.
* ``news``: known-item search over livedoor (JA) + BBC (EN), 9,462 articles,
  indexed with the title removed; every title (7,367 JA, 2,095 EN) is a
  query, the article it came from the one relevant answer.  JA and EN are
  reported separately.  ``--quick`` keeps only the old fixed sample (1,000
  JA, 500 EN, ``random.Random(13)`` over the sorted ids, JA first): fast, but
  it is one sample, not the population.

MRR@10 and R@10 carry a bootstrap 95% interval (2,000 resamples of the
queries, seed 0).  ``--cv A.json B.json …`` reads runs made with
``--per-query`` (one per setting of a lever) and reports k-fold
cross-validation: the setting chosen on k−1 folds, scored on the held-out one.

Every system is built in its own temporary directory and gets the same
documents and raw query strings.  One untimed warm-up query is run before
each timed query set.  Results go to ``benchmarks/results/quality.json``
unless ``--json`` says otherwise, with the
Markdown tables beside it (``quality.md``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")
SRC = os.path.join(ROOT, "src")
if os.path.isdir(os.path.join(SRC, "searchkit")):  # benchmark the checkout, not an install
    sys.path.insert(0, SRC)
sys.path.insert(0, HERE)

import peers  # noqa: E402
from searchkit.evaluate import EvalResult, evaluate, load_jsonl  # noqa: E402

K, DEPTH = 10, 100
SEED, N_JA, N_EN = 13, 1000, 500  # the --quick sample
BOOTSTRAP, FOLDS = 2000, 5
OURS = "searchkit"
GOALS: dict[str, dict[str, float]] = {
    "jsquad": {"mrr": 0.955, "recall_at_k": 0.985},
    "news-ja": {"mrr": 0.85},
    "news-en": {"mrr": 0.84},
}
EVAL_TITLES = {"jsquad": "JSQuAD (dev)", "news-ja": "Known-item news, JA", "news-en": "Known-item news, EN"}
METRIC_TITLES = {"mrr": "MRR@10", "recall_at_k": "R@10", "recall_at_depth": "R@100"}


class Searchkit(peers.Peer):
    """searchkit through its public API only: Index.create / add / search."""

    name = OURS
    formulation = "searchkit.Index with library defaults; raw query text to Index.search (lenient)"

    def build(self, docs: Sequence[peers.Doc], searchable: Sequence[str] = peers.FIELDS) -> int:
        import searchkit

        if "body" not in searchable:
            raise ValueError("searchkit always searches body")
        drop = {"title"} - set(searchable)
        docs = [{k: v for k, v in d.items() if k not in drop} for d in docs]
        self.ix = searchkit.Index.create(os.path.join(self.workdir, "searchkit"), overwrite=True)
        return self.ix.add(docs)

    def search(self, query: str, depth: int) -> list[str]:
        return [hit.id for hit in self.ix.search(query, limit=depth)]

    def close(self) -> None:
        close = getattr(getattr(self, "ix", None), "close", None)
        if callable(close):
            close()


class SearchkitSynonyms(Searchkit):
    """searchkit with the bundled starter synonym table (``Index.set_synonyms("starter")``)."""

    name = f"{OURS}-synonyms"
    formulation = "as searchkit, plus the starter synonym table for news (opt-in, query time only)"

    def build(self, docs: Sequence[peers.Doc], searchable: Sequence[str] = peers.FIELDS) -> int:
        n = super().build(docs, searchable)
        self.ix.set_synonyms("starter")
        return n


SYSTEMS: dict[str, type[peers.Peer]] = {OURS: Searchkit, SearchkitSynonyms.name: SearchkitSynonyms, **peers.PEERS}


def unavailable_reason(name: str) -> str | None:
    if name in (OURS, SearchkitSynonyms.name):
        try:
            import searchkit

            searchkit.Index  # noqa: B018 - probe the public API
        except (ImportError, AttributeError) as exc:
            return f"skipped: searchkit.Index unavailable ({exc})"
        return None
    return peers.unavailable_reason(name)


# --------------------------------------------------------------------------- data


def jsquad_task(quick: bool = False) -> tuple[list[peers.Doc], dict[str, list[dict[str, Any]]]]:
    docs = list(load_jsonl(os.path.join(DATA, "jsquad-dev-passages.jsonl.gz")))
    queries = list(load_jsonl(os.path.join(DATA, "jsquad-dev-queries.jsonl.gz")))
    return docs, {"jsquad": queries}


def news_task(quick: bool = False) -> tuple[list[peers.Doc], dict[str, list[dict[str, Any]]]]:
    ja = list(load_jsonl(os.path.join(DATA, "livedoor-ja.jsonl.gz")))
    en = list(load_jsonl(os.path.join(DATA, "bbc-en.jsonl.gz")))
    rng = random.Random(SEED)
    query_sets = {}
    for key, rows, n in (("news-ja", ja, N_JA), ("news-en", en, N_EN)):
        title = {d["id"]: d["title"] for d in rows}
        ids = rng.sample(sorted(title), n) if quick else sorted(title)
        query_sets[key] = [{"qid": i, "query": title[i], "relevant": [i]} for i in ids]
    docs = [{k: v for k, v in d.items() if k != "title"} for d in ja + en]
    return docs, query_sets


TASKS: dict[str, tuple[Callable[[bool], Any], tuple[str, ...]]] = {
    "jsquad": (jsquad_task, ("title", "body")),
    "news": (news_task, ("body",)),
}


# --------------------------------------------------------------------------- statistics


def per_query_values(res: EvalResult) -> tuple[list[float], list[float]]:
    """Each query's reciprocal rank within K and its R@10 (1 or 0 for one relevant)."""
    assert res.per_query is not None
    rr = [1.0 / q.rank if 0 < q.rank <= K else 0.0 for q in res.per_query]
    rk = [q.recall_at_k for q in res.per_query]
    return rr, rk


def bootstrap_ci(values: Sequence[float], n: int = BOOTSTRAP, seed: int = 0) -> tuple[float, float]:
    """Percentile 95% interval of the mean of ``values`` over ``n`` resamples."""
    if not values:
        return (0.0, 0.0)
    rng = random.Random(seed)
    size = len(values)
    means = sorted(sum(values[rng.randrange(size)] for _ in range(size)) / size for _ in range(n))
    return means[int(0.025 * n)], means[min(n - 1, int(0.975 * n))]


def cross_validate(runs: dict[str, dict[str, float]], folds: int = FOLDS, seed: int = 0) -> dict[str, Any]:
    """k-fold choice among settings: ``runs`` maps setting → {qid: reciprocal rank}.

    The queries are shuffled (seeded) into ``folds`` folds; for each fold the
    setting with the best mean on the other folds is chosen and scored on it.
    """
    qids = sorted(set.intersection(*(set(r) for r in runs.values())))
    random.Random(seed).shuffle(qids)
    parts = [qids[i::folds] for i in range(folds)]
    held_out: list[dict[str, Any]] = []
    total = 0.0
    for i, part in enumerate(parts):
        train = [q for j, p in enumerate(parts) if j != i for q in p]
        chosen = max(sorted(runs), key=lambda name: sum(runs[name][q] for q in train))
        score = sum(runs[chosen][q] for q in part) / len(part)
        total += score * len(part)
        held_out.append({"fold": i, "chosen": chosen, "held_out_mrr": score,
                         "all": {n: sum(r[q] for q in part) / len(part) for n, r in runs.items()}})
    return {"folds": held_out, "cv_mrr": total / len(qids), "n": len(qids),
            "whole": {n: sum(r[q] for q in qids) / len(qids) for n, r in runs.items()}}


def cv_main(paths: Sequence[str], system: str = OURS) -> int:
    """Print k-fold cross-validation over runs written with --per-query."""
    loaded: dict[str, Any] = {}
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            loaded[os.path.splitext(os.path.basename(path))[0]] = json.load(fh)
    keys = sorted(set.intersection(*(set(r["systems"][system]["evals"]) for r in loaded.values())))
    for key in keys:
        runs = {
            name: {str(q["qid"]): (1.0 / q["rank"] if 0 < q["rank"] <= K else 0.0)
                   for q in r["systems"][system]["evals"][key]["per_query"]}
            for name, r in loaded.items()
        }
        cv = cross_validate(runs)
        print(f"{key} ({cv['n']} queries, {FOLDS} folds): cross-validated MRR@10 {cv['cv_mrr']:.4f}")
        for name, v in cv["whole"].items():
            print(f"  {name:30} whole-population MRR@10 {v:.4f}")
        for f in cv["folds"]:
            print(f"  fold {f['fold']}: chose {f['chosen']}, held-out MRR@10 {f['held_out_mrr']:.4f}")
    return 0


# --------------------------------------------------------------------------- running


def run_system(
    name: str,
    docs: list[peers.Doc],
    searchable: Sequence[str],
    query_sets: dict[str, list[dict[str, Any]]],
    per_query: bool = False,
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix=f"quality-{name}-") as tmp:
        system = SYSTEMS[name](tmp)
        try:
            gc.collect()
            t0 = time.perf_counter()
            n_docs = system.build(docs, searchable=searchable)
            build_s = time.perf_counter() - t0
            for key, queries in query_sets.items():
                try:  # untimed warm-up (lazy loading, caches) — same for every system
                    system.search(queries[0]["query"], DEPTH)
                except Exception:  # noqa: BLE001 - evaluate() counts errors
                    pass
                gc.collect()
                res: EvalResult = evaluate(system.search, queries, k=K, depth=DEPTH, keep_per_query=True)
                rr, rk = per_query_values(res)
                ci = {"mrr_ci95": bootstrap_ci(rr), "recall_at_k_ci95": bootstrap_ci(rk)}
                out[key] = {**res.as_dict(per_query=per_query), **ci, "build_s": build_s, "docs": n_docs}
                print(
                    f"  {name:14} {key:8} MRR@10={res.mrr:.4f} "
                    f"[{ci['mrr_ci95'][0]:.4f}, {ci['mrr_ci95'][1]:.4f}] R@10={res.recall_at_k:.4f} "
                    f"R@100={res.recall_at_depth:.4f} mean={res.mean_ms:.2f}ms p50={res.p50_ms:.2f}ms "
                    f"n={res.n} errors={res.errors} (build {build_s:.1f}s)",
                    file=sys.stderr,
                    flush=True,
                )
        finally:
            system.close()
    return out


def verdict(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Goal checks for searchkit and whether it beats every peer that ran."""
    ours = results.get(OURS, {}).get("evals", {})
    ran = [n for n, r in results.items() if n not in (OURS, SearchkitSynonyms.name) and "evals" in r]
    goals: dict[str, Any] = {}
    beats: dict[str, Any] = {}
    for key, targets in GOALS.items():
        if key not in ours:
            continue
        goals[key] = {m: {"goal": g, "value": ours[key][m], "met": ours[key][m] >= g} for m, g in targets.items()}
        beats[key] = {}
        for metric in METRIC_TITLES:
            peer_vals = {n: results[n]["evals"][key][metric] for n in ran if key in results[n]["evals"]}
            best = max(peer_vals.items(), key=lambda kv: kv[1], default=(None, None))
            beats[key][metric] = {
                "ours": ours[key][metric],
                "best_peer": best[0],
                "best_peer_value": best[1],
                "beats": best[1] is None or ours[key][metric] > best[1],
            }
    return {
        "goals": goals,
        "all_goals_met": bool(goals) and all(v["met"] for g in goals.values() for v in g.values()),
        "beats_every_peer": beats,
        "beats_every_peer_on_mrr": bool(beats) and all(b["mrr"]["beats"] for b in beats.values()),
    }


# --------------------------------------------------------------------------- report


QUICK = False


def sample_note(key: str) -> str:
    return f"; sample, seed {SEED}" if QUICK and key.startswith("news") else ""


def interval(e: dict[str, Any], metric: str) -> str:
    lo_hi = e.get(f"{metric}_ci95")
    return f"{lo_hi[0]:.4f}–{lo_hi[1]:.4f}" if lo_hi else ""


def markdown(results: dict[str, dict[str, Any]], summary: dict[str, Any]) -> str:
    lines: list[str] = []
    keys = [k for k in EVAL_TITLES if any(k in r.get("evals", {}) for r in results.values())]
    for key in keys:
        n = next(r["evals"][key]["n"] for r in results.values() if key in r.get("evals", {}))
        lines += [f"### {EVAL_TITLES[key]} ({n} queries{sample_note(key)})", ""]
        goal = GOALS.get(key, {})
        goal_txt = ", ".join(f"{METRIC_TITLES[m]} ≥ {g}" for m, g in goal.items())
        lines.append("| system | MRR@10 | 95% CI | R@10 | 95% CI | R@100 | mean ms | p50 ms | errors | build s |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, r in results.items():
            e = r.get("evals", {}).get(key)
            if e is None:
                continue

            def cell(m: str, e: dict[str, Any] = e, name: str = name) -> str:
                txt = f"{e[m]:.4f}"
                if name == OURS and m in goal:
                    txt += " ✅" if e[m] >= goal[m] else " ❌"
                return f"**{txt}**" if name == OURS else txt

            lines.append(
                f"| {name} | {cell('mrr')} | {interval(e, 'mrr')} | {cell('recall_at_k')} | "
                f"{interval(e, 'recall_at_k')} | {cell('recall_at_depth')} | "
                f"{e['mean_ms']:.2f} | {e['p50_ms']:.2f} | {e['errors']} | {e['build_s']:.1f} |"
            )
        lines += ["", f"Goal for searchkit: {goal_txt}." if goal_txt else "", ""]
    skipped = {n: r["skipped"] for n, r in results.items() if "skipped" in r}
    if skipped:
        lines += [f"- {n}: {why}" for n, why in skipped.items()] + [""]
    lines.append("Query formulations:")
    lines += [f"- {n}: {SYSTEMS[n].formulation}" for n in results]
    lines.append("")
    if summary["goals"]:
        lines.append(f"All searchkit goals met: {'yes' if summary['all_goals_met'] else 'no'}")
        for key, b in summary["beats_every_peer"].items():
            parts = []
            for m, v in b.items():
                if v["best_peer"] is None:
                    parts.append(f"{METRIC_TITLES[m]} (no peer ran)")
                else:
                    parts.append(
                        f"{METRIC_TITLES[m]} {'yes' if v['beats'] else 'NO'} "
                        f"({v['ours']:.4f} vs {v['best_peer']} {v['best_peer_value']:.4f})"
                    )
            lines.append(f"searchkit beats every peer, {EVAL_TITLES[key]}: " + "; ".join(parts))
    return "\n".join(lines).replace("\n\n\n", "\n\n")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=sorted(TASKS), help="run one evaluation only")
    ap.add_argument("--systems", help=f"comma-separated subset of: {','.join(SYSTEMS)}")
    ap.add_argument("--json", default=os.path.join(HERE, "results", "quality.json"), help="output JSON path")
    ap.add_argument("--per-query", action="store_true", help="also store each query's rank and time in the JSON")
    ap.add_argument("--quick", action="store_true",
                    help=f"known-item on the fixed sample ({N_JA} JA, {N_EN} EN titles, seed {SEED}), not every title")
    ap.add_argument("--cv", nargs="+", metavar="RUN.json",
                    help="k-fold cross-validation over runs written with --per-query (one per lever setting)")
    ap.add_argument("--max-queries", type=int, help=argparse.SUPPRESS)  # quick smoke runs only
    args = ap.parse_args(argv)
    if args.cv:
        return cv_main(args.cv)
    global QUICK
    QUICK = args.quick

    names = list(SYSTEMS) if not args.systems else [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        ap.error(f"unknown system(s) {unknown}; choose from {list(SYSTEMS)}")
    tasks = [args.only] if args.only else list(TASKS)

    started = time.perf_counter()
    results: dict[str, dict[str, Any]] = {}
    for name in names:
        why = unavailable_reason(name)
        results[name] = {"formulation": SYSTEMS[name].formulation}
        if why:
            results[name]["skipped"] = why
            print(f"{name}: {why}", file=sys.stderr)
        else:
            results[name]["evals"] = {}
    for task in tasks:
        load, searchable = TASKS[task]
        docs, query_sets = load(args.quick)
        if args.max_queries:
            query_sets = {k: v[: args.max_queries] for k, v in query_sets.items()}
        print(f"{task}: {len(docs)} docs, searchable={searchable}, "
              + ", ".join(f"{k}={len(v)} queries" for k, v in query_sets.items()), file=sys.stderr)
        for name in names:
            if "evals" in results[name]:
                results[name]["evals"].update(run_system(name, docs, searchable, query_sets, args.per_query))
    elapsed = time.perf_counter() - started

    summary = verdict(results)
    table = markdown(results, summary) + f"\nTotal runtime {elapsed:.0f} s.\n"
    print(table, end="")

    import whoosh

    sk = sys.modules.get("searchkit")
    report = {
        "meta": {
            "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "sqlite": sqlite3.sqlite_version,
            "whoosh": whoosh.versionstring(),
            "searchkit": getattr(sk, "__version__", None),
            "k": K,
            "depth": DEPTH,
            "news_queries": {"seed": SEED, "ja": N_JA, "en": N_EN} if args.quick else "every title",
            "bootstrap": {"resamples": BOOTSTRAP, "seed": 0, "interval": 0.95},
            "max_queries": args.max_queries,
            "runtime_s": round(elapsed, 1),
        },
        "goals": GOALS,
        "systems": results,
        "summary": summary,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as fh:
        json.dump(report, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    md_path = os.path.splitext(args.json)[0] + ".md"
    with open(md_path, "w", encoding="utf-8") as fh:
        fh.write(table)
    print(f"Wrote {args.json} and {md_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
