#!/usr/bin/env python
"""Load benchmark of ``searchkit serve``: concurrent clients on loopback.

    python benchmarks/serve_load.py [--clients 32] [--seconds 60] [--workers 1] [--index DIR]

Builds the 9,462-article index (livedoor JA + BBC EN, ``benchmarks/data``) in
a temporary directory unless ``--index`` names one, starts ``searchkit serve``
on a free port, and runs two phases of ``--seconds`` for each kind of request:
reads alone, then reads while an import (``searchkit index --procs 1`` of the
2,095 BBC articles again, by id, so the count stays the same) writes into the
index in a loop. Kinds: ``page``, what the search page asks
(``/search?q=…&limit=10&facet=lang&facet=category&facet=year``), and ``plain``
(``/search?q=…&limit=10``: hits and snippets, no facets). Queries are drawn
from article titles (one or two words). Prints and writes
``benchmarks/results/serve_load.json``: requests/s, p50/p95/p99 latency, errors.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import multiprocessing as mp
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
CORPORA = [HERE / "data" / "livedoor-ja.jsonl.gz", HERE / "data" / "bbc-en.jsonl.gz"]
IMPORT = HERE / "data" / "bbc-en.jsonl.gz"
PROCS = 2  # client processes (the threads of one would share its interpreter lock)


def read(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def queries(articles: list[dict[str, Any]], n: int, seed: int = 7) -> list[str]:
    """One- and two-word queries from titles (the analyzer's words, as typed)."""
    import searchkit

    analyzer = searchkit.Analyzer()
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        title = rng.choice(articles)["title"]
        words = [t.surface for t in analyzer.tokens(title) if len(t.surface) > 1]
        if words:
            k = rng.choice((1, 2)) if len(words) > 1 else 1
            start = rng.randrange(len(words) - k + 1)
            out.append(" ".join(words[start:start + k]))
    return out


KINDS = {"page": [("limit", "10"), ("facet", "lang"), ("facet", "category"), ("facet", "year")],
         "plain": [("limit", "10")]}


def client(port: int, qs: list[str], kind: str, threads: int, until: float, seed: int, out: Any) -> None:
    """One client process: ``threads`` keep-alive connections asking until ``until`` (wall clock)."""
    lock = threading.Lock()
    lat: list[float] = []
    errors: list[str] = []

    def loop(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad: list[str] = []
        while time.time() < until:
            params = [("q", rng.choice(qs)), *KINDS[kind]]
            t0 = time.perf_counter()
            try:
                conn.request("GET", "/search?" + urlencode(params))
                resp = conn.getresponse()
                body = resp.read()
                if resp.status != 200:
                    bad.append(f"{resp.status} {body[:200]!r}")
                else:
                    mine.append(time.perf_counter() - t0)
            except (OSError, http.client.HTTPException) as exc:
                bad.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        with lock:
            lat.extend(mine)
            errors.extend(bad)

    ts = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out.put((lat, errors))


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def phase(port: int, qs: list[str], kind: str, clients: int, seconds: float) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    until = time.time() + 2 + seconds  # the processes start before the clock does
    per = [clients // PROCS + (1 if i < clients % PROCS else 0) for i in range(PROCS)]
    procs = [ctx.Process(target=client, args=(port, qs, kind, n, until, i, out)) for i, n in enumerate(per)]
    for p in procs:
        p.start()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    lat = [x for r in results for x in r[0]]
    errors = [e for r in results for e in r[1]]
    return {"requests": len(lat) + len(errors), "rps": round(len(lat) / seconds, 1),
            "p50_ms": round(percentile(lat, 50) * 1000, 1), "p95_ms": round(percentile(lat, 95) * 1000, 1),
            "p99_ms": round(percentile(lat, 99) * 1000, 1), "max_ms": round(max(lat) * 1000, 1),
            "errors": len(errors), "error_samples": errors[:5]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(port: int, proc: subprocess.Popen[bytes], timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/health")
            resp = conn.getresponse()
            if resp.status == 200:
                return dict(json.loads(resp.read()))
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not answer /health")


def reads_during_import(port: int, qs: list[str], kind: str, clients: int, seconds: float, index_dir: Path,
                        env: dict[str, str]) -> dict[str, Any]:
    """A read phase while ``searchkit index`` writes into the index, again and again."""
    stop = threading.Event()
    imports: list[float] = []

    def importer() -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "searchkit", "index", str(IMPORT), "-i", str(index_dir),
                            "--batch-size", "500", "--procs", "1", "-q"], check=True, env=env,
                           stderr=subprocess.DEVNULL)
            imports.append(time.perf_counter() - t0)

    writer = threading.Thread(target=importer)
    writer.start()
    during = phase(port, qs, kind, clients, seconds)
    stop.set()
    writer.join()
    during["imports"] = len(imports)
    during["import_seconds_mean"] = round(sum(imports) / len(imports), 1) if imports else None
    return during


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=1, help="searchkit serve --workers")
    ap.add_argument("--index", type=Path, help="an index of the two corpora (default: built in a temp dir)")
    ap.add_argument("--kinds", default="page,plain", help="request kinds, comma-separated: page, plain")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "serve_load.json")
    args = ap.parse_args()

    import searchkit

    articles = [a for path in CORPORA for a in read(path)]
    with tempfile.TemporaryDirectory(prefix="searchkit-load-") as tmp:
        index_dir = args.index or Path(tmp) / "ix"
        if args.index is None:
            t0 = time.perf_counter()
            ix = searchkit.Index.create(index_dir)
            ix.add(articles)
            ix.close()
            print(f"indexed {len(articles)} articles in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "SEARCHKIT_WRITE_TOKEN"}
        server = subprocess.Popen([sys.executable, "-m", "searchkit", "serve", "-i", str(index_dir), "--port",
                                   str(port), "--workers", str(args.workers), "--log-level", "warning"], env=env)
        try:
            health = wait_healthy(port, server)
            qs = queries(articles, 2000)
            print(f"serving {health['documents']} articles; {args.clients} clients × {args.seconds:g} s",
                  file=sys.stderr)
            results: dict[str, Any] = {}
            for kind in args.kinds.split(","):
                phase(port, qs, kind, args.clients, 5)  # warm-up: every server thread opens its searcher
                reads = phase(port, qs, kind, args.clients, args.seconds)
                print(f"{kind}, reads alone:", json.dumps(reads), file=sys.stderr)
                during = reads_during_import(port, qs, kind, args.clients, args.seconds, index_dir, env)
                print(f"{kind}, reads during import:", json.dumps(during), file=sys.stderr)
                results[kind] = {"request": "/search?q=…&" + urlencode(KINDS[kind]), "reads": reads,
                                 "reads_during_import": during}
            after = wait_healthy(port, server)
        finally:
            server.terminate()
            server.wait(30)
    result = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
              "python": platform.python_version(), "documents": health["documents"],
              "documents_after": after["documents"], "clients": args.clients, "seconds": args.seconds,
              "workers": args.workers, "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
