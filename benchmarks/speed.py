#!/usr/bin/env python
"""Speed benchmark: searchkit against peer systems on the mixed JA + EN news corpus.

    python benchmarks/speed.py [--runs N] [--quick] [--out benchmarks/results]

Every system is measured in a fresh child process (``benchmarks/systems.py``), in the
same run, in an order rotated from run to run; figures are medians over runs and ratios
are taken within a run, then their median reported. Writes ``speed.json``, ``speed.md``
and ``speed.png`` to the output directory and prints the Markdown report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import systems  # noqa: E402, I001  (puts src/ on sys.path when searchkit is not installed)
from searchkit.bench import WARMUP_SEED, load_jsonl, median, sample_queries  # noqa: E402

SYSTEMS_PY = HERE / "systems.py"
FLOOR = "floor-fugashi"
WHOOSH = "whoosh-std"
WHOOSH256 = "whoosh-std-256"  # Whoosh at its faster pool setting: the baseline at its best
DEFAULT = "searchkit"
ONEPROC = "searchkit-procs1"
QUERIED = ["searchkit", "whoosh-std", "fts5-trigram"]
ORDER = [
    "searchkit",
    "searchkit-procs1",
    "whoosh-std",
    "whoosh-std-256",
    "whoosh-fugashi",
    "whoosh-janome",
    "fts5-trigram",
    "floor-fugashi",
    "floor-io",
]
POLL_S = 0.05
# PSS sampled every 20th poll (1 s): reading smaps_rollup of every process walks their page tables, and
# every 250 ms it cost 1.2-1.6 CPU s per default build here (6-8% of a core, taken from the two writers).
PSS_EVERY = 20
MIB = 2**20

# (key, description, target, comparison)
GOALS = [
    ("index_vs_whoosh_default", "indexing wall, defaults, × Whoosh StandardAnalyzer", 0.6, "<="),
    ("index_vs_whoosh256_default", "indexing wall, defaults, × Whoosh StandardAnalyzer limitmb=256", 0.5, "<="),
    ("index_vs_whoosh_procs1", "indexing wall, procs=1, × Whoosh StandardAnalyzer", 1.2, "<="),
    ("peak_memory_mib", "peak memory indexing the corpus with defaults (MiB, PSS of the process tree)", 1024, "<="),
    ("snippet_p50_ms", "title queries with snippets, p50 (ms)", 2.0, "<="),
    ("snippet_p95_ms", "title queries with snippets, p95 (ms)", 6.0, "<="),
    ("query_p50_ms", "title queries without snippets, p50 (ms)", 1.0, "<="),
    ("question_p50_ms", "JSQuAD questions, p50 (ms)", 10.0, "<="),
    ("scale4_index_ratio", "4× corpus indexing wall, × 1×", 4.4, "<="),
    ("scale4_query_ratio", "4× corpus query p50, × 1×", 2.0, "<="),
]


# ------------------------------------------------------------------------- children


def _tree(pid: int) -> list[int]:
    """*pid* and all its descendants."""
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return out


def _tree_rss_mb(pids: list[int]) -> float:
    """Summed RSS of *pids* (pages shared after fork counted in each process)."""
    total, page = 0, os.sysconf("SC_PAGE_SIZE")
    for p in pids:
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
    return total / MIB


def _tree_pss_mb(pids: list[int]) -> float:
    """Summed PSS of *pids* (shared pages split between their sharers)."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError, IndexError):
            continue
    return total / MIB


def launch(
    system: str, *, scale: float, workdir: Path, queries: Path | None, limit: int | None, tag: str
) -> dict[str, Any]:
    """Run one measuring child; add the sampled process-tree peak RSS to its result."""
    result = workdir / f"{tag}.json"
    phase = workdir / f"{tag}.indexed"
    log = workdir / f"{tag}.log"
    cmd = [
        sys.executable,
        str(SYSTEMS_PY),
        system,
        "--result",
        str(result),
        "--scale",
        f"{scale:g}",
        "--workdir",
        str(workdir / "ix"),
        "--phase-file",
        str(phase),
    ]
    if queries is not None:
        cmd += ["--queries", str(queries)]
    if limit is not None:
        cmd += ["--limit", str(limit)]
    peak_index = peak_total = pss_index = 0.0
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
        tick = 0
        while proc.poll() is None:
            pids = _tree(proc.pid)
            rss = _tree_rss_mb(pids)
            peak_total = max(peak_total, rss)
            if not phase.exists():
                peak_index = max(peak_index, rss)
                if tick % PSS_EVERY == 0:  # smaps_rollup costs more than statm: sample it less often
                    pss_index = max(pss_index, _tree_pss_mb(pids))
            tick += 1
            time.sleep(POLL_S)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{system} x{scale:g} failed ({proc.returncode}):\n{log.read_text()[-3000:]}")
    res: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    res["tree_peak_index_mb"] = peak_index
    res["tree_peak_total_mb"] = peak_total
    res["tree_peak_pss_index_mb"] = pss_index
    res["peak_mb"] = max(peak_index, res["peak_self_mb"])
    res["child_elapsed_s"] = elapsed
    res["loadavg_1min"] = [load_before, os.getloadavg()[0]]
    shutil.rmtree(workdir / "ix", ignore_errors=True)
    return res


# -------------------------------------------------------------------------- queries


def make_queries(n_title: int, n_questions: int) -> dict[str, list[str]]:
    """Title queries (Random(13)), separate warm-up queries, and sampled JSQuAD questions."""
    docs = systems.corpus(1.0)
    title = sample_queries(docs, n_title)
    taken = set(title)
    warmup = [q for q in sample_queries(docs, 50 + n_title, seed=WARMUP_SEED) if q not in taken][:50]
    questions = [r["query"] for r in load_jsonl(systems.QUESTIONS)]
    rng = random.Random(13)
    picked = rng.sample(range(len(questions)), min(len(questions), n_questions + 50))
    return {
        "title": title,
        "warmup": warmup,
        "questions": [questions[i] for i in picked[:n_questions]],
        "question_warmup": [questions[i] for i in picked[n_questions:]],
    }


# ---------------------------------------------------------------------- aggregation


def _get(res: dict[str, Any], dotted: str) -> float | None:
    cur: Any = res
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return float(cur)


def _med(results: list[dict[str, Any]], key: str) -> float | None:
    vals = [v for v in (_get(r, key) for r in results) if v is not None]
    return median(vals) if vals else None


def full_wall(res: dict[str, Any], full_bytes: int) -> float:
    """Wall time, extrapolated by text size to the full corpus when *res* indexed a slice."""
    return res["wall_s"] * full_bytes / res["text_bytes"]


def summarize(
    runs: list[dict[str, dict[str, Any]]], full_bytes: int, full_articles: int, scales: list[float]
) -> dict[str, Any]:
    names = [s for s in ORDER if any(s in r for r in runs)]
    table: dict[str, Any] = {}
    for name in names:
        rs = [r[name] for r in runs if name in r]
        wall = median([x["wall_s"] for x in rs])
        row: dict[str, Any] = {
            "label": rs[0]["label"],
            "articles": rs[0]["articles"],
            "text_mb": rs[0]["text_bytes"] / 1e6,
            "extrapolated": rs[0]["text_bytes"] != full_bytes and name != "floor-io",
            "wall_s": wall,
            "cpu_s": median([x["cpu_s"] for x in rs]),
            "articles_per_s": rs[0]["articles"] / wall,
            "mb_per_s": rs[0]["text_bytes"] / 1e6 / wall,
            "peak_mb": median([x["peak_mb"] for x in rs]),
            "peak_pss_mb": median([x.get("tree_peak_pss_index_mb", 0.0) for x in rs]),
            "index_mb": median([x["index_bytes"] for x in rs]) / 1e6,
            "full_wall_s": median([full_wall(x, full_bytes) for x in rs]),
        }
        for ref, key in ((FLOOR, "x_floor"), (WHOOSH, "x_whoosh"), (WHOOSH256, "x_whoosh256")):
            ratios = [
                full_wall(r[name], full_bytes) / full_wall(r[ref], full_bytes) for r in runs if name in r and ref in r
            ]
            row[key] = median(ratios) if ratios else None
        cpu_ratios = [
            (r[name]["cpu_s"] / r[name]["text_bytes"]) / (r[WHOOSH]["cpu_s"] / r[WHOOSH]["text_bytes"])
            for r in runs
            if name in r and WHOOSH in r
        ]
        row["cpu_x_whoosh"] = median(cpu_ratios) if cpu_ratios else None
        for kind in ("query", "snippet", "question"):
            for stat in ("p50_ms", "p95_ms", "hit_rate", "errors"):
                v = _med(rs, f"{kind}.{stat}")
                if v is not None:
                    row[f"{kind}_{stat}"] = v
        table[name] = row

    scaling: list[dict[str, Any]] = []
    for s in scales:
        key = DEFAULT if s == 1 else f"{DEFAULT}@x{s:g}"
        rs = [r for r in runs if key in r and DEFAULT in r]
        if not rs:
            continue
        scaling.append(
            {
                "scale": s,
                "articles": rs[0][key]["articles"],
                "wall_s": median([r[key]["wall_s"] for r in rs]),
                "wall_ratio": median([r[key]["wall_s"] / r[DEFAULT]["wall_s"] for r in rs]),
                "cpu_s": median([r[key]["cpu_s"] for r in rs]),
                "cpu_ratio": median([r[key]["cpu_s"] / r[DEFAULT]["cpu_s"] for r in rs]),
                "query_p50_ms": median([r[key]["query"]["p50_ms"] for r in rs]),
                "query_p95_ms": median([r[key]["query"]["p95_ms"] for r in rs]),
                "query_ratio": median([r[key]["query"]["p50_ms"] / r[DEFAULT]["query"]["p50_ms"] for r in rs]),
                "snippet_p50_ms": median([r[key]["snippet"]["p50_ms"] for r in rs]),
                "snippet_p95_ms": median([r[key]["snippet"]["p95_ms"] for r in rs]),
                "peak_mb": median([r[key]["peak_mb"] for r in rs]),
            }
        )
    return {"systems": table, "scaling": scaling, "full_articles": full_articles, "full_text_mb": full_bytes / 1e6}


def goals(summary: dict[str, Any]) -> list[dict[str, Any]]:
    t, sc = summary["systems"], {row["scale"]: row for row in summary["scaling"]}
    d, one = t.get(DEFAULT, {}), t.get(ONEPROC, {})
    measured = {
        "index_vs_whoosh_default": d.get("x_whoosh"),
        "index_vs_whoosh256_default": d.get("x_whoosh256"),
        "index_vs_whoosh_procs1": one.get("x_whoosh"),
        # PSS: pages shared by the forked writers (MeCab's dictionary, the
        # interpreter) count once, not once per process as summed RSS does.
        "peak_memory_mib": d.get("peak_pss_mb") or None,
        "snippet_p50_ms": d.get("snippet_p50_ms"),
        "snippet_p95_ms": d.get("snippet_p95_ms"),
        "query_p50_ms": d.get("query_p50_ms"),
        "question_p50_ms": d.get("question_p50_ms"),
        "scale4_index_ratio": sc[4.0]["wall_ratio"] if 4.0 in sc else None,
        "scale4_query_ratio": sc[4.0]["query_ratio"] if 4.0 in sc else None,
    }
    notes = {
        "index_vs_whoosh_default": f"CPU-time ratio {_f(d.get('cpu_x_whoosh'))}" if d else "",
        "index_vs_whoosh_procs1": f"CPU-time ratio {_f(one.get('cpu_x_whoosh'))}" if one else "",
        "scale4_index_ratio": f"CPU-time ratio {_f(sc[4.0]['cpu_ratio'])}" if 4.0 in sc else "",
        "peak_memory_mib": f"RSS summed over the processes {_f(d.get('peak_mb'), '.0f')}" if d else "",
    }
    out = []
    for key, desc, target, _ in GOALS:
        v = measured[key]
        out.append(
            {
                "goal": key,
                "description": desc,
                "target": target,
                "value": v,
                "ok": None if v is None else v <= target,
                "note": notes.get(key, ""),
            }
        )
    return out


# ------------------------------------------------------------------------- reports


def _f(v: float | None, fmt: str = ".2f", suffix: str = "") -> str:
    return "—" if v is None else f"{v:{fmt}}{suffix}"


def markdown(report: dict[str, Any]) -> str:
    s, cfg = report["summary"], report["config"]
    out = [
        "# searchkit speed benchmark",
        "",
        f"{s['full_articles']:,} articles, {s['full_text_mb']:.1f} MB of title + body text "
        f"(livedoor JA + BBC EN). Median of {cfg['runs']} run(s); ratios taken within a run. "
        f"{cfg['machine']}; Python {cfg['python']}; {cfg['date']}.",
        "",
        "## Indexing",
        "",
        "| system | articles/s | MB/s | wall s | CPU s | peak RSS (PSS) MiB | index MB | wall × fugashi floor "
        "| wall × Whoosh std | wall × Whoosh std limitmb=256 | CPU × Whoosh std |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in s["systems"].values():
        label = r["label"]
        wall = _f(r["wall_s"])
        if r["extrapolated"]:
            label += f" ({r['articles']} articles; full corpus extrapolated)"
            wall = f"{r['wall_s']:.2f} (≈{r['full_wall_s']:.0f} full)"
        approx = "≈" if r["extrapolated"] else ""
        out.append(
            f"| {label} | {r['articles_per_s']:,.0f} | {r['mb_per_s']:.2f} | {wall} | {r['cpu_s']:.2f} | "
            f"{r['peak_mb']:.0f} ({r['peak_pss_mb']:.0f}) | {r['index_mb']:.1f} | "
            f"{approx}{_f(r['x_floor'])} | {approx}{_f(r['x_whoosh'])} | {approx}{_f(r['x_whoosh256'])} | "
            f"{approx}{_f(r['cpu_x_whoosh'])} |"
        )
    out += [
        "",
        "Indexing times start with records already decoded in memory (the I/O floor is reading and "
        "decoding alone); CPU is process + children. Peak RSS: process tree sampled every "
        f"{POLL_S * 1000:.0f} ms while indexing (pages shared after fork counted in each process), "
        "never below the main process's own high-water mark (VmHWM); in brackets the tree's PSS (shared "
        f"pages split between sharers, sampled every {POLL_S * PSS_EVERY * 1000:.0f} ms). Both include the "
        "decoded corpus and the interpreter. CPU × Whoosh std compares CPU seconds per MB of text: less "
        "sensitive to other load on the machine than wall time.",
        "",
        "## Queries (top 10)",
        "",
        f"{cfg['n_title_queries']} two-word title queries, {cfg['n_questions']} JSQuAD questions "
        f"(against {cfg['n_passages']:,} passages); warm-up with separately drawn queries.",
        "",
        "| system | p50 ms | p95 ms | +snippets p50 | +snippets p95 | queries with hits | questions p50 "
        "| questions p95 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in QUERIED:
        r = s["systems"].get(name)
        if not r or "query_p50_ms" not in r:
            continue
        out.append(
            f"| {r['label']} | {_f(r.get('query_p50_ms'), '.3f')} | {_f(r.get('query_p95_ms'), '.3f')} | "
            f"{_f(r.get('snippet_p50_ms'), '.3f')} | {_f(r.get('snippet_p95_ms'), '.3f')} | "
            f"{_f(100 * r['query_hit_rate'] if 'query_hit_rate' in r else None, '.0f', '%')} | "
            f"{_f(r.get('question_p50_ms'), '.3f')} | {_f(r.get('question_p95_ms'), '.3f')} |"
        )
    out += [
        "",
        "Whoosh: MultifieldParser over title + body, AND for title queries, OR for questions. FTS5: quoted "
        "terms ANDed (terms under 3 characters match nothing with trigrams), questions as the OR of their "
        "trigrams; snippets via snippet().",
    ]
    for name in QUERIED:
        r = s["systems"].get(name, {})
        for kind, what in (
            ("query", "title queries"),
            ("snippet", "title queries with snippets"),
            ("question", "questions"),
        ):
            if r.get(f"{kind}_errors"):
                ex = next(
                    (
                        x[kind]["error_examples"][0]
                        for x in (run.get(name) for run in report["runs"])
                        if x and x.get(kind, {}).get("error_examples")
                    ),
                    None,
                )
                out.append(
                    f"\n**{r['label']}: {r[f'{kind}_errors']:.0f} {what} raised** and are left out of "
                    f"the timings" + (f"; e.g. `{ex['query']}` → `{ex['error']}`" if ex else "") + "."
                )
    if s["scaling"]:
        out += [
            "",
            "## Scaling (searchkit defaults)",
            "",
            "| size | articles | indexing wall s | × 1× | indexing CPU s | × 1× | query p50 ms | × 1× | p95 ms "
            "| +snippets p50 | peak RSS MiB |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in s["scaling"]:
            out.append(
                f"| {row['scale']:g}× | {row['articles']:,} | {row['wall_s']:.2f} | {row['wall_ratio']:.2f} | "
                f"{row['cpu_s']:.2f} | {row['cpu_ratio']:.2f} | "
                f"{row['query_p50_ms']:.3f} | {row['query_ratio']:.2f} | {row['query_p95_ms']:.3f} | "
                f"{row['snippet_p50_ms']:.3f} | {row['peak_mb']:.0f} |"
            )
    out += ["", "## Goals", "", "| goal | target | measured | met | note |", "| --- | ---: | ---: | :---: | --- |"]
    for g in report["goals"]:
        mark = "not measured" if g["ok"] is None else ("yes" if g["ok"] else "**NO**")
        out.append(f"| {g['description']} | ≤ {g['target']:g} | {_f(g['value'])} | {mark} | {g['note']} |")
    loads = [x for run in report["runs"] for r in run.values() for x in r.get("loadavg_1min", [])]
    if loads:
        out += [
            "",
            f"1-minute load average around the measurements: {min(loads):.1f}–{max(loads):.1f} "
            f"on {os.cpu_count()} CPUs (above the CPU count, other work shared the machine: trust CPU "
            "time and in-run ratios over absolute wall times).",
        ]
    out += ["", f"Harness wall time: {report['harness_s']:.0f} s."]
    return "\n".join(out) + "\n"


def chart(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = report["summary"]
    fig, (a, b) = plt.subplots(1, 2, figsize=(13, 5.2), gridspec_kw={"width_ratios": [1.25, 1]})
    names = list(s["systems"])[::-1]
    rows = [s["systems"][n] for n in names]
    vals = [r["full_wall_s"] for r in rows]
    colors = [
        "tab:red" if n.startswith("searchkit") else "tab:gray" if n.startswith("floor") else "tab:blue" for n in names
    ]
    bars = a.barh(range(len(rows)), vals, color=colors)
    for bar, r in zip(bars, rows, strict=True):
        if r["extrapolated"]:
            bar.set_hatch("//")
            bar.set_alpha(0.6)
    a.set_yticks(range(len(rows)))
    a.set_yticklabels([r["label"] + (" (extrapolated)" if r["extrapolated"] else "") for r in rows], fontsize=8)
    a.set_xscale("log")
    a.set_xlabel(f"wall time to index {s['full_articles']:,} articles (s, log scale)")
    a.set_title(f"Indexing time (median of {report['config']['runs']})")
    for i, v in enumerate(vals):
        a.text(v * 1.05, i, f"{v:.1f} s", va="center", fontsize=8)
    a.set_xlim(min(vals) / 3, max(vals) * 4)
    if s["scaling"]:
        xs = [r["articles"] for r in s["scaling"]]
        b.plot(xs, [r["query_p50_ms"] for r in s["scaling"]], "o-", label="p50, no snippets")
        b.plot(xs, [r["query_p95_ms"] for r in s["scaling"]], "o--", label="p95, no snippets")
        b.plot(xs, [r["snippet_p50_ms"] for r in s["scaling"]], "s-", label="p50, with snippets")
        b.plot(xs, [r["snippet_p95_ms"] for r in s["scaling"]], "s--", label="p95, with snippets")
        for i, y in enumerate((1.0, 2.0, 6.0)):
            b.axhline(
                y,
                color="gray",
                lw=0.8,
                ls=":",
                label="goals: p50 1 ms / p50 2 ms (snippets) / p95 6 ms (snippets)" if i == 0 else None,
            )
        b.set_xscale("log")
        b.set_xticks(xs)
        b.set_xticklabels([f"{r['scale']:g}×\n{r['articles']:,}" for r in s["scaling"]], fontsize=8)
        b.minorticks_off()
        b.set_ylim(bottom=0)
    b.set_xlabel("corpus size (articles)")
    b.set_ylabel("top-10 latency (ms)")
    b.set_title("searchkit query latency vs corpus size")
    b.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------------------- main


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(HERE), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="searchkit speed benchmark")
    ap.add_argument("--runs", type=int, default=None, help="runs per measurement (default 3; 1 with --quick)")
    ap.add_argument("--quick", action="store_true", help="one run, no 4× corpus")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument("--queries", type=int, default=250, help="title queries (default 250)")
    ap.add_argument("--questions", type=int, default=500, help="JSQuAD questions (default 500)")
    ap.add_argument("--janome-slice", type=int, default=300, help="articles indexed by janome (default 300)")
    ap.add_argument("--systems", default=",".join(ORDER), help="comma-separated subset of: " + ",".join(ORDER))
    args = ap.parse_args(argv)
    runs = args.runs if args.runs is not None else (1 if args.quick else 3)
    chosen = [s for s in ORDER if s in args.systems.split(",")]
    scales = [0.25, 0.5, 1.0] + ([] if args.quick else [4.0])
    if DEFAULT not in chosen:
        scales = []
    t_start = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="searchkit-speed-"))
    try:
        full = systems.corpus(1.0)
        full_bytes, full_articles = systems.text_bytes(full), len(full)
        del full
        qs = make_queries(args.queries, args.questions)
        qfile = work / "queries.json"
        qfile.write_text(json.dumps(qs, ensure_ascii=False), encoding="utf-8")
        title_only = work / "queries-title.json"
        title_only.write_text(json.dumps({k: qs[k] for k in ("title", "warmup")}, ensure_ascii=False), encoding="utf-8")
        all_runs: list[dict[str, dict[str, Any]]] = []
        for run in range(runs):
            k = run % len(chosen)
            order = chosen[k:] + chosen[:k]
            res: dict[str, dict[str, Any]] = {}
            # the other corpus sizes run right after searchkit at 1×, so that their ratios to it
            # are taken under the same conditions
            jobs = [j for s in order for j in ([(s, sc) for sc in scales] if s == DEFAULT else [(s, 1.0)])]
            for name, sc in jobs:
                key = name if sc == 1.0 else f"{name}@x{sc:g}"
                t0 = time.perf_counter()
                res[key] = launch(
                    name,
                    scale=sc,
                    workdir=work,
                    tag=f"r{run}-{key}",
                    queries=(qfile if sc == 1.0 else title_only) if name in QUERIED else None,
                    limit=args.janome_slice if name == "whoosh-janome" else None,
                )
                print(
                    f"run {run + 1}/{runs} {key:<22} index {res[key]['wall_s']:8.2f} s "
                    f"(child {time.perf_counter() - t0:6.1f} s)",
                    file=sys.stderr,
                    flush=True,
                )
            all_runs.append(res)
        summary = summarize(all_runs, full_bytes, full_articles, sorted(scales))
        report: dict[str, Any] = {
            "config": {
                "runs": runs,
                "quick": args.quick,
                "scales": sorted(scales),
                "systems": chosen,
                "n_title_queries": len(qs["title"]),
                "n_questions": len(qs["questions"]),
                "n_passages": len(load_jsonl(systems.PASSAGES)),
                "janome_slice": args.janome_slice,
                "python": platform.python_version(),
                "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
                "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                "commit": _git_commit(),
            },
            "summary": summary,
            "runs": all_runs,
            "queries": qs,
        }
        report["goals"] = goals(summary)
        report["harness_s"] = time.perf_counter() - t_start
        md = markdown(report)
        (args.out / "speed.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        (args.out / "speed.md").write_text(md, encoding="utf-8")
        try:
            chart(report, args.out / "speed.png")
        except ImportError:  # matplotlib is optional: the figures are in speed.json / speed.md
            print("(no chart: matplotlib is not installed)", file=sys.stderr)
        print(md)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
