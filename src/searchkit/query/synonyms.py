"""Synonym tables: words that mean the same to a reader (米国 and アメリカ, PM and prime minister).

A synonym table is kept with the index (the side file ``synonyms.tsv`` or
``synonyms.json``) and applied at query time, so changing it needs no
re-index. The file formats and the lookup are those of the alias table
(:mod:`searchkit.query.aliases`: one tab-separated group per line, ``#``
comments, or a JSON object), with stricter rules, since a synonym is matched
inside ordinary query words:

* a group needs two different words (after width, case and kanji-form folding);
* a word may be in one group only: the same word in two groups (which would
  chain them into one, or make a cycle) is an error naming both lines;
* a file without any group is an error.

A word of a group is found in the query only on the query's own token
boundaries (米国 in 米国債 is not the word 米国), and is then searched as the
other words of its group too, at :data:`SYNONYM_BOOST` of the weight of the
word itself.

Whatever the table, English words are also searched as the forms of them a
stemmer leaves apart (:func:`word_forms`: Germany and German, rise and rose),
the same way.

:data:`STARTER` is a small table for news (countries, ministries and common
abbreviations), opt-in: ``ix.set_synonyms(searchkit.query.synonyms.STARTER)``
or ``searchkit index … --synonyms starter``.

Example:
    >>> t = SynonymTable.from_groups([["米国", "アメリカ"], ["PM", "prime minister"]])
    >>> t.expand("アメリカ"), t.expand("pm")
    ([('米国', '<memory>:1')], [('prime minister', '<memory>:2')])
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Self

from ..analysis.english import english_words
from ..errors import SearchkitError
from .aliases import AliasTable, alias_key

__all__ = ["STARTER", "SYNONYM_BOOST", "SynonymError", "SynonymTable", "WORD_FORMS", "word_forms", "starter_path"]

#: A word found through its synonym weighs this much of the word itself (an
#: exact match scores higher; 0.8 keeps the starter table's effect on the quality
#: benchmark within noise, see the README).
SYNONYM_BOOST = 0.8
#: The name that stands for the bundled starter table.
STARTER = "starter"


class SynonymError(SearchkitError, ValueError):
    """A synonym table could not be read or is inconsistent; the message names the file and line."""


def starter_path() -> Path:
    """The bundled starter table for news (``query/data/synonyms_news.tsv``)."""
    return Path(str(resources.files("searchkit.query").joinpath("data", "synonyms_news.tsv")))


#: The bundled tables of English word forms a stemmer does not join (``query/data``).
WORD_FORMS = ("places_en.tsv", "verbs_en.tsv")


@lru_cache(maxsize=1)
def word_forms() -> dict[str, tuple[tuple[str, str], ...]]:
    """English word forms a stemmer leaves apart, by term: place names and their
    adjectives (Germany, German), irregular verbs and their past (rise, rose).

    Maps the term of each word (Germany → ``germani``, Germans → ``german``)
    to the other words of its group with their provenance; the planner
    searches them as synonyms of every English query word.

    Example:
        >>> word_forms()["german"], word_forms()["rose"]
        ((('Germany', 'places_en.tsv:43'),), (('rise', 'verbs_en.tsv:80'), ('risen', 'verbs_en.tsv:80')))
    """
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for name in WORD_FORMS:
        table = SynonymTable.load(Path(str(resources.files("searchkit.query").joinpath("data", name))))
        for names, provenance in table:
            terms = []
            for n in names:
                ts = [t for t, *_ in english_words(n)]
                if len(ts) != 1:
                    raise SynonymError(f"{provenance}: {n!r} is not one English word (or is a stop word)")
                terms.append(ts[0])
            for term in terms:
                known = out.get(term, ())
                out[term] = known + tuple((n, provenance) for n, t in zip(names, terms)
                                          if t != term and (n, provenance) not in known)
    return out


class SynonymTable(AliasTable):
    """Synonym groups: each word in one group, symmetric lookup."""

    kind = "synonym"
    article = "a"
    error = SynonymError

    def add_group(self, names: Iterable[str], provenance: str) -> None:
        """Add one group of words that mean the same.

        Raises:
            ValueError: fewer than two distinct words, or a word already in another group.
        """
        names = list(names)
        for name in names:
            if isinstance(name, str):
                for g in self._index.get(alias_key(name), ()):
                    raise ValueError(f"{name!r} is already in the group of {self._groups[g][1]} "
                                     "(a word may be in one group only; merge the two lines)")
        super().add_group(names, provenance)

    @classmethod
    def from_bytes(cls, raw: bytes, p: Path) -> Self:
        """Parse the bytes of a synonym file named ``p``.

        Raises:
            SynonymError: not UTF-8, malformed, inconsistent, or without any group.
        """
        table = super().from_bytes(raw, p)
        if not len(table):
            raise SynonymError(f"{p}: the synonym file has no groups (one group of tab-separated words per line)")
        return table

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Self:
        """Read a TSV or JSON synonym file; :data:`STARTER` is the bundled table.

        Raises:
            SynonymError: the file is missing, not UTF-8, malformed or inconsistent.
        """
        return super().load(starter_path() if str(path) == STARTER else path)
