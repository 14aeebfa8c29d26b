"""Retrieval-quality benchmark: searchkit against peer systems.

Usage::

    python benchmarks/quality.py [--only jsquad|news] [--systems a,b] [--json out.json]

Evaluations (metrics: MRR@10, Recall@10, Recall@100, mean/p50 query ms):

* ``jsquad``: the 1,145 JSQuAD dev passages (title + body searchable); each of
  the 4,442 questions has its passage as the one relevant answer.
* ``news``: known-item search over livedoor (JA) + BBC (EN), 9,462 articles,
  indexed with the title removed; a fixed sample of titles (1,000 JA, 500 EN,
  ``random.Random(13)`` over the sorted ids, JA first) are the queries, the
  article each came from the one relevant answer.  JA and EN are reported
  separately.

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
SEED, N_JA, N_EN = 13, 1000, 500
OURS = "searchkit"
GOALS: dict[str, dict[str, float]] = {
    "jsquad": {"mrr": 0.955, "recall_at_k": 0.985},
    "news-ja": {"mrr": 0.82},
    "news-en": {"mrr": 0.81},
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


def jsquad_task() -> tuple[list[peers.Doc], dict[str, list[dict[str, Any]]]]:
    docs = list(load_jsonl(os.path.join(DATA, "jsquad-dev-passages.jsonl.gz")))
    queries = list(load_jsonl(os.path.join(DATA, "jsquad-dev-queries.jsonl.gz")))
    return docs, {"jsquad": queries}


def news_task() -> tuple[list[peers.Doc], dict[str, list[dict[str, Any]]]]:
    ja = list(load_jsonl(os.path.join(DATA, "livedoor-ja.jsonl.gz")))
    en = list(load_jsonl(os.path.join(DATA, "bbc-en.jsonl.gz")))
    rng = random.Random(SEED)
    query_sets = {}
    for key, rows, n in (("news-ja", ja, N_JA), ("news-en", en, N_EN)):
        title = {d["id"]: d["title"] for d in rows}
        query_sets[key] = [
            {"qid": i, "query": title[i], "relevant": [i]} for i in rng.sample(sorted(title), n)
        ]
    docs = [{k: v for k, v in d.items() if k != "title"} for d in ja + en]
    return docs, query_sets


TASKS: dict[str, tuple[Callable[[], Any], tuple[str, ...]]] = {
    "jsquad": (jsquad_task, ("title", "body")),
    "news": (news_task, ("body",)),
}


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
                res: EvalResult = evaluate(system.search, queries, k=K, depth=DEPTH, keep_per_query=per_query)
                out[key] = {**res.as_dict(per_query=per_query), "build_s": build_s, "docs": n_docs}
                print(
                    f"  {name:14} {key:8} MRR@10={res.mrr:.4f} R@10={res.recall_at_k:.4f} "
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


def markdown(results: dict[str, dict[str, Any]], summary: dict[str, Any]) -> str:
    lines: list[str] = []
    keys = [k for k in EVAL_TITLES if any(k in r.get("evals", {}) for r in results.values())]
    for key in keys:
        n = next(r["evals"][key]["n"] for r in results.values() if key in r.get("evals", {}))
        lines += [f"### {EVAL_TITLES[key]} ({n} queries)", ""]
        goal = GOALS.get(key, {})
        goal_txt = ", ".join(f"{METRIC_TITLES[m]} ≥ {g}" for m, g in goal.items())
        lines.append("| system | MRR@10 | R@10 | R@100 | mean ms | p50 ms | errors | build s |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
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
                f"| {name} | {cell('mrr')} | {cell('recall_at_k')} | {cell('recall_at_depth')} | "
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
    ap.add_argument("--max-queries", type=int, help=argparse.SUPPRESS)  # quick smoke runs only
    args = ap.parse_args(argv)

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
        docs, query_sets = load()
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
            "news_sample": {"seed": SEED, "ja": N_JA, "en": N_EN},
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
