"""Cross-script name search: does "Toshiba" find 東芝 and 東芝 find "Toshiba"?

Usage::

    python benchmarks/names.py                 # evaluate: readings off, then on
    python benchmarks/names.py --sample 1500   # index the relevant articles + 1,500 others
    python benchmarks/names.py --simulate      # also a reference run (see below)
    python benchmarks/names.py --build         # rewrite data/names-judged.jsonl
    python benchmarks/names.py --json out.json

The corpus is livedoor (JA, 7,367 articles) + BBC (EN, 2,095 articles), as in
``quality.py``, indexed with title and body. The judged queries are in
``data/names-judged.jsonl`` (one JSON object per line: ``qid``, ``query``,
``name``, ``script``, ``relevant``, ``relevant_ja``, ``relevant_en``, ``note``).

How the judged set was built (``--build`` repeats it exactly):

* Candidate names were Japanese names that occur in both corpora: capitalized
  words of the BBC articles whose romaji key equals the reading key of a
  proper noun in livedoor, then kept by hand when the two refer to the same
  name (companies, people, places). Names with more than 150 relevant
  articles (Tokyo, Osaka, Sony, Japan) were left out: ten hits cannot tell
  a system that finds them from one that does not.
* Relevance is mechanical: an article is relevant to a name when its title or
  body contains the name in either script: the Latin spelling as a
  case-sensitive whole word (``\\bToshiba\\b``; "TOSHIBA" does not count),
  or, in livedoor, any of the listed Japanese spellings (regular
  expressions). The same name's queries (Latin, Japanese, kana) share one
  relevant set.
* Manual exclusions, all listed in :data:`NAMES`:

  - 京都 inside 東京都 (Tokyo Metropolis) is not Kyoto: ``(?<!東)京都``;
  - 日経 followed by っ/ち/た/て/つ is 日 + 経つ ("days pass": 数日経って),
    not Nikkei;
  - 本田 and ホンダ are both Honda; 宮崎 and 宮﨑 both Miyazaki;
  - "Wada" in BBC is always the World Anti-Doping Agency, a different name
    from 和田 (a family name): those two BBC articles are excluded, "Wada"
    in livedoor does not count, and only the kanji query is asked. It is a
    precision probe: reading keys match the two BBC articles (``wada``)
    although they are not relevant.

* Query forms: for every name, the Latin spelling and the usual Japanese
  spelling; for four names, a hiragana spelling (きょうと…), which only a
  reading-aware system can match across scripts.
* 任天堂 / Nintendo is in the set as a known hard case: UniDic splits 任天堂
  into two common nouns (任天 + 堂), so no reading key comes from it and the
  feature is not expected to help; an alias table would.

Metrics (k = 10, depth = 100), averaged over queries:

* ``P@10``: relevant hits in the top 10, divided by 10;
* ``R@10``: relevant hits in the top 10, divided by the number relevant;
* ``R@100``: the same within the top 100;
* ``xR@100``: recall at 100 over the relevant articles in the *other* script
  only (BBC articles for a Japanese or kana query, livedoor articles for a
  Latin query): the part the feature exists for.

Systems: searchkit through its public API (``Index.create``, ``ix.add``,
``ix.search(q, limit=..., cross_script=False|True)``): one index, queried with
the cross-script matching off and on. ``--simulate`` adds a reference run:
the "off" ranking, then the
articles whose reading keys (:func:`searchkit.analysis.names.reading_keys`)
contain every key of the query, interleaved one for one after the first
three hits. It shows what reading keys can reach; it is not the feature.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")
SRC = os.path.join(ROOT, "src")
if os.path.isdir(os.path.join(SRC, "searchkit")):  # benchmark the checkout, not an install
    sys.path.insert(0, SRC)

from searchkit.evaluate import load_jsonl

JUDGED = os.path.join(DATA, "names-judged.jsonl")
JA_FILE = os.path.join(DATA, "livedoor-ja.jsonl.gz")
EN_FILE = os.path.join(DATA, "bbc-en.jsonl.gz")
K, DEPTH = 10, 100
SEED = 13

SearchFn = Callable[[str, int], list[str]]

#: One entry per name: the Latin spelling (also the BBC pattern, as a whole
#: word), the livedoor patterns (regular expressions), the Japanese query,
#: an optional kana query, BBC ids excluded by hand, which queries to ask, and a note.
NAMES: list[dict[str, Any]] = [
    {"name": "Toshiba", "ja": ["東芝"], "ja_query": "東芝", "kana": "とうしば"},
    {"name": "Toyota", "ja": ["トヨタ"], "ja_query": "トヨタ"},
    {"name": "Honda", "ja": ["本田", "ホンダ"], "ja_query": "本田",
     "note": "本田 (mostly 本田圭佑) and ホンダ (the company) are both Honda"},
    {"name": "Nissan", "ja": ["日産"], "ja_query": "日産"},
    {"name": "Mitsubishi", "ja": ["三菱"], "ja_query": "三菱"},
    {"name": "Nikkei", "ja": [r"日経(?![っちたてつ])"], "ja_query": "日経",
     "note": "日経 followed by っ/ち/た/て/つ is 日 + 経つ (days pass), excluded"},
    {"name": "Sega", "ja": ["セガ"], "ja_query": "セガ"},
    {"name": "Sumitomo", "ja": ["住友"], "ja_query": "住友"},
    {"name": "Matsushita", "ja": ["松下"], "ja_query": "松下"},
    {"name": "Kyoto", "ja": [r"(?<!東)京都"], "ja_query": "京都", "kana": "きょうと",
     "note": "京都 inside 東京都 is Tokyo Metropolis, excluded"},
    {"name": "Nomura", "ja": ["野村"], "ja_query": "野村", "kana": "のむら"},
    {"name": "Miyazaki", "ja": ["宮崎", "宮﨑"], "ja_query": "宮崎", "kana": "みやざき"},
    {"name": "Takenaka", "ja": ["竹中"], "ja_query": "竹中"},
    {"name": "Yamaha", "ja": ["ヤマハ"], "ja_query": "ヤマハ"},
    {"name": "Sugiyama", "ja": ["杉山"], "ja_query": "杉山"},
    {"name": "Nintendo", "ja": ["任天堂"], "ja_query": "任天堂",
     "note": "hard case: UniDic splits 任天堂 into common nouns 任天 + 堂, so it has no reading key"},
    {"name": "Wada", "ja": ["和田"], "ja_query": "和田", "forms": ("ja",),
     "en_exclude": ["bbc-sport-kuznetsova-failed-a-drugs-test", "bbc-sport-wada-will-appeal-against-ruling"],
     "latin_in_ja": False,
     "note": "precision probe: BBC's 'Wada' is the World Anti-Doping Agency, excluded; "
             "only the kanji query is asked"},
]


# -- judged set ---------------------------------------------------------------------


def _script(query: str) -> str:
    if re.fullmatch(r"[\u3041-\u309f]+", query):
        return "kana"
    if re.fullmatch(r"[\u30a1-\u30ff]+", query):
        return "katakana"
    if re.search(r"[\u3400-\u9fff]", query):
        return "kanji"
    return "latin"


def build_judged(ja_docs: Sequence[Mapping[str, Any]], en_docs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The judged queries of :data:`NAMES`, relevance decided as the module docstring says."""
    ja_text = [(d["id"], f"{d.get('title', '')}\n{d.get('body', '')}") for d in ja_docs]
    en_text = [(d["id"], f"{d.get('title', '')}\n{d.get('body', '')}") for d in en_docs]
    out: list[dict[str, Any]] = []
    for spec in NAMES:
        name = spec["name"]
        en_re = re.compile(rf"\b{re.escape(name)}\b")
        ja_res = [re.compile(p) for p in spec["ja"]]
        excluded = set(spec.get("en_exclude", ()))
        en_rel = sorted(i for i, t in en_text if i not in excluded and en_re.search(t))
        if spec.get("latin_in_ja", True):  # livedoor articles sometimes write the name in Latin
            ja_res.append(en_re)
        ja_rel = sorted(i for i, t in ja_text if any(r.search(t) for r in ja_res))
        relevant = ja_rel + en_rel
        forms = spec.get("forms", ("latin", "ja", "kana"))
        queries = []
        if "latin" in forms:
            queries.append(("latin", name))
        if "ja" in forms:
            queries.append(("ja", spec["ja_query"]))
        if "kana" in forms and spec.get("kana"):
            queries.append(("kana", spec["kana"]))
        for form, text in queries:
            out.append({
                "qid": f"{name.lower()}-{form}",
                "query": text,
                "name": name,
                "script": _script(text),
                "relevant": relevant,
                "relevant_ja": len(ja_rel),
                "relevant_en": len(en_rel),
                "note": spec.get("note", ""),
            })
    return out


def load_corpus() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    ja = [dict(d, lang="ja") for d in load_jsonl(JA_FILE)]
    en = [dict(d, lang="en") for d in load_jsonl(EN_FILE)]
    return ja, en


def load_judged(path: str = JUDGED) -> list[dict[str, Any]]:
    return list(load_jsonl(path))


# -- metrics ------------------------------------------------------------------------


def _distinct(ranking: Iterable[str], depth: int) -> list[str]:
    seen: set[str] = set()
    out = []
    for doc_id in ranking:
        if doc_id not in seen:
            seen.add(doc_id)
            out.append(doc_id)
            if len(out) == depth:
                break
    return out


def evaluate(search: SearchFn, judged: Sequence[Mapping[str, Any]], *, k: int = K,
             depth: int = DEPTH) -> dict[str, Any]:
    """Run ``search(query, depth)`` for every judged query; P@k, R@k, R@depth, xR@depth.

    Returns ``{"mean": {...}, "by_script": {script: {...}}, "per_query": [...]}``.
    A query whose search raises scores 0 and has its error recorded.
    """
    rows = []
    for q in judged:
        relevant = set(q["relevant"])
        other = {i for i in relevant if i.startswith("bbc-")} if q["script"] != "latin" else \
                {i for i in relevant if not i.startswith("bbc-")}
        error = None
        t0 = time.perf_counter()
        try:
            ranking = _distinct(search(q["query"], depth), depth)
        except Exception as exc:  # noqa: BLE001 - a failing query is a scored miss
            ranking, error = [], f"{type(exc).__name__}: {exc}"
        ms = (time.perf_counter() - t0) * 1000
        top_k = set(ranking[:k])
        top = set(ranking)
        rows.append({
            "qid": q["qid"], "query": q["query"], "script": q["script"],
            "p_at_k": len(relevant & top_k) / k,
            "r_at_k": len(relevant & top_k) / len(relevant),
            "r_at_depth": len(relevant & top) / len(relevant),
            "xr_at_depth": len(other & top) / len(other) if other else None,
            "other_found": len(other & top), "other": len(other),
            "false_in_top_k": sorted(top_k - relevant)[:3],
            "ms": ms, "error": error,
        })

    def mean(sel: list[dict[str, Any]]) -> dict[str, Any]:
        def avg(key: str) -> float | None:
            vals = [r[key] for r in sel if r[key] is not None]
            return sum(vals) / len(vals) if vals else None
        return {"n": len(sel), "P@10": avg("p_at_k"), "R@10": avg("r_at_k"),
                "R@100": avg("r_at_depth"), "xR@100": avg("xr_at_depth"),
                "errors": sum(r["error"] is not None for r in sel)}

    by_script: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_script[r["script"]].append(r)
    return {"mean": mean(rows), "by_script": {s: mean(v) for s, v in sorted(by_script.items())},
            "per_query": rows}


# -- systems ------------------------------------------------------------------------


def build_index(path: str, docs: Sequence[Mapping[str, Any]]) -> Any:
    """A searchkit index of ``docs`` with the library defaults, through the public API."""
    import searchkit

    ix = searchkit.Index.create(path, overwrite=True)
    ix.add(docs)
    return ix


def searchkit_fn(ix: Any, cross_script: bool) -> SearchFn:
    def search(query: str, depth: int) -> list[str]:
        return [hit.id for hit in ix.search(query, limit=depth, cross_script=cross_script)]
    return search


def simulated_fn(base: SearchFn, docs: Sequence[Mapping[str, Any]]) -> SearchFn:
    """Reference only: ``base`` ranking interleaved with reading-key matches (see docstring)."""
    from searchkit.analysis.names import reading_keys

    postings: dict[str, Counter[str]] = defaultdict(Counter)
    for d in docs:
        for key, _, _ in reading_keys(d.get("title", "")):
            postings[key][d["id"]] += 2
        for key, _, _ in reading_keys(d.get("body", "")):
            postings[key][d["id"]] += 1

    def search(query: str, depth: int) -> list[str]:
        keys = [k for k, _, _ in reading_keys(query, query=True)]
        base_ids = base(query, depth)
        if not keys:
            return base_ids
        common = set(postings.get(keys[0], ()))
        for key in keys[1:]:
            common &= set(postings.get(key, ()))
        extra = sorted(common, key=lambda i: (-sum(postings[k][i] for k in keys), i))
        merged, seen = [], set()
        head, tail = base_ids[:3], base_ids[3:]
        for doc_id in head:
            seen.add(doc_id)
            merged.append(doc_id)
        a, b = iter(tail), iter(extra)
        for pair in zip(a, b):
            for doc_id in pair:
                if doc_id not in seen:
                    seen.add(doc_id)
                    merged.append(doc_id)
        for doc_id in list(a) + list(b):
            if doc_id not in seen:
                seen.add(doc_id)
                merged.append(doc_id)
        return merged[:depth]

    return search


# -- report -------------------------------------------------------------------------


def _fmt(v: float | None) -> str:
    return "   -  " if v is None else f"{v:6.3f}"


def print_report(name: str, result: dict[str, Any], *, verbose: bool) -> None:
    print(f"\n== {name}")
    print(f"{'':12} {'n':>3} {'P@10':>6} {'R@10':>6} {'R@100':>6} {'xR@100':>6}")
    rows = [("all", result["mean"])] + list(result["by_script"].items())
    for label, m in rows:
        print(f"{label:12} {m['n']:3d} {_fmt(m['P@10'])} {_fmt(m['R@10'])} {_fmt(m['R@100'])} {_fmt(m['xR@100'])}"
              + (f"  errors={m['errors']}" if m["errors"] else ""))
    if verbose:
        for r in result["per_query"]:
            print(f"  {r['qid']:22} {r['query']:12} P@10={r['p_at_k']:.1f} R@10={r['r_at_k']:.3f} "
                  f"other-script found {r['other_found']}/{r['other']}" + (f"  {r['error']}" if r["error"] else ""))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", action="store_true", help=f"rewrite {os.path.relpath(JUDGED, ROOT)} and exit")
    ap.add_argument("--judged", default=JUDGED, help="judged queries (JSON Lines)")
    ap.add_argument("--sample", type=int, default=None,
                    help="index only the relevant articles plus this many others (seeded); default: all")
    ap.add_argument("--simulate", action="store_true", help="add the reading-key reference run")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("-v", "--verbose", action="store_true", help="per-query lines")
    args = ap.parse_args(argv)

    ja, en = load_corpus()
    if args.build:
        judged = build_judged(ja, en)
        with open(args.judged, "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(q, ensure_ascii=False) + "\n" for q in judged)
        names = len({q["name"] for q in judged})
        print(f"wrote {len(judged)} queries over {names} names to {args.judged}")
        return 0

    judged = load_judged(args.judged)
    docs = ja + en
    known = {d["id"] for d in docs}
    missing = {i for q in judged for i in q["relevant"]} - known
    if missing:
        print(f"{len(missing)} judged ids are not in the corpus (e.g. {sorted(missing)[:3]}); rebuild with --build",
              file=sys.stderr)
        return 2
    if args.sample is not None:
        relevant = {i for q in judged for i in q["relevant"]}
        others = sorted(known - relevant)
        keep = relevant | set(random.Random(SEED).sample(others, min(args.sample, len(others))))
        docs = [d for d in docs if d["id"] in keep]
    print(f"{len(judged)} queries, {len(docs)} articles indexed")

    results: dict[str, Any] = {"queries": len(judged), "documents": len(docs)}
    with tempfile.TemporaryDirectory(prefix="searchkit-names-") as tmp:
        t0 = time.perf_counter()
        ix = build_index(os.path.join(tmp, "index"), docs)
        results["index_seconds"] = time.perf_counter() - t0
        for label, flag in (("cross-script off", False), ("cross-script on", True)):
            search = searchkit_fn(ix, flag)
            result = evaluate(search, judged)
            results[label] = result
            print_report(f"searchkit, {label}", result, verbose=args.verbose)
            if args.simulate and not flag:
                sim = evaluate(simulated_fn(search, docs), judged)
                results["simulated reading keys"] = sim
                print_report("reference: off + reading-key matches (simulation, not the feature)",
                             sim, verbose=args.verbose)
        ix.close()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
