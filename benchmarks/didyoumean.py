"""Did-you-mean and related-articles benchmark on the vendored news corpus.

Usage::

    python benchmarks/didyoumean.py [--work DIR] [--set dev|held-out] [--json out.json]

* **Typos**: two-word queries made of adjacent words of English titles (both
  alphabetic, 4+ letters, not stop words); in each, one word that is common in
  the corpus (in 20+ articles) gets one edit: a deletion, an insertion, a
  transposition of neighbours or a neighbouring QWERTY key. Typos that are
  themselves words of 3+ articles are left out (those are real words). A
  query counts as corrected when the suggestion gives back both words. Titles
  with an even position in the sorted ids make the ``dev`` set, odd ones the
  ``held-out`` set (500 queries each, seeds 1 / 2).
* **False alarms**: the same pairs spelled correctly, and every title as
  written (7,367 JA, 2,095 EN): the share that gets a suggestion.
* **Related**: 100 random probes (``random.Random(7)`` over the sorted ids):
  the share of their 5 related articles in the probe's category, and how many
  are in the other language.

The index (titles included, as users have it) is built once under ``--work``
and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")
SRC = os.path.join(ROOT, "src")
if os.path.isdir(os.path.join(SRC, "searchkit")):  # benchmark the checkout, not an install
    sys.path.insert(0, SRC)

import searchkit  # noqa: E402
from searchkit.evaluate import load_jsonl  # noqa: E402

N_TYPOS, COMMON_DF, REAL_WORD_DF = 500, 20, 3
STOP = set(
    "the and for with from that this have has had will would could should into over after about than "
    "they their them what when where which while more most some such only also been were being just "
    "says said your here there then these those like make made back down does done very".split()
)
ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
NEIGHBOURS: dict[str, str] = {}
for r, row in enumerate(ROWS):
    for c, ch in enumerate(row):
        near = [row[c + d] for d in (-1, 1) if 0 <= c + d < len(row)]
        for rr in (r - 1, r + 1):
            if 0 <= rr < len(ROWS):
                near += [ROWS[rr][c + d] for d in (-1, 0, 1) if 0 <= c + d < len(ROWS[rr])]
        NEIGHBOURS[ch] = "".join(near)
WORD = re.compile(r"[A-Za-z]+")


def one_edit(word: str, rng: random.Random) -> str:
    """``word`` with one random edit (never the first letter, as people rarely miss it)."""
    kind = rng.choice(["delete", "insert", "transpose", "neighbour"])
    i = rng.randrange(1, len(word))
    if kind == "delete":
        return word[:i] + word[i + 1:]
    if kind == "insert":
        return word[:i] + rng.choice(NEIGHBOURS[word[i].lower()] or "e") + word[i:]
    if kind == "transpose" and i < len(word) - 1 and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + rng.choice(NEIGHBOURS[word[i].lower()]) + word[i + 1:]


def typo_sets(en: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    df: Counter[str] = Counter()
    for d in en:
        df.update({w.lower() for w in WORD.findall(d.get("title", "") + " " + d.get("body", ""))})
    ids = sorted(d["id"] for d in en)
    title = {d["id"]: d["title"] for d in en}
    out: dict[str, list[dict[str, str]]] = {}
    for name, parity, seed in (("dev", 0, 1), ("held-out", 1, 2)):
        pairs: list[tuple[str, str]] = []
        for i in ids[parity::2]:
            words = title[i].split()
            for a, b in zip(words, words[1:]):
                if all(w.isalpha() and len(w) >= 4 and w.lower() not in STOP for w in (a, b)):
                    pairs.append((a, b))
        rng = random.Random(seed)
        rng.shuffle(pairs)
        rows: list[dict[str, str]] = []
        for a, b in pairs:
            common = [j for j, w in enumerate((a, b)) if df[w.lower()] >= COMMON_DF]
            if not common:
                continue
            j = rng.choice(common)
            words = [a, b]
            typo = one_edit(words[j], rng)
            if typo.lower() == words[j].lower() or df[typo.lower()] >= REAL_WORD_DF:
                continue
            right = f"{a} {b}"
            words[j] = typo
            rows.append({"query": " ".join(words), "right": right, "typo": typo, "word": [a, b][j]})
            if len(rows) == N_TYPOS:
                break
        out[name] = rows
    return out


def build(work: str, docs: list[dict[str, Any]]) -> searchkit.Index:
    path = os.path.join(work, "index")
    if os.path.isdir(path):
        return searchkit.Index.open(path)
    ix = searchkit.Index.create(path, overwrite=True)
    ix.add(docs)
    return ix


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", default=os.path.join("/tmp", "searchkit-didyoumean"), help="index cache directory")
    ap.add_argument("--set", default="held-out", choices=["dev", "held-out"], help="typo set to score")
    ap.add_argument("--json", default=os.path.join(HERE, "results", "didyoumean.json"), help="output JSON path")
    ap.add_argument("--show", type=int, default=0, help="print this many failures")
    args = ap.parse_args(argv)

    ja = list(load_jsonl(os.path.join(DATA, "livedoor-ja.jsonl.gz")))
    en = list(load_jsonl(os.path.join(DATA, "bbc-en.jsonl.gz")))
    ix = build(args.work, ja + en)
    report: dict[str, Any] = {"set": args.set}

    typos = typo_sets(en)[args.set]
    fixed, offered, wrong = 0, 0, []
    t0 = time.perf_counter()
    for row in typos:
        s = ix.search(row["query"], limit=10).suggestion
        offered += s is not None
        if s is not None and s.lower() == row["right"].lower():
            fixed += 1
        else:
            wrong.append((row["query"], row["right"], s))
    report["typos"] = {"n": len(typos), "corrected": fixed, "share": fixed / len(typos), "offered": offered,
                       "ms_per_query": 1000 * (time.perf_counter() - t0) / len(typos)}
    print(f"typos ({args.set}): {fixed}/{len(typos)} corrected ({fixed / len(typos):.1%}), "
          f"a suggestion for {offered}", flush=True)
    for q, right, s in wrong[: args.show]:
        print(f"  {q!r} → {s!r} (meant {right!r})")

    alarms: dict[str, Any] = {}
    for name, queries in (
        ("pairs", [r["right"] for r in typos]),
        ("titles-en", [d["title"] for d in en]),
        ("titles-ja", [d["title"] for d in ja]),
    ):
        hits = [(q, s) for q in queries if (s := ix.search(q, limit=10).suggestion) is not None]
        alarms[name] = {"n": len(queries), "offered": len(hits), "share": len(hits) / len(queries),
                        "examples": hits[:5]}
        print(f"false alarms, {name}: {len(hits)}/{len(queries)} ({len(hits) / len(queries):.2%})", flush=True)
        for q, s in hits[: args.show]:
            print(f"  {q!r} → {s!r}")
    report["false_alarms"] = alarms

    lang = {d["id"]: d.get("lang") or ("ja" if d in ja else "en") for d in ja + en}
    cat = {d["id"]: d.get("category") for d in ja + en}
    probes = random.Random(7).sample(sorted(cat), 100)
    same = total = other = 0
    for p in probes:
        for hit in ix.related(p, limit=5):
            total += 1
            same += cat[hit.id] == cat[p]
            other += lang[hit.id] != lang[p]
    report["related"] = {"probes": 100, "hits": total, "same_category": same, "share": same / total,
                         "other_language": other}
    print(f"related: {same}/{total} in the probe's category ({same / total:.1%}); "
          f"{other} in the other language", flush=True)

    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as fh:
        json.dump(report, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
