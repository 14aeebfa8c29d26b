"""Synonym tables: reading them, keeping them with the index, and searching with them.

The search tests use real livedoor news articles (benchmarks/data/livedoor-ja.jsonl.gz):
livedoor-5473472 says 米国 (in 「子供がほしい」とする比率は米国、デンマーク、トルコの順に高く)
and never アメリカ.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from searchkit import Index
from searchkit.cli import main
from searchkit.query.synonyms import STARTER, SYNONYM_BOOST, SynonymError, SynonymTable, starter_path

CORPUS = Path(__file__).parent.parent / "benchmarks" / "data" / "livedoor-ja.jsonl.gz"
BEIKOKU = "livedoor-5473472"


@pytest.fixture(scope="module")
def livedoor() -> list[dict[str, Any]]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        arts = [json.loads(line) for line in f]
    by_id = {a["id"]: a for a in arts}
    amerika = [a for a in arts if "アメリカ" in a["title"] + a["body"]][:40]
    others = arts[:60]
    picked = {a["id"]: a for a in [by_id[BEIKOKU], *amerika, *others]}
    return list(picked.values())


@pytest.fixture
def ix(tmp_path: Path, livedoor: list[dict[str, Any]]) -> Index:
    index = Index.create(tmp_path / "ix")
    index.add(livedoor)
    return index


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# -- reading -----------------------------------------------------------------


def test_starter_table_loads_and_is_news_sized() -> None:
    table = SynonymTable.load(STARTER)
    assert 50 <= len(table) <= 200
    assert ("米国", "synonyms_news.tsv:12") in table.expand("アメリカ")
    assert (starter_path().parent / "synonyms_news.LICENSE").exists()


def test_tsv_and_json_read_the_same(tmp_path: Path) -> None:
    tsv = SynonymTable.load(write(tmp_path, "s.tsv", "# news\n東証\t東京証券取引所\tTokyo Stock Exchange\n"))
    js = SynonymTable.load(write(tmp_path, "s.json", '{"東証": ["東京証券取引所", "Tokyo Stock Exchange"]}'))
    assert [w for w, _ in tsv.expand("東証")] == [w for w, _ in js.expand("東証")] == \
        ["東京証券取引所", "Tokyo Stock Exchange"]
    assert tsv.expand("tokyo  stock exchange")[0] == ("東証", "s.tsv:2")


@pytest.mark.parametrize("text, message", [
    ("米国\tアメリカ\n首相 総理\n", "s.tsv:2: a synonym line needs at least two tab-separated names"),
    ("米国\tアメリカ\n米国\n", "s.tsv:2: a synonym line needs at least two"),
    ("米国\tＡｍｅｒｉｃａ\n米国\t米国\n", "s.tsv:2: "),
    ("米国\tアメリカ\nアメリカ\tUSA\n", "s.tsv:2: 'アメリカ' is already in the group of s.tsv:1"),
    ("", "s.tsv: the synonym file has no groups"),
    ("# only a comment\n\n", "s.tsv: the synonym file has no groups"),
])
def test_bad_tables_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SynonymError) as err:
        SynonymTable.load(write(tmp_path, "s.tsv", text))
    assert message in str(err.value)


def test_bad_json_and_bad_bytes(tmp_path: Path) -> None:
    with pytest.raises(SynonymError, match=r"s\.json:2: invalid JSON"):
        SynonymTable.load(write(tmp_path, "s.json", '{"米国":\n ["アメリカ",]}'))
    bad = tmp_path / "b.tsv"
    bad.write_bytes("米国\tアメリカ\n".encode() + b"\xff\n")
    with pytest.raises(SynonymError, match=r"b\.tsv:2: not UTF-8"):
        SynonymTable.load(bad)
    with pytest.raises(SynonymError, match="cannot read the synonym file"):
        SynonymTable.load(tmp_path / "missing.tsv")


# -- searching ---------------------------------------------------------------


def test_a_query_for_amerika_finds_the_article_that_says_beikoku(ix: Index) -> None:
    assert BEIKOKU not in [h.id for h in ix.search("アメリカ", limit=200)]
    ix.set_synonyms(STARTER)
    assert BEIKOKU in [h.id for h in ix.search("アメリカ", limit=200)]
    res = ix.search("アメリカ デンマーク", limit=50)
    assert BEIKOKU in [h.id for h in res] and not res.warnings  # both words, no fallback
    assert ("アメリカ", "米国", "synonyms.tsv:12") in res.expansions  # the copy kept with the index
    body = ix.get(BEIKOKU)["body"]  # type: ignore[index]
    at = body.index("米国、デンマーク")
    hit = next(h for h in res if h.id == BEIKOKU)
    assert any(m.start == at and m.end == at + 2 and m.word == "米国" and m.how == "synonym"
               and m.query == "アメリカ" for m in hit.matches)


def test_a_synonym_scores_below_the_word_itself(ix: Index) -> None:
    ix.set_synonyms(STARTER)
    exact = {h.id: h.score for h in ix.search("米国", limit=200)}
    through = {h.id: h.score for h in ix.search("アメリカ", limit=200)}
    assert BEIKOKU in exact and BEIKOKU in through
    assert through[BEIKOKU] == pytest.approx(exact[BEIKOKU] * SYNONYM_BOOST, rel=1e-3)


def test_a_quoted_phrase_and_a_word_inside_another_get_no_synonyms(ix: Index) -> None:
    ix.set_synonyms(STARTER)
    assert ix.search('"アメリカ"').expansions == []
    assert BEIKOKU not in [h.id for h in ix.search('"アメリカ"', limit=200)]
    # 米国 is not a word of 米国心臓協会's analysis only when MeCab cuts it apart: check on tokens.
    assert ix.search("ネット").expansions and ix.search("ネットワーク").expansions == []


def test_synonyms_are_kept_with_the_index_and_bad_ones_change_nothing(ix: Index, tmp_path: Path) -> None:
    ix.set_synonyms(write(tmp_path, "mine.tsv", "米国\tアメリカ\n"))
    again = Index.open(ix.path)
    assert again.synonyms is not None and len(again.synonyms) == 1 and again.info()["synonyms"] == 1
    with pytest.raises(SynonymError):
        again.set_synonyms(write(tmp_path, "bad.tsv", "米国\tアメリカ\nアメリカ\tUSA\n"))
    third = Index.open(ix.path)
    assert third.synonyms is not None and [w for w, _ in third.synonyms] == [("米国", "アメリカ")]
    third.set_synonyms(None)
    assert Index.open(ix.path).synonyms is None


def test_cli_index_with_synonyms_lists_and_searches(tmp_path: Path, livedoor: list[dict[str, Any]]) -> None:
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in livedoor[:20]), encoding="utf-8")
    d = str(tmp_path / "cli")
    bad = write(tmp_path, "bad.tsv", "米国\n")
    r = CliRunner().invoke(main, ["index", str(src), "-i", d, "--synonyms", str(bad), "-q"])
    assert r.exit_code == 1 and "bad.tsv:1" in r.stderr and not (tmp_path / "cli").exists()
    r = CliRunner().invoke(main, ["index", str(src), "-i", d, "--synonyms", "starter", "-q"])
    assert r.exit_code == 0, r.stderr
    listed = CliRunner().invoke(main, ["synonyms", "-i", d, "--json"])
    groups = json.loads(listed.stdout)
    assert len(groups) == len(SynonymTable.load(STARTER))
    assert groups[0]["words"][:2] == ["米国", "アメリカ"] and groups[0]["source"] == "synonyms.tsv:12"
    out = CliRunner().invoke(main, ["search", "アメリカ", "-i", d])
    assert "note: アメリカ also searched as 米国 (synonym, synonyms.tsv:12)" in out.stderr
