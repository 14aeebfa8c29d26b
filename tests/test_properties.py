"""Property tests (hypothesis): the analyzer, the query parser and search never
crash and keep their invariants on arbitrary text.

Analyzer invariants (Lucene ``checkRandomData`` / ``checkAnalysisConsistency``):
offsets inside the text, starts never decrease, positions consecutive, the
same input gives the same output, and where normalization changes nothing,
``text[start:end]`` is the token's surface.

Bounded: at most 200 examples per test, no deadline, no example database.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from searchkit import Analyzer, Index, QuerySyntaxError
from searchkit.analysis.normalize import normalize
from searchkit.query import parse

BOUNDED = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Characters that stress the analyzer: NUL and other controls, emoji,
# combining marks (Latin and kana), half-width katakana with its sound marks,
# full-width Latin, Hangul, Thai, unpaired surrogates, line separators.
SPECIALS = list(
    "\x00\x01\x1b\x7f\x85 \u3000\u00a0\u200b\ufeff"
    "😀🎉👍🏽\u200d"
    "e\u0301\u0308\u3099\u309a"
    "ｱｲｳｶﾞｷﾞﾊﾟｰﾞﾟ"
    "ＡＢＣ１２３"
    "안녕하세요สวัสดี"
    "東京小泉防衛相会談したのがをはスマートフォンコンピューター"
    "The ministers's.,-!?。、「」（）"
    "\ud800\udc00\udfff"
    "\u2028\u2029"
)
LINE_BREAKS = "\t\n\r"

any_char = st.one_of(
    st.characters(),
    st.characters(categories=["Cs"]),  # unpaired surrogates
    st.sampled_from(SPECIALS),
    st.sampled_from(list(LINE_BREAKS)),
)
any_text = st.one_of(st.text(), st.text(any_char, max_size=80))
# Line breaks and tabs included: MeCab's line- and tab-separated output must
# not shift offsets (it once did).
short_text = st.text(
    st.one_of(st.characters(), st.sampled_from(SPECIALS), st.sampled_from(list(LINE_BREAKS))), max_size=80
)


def _check_tokens(text: str, analyzer: Analyzer) -> list[Any]:
    tokens = analyzer.tokens(text)
    last = 0
    for i, t in enumerate(tokens):
        assert 0 <= t.start <= t.end <= len(text), t
        assert t.start >= last, (t, tokens)
        assert t.position == i
        assert isinstance(t.term, str) and t.term != ""
        last = t.start
    return tokens


@BOUNDED
@given(text=any_text)
@example(text="\x00東京\x00")
@example(text="\ud800東京")
@example(text="ｶﾞｷﾞ\u3099e\u0301")
@example(text="😀" * 3 + "東京")
def test_analyzer_never_crashes_and_keeps_offsets_inside(analyzer: Analyzer, text: str) -> None:
    first = _check_tokens(text, analyzer)
    assert analyzer.tokens(text) == first  # same input, same output
    assert Analyzer().tokens(text) == first  # a fresh analyzer agrees
    terms = analyzer.terms(text)
    assert all(0 <= s <= e <= len(text) for _, s, e in terms)
    assert [s for _, s, _ in terms] == sorted(s for _, s, _ in terms)
    assert analyzer.terms(text) == terms


@BOUNDED
@given(text=short_text)
@example(text="東京😀です")
@example(text="ＡＳＥＡＮ拡大国防相会議でｺﾝﾋﾟｭｰﾀｰを使った")
def test_terms_agree_with_tokens(analyzer: Analyzer, text: str) -> None:
    assert analyzer.terms(text) == [(t.term, t.start, t.end) for t in analyzer.tokens(text)]


@BOUNDED
@given(text=short_text)
@example(text="小泉防衛相が会談した。 Ministers met.")
def test_offsets_slice_the_surface(analyzer: Analyzer, text: str) -> None:
    """Tokenizer stage: where NFKC changes nothing, ``text[start:end] == surface``."""
    if normalize(text)[0] != text:
        return
    for t in analyzer.tokens(text):
        assert text[t.start : t.end] == t.surface, t


@BOUNDED
@given(text=st.text(st.one_of(st.sampled_from(list("東京小泉が会談した。 スマホ😀")),
                              st.sampled_from(list(LINE_BREAKS + "\u2028\u2029\x85\v\f"))), max_size=40))
@example(text="東京\n小泉")
@example(text="東京\r\n\t小泉\u2028スマホ")
def test_offsets_slice_the_surface_across_line_breaks(analyzer: Analyzer, text: str) -> None:
    for t in analyzer.tokens(text):
        assert text[t.start : t.end] == t.surface, t
    assert analyzer.terms(text) == [(t.term, t.start, t.end) for t in analyzer.tokens(text)]


# -- query parser --------------------------------------------------------------

query_words = st.sampled_from(
    [
        "AND", "OR", "NOT", "(", ")", '"', "-", "title:", "body:", "lang:ja", "category:", "published:[",
        "published:[2012 TO 2012]", "TO", "]", "[", "foo:bar", "小泉", "防衛相会談", "ministers", "*", "\\",
        ":", "url:x", "id:seed-2", "tags:", "\x00", "　",
    ]
)
queries = st.one_of(
    st.text(any_char, max_size=60),
    st.lists(st.one_of(query_words, st.text(max_size=5)), max_size=12).map(" ".join),
    st.lists(query_words, max_size=12).map("".join),
)


@BOUNDED
@given(q=queries)
@example(q="a b ) c ) d")
@example(q='title:"unclosed (OR NOT')
def test_query_parser_lenient_never_raises_strict_only_syntax_errors(q: str) -> None:
    parsed = parse(q)
    assert isinstance(parsed.warnings, list)
    try:
        strict = parse(q, strict=True)
    except QuerySyntaxError as exc:
        assert 0 <= exc.position <= max(len(q), 2000)
        assert exc.query
        assert parsed.warnings, "strict rejected a query that lenient parsing accepted silently"
    else:
        assert strict.tree == parsed.tree


@BOUNDED
@given(q=queries)
@example(q="a b ) c ) d")
@example(q="?)\x1c)\x1c")
@example(q="published:[x TO y]")
@example(q="-")
def test_search_never_raises(corpus_index: Index, q: str) -> None:
    res = corpus_index.search(q, limit=3)
    # total >= len(res) does not hold yet for some kana and alias queries: checked
    # with fixed examples in test_search.py::test_total_counts_every_hit (xfail)
    assert res.total >= 0
    for hit in res:
        snippet = hit.snippet
        assert all(0 <= s < e <= len(snippet.text) for s, e in snippet.spans)
        snippet.html()
        snippet.ansi()
    try:
        corpus_index.search(q, limit=3, strict=True)
    except QuerySyntaxError:
        pass
