"""Whoosh at its own defaults, the baseline ``searchkit bench`` compares against.

:func:`index_standard` indexes articles the way a plain Whoosh user would:
``StandardAnalyzer`` on title and body (body stored), an id field, one
process, Whoosh's own segment writer with its posting pool of *limitmb* MB
(Whoosh's default is 128; 256 spills fewer runs and is faster).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import whoosh.index
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import ID, TEXT, Schema

__all__ = ["index_standard"]


def index_standard(docs: Iterable[dict[str, Any]], path: Path, *, limitmb: int = 128) -> int:
    """Index *docs* into a new Whoosh index at *path*; return how many were added."""
    analyzer = StandardAnalyzer()
    schema = Schema(id=ID(unique=True, stored=True), title=TEXT(analyzer=analyzer),
                    body=TEXT(analyzer=analyzer, stored=True))
    path.mkdir(parents=True, exist_ok=True)
    ix = whoosh.index.create_in(str(path), schema)
    writer = ix.writer(limitmb=limitmb)
    n = 0
    for d in docs:
        writer.add_document(id=str(d.get("id", n)), title=d.get("title") or "", body=d.get("body") or "")
        n += 1
    writer.commit()
    ix.close()
    return n
