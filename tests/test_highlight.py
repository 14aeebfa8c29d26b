"""Snippets (highlight.py): passage choice, spans, and safe rendering.

``make_snippet`` is tested directly with hand-made match ranges, and end to end
through an index, where the ranges come from the stored postings.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from searchkit import Index, Snippet
from searchkit.results.highlight import ANSI_OFF, ANSI_ON, make_snippet

JA_TEXT = "これは最初の文です。二番目の文はここにあります！三番目に小泉防衛相が会談した。四番目の文です？最後の文。"
EN_TEXT = ("First sentence is here. Second one is longer than that! Then the Minister spoke? "
           "Fourth sentence. Fifth.")


def marked(snippet: Snippet) -> list[str]:
    return [snippet.text[s:e] for s, e in snippet.spans]


def match(text: str, word: str, term: str | None = None) -> tuple[int, int, str]:
    i = text.index(word)
    return i, i + len(word), term or word


@pytest.fixture
def small_index(tmp_path: Path) -> Index:
    ix = Index.create(tmp_path / "ix")
    ix.add([
        {"id": "ja", "title": "防衛相会談", "body": JA_TEXT},
        {"id": "en", "title": "Ministers", "body": EN_TEXT},
        {"id": "mixed", "title": "ASEAN", "body": "ＡＳＥＡＮ拡大国防相会議でｺﾝﾋﾟｭｰﾀｰを使った。Defense Ministers met."},
    ])
    return ix


# -- spans ------------------------------------------------------------------------


def test_short_text_keeps_the_matched_sentence_whole() -> None:
    text = "前文。小泉防衛相が会談した。後文。"
    for max_chars in (14, 17, 160):
        s = make_snippet(text, [(3, 5, "小泉")], max_chars=max_chars)
        assert "小泉防衛相が会談した。" in s.text
        assert marked(s) == ["小泉"]
        assert len(s.text) <= max_chars
        p = text.index(s.text)
        assert p == 0 or text[p - 1] == "。"
        assert s.text.endswith("。")
        assert str(s) == s.text


@pytest.mark.parametrize(("query", "doc_id", "words"), [
    ("小泉", "ja", ["小泉"]),
    ("会談", "ja", ["会談"]),
    ("防衛相会談", "ja", ["防衛相", "会談"]),  # one phrase; the particle between is not marked
    ("minister", "en", ["Minister"]),
    ("spoke", "en", ["spoke"]),
    ("コンピューター", "mixed", ["ｺﾝﾋﾟｭｰﾀｰ"]),
    ("asean", "mixed", ["ＡＳＥＡＮ"]),
    ("defense ministers", "mixed", ["Defense", "Ministers"]),
])
def test_spans_slice_the_matched_words(small_index: Index, query: str, doc_id: str, words: list[str]) -> None:
    res = small_index.search(query)
    hit = next(h for h in res if h.id == doc_id)
    assert marked(hit.snippet) == words


@pytest.mark.parametrize("sep", ["\n\n", "\r\n", "\t", "\u2028"])
def test_spans_after_paragraph_breaks(tmp_path: Path, sep: str) -> None:
    ix = Index.create(tmp_path / "ix")
    ix.add([{"id": "p", "title": "t", "body": f"東京で会議があった。{sep}小泉防衛相が会談した。{sep}スマホ"}])
    [hit] = ix.search("小泉")
    assert marked(hit.snippet) == ["小泉"]
    [hit] = ix.search("スマホ")  # an unknown word at the very end is indexed
    assert hit.id == "p"
    assert set(marked(hit.snippet)) == {"スマホ"}


_SPAN_MERGE = ("BUG: make_snippet merges overlapping matches by comparing an absolute offset with a "
               "passage-relative span end, so once the passage starts past 0 the same word matched by two terms "
               "(スマホ and r:sumaho share one range) gets two spans and html()/ansi() print it twice")


def test_overlapping_matches_merge_after_the_passage_start() -> None:
    text = "前文。東京でスマホを買った。"
    i = text.index("スマホ")
    s = make_snippet(text, [(i, i + 3, "スマホ"), (i, i + 3, "r:sumaho")], max_chars=12)
    assert s.text == "東京でスマホを買った。"
    assert s.spans == ((3, 6),)
    assert s.html() == "東京で<mark>スマホ</mark>を買った。"


@pytest.mark.parametrize("query", ["スマホ", "コンピューター"])
def test_loanword_query_marks_each_word_once(tmp_path: Path, query: str) -> None:
    ix = Index.create(tmp_path / "loan")
    ix.add([{"id": "k", "title": "t", "body": "関係のない前の文です。東京でスマホとコンピューターを買った。"}])
    [hit] = ix.search(query)
    assert marked(hit.snippet) == [query]
    assert hit.snippet.html().count("<mark>") == 1


def test_overlapping_and_out_of_range_matches() -> None:
    s = make_snippet("abcdef", [(0, 3, "abc"), (1, 2, "b"), (2, 5, "cde"), (4, 99, "bad"), (-1, 2, "bad")])
    assert s.spans == ((0, 5),)
    assert make_snippet("", []) == Snippet("", ())
    assert make_snippet("   ", []) == Snippet("", ())


def test_no_matches_gives_the_beginning() -> None:
    s = make_snippet(JA_TEXT, [], max_chars=30)
    assert s.spans == ()
    assert JA_TEXT.startswith(s.text) and s.text


# -- passage choice ---------------------------------------------------------------------


@pytest.mark.parametrize("max_chars", [20, 30, 40, 60, 200])
def test_japanese_cut_at_sentence_boundaries(max_chars: int) -> None:
    s = make_snippet(JA_TEXT, [match(JA_TEXT, "小泉")], max_chars=max_chars)
    assert marked(s) == ["小泉"]
    p = JA_TEXT.index(s.text)
    assert p == 0 or JA_TEXT[p - 1] in "。！？"
    assert s.text[-1] in "。！？"
    assert len(s.text) <= max_chars


@pytest.mark.parametrize("max_chars", [30, 40, 60, 200])
def test_english_cut_at_sentence_boundaries(max_chars: int) -> None:
    s = make_snippet(EN_TEXT, [match(EN_TEXT, "Minister", "minist")], max_chars=max_chars)
    assert marked(s) == ["Minister"]
    p = EN_TEXT.index(s.text)
    assert p == 0 or EN_TEXT[p - 2] in ".!?"
    assert s.text[-1] in ".!?"
    assert len(s.text) <= max_chars


def test_window_prefers_more_distinct_terms() -> None:
    text = "小泉が来た。" + "関係ない文。" * 30 + "小泉と防衛相が会談した。" + "関係ない文。" * 30
    first = text.index("小泉")
    second = text.index("小泉", first + 1)
    bou = text.index("防衛")
    s = make_snippet(text, [(first, first + 2, "小泉"), (second, second + 2, "小泉"), (bou, bou + 2, "防衛")],
                     max_chars=40)
    assert marked(s) == ["小泉", "防衛"]
    assert "小泉と防衛相が会談した。" in s.text


@pytest.mark.parametrize("filler", ["あ", "テスト", "lorem ipsum "])
def test_long_single_line_body(filler: str) -> None:
    half = filler * (10_000 // len(filler))
    text = half + "小泉" + half
    start = len(half)
    s = make_snippet(text, [(start, start + 2, "小泉")], max_chars=160)
    assert len(s.text) <= 160 + 10
    assert marked(s) == ["小泉"]


def test_long_single_line_body_through_the_index(tmp_path: Path) -> None:
    ix = Index.create(tmp_path / "ix")
    ja = "東京都" * 3_300 + "小泉" + "東京都" * 3_300  # ~20,000 characters, no punctuation
    en = "lorem ipsum " * 830 + "Koizumi " + "lorem ipsum " * 830
    ix.add([{"id": "ja", "title": "t", "body": ja}, {"id": "en", "title": "t", "body": en}])
    # each query finds both: 小泉 is read koizumi, so the name matches across scripts
    for query in ("小泉", "koizumi"):
        hits = {h.id: h for h in ix.search(query)}
        assert set(hits) == {"ja", "en"}
        for doc_id, word in (("ja", "小泉"), ("en", "Koizumi")):
            assert len(hits[doc_id].snippet.text) <= 160 + 10
            assert marked(hits[doc_id].snippet) == [word]


@pytest.mark.parametrize("filler", ["word ", "alpha beta gamma ", "a bb ccc dddd eeeee "])
def test_long_english_sentence_cut_at_word_boundaries(filler: str) -> None:
    text = filler * (20_000 // len(filler))
    i = text.index("Koizumi") if "Koizumi" in text else len(text) // 2
    i = text.index(" ", i) + 1
    word = text[i : text.index(" ", i)]
    s = make_snippet(text, [(i, i + len(word), word)], max_chars=160)
    assert marked(s) == [word]
    p = text.index(s.text)
    assert p == 0 or text[p - 1] == " "
    end = p + len(s.text)
    assert end == len(text) or text[end] == " " or s.text.endswith(" ")


def test_control_characters_become_spaces() -> None:
    text = "小泉\x1b[31m防衛相\x00が\x07会談した。"
    s = make_snippet(text, [match(text, "会談")])
    assert len(s.text) == len(text)
    assert not re.search(r"[\x00-\x1f\x7f]", s.text)
    assert marked(s) == ["会談"]


# -- rendering ------------------------------------------------------------------------


def test_html_escapes_document_text() -> None:
    text = '<script>alert("x")</script> Tom & Jerry\'s 小泉 <b>bold</b>'
    s = make_snippet(text, [match(text, "小泉")])
    out = s.html()
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in out
    assert "Tom &amp; Jerry&#x27;s" in out
    assert "<mark>小泉</mark>" in out
    assert re.sub(r"</?mark>", "", out).count("<") == 0
    assert s.html(tag="em").count("<em>") == 1


def test_html_escapes_inside_a_match() -> None:
    text = "AT&T <co>"
    s = Snippet(text, ((0, 4),))
    assert s.html() == "<mark>AT&amp;T</mark> &lt;co&gt;"


@pytest.mark.parametrize("tag", ["", "mark onclick=x", "<b>", "1b", "a>b"])
def test_html_rejects_bad_tag(tag: str) -> None:
    with pytest.raises(ValueError):
        Snippet("x", ()).html(tag=tag)


def test_ansi_carries_no_escape_from_the_document(small_index: Index, tmp_path: Path) -> None:
    body = "小泉防衛相が\x1b[31m会談した\x1b[0m。\x1b]0;title\x07 Minister\x9b31m spoke."
    s = make_snippet(body, [match(body, "会談"), match(body, "Minister")])
    out = s.ansi()
    assert "\x1b[31m" not in out and "\x1b]0" not in out and "\x9b" not in out
    assert out.count("\x1b") == 2 * len(s.spans) == 4
    assert out.count(ANSI_ON) == 2 and out.count(ANSI_OFF) == 2
    assert out.replace(ANSI_ON, "").replace(ANSI_OFF, "") == s.text
    # end to end
    ix = Index.create(tmp_path / "esc")
    ix.add([{"id": "e", "title": "t", "body": body}])
    [hit] = ix.search("会談")
    assert "\x1b[31m" not in hit.snippet.ansi()
    assert "\x1b" not in hit.snippet.text


def test_plain_rendering() -> None:
    s = Snippet("小泉防衛相", ((0, 2),))
    assert str(s) == "小泉防衛相"
    assert s.ansi(on="[", off="]") == "[小泉]防衛相"
    assert s.html() == "<mark>小泉</mark>防衛相"


# -- whole units (a compound or phrase is marked where it stands whole) ------------


def test_a_compound_is_marked_whole_and_its_pieces_elsewhere_are_not(tmp_path: Path) -> None:
    ix = Index.create(tmp_path / "ix")
    ix.add([{"id": "a", "title": "防衛相が会見", "body": "防衛省の発表。国防相が来日。小泉防衛相が会談した。"},
            {"id": "b", "title": "新型スマートフォン", "body": "スマートな人はスマートフォンを使う。"}])
    [hit] = ix.search("防衛相")
    assert marked(hit.snippet) == ["防衛相"]
    assert [(m.word, m.query, m.how) for m in hit.matches] == [("防衛相", "防衛相", "exact")]
    assert hit.snippet.html() == "小泉<mark>防衛相</mark>が会談した。"
    assert marked(hit.title_snippet) == ["防衛相"]
    [hit] = ix.search("スマートフォン")
    assert hit.snippet.html() == "スマートな人は<mark>スマートフォン</mark>を使う。"
    assert [m.word for m in hit.title_matches] == ["スマートフォン"]
    [hit] = ix.search("防衛 会談")  # two words searched apart: each is marked wherever it stands
    assert [m.word for m in hit.matches] == ["防衛", "防衛", "会談"]


def test_a_quoted_english_phrase_is_one_mark(tmp_path: Path) -> None:
    ix = Index.create(tmp_path / "ix")
    ix.add([{"id": "c", "title": "Prime Minister speaks", "body": "The prime minister met a minister. Prime time."}])
    [hit] = ix.search('"prime minister"')
    assert hit.snippet.html() == "The <mark>prime minister</mark> met a minister. Prime time."
    assert [(m.word, m.how) for m in hit.matches] == [("prime minister", "exact")]
    assert hit.title_snippet.html() == "<mark>Prime Minister</mark> speaks"
    [hit] = ix.search("title:minister")  # a field's query marks that field only
    assert marked(hit.title_snippet) == ["Minister"] and hit.matches == []


def test_a_field_query_marks_only_its_field(tmp_path: Path) -> None:
    ix = Index.create(tmp_path / "ix")
    ix.add([{"id": "a", "title": "防衛相が会見", "body": "小泉防衛相が会談した。"}])
    [hit] = ix.search("title:防衛相")
    assert marked(hit.title_snippet) == ["防衛相"] and hit.snippet.spans == ()


@pytest.mark.parametrize(("query", "piece"), [("スマートフォン", "スマート"), ("芸能人", "芸能")])
def test_whole_units_on_livedoor_articles(tmp_path: Path, query: str, piece: str) -> None:
    """On real articles holding both the compound and its first piece alone,
    every mark is the compound (or a piece of it next to the rest), and
    ``hit.matches`` names exactly the marked words."""
    import gzip
    import json

    alone = re.compile(piece + "(?!.?" + query[len(piece):] + ")")  # スマート not before フォン
    data = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "livedoor-ja.jsonl.gz"
    with gzip.open(data, "rt", encoding="utf-8") as f:
        articles = [a for a in map(json.loads, f) if query in a["body"] and alone.search(a["body"])]
    assert len(articles) >= 20
    ix = Index.create(tmp_path / "ix")
    ix.add(articles)
    res = ix.search(query, limit=200)
    assert len(res) == len(articles)
    whole = 0
    for hit in res:
        body = hit.fields["body"]
        lone = {m.start() for m in alone.finditer(body)}
        assert lone, hit.id
        for m in hit.matches:
            assert m.start not in lone, (hit.id, body[m.start - 5:m.end + 5])
            assert body[m.start:m.end] == m.word
            whole += m.word == query
        words = {m.word for m in hit.matches}
        assert set(marked(hit.snippet)) <= words, hit.id
    assert whole >= 0.95 * sum(len(h.matches) for h in res)
