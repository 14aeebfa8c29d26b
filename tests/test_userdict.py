"""User dictionaries: words MeCab keeps whole, kept with the index.

Real text from livedoor news (benchmarks/data/livedoor-ja.jsonl.gz): UniDic cuts
東京スカイツリー into 東京 スカイ ツリー; with the user dictionary it is one term.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from searchkit import Index
from searchkit.analysis import Analyzer
from searchkit.analysis.userdict import UserDictionary, UserDictionaryError
from searchkit.cli import main
from searchkit.errors import SchemaMismatch

CORPUS = Path(__file__).parent.parent / "benchmarks" / "data" / "livedoor-ja.jsonl.gz"
WORDS = "surface,reading,pos\n東京スカイツリー,トウキョウスカイツリー,固有名詞\nゆるキャラ,ユルキャラ,名詞\n"


@pytest.fixture(scope="module")
def livedoor() -> list[dict[str, Any]]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        arts = [json.loads(line) for line in f]
    tree = [a for a in arts if "東京スカイツリー" in a["body"]]
    return tree + [a for a in arts[:80] if a not in tree]


def only_inside(article: dict[str, Any], word: str, piece: str) -> bool:
    """``piece`` occurs in the article only inside ``word``."""
    text = f"{article['title']}\n{article['body']}"
    return piece in word and text.count(piece) == text.count(word) > 0


@pytest.fixture
def words(tmp_path: Path) -> Path:
    p = tmp_path / "words.csv"
    p.write_text(WORDS, encoding="utf-8")
    return p


def test_a_new_name_is_one_term_with_exact_offsets(words: Path, livedoor: list[dict[str, Any]]) -> None:
    body = livedoor[0]["body"]
    at = body.index("東京スカイツリー")
    text = body[max(0, at - 20):at + 30]
    plain = [(t.term, text[t.start:t.end]) for t in Analyzer().tokens(text)]
    assert ("東京", "東京") in plain and ("ツリー", "ツリー") in plain
    toks = Analyzer(UserDictionary.load(words)).tokens(text)
    tree = [t for t in toks if t.term == "東京スカイツリー"]
    assert len(tree) == 1 and text[tree[0].start:tree[0].end] == "東京スカイツリー"
    assert tree[0].start == text.index("東京スカイツリー") and tree[0].tag == "名詞-固有名詞"
    assert all(text[t.start:t.end] == t.surface for t in toks)
    assert [t.term for t in Analyzer(UserDictionary.load(words)).tokens("ゆるキャラが人気")] == ["ゆるキャラ", "人気"]


def test_index_search_phrase_matches_pieces_do_not(tmp_path: Path, words: Path,
                                                    livedoor: list[dict[str, Any]]) -> None:
    plain = Index.create(tmp_path / "plain")
    plain.add(livedoor)
    # Articles whose ツリー is only ever that of 東京スカイツリー, which the piece finds
    # without the dictionary (not 東京スカイツリータウン, an unknown word to UniDic).
    inside = ({a["id"] for a in livedoor if only_inside(a, "東京スカイツリー", "ツリー")}
              & {h.id for h in plain.search("ツリー", limit=500)})
    assert len(inside) >= 5

    ix = Index.create(tmp_path / "ud", user_dictionary=words)
    ix.add(livedoor)
    assert not inside & {h.id for h in ix.search("ツリー", limit=500)}
    found = ix.search('"東京スカイツリー"', limit=500)
    assert inside <= {h.id for h in found}
    hit = next(h for h in found if h.id in inside)
    body = hit.fields["body"]
    assert any(m.word == "東京スカイツリー" and body[m.start:m.end] == "東京スカイツリー" and m.how == "exact"
               for m in hit.matches)
    # kept with the index: a later open, search and import use it without being told
    again = Index.open(tmp_path / "ud")
    assert again.user_dictionary is not None and again.user_dictionary.digest == UserDictionary.load(words).digest
    assert "words.csv" in again.info()["user_dictionary"]
    again.add([{"id": "new-1", "title": "新名所", "body": "週末は東京スカイツリーに行った。"}])
    assert "new-1" in {h.id for h in Index.open(tmp_path / "ud").search("東京スカイツリー", limit=500)}
    assert "new-1" not in {h.id for h in Index.open(tmp_path / "ud").search("スカイ", limit=500)}


def test_a_different_dictionary_is_a_schema_mismatch(tmp_path: Path, words: Path) -> None:
    Index.create(tmp_path / "ud", user_dictionary=words)
    other = tmp_path / "other.csv"
    other.write_text("surface,reading,pos\n進次郎構文,シンジロウコウブン,固有名詞\n", encoding="utf-8")
    with pytest.raises(SchemaMismatch) as err:
        Index.open(tmp_path / "ud", user_dictionary=other)
    assert "words.csv" in str(err.value) and "other.csv" in str(err.value) and "--new --user-dict other.csv" in str(err.value)
    Index.create(tmp_path / "plain")
    with pytest.raises(SchemaMismatch, match="user dictionary none"):
        Index.open(tmp_path / "plain", user_dictionary=words)
    assert Index.open(tmp_path / "ud", user_dictionary=words).user_dictionary is not None


@pytest.mark.parametrize("text, message", [
    ("", "the user dictionary is empty"),
    ("surface,reading,pos\n", "has a header but no words"),
    ("word,kana,pos\n東京スカイツリー,トウキョウスカイツリー,固有名詞\n", ":1: the header must be surface,reading,pos"),
    ("surface,reading,pos\n東京スカイツリー,とうきょうスカイツリー,固有名詞\n", ":2: reading 'とうきょうスカイツリー' of '東京スカイツリー' is not katakana"),
    ("surface,reading,pos\n東京スカイツリー,Tokyo,固有名詞\n", ":2: reading 'Tokyo'"),
    ("surface,reading,pos\nゆるキャラ,ユルキャラ,動詞\n", ":2: pos '動詞' of 'ゆるキャラ' is not one of 名詞, 固有名詞"),
    ("surface,reading,pos\nゆるキャラ,ユルキャラ\n", ":2: 2 columns, the header has 3"),
    ("surface,reading,pos\nゆるキャラ,ユルキャラ,名詞\n\nゆるキャラ,ユルキャラ,名詞\n", ":4: 'ゆるキャラ' is already on line 2"),
    ("surface,reading,pos\n,ユルキャラ,名詞\n", ":2: surface is empty"),
])
def test_bad_csv_names_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(UserDictionaryError) as err:
        UserDictionary.load(p)
    assert str(err.value).startswith("bad.csv") and message in str(err.value)
    with pytest.raises(UserDictionaryError):
        Index.create(tmp_path / "ix", user_dictionary=p)
    assert not (tmp_path / "ix").exists()  # nothing made


def test_cli_index_and_analyze_with_a_user_dictionary(tmp_path: Path, words: Path,
                                                       livedoor: list[dict[str, Any]]) -> None:
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in livedoor[:10]), encoding="utf-8")
    d = str(tmp_path / "cli")
    r = CliRunner().invoke(main, ["index", str(src), "-i", d, "--user-dict", str(words), "-q"])
    assert r.exit_code == 0, r.stderr
    other = tmp_path / "other.csv"
    other.write_text("surface,reading,pos\nゆるキャラ,ユルキャラ,名詞\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["index", str(src), "-i", d, "--user-dict", str(other), "-q"])
    assert r.exit_code == 1 and "words.csv" in r.stderr and "other.csv" in r.stderr and "--new" in r.stderr
    r = CliRunner().invoke(main, ["analyze", "--user-dict", str(words), "東京スカイツリーに行った", "--json"])
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows[0] == {"term": "東京スカイツリー", "start": 0, "end": 8, "position": 0, "text": "東京スカイツリー",
                       "surface": "東京スカイツリー", "pos": "名詞-固有名詞", "reading": rows[0]["reading"]}
    plain = CliRunner().invoke(main, ["analyze", "東京スカイツリーに行った", "--json"])
    assert [json.loads(line)["term"] for line in plain.stdout.splitlines()][:3] == ["東京", "スカイ", "ツリー"]
