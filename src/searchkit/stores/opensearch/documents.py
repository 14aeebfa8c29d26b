"""Articles as OpenSearch documents: searchkit's terms, whitespace-joined, beside the article itself."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ...analysis import Analyzer
from ...documents import stored_article

__all__ = ["READING_PREFIX", "article_of", "os_term", "source_of", "terms_text"]

#: Reading keys of Japanese names (``r:koizumi`` for 小泉), as in the embedded store.
READING_PREFIX = "r:"
#: Lucene's whitespace tokenizer cuts a token at 255 UTF-16 units.
_MAX_UNITS = 255
_SPACE = re.compile(r"\s")


def os_term(term: str) -> str:
    """``term`` as OpenSearch indexes it: whitespace inside it replaced, cut at 255 UTF-16 units."""
    if _SPACE.search(term):
        term = _SPACE.sub("_", term)
    if len(term) > _MAX_UNITS // 2 and len(term.encode("utf-16-le")) > 2 * _MAX_UNITS:
        units = term.encode("utf-16-le")[: 2 * _MAX_UNITS]
        term = units.decode("utf-16-le", "ignore")
    return term


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
    source: dict[str, Any] = {
        "id": clean["id"],
        "title": terms_text(title, analyzer),
        "body": terms_text(body, analyzer),
        "lead": " ".join(os_term(t) for t, _, e, _ in analyzer.prefix_terms(body[:lead_chars]) if e <= lead_chars)
        if body else "",
        "lang": clean.get("lang"),
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
