"""An index of news articles: create, open, add, update, delete, search.

An :class:`Index` is searchkit's API over one store (:mod:`searchkit.stores`):
it checks articles before anything is written, keeps the alias table with
the index, and runs searches and related-article lookups through the store
interface. A location that is a path is the embedded store
(:class:`~searchkit.stores.whoosh.WhooshStore`, an index directory).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .analysis import Analyzer
from .analysis.userdict import USER_DICTIONARY_FILE, UserDictionary
from .documents import clean_article, repair_text
from .errors import SchemaMismatch
from .query.aliases import AliasTable
from .query.synonyms import STARTER, SynonymTable, starter_path
from .search import related as _related
from .search import search as _search
from .stores.whoosh import WhooshStore

if TYPE_CHECKING:
    from .results.hits import Hit, Results
    from .stores.base import Store

__all__ = ["Index"]

_ALIAS_FILES = ("aliases.tsv", "aliases.json")
_SYNONYM_FILES = ("synonyms.tsv", "synonyms.json")


class Index:
    """A searchkit index.

    Use :meth:`create` or :meth:`open`; don't call the constructor.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self.aliases: AliasTable | None = None
        for name in _ALIAS_FILES:
            raw = store.read_side_file(name)
            if raw is not None:
                self.aliases = AliasTable.from_bytes(raw, self._side_path(name))
        self.synonyms: SynonymTable | None = None
        for name in _SYNONYM_FILES:
            raw = store.read_side_file(name)
            if raw is not None:
                self.synonyms = SynonymTable.from_bytes(raw, self._side_path(name))

    def _side_path(self, name: str) -> Path:
        return Path(self._store.location) / name

    @property
    def location(self) -> str:
        """Where the index is: its directory, or its OpenSearch URL (without credentials)."""
        return str(self._store.location)

    @property
    def path(self) -> Path:
        """Where the index is: its directory."""
        return Path(self._store.location)

    @property
    def lock_timeout(self) -> float:
        """Seconds a writer waits for another one."""
        return float(getattr(self._store, "lock_timeout", 0.0))

    # -- opening -----------------------------------------------------------

    @classmethod
    def create(cls, path: str | os.PathLike[str], *, overwrite: bool = False, lock_timeout: float = 10.0,
               aliases: str | os.PathLike[str] | None = None,
               synonyms: str | os.PathLike[str] | None = None,
               user_dictionary: str | os.PathLike[str] | None = None, shards: int = 1, replicas: int = 0,
               http_auth: tuple[str, str] | None = None, ca_certs: str | None = None) -> Index:
        """Create a new, empty index at ``path``: a directory, or an OpenSearch index URL
        (``http[s]://host:port/name``, with ``shards``, ``replicas``, ``http_auth`` and ``ca_certs``).

        Args:
            overwrite: replace an index already at ``path``.
            lock_timeout: seconds a writer waits for another one.
            aliases: a name alias table (TSV or JSON, see :meth:`set_aliases`).
            synonyms: a synonym table (TSV or JSON, see :meth:`set_synonyms`).
            user_dictionary: a CSV of words MeCab keeps whole (``surface,reading,pos[,lemma]``,
                see :mod:`searchkit.analysis.userdict`), kept with the index and used by
                every later import and search.

        Raises:
            IndexExists: there is an index at ``path`` and ``overwrite`` is false.
            IndexLocked: ``overwrite`` and another writer holds the old index past ``lock_timeout``.
            StorageError: ``path`` is not a directory searchkit may use.
            UserDictionaryError: the user dictionary is malformed (nothing is created).
            SynonymError, AliasError: a malformed table (the index is created without it).
        """
        ud = UserDictionary.load(user_dictionary) if user_dictionary is not None else None  # check first
        if synonyms is not None:
            SynonymTable.load(synonyms)
        if aliases is not None:
            AliasTable.load(aliases)
        store: Store
        if _is_url(path):
            store = _opensearch().create(str(path), shards=shards, replicas=replicas, overwrite=overwrite,
                                         http_auth=http_auth, ca_certs=ca_certs)
        else:
            store = WhooshStore.create(Path(path), overwrite=overwrite, lock_timeout=lock_timeout,
                                       analyzer=Analyzer(ud) if ud is not None else None)
        if ud is not None:
            store.write_side_file(USER_DICTIONARY_FILE, ud.source)
        index = cls(store)
        if aliases is not None:
            index.set_aliases(aliases)
        if synonyms is not None:
            index.set_synonyms(synonyms)
        return index

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, lock_timeout: float = 10.0,
             user_dictionary: str | os.PathLike[str] | None = None,
             http_auth: tuple[str, str] | None = None, ca_certs: str | None = None) -> Index:
        """Open the index at ``path`` (a directory, or an OpenSearch index URL).

        The index's own user dictionary is used without being named; naming one
        (``user_dictionary``) checks that it is the index's.

        Raises:
            IndexNotFound: no index at ``path``.
            SchemaMismatch: the index was not written by searchkit, or its terms
                were made by another version of the analyzer (rebuild it).
                Also: ``user_dictionary`` is not the one the index was built with.
            StorageError: the index cannot be read, or its files are damaged.
        """
        ud = UserDictionary.load(user_dictionary) if user_dictionary is not None else None
        if _is_url(path):
            index = cls(_opensearch().open(str(path), http_auth=http_auth, ca_certs=ca_certs))
        else:
            index = cls(WhooshStore.open(Path(path), lock_timeout=lock_timeout))
        if ud is not None:
            index.check_user_dictionary(ud)
        return index

    @property
    def user_dictionary(self) -> UserDictionary | None:
        """The user dictionary the index's terms were made with, or None."""
        with self._store.errors():
            return self._store.reader().analyzer.user_dictionary

    def check_user_dictionary(self, ud: UserDictionary | None) -> None:
        """Raise :class:`SchemaMismatch` unless ``ud`` is the index's user dictionary (None: none)."""
        have = self.user_dictionary
        have_id = None if have is None else f"{have.name} ({have.digest})"
        want_id = None if ud is None else f"{ud.name} ({ud.digest})"
        if (have is None) != (ud is None) or (have is not None and ud is not None and have.digest != ud.digest):
            flag = f" --user-dict {ud.name}" if ud is not None else ""
            raise SchemaMismatch(
                f"the index at {self.location} was built with user dictionary {have_id or 'none'}, not "
                f"{want_id or 'none'}: its terms would not match; rebuild it "
                f"(searchkit index SOURCE... -i {self.location} --new{flag})")

    @classmethod
    def describe(cls, path: str | os.PathLike[str]) -> dict[str, Any]:
        """:meth:`info` of the index at ``path``, also of one whose terms another
        analyzer version made (``analyzer_version`` says which; it cannot be searched
        until rebuilt).

        Raises:
            IndexNotFound: no index at ``path``.
            SchemaMismatch: the index was not written by searchkit.
            StorageError: the index cannot be read, or its files are damaged.
        """
        if _is_url(path):
            index = cls(_opensearch().open(str(path), check_analyzer=False))
        else:
            index = cls(WhooshStore.open(Path(path), check_analyzer=False))
        try:
            return index.info()
        finally:
            index.close()

    def set_aliases(self, path: str | os.PathLike[str] | None) -> None:
        """Use (and keep with the index) a name alias table, or none.

        The table lists names that readings cannot bridge, one group per line
        (TSV: ``安圭伯<TAB>Ahn Gyu-back``) or as JSON (``{"安圭伯": ["Ahn Gyu-back"]}``).
        Searches for one name also find the others, at a lower weight.

        Raises:
            AliasError: the file is malformed (the message names file and line).
        """
        table = AliasTable.load(path) if path is not None else None  # check before replacing
        for name in _ALIAS_FILES:
            self._store.write_side_file(name, None)
        if path is None or table is None:
            self.aliases = None
            return
        src = Path(path)
        name = "aliases.json" if src.suffix == ".json" else "aliases.tsv"
        raw = src.read_bytes()
        self._store.write_side_file(name, raw)
        self.aliases = AliasTable.from_bytes(raw, self._side_path(name))

    def set_synonyms(self, path: str | os.PathLike[str] | None) -> None:
        """Use (and keep with the index) a synonym table, or none; no re-index needed.

        One group of words per line, tab-separated (``米国<TAB>アメリカ<TAB>United States``;
        ``#`` comments), or JSON (``{"米国": ["アメリカ"]}``); ``"starter"`` is the
        bundled table for news. A query word of a group is also searched as the
        others, at :data:`~searchkit.query.synonyms.SYNONYM_BOOST` of its weight.

        Raises:
            SynonymError: the file is missing, malformed, has a group of one word,
                a word in two groups, or no group (the message names file and line);
                the index keeps the table it had.
        """
        src = starter_path() if path is not None and str(path) == STARTER else path
        table = SynonymTable.load(src) if src is not None else None  # check before replacing
        if src is None or table is None:
            for name in _SYNONYM_FILES:
                self._store.write_side_file(name, None)
            self.synonyms = None
            return
        src = Path(src)
        name = "synonyms.json" if src.suffix == ".json" else "synonyms.tsv"
        raw = src.read_bytes()
        self._store.write_side_file(name, raw)
        for other in _SYNONYM_FILES:
            if other != name:
                self._store.write_side_file(other, None)
        self.synonyms = SynonymTable.from_bytes(raw, self._side_path(name))

    # -- writing -----------------------------------------------------------

    def add(self, docs: Iterable[Mapping[str, Any]], *, procs: int | None = None) -> int:
        """Add or replace articles (same ``id`` replaces) and commit.

        All articles are checked before anything is written: one bad article
        raises and writes none of them. Within ``docs`` the last article with
        a given id wins.

        Args:
            docs: article dicts (see the README's "Article format").
            procs: writer processes; default 2 for 1,000+ articles on a
                multi-core machine, else 1.

        Returns:
            The number of distinct articles written.

        Raises:
            DocumentError: an article is invalid (the message names the field).
            IndexLocked: another writer holds the index past ``lock_timeout``.
            StorageError: the disk is full or the directory is not writable.
        """
        batch: dict[str, dict[str, Any]] = {}
        for doc in docs:
            clean = clean_article(doc)
            batch.pop(clean["id"], None)  # dedupe: the last one wins
            batch[clean["id"]] = clean
        if not batch:
            return 0
        self._store.write(batch, procs=procs)
        return len(batch)

    def delete(self, ids: Iterable[str]) -> int:
        """Delete articles by id and commit; returns how many were deleted."""
        ids = list(dict.fromkeys(ids))
        for doc_id in ids:
            if not isinstance(doc_id, str):
                raise TypeError(f"ids must be str, not {type(doc_id).__name__}")
        return self._store.delete([repair_text(doc_id) for doc_id in ids])

    def optimize(self) -> None:
        """Merge all segments into one (faster queries after many small imports)."""
        self._store.optimize()

    def compact(self) -> None:
        """Merge the small segments, as :func:`~searchkit.ingest.import_articles` does at its end.

        The smallest segments are merged while together they hold at least
        half as many articles as the next larger one, so each segment left is
        more than twice all smaller ones together: a fresh import ends in one
        segment, and an index fed in batches keeps a few (at most log3 of
        articles/batch, plus one).
        """
        self._store.compact()

    # -- reading -----------------------------------------------------------

    def refresh(self) -> None:
        """See commits made since this index (or this thread's reader) was opened."""
        self._store.refresh()

    def __len__(self) -> int:
        return self._store.reader().doc_count()

    def __contains__(self, doc_id: object) -> bool:
        with self._store.errors():
            return isinstance(doc_id, str) and self._store.reader().doc_of(repair_text(doc_id)) is not None

    def get(self, doc_id: str) -> dict[str, Any] | None:
        """One article (every field, as :attr:`Hit.fields <searchkit.Hit>` gives it), or None."""
        with self._store.errors():
            reader = self._store.reader()
            doc = reader.doc_of(repair_text(doc_id))
            return reader.stored(doc) if doc is not None else None

    def articles(self) -> Iterator[dict[str, Any]]:
        """Every article, as :meth:`get` gives it, in the order the index stores them."""
        reader = self._store.reader()
        with self._store.errors():
            yield from reader.articles()

    def search(self, query: str, *, limit: int = 10, page: int = 1, lang: str | None = None,
               category: str | None = None, since: str | date | None = None, until: str | date | None = None,
               sort: Literal["relevance", "date"] = "relevance", strict: bool = False, cross_script: bool = True,
               snippet_chars: int = 160) -> Results:
        """Search the index; see :func:`searchkit.search.search` for the options.

        Raises:
            QueryError: a bad option (``limit`` or ``page`` below 1, an unknown
                ``sort``, a malformed date); :class:`QuerySyntaxError` with ``strict``.
        """
        with self._store.errors():
            return _search(self._store, query, aliases=self.aliases, synonyms=self.synonyms, limit=limit, page=page, lang=lang,
                          category=category, since=since, until=until, sort=sort, strict=strict,
                          cross_script=cross_script, snippet_chars=snippet_chars)

    def related(self, doc_id: str, *, limit: int = 5) -> list[Hit]:
        """Articles like ``doc_id``, from its key terms (title and body), best first.

        Raises:
            KeyError: no article has this id.
            ValueError: ``limit`` is below 1.
        """
        if limit < 1:
            raise ValueError("limit must be at least 1")
        with self._store.errors():
            return _related(self._store, doc_id, limit=limit)

    def info(self) -> dict[str, Any]:
        """Counts and versions: documents, segments, size on disk, analyzer, dictionary."""
        info = self._store.info()
        aliases = len(self.aliases) if self.aliases is not None else 0
        # After the dictionary, where `searchkit info` has always shown it.
        keys = list(info)
        at = keys.index("dictionary") + 1 if "dictionary" in keys else len(keys)
        synonyms = len(self.synonyms) if self.synonyms is not None else 0
        ud = self.user_dictionary
        user = None if ud is None else f"{ud.name} ({ud.digest}, {len(ud.entries)} words)"
        return {**dict(list(info.items())[:at]), "user_dictionary": user, "aliases": aliases, "synonyms": synonyms,
                **dict(list(info.items())[at:])}

    def close(self) -> None:
        """Close this thread's reader (others close when garbage-collected)."""
        self._store.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Index({self._store.location!r})"


def _is_url(location: object) -> bool:
    """Whether ``location`` names an OpenSearch index (``http://`` or ``https://``) rather than a directory."""
    return isinstance(location, str) and location.lower().startswith(("http://", "https://"))


def _opensearch() -> Any:
    """The OpenSearch store class (imported only when a URL is used)."""
    from .stores.opensearch import OpenSearchStore

    return OpenSearchStore
