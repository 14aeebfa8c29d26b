"""The query language: parse trees (golden reprs that name fields), lenient
repairs, strict errors with positions, and the Whoosh query each text becomes
(``Results.parsed``, which uses field names, not numbers).
"""

from __future__ import annotations

import pytest

from searchkit import Index, QueryError, QuerySyntaxError, SearchkitError
from searchkit.query import MAX_QUERY_CHARS, And, Not, Or, Phrase, Range, Text, parse


def T(text: str, position: int, field: str | None = None) -> Text:
    return Text(text, field, position)


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("小泉", T("小泉", 0)),
        ("小泉 防衛", And((T("小泉", 0), T("防衛", 3)), implicit=True)),
        ("小泉 AND 防衛", And((T("小泉", 0), T("防衛", 7)), implicit=False)),
        ("小泉 OR 防衛", Or((T("小泉", 0), T("防衛", 6)))),
        ("a OR b c", Or((T("a", 0), And((T("b", 5), T("c", 7)), implicit=True)))),
        ("(a OR b) AND c", And((Or((T("a", 1), T("b", 6))), T("c", 13)), implicit=False)),
        ("東京 -大阪", And((T("東京", 0), Not(T("大阪", 4))), implicit=True)),
        ("NOT 大阪", Not(T("大阪", 4))),
        ('"defense ministers"', Phrase("defense ministers", None, 0)),
        ('title:"小泉 防衛"', Phrase("小泉 防衛", "title", 0)),
        ("title:小泉", T("小泉", 0, "title")),
        ("lang:en Japan", And((T("en", 0, "lang"), T("Japan", 8)), implicit=True)),
        ("published:[2012 TO 2012]", Range("published", "2012", "2012")),
        ("published:[2024-01-01 TO]", Range("published", "2024-01-01", None)),
        ("published:[TO 2011]", Range("published", None, "2011")),
        ("Tokyo:Japan", T("Tokyo:Japan", 0)),  # not a field name: plain text
        ("-", T("-", 0)),
        ("", None),
        ("   ", None),
    ],
)
def test_parse_tree(query: str, tree: object) -> None:
    parsed = parse(query)
    assert parsed.tree == tree
    assert parsed.warnings == []
    assert parse(query, strict=True).tree == tree


def test_tree_repr_is_readable() -> None:
    assert repr(parse("title:小泉 OR 防衛").tree) == (
        "Or(items=(Text(text='小泉', field='title', position=0), Text(text='防衛', field=None, position=12)))"
    )


@pytest.mark.parametrize(
    ("query", "plain"),
    [("小泉 防衛", True), ("小泉", True), ("小泉 AND 防衛", False), ('"小泉"', False), ("title:小泉", False),
     ("-小泉", False), ("(小泉 防衛) 首相", True)],
)
def test_is_plain(query: str, plain: bool) -> None:
    assert parse(query).is_plain is plain


@pytest.mark.parametrize(
    ("query", "tree", "warning", "position"),
    [
        ('"unclosed', Phrase("unclosed", None, 0), "unbalanced quote", 0),
        ("(a b", And((T("a", 1), T("b", 3)), implicit=True), "unbalanced '('", 0),
        ("a b)", And((T("a", 0), T("b", 2)), implicit=True), "unbalanced ')'", 3),
        ("a AND", T("a", 0), "AND needs something on its right", 2),
        ("AND a", T("a", 4), "AND needs something on its left", 0),
        ("a OR", T("a", 0), "OR needs something on both sides", 2),
        ("OR a", T("a", 3), "OR needs something on both sides", 0),
        ("a NOT", T("a", 0), "NOT needs something after it", 2),
        ("NOT", None, "NOT needs something after it", 0),
        ("foo:bar", T("foo:bar", 0), "unknown field 'foo'", 0),
        ("title:", None, "nothing after title:", 0),
        ('title:"abc', Phrase("abc", "title", 0), "unbalanced quote", 6),
        ("published:[2012", T("2012", 11), "malformed range", 10),
    ],
)
def test_lenient_repairs_and_strict_positions(query: str, tree: object, warning: str, position: int) -> None:
    parsed = parse(query)
    assert parsed.tree == tree
    assert any(warning in w and f"position {position}" in w for w in parsed.warnings), parsed.warnings
    with pytest.raises(QuerySyntaxError) as exc:
        parse(query, strict=True)
    err = exc.value
    assert err.position == position
    assert err.query == query
    assert warning in str(err)
    assert isinstance(err, QueryError) and isinstance(err, SearchkitError)


def test_too_long_query() -> None:
    q = "東京 " * MAX_QUERY_CHARS
    parsed = parse(q)
    assert any("cut" in w for w in parsed.warnings)
    with pytest.raises(QuerySyntaxError) as exc:
        parse(q, strict=True)
    assert exc.value.position == MAX_QUERY_CHARS


def test_nested_stray_parentheses_stay_plain_text() -> None:
    parsed = parse("a b ) c ) d")
    assert parsed.is_plain
    assert len(parsed.warnings) == 2


def test_parse_rejects_bytes() -> None:
    with pytest.raises(TypeError):
        parse(b"x")  # type: ignore[arg-type]


# -- the Whoosh query built from the text (golden, by field name) ------------------------


# Title terms weigh TITLE_BOOST 1.5, body terms 1.0, the body's opening (lead) 0.6 more. A Japanese name also
# matches the English stem of its reading (小泉 → koizumi), a Latin word the
# reading keys of Japanese names (japan → r:japan), a kana word both; all at
# NAME_BOOST 0.6.
@pytest.mark.parametrize(
    ("query", "built"),
    [
        ("小泉", "(title:小泉^1.5 OR body:小泉 OR title:koizumi^0.9 OR body:koizumi^0.6)"),
        ("首相", "(title:首相^1.5 OR body:首相)"),
        (
            "Japan economy",
            (  # Japan also as Japanese (a word form: query/data/places_en.tsv), at SYNONYM_BOOST 0.8
                "(((title:japan^1.5 OR body:japan OR title:r:japan^0.9 OR body:r:japan^0.6) OR "
                "(title:japanes^1.2 OR body:japanes^0.8 OR title:r:japanese^0.72 OR body:r:japanese^0.48)) AND "
                "(title:economi^1.5 OR body:economi OR title:r:economy^0.9 OR body:r:economy^0.6))"
            ),
        ),
        (
            "スマートフォン",
            (
                '((title:"スマート フォン" OR body:"スマート フォン") OR title:r:sumatofon^0.9 OR body:r:sumatofon^0.6 '
                "OR title:sumatofon^0.9 OR body:sumatofon^0.6)"
            ),
        ),
        # Whoosh prints no boost on phrases
        ('"defense ministers"', '(title:"defens minist" OR body:"defens minist")'),
        ("title:小泉", "(title:小泉^1.5 OR title:koizumi^0.9)"),
        ("body:小泉 title:防衛", "((body:小泉 OR body:koizumi^0.6) AND title:防衛^1.5)"),
        (
            "lang:EN Japan",
            "(lang:en AND ((title:japan^1.5 OR body:japan OR title:r:japan^0.9 OR body:r:japan^0.6) OR "
            "(title:japanes^1.2 OR body:japanes^0.8 OR title:r:japanese^0.72 OR body:r:japanese^0.48)))",
        ),
        ("id:seed-2", "id:seed-2"),
        ("category:smax", "category:smax"),
        (
            "小泉 -防衛",
            "((title:小泉^1.5 OR body:小泉 OR title:koizumi^0.9 OR body:koizumi^0.6) AND NOT (title:防衛^1.5 OR body:防衛))",
        ),
        (
            "小泉 OR 首相",
            "((title:小泉^1.5 OR body:小泉 OR title:koizumi^0.9 OR body:koizumi^0.6) OR (title:首相^1.5 OR body:首相))",
        ),
        # a question: an OR of its words plus a body phrase bonus for each adjacent pair
        (
            "防衛相はどこで会談した",
            # one flat OR, each word scored in its best field, no lead bonus (it asks
            # something); Whoosh prints no phrase boost (PAIR_BOOST)
            (
                '(DisMax(body:防衛 title:防衛^1.5) OR DisMax(body:相 title:相^1.5) OR DisMax(body:会談 title:会談^1.5) OR body:"防衛 相" '
                'OR body:"相 会談")'
            ),
        ),
    ],
)
def test_built_query(corpus_index: Index, query: str, built: str) -> None:
    assert corpus_index.search(query).parsed == built


def test_title_is_weighted_above_body(corpus_index: Index) -> None:
    from searchkit.query.planner import NAME_BOOST, TITLE_BOOST

    assert TITLE_BOOST > 1.0 and NAME_BOOST == 0.6
    assert "title:首相^1.5 OR body:首相)" in corpus_index.search("首相").parsed


def test_keyword_query_parsed_does_not_depend_on_page_size(corpus_index: Index) -> None:
    """A keyword query's result set is every article with any unit (those with all rank first)."""
    parsed = {corpus_index.search("defense ministers", limit=n).parsed for n in (1, 3, 10)}
    assert len(parsed) == 1
    (text,) = parsed
    assert "body:defens" in text and "body:minist" in text and " OR " in text


@pytest.mark.parametrize(("query", "clause"), [("こいずみ", "body:koizumi^0.6"), ("アプリ", "body:apuri^0.6")])
def test_kana_query_alternatives_are_not_doubled(corpus_index: Index, query: str, clause: str) -> None:
    assert corpus_index.search(query).parsed.count(clause) == 1


def test_question_is_an_or_of_its_words(corpus_index: Index) -> None:
    def ids(q: str) -> set[str]:
        return {h.id for h in corpus_index.search(q, limit=1000)}

    assert ids("小泉はどこで会談した") == ids("小泉") | ids("会談")
    assert corpus_index.search("防衛相はどこで会談した")[0].id == "seed-2"
