"""User dictionaries: words MeCab must keep whole (a new name, 進次郎構文).

A user dictionary is a UTF-8 CSV with the header ``surface,reading,pos`` and
an optional ``lemma`` column::

    surface,reading,pos,lemma
    進次郎構文,シンジロウコウブン,固有名詞
    推し活,オシカツ,名詞

``reading`` is in katakana; ``pos`` is ``名詞`` (a common noun), ``固有名詞``
(a proper noun), ``人名`` (a person's name) or ``地名`` (a place name);
``lemma`` is the form indexed for the word (the surface when left out).

searchkit compiles it into a MeCab user dictionary for UniDic with fugashi's
``build_dictionary`` (MeCab's ``mecab-dict-index``, against unidic-lite's
``matrix.def``-derived ``matrix.bin``, ``left-id.def``, ``right-id.def`` and
``rewrite.def``; no system MeCab is needed). The context ids are left blank
so that the compiler assigns them from the part of speech through
``rewrite.def``, as MeCab documents for user dictionaries. The compiled file
is a cache (in the temporary directory, named by the digest of the CSV); the
CSV itself is what an index keeps.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import AnalysisError

__all__ = ["POS", "USER_DICTIONARY_FILE", "UserDictionary", "UserDictionaryError"]

#: The name of the user dictionary's CSV where an index keeps it.
USER_DICTIONARY_FILE = "userdict.csv"

#: ``pos`` values and the UniDic part of speech each is written with.
POS = {
    "名詞": ("名詞", "普通名詞", "一般", "*"),
    "固有名詞": ("名詞", "固有名詞", "一般", "*"),
    "人名": ("名詞", "固有名詞", "人名", "一般"),
    "地名": ("名詞", "固有名詞", "地名", "一般"),
}
#: Word cost: low enough that the word wins over MeCab's own cuts of it.
COST = -5000
_KATAKANA = re.compile(r"^[\u30a1-\u30fa\u30fc\u30fd\u30fe]+$")
_COLUMNS = ("surface", "reading", "pos", "lemma")
#: digest → compiled file, in this process.
_COMPILED: dict[str, str] = {}


class UserDictionaryError(AnalysisError, ValueError):
    """A user dictionary could not be read or compiled; the message names the file and line."""


@dataclass(frozen=True)
class UserDictionary:
    """The words of one user dictionary, as read from its CSV (kept as ``source``)."""

    name: str
    source: bytes
    entries: tuple[tuple[str, str, str, str], ...]  # (surface, reading, pos, lemma)

    @property
    def digest(self) -> str:
        """16 hex digits of SHA-256 over the CSV: two dictionaries are the same when these are."""
        return hashlib.sha256(self.source).hexdigest()[:16]

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> UserDictionary:
        """Read and check a user dictionary CSV.

        Raises:
            UserDictionaryError: missing, not UTF-8, empty, a bad header, or a bad
                row (the message names file, line and column).
        """
        p = Path(path)
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise UserDictionaryError(f"{p}: cannot read the user dictionary: {exc.strerror or exc}") from exc
        return cls.from_bytes(raw, p.name)

    @classmethod
    def from_bytes(cls, raw: bytes, name: str) -> UserDictionary:
        """Parse the bytes of a user dictionary CSV called ``name``."""
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise UserDictionaryError(f"{name}:{line}: not UTF-8 (byte {exc.start}); save the file as UTF-8") from exc
        rows = list(csv.reader(io.StringIO(text)))
        if not rows or not any(c.strip() for c in rows[0]):
            raise UserDictionaryError(f"{name}: the user dictionary is empty (it needs the header "
                                      "surface,reading,pos and one row per word)")
        header = [c.strip().lower() for c in rows[0]]
        if header[:3] != list(_COLUMNS[:3]) or header[3:] not in ([], ["lemma"]):
            raise UserDictionaryError(f"{name}:1: the header must be surface,reading,pos (and optionally lemma), "
                                      f"not {','.join(rows[0])}")
        entries: list[tuple[str, str, str, str]] = []
        seen: dict[str, int] = {}
        for lineno, row in enumerate(rows[1:], 2):
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                raise UserDictionaryError(f"{name}:{lineno}: {len(row)} columns, the header has {len(header)}")
            cells = dict(zip(header, (c.strip() for c in row)))
            surface, reading, pos = cells["surface"], cells["reading"], cells["pos"]
            lemma = cells.get("lemma") or surface
            if not surface:
                raise UserDictionaryError(f"{name}:{lineno}: surface is empty")
            if not _KATAKANA.match(reading):
                raise UserDictionaryError(f"{name}:{lineno}: reading {reading!r} of {surface!r} is not katakana "
                                          "(write it as シンジロウコウブン)")
            if pos not in POS:
                raise UserDictionaryError(f"{name}:{lineno}: pos {pos!r} of {surface!r} is not one of "
                                          f"{', '.join(POS)}")
            if surface in seen:
                raise UserDictionaryError(f"{name}:{lineno}: {surface!r} is already on line {seen[surface]}")
            seen[surface] = lineno
            entries.append((surface, reading, pos, lemma))
        if not entries:
            raise UserDictionaryError(f"{name}: the user dictionary has a header but no words")
        return cls(name, raw, tuple(entries))

    def mecab_csv(self) -> str:
        """The entries as MeCab's dictionary source for UniDic (26 feature columns, context ids blank)."""
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        for surface, reading, pos, lemma in self.entries:
            pos1, pos2, pos3, pos4 = POS[pos]
            proper = pos2 == "固有名詞"
            # UniDic's lemma of a proper noun is its reading (小泉 → コイズミ);
            # searchkit indexes a proper noun by its written base form (orthBase).
            unidic_lemma = reading if proper else lemma
            w.writerow([surface, "", "", COST, pos1, pos2, pos3, pos4, "*", "*", reading, unidic_lemma, surface,
                        reading, lemma, reading, "固" if proper else "混", "*", "*", "*", "*",
                        reading, reading, reading, reading, "*", "*", "*", "*", "*"])
        return out.getvalue()

    def compiled(self) -> str:
        """The path of the compiled MeCab user dictionary (compiled once per digest).

        Raises:
            UserDictionaryError: MeCab's compiler failed.
        """
        known = _COMPILED.get(self.digest)
        if known is not None:
            return known
        target = Path(tempfile.gettempdir()) / f"searchkit-userdict-{self.digest}.dic"
        if target.exists():
            _COMPILED[self.digest] = str(target)
            return str(target)
        import fugashi
        import unidic_lite

        with tempfile.TemporaryDirectory(prefix="searchkit-userdict-") as tmp:
            src = Path(tmp) / "words.csv"
            src.write_text(self.mecab_csv(), encoding="utf-8")
            out = Path(tmp) / "user.dic"
            args = f'mecab-dict-index -d "{unidic_lite.DICDIR}" -u "{out}" -f utf-8 -t utf-8 "{src}"'
            try:
                with _quiet():  # the compiler reports progress on stdout, which carries data
                    fugashi.build_dictionary(args)
            except (RuntimeError, SystemExit) as exc:
                raise UserDictionaryError(f"{self.name}: MeCab could not compile the user dictionary: {exc}") from exc
            if not out.exists():
                raise UserDictionaryError(f"{self.name}: MeCab could not compile the user dictionary")
            part = target.with_suffix(f".{os.getpid()}.part")
            part.write_bytes(out.read_bytes())
            os.replace(part, target)
        _COMPILED[self.digest] = str(target)
        return str(target)


class _quiet:
    """Send file descriptors 1 and 2 to /dev/null for a while (MeCab writes there from C)."""

    def __enter__(self) -> None:
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        self._saved = [os.dup(1), os.dup(2)]
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)

    def __exit__(self, *exc: object) -> None:
        for fd, saved in zip((1, 2), self._saved):
            os.dup2(saved, fd)
            os.close(saved)
