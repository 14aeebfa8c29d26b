"""The Whoosh schema of an article index: the one place its field options live.

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
lead        TEXT             the body's opening (``documents.lead_of``),
                             not stored: news puts the gist first, so a
                             match there weighs more
=========== ================ ==========================================
"""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from ...analysis import Analyzer
from .formats import LeadFrequency, PackedCharacters, SearchkitTokenizer, Text

__all__ = ["article_schema"]


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
