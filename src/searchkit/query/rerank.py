"""Questions: the best candidates re-scored by the question's wording found in each.

A question is written about one passage and borrows its wording (日本で梅雨が
ないのは北海道とどこか。 ← 梅雨がないのは北海道と…). BM25 scores the words one
by one; the passages of one article share the title and the topic words, so
the right passage and its siblings score alike. The question's character
bigrams and trigrams catch what the words miss — compounds split differently,
particles joining two words as the passage joins them — and an n-gram held by
every candidate (the article's topic) separates none, so each counts by how
few of the candidates hold it.

:func:`rerank` takes the first :data:`RERANK_DEPTH` candidates and multiplies
each score by ``1 + RERANK_WEIGHT · share``, where ``share`` is the weight of
the question's n-grams the candidate holds over the weight of all the n-grams
the candidates hold between them. Tuned on JSQuAD dev questions (even-numbered
ones; odd-numbered ones as the check): MRR@10 +0.011 / +0.008. News known-item
search (headlines as queries) loses by it (−0.07), so :mod:`searchkit.search`
applies it to questions only: a question word, a final question mark, or a
Japanese question's ending.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from itertools import chain
from typing import TypeVar

from ..analysis.normalize import fold_kanji

__all__ = ["RERANK_DEPTH", "RERANK_WEIGHT", "question_ngrams", "rerank"]

#: How many of the best candidates are re-scored.
RERANK_DEPTH = 20
#: Weight of the n-gram share (0 turns reranking off).
RERANK_WEIGHT = 1.0
NGRAM_SIZES = (2, 3)
#: Marks a question word in the text n-grams are taken from: no n-gram spans it.
MASK = "\x00"
# N-grams of kana and punctuation only (のは, した, 、「) are grammar, not wording.
_GRAMMAR = re.compile(r"[\u3040-\u309f\u30fc\s\W_]+")


def fold(text: str) -> str:
    """Width, compatibility forms, old kanji forms and case folded, as both sides are compared."""
    if not unicodedata.is_normalized("NFKC", text):  # checking is faster than normalizing
        text = unicodedata.normalize("NFKC", text)
    return fold_kanji(text).casefold()


def question_ngrams(texts: Iterable[str]) -> set[str]:
    """The character n-grams of the question's texts (question words masked)."""
    grams: set[str] = set()
    for text in texts:
        text = fold(text)
        for n in NGRAM_SIZES:
            for i in range(len(text) - n + 1):
                gram = text[i:i + n]
                if MASK not in gram and not _GRAMMAR.fullmatch(gram):
                    grams.add(gram)
    return grams


D = TypeVar("D", bound=Hashable)


def rerank(grams: set[str], ranked: Sequence[tuple[D, float]],
           text_of: Callable[[D], str], depth: int | None = None) -> list[tuple[D, float]]:
    """``ranked`` (document, score), best first, with its first ``depth`` (default
    :data:`RERANK_DEPTH`) re-scored by the share of ``grams`` each holds and sorted again."""
    depth = RERANK_DEPTH if depth is None else depth
    top = list(ranked[:depth])
    if len(top) < 2 or not grams or not RERANK_WEIGHT:
        return list(ranked)
    held: list[set[str]] = []
    for doc, _ in top:
        text = fold(text_of(doc))
        held.append({g for g in grams if g in text})
    k = len(top)
    counts = Counter(chain.from_iterable(held))
    weight = {g: math.log((k + 1) / (c + 0.5)) for g, c in counts.items()}
    total = sum(weight.values())
    if not total:
        return list(ranked)
    rescored = [(doc, score * (1 + RERANK_WEIGHT * sum(weight[g] for g in grams_held) / total))
                for (doc, score), grams_held in zip(top, held)]
    rescored.sort(key=lambda item: -item[1])
    return rescored + list(ranked[depth:])
