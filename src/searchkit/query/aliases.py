"""User alias tables: names that mean the same thing in different scripts.

Some names cannot be matched by reading: the seed page's Korean minister is
安圭伯 in Japanese and "Ahn Gyu-back" in English, and UniDic reads 安圭伯 as
アン ケイ + 伯. An alias table says so explicitly.

File formats (UTF-8, a BOM is allowed):

* TSV (any name not ending in ``.json``): one alias group per line, names
  separated by tabs, at least two names per line; blank lines and lines
  starting with ``#`` are skipped::

      安圭伯\tAhn Gyu-back
      小泉進次郎\tShinjiro Koizumi\tKoizumi Shinjiro

* JSON (``.json``): an object whose keys are names and whose values are a
  name or a list of names; each key and its values form one group::

      {"安圭伯": ["Ahn Gyu-back"], "菅義偉": "Yoshihide Suga"}

Lookups are symmetric (any name of a group finds all the others) and
insensitive to case, width and spacing: names are compared after NFKC,
``casefold`` and collapsing runs of whitespace; dash variants (‐ ‑ – — −) count
as ``-``. A name may be in several groups; it then finds the names of all of
them.

Example:
    >>> table = AliasTable.from_groups([["安圭伯", "Ahn Gyu-back"]])
    >>> table.expand("AHN GYU-BACK")
    [('安圭伯', '<memory>:1')]
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from typing import Self

from ..analysis.normalize import KANJI_VARIANTS, fold_kanji
from ..errors import SearchkitError

__all__ = ["AliasError", "AliasMatch", "AliasTable", "alias_key", "load_aliases", "merge"]


class AliasError(SearchkitError, ValueError):
    """An alias table could not be read; the message names the file and line."""


class AliasMatch(NamedTuple):
    """An alias found inside a text by :meth:`AliasTable.find`."""

    start: int
    end: int
    surface: str
    alternatives: list[tuple[str, str]]


_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d"})
_SPACES = re.compile(r"\s+")


def alias_key(name: str) -> str:
    """The lookup form of a name: NFKC, modern kanji forms, casefold, one space between words, one kind of dash.

    Example:
        >>> alias_key("  Ａｈｎ   GYU–back ")
        'ahn gyu-back'
        >>> alias_key("齋藤 髙志")
        '斎藤 高志'
    """
    folded = fold_kanji(unicodedata.normalize("NFKC", name)).casefold().translate(_DASHES)
    return _SPACES.sub(" ", folded).strip()


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """``alias_key``-style folding of ``text`` character by character.

    Returns the folded text and, for each folded character, the offset of the
    original character it came from (spaces are not collapsed, so a match can
    be mapped back exactly).
    """
    out: list[str] = []
    origin: list[int] = []
    for i, c in enumerate(text):
        f = unicodedata.normalize("NFKC", c).translate(KANJI_VARIANTS).casefold().translate(_DASHES)
        f = "".join(" " if ch.isspace() else ch for ch in f)
        out.append(f)
        origin.extend([i] * len(f))
    return "".join(out), origin


class _Pairs(list):  # type: ignore[type-arg]
    """A JSON object as its (key, value) pairs, in file order, duplicates kept."""


class AliasTable:
    """Alias groups with case- and width-insensitive, symmetric lookup."""

    #: What a group is called in messages, and the error a bad file raises.
    kind = "alias"
    article = "an"
    error: type[SearchkitError] = AliasError

    def __init__(self) -> None:
        #: (names, provenance) per group, in the order added.
        self._groups: list[tuple[tuple[str, ...], str]] = []
        #: alias_key(name) -> indexes into _groups
        self._index: dict[str, list[int]] = {}
        self._pattern: re.Pattern[str] | None = None

    # -- building --------------------------------------------------------------

    def add_group(self, names: Iterable[str], provenance: str) -> None:
        """Add one group of names that mean the same thing.

        Raises:
            ValueError: fewer than two distinct names (after folding).
            TypeError: a name is not a string.
        """
        kept: dict[str, str] = {}
        for name in names:
            if not isinstance(name, str):
                raise TypeError(f"names must be strings, not {type(name).__name__}")
            key = alias_key(name)
            if key and key not in kept:
                kept[key] = _SPACES.sub(" ", name).strip()
        if len(kept) < 2:
            raise ValueError(f"{self.article} {self.kind} group needs at least two different names")
        g = len(self._groups)
        self._groups.append((tuple(kept.values()), provenance))
        for key in kept:
            self._index.setdefault(key, []).append(g)
        self._pattern = None

    @classmethod
    def from_groups(cls, groups: Iterable[Iterable[str]], source: str = "<memory>") -> Self:
        """A table from lists of names; provenance is ``source:N`` for the N-th group."""
        table = cls()
        for n, names in enumerate(groups, 1):
            table.add_group(names, f"{source}:{n}")
        return table

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Self:
        """Read a TSV or JSON alias file (JSON when the name ends in ``.json``).

        Provenance of a group is ``FILE:LINE`` for TSV and ``FILE:LINE`` of the
        key for JSON (``FILE`` is the file name without its directory).

        Raises:
            AliasError: the file is missing, not UTF-8, or malformed; the
                message names the file and, where there is one, the line.
        """
        p = Path(path)
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise cls.error(f"{p}: cannot read the {cls.kind} file: {exc.strerror or exc}") from exc
        return cls.from_bytes(raw, p)

    @classmethod
    def from_bytes(cls, raw: bytes, p: Path) -> Self:
        """Parse the bytes of an alias file named ``p`` (as :meth:`load` does)."""
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise cls.error(f"{p}:{line}: not UTF-8 (byte {exc.start}); save the file as UTF-8") from exc
        table = cls()
        if p.suffix.lower() == ".json":
            table._read_json(text, p)
        else:
            table._read_tsv(text, p)
        return table

    def _read_tsv(self, text: str, p: Path) -> None:
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cells = [c.strip() for c in line.split("\t")]
            names = [c for c in cells if c]
            if len(names) < 2:
                hint = ""
                if len(names) == 1 and re.search(r" {2,}|,|;", names[0]):
                    hint = " (separate names with tabs, not spaces or commas)"
                raise self.error(f"{p}:{lineno}: {self.article} {self.kind} line needs at least two tab-separated names{hint}: {line!r}")
            try:
                self.add_group(names, f"{p.name}:{lineno}")
            except ValueError as exc:
                raise self.error(f"{p}:{lineno}: {exc}: {line!r}") from exc

    def _read_json(self, text: str, p: Path) -> None:
        try:
            pairs = json.loads(text, object_pairs_hook=_Pairs)
        except json.JSONDecodeError as exc:
            raise self.error(f"{p}:{exc.lineno}: invalid JSON: {exc.msg} (column {exc.colno})") from exc
        if not isinstance(pairs, _Pairs):
            raise self.error(f"{p}:1: the JSON must be an object mapping a name to its {self.kind} names, "
                             f"not {type(pairs).__name__}")
        lines = _json_key_lines(text, [k for k, _ in pairs])
        for (key, value), lineno in zip(pairs, lines):
            where = f"{p}:{lineno}: {key!r}"
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise self.error(f"{where}: the aliases must be a string or a list of strings")
            try:
                self.add_group([key, *values], f"{p.name}:{lineno}")
            except ValueError as exc:
                raise self.error(f"{where}: {exc}") from exc

    # -- lookup ----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._groups)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and alias_key(name) in self._index

    def __iter__(self) -> Iterator[tuple[tuple[str, ...], str]]:
        """Yield ``(names, provenance)`` per group."""
        return iter(self._groups)

    def __repr__(self) -> str:
        return f"AliasTable(groups={len(self._groups)})"

    def expand(self, term_or_phrase: str) -> list[tuple[str, str]]:
        """The other names of every group holding ``term_or_phrase``, with provenance.

        Returns ``(alternative, provenance)`` pairs in file order, without the
        looked-up name itself and without duplicates; ``[]`` when the name is
        in no group.

        Example:
            >>> t = AliasTable.from_groups([["安圭伯", "Ahn Gyu-back"], ["菅義偉", "Suga", "Yoshihide Suga"]])
            >>> t.expand("安圭伯"), t.expand("suga")
            ([('Ahn Gyu-back', '<memory>:1')], [('菅義偉', '<memory>:2'), ('Yoshihide Suga', '<memory>:2')])
        """
        key = alias_key(term_or_phrase)
        seen = {key}
        out: list[tuple[str, str]] = []
        for g in self._index.get(key, ()):
            names, provenance = self._groups[g]
            for name in names:
                k = alias_key(name)
                if k not in seen:
                    seen.add(k)
                    out.append((name, provenance))
        return out

    def find(self, text: str) -> list[AliasMatch]:
        """Every alias occurring in ``text``, longest first at each place, left to right.

        Names that start or end with a letter or digit of a spaced script
        (Latin, Hangul…) only match at word boundaries ("Kan" is not found in
        "Kansas"); names in kana or kanji match anywhere. Offsets are code
        points into ``text``.
        """
        if not self._index:
            return []
        folded, origin = _fold_with_map(text)
        out: list[AliasMatch] = []
        for m in self._compiled().finditer(folded):
            s = origin[m.start()]
            e = origin[m.end() - 1] + 1
            key = _SPACES.sub(" ", m.group())
            out.append(AliasMatch(s, e, text[s:e], self.expand(key)))
        return out

    def _compiled(self) -> re.Pattern[str]:
        if self._pattern is None:
            parts = []
            for key in sorted(self._index, key=len, reverse=True):
                body = r"\s+".join(re.escape(w) for w in key.split(" "))
                if _spaced(key[0]):
                    body = rf"(?<![^\W{_UNSPACED}])" + body
                if _spaced(key[-1]):
                    body += rf"(?![^\W{_UNSPACED}])"
                parts.append(body)
            self._pattern = re.compile("|".join(parts))
        return self._pattern


# Kana and kanji: words in these scripts are not separated by spaces.
_UNSPACED = "\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"


def _spaced(c: str) -> bool:
    """True for a letter or digit of a script that separates words with spaces."""
    if not c.isalnum():
        return False
    return not ("\u3040" <= c <= "\u30ff" or "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff")


def _json_key_lines(text: str, keys: list[str]) -> list[int]:
    """Best-effort line numbers of the top-level keys of a JSON object, in order."""
    lines = []
    pos = 0
    for key in keys:
        found = None
        for spelling in (json.dumps(key, ensure_ascii=False), json.dumps(key)):
            found = re.compile(re.escape(spelling) + r"\s*:").search(text, pos)
            if found:
                break
        if not found:
            lines.append(text.count("\n", 0, pos) + 1)
            continue
        lines.append(text.count("\n", 0, found.start()) + 1)
        pos = found.end()
    return lines


def load_aliases(path: str | os.PathLike[str] | None) -> AliasTable:
    """:meth:`AliasTable.load`, or an empty table for ``None``."""
    return AliasTable() if path is None else AliasTable.load(path)


def merge(tables: Iterable[AliasTable]) -> AliasTable:
    """One table holding the groups of all ``tables`` (provenance kept)."""
    out = AliasTable()
    for table in tables:
        for names, provenance in table:
            out.add_group(names, provenance)
    return out

