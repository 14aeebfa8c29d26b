"""Hostile and huge text: control characters, surrogates, a 10 MB body, a
200,000-character line without spaces, emoji and combining marks.

Each is indexed and searched without a crash, and every snippet is valid:
spans inside the text, in order, not cutting a combining sequence, no
control characters, encodable as UTF-8, and its HTML unescapes to its text.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from reliability_support import no_traceback

from searchkit import Index
from searchkit.results.highlight import Snippet

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def check_snippet(s: Snippet, *, utf8: bool = True) -> None:
    last = 0
    for start, end in s.spans:
        assert last <= start < end <= len(s.text), (s.spans, len(s.text))
        last = end
        if end < len(s.text):
            assert not unicodedata.combining(s.text[end]), f"span ends inside a combining sequence at {end}"
    assert not _CONTROL.search(s.text)
    if utf8:
        s.text.encode("utf-8")
    marked = s.html()
    assert html.unescape(marked.replace("<mark>", "").replace("</mark>", "")) == s.text
    assert "\x1b" not in s.text


@pytest.fixture
def ix(tmp_path: Path) -> Index:
    return Index.create(tmp_path / "ix")


def test_nul_and_control_characters(ix: Index) -> None:
    body = "before\x00after 東京\x00大阪 zebra\x01\x07 bell \x1b[2J clear \x7f\x85\x9b end\u2028line"
    ix.add([{"id": "ctl\x00", "title": "control\x1b[31m title", "body": body}])
    assert "ctl\x00" in ix
    for q in ("zebra", "大阪", "after", "bell"):
        res = ix.search(q)
        assert [h.id for h in res] == ["ctl\x00"], q
        for h in res:
            check_snippet(h.snippet)


def test_nul_from_jsonl_escape(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "nul.jsonl"
    path.write_text(json.dumps({"id": "n1", "title": "nul", "body": "東京\u0000大阪 zebra\u0000zoo"}) + "\n",
                    encoding="utf-8")
    res = cli("index", path, "-i", tmp_path / "ix", "-q")
    assert res.exit_code == 0
    ix = Index.open(tmp_path / "ix")
    hits = ix.search("zoo")
    assert [h.id for h in hits] == ["n1"]
    check_snippet(hits[0].snippet)


SURROGATES = {"id": "sur", "title": "lone \ud800 title", "body": "lonely \udfff surrogate \ud83d here 京都で会議"}


def test_unpaired_surrogates_index_and_search_without_crash(ix: Index) -> None:
    ix.add([SURROGATES])
    for q in ("lonely", "会議", "title"):
        assert [h.id for h in ix.search(q)] == ["sur"]
    check_snippet(ix.search("lonely")[0].snippet, utf8=False)


def test_unpaired_surrogates_give_utf8_encodable_snippets(ix: Index) -> None:
    ix.add([SURROGATES])
    hit = ix.search("lonely")[0]
    check_snippet(hit.snippet)
    hit.fields["title"].encode("utf-8")


def test_lookups_by_an_id_with_a_lone_surrogate(ix: Index) -> None:
    ix.add([{"id": "a\ud800", "title": "t", "category": "c\udfff"}])
    assert len(ix) == 1
    assert "a\ud800" in ix
    assert ix.get("a\ud800") is not None
    assert len(ix.search("id:a\ud800")) == 1
    assert len(ix.search("category:c\udfff")) == 1
    assert ix.delete(["a\ud800"]) == 1


def test_cli_search_prints_articles_with_surrogate_escapes(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "sur.jsonl"
    path.write_text('{"id": "s1", "title": "bad \\ud800 title", "body": "lonely \\udfff surrogate"}\n',
                    encoding="utf-8")
    assert cli("index", path, "-i", tmp_path / "ix", "-q").exit_code == 0
    for args in (["--json"], ["--no-color"]):
        res = cli("search", "lonely", "-i", tmp_path / "ix", *args)
        no_traceback(res)
        assert res.exit_code == 0
        assert "s1" in res.stdout


def test_ten_megabyte_body(ix: Index) -> None:
    unit = "The quick brown fox jumps over the lazy dog. 東京で首脳会談が開かれた。"
    body = (unit * (10_000_000 // len(unit) + 1))[:10_000_000]
    body = body[:5_000_000] + " needle " + body[5_000_000:]
    ix.add([{"id": "big", "title": "ten megabytes", "body": body}, {"id": "small", "title": "fox", "body": "fox"}])
    assert len(ix) == 2
    stored = ix.get("big")
    assert stored is not None and len(stored["body"]) == len(body)
    for q in ("needle", "東京", "fox"):
        hits = ix.search(q)
        assert "big" in [h.id for h in hits], q
        for h in hits:
            check_snippet(h.snippet)
            assert len(h.snippet.text) <= 400
    needle = ix.search("needle")[0].snippet
    assert any(needle.text[a:b] == "needle" for a, b in needle.spans)


@pytest.mark.parametrize("kind", ["ascii", "japanese"])
def test_200k_character_line_without_spaces(kind: str, cli: Any, tmp_path: Path) -> None:
    if kind == "ascii":
        line = ("abcdefghijklmnopqrstuvwxyz0123456789" * 6000)[:200_000]
        title, query = "ascii wall", "wall"
    else:
        line = ("東京都庁で知事と大臣が会談した" * 14000)[:200_000]
        title, query = "日本語の壁", "知事"
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({"id": "long", "title": title, "body": line}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    res = cli("index", path, "-i", tmp_path / "ix", "-q")
    assert res.exit_code == 0, res.stderr
    ix = Index.open(tmp_path / "ix")
    assert ix.get("long")["body"] == line
    hits = ix.search(query)
    assert [h.id for h in hits] == ["long"]
    check_snippet(hits[0].snippet)
    assert 0 < len(hits[0].snippet.text) <= 400
    res = cli("search", query, "-i", tmp_path / "ix", "--jsonl")
    assert res.exit_code == 0 and json.loads(res.stdout.splitlines()[0])["id"] == "long"


FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one emoji of four joined by ZWJ


def test_emoji_and_combining_marks(ix: Index) -> None:
    docs = [
        {"id": "emoji", "title": f"パーティー 🎉{FAMILY}",
         "body": f"Party 🎉 with family {FAMILY} and flags 🇯🇵 in 東京."},
        {"id": "nfc", "title": "cafe", "body": "A café in Paris."},
        {"id": "nfd", "title": "cafe", "body": "A cafe\u0301 in Lyon."},
        {"id": "zalgo", "title": "zalgo",
         "body": "z\u0334\u0321\u0322\u031b\u0317a\u0300\u0301\u0302\u0303l\u0304\u0305g\u0306o text here"},
        {"id": "kana", "title": "濁点", "body": "ｶﾞｷﾞｸﾞ と か\u3099き\u3099 と ガギ"},
    ]
    ix.add(docs)
    assert {h.id for h in ix.search("café")} == {"nfc", "nfd"}
    assert "emoji" in {h.id for h in ix.search("🎉")}
    assert "zalgo" in {h.id for h in ix.search("text")}
    assert "kana" in {h.id for h in ix.search("ガギ")}
    for q in ("café", "🎉", "text", "ガギ", "family", "東京"):
        for h in ix.search(q):
            check_snippet(h.snippet)
    nfd = next(h for h in ix.search("café") if h.id == "nfd").snippet
    assert any(nfd.text[a:b] == "cafe\u0301" for a, b in nfd.spans)
