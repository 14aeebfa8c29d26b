"""The OpenSearch store beside the embedded one: equivalence, import speed, query latency, a node killed mid-import.

    opensearch/cluster start --nodes 3            # prints the URL
    .venv/bin/python benchmarks/opensearch.py --url http://127.0.0.1:9200 [--one-node-url URL] [--kill-node 3]
    .venv/bin/python benchmarks/opensearch.py --url URL --only-known-item [--known-item-sample 1000 --seed 7]

Every figure comes from one run on one corpus (benchmarks/data: livedoor-ja + bbc-en).
The results are printed as JSON (and written to benchmarks/results/opensearch.json).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from searchkit import Index
from searchkit.errors import SearchkitError

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ("livedoor-ja.jsonl.gz", "bbc-en.jsonl.gz")


def load(corpora: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name in CORPORA:
        with gzip.open(corpora / name, "rt", encoding="utf-8") as f:
            out += [json.loads(line) for line in f if line.strip()]
    return out


def timed_import(ix: Index, articles: list[dict[str, Any]]) -> float:
    t0 = time.perf_counter()
    ix.add(articles)
    return len(articles) / (time.perf_counter() - t0)


def equivalence(a: Index, b: Index, queries: list[tuple[str, str]]) -> dict[str, float]:
    same = 0
    rr_a = rr_b = 0.0
    for doc_id, q in queries:
        ia = [h.id for h in a.search(q, limit=10)]
        ib = [h.id for h in b.search(q, limit=10)]
        same += ia == ib
        rr_a += 1 / (ia.index(doc_id) + 1) if doc_id in ia else 0.0
        rr_b += 1 / (ib.index(doc_id) + 1) if doc_id in ib else 0.0
    n = len(queries)
    return {"queries": n, "identical_top10": same / n, "mrr10_embedded": rr_a / n, "mrr10_opensearch": rr_b / n}


def snippets_equal(a: Index, b: Index, queries: list[str]) -> dict[str, float]:
    both = equal = 0
    for q in queries:
        ha = {h.id: h for h in a.search(q, limit=10)}
        for h in b.search(q, limit=10):
            if h.id in ha:
                both += 1
                equal += h.snippet == ha[h.id].snippet and [(m.start, m.end) for m in h.matches] == [
                    (m.start, m.end) for m in ha[h.id].matches]
    return {"hits_in_both": both, "snippets_equal": equal / max(both, 1)}


def latency(ix: Index, queries: list[str]) -> dict[str, float]:
    times = []
    for q in queries:
        t0 = time.perf_counter()
        for h in ix.search(q, limit=10):
            h.snippet  # noqa: B018  (snippets are part of the cost)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"p50_ms": statistics.median(times), "p95_ms": times[int(0.95 * (len(times) - 1))]}


def jsquad(url: str, tmp: str) -> dict[str, Any]:
    """JSQuAD dev MRR@10 on one embedded and one 3-shard OpenSearch index of its passages."""
    from searchkit.evaluate import evaluate, load_jsonl

    data = ROOT / "benchmarks" / "data"
    out: dict[str, Any] = {}
    for name, location, kw in (("embedded", str(Path(tmp) / "jsquad"), {}),
                               ("opensearch", f"{url.rstrip('/')}/bench-jsquad", {"shards": 3, "replicas": 1})):
        ix = Index.create(location, overwrite=True, **kw)
        ix.add(load_jsonl(data / "jsquad-dev-passages.jsonl.gz"))
        result = evaluate(lambda q, n: [h.id for h in ix.search(q, limit=n)],
                          load_jsonl(data / "jsquad-dev-queries.jsonl.gz"), k=10, depth=10)
        out[f"mrr10_{name}"] = result.mrr
        out["queries"] = result.n
        ix.close()
    return out


def known_item(url: str, tmp: str, articles: list[dict[str, Any]], sample: int | None,
               seed: int) -> dict[str, Any]:
    """Known-item search with the titles blanked in the index (as benchmarks/quality.py does): each title
    is a query for its own article. Every title by default; ``sample`` draws that many per language."""
    blanked = [{k: v for k, v in a.items() if k != "title"} for a in articles]
    titled = [a for a in articles if a.get("title")]
    by_lang: dict[str, list[dict[str, Any]]] = {}
    for a in titled:
        by_lang.setdefault("ja" if a.get("lang", "ja") == "ja" else "en", []).append(a)
    if sample:
        rng = random.Random(seed)
        by_lang = {lang: rng.sample(docs, min(sample, len(docs))) for lang, docs in sorted(by_lang.items())}
    embedded = Index.create(Path(tmp) / "known-item")
    embedded.add(blanked)
    cluster = Index.create(f"{url.rstrip('/')}/bench-known-item", shards=3, replicas=1, overwrite=True)
    cluster.add(blanked)
    out: dict[str, Any] = {"sample_per_language": sample, "seed": seed if sample else None}
    for lang, docs in sorted(by_lang.items()):
        queries = [(a["id"], a["title"]) for a in docs]
        r = equivalence(embedded, cluster, queries)
        r["mrr10_difference"] = r["mrr10_opensearch"] - r["mrr10_embedded"]
        out[lang] = r
    embedded.close()
    cluster.close()
    return out


def kill_during_import(url: str, articles: list[dict[str, Any]], node: int, data: str | None) -> dict[str, Any]:
    """Import with replicas=1; SIGKILL ``node`` a third of the way in; 4 threads search meanwhile."""
    ix = Index.create(url, shards=3, replicas=1, overwrite=True)
    outcome: dict[str, Any] = {"searches": 0, "search_errors": 0, "search_crashes": 0}
    stop = threading.Event()

    def searcher() -> None:
        reader = Index.open(url)
        words = ["東京", "market", "映画", "government", "携帯"]
        i = 0
        while not stop.is_set():
            try:
                list(reader.search(words[i % len(words)], limit=10))
                outcome["searches"] += 1
            except SearchkitError:
                outcome["search_errors"] += 1
            except Exception:  # noqa: BLE001 (a crash is what is counted here)
                outcome["search_crashes"] += 1
            i += 1

    threads = [threading.Thread(target=searcher) for _ in range(4)]
    for t in threads:
        t.start()
    third = len(articles) // 3
    cluster = [sys.executable, str(ROOT / "opensearch" / "cluster")] + (["--data", data] if data else [])
    t0 = time.perf_counter()
    try:
        ix.add(articles[:third])
        subprocess.run(cluster + ["kill", str(node)], check=True, capture_output=True)
        outcome["killed_after"] = third
        try:
            ix.add(articles[third:])
            outcome["import"] = "completed"
        except SearchkitError as exc:
            outcome["import"] = f"failed clearly: {exc}"
            ix.add(articles[third:])
            outcome["import"] += "; completed on re-run"
    finally:
        stop.set()
        for t in threads:
            t.join()
    outcome["import_s"] = time.perf_counter() - t0
    ids = {a["id"] for a in articles}
    outcome["count"] = len(ix)
    outcome["distinct_ids"] = len(ids)
    outcome["every_article_once"] = len(ix) == len(ids) and all(ix.get(i) is not None for i in random.sample(
        sorted(ids), 200))
    t1 = time.perf_counter()
    subprocess.run(cluster + ["restart", str(node)], check=True, capture_output=True)
    outcome["restart_s"] = time.perf_counter() - t1
    ix.close()
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="base URL of a 3-node cluster")
    parser.add_argument("--one-node-url", help="base URL of a 1-node cluster (import speed)")
    parser.add_argument("--corpora", default=str(ROOT / "benchmarks" / "data"))
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--kill-node", type=int, help="SIGKILL this node mid-import (3-node cluster)")
    parser.add_argument("--cluster-data", help="the cluster's --data, for kill/restart")
    parser.add_argument("--only-jsquad", action="store_true", help="run the JSQuAD comparison only")
    parser.add_argument("--only-known-item", action="store_true", help="run the known-item comparison only")
    parser.add_argument("--known-item-sample", type=int, help="titles per language (default: every title)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the samples")
    a = parser.parse_args()
    if a.only_jsquad:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps({"jsquad": jsquad(a.url, tmp)}, indent=2))
        return
    articles = load(Path(a.corpora))
    if a.only_known_item:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps({"known_item": known_item(a.url, tmp, articles, a.known_item_sample, a.seed)},
                             indent=2))
        return
    rng = random.Random(a.seed)
    sample = rng.sample([x for x in articles if x.get("title")], a.queries)
    title_queries = [(x["id"], x["title"]) for x in sample]
    result: dict[str, Any] = {"articles": len(articles)}
    with tempfile.TemporaryDirectory() as tmp:
        embedded = Index.create(Path(tmp) / "ix")
        result["import_embedded_per_s"] = timed_import(embedded, articles)
        cluster = Index.create(f"{a.url.rstrip('/')}/bench-equivalence", shards=3, replicas=1, overwrite=True)
        result["import_3_nodes_per_s"] = timed_import(cluster, articles)
        if a.one_node_url:
            one = Index.create(f"{a.one_node_url.rstrip('/')}/bench-one", shards=1, replicas=0, overwrite=True)
            result["import_1_node_per_s"] = timed_import(one, articles)
            one.close()
        result["title_queries"] = equivalence(embedded, cluster, title_queries)
        words = [q for _, q in title_queries[:200]]
        result["snippets"] = snippets_equal(embedded, cluster, words)
        result["latency_embedded"] = latency(embedded, words)
        result["latency_opensearch"] = latency(cluster, words)
        embedded.close()
        cluster.close()
        result["jsquad"] = jsquad(a.url, tmp)
        result["known_item"] = known_item(a.url, tmp, articles, a.known_item_sample, a.seed)
    if a.kill_node:
        result["kill_during_import"] = kill_during_import(f"{a.url.rstrip('/')}/bench-faults", articles,
                                                          a.kill_node, a.cluster_data)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "opensearch.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
