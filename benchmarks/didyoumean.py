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
* **Kana for kanji**: nouns written in kanji in Japanese titles (one MeCab
  common noun, 2+ characters, written in 20+ articles), typed as the hiragana
  of their reading (記者 → きしゃ): the share whose suggestion is the noun, or
  that find it as typed (MeCab reads the kana as the same word). Nouns at even
  positions in sorted order make the ``dev`` set, odd ones ``held-out`` (500
  each, seeds 1 / 2).
* **False alarms**: the same pairs spelled correctly, and every title as
  written (7,367 JA, 2,095 EN): the share that gets a suggestion.
* **Related**: 100 random probes (``random.Random(7)`` over the sorted ids;
  ``--related-probes``, ``--related-seed`` for others): the share of their 5
  related articles in the probe's category, and how many are in the other
  language.

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
from searchkit.analysis import Analyzer  # noqa: E402
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
KANJI = re.compile(r"[\u3400-\u9fff々]+")


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


_TAGGER: Any = None


def noun_reading(word: str) -> str | None:
    """MeCab's (unidic-lite's) katakana reading of ``word`` if it is one common noun, asked
    of fugashi directly rather than of searchkit's own code."""
    global _TAGGER
    if _TAGGER is None:
        import fugashi

        _TAGGER = fugashi.Tagger()
    nodes = list(_TAGGER(word))
    if len(nodes) != 1 or nodes[0].surface != word:
        return None
    f = nodes[0].feature
    if f.pos1 != "名詞" or f.pos2 != "普通名詞" or not f.kana or f.kana == "*":
        return None
    return str(f.kana)


def kana_sets(ja: list[dict[str, Any]], analyzer: Any) -> dict[str, list[dict[str, str]]]:
    nouns: set[str] = set()
    for d in ja:
        for surface, _, tag, _, _, _, _ in analyzer.morphemes(d.get("title", "")):
            if tag == "名詞-普通名詞" and len(surface) >= 2 and KANJI.fullmatch(surface):
                nouns.add(surface)
    texts = [d.get("title", "") + "\n" + d.get("body", "") for d in ja]
    out: dict[str, list[dict[str, str]]] = {}
    ordered = sorted(nouns)
    for name, parity, seed in (("dev", 0, 1), ("held-out", 1, 2)):
        pool = ordered[parity::2]
        random.Random(seed).shuffle(pool)
        rows: list[dict[str, str]] = []
        for noun in pool:
            reading = noun_reading(noun)
            if not reading or sum(noun in t for t in texts) < COMMON_DF:
                continue
            hiragana = "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in reading)
            rows.append({"query": hiragana, "right": noun})
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


def related_share(ix: searchkit.Index, ja: list[dict[str, Any]], en: list[dict[str, Any]], n: int, seed: int
                  ) -> dict[str, Any]:
    """Of the 5 related articles of ``n`` random probes, the share in the probe's category."""
    lang = {d["id"]: d.get("lang") or ("ja" if d in ja else "en") for d in ja + en}
    cat = {d["id"]: d.get("category") for d in ja + en}
    probes = random.Random(seed).sample(sorted(cat), n)
    same = total = other = 0
    for p in probes:
        for hit in ix.related(p, limit=5):
            total += 1
            same += cat[hit.id] == cat[p]
            other += lang[hit.id] != lang[p]
    print(f"related ({n} probes, seed {seed}): {same}/{total} in the probe's category ({same / total:.1%}); "
          f"{other} in the other language", flush=True)
    return {"probes": n, "seed": seed, "hits": total, "same_category": same, "share": same / total,
            "other_language": other}


def _same_reading(a: str, b: str) -> bool:
    return noun_reading(a) is not None and noun_reading(a) == noun_reading(b)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", default=os.path.join("/tmp", "searchkit-didyoumean"), help="index cache directory")
    ap.add_argument("--set", default="held-out", choices=["dev", "held-out"], help="typo set to score")
    ap.add_argument("--json", default=os.path.join(HERE, "results", "didyoumean.json"), help="output JSON path")
    ap.add_argument("--show", type=int, default=0, help="print this many failures")
    ap.add_argument("--related-probes", type=int, default=100, help="random probes for related articles")
    ap.add_argument("--related-seed", type=int, default=7, help="seed of the probe sample")
    ap.add_argument("--only", choices=["related"], help="measure related articles only")
    args = ap.parse_args(argv)

    ja = list(load_jsonl(os.path.join(DATA, "livedoor-ja.jsonl.gz")))
    en = list(load_jsonl(os.path.join(DATA, "bbc-en.jsonl.gz")))
    ix = build(args.work, ja + en)
    report: dict[str, Any] = {"set": args.set}
    if args.only == "related":
        report["related"] = related_share(ix, ja, en, args.related_probes, args.related_seed)
        return 0

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

    analyzer = Analyzer()  # the index has no user dictionary

    def terms(text: str) -> set[str]:
        return {t for t, _, _ in analyzer.terms(text)}

    kana = kana_sets(ja, analyzer)[args.set]
    counts: Counter[str] = Counter()
    misses = []
    for row in kana:
        s = ix.search(row["query"], limit=10).suggestion
        if s == row["right"]:
            counts["suggested"] += 1
        elif s is None and terms(row["query"]) == terms(row["right"]):
            counts["found as typed"] += 1
        else:
            counts["homophone" if s is not None and _same_reading(s, row["right"]) else "missed"] += 1
            misses.append((row["query"], row["right"], s))
    right = counts["suggested"] + counts["found as typed"]
    report["kana"] = {"n": len(kana), **counts, "right": right, "share": right / len(kana)}
    print(f"kana for kanji ({args.set}): {right}/{len(kana)} right ({right / len(kana):.1%}): "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), flush=True)
    for q, noun, s in misses[: args.show]:
        print(f"  {q!r} → {s!r} (meant {noun!r})")

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

    report["related"] = related_share(ix, ja, en, args.related_probes, args.related_seed)

    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as fh:
        json.dump(report, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
