"""Bad queries: lenient parsing returns results plus warnings; strict parsing
raises :class:`QuerySyntaxError` with the position of the problem.

Queries that are well formed but have nothing to search (stop words,
punctuation, the empty string) are not syntax errors in either mode: they
return no hits, with a warning when there was text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reliability_support import no_traceback

from searchkit import Index
from searchkit.errors import QuerySyntaxError

DOCS = [
    {"id": "t1", "title": "東京で首脳会談", "body": "東京で首脳会談が開かれた。", "published": "2024-05-01"},
    {"id": "o1", "title": "大阪の会議", "body": "大阪で会議があった。", "published": "2023-01-10"},
    {"id": "e1", "title": "Defense talks", "body": "Defense ministers met for talks.", "published": "2024-02-02"},
]

# query -> (strict position, a word of the lenient warning, an id lenient search must still find or None)
SYNTAX: dict[str, tuple[int, str, str | None]] = {
    '"東京 会談': (0, "unbalanced quote", None),
    'title:"東京': (6, "unbalanced quote", "t1"),
    "(東京 OR 大阪": (0, "unbalanced '('", "o1"),
    "東京)": (2, "unbalanced ')'", "t1"),
    "AND": (0, "AND needs", None),
    "NOT": (0, "NOT needs", None),
    "OR": (0, "OR needs", None),
    "東京 AND": (3, "AND needs", "t1"),
    "AND 東京": (0, "AND needs", "t1"),
    "東京 OR": (3, "OR needs", "t1"),
    "foo:東京": (0, "unknown field 'foo'", "t1"),
    "colour:red talks": (0, "unknown field 'colour'", None),
    "title:": (0, "nothing after title:", None),
    "published:[2024": (10, "malformed range", None),
    "x" * 10_000: (2000, "cut", None),
    "東京 " * 2500: (2000, "cut", "t1"),
}

NOTHING_TO_SEARCH = ["the of and", "!!! ??? 。、「」", "", "   ", '""', "()"]


@pytest.fixture(scope="module")
def qix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    ix = Index.create(tmp_path_factory.mktemp("queries") / "ix")
    ix.add(DOCS)
    yield ix
    ix.close()


def _ids(query: str) -> str:
    return repr(query[:20]) + (f"..{len(query)}" if len(query) > 20 else "")


@pytest.mark.parametrize("query", list(SYNTAX), ids=_ids)
def test_lenient_repairs_and_warns(query: str, qix: Index) -> None:
    _, word, must_find = SYNTAX[query]
    res = qix.search(query)
    assert any(word in w for w in res.warnings), res.warnings
    if must_find is not None:
        assert must_find in [h.id for h in res]
    for h in res:
        h.snippet.html()


@pytest.mark.parametrize("query", list(SYNTAX), ids=_ids)
def test_strict_raises_with_position(query: str, qix: Index) -> None:
    position = SYNTAX[query][0]
    with pytest.raises(QuerySyntaxError) as info:
        qix.search(query, strict=True)
    assert info.value.position == position
    assert f"position {position}" in str(info.value)


@pytest.mark.parametrize("query", NOTHING_TO_SEARCH, ids=_ids)
@pytest.mark.parametrize("strict", [False, True])
def test_nothing_to_search_is_no_hits_not_an_error(query: str, strict: bool, qix: Index) -> None:
    res = qix.search(query, strict=strict)
    assert len(res) == 0 and res.total == 0
    if query.strip():
        assert any("no searchable words" in w for w in res.warnings)


@pytest.mark.parametrize("query", ["NOT 東京", "-東京"])
def test_only_negative_query(query: str, qix: Index) -> None:
    ids = {h.id for h in qix.search(query)}
    assert "t1" not in ids and "o1" in ids


def test_cli_lenient_notes_and_strict_exit_1(cli: Any, tmp_path: Path, qix: Index) -> None:
    res = cli("search", '"東京 会談', "-i", qix.path)
    assert res.exit_code == 0
    no_traceback(res)
    assert "note: unbalanced quote at position 0" in res.stderr
    res = cli("search", "東京 AND", "-i", qix.path, "--strict")
    assert res.exit_code == 1
    no_traceback(res)
    assert "position 3" in res.stderr
    assert res.stdout == ""


@pytest.mark.parametrize("depth", [400, 999])
@pytest.mark.parametrize("strict", [False, True])
def test_deeply_nested_parentheses(depth: int, strict: bool, qix: Index) -> None:
    query = "(" * depth + "東京" + ")" * depth
    assert len(query) <= 2000
    try:
        res = qix.search(query, strict=strict)
    except QuerySyntaxError as exc:  # a depth limit reported as a syntax error is fine
        assert 0 <= exc.position <= len(query)
        return
    assert "t1" in [h.id for h in res]
    assert strict or res.warnings  # lenient: a depth limit is fine if it says what it dropped


def test_many_unbalanced_parentheses_lenient(qix: Index) -> None:
    res = qix.search("(" * 1500 + "東京")
    assert res.warnings and "t1" in [h.id for h in res]


@pytest.mark.parametrize("query", ["published:[0001-01-01T00:00:00+01:00 TO]",
                                   "published:[2024 TO 9999-12-31T23:59:59-01:00]"])
def test_date_range_out_of_bounds_is_a_warning(query: str, qix: Index) -> None:
    res = qix.search(query)
    assert res.warnings


def test_since_out_of_bounds_is_a_query_error(cli: Any, qix: Index) -> None:
    res = cli("search", "東京", "-i", qix.path, "--since", "0001-01-01T00:00:00+01:00")
    no_traceback(res)
    assert res.exit_code == 1 and "since" in res.stderr
