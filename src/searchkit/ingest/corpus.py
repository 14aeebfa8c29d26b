"""Bundled demo corpus.

The demo corpus has two parts:

* **Seed pages** (``seeds/*.txt``): plain-text copies of real news-site pages.
  A page holds one main article followed by a list of related-article
  summaries, mixed with page furniture (image captions, "AI generated"
  labels, a cookie banner).  :func:`split_seed_page` turns such a page into
  clean article records.
* **Samples** (``seeds/livedoor-ja-sample.jsonl.gz`` and
  ``seeds/bbc-en-sample.jsonl.gz``): small, deterministic subsets of the
  livedoor news corpus (Japanese) and the BBC news dataset (English), with
  records copied unchanged.  They are produced by ``benchmarks/make_samples.py``.

:func:`sample_articles` yields all of them, seed articles first.

The seed directory is located by :func:`seed_dir`, which works both from a
source checkout (``<repo>/seeds``) and from an installed wheel, where the
directory is shipped as package data at ``searchkit/_seeds``.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "SAMPLE_FILES",
    "sample_articles",
    "seed_dir",
    "seed_pages",
    "split_seed_page",
]

#: Bundled JSONL samples, yielded by :func:`sample_articles` in this order.
SAMPLE_FILES: tuple[str, ...] = (
    "livedoor-ja-sample.jsonl.gz",
    "bbc-en-sample.jsonl.gz",
)

# Files in the seed directory that end in ``.txt`` but are not seed pages.
_NON_PAGE_PREFIXES: tuple[str, ...] = ("LICENSE", "LICENCE", "README", "NOTICE", "COPYING")

# Labels the site puts on images and machine-written summaries.  They are
# dropped wherever they stand alone on a line and stripped when they prefix a
# line (possibly several in a row, e.g. "AIによるレポート AIによって生成された画像").
_IMAGE_LABELS: tuple[str, ...] = ("AIによって生成された画像",)
_LABELS: tuple[str, ...] = _IMAGE_LABELS + ("AIによるレポート",)

# Lines that open the related-articles section.
_RELATED_MARKERS: frozenset[str] = frozenset(
    {"関連記事", "関連ニュース", "Related articles", "Related stories", "Related news"}
)

# A line announcing a cookie-consent banner.  The banner (notice, explanation,
# buttons) is appended at the end of the extracted page text, so everything
# from the first such line to the end of the page is dropped.
_COOKIE_NOTICE = re.compile(
    r"(?:Cookie|クッキー)\s*(?:を使用|を利用|の使用|の利用)"
    r"|(?:This|Our) (?:web)?site uses cookies",
    re.IGNORECASE,
)

# Kana and kanji (CJK unified ideographs incl. extension A, half-width katakana).
_JA_CHARS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")

# Characters that end a sentence; a line ending in one of them is prose, not a
# headline.
_SENTENCE_END = ".!?。！？"
_CLOSERS = "\"'”’」』)）"

# Maximum length of a line that can be a headline.
_MAX_HEADLINE_CHARS = 150

# Abbreviations after which a full stop does not end an English sentence.
_ABBREVIATIONS: frozenset[str] = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "gen", "col", "lt",
        "sgt", "capt", "gov", "sen", "rep", "rev", "no", "vs", "etc", "inc",
        "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
        "sep", "sept", "oct", "nov", "dec",
    }
)
_EN_STOP = re.compile(r"[.!?][\"'”’)]*(?=\s+[\"'“‘(]?[A-Z0-9])")
_JA_STOP = re.compile(r"[。！？][」』）]*")


def seed_dir() -> Path:
    """Return the directory holding the seed pages and bundled samples.

    An installed wheel ships the repository's ``seeds/`` directory as package
    data at ``searchkit/_seeds``; that location is used when it exists.
    Otherwise (source checkout, editable install) the repository's ``seeds/``
    directory is used.
    """
    packaged = Path(__file__).resolve().parents[1] / "_seeds"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "seeds"


def seed_pages() -> list[Path]:
    """Return the seed page files (``*.txt`` in :func:`seed_dir`), sorted by name.

    Licence and readme files (``LICENSE-*.txt`` …) are not pages and are skipped.
    """
    directory = seed_dir()
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.glob("*.txt")
        if p.is_file() and not p.name.upper().startswith(_NON_PAGE_PREFIXES)
    )


def detect_lang(text: str) -> str:
    """Return ``"ja"`` if *text* contains kana or kanji, else ``"en"``."""
    return "ja" if _JA_CHARS.search(text) else "en"


def _strip_labels(line: str) -> str:
    """Remove every label that prefixes *line* (repeatedly) and return the rest."""
    rest = line.strip()
    changed = True
    while changed:
        changed = False
        for label in _LABELS:
            if rest.startswith(label):
                rest = rest[len(label):].lstrip()
                changed = True
    return rest


def _has_image_label(line: str) -> bool:
    """True if *line* consists only of labels, at least one of them an image label."""
    stripped = line.strip()
    return _strip_labels(stripped) == "" and any(label in stripped for label in _IMAGE_LABELS)


def _is_headline(paragraph: str) -> bool:
    """A headline is a short line that does not end like a sentence."""
    text = paragraph.rstrip(_CLOSERS)
    return (
        0 < len(paragraph) <= _MAX_HEADLINE_CHARS
        and bool(text)
        and text[-1] not in _SENTENCE_END
    )


def first_sentence(text: str) -> str:
    """Return the first sentence of *text*, verbatim (terminal punctuation kept).

    Japanese sentences end at 。！？ (plus closing brackets).  English
    sentences end at ``.``, ``!`` or ``?`` followed by whitespace and an
    upper-case letter or digit, except after initials and abbreviations such
    as ``U.S.``, ``Mr.`` or ``Nov.``.  Whichever boundary comes first wins; if
    there is none, the whole text is returned.
    """
    text = text.strip()
    candidates: list[int] = []
    ja = _JA_STOP.search(text)
    if ja and ja.end() < len(text):
        candidates.append(ja.end())
    for match in _EN_STOP.finditer(text):
        if match.group()[0] == ".":
            word = re.search(r"[\w.]*$", text[: match.start()])
            token = word.group() if word else ""
            if re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", token) or token.lower() in _ABBREVIATIONS:
                continue
        candidates.append(match.end())
        break
    return text[: min(candidates)] if candidates else text


def _content_lines(text: str) -> list[tuple[str, bool]]:
    """Reduce a page to its content lines.

    Returns ``(line, is_related_marker)`` pairs: ``is_related_marker`` is true
    for a related-articles section marker (whose text is then irrelevant).
    All boilerplate rules are applied here; see :func:`split_seed_page`.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")

    # Cookie banner: drop everything from the first cookie notice onwards.
    for i, line in enumerate(lines):
        if _COOKIE_NOTICE.search(line):
            lines = lines[:i]
            break

    # Image captions / alt text: the non-blank line glued (no blank line in
    # between) to an image label line.
    captions: set[int] = set()
    for i, line in enumerate(lines):
        if _has_image_label(line) and i > 0:
            prev = lines[i - 1]
            if prev.strip() and _strip_labels(prev):
                captions.add(i - 1)

    result: list[tuple[str, bool]] = []
    for i, line in enumerate(lines):
        if i in captions:
            continue
        content = _strip_labels(line)  # also turns NBSP-only lines into ""
        if not content:
            continue
        if content in _RELATED_MARKERS:
            result.append((content, True))
        else:
            result.append((content, False))
    return result


def _make_article(source: str, index: int, title: str, paragraphs: list[str]) -> dict[str, Any]:
    body = "\n\n".join(paragraphs)
    return {
        "id": f"{source}-{index}",
        "title": title,
        "body": body,
        "lang": detect_lang(f"{title}\n{body}"),
        "category": "news",
        "tags": [],
    }


def split_seed_page(text: str, *, source: str = "seed") -> list[dict[str, Any]]:
    """Split the text of a news page into article records.

    The page is read line by line; each non-blank line is one paragraph.

    Boilerplate removal (general rules, no line numbers):

    1. **Cookie banner** - the first line announcing cookie use
       (``…Cookieを使用します``, ``This site uses cookies``) and everything
       after it (explanation, "拒否"/accept buttons) is dropped.
    2. **Image captions / alt text** - a non-blank line directly followed,
       without a blank line in between, by an image label line
       (``AIによって生成された画像``) is the image's caption and is dropped.
    3. **Labels** - ``AIによって生成された画像`` and ``AIによるレポート`` are
       dropped when alone on a line and stripped when they prefix a line
       (several in a row are stripped too).
    4. **Blank lines** - including lines holding only non-breaking spaces -
       only separate paragraphs.
    5. **Section marker** - ``関連記事`` (or ``Related articles`` …) is not
       content; it ends the main article and starts the related section.

    Segmentation:

    * **Main article** (everything before the section marker): its first
      paragraph is the title if it looks like a headline (at most 150
      characters and not ending with sentence punctuation), the remaining
      paragraphs are the body.  Without a headline, the title is the body's
      first sentence.
    * **Related section**: every paragraph is its own article.  A headline
      paragraph followed by a summary paragraph gives title + body; a summary
      without a headline gets its first sentence as title.

    Text is never rewritten: titles and paragraphs are the page's lines as
    written (minus stripped label prefixes and surrounding whitespace), body
    paragraphs are joined with a blank line, and generated titles are a
    verbatim prefix of the body.

    Each record is a dict with ``id`` (``f"{source}-{n}"``, numbered in page
    order from 0), ``title``, ``body``, ``lang`` (``"ja"`` if the text holds
    kana/kanji, else ``"en"``), ``category`` (``"news"``) and ``tags``
    (empty list).
    """
    content = _content_lines(text)
    marker = next((i for i, (_, is_marker) in enumerate(content) if is_marker), len(content))
    main = [line for line, is_marker in content[:marker] if not is_marker]
    related = [line for line, is_marker in content[marker:] if not is_marker]

    articles: list[dict[str, Any]] = []

    if main:
        if len(main) > 1 and _is_headline(main[0]):
            title, paragraphs = main[0], main[1:]
        else:
            title, paragraphs = first_sentence(main[0]), main
        articles.append(_make_article(source, len(articles), title, paragraphs))

    i = 0
    while i < len(related):
        para = related[i]
        if _is_headline(para) and i + 1 < len(related) and not _is_headline(related[i + 1]):
            articles.append(_make_article(source, len(articles), para, [related[i + 1]]))
            i += 2
        else:
            articles.append(_make_article(source, len(articles), first_sentence(para), [para]))
            i += 1

    return articles


def _read_jsonl_gz(path: Path) -> Iterator[dict[str, Any]]:
    # Iterating the text stream splits on "\n" only (unlike str.splitlines,
    # which would also split on U+2028 etc. inside article bodies).
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def sample_articles() -> Iterator[dict[str, Any]]:
    """Yield the demo corpus: seed-page articles, then the bundled samples.

    Seed articles come from every seed page (see :func:`seed_pages`, sorted by
    file name) and are numbered ``seed-0``, ``seed-1``, … across pages.  The
    sample records (livedoor, then BBC) are yielded exactly as stored.
    Missing sample files are skipped.
    """
    directory = seed_dir()
    n = 0
    for page in seed_pages():
        for article in split_seed_page(page.read_text(encoding="utf-8"), source="seed"):
            article["id"] = f"seed-{n}"
            n += 1
            yield article
    for name in SAMPLE_FILES:
        path = directory / name
        if path.is_file():
            yield from _read_jsonl_gz(path)
