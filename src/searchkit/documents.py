"""Validation of article dicts: one place that says what an article is.

An article is a mapping with a string ``id``, text in ``title`` and/or
``body``, and optional ``url``, ``published``, ``lang``, ``category`` and
``tags``. :func:`clean_article` checks types and returns the values a store
keeps; a problem raises :class:`~searchkit.errors.DocumentError` naming the
field. Unknown fields are ignored (and reported by :func:`unknown_fields`);
unpaired surrogates in strings become U+FFFD (:func:`repair_text`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any

from .errors import DocumentError

__all__ = ["ARTICLE_FIELDS", "FIELDS", "LEAD_CHARS", "LEAD_CHARS_EN", "TEXT_FIELDS", "clean_article", "detect_lang",
           "lead_chars", "lead_of", "parse_datetime", "repair_text", "stored_article", "unknown_fields"]

FIELDS = ("id", "title", "body", "url", "published", "lang", "category", "tags")
#: Fields searched by a query without ``field:``.
TEXT_FIELDS = ("title", "body")
#: Length of the ``lead`` field: the opening of the body, where news puts the
#: gist (a match there weighs more: known-item MRR +0.06 JA / +0.05 EN).
LEAD_CHARS = 300
#: … of an English body: 300 characters of English hold about half the words
#: of 300 Japanese ones, two or three sentences where the gist is the first
#: (known-item EN MRR@10 over 300: 130 / 150 / 180 / 220 characters
#: +0.003 / +0.005 / +0.004 / +0.001, 400 −0.007).
LEAD_CHARS_EN = 150
_JAPANESE = re.compile(r"[\u3041-\u30ff\u4e00-\u9fff]")
_BASIC_OFFSET = re.compile(r"([+-]\d\d)(\d\d)$")
_MAX_ID = 1000


def detect_lang(text: str) -> str:
    """``"ja"`` if the text contains kana or kanji, else ``"en"``."""
    return "ja" if _JAPANESE.search(text) else "en"


def parse_datetime(value: Any) -> datetime:
    """Parse a date or ISO 8601 timestamp into a naive UTC datetime.

    Raises:
        ValueError: the value is not a date.
    """
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        text = _BASIC_OFFSET.sub(r"\1:\2", text)  # +0900 → +09:00 (Python 3.10)
        if len(text) == 4 and text.isdigit():
            text += "-01-01"
        elif len(text) == 7 and text[4] == "-":
            text += "-01"
        dt = datetime.fromisoformat(text)
    else:
        raise ValueError(f"expected a date or ISO 8601 string, got {type(value).__name__}")
    if dt.tzinfo is not None:
        try:
            dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError as exc:  # 0001-01-01T00:00+01:00 has no UTC year
            raise ValueError(f"{value!r} is outside the years 1-9999 in UTC") from exc
    return dt


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def repair_text(value: str) -> str:
    """Replace unpaired surrogates (from JSON ``\\ud800`` escapes) with U+FFFD.

    They cannot be written as UTF-8, so they would break storage and output.
    """
    if not _SURROGATE.search(value):
        return value
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _str_field(doc: Mapping[str, Any], name: str, doc_id: str | None) -> str | None:
    value = doc.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise DocumentError(f"must be a string, got {type(value).__name__}", field=name, doc_id=doc_id)
    return repair_text(value)


def unknown_fields(doc: Mapping[str, Any]) -> list[str]:
    """Names in ``doc`` that are not article fields (they are ignored)."""
    return [k for k in doc if k not in FIELDS]


def clean_article(doc: Any) -> dict[str, Any]:
    """Check one article and return the fields to index.

    Raises:
        DocumentError: naming the field that is wrong and why.
    """
    if not isinstance(doc, Mapping):
        raise DocumentError(f"an article must be a JSON object, got {type(doc).__name__}")
    doc_id = doc.get("id")
    if doc_id is None:
        raise DocumentError("is missing", field="id")
    if not isinstance(doc_id, str):
        raise DocumentError(f"must be a string, got {type(doc_id).__name__} {doc_id!r}", field="id")
    if not doc_id.strip():
        raise DocumentError("must not be empty", field="id")
    doc_id = repair_text(doc_id)
    if len(doc_id) > _MAX_ID:
        raise DocumentError(f"is {len(doc_id)} characters long (at most {_MAX_ID})", field="id")
    title = _str_field(doc, "title", doc_id) or ""
    body = _str_field(doc, "body", doc_id) or ""
    if not title.strip() and not body.strip():
        raise DocumentError("has neither a title nor a body", field="title/body", doc_id=doc_id)
    out: dict[str, Any] = {"id": doc_id, "title": title, "body": body}
    url = _str_field(doc, "url", doc_id)
    if url:
        out["url"] = url
    published = doc.get("published")
    if published not in (None, ""):
        try:
            out["published"] = parse_datetime(published)
        except ValueError as exc:
            raise DocumentError(
                f"must be a date (ISO 8601, e.g. 2024-05-01T09:00:00+09:00), got {published!r}",
                field="published",
                doc_id=doc_id,
            ) from exc
    lang = _str_field(doc, "lang", doc_id)
    out["lang"] = (lang or detect_lang(title + body)).lower()
    category = _str_field(doc, "category", doc_id)
    if category:
        out["category"] = category
    tags = doc.get("tags")
    if tags is not None:
        if not isinstance(tags, (list, tuple)) or not all(isinstance(t, str) for t in tags):
            raise DocumentError(f"must be a list of strings, got {tags!r:.60}", field="tags", doc_id=doc_id)
        if any("," in t for t in tags):
            raise DocumentError("a tag must not contain a comma", field="tags", doc_id=doc_id)
        if tags:
            out["tags"] = ",".join(repair_text(t.strip()) for t in tags)
    return out


#: The fields of a stored article, in the order shown.
ARTICLE_FIELDS = ("id", "title", "body", "url", "published", "lang", "category", "tags")


def stored_article(stored: Mapping[str, Any]) -> dict[str, Any]:
    """An article as a store gave it back: every field of :data:`ARTICLE_FIELDS`
    (None when the article has none), ``published`` a UTC datetime that knows
    it is UTC, ``tags`` a list."""
    out: dict[str, Any] = {name: stored.get(name) for name in ARTICLE_FIELDS}
    published = out["published"]
    if isinstance(published, datetime) and published.tzinfo is None:
        out["published"] = published.replace(tzinfo=timezone.utc)
    tags = out["tags"]
    if isinstance(tags, str):
        out["tags"] = [t for t in tags.split(",") if t]
    return out



def lead_chars(lang: str | None) -> int:
    """Length of the ``lead`` of an article in ``lang``: :data:`LEAD_CHARS_EN` for English, else :data:`LEAD_CHARS`."""
    return LEAD_CHARS_EN if lang == "en" else LEAD_CHARS


def lead_of(body: str, lang: str | None = None) -> str:
    """The ``lead`` field of an article: the first :func:`lead_chars` characters of its body."""
    return body[:lead_chars(lang)]
