"""A bounded fuzz of :func:`searchkit.ingest.importer.import_articles` with random
JSON-ish records: the only exception it may raise is ``DocumentError``, the
index always opens and searches, and it never holds an id twice.

Deep nesting and huge integers stay out of the generated JSON: they are
bugs pinned by test_deeply_nested_json_is_a_document_error and
test_huge_integer_is_a_document_error. This fuzz found the lone-surrogate
crash in exact-match fields (see test_surrogate_in_an_exact_field_is_repaired_or_reported).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchkit import Index
from searchkit.errors import DocumentError
from searchkit.ingest.importer import import_articles

#: Any text, lone surrogates included.
TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=40) | st.sampled_from(
    ["", " ", "東京で会談した。", "Defense talks", "\x00\x1b[2J", "\ud800", "café", "🎉", "a,b", "x" * 300])
SCALARS = (st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.floats(allow_nan=False) | TEXT)
JSONISH = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=6)
DATES = st.sampled_from(["2024-05-01", "2024-05-01T09:00:00+09:00", "2024-05-01T09:00:00Z", "2024", "2024-05",
                         "2024-13-01", "2024-02-30", "", "yesterday", "0001-01-01", "9999-12-31", "20240501",
                         "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
IDS = st.sampled_from(["a", "b", "c", "d", " ", ""]) | st.text(max_size=8) | st.integers(0, 3) | st.none()

RECORD = st.fixed_dictionaries(
    {},
    optional={
        "id": IDS,
        "title": TEXT | JSONISH,
        "body": TEXT | JSONISH,
        "url": TEXT | JSONISH,
        "published": DATES | JSONISH,
        "lang": st.sampled_from(["ja", "en", "EN", ""]) | JSONISH,
        "category": TEXT | JSONISH,
        "tags": st.lists(TEXT, max_size=4) | JSONISH,
        "unknown": JSONISH,
    },
)
#: Mostly valid articles (so that most examples write something), with random extras.
NEAR_VALID = st.fixed_dictionaries(
    {"id": st.sampled_from(["a", "b", "c", "d", "東京-1", "x" * 200]), "title": TEXT, "body": TEXT},
    optional={"published": DATES, "tags": st.lists(TEXT, max_size=3), "lang": st.sampled_from(["ja", "en"]),
              "category": TEXT, "url": TEXT, "extra": JSONISH},
)
LINE = (NEAR_VALID.map(json.dumps)
        | NEAR_VALID.map(json.dumps)
        | RECORD.map(json.dumps)  # ASCII-only JSON: surrogates travel as \ud800 escapes
        | JSONISH.map(json.dumps)
        | st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30).map(
            lambda s: s.replace("\n", " ").replace("\r", " ")))


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=120, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(lines=st.lists(LINE, max_size=8), on_error=st.sampled_from(["stop", "skip"]), batch_size=st.integers(1, 4))
def test_import_articles_fuzz(lines: list[str], on_error: Any, batch_size: int, fuzz_dir: Path) -> None:
    work = Path(tempfile.mkdtemp(dir=fuzz_dir))
    src = work / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    d = work / "ix"
    ix = Index.create(d)
    # Import twice: the second run replaces by id and must not duplicate anything.
    for _ in range(2):
        try:
            import_articles(ix, [src], on_error=on_error, batch_size=batch_size)
        except DocumentError as exc:
            assert on_error == "stop", exc
    ix = Index.open(d)
    candidate_ids = set()
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and isinstance(rec.get("id"), str):
            candidate_ids.add(rec["id"])
    # Every stored article is one of the input ids, and each is stored once.
    assert len(ix) == sum(1 for i in candidate_ids if i in ix)
    ix.search("東京 OR talks")
    ix.close()
