"""The article schema: the one place field options live.

Article fields (see README "Article format"):

=========== ================ ==========================================
field       Whoosh type      notes
=========== ================ ==========================================
id          ID, unique       required; a string; also a column, so hits
                             get their ids without reading stored fields
title       TEXT             analyzed, stored, positions + char ranges
body        TEXT             analyzed, stored, positions + char ranges
url         STORED
published   DATETIME         stored, sortable; UTC
lang        ID               ``ja`` / ``en`` (detected when missing)
category    ID               stored, sortable (facets)
tags        KEYWORD          comma-separated in the index, a list outside
lead        TEXT             the body's first :data:`LEAD_CHARS` characters,
                             not stored: news puts the gist first, so a
                             match there weighs more (known-item MRR
                             +0.06 JA / +0.05 EN, see README)
=========== ================ ==========================================
"""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from ._whoosh import LeadFrequency, PackedCharacters, SearchkitTokenizer, Text
from .analysis import Analyzer

__all__ = ["BM25_B", "BM25_K1", "LEAD_CHARS", "TEXT_FIELDS", "article_schema", "lead_of"]

#: Fields searched by a query without ``field:``.
TEXT_FIELDS = ("title", "body")
#: Length of the ``lead`` field: the opening of the body.
LEAD_CHARS = 300
#: BM25F term-frequency saturation and length normalization (every field).
BM25_K1 = 1.2
BM25_B = 0.75


def _text(tokenizer: SearchkitTokenizer) -> TEXT:
    field = Text(analyzer=tokenizer, stored=True, phrase=True)
    field.format = PackedCharacters(field_boost=1.0)
    return field


def _lead(tokenizer: SearchkitTokenizer) -> TEXT:
    field = Text(analyzer=tokenizer, stored=False, phrase=False)
    field.format = LeadFrequency(field_boost=1.0)
    return field


def article_schema(analyzer: Analyzer | None = None) -> Schema:
    """Return the Whoosh schema for news articles."""
    tokenizer = SearchkitTokenizer(analyzer or Analyzer())
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        title=_text(tokenizer),
        body=_text(tokenizer),
        url=STORED(),
        published=DATETIME(stored=True, sortable=True),
        lang=ID(stored=True, sortable=True),
        category=ID(stored=True, sortable=True),
        tags=KEYWORD(stored=True, commas=True, scorable=False),
        lead=_lead(tokenizer),
    )


def lead_of(body: str) -> str:
    """The ``lead`` field of an article: the first :data:`LEAD_CHARS` characters of its body."""
    return body[:LEAD_CHARS]
