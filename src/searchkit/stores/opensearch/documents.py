"""Articles as OpenSearch documents: searchkit's terms, whitespace-joined, beside the article itself."""

from __future__ import annotations

import re
from bisect import bisect_left
from datetime import datetime
from typing import Any

from ...analysis import Analyzer
from ...documents import stored_article

__all__ = ["READING_PREFIX", "article_of", "os_term", "quantized_length", "source_of", "terms_text"]

#: Reading keys of Japanese names (``r:koizumi`` for 小泉), as in the embedded store.
READING_PREFIX = "r:"
#: Lucene's whitespace tokenizer cuts a token at 255 UTF-16 units.
_MAX_UNITS = 255
_SPACE = re.compile(r"\s")
#: The field lengths one length byte of the embedded store (Whoosh) can hold: a
#: document's length scores as the first of these at least as long.
_LENGTHS = (
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 16, 17, 18, 20, 21, 23, 25, 26, 28, 30, 32, 34, 36, 38, 40,
    42, 45, 47, 49, 52, 54, 57, 60, 63, 66, 69, 72, 75, 79, 82, 86, 89, 93, 97, 101, 106, 110, 114, 119, 124,
    129, 134, 139, 145, 150, 156, 162, 169, 175, 182, 189, 196, 203, 211, 219, 227, 235, 244, 253, 262, 271,
    281, 291, 302, 313, 324, 336, 348, 360, 373, 386, 399, 414, 428, 443, 459, 475, 491, 508, 526, 544, 563,
    583, 603, 623, 645, 667, 690, 714, 738, 763, 789, 816, 844, 873, 903, 933, 965, 998, 1032, 1066, 1103,
    1140, 1178, 1218, 1259, 1302, 1345, 1391, 1438, 1486, 1536, 1587, 1641, 1696, 1753, 1811, 1872, 1935,
    1999, 2066, 2135, 2207, 2280, 2356, 2435, 2516, 2600, 2687, 2777, 2869, 2965, 3063, 3165, 3271, 3380,
    3492, 3608, 3728, 3852, 3980, 4112, 4249, 4390, 4536, 4686, 4842, 5002, 5168, 5340, 5517, 5700, 5889,
    6084, 6286, 6494, 6709, 6932, 7161, 7398, 7643, 7897, 8158, 8428, 8707, 8995, 9293, 9601, 9918, 10247,
    10586, 10936, 11298, 11671, 12057, 12456, 12868, 13294, 13733, 14187, 14656, 15141, 15641, 16159, 16693,
    17244, 17814, 18403, 19011, 19640, 20289, 20959, 21652, 22367, 23106, 23869, 24658, 25472, 26314, 27183,
    28081, 29009, 29967, 30957, 31979, 33035, 34126, 35254, 36418, 37620, 38863, 40146, 41472, 42841, 44256,
    45717, 47227, 48786, 50397, 52061, 53780, 55556, 57390, 59285, 61242, 63264, 65352, 67510, 69739, 72041,
    74419, 76876, 79414, 82035, 84743, 87541, 90430, 93416, 96499, 99684, 102975, 106374
)


def os_term(term: str) -> str:
    """``term`` as OpenSearch indexes it: whitespace inside it replaced, cut at 255 UTF-16 units."""
    if _SPACE.search(term):
        term = _SPACE.sub("_", term)
    if len(term) > _MAX_UNITS // 2 and len(term.encode("utf-16-le")) > 2 * _MAX_UNITS:
        units = term.encode("utf-16-le")[: 2 * _MAX_UNITS]
        term = units.decode("utf-16-le", "ignore")
    return term


def quantized_length(length: int) -> int:
    """A field length as the embedded store scores it (rounded up to its one-byte table)."""
    return _LENGTHS[min(bisect_left(_LENGTHS, length), 255)]


def terms_text(text: str, analyzer: Analyzer, readings: bool = True) -> str:
    """The field value of ``text``: its terms in order, then the readings of its names.

    Positions of words are the analyzer's; a field's length counts the readings,
    as the embedded store's does.
    """
    terms = analyzer.index_terms(text)
    words = [os_term(t) for t, _, _, _ in terms]
    if readings:
        words += [os_term(READING_PREFIX + r) for _, _, _, r in terms if r]
    return " ".join(words)


def source_of(clean: dict[str, Any], analyzer: Analyzer, lead_chars: int) -> dict[str, Any]:
    """The document for an article already checked by ``clean_article``."""
    article = {k: v for k, v in clean.items() if k != "lead"}
    published = clean.get("published")
    if isinstance(published, datetime):
        article["published"] = published.isoformat() + "Z"
    tags = [t for t in clean.get("tags", "").split(",") if t] if clean.get("tags") else []
    if tags:
        article["tags"] = tags
    body = clean.get("body") or ""
    title = clean.get("title") or ""
    texts = {"title": terms_text(title, analyzer), "body": terms_text(body, analyzer)}
    # the lead's terms are the body's first ones (prefix_terms reuses the analysis just made)
    texts["lead"] = (" ".join(os_term(t) for t, _, e, _ in analyzer.prefix_terms(body[:lead_chars])
                              if e <= lead_chars) if body else "")
    lengths = {name: len(value.split(" ")) if value else 0 for name, value in texts.items()}
    source: dict[str, Any] = {
        "id": clean["id"],
        **texts,
        "body_terms": sorted(set(texts["body"].split(" "))) if texts["body"] else [],
        "lang": clean.get("lang"),
        **{f"{name}_n": n for name, n in lengths.items()},
        **{f"{name}_len": quantized_length(n) for name, n in lengths.items()},
        "article": article,
    }
    if published is not None:
        source["published"] = article["published"]
    if clean.get("category"):
        source["category"] = clean["category"]
    if tags:
        source["tags"] = tags
    return source


def article_of(source: dict[str, Any]) -> dict[str, Any]:
    """The article a document holds, as ``Index.get`` gives it."""
    article = dict(source.get("article") or {})
    published = article.get("published")
    if isinstance(published, str):
        article["published"] = datetime.fromisoformat(published.replace("Z", "+00:00"))
    return stored_article(article)
