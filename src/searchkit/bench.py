"""Measure indexing throughput and query latency on a JSONL corpus.

Backs ``searchkit bench CORPUS`` and the searchkit rows of ``benchmarks/speed.py``.
Timings use :func:`time.perf_counter`; CPU time counts this process and its
waited-for children (worker processes), so parallel indexing is charged in full.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import math
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from searchkit import Index

__all__ = [
    "bench_corpus",
    "cpu_seconds",
    "dir_size",
    "format_bench",
    "is_japanese",
    "iter_jsonl",
    "latency_summary",
    "load_jsonl",
    "median",
    "peak_rss_mb",
    "percentile",
    "sample_queries",
    "searchkit_query_fn",
    "text_bytes",
    "time_queries",
]

QUERY_SEED = 13
"""Seed of the title queries (``random.Random(13)``)."""
WARMUP_SEED = 14
"""Seed of the warm-up queries, drawn apart from the timed ones."""

_JA_CHARS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_EN_WORD = re.compile(r"[A-Za-z]{4,}")
_JA_NOUN_KINDS = frozenset({"普通名詞", "固有名詞"})
_EN_STOP = frozenset(
    "about after again also back been before being between both could down does from "
    "have here into just like made make many more most much must next only other over "
    "said says should some such take than that their them then there these they this "
    "those through under very want were what when where which while will with would "
    "year years your".split()
)


# --------------------------------------------------------------------------- corpus


def iter_jsonl(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> Iterator[dict[str, Any]]:
    """Yield the records of one or more JSONL files (``.gz`` read transparently)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    for path in paths:
        p = Path(path)
        opener = gzip.open if p.suffix == ".gz" else open
        with opener(p, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)


def load_jsonl(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[dict[str, Any]]:
    """Read one or more JSONL files into a list of records."""
    return list(iter_jsonl(paths))


def text_bytes(docs: Iterable[dict[str, Any]]) -> int:
    """UTF-8 size of the indexed text (title + body) of *docs*."""
    return sum(len((d.get("title") or "").encode()) + len((d.get("body") or "").encode()) for d in docs)


def is_japanese(doc: dict[str, Any]) -> bool:
    """True when the record is Japanese: its ``lang`` field, else kana/kanji in the title."""
    lang = doc.get("lang")
    if lang:
        return str(lang).lower().startswith("ja")
    return bool(_JA_CHARS.search(doc.get("title") or ""))


# ------------------------------------------------------------------------ statistics


def percentile(values: Sequence[float], q: float) -> float:
    """The *q*-th percentile (0–100) of *values*, linearly interpolated between ranks."""
    if not values:
        raise ValueError("percentile of an empty sequence")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0..100")
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def median(values: Sequence[float]) -> float:
    """Median of *values* (mean of the middle two for an even count)."""
    if not values:
        raise ValueError("median of an empty sequence")
    return statistics.median(values)


def latency_summary(ms: Sequence[float]) -> dict[str, float]:
    """p50, p95, mean and max of latencies given in milliseconds."""
    return {
        "n": len(ms),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "mean_ms": sum(ms) / len(ms),
        "max_ms": max(ms),
    }


# ----------------------------------------------------------------------- measurement


def cpu_seconds() -> float:
    """User + system CPU time of this process and its waited-for children."""
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def _vm_hwm() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


def peak_rss_mb() -> dict[str, float]:
    """High-water RSS so far of this process and of its largest waited-for child, in MiB.

    On Linux the process's own figure is ``VmHWM``: ``ru_maxrss`` also carries the
    high-water mark of whatever process forked and exec'd this one.
    """
    scale = 1024 if sys.platform != "darwin" else 1  # ru_maxrss: KiB on Linux, bytes on macOS
    hwm = _vm_hwm()
    s = hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    c = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale
    return {"self_mb": s / 2**20, "children_mb": c / 2**20}


def dir_size(path: str | os.PathLike[str]) -> int:
    """Total size in bytes of the files under *path* (or of the file *path*)."""
    p = Path(path)
    if p.is_file():
        return p.stat().st_size
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())


def time_queries(run: Callable[[str], Any], queries: Sequence[str], *, warmup: Sequence[str] = ()) -> list[float]:
    """Run *warmup* untimed, then each query once; return per-query latencies in ms."""
    for q in warmup:
        run(q)
    out: list[float] = []
    clock = time.perf_counter
    for q in queries:
        t0 = clock()
        run(q)
        out.append((clock() - t0) * 1000.0)
    return out


def searchkit_query_fn(ix: Index, *, snippets: bool, limit: int = 10) -> Callable[[str], int]:
    """A query runner: top-*limit* ids, and with *snippets* each hit's snippet text and HTML."""

    def run(q: str) -> int:
        res = ix.search(q, limit=limit)
        if not snippets:
            return len([h.id for h in res])
        n = 0
        for h in res:
            _ = (h.id, h.snippet.text, h.snippet.html())
            n += 1
        return n

    return run


# --------------------------------------------------------------------------- queries


def _content_words(doc: dict[str, Any], tagger: Any) -> list[str]:
    title = doc.get("title") or ""
    if is_japanese(doc):
        words = []
        for w in tagger(title):
            f, s = w.feature, w.surface
            if f.pos1 != "名詞" or f.pos2 not in _JA_NOUN_KINDS:
                continue
            if s.isascii():  # a Latin word in a Japanese title: the English rule
                if _EN_WORD.fullmatch(s) and s.lower() not in _EN_STOP:
                    words.append(s)
            elif len(s) >= 2 or _KANJI.search(s):
                words.append(s)
    else:
        words = [w for w in _EN_WORD.findall(title) if w.lower() not in _EN_STOP]
    seen: set[str] = set()
    unique = []
    for w in words:
        if w.lower() not in seen:
            seen.add(w.lower())
            unique.append(w)
    return unique


def sample_queries(
    docs: Sequence[dict[str, Any]], n: int = 250, *, seed: int = QUERY_SEED, tagger: Any = None
) -> list[str]:
    """*n* distinct two-word queries: two content words of the title of a randomly drawn article.

    Japanese titles give fugashi nouns (common and proper, no numerals), English titles
    words of four letters or more less a short stop list. Deterministic for a given
    *docs* order and *seed*; fewer than *n* only when the titles run out.
    """
    if n <= 0 or not docs:
        return []
    if tagger is None and any(is_japanese(d) for d in docs):
        import fugashi

        tagger = fugashi.Tagger()
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    for _ in range(max(50 * n, 1000)):
        words = _content_words(docs[rng.randrange(len(docs))], tagger)
        if len(words) < 2:
            continue
        q = " ".join(rng.sample(words, 2))
        if q not in seen:
            seen.add(q)
            out.append(q)
            if len(out) == n:
                break
    return out


# ------------------------------------------------------------------------- benchmark


def _index_once(docs: list[dict[str, Any]], location: Path | str, procs: int | None,
                made: list[Index] | None = None) -> tuple[Index, dict[str, float]]:
    """Index *docs* at *location*; an OpenSearch index is made only if absent, then recorded in *made*."""
    from searchkit import Index

    cpu0, t0 = cpu_seconds(), time.perf_counter()
    ix = Index.create(location, overwrite=isinstance(location, Path) or bool(made))
    if made is not None and not made:
        made.append(ix)
    n = ix.add(docs) if procs is None else ix.add(docs, procs=procs)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    size = dir_size(location) if isinstance(location, Path) else ix.info().get("size_bytes", 0)
    return ix, {"articles": float(n), "wall_s": wall, "cpu_s": cpu, "index_bytes": float(size)}


@contextlib.contextmanager
def _dropping(made: list[Index]) -> Iterator[None]:
    """Delete the OpenSearch index a benchmark created (never one that was there before)."""
    try:
        yield
    finally:
        for ix in made:
            ix._store.drop()  # type: ignore[attr-defined]


#: Whoosh StandardAnalyzer's posting pools (MB) searchkit is compared with: Whoosh's default and its faster one.
BASELINE_LIMITMB = (128, 256)


def _whoosh_once(docs: list[dict[str, Any]], path: Path, limitmb: int) -> dict[str, float]:
    from .stores.whoosh.baseline import index_standard

    cpu0, t0 = cpu_seconds(), time.perf_counter()
    index_standard(docs, path, limitmb=limitmb)
    return {"wall_s": time.perf_counter() - t0, "cpu_s": cpu_seconds() - cpu0}


def bench_corpus(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    runs: int = 3,
    queries: int = 250,
    procs: int | None = None,
    index_url: str | None = None,
    baseline: bool = True,
) -> dict[str, Any]:
    """Index the JSONL corpus at *paths* *runs* times and time title queries on each index.

    Indexing uses searchkit defaults (``procs=None``: parallel) from records already in
    memory. Query latency is top-10 without and with snippets, after a warm-up with
    separately drawn queries. Every figure is the median over runs.

    With *index_url* (``http[s]://host:port/name``) the runs go to that OpenSearch index
    instead of a temporary directory: it must not exist yet, and it is deleted at the end.
    CPU time then counts this process and its workers only, not the cluster's.

    With *baseline*, each run also indexes the corpus with Whoosh StandardAnalyzer at ``limitmb=128`` before
    searchkit and at ``limitmb=256`` after it (the order swapped in every other run), and
    ``baseline`` gives the medians of the per-run ratios searchkit wall / Whoosh wall.
    """
    if runs < 1:
        raise ValueError("runs must be >= 1")
    docs = load_jsonl(paths)
    if not docs:
        raise ValueError("no records in corpus")
    size = text_bytes(docs)
    qs = sample_queries(docs, queries)
    warm = sample_queries(docs, min(50, max(queries, 1)), seed=WARMUP_SEED)
    per_run: list[dict[str, float]] = []
    made: list[Index] = []  # the OpenSearch index this run created, deleted at the end
    with tempfile.TemporaryDirectory(prefix="searchkit-bench-") as tmp, _dropping(made):
        for i in range(runs):
            order = BASELINE_LIMITMB if i % 2 == 0 else BASELINE_LIMITMB[::-1]
            before = _whoosh_once(docs, Path(tmp) / f"whoosh{i}a", order[0]) if baseline else {}
            location: Path | str = index_url or Path(tmp) / f"run{i}"
            ix, r = _index_once(docs, location, procs, made if index_url else None)
            if baseline:
                after = _whoosh_once(docs, Path(tmp) / f"whoosh{i}b", order[1])
                for mb, w in ((order[0], before), (order[1], after)):
                    r[f"whoosh{mb}_wall_s"] = w["wall_s"]
                    r[f"x_whoosh{mb}"] = r["wall_s"] / w["wall_s"]
            if qs:
                plain = latency_summary(time_queries(searchkit_query_fn(ix, snippets=False), qs, warmup=warm))
                snip = latency_summary(time_queries(searchkit_query_fn(ix, snippets=True), qs, warmup=warm))
                r.update({f"query_{k}": v for k, v in plain.items() if k.endswith("_ms")})
                r.update({f"snippet_{k}": v for k, v in snip.items() if k.endswith("_ms")})
            per_run.append(r)
            ix.close()
    med = {k: median([r[k] for r in per_run]) for k in per_run[0]}
    rss = peak_rss_mb()
    return {
        "corpus": [str(p) for p in ([paths] if isinstance(paths, (str, os.PathLike)) else paths)],
        "store": f"opensearch {index_url}" if index_url else "embedded",
        "articles": len(docs),
        "text_mb": size / 1e6,
        "runs": runs,
        "procs": procs,
        "queries": len(qs),
        "index": {
            "wall_s": med["wall_s"],
            "cpu_s": med["cpu_s"],
            "articles_per_s": len(docs) / med["wall_s"],
            "mb_per_s": size / 1e6 / med["wall_s"],
            "index_mb": med["index_bytes"] / 1e6,
        },
        "search": {k: v for k, v in med.items() if k.startswith(("query_", "snippet_"))},
        "baseline": {k: v for k, v in med.items() if k.startswith(("whoosh", "x_whoosh"))},
        "peak_rss_mb": rss,
        "per_run": per_run,
    }


def format_bench(result: dict[str, Any]) -> str:
    """Render a :func:`bench_corpus` result as a short Markdown table."""
    ix, s = result["index"], result["search"]
    rows = [
        ("store", result.get("store", "embedded")),
        ("articles", f"{result['articles']:,} ({result['text_mb']:.1f} MB of text)"),
        ("runs (median shown)", str(result["runs"])),
        ("indexing wall", f"{ix['wall_s']:.2f} s"),
        ("indexing CPU (incl. workers)", f"{ix['cpu_s']:.2f} s"),
        ("throughput", f"{ix['articles_per_s']:,.0f} articles/s, {ix['mb_per_s']:.2f} MB/s"),
        ("index size", f"{ix['index_mb']:.1f} MB"),
        (
            "peak RSS (self / largest worker)",
            f"{result['peak_rss_mb']['self_mb']:.0f} / {result['peak_rss_mb']['children_mb']:.0f} MiB",
        ),
    ]
    if s:
        rows += [
            (
                f"top-10 query p50 / p95 ({result['queries']} queries)",
                f"{s['query_p50_ms']:.2f} / {s['query_p95_ms']:.2f} ms",
            ),
            ("with snippets p50 / p95", f"{s['snippet_p50_ms']:.2f} / {s['snippet_p95_ms']:.2f} ms"),
        ]
    for mb in BASELINE_LIMITMB:
        if f"x_whoosh{mb}" in result.get("baseline", {}):
            b = result["baseline"]
            rows.append((f"wall × Whoosh StandardAnalyzer, limitmb={mb}",
                         f"{b[f'x_whoosh{mb}']:.2f} (Whoosh {b[f'whoosh{mb}_wall_s']:.2f} s)"))
    lines = ["| measure | value |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(lines)
