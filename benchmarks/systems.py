"""Systems compared by ``benchmarks/speed.py``, and the child process that measures one.

Each measurement runs in a fresh interpreter so that CPU time (self + children) and
peak memory belong to one system only::

    python benchmarks/systems.py SYSTEM --result OUT.json [--scale 1] [--workdir DIR]
        [--queries QUERIES.json] [--phase-file FILE] [--limit N]

The corpus is read into memory before the clock starts: indexing time is the time to
index records already decoded (the I/O floor measures reading and decoding alone).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
CORPUS = [DATA / "livedoor-ja.jsonl.gz", DATA / "bbc-en.jsonl.gz"]
PASSAGES = DATA / "jsquad-dev-passages.jsonl.gz"
QUESTIONS = DATA / "jsquad-dev-queries.jsonl.gz"

try:  # an installed searchkit wins; a fresh clone uses its own src/
    import searchkit  # noqa: F401
except ImportError:
    sys.path.insert(0, str(ROOT / "src"))

from whoosh.analysis import Token, Tokenizer  # noqa: E402

from searchkit.bench import (  # noqa: E402
    cpu_seconds,
    dir_size,
    latency_summary,
    load_jsonl,
    peak_rss_mb,
    searchkit_query_fn,
    text_bytes,
    time_queries,
)

Doc = dict[str, Any]
QueryFn = Callable[[str], int]


# ----------------------------------------------------------------------------- corpus


def corpus(scale: float = 1.0, limit: int | None = None) -> list[Doc]:
    """The mixed corpus at *scale*.

    Below 1 (or with *limit*) a deterministic random subset is kept in file order; an
    integer scale above 1 appends copies whose ids get a ``#k`` suffix.
    """
    docs = load_jsonl(CORPUS)
    if limit is not None or scale < 1:
        n = limit if limit is not None else round(len(docs) * scale)
        order = list(range(len(docs)))
        random.Random(13).shuffle(order)
        return [docs[i] for i in sorted(order[:n])]
    k = int(scale)
    if k != scale:
        raise ValueError("scales above 1 must be whole numbers")
    out = list(docs)
    for c in range(1, k):
        out.extend({**d, "id": f"{d['id']}#{c}"} for d in docs)
    return out


# ------------------------------------------------------------------------------ peers


class System:
    """One indexing system: :meth:`index` builds an index at *path* from records."""

    name = ""
    label = ""
    reads_files = False  # True: measures reading the corpus itself (I/O floor)
    queried = False  # True: query latency is measured too

    def index(self, docs: list[Doc], path: Path) -> Any:
        raise NotImplementedError

    def query_fn(self, handle: Any, *, snippets: bool) -> QueryFn | None:
        """Top-10 two-word query runner (hits returned), or None when not applicable."""
        return None

    def question_fn(self, handle: Any) -> QueryFn | None:
        """Top-10 natural-language question runner, or None when not applicable."""
        return None

    def close(self, handle: Any) -> None:
        pass


class Searchkit(System):
    def __init__(self, procs: int | None) -> None:
        self.procs = procs
        self.queried = True
        self.name = "searchkit" if procs is None else f"searchkit-procs{procs}"
        self.label = "searchkit (default, parallel)" if procs is None else f"searchkit procs={procs}"

    def index(self, docs: list[Doc], path: Path) -> Any:
        import searchkit

        ix = searchkit.Index.create(path, overwrite=True)
        if self.procs is None:
            ix.add(docs)
        else:
            ix.add(docs, procs=self.procs)
        return ix

    def query_fn(self, handle: Any, *, snippets: bool) -> QueryFn:
        return searchkit_query_fn(handle, snippets=snippets)

    def question_fn(self, handle: Any) -> QueryFn:
        return searchkit_query_fn(handle, snippets=False)

    def close(self, handle: Any) -> None:
        handle.close()


def _fugashi_tagger() -> Any:
    import fugashi

    return fugashi.Tagger()


class MorphTokenizer(Tokenizer):
    """Whoosh tokenizer over a morphological analyser: each morpheme's surface, plus its
    dictionary form (at the same position) when that differs."""

    def __init__(self) -> None:
        self._tagger: Any = None

    def __getstate__(self) -> dict[str, Any]:  # the schema is pickled into the index
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._tagger = None

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def morphs(self, text: str) -> Iterator[tuple[str, str | None, int]]:
        """(surface, lemma, start offset) for each morpheme."""
        raise NotImplementedError

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,  # noqa: ANN001
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):  # noqa: ANN001, ANN003, ANN204
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        pos = start_pos
        for surface, lemma, start in self.morphs(value):
            for text in (surface, lemma) if lemma and lemma != surface else (surface,):
                t.text = text
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = surface
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar = start_char + start
                    t.endchar = start_char + start + len(surface)
                yield t
            pos += 1


class FugashiTokenizer(MorphTokenizer):
    """A plain fugashi tokenizer: ``node.surface`` tokens with ``node.feature.lemma`` lookups."""

    def morphs(self, text: str) -> Iterator[tuple[str, str | None, int]]:
        if self._tagger is None:
            self._tagger = _fugashi_tagger()
        cursor = 0
        for node in self._tagger(text):
            start = cursor + len(node.white_space)
            surface = node.surface
            cursor = start + len(surface)
            yield surface, node.feature.lemma, start


class JanomeTokenizer(MorphTokenizer):
    """A plain janome tokenizer: surface tokens plus ``base_form``."""

    def morphs(self, text: str) -> Iterator[tuple[str, str | None, int]]:
        if self._tagger is None:
            from janome.tokenizer import Tokenizer as JTokenizer

            self._tagger = JTokenizer()
        cursor = 0
        for tok in self._tagger.tokenize(text):
            surface = tok.surface
            start = cursor
            cursor += len(surface)
            if surface.strip():
                base_form = tok.base_form
                yield surface, None if base_form == "*" else base_form, start


class Whoosh(System):
    """Whoosh, one process, same fields: id ID unique stored, title/body TEXT, body stored."""

    def __init__(self, name: str, label: str, analyzer: Callable[[], Any], *, queried: bool = False,
                 limitmb: int = 128) -> None:
        self.name, self.label, self.analyzer, self.queried = name, label, analyzer, queried
        self.limitmb = limitmb  # Whoosh's default writer pool is 128 MB; 256 MB spills less and is faster

    def _schema(self) -> Any:
        from whoosh.fields import ID, TEXT, Schema

        a = self.analyzer()
        return Schema(id=ID(unique=True, stored=True), title=TEXT(analyzer=a), body=TEXT(analyzer=a, stored=True))

    def index(self, docs: list[Doc], path: Path) -> Any:
        from whoosh import index as windex

        path.mkdir(parents=True, exist_ok=True)
        ix = windex.create_in(str(path), self._schema())
        w = ix.writer(limitmb=self.limitmb)
        for d in docs:
            w.add_document(id=str(d["id"]), title=d.get("title") or "", body=d.get("body") or "")
        w.commit()
        return ix

    def _runner(self, ix: Any, group: Any) -> QueryFn:
        from whoosh.qparser import MultifieldParser

        searcher = ix.searcher()
        parser = MultifieldParser(["title", "body"], ix.schema, group=group)

        def run(q: str) -> int:
            return len([hit["id"] for hit in searcher.search(parser.parse(q), limit=10)])

        return run

    def query_fn(self, handle: Any, *, snippets: bool) -> QueryFn | None:
        from whoosh.qparser import AndGroup

        return None if snippets else self._runner(handle, AndGroup)

    def question_fn(self, handle: Any) -> QueryFn:
        from whoosh.qparser import OrGroup

        return self._runner(handle, OrGroup)


def whoosh_standard() -> Any:
    from whoosh.analysis import StandardAnalyzer

    return StandardAnalyzer()


def whoosh_fugashi() -> Any:
    from whoosh.analysis import LowercaseFilter

    return FugashiTokenizer() | LowercaseFilter()


def whoosh_janome() -> Any:
    from whoosh.analysis import LowercaseFilter

    return JanomeTokenizer() | LowercaseFilter()


_WORD_RUNS = re.compile(r"\w+")


def fts5_quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts5_terms_query(q: str) -> str:
    """Whitespace-separated terms, each quoted, implicitly ANDed."""
    return " ".join(fts5_quote(t) for t in q.split())


def fts5_question_query(q: str) -> str:
    """A question as the OR of its distinct character trigrams (word runs only)."""
    grams: dict[str, None] = {}
    for run in _WORD_RUNS.findall(q):
        for i in range(len(run) - 2):
            grams.setdefault(run[i : i + 3].lower(), None)
    return " OR ".join(fts5_quote(g) for g in grams) or fts5_quote(q)


class Fts5Trigram(System):
    """SQLite FTS5 with the trigram tokenizer (id unindexed; title, body indexed and stored)."""

    name = "fts5-trigram"
    label = "SQLite FTS5 trigram"
    queried = True

    def index(self, docs: list[Doc], path: Path) -> Any:
        path.mkdir(parents=True, exist_ok=True)
        db = path / "fts.db"
        con = sqlite3.connect(db, check_same_thread=False)
        con.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, tokenize='trigram')")
        with con:
            con.executemany(
                "INSERT INTO docs(id, title, body) VALUES (?, ?, ?)",
                ((str(d["id"]), d.get("title") or "", d.get("body") or "") for d in docs),
            )
        return con

    def query_fn(self, handle: Any, *, snippets: bool) -> QueryFn:
        sql = (
            "SELECT id, snippet(docs, 2, '<b>', '</b>', '…', 16) FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10"
            if snippets
            else "SELECT id FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10"
        )

        def run(q: str) -> int:
            return len(handle.execute(sql, (fts5_terms_query(q),)).fetchall())

        return run

    def question_fn(self, handle: Any) -> QueryFn:
        sql = "SELECT id FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10"

        def run(q: str) -> int:
            return len(handle.execute(sql, (fts5_question_query(q),)).fetchall())

        return run

    def close(self, handle: Any) -> None:
        handle.close()


class FugashiFloor(System):
    """Tokenization floor: fugashi surfaces of every title and body, nothing stored."""

    name = "floor-fugashi"
    label = "floor: fugashi surfaces only"

    def index(self, docs: list[Doc], path: Path) -> Any:
        tagger = _fugashi_tagger()
        n = 0
        for d in docs:
            n += len([w.surface for w in tagger(d.get("title") or "")])
            n += len([w.surface for w in tagger(d.get("body") or "")])
        return n


class IoFloor(System):
    """I/O floor: read the gzipped JSONL files and decode every record."""

    name = "floor-io"
    label = "floor: read + JSON decode"
    reads_files = True

    def index(self, docs: list[Doc], path: Path) -> Any:
        return len(load_jsonl(CORPUS))


SYSTEMS: dict[str, System] = {
    s.name: s
    for s in [
        Searchkit(None),
        Searchkit(1),
        Whoosh("whoosh-std", "Whoosh StandardAnalyzer", whoosh_standard, queried=True),
        Whoosh("whoosh-std-256", "Whoosh StandardAnalyzer, limitmb=256", whoosh_standard, limitmb=256),
        Whoosh("whoosh-fugashi", "fugashi → Whoosh", whoosh_fugashi),
        Whoosh("whoosh-janome", "janome → Whoosh", whoosh_janome),
        Fts5Trigram(),
        FugashiFloor(),
        IoFloor(),
    ]
}


# ------------------------------------------------------------------------ measurement


def _rss_now_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _latencies(fn: QueryFn, queries: list[str], warmup: list[str]) -> dict[str, Any]:
    """Latency summary of *queries*; a query that raises is counted and left out of the timings."""
    errors: dict[str, str] = {}

    def guarded(q: str) -> int:
        try:
            return fn(q)
        except Exception as exc:  # noqa: BLE001  (a benchmark reports failures, it does not stop)
            errors.setdefault(q, f"{type(exc).__name__}: {exc}")
            return -1

    times = time_queries(guarded, queries, warmup=warmup)
    ok = [t for q, t in zip(queries, times, strict=True) if q not in errors]
    summary: dict[str, Any] = latency_summary(ok) if ok else {"n": 0}
    summary["hit_rate"] = sum(1 for q in queries if q not in errors and guarded(q) > 0) / len(queries)
    summary["errors"] = sum(1 for q in queries if q in errors)
    summary["error_examples"] = [{"query": q, "error": e} for q, e in list(errors.items())[:5]]
    return summary


def measure(
    system: System,
    *,
    scale: float,
    workdir: Path,
    queries: dict[str, list[str]] | None,
    phase_file: Path | None,
    limit: int | None,
) -> dict[str, Any]:
    """Index (timed) and query one system; everything in this process and its children."""
    docs: list[Doc] = [] if system.reads_files else corpus(scale, limit)
    articles = len(docs) if docs else 9462
    size = text_bytes(docs) if docs else text_bytes(load_jsonl(CORPUS))
    path = workdir / f"{system.name}-x{scale:g}"
    shutil.rmtree(path, ignore_errors=True)
    gc.collect()
    base_rss = _rss_now_mb()
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    handle = system.index(docs, path)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    rss = peak_rss_mb()
    if phase_file is not None:
        phase_file.touch()
    out: dict[str, Any] = {
        "system": system.name,
        "label": system.label,
        "scale": scale,
        "articles": articles,
        "text_bytes": size,
        "wall_s": wall,
        "cpu_s": cpu,
        "rss_before_index_mb": base_rss,
        "peak_self_mb": rss["self_mb"],
        "maxrss_children_mb": rss["children_mb"],
        "index_bytes": dir_size(path) if path.exists() else 0,
    }
    if queries and system.queried:
        for key, snippets in (("query", False), ("snippet", True)):
            fn = system.query_fn(handle, snippets=snippets)
            if fn is not None and queries.get("title"):
                out[key] = _latencies(fn, queries["title"], queries.get("warmup", []))
    system.close(handle)
    if queries and system.queried and queries.get("questions"):
        passages = load_jsonl(PASSAGES)
        qpath = workdir / f"{system.name}-jsquad"
        shutil.rmtree(qpath, ignore_errors=True)
        qh = system.index(passages, qpath)
        fn = system.question_fn(qh)
        assert fn is not None
        out["question"] = _latencies(fn, queries["questions"], queries.get("question_warmup", []))
        system.close(qh)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("system", choices=sorted(SYSTEMS))
    ap.add_argument("--result", type=Path, required=True, help="write the JSON result here")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--limit", type=int, default=None, help="index a deterministic slice of N articles")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/searchkit-speed"))
    ap.add_argument("--queries", type=Path, default=None, help="JSON: title, warmup, questions, question_warmup")
    ap.add_argument("--phase-file", type=Path, default=None, help="touched when indexing ends")
    args = ap.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    queries = json.loads(args.queries.read_text(encoding="utf-8")) if args.queries else None
    res = measure(
        SYSTEMS[args.system],
        scale=args.scale,
        workdir=args.workdir,
        queries=queries,
        phase_file=args.phase_file,
        limit=args.limit,
    )
    args.result.write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
