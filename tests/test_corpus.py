"""Tests for the bundled demo corpus (searchkit.ingest.corpus)."""

from __future__ import annotations

import gzip
import json
from itertools import islice
from pathlib import Path

import pytest

from searchkit.ingest.corpus import (
    SAMPLE_FILES,
    first_sentence,
    sample_articles,
    seed_dir,
    seed_pages,
    split_seed_page,
)

REPO = Path(__file__).resolve().parents[1]
PAGE_PATH = REPO / "seeds" / "000_a0c66cc05b47fdb4.txt"
DATA = REPO / "benchmarks" / "data"

MAIN_TITLE = "South Korean, Japanese defense chiefs reaffirm trilateral security ties"
RELATED_HEADLINE = "South Korean defense minister to visit Japan for talks with counterpart"

BOILERPLATE = [
    "South Korean and Japanese defense ministers shaking hands at an international meeting",
    "South Korean and Japanese defense ministers shaking hands during bilateral talks",
    "AIによって生成された画像",
    "AIによるレポート",
    "関連記事",
    "このウェブサイトはCookieを使用します",
    "サイトを改善するための分析にCookieを使用します",
    "Cookie",
    "拒否",
    "\xa0",
]

# First words of every related-article summary on the page.
RELATED_STARTS = [
    "South Korean Defense Minister Ahn Gyu-back is set to visit Japan next week",
    "日本の小泉進次郎防衛相と韓国の安圭伯国防相は",
    "South Korea and Japan agreed on January 30",
    "The United States has reaffirmed its commitment to extended deterrence",
    "South Korea is preparing to host the Asia-Pacific Economic Cooperation",
    "A senior South Korean presidential official said on November 7",
    "Following the 2+2 Dialogue and defense industry visits in Ankara",
]

MAIN_STARTS = [
    "South Korea's and Japan's defense chiefs reaffirmed",
    "The ASEAN Defense Ministers' Meeting-Plus (ADMM-Plus) convened",
    "South Korean Defense Minister Ahn Gyu-back held his first in-person talks",
    "In a speech, Ahn described",
    "Ahn requested China's",
    "With U.S. Defense Secretary Pete Hegseth",
    "Ahn also held talks with Australian Defense Minister",
]


@pytest.fixture(scope="module")
def page() -> str:
    return PAGE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def articles(page: str) -> list[dict]:
    return split_seed_page(page)


def _load(name: str) -> dict[str, dict]:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as fh:
        records = (json.loads(line) for line in fh if line.strip())
        return {r["id"]: r for r in records}


def test_article_count_and_fields(articles: list[dict]) -> None:
    assert len(articles) == 1 + len(RELATED_STARTS)
    for a in articles:
        assert set(a) == {"id", "title", "body", "lang", "category", "tags"}
        assert a["category"] == "news"
        assert a["tags"] == []
        assert a["lang"] in {"ja", "en"}
        assert a["title"].strip() and a["body"].strip()
        assert "url" not in a


def test_ids_unique_and_stable(articles: list[dict]) -> None:
    ids = [a["id"] for a in articles]
    assert ids == [f"seed-{i}" for i in range(len(articles))]
    assert len(set(ids)) == len(ids)
    assert [a["id"] for a in split_seed_page(PAGE_PATH.read_text(encoding="utf-8"), source="x")][0] == "x-0"


def test_main_article(articles: list[dict]) -> None:
    main = articles[0]
    assert main["title"] == MAIN_TITLE
    assert main["lang"] == "en"
    paragraphs = main["body"].split("\n\n")
    assert len(paragraphs) == len(MAIN_STARTS)
    for para, start in zip(paragraphs, MAIN_STARTS):
        assert para.startswith(start)
    # No related summary leaked into the main article.
    for start in RELATED_STARTS:
        assert start not in main["body"]


def test_each_related_summary_is_its_own_article(articles: list[dict]) -> None:
    related = articles[1:]
    for article, start in zip(related, RELATED_STARTS):
        assert article["body"].startswith(start)
        assert "\n" not in article["body"]  # exactly one summary paragraph
    # A headline followed by its summary becomes title + body.
    assert related[0]["title"] == RELATED_HEADLINE
    assert RELATED_HEADLINE not in related[0]["body"]
    # Summaries without a headline are titled with their first sentence.
    for article in related[1:]:
        assert article["body"].startswith(article["title"])
        assert article["title"][-1] in ".。"


def test_japanese_summary(articles: list[dict]) -> None:
    ja = [a for a in articles if "小泉進次郎" in a["body"]]
    assert len(ja) == 1
    article = ja[0]
    assert article["lang"] == "ja"
    assert article["title"] == "日本の小泉進次郎防衛相と韓国の安圭伯国防相は、神奈川県の横須賀基地で会談し、毎年相互訪問を行うことで合意した。"
    assert article["body"].endswith("AIなどの先端技術協力も約束した。")
    assert [a["lang"] for a in articles].count("ja") == 1


@pytest.mark.parametrize("needle", BOILERPLATE)
def test_no_boilerplate(articles: list[dict], needle: str) -> None:
    for a in articles:
        assert needle not in a["title"], (a["id"], needle)
        assert needle not in a["body"], (a["id"], needle)


def test_text_verbatim(page: str, articles: list[dict]) -> None:
    lines = set(page.splitlines())
    for a in articles:
        assert a["body"] in page
        assert a["title"] in page
        for para in a["body"].split("\n\n"):
            assert para in lines  # whole page lines, unmodified


def test_title_from_first_sentence_handles_abbreviations() -> None:
    text = "Seoul hosts U.S. President Trump on Nov. 7 for talks. More follows."
    assert first_sentence(text) == "Seoul hosts U.S. President Trump on Nov. 7 for talks."
    assert first_sentence("一文目です。二文目です。") == "一文目です。"
    assert first_sentence("No stop here") == "No stop here"


def test_general_rules_on_synthetic_page() -> None:
    text = (
        "A photo of a cat sitting on a mat.\n"
        "AIによって生成された画像\n\n"
        "Cat found on mat\n\n"
        "AIによるレポート\n\n"
        "First paragraph. It has two sentences.\n\n"
        "Second paragraph.\n\n"
        "関連記事\n\n"
        "Dog barks at night\n\n"
        "AIによるレポート AIによって生成された画像\n\n"
        "A dog barked. Neighbours complained.\n\n"
        "AIによるレポート 猫が見つかった。\n\n"
        "\xa0\n\n"
        "This website uses cookies to improve the site.\n\n"
        "Reject\n"
    )
    got = split_seed_page(text, source="t")
    assert [(a["id"], a["title"], a["body"], a["lang"]) for a in got] == [
        ("t-0", "Cat found on mat", "First paragraph. It has two sentences.\n\nSecond paragraph.", "en"),
        ("t-1", "Dog barks at night", "A dog barked. Neighbours complained.", "en"),
        ("t-2", "猫が見つかった。", "猫が見つかった。", "ja"),
    ]


def test_seed_dir_and_pages() -> None:
    directory = seed_dir()
    assert directory.is_dir()
    pages = seed_pages()
    assert PAGE_PATH.name in [p.name for p in pages]
    assert not any(p.name.upper().startswith("LICENSE") for p in pages)
    for name in SAMPLE_FILES:
        assert (directory / name).is_file()


def test_sample_articles_yields_seed_then_samples(articles: list[dict]) -> None:
    corpus = list(sample_articles())
    n_seed = sum(len(split_seed_page(p.read_text(encoding="utf-8"))) for p in seed_pages())
    seed_part, rest = corpus[:n_seed], corpus[n_seed:]
    assert [a["id"] for a in seed_part] == [f"seed-{i}" for i in range(n_seed)]
    assert seed_part[: len(articles)] == articles

    livedoor = [r for r in rest if r["id"].startswith("livedoor-")]
    bbc = [r for r in rest if r["id"].startswith("bbc-")]
    assert len(livedoor) + len(bbc) == len(rest)
    assert rest == livedoor + bbc  # livedoor sample first, then BBC
    assert 350 <= len(livedoor) <= 450
    assert 150 <= len(bbc) <= 250
    ids = [a["id"] for a in corpus]
    assert len(set(ids)) == len(ids)


@pytest.mark.skipif(not DATA.is_dir(), reason="benchmark data not available")
def test_sample_records_equal_originals() -> None:
    corpus = list(sample_articles())
    livedoor_src = _load("livedoor-ja.jsonl.gz")
    bbc_src = _load("bbc-en.jsonl.gz")
    livedoor = [r for r in corpus if r["id"].startswith("livedoor-")]
    bbc = [r for r in corpus if r["id"].startswith("bbc-")]
    # A handful checked in detail by id ...
    for record in islice(livedoor, 0, None, 80):
        assert record == livedoor_src[record["id"]]
    for record in islice(bbc, 0, None, 40):
        assert record == bbc_src[record["id"]]
    # ... and every record is an unmodified original.
    assert all(r == livedoor_src[r["id"]] for r in livedoor)
    assert all(r == bbc_src[r["id"]] for r in bbc)
    # The topical picks are present.
    assert any("小泉" in r["body"] for r in livedoor)
    assert any("防衛" in r["body"] for r in livedoor)
    assert any("Japan" in r["body"] for r in bbc)
    assert any("Korea" in r["body"] for r in bbc)
