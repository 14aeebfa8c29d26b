#!/usr/bin/env python
"""Write a large synthetic news corpus made of the bundled corpora's sentences and titles.

    python benchmarks/make_large.py --articles 100000 --seed 1 --out /tmp/large-100k.jsonl.gz

Each article copies the shape of a real one drawn at random (its language, category and
number of sentences, so the language mix and the length distribution follow
``benchmarks/data/``) and fills it with sentences drawn from every article of that
language and category, so no article is a copy of another. Dates are spread uniformly
over 2000-2026.

Vocabulary grows with N as in real news (Heaps' law, V ≈ K·N^β): repeating a corpus
adds no new terms, while a news stream keeps meeting new names. Here every article
has a few of its katakana words (Japanese) or capitalised words (English) replaced by
an invented name, a prefix of one real word joined to a suffix of another; a new one
is coined while fewer than ``K·n^β`` exist after *n* articles, otherwise a known one
is reused, the early ones more often (a skewed draw). Deterministic for a seed.
The output is JSONL.gz; do not commit it (``/tmp`` is a good place).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
SOURCES = ("livedoor-ja.jsonl.gz", "bbc-en.jsonl.gz")
#: Heaps' law for invented names, per language: about 5,000 at 10k articles, 80,000 at 1M.
HEAPS_K, HEAPS_BETA = 20.0, 0.6
#: Words replaced by an invented name, per article.
NAMES_PER_ARTICLE = 3
START = dt.datetime(2000, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=9)))
SPAN_S = int((dt.datetime(2027, 1, 1, tzinfo=START.tzinfo) - START).total_seconds())

_JA_SENTENCE = re.compile(r"[^。！？!?\n]*[。！？!?]+[」』）)]*|[^。！？!?\n]+")
_EN_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"')]*|$)")
_WORD = {"ja": re.compile(r"[ァ-ヺー]{3,}"), "en": re.compile(r"\b[A-Z][a-z]{3,}\b")}
_TITLE_CUT = re.compile(r"[、。！？!?…　 :：「」『』]+")


def sentences(body: str, lang: str) -> list[str]:
    """The sentences of *body* (Japanese ones keep their 。, English ones their period)."""
    pattern = _JA_SENTENCE if lang == "ja" else _EN_SENTENCE
    return [s.strip() for s in pattern.findall(body) if s.strip()]


class Source:
    """The bundled articles cut into sentences, title pieces and words to rename."""

    def __init__(self, paths: list[Path]) -> None:
        self.shapes: list[tuple[str, str, int]] = []  # lang, category, sentence count
        self.pool: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.titles: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.words: dict[str, list[str]] = defaultdict(list)
        seen: dict[str, set[str]] = defaultdict(set)
        for path in paths:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                for line in fh:
                    doc = json.loads(line)
                    lang, cat = doc.get("lang") or "ja", doc.get("category") or ""
                    sents = sentences(doc.get("body") or "", lang)
                    if not sents:
                        continue
                    self.shapes.append((lang, cat, len(sents)))
                    self.pool[lang, cat].extend(sents)
                    self.titles[lang, cat].append(doc.get("title") or "")
                    for w in _WORD[lang].findall(doc.get("title", "") + " " + doc["body"]):
                        if w not in seen[lang]:
                            seen[lang].add(w)
                            self.words[lang].append(w)


class Names:
    """Invented names, coined along Heaps' law and reused with a skew to the early ones."""

    def __init__(self, words: list[str], lang: str, rng: random.Random) -> None:
        self.words, self.lang, self.rng = words, lang, rng
        self.coined: list[str] = []
        self.known: set[str] = set(words)

    def _coin(self) -> str:
        for _ in range(100):
            a, b = self.rng.choice(self.words), self.rng.choice(self.words)
            name = a[: max(2, len(a) // 2)] + b[len(b) // 2:].lower() if self.lang == "en" else \
                a[: max(2, len(a) // 2)] + b[len(b) // 2:]
            if name not in self.known:
                self.known.add(name)
                return name
        return a + b  # the words ran out of fresh halves: join them whole

    def pick(self, n_articles: int) -> str:
        if len(self.coined) < HEAPS_K * n_articles ** HEAPS_BETA:
            self.coined.append(self._coin())
            return self.coined[-1]
        return self.coined[int(len(self.coined) * self.rng.random() ** 3)]


def make_article(i: int, seed: int, src: Source, names: dict[str, Names], rng: random.Random) -> dict[str, Any]:
    """Article number *i*: a real article's shape filled with other articles' sentences."""
    lang, cat, n_sent = rng.choice(src.shapes)
    pool = src.pool[lang, cat]
    sents = [pool[rng.randrange(len(pool))] for _ in range(n_sent)]
    pattern = _WORD[lang]
    for _ in range(NAMES_PER_ARTICLE):
        k = rng.randrange(len(sents))
        found = pattern.findall(sents[k])
        if found:
            sents[k] = sents[k].replace(rng.choice(found), names[lang].pick(i + 1), 1)
    sep = "" if lang == "ja" else " "
    paras = [sep.join(sents[j:j + 3]) for j in range(0, len(sents), 3)]
    titles = src.titles[lang, cat]
    a, b = titles[rng.randrange(len(titles))], titles[rng.randrange(len(titles))]
    head = _TITLE_CUT.split(a)[0] or a
    tail = [p for p in _TITLE_CUT.split(b) if p]
    title = head + ("、" if lang == "ja" else ": ") + tail[-1] if tail and tail[-1] != head else head
    published = START + dt.timedelta(seconds=rng.randrange(SPAN_S))
    doc: dict[str, Any] = {"id": f"large-{seed}-{i:07d}", "title": title, "body": "\n\n".join(paras),
                           "lang": lang, "category": cat, "published": published.isoformat()}
    return doc


def write_corpus(n: int, seed: int, out: Path, sources: list[Path] | None = None) -> dict[str, int]:
    """Write *n* articles to *out* (JSONL.gz); return counts per language."""
    src = Source(sources or [DATA / s for s in SOURCES])
    rng = random.Random(seed)
    names = {lang: Names(words, lang, random.Random(f"{seed}-{lang}")) for lang, words in src.words.items()}
    counts: dict[str, int] = defaultdict(int)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    # mtime=0 and no file name: the same seed writes the same bytes.
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=3,
                                               mtime=0) as gz:
        lines: list[str] = []
        for i in range(n):
            doc = make_article(i, seed, src, names, rng)
            counts[doc["lang"]] += 1
            lines.append(json.dumps(doc, ensure_ascii=False))
            if len(lines) == 2000:
                gz.write(("\n".join(lines) + "\n").encode("utf-8"))
                lines = []
        if lines:
            gz.write(("\n".join(lines) + "\n").encode("utf-8"))
    tmp.replace(out)
    counts["invented_names"] = sum(len(v.coined) for v in names.values())
    return dict(counts)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, required=True, help="number of articles to write")
    p.add_argument("--seed", type=int, default=1, help="random seed (same seed, same file)")
    p.add_argument("--out", type=Path, required=True, help="output file (.jsonl.gz)")
    args = p.parse_args(argv)
    if args.articles < 1:
        p.error("--articles must be at least 1")
    counts = write_corpus(args.articles, args.seed, args.out)
    print(json.dumps({"out": str(args.out), "articles": args.articles, **counts}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
