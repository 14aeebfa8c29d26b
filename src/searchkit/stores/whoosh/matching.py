"""Keyword matching a posting block at a time.

Whoosh matches an AND of ORs document by document through a tree of
matcher objects: several Python calls per posting and per candidate. For the
common shape of keyword queries (each word an OR of plain terms over a few
fields) this module scores each term's postings block by block into a dict,
intersects the words' documents with set operations, and hands Whoosh's
collector a list of (document, score) in document order — when the search
needs only a page by score, only the documents that can make the page
(the collector's per-document calls were a fifth of query time at 4× the
news corpus). Later words score only the candidates. The scores are
Whoosh's BM25F scores (same formula, same statistics); sums may differ in the
last bit because they are added in another order.

Long ORs (headlines, questions: a sum of best-of-fields clauses, lead terms
and word pairs) are scored the same way by :func:`sum_matcher`, but bit for
bit as Whoosh's array matcher: each score computed with ``bm25()``'s
operations in its order and a document's clause scores added in clause order,
so rankings and ties are Whoosh's exactly (headlines 5× faster).
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from heapq import nlargest
from itertools import accumulate, count, repeat
from pickle import loads
from typing import Any

from whoosh import matching as wm
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermsReader
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F

from .formats import PackedValues

__all__ = ["Block", "ScoredList", "SeenBlocks", "TERM_CACHE", "all_words_matcher", "doc_frequency", "plain_terms", "posting_value", "sum_matcher",
           "word_clauses", "word_matcher", "word_scores"]


#: A block is walked posting by posting when it holds at least 1/FEW_CANDIDATES candidates;
#: below that, each candidate is looked up in it (a bisect).
FEW_CANDIDATES = 8
#: Posting blocks whose place (:func:`_directory`) is kept per segment reader, about 40 bytes
#: each, before the cache starts afresh.
DIRECTORY_BLOCKS = 1_000_000
#: Term infos kept per segment reader (see :func:`_term_info`) before the cache starts afresh.
TERM_CACHE = 20_000
#: A block of postings read while scoring: (lowest, highest docnum it covers, docnums, values).
Block = tuple[int, int, Any, Any]
#: Blocks read per (segment reader, field, term bytes).
SeenBlocks = dict[tuple[Any, str, bytes], list[Block]]
#: The one "block" of a term the segment does not have: it covers every document.
_NOTHING: Block = (0, 2**63, (), ())


def posting_value(blocks: list[Block], docnum: int) -> tuple[bool, bytes | None]:
    """``(known, value)`` of a document's posting among blocks read: known is
    False when no block read covers ``docnum`` (it was skipped)."""
    if not blocks:
        return False, None
    i = bisect_left(blocks, docnum, key=lambda b: b[1])
    if i == len(blocks) or blocks[i][0] > docnum:
        return False, None
    _, _, ids, values = blocks[i]
    j = bisect_left(ids, docnum)
    if j < len(ids) and ids[j] == docnum:
        return True, _value(values, j)
    return True, None


def plain_terms(q: Any) -> list[wq.Term] | None:
    """The terms of a word query (a Term, or an OR of Terms and such ORs), or None for anything else."""
    return _word_parts(q, phrases=False)


def word_clauses(q: Any) -> list[Any] | None:
    """The clauses of a word query that :func:`all_words_matcher` scores: its terms, as
    :func:`plain_terms`, and two-word phrases (a compound: ２人, 3月) in place of terms; else None."""
    return _word_parts(q, phrases=True)


def _word_parts(q: Any, phrases: bool) -> list[Any] | None:
    """The Terms (and, with ``phrases``, two-word Phrases) of a Term or an unboosted OR of them, else None."""
    if type(q) is wq.Term:
        return [q]
    if phrases and type(q) is wq.Phrase:
        return [q] if len(q.words) == 2 and q.slop == 1 else None
    if isinstance(q, wq.Or) and q.boost == 1.0 and getattr(q, "scale", None) is None and q.subqueries:
        out: list[Any] = []
        for sub in q.subqueries:
            parts = _word_parts(sub, phrases)
            if parts is None:
                return None
            out += parts
        return out
    return None


class ScoredList(wm.ListMatcher):  # type: ignore[misc]
    """Documents with their final scores, in document order.

    It claims no upper bound on its scores, so Whoosh's collector never
    rewrites a matcher tree around it (its quality-driven rewrites of unions
    into AND-MAYBE trees can drop a sub-score). ``dropped``: matching
    documents left out because they cannot make the page (see :func:`_scored_list`).
    """

    dropped = 0

    def max_quality(self) -> float:
        return float("inf")

    def replace(self, minquality: float = 0) -> Any:
        return self if self.is_active() else wm.NullMatcher()


def _scored_list(scores: dict[int, float], top: int | None) -> Any:
    """A :class:`ScoredList` of ``scores``; with ``top``, only the documents
    scoring at least the ``top``-th best score (ties kept, so Whoosh's
    collector picks the same page: it sees ~``top`` documents instead of all)."""
    if not scores:
        return wm.NullMatcher()
    dropped = 0
    if top is not None and len(scores) > top:
        cut = nlargest(top, scores.values())[-1]
        n = len(scores)
        scores = {d: s for d, s in scores.items() if s >= cut}
        dropped = n - len(scores)
    ids = sorted(scores)
    m = ScoredList(ids, [scores[d] for d in ids])
    m.dropped = dropped
    return m


def _norms(reader: Any, fieldname: str, b: float, k1: float, avgfl: float) -> list[float]:
    """``k1 * ((1 - b) + b * length / avgfl)`` of every document, as Whoosh's bm25() computes it
    (cached on the segment reader; avgfl changes only with the index)."""
    cache: dict[tuple[str, float, float, float], list[float]] = reader.__dict__.setdefault("_searchkit_norms", {})
    key = (fieldname, b, k1, avgfl)
    norms = cache.get(key)
    if norms is None:
        dfl = reader.doc_field_length
        lengths = [dfl(d, fieldname, 1) for d in range(reader.doc_count_all())]
        norms = cache[key] = [k1 * ((1 - b) + b * fl / avgfl) if fl is not None else 0.0 for fl in lengths]
    return norms


#: A term of a word query as found in one segment: (term, bytes, term info or None when absent).
_Found = tuple[wq.Term, bytes, Any]


def _lookup(searcher: Any, terms: Sequence[wq.Term]) -> list[_Found] | None:
    """Each term's info in an atomic searcher's segment (one table lookup per term)."""
    if not searcher.is_atomic():
        return None
    reader = searcher.reader()
    table: Any = getattr(reader, "_terms", None)
    if type(table) is not W3TermsReader:
        return None
    schema = searcher.schema
    found: list[_Found] = []
    for term in terms:
        fieldname = term.fieldname
        if fieldname not in schema:
            continue
        try:
            tbytes = schema[fieldname].to_bytes(term.text)
        except ValueError:
            continue
        found.append((term, tbytes, _term_info(reader, table, fieldname, tbytes)))
    return found


def _term_info(reader: Any, table: W3TermsReader, fieldname: str, tbytes: bytes) -> Any:
    """A term's info in one segment, or None when it has not the term; kept on the
    segment reader (a segment never changes), up to :data:`TERM_CACHE` terms."""
    cache: dict[tuple[str, bytes], Any] = reader.__dict__.setdefault("_searchkit_terms", {})
    key = (fieldname, tbytes)
    try:
        return cache[key]
    except KeyError:
        pass
    try:
        info = table.term_info(fieldname, tbytes)
    except TermNotFound:
        info = None
    if len(cache) >= TERM_CACHE:
        cache.clear()
    cache[key] = info
    return info


def doc_frequency(searcher: Any, fieldname: str, text: str) -> int | None:
    """How many documents hold a term (as Whoosh counts them: deleted ones too), from
    :func:`_term_info`; None when a segment is not read by Whoosh's own codec."""
    schema = searcher.schema
    if fieldname not in schema:
        return 0
    try:
        tbytes = schema[fieldname].to_bytes(text)
    except ValueError:
        return None
    n = 0
    for reader, _ in searcher.reader().leaf_readers():
        table = getattr(reader, "_terms", None)
        if type(table) is not W3TermsReader:
            return None
        info = _term_info(reader, table, fieldname, tbytes)
        n += info.doc_frequency() if info is not None else 0
    return n


def _weighting(searcher: Any, context: Any) -> Any:
    weighting = context.weighting if context is not None else searcher.weighting
    return weighting if type(weighting) is BM25F else None  # None: unscored, or another model


#: A term's posting blocks in one segment, as arrays: lowest and highest docnum each block
#: covers, its data's offset and length, whether it is compressed, its number of postings.
_Directory = tuple["array[int]", "array[int]", "array[int]", "array[int]", "array[int]", "array[int]"]


def _directory(reader: Any, field: Any, fieldname: str, tbytes: bytes, info: Any) -> _Directory:
    """Where each posting block of a term (its info not inlined) lies (see :func:`_block_places`)."""
    got: _Directory | None = reader.__dict__.get("_searchkit_directories", {}).get((fieldname, tbytes))
    if got is None:
        columns = list(zip(*_block_places(reader, field, fieldname, tbytes, info))) or [()] * 6
        los, his, offsets, lengths, compressed, counts = (array(t, c) for t, c in zip("qqqqbq", columns))
        got = (los, his, offsets, lengths, compressed, counts)
    return got


def _block_places(reader: Any, field: Any, fieldname: str, tbytes: bytes, info: Any
                  ) -> Iterator[tuple[int, int, int, int, int, int]]:
    """``(lowest, highest docnum, data offset, data length, compressed, postings)`` of each
    posting block of a term (its info not inlined), in order. Read from the block
    headers as W3LeafMatcher reads them, only as far as the caller goes; once read
    to the end, kept on the segment reader (a segment never changes) for up to
    :data:`DIRECTORY_BLOCKS` blocks in all, so a term met again is not re-read."""
    cache: dict[tuple[str, bytes], _Directory] = reader.__dict__.setdefault("_searchkit_directories", {})
    key = (fieldname, tbytes)
    got = cache.get(key)
    if got is not None:
        yield from zip(*got)
        return
    offset, length = info.extent()
    leaf = W3LeafMatcher(reader._terms._postfile, offset, length, field.format, term=key)
    los, his, offsets, lengths = array("q"), array("q"), array("q"), array("q")
    compressed, counts = array("b"), array("q")
    lo = 0
    while leaf.is_active():
        hi, at, n = leaf._maxid, leaf._dataoffset, leaf._blocklength
        size, packed = leaf._nextoffset - at, 1 if leaf._compression else 0
        los.append(lo)
        his.append(hi)
        offsets.append(at)
        lengths.append(size)
        compressed.append(packed)
        counts.append(n)
        yield lo, hi, at, size, packed, n
        lo = leaf._maxid + 1
        leaf._next_block()
    held = reader.__dict__.get("_searchkit_directory_blocks", 0) + len(los)
    if held > DIRECTORY_BLOCKS:
        cache.clear()
        held = len(los)
    reader.__dict__["_searchkit_directory_blocks"] = held
    cache[key] = (los, his, offsets, lengths, compressed, counts)


def word_scores(searcher: Any, context: Any, terms: Sequence[wq.Term],
                only: list[int] | None = None, seen: SeenBlocks | None = None) -> dict[int, float] | None:
    """BM25F score of one word (the sum over its terms) for each document of an atomic searcher.

    ``only``: sorted document numbers to score (others are skipped, whole
    blocks at a time). ``seen``: where to keep the blocks read, for snippets.
    None when this searcher or a term cannot be read block by block (the
    caller falls back to Whoosh's matchers).
    """
    found = _lookup(searcher, terms)
    weighting = _weighting(searcher, context)
    if found is None or weighting is None:
        return None
    return _scores(searcher, weighting, found, only, seen)


def _scores(searcher: Any, weighting: BM25F, found: list[_Found], only: list[int] | None,
            seen: SeenBlocks | None) -> dict[int, float] | None:
    reader = searcher.reader()
    table = reader._terms
    parent = searcher.get_parent()
    schema = searcher.schema
    scores: dict[int, float] = {}
    get = scores.get
    keep = set(only) if only is not None else None  # later words: score only these documents
    # Body terms first (the longest lists, as a rule): while the dict is empty, postings are stored
    # without a lookup. The order is the same in every segment, so equal documents score the same.
    for term, tbytes, info in sorted(found, key=lambda f: f[0].fieldname != "body"):
        fieldname = term.fieldname
        if info is None:
            if seen is not None:
                seen[reader, fieldname, tbytes] = [_NOTHING]
            continue
        field = schema[fieldname]
        if not field.scorable or info.is_inlined():
            return None
        # whoosh.scoring.BM25FScorer's statistics
        idf = parent.idf(fieldname, tbytes)
        avgfl = parent.avg_field_length(fieldname) or 1
        b = weighting._field_B.get(fieldname, weighting.B)
        k1 = weighting.K1
        k1p1, boost = k1 + 1, float(term.boost)
        norms = _norms(reader, fieldname, b, k1, avgfl)
        fixedsize = field.format.fixed_value_size()
        variable = fixedsize is None or fixedsize < 0
        kept: list[Block] | None = None
        if seen is not None and variable:
            kept = seen.setdefault((reader, fieldname, tbytes), [])
        postfile = table._postfile
        first = keep is None and not scores  # a term's documents are distinct
        few: Sequence[int] = ()
        for lo, hi, offset, length, compressed, count in _block_places(reader, field, fieldname, tbytes, info):
            if only is not None:
                i = bisect_left(only, lo)
                if i == len(only):
                    break
                if only[i] > hi:  # no candidate in this block: skip it unread
                    continue
                k = bisect_right(only, hi, i)
                # a few candidates in a long block: look each one up rather than walk the block
                few = only[i:k] if (k - i) * FEW_CANDIDATES < count else ()
            # W3LeafMatcher._read_data/_read_ids/_read_weights, without a Python call per posting
            data = postfile.get(offset, length)
            deltas, weights, values = loads(zlib.decompress(data) if compressed else data)
            ids = tuple(accumulate(deltas))
            if kept is not None:
                kept.append((lo, hi, ids, values))
            # whoosh.scoring.bm25: idf * (w * (k1 + 1)) / (w + norm), times the term's boost
            c = idf * k1p1 * boost
            same = weights is None or isinstance(weights, float)
            if few:
                n = len(ids)
                w = 1.0 if weights is None else weights
                for d in few:
                    j = bisect_left(ids, d)
                    if j < n and ids[j] == d:
                        wj = w if same else weights[j]
                        scores[d] = get(d, 0.0) + c * wj / (wj + norms[d])
            elif same:
                w = 1.0 if weights is None else weights
                cw = c * w  # the product c * w / (...) computes below: equal weights score alike in every block
                if first:
                    for d in ids:
                        scores[d] = cw / (w + norms[d])
                elif keep is None:
                    for d in ids:
                        scores[d] = get(d, 0.0) + cw / (w + norms[d])
                else:
                    for d in ids:
                        if d in keep:
                            scores[d] = get(d, 0.0) + cw / (w + norms[d])
            elif first:
                for d, w in zip(ids, weights):
                    scores[d] = c * w / (w + norms[d])
            elif keep is None:
                for d, w in zip(ids, weights):
                    scores[d] = get(d, 0.0) + c * w / (w + norms[d])
            else:
                for d, w in zip(ids, weights):
                    if d in keep:
                        scores[d] = get(d, 0.0) + c * w / (w + norms[d])
    if keep is None and reader.has_deletions():  # (candidates are live documents already)
        deleted = reader.deleted_docs_set
        scores = {d: s for d, s in scores.items() if d not in deleted}
    return scores


def all_words_matcher(searcher: Any, context: Any, words: Sequence[Sequence[Any]],
                      seen: SeenBlocks | None = None, top: int | None = None) -> Any:
    """A matcher over the documents holding every word, scored by the sum of the words' scores.

    ``words``: each word's clauses (:func:`word_clauses`). ``top``: the page
    needs only this many best documents (no filter, sorted by score): the
    others are left out of the matcher. None when :func:`word_scores` cannot
    serve this searcher.
    """
    weighting = _weighting(searcher, context)
    terms = [[c for c in word if type(c) is wq.Term] for word in words]
    phrases = [[c for c in word if type(c) is wq.Phrase] for word in words]
    found = [_lookup(searcher, word) for word in terms]
    if weighting is None or any(f is None for f in found):
        return None
    reader = searcher.reader()

    def frequency(i: int) -> int:
        n = int(sum(info.doc_frequency() for _, _, info in found[i] or () if info is not None))
        for q in phrases[i]:  # a phrase is in no more documents than its rarer word
            n += min(doc_frequency(searcher, q.fieldname, w) or 0 for w in q.words)
        return n

    # The rarest word first: later words are scored only where the earlier ones occur.
    order = sorted(range(len(words)), key=frequency)
    per_word: list[dict[int, float] | None] = [None] * len(words)
    only: list[int] | None = None
    read: _Read = {}
    for i in order:
        scores = _scores(searcher, weighting, found[i] or [], only, seen)
        if scores is None:
            return None
        for q in phrases[i]:
            pair = _phrase_scores(searcher, weighting, q, only, read)
            if pair is None:
                return None
            get = scores.get
            for d, s in pair.items():
                scores[d] = get(d, 0.0) + s
        if only is None and phrases[i] and reader.has_deletions():
            deleted = reader.deleted_docs_set
            scores = {d: s for d, s in scores.items() if d not in deleted}
        if not scores:
            return wm.NullMatcher()
        per_word[i] = scores
        only = sorted(scores)  # later words' scores hold only the candidates
    assert only is not None
    scored = [s for s in per_word if s is not None]
    return _scored_list({d: sum(s[d] for s in scored) for d in only}, top)


def word_matcher(searcher: Any, context: Any, terms: Sequence[wq.Term], seen: SeenBlocks | None = None,
                 top: int | None = None) -> Any:
    """A matcher over the documents holding one word (any of its terms); None and ``top`` as
    :func:`all_words_matcher`."""
    scores = word_scores(searcher, context, terms, seen=seen)
    if scores is None:
        return None
    return _scored_list(scores, top)


#: Posting blocks read by one :func:`sum_matcher`, by (field, term bytes): ``(lowest,
#: highest docnum, docnums, weights, values)`` each.
_Read = dict[tuple[str, bytes], list[tuple[int, int, tuple[int, ...], Any, Any]]]


def _blocks(reader: Any, field: Any, fieldname: str, tbytes: bytes, info: Any,
            read: _Read | None = None) -> list[tuple[int, int, tuple[int, ...], Any, Any]]:
    """``(lowest, highest docnum, docnums, weights, values)`` of each posting block of a term
    (its info not inlined), as W3LeafMatcher reads them, without a Python call per
    posting; kept in ``read`` (a term is read once per segment and search)."""
    key = (fieldname, tbytes)
    if read is not None and key in read:
        return read[key]
    postfile = reader._terms._postfile
    out = []
    for lo, hi, offset, length, compressed, _ in _block_places(reader, field, fieldname, tbytes, info):
        data = postfile.get(offset, length)
        deltas, weights, values = loads(zlib.decompress(data) if compressed else data)
        ids = tuple(accumulate(deltas))
        if weights is None or isinstance(weights, float):
            weights = (1.0 if weights is None else weights,) * len(ids)
        out.append((lo, hi, ids, weights, values))
    if read is not None:
        read[key] = out
    return out


def _bm25(searcher: Any, weighting: BM25F, fieldname: str, tbytes: bytes) -> tuple[float, float, list[float]]:
    """``(idf, k1 + 1, norms)`` of a term, as whoosh.scoring.BM25FScorer takes them."""
    parent = searcher.get_parent()
    k1 = weighting.K1
    norms = _norms(searcher.reader(), fieldname, weighting._field_B.get(fieldname, weighting.B), k1,
                   parent.avg_field_length(fieldname) or 1)
    return parent.idf(fieldname, tbytes), k1 + 1, norms


def _term_scores(searcher: Any, weighting: BM25F, context: Any, found: _Found, seen: SeenBlocks | None,
                 read: _Read, into: dict[int, float] | None = None) -> dict[int, float]:
    """Each document's score of one term (as found by :func:`_lookup`), bit for bit as
    Whoosh's matcher scores it (``bm25()``'s operations in its order, times the
    boost), read a block at a time. ``into``: add the scores to it (and return it)."""
    term, tbytes, info = found
    reader = searcher.reader()
    fieldname = term.fieldname
    scores: dict[int, float] = {} if into is None else into
    if info is None:
        if seen is not None:
            seen[reader, fieldname, tbytes] = [_NOTHING]
        return scores
    get = scores.get
    field = searcher.schema[fieldname]
    boost = float(term.boost)
    if not field.scorable or info.is_inlined():  # rare: let Whoosh's matcher score it
        m = term.matcher(searcher, context)
        while m.is_active():
            d = m.id()
            scores[d] = get(d, 0.0) + m.score() if into is not None else m.score()
            m.next()
        return scores
    idf, k1p1, norms = _bm25(searcher, weighting, fieldname, tbytes)
    fixedsize = field.format.fixed_value_size()
    kept = seen.setdefault((reader, fieldname, tbytes), []) \
        if seen is not None and (fixedsize is None or fixedsize < 0) and (reader, fieldname, tbytes) not in seen \
        else None  # (a term twice in the query is kept once)
    adding = into is not None and bool(into)  # (into an empty dict, a term's documents are new)
    for lo, hi, ids, weights, values in _blocks(reader, field, fieldname, tbytes, info, read):
        if kept is not None:
            kept.append((lo, hi, ids, values))
        # whoosh.scoring.bm25: idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))),
        # times the term's boost (Whoosh's WrappingMatcher; x * 1.0 is x)
        if adding:
            for d, w in zip(ids, weights):
                scores[d] = get(d, 0.0) + idf * ((w * k1p1) / (w + norms[d])) * boost
        else:
            for d, w in zip(ids, weights):
                scores[d] = idf * ((w * k1p1) / (w + norms[d])) * boost
    return scores


def _pair_words(searcher: Any, q: Any) -> tuple[Any, _Found, _Found] | tuple[()] | None:
    """``(field, first word, second word)`` of a two-word phrase (slop 1) whose postings can
    be read block by block; ``()`` when the segment lacks a word; None otherwise."""
    if type(q) is not wq.Phrase or len(q.words) != 2 or q.slop != 1:
        return None
    found = _lookup(searcher, [wq.Term(q.fieldname, w) for w in q.words])
    if found is None:
        return None
    if len(found) < 2 or any(info is None for _, _, info in found):
        return ()
    field = searcher.schema[q.fieldname]
    if not field.scorable or not field.format.supports("positions") or any(i.is_inlined() for _, _, i in found):
        return None
    return field, found[0], found[1]


def _pair_scores(searcher: Any, weighting: BM25F, q: Any, read: _Read) -> dict[int, float] | None:
    """Each document's score of a two-word phrase (Whoosh's ``Phrase``, slop 1), bit for
    bit as its matcher scores it: the sum of the two words' BM25 scores, times the
    boost, where the second word stands right after the first. None when it is
    not such a phrase or its postings cannot be read block by block."""
    words = _pair_words(searcher, q)
    if not words:
        return None if words is None else {}  # (empty: Whoosh's NullMatcher)
    field, (_, abytes, ainfo), (_, bbytes, binfo) = words
    reader = searcher.reader()
    positions = field.format.decoder("positions")
    ablocks = _blocks(reader, field, q.fieldname, abytes, ainfo, read)
    where: dict[int, tuple[int, int]] = {}  # the first word's documents: (block, place)
    for i, (_, _, ids, _, _) in enumerate(ablocks):
        where.update(zip(ids, zip(repeat(i), count())))
    aidf, k1p1, norms = _bm25(searcher, weighting, q.fieldname, abytes)
    bidf = _bm25(searcher, weighting, q.fieldname, bbytes)[0]
    boost = float(q.boost)
    scores: dict[int, float] = {}
    for _, _, ids, weights, values in _blocks(reader, field, q.fieldname, bbytes, binfo, read):
        for j, d in enumerate(ids):
            at = where.get(d)
            if at is None:
                continue
            aweights, avalues = ablocks[at[0]][3:]  # (values are unpacked only when read)
            after = {p + 1 for p in positions(avalues[at[1]])}
            if after.isdisjoint(positions(values[j])):
                continue
            aw, bw, norm = aweights[at[1]], weights[j], norms[d]
            # IntersectionMatcher: a.score() + b.score(); WrappingMatchers: times 1.0, times the boost
            scores[d] = (aidf * ((aw * k1p1) / (aw + norm)) + bidf * ((bw * k1p1) / (bw + norm))) * boost
    return scores


class _Postings:
    """One term's postings in a segment, its blocks read as documents are looked up."""

    def __init__(self, reader: Any, field: Any, fieldname: str, tbytes: bytes, info: Any) -> None:
        self.directory = _directory(reader, field, fieldname, tbytes, info)
        self.postfile = reader._terms._postfile
        self.blocks: dict[int, tuple[tuple[int, ...], Any, Any]] = {}

    def get(self, d: int) -> tuple[Any, Any, int] | None:
        """``(weight, values, i)`` of the document's posting (its value ``values[i]``, unpacked
        only when asked for), or None when it has not the term."""
        his = self.directory[1]
        i = bisect_left(his, d)
        if i == len(his):
            return None
        block = self.blocks.get(i)
        if block is None:
            data = self.postfile.get(self.directory[2][i], self.directory[3][i])
            deltas, weights, values = loads(zlib.decompress(data) if self.directory[4][i] else data)
            block = self.blocks[i] = (tuple(accumulate(deltas)), 1.0 if weights is None else weights, values)
        ids, weights, values = block
        j = bisect_left(ids, d)
        if j == len(ids) or ids[j] != d:
            return None
        return (weights if isinstance(weights, float) else weights[j]), values, j


def _value(values: Any, i: int) -> bytes:
    """The ``i``-th of a block's values, unpacking no other (:class:`.formats.PackedValues`)."""
    return values.value(i) if isinstance(values, PackedValues) else bytes(values[i])


def _phrase_scores(searcher: Any, weighting: BM25F, q: Any, only: list[int] | None,
                   read: _Read) -> dict[int, float] | None:
    """:func:`_pair_scores` of the documents ``only`` (sorted), looked up one by one
    when they are few next to the phrase's words' documents (all documents: None)."""
    if only is None:
        return _pair_scores(searcher, weighting, q, read)
    words = _pair_words(searcher, q)
    if not words:
        return None if words is None else {}  # (empty: Whoosh's NullMatcher)
    field, (_, abytes, ainfo), (_, bbytes, binfo) = words
    if len(only) * FEW_CANDIDATES > ainfo.doc_frequency() + binfo.doc_frequency():
        keep = set(only)
        pair = _pair_scores(searcher, weighting, q, read)
        return None if pair is None else {d: s for d, s in pair.items() if d in keep}
    reader = searcher.reader()
    positions = field.format.decoder("positions")
    a = _Postings(reader, field, q.fieldname, abytes, ainfo)
    b = _Postings(reader, field, q.fieldname, bbytes, binfo)
    aidf, k1p1, norms = _bm25(searcher, weighting, q.fieldname, abytes)
    bidf = _bm25(searcher, weighting, q.fieldname, bbytes)[0]
    boost = float(q.boost)
    scores: dict[int, float] = {}
    for d in only:
        first = a.get(d)
        if first is None:
            continue
        second = b.get(d)
        if second is None:
            continue
        (aw, avalues, i), (bw, bvalues, j) = first, second
        if {p + 1 for p in positions(_value(avalues, i))}.isdisjoint(positions(_value(bvalues, j))):
            continue
        norm = norms[d]
        # as :func:`_pair_scores` scores it
        scores[d] = (aidf * ((aw * k1p1) / (aw + norm)) + bidf * ((bw * k1p1) / (bw + norm))) * boost
    return scores


def _best_terms(q: Any) -> list[wq.Term] | None:
    """The terms of a clause that scores its best term (a Term, or a BestOf of Terms), else None."""
    if type(q) is wq.Term:
        return [q]
    subs = getattr(q, "subqueries", None)
    if getattr(q, "best_of_terms", False) and q.boost == 1.0 and subs and all(type(s) is wq.Term for s in subs):
        return list(subs)
    return None


def sum_matcher(searcher: Any, context: Any, clauses: Sequence[Any], seen: SeenBlocks | None = None,
                top: int | None = None) -> Any:
    """A matcher of the sum of ``clauses``' scores, equal bit for bit to Whoosh's
    ``ArrayUnionMatcher``: each document's clause scores are added in clause
    order. Terms and best-of-terms clauses are scored a posting block at a time
    (the best of a document's terms is exact whatever the order); other clauses
    by their Whoosh matchers. ``top`` as :func:`all_words_matcher`; None when
    the searcher is not atomic or not scored with BM25F."""
    weighting = _weighting(searcher, context)
    if weighting is None or _lookup(searcher, []) is None:
        return None
    total: dict[int, float] = {}
    get = total.get
    read: _Read = {}
    for q in clauses:
        terms = _best_terms(q)
        if terms is None:
            pair = _pair_scores(searcher, weighting, q, read)
            if pair is not None:
                for d, s in pair.items():
                    total[d] = get(d, 0.0) + s
                continue
            m = q.matcher(searcher, context)
            while m.is_active():
                d = m.id()
                total[d] = get(d, 0.0) + float(m.score())
                m.next()
            continue
        found = _lookup(searcher, terms) or []
        present = [f for f in found if f[2] is not None]
        for f in found:
            if f[2] is None:  # (recorded for snippets)
                _term_scores(searcher, weighting, context, f, seen, read)
        if len(present) == 1:  # the best of one term: add it up directly
            _term_scores(searcher, weighting, context, present[0], seen, read, total)
            continue
        best = _term_scores(searcher, weighting, context, present[0], seen, read) if present else {}
        for f in present[1:]:
            for d, s in _term_scores(searcher, weighting, context, f, seen, read).items():
                if d not in best or s > best[d]:
                    best[d] = s
        for d, s in best.items():
            total[d] = get(d, 0.0) + s
    reader = searcher.reader()
    if reader.has_deletions():
        deleted = reader.deleted_docs_set
        total = {d: s for d, s in total.items() if d not in deleted}
    return _scored_list(total, top)
