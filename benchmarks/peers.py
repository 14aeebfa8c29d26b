"""Peer search systems for the retrieval-quality benchmark.

Every peer has the same shape so ``quality.py`` can treat all systems alike::

    peer = PEERS[name](workdir)        # workdir: an empty scratch directory
    peer.build(docs, searchable=("title", "body"))   # -> number of docs
    peer.search(query, depth)          # -> ranked list of doc ids
    peer.close()

``peer.formulation`` states, in one line, how the peer analyses text and
turns raw query text into a query.  All peers get the same documents and the
same raw query strings; none uses query syntax, so punctuation in questions
cannot break or change a query.  ``title`` (when searchable) weighs twice
``body`` in every peer.

Peers:

* ``whoosh-std``    Whoosh StandardAnalyzer (regex words, lowercase, English
  stop words), OR of the analysed query terms over title^2 + body, BM25F.
* ``whoosh-bigram`` Whoosh with NFKC + character bigrams of Japanese runs
  (kana/kanji; a one-character run is kept as a unigram) and lowercased words
  elsewhere (English stop words dropped), OR of the analysed query terms over
  title^2 + body, BM25F.
* ``fts5-trigram``  SQLite FTS5, ``trigram`` tokenizer (case-folded), NFKC
  applied to documents and queries, ``bm25()`` with title weight 2.  The query
  is an OR of every distinct 3-character substring of each word run of the
  query, each quoted (FTS5's trigram tokenizer cannot match a term shorter
  than 3 characters, so runs of 1-2 characters cannot contribute; a query
  with no run of 3+ characters returns nothing).
* ``xapian``        Xapian (only if the ``xapian`` bindings are importable):
  TermGenerator with English stemming and CJK n-grams, title indexed with
  wdf 2; the query is the OR of its terms as the same TermGenerator makes
  them (QueryParser would AND the n-grams of a CJK run); BM25.
* ``groonga``       Groonga (only if the ``groonga`` command is on PATH):
  TokenBigram + NormalizerAuto, query = OR of quoted bigrams/words (same
  split as ``whoosh-bigram``), ``scorer_tf_idf`` with title weight 2.
* ``groonga-mecab`` the same with TokenMecab: the query is the OR of the
  tokens Groonga's own ``tokenize`` command gives for it with TokenMecab.

Debian's ``python3-xapian`` is built for the system Python; when ``xapian``
is not importable and the system's ``dist-packages`` holds a build for this
interpreter's version, that directory is added to ``sys.path``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, ClassVar

Doc = dict[str, Any]
FIELDS = ("title", "body")

# Japanese runs: hiragana, katakana (incl. ー), CJK ideographs, 々 〆 〇.
_JA = "\u3005\u3006\u3007\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN_RE = re.compile(rf"[{_JA}]+|[^\W{_JA}]+")
_JA_RUN_RE = re.compile(rf"[{_JA}]+")
_WORD_RE = re.compile(r"\w+")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


_DEBIAN_DIST = "/usr/lib/python3/dist-packages"


def import_xapian() -> Any:
    """The ``xapian`` module: installed for this interpreter, or Debian's build for the same Python version."""
    try:
        import xapian
    except ImportError:
        tag = f"cpython-{sys.version_info.major}{sys.version_info.minor}"
        pkg = os.path.join(_DEBIAN_DIST, "xapian")
        if not os.path.isdir(pkg) or not any(tag in f for f in os.listdir(pkg)):
            raise
        sys.path.append(_DEBIAN_DIST)
        import xapian
    return xapian


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _fields(searchable: Sequence[str]) -> tuple[str, ...]:
    bad = set(searchable) - set(FIELDS)
    if bad or not searchable:
        raise ValueError(f"searchable must be a non-empty subset of {FIELDS}, got {searchable!r}")
    return tuple(f for f in FIELDS if f in searchable)


def bigram_terms(text: str, stoplist: frozenset[str] = frozenset()) -> Iterator[str]:
    """NFKC, then bigrams of Japanese runs and lowercased words elsewhere."""
    for m in _RUN_RE.finditer(nfkc(text)):
        run = m.group()
        if _JA_RUN_RE.fullmatch(run):
            if len(run) == 1:
                yield run
            else:
                for i in range(len(run) - 1):
                    yield run[i : i + 2]
        else:
            word = run.lower()
            if len(word) > 1 and word not in stoplist:
                yield word


def trigram_substrings(text: str) -> list[str]:
    """Distinct 3-character substrings of each word run of NFKC ``text``."""
    grams: list[str] = []
    for run in _WORD_RE.findall(nfkc(text).lower()):
        grams.extend(run[i : i + 3] for i in range(len(run) - 2))
    return _dedupe(grams)


class Peer:
    """Common shape of a peer system."""

    name: ClassVar[str]
    formulation: ClassVar[str]

    def __init__(self, workdir: str) -> None:
        self.workdir = workdir

    def build(self, docs: Iterable[Doc], searchable: Sequence[str] = FIELDS) -> int:
        raise NotImplementedError

    def search(self, query: str, depth: int) -> list[str]:
        raise NotImplementedError

    def close(self) -> None:
        pass


# --------------------------------------------------------------------------- Whoosh


class _WhooshPeer(Peer):
    """Whoosh BM25F over title^2 + body; query = OR of analysed query terms."""

    #: Whoosh ``Or.matcher_type``; 0 = Whoosh's own choice.  The array matcher
    #: ranks the same but is several times faster for ORs of many terms.
    or_matcher_type: ClassVar[int] = 0

    def _analyzer(self) -> Any:
        raise NotImplementedError

    def build(self, docs: Iterable[Doc], searchable: Sequence[str] = FIELDS) -> int:
        from whoosh import fields, index, scoring

        self.fields = _fields(searchable)
        self.analyzer = self._analyzer()
        schema = fields.Schema(
            id=fields.ID(stored=True, unique=True),
            **{f: fields.TEXT(analyzer=self.analyzer, phrase=False) for f in self.fields},
        )
        path = os.path.join(self.workdir, "whoosh")
        os.makedirs(path, exist_ok=True)
        self.ix = index.create_in(path, schema)
        writer = self.ix.writer(limitmb=256)
        n = 0
        for doc in docs:
            writer.add_document(id=str(doc["id"]), **{f: doc.get(f) or "" for f in self.fields})
            n += 1
        writer.commit()
        self.searcher = self.ix.searcher(weighting=scoring.BM25F())
        self.ids = [self.searcher.stored_fields(i)["id"] for i in range(self.searcher.doc_count_all())]
        return n

    def query_terms(self, query: str) -> list[str]:
        return _dedupe(t.text for t in self.analyzer(query))

    def search(self, query: str, depth: int) -> list[str]:
        from whoosh.query import Or, Term

        terms = self.query_terms(query)
        if not terms:
            return []
        boost = {"title": 2.0, "body": 1.0}
        q = Or([Term(f, t, boost=boost[f]) for f in self.fields for t in terms])
        q.matcher_type = self.or_matcher_type
        results = self.searcher.search(q, limit=depth)
        return [self.ids[results.docnum(i)] for i in range(results.scored_length())]

    def close(self) -> None:
        if hasattr(self, "searcher"):
            self.searcher.close()


class WhooshStandard(_WhooshPeer):
    name = "whoosh-std"
    formulation = (
        "Whoosh StandardAnalyzer (regex words, lowercase, stop words); "
        "OR of analysed query terms over title^2 + body; BM25F"
    )

    def _analyzer(self) -> Any:
        from whoosh.analysis import StandardAnalyzer

        return StandardAnalyzer()


try:  # module level so that Whoosh can pickle it with the schema
    from whoosh.analysis import STOP_WORDS as _STOP_WORDS
    from whoosh.analysis import Token as _Token
    from whoosh.analysis import Tokenizer as _Tokenizer
except ImportError:  # pragma: no cover - reported by unavailable_reason()
    _Tokenizer = object  # type: ignore[assignment,misc]


class BigramTokenizer(_Tokenizer):  # type: ignore[misc,valid-type]
    """Whoosh tokenizer: Japanese runs -> character bigrams, else lowercased words."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs: Any) -> Iterator[Any]:
        t = _Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, term in enumerate(bigram_terms(value, _STOP_WORDS), start_pos):
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = pos
            yield t


class WhooshBigram(_WhooshPeer):
    name = "whoosh-bigram"
    formulation = (
        "Whoosh, NFKC + character bigrams of Japanese runs, lowercased words elsewhere "
        "(stop words dropped); OR of analysed query terms over title^2 + body; BM25F"
    )

    or_matcher_type = 3  # Or.ARRAY_MATCHER: bigram queries OR dozens of terms

    def _analyzer(self) -> Any:
        return BigramTokenizer()


# --------------------------------------------------------------------------- SQLite FTS5


class Fts5Trigram(Peer):
    name = "fts5-trigram"
    formulation = (
        "SQLite FTS5 trigram tokenizer, NFKC; OR of every quoted 3-char substring of each "
        "query word run (runs < 3 chars cannot match); bm25() with title weight 2"
    )

    def build(self, docs: Iterable[Doc], searchable: Sequence[str] = FIELDS) -> int:
        self.fields = _fields(searchable)
        self.db = sqlite3.connect(os.path.join(self.workdir, "fts5.sqlite"))
        cols = ", ".join(self.fields)
        self.db.execute(f"CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, {cols}, tokenize='trigram')")
        marks = ", ".join("?" * (1 + len(self.fields)))
        rows = ([str(d["id"]), *(nfkc(d.get(f) or "") for f in self.fields)] for d in docs)
        with self.db:
            n = self.db.executemany(f"INSERT INTO docs(id, {cols}) VALUES ({marks})", rows).rowcount
        self.db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        weights = ", ".join(["0.0"] + ["2.0" if f == "title" else "1.0" for f in self.fields])
        self.sql = f"SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, {weights}) LIMIT ?"
        return n

    @staticmethod
    def match_expr(query: str) -> str:
        return " OR ".join('"' + g.replace('"', '""') + '"' for g in trigram_substrings(query))

    def search(self, query: str, depth: int) -> list[str]:
        expr = self.match_expr(query)
        if not expr:
            return []
        return [row[0] for row in self.db.execute(self.sql, (expr, depth))]

    def close(self) -> None:
        if hasattr(self, "db"):
            self.db.close()


# --------------------------------------------------------------------------- Xapian


class Xapian(Peer):
    name = "xapian"
    formulation = (
        "Xapian TermGenerator (English stemming, CJK n-grams), title wdf x2; "
        "OR of the query's terms as the same TermGenerator makes them (weighted by count); BM25"
    )

    def build(self, docs: Iterable[Doc], searchable: Sequence[str] = FIELDS) -> int:
        xapian = import_xapian()
        self.x = xapian
        self.fields = _fields(searchable)
        ngram = getattr(xapian.TermGenerator, "FLAG_NGRAMS", None) or xapian.TermGenerator.FLAG_CJK_NGRAM
        self.db = xapian.WritableDatabase(os.path.join(self.workdir, "xapian"), xapian.DB_CREATE_OR_OVERWRITE)
        tg = xapian.TermGenerator()
        tg.set_stemmer(xapian.Stem("en"))
        tg.set_flags(ngram)
        n = 0
        for d in docs:
            doc = xapian.Document()
            tg.set_document(doc)
            for f in self.fields:
                tg.index_text(nfkc(d.get(f) or ""), 2 if f == "title" else 1)
                tg.increase_termpos()
            doc.set_data(str(d["id"]))
            doc.add_boolean_term("Q" + str(d["id"]))
            self.db.add_document(doc)
            n += 1
        self.db.commit()
        self.tg = tg
        self.enquire = xapian.Enquire(self.db)
        self.enquire.set_weighting_scheme(xapian.BM25Weight())
        return n

    def search(self, query: str, depth: int) -> list[str]:
        # The query's terms as the documents' TermGenerator makes them (CJK
        # n-grams; English words stemmed, "Z" prefix), OR-ed with their
        # frequency in the query. (QueryParser would AND the n-grams of a CJK
        # run, which misses most passages for a natural-language question.)
        x = self.x
        doc = x.Document()
        self.tg.set_document(doc)
        self.tg.index_text(nfkc(query))
        terms = {t.term.decode("utf-8"): t.wdf for t in doc.termlist()}
        stem = x.Stem("en")
        subs = [
            x.Query(t, wqf)
            for t, wqf in terms.items()
            if t.startswith("Z") or not (t.isascii() and "Z" + stem(t).decode("utf-8") in terms)
        ]
        if not subs:
            return []
        self.enquire.set_query(x.Query(x.Query.OP_OR, subs))
        return [m.document.get_data().decode("utf-8") for m in self.enquire.get_mset(0, depth)]

    def close(self) -> None:
        if hasattr(self, "db"):
            self.db.close()


# --------------------------------------------------------------------------- Groonga


class Groonga(Peer):
    name = "groonga"
    tokenizer = "TokenBigram"
    formulation = (
        "Groonga TokenBigram + NormalizerAuto; OR of quoted bigrams/words of the query "
        "(same split as whoosh-bigram); scorer_tf_idf, title weight 2"
    )

    def query_terms(self, query: str) -> list[str]:
        return _dedupe(bigram_terms(query))

    def _call(self, command: str) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        header = reply[0] if isinstance(reply[0], list) else reply
        if header[0] != 0:
            raise RuntimeError(f"groonga: {header}")
        return reply[1] if len(reply) > 1 else None

    def _cmd(self, command: str, /, **args: Any) -> Any:
        return self._call(f"/d/{command}?" + urllib.parse.urlencode({k: str(v) for k, v in args.items()}))

    def build(self, docs: Iterable[Doc], searchable: Sequence[str] = FIELDS) -> int:
        self.fields = _fields(searchable)
        exe = shutil.which("groonga")
        if exe is None:
            raise RuntimeError("groonga is not installed")
        db = os.path.join(self.workdir, "groonga", "db")
        os.makedirs(os.path.dirname(db))
        self.proc = subprocess.Popen(
            [exe, "-n", db], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8"
        )
        self._cmd("table_create", name="Docs", flags="TABLE_HASH_KEY", key_type="ShortText")
        for f in self.fields:
            self._cmd("column_create", table="Docs", name=f, flags="COLUMN_SCALAR", type="Text")
        self._cmd("table_create", name="Terms", flags="TABLE_PAT_KEY", key_type="ShortText",
                  default_tokenizer=self.tokenizer, normalizer="NormalizerAuto")
        for f in self.fields:
            self._cmd("column_create", table="Terms", name=f"docs_{f}",
                      flags="COLUMN_INDEX|WITH_POSITION", type="Docs", source=f)
        batch: list[Doc] = []
        n = 0

        def flush() -> None:
            if batch:
                self._cmd("load", table="Docs", values=json.dumps(batch, ensure_ascii=False))
                batch.clear()

        for d in docs:
            batch.append({"_key": str(d["id"]), **{f: d.get(f) or "" for f in self.fields}})
            n += 1
            if len(batch) >= 200:
                flush()
        flush()
        self.match_columns = " || ".join(
            f"scorer_tf_idf({f}) * 2" if f == "title" else f"scorer_tf_idf({f})" for f in self.fields
        )
        return n

    def search(self, query: str, depth: int) -> list[str]:
        terms = self.query_terms(query)
        if not terms:
            return []
        expr = " OR ".join('"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"' for t in terms)
        out = self._cmd("select", table="Docs", match_columns=self.match_columns, query=expr,
                        output_columns="_key", sort_keys="-_score", limit=depth)
        return [row[0] for row in out[0][2:]]

    def close(self) -> None:
        proc = getattr(self, "proc", None)
        if proc is not None:
            proc.stdin.close()
            proc.wait(timeout=30)


class GroongaMecab(Groonga):
    name = "groonga-mecab"
    tokenizer = "TokenMecab"
    formulation = (
        "Groonga TokenMecab + NormalizerAuto; OR of the quoted tokens Groonga's tokenize command "
        "gives for the query (TokenMecab); scorer_tf_idf, title weight 2"
    )

    def query_terms(self, query: str) -> list[str]:
        out = self._cmd("tokenize", tokenizer="TokenMecab", normalizer="NormalizerAuto", string=query)
        return _dedupe(t["value"] for t in out if t["value"].strip())


# --------------------------------------------------------------------------- registry

PEERS: dict[str, type[Peer]] = {
    p.name: p for p in (WhooshStandard, WhooshBigram, Fts5Trigram, Xapian, Groonga, GroongaMecab)
}


def unavailable_reason(name: str) -> str | None:
    """Why peer ``name`` cannot run here, or None if it can."""
    if name == "xapian":
        try:
            import_xapian()
        except ImportError:
            return "skipped: not installed (python module xapian)"
    elif name in ("groonga", "groonga-mecab"):
        if shutil.which("groonga") is None:
            return "skipped: not installed (groonga command)"
    elif name in ("whoosh-std", "whoosh-bigram"):
        try:
            import whoosh  # noqa: F401
        except ImportError:
            return "skipped: not installed (whoosh)"
    elif name == "fts5-trigram":
        try:
            con = sqlite3.connect(":memory:")
            con.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='trigram')")
            con.close()
        except sqlite3.Error as exc:
            return f"skipped: SQLite {sqlite3.sqlite_version} lacks FTS5 trigram ({exc})"
    return None
