"""The query planner: from parsed query text to a store-neutral :mod:`plan <searchkit.query.plan>`.

How query text becomes a plan:

* the text is parsed (:mod:`searchkit.query.syntax`) and each free-text run is
  analyzed whole with the index's analyzer (never split at whitespace first);
* a run that analyzes into adjacent terms (防衛相会談 → 防衛 相 会談,
  スマートフォン → スマート フォン) is one *unit*: a phrase, so its pieces are
  never matched apart;
* a plain query of a few keywords (no particles, at most
  :data:`KEYWORD_MAX_UNITS` units) requires every unit (AND); when no article
  holds them all, articles holding some are shown instead, with a warning;
* a natural-language question (particles between its words, or longer than
  that) is a weighted OR of its terms; words found in more than
  :data:`COMMON_DF` of the articles are left out (they cost the most and
  weigh the least). When it asks something (a question word such as 何, どこ,
  who), query terms found next to each other in an article add a bonus
  (:data:`PAIR_BOOST`), and the question words themselves are dropped;
* a query with a headline's marks (！, text after ？, a 【tag】) is not a
  question, nor are question words used as indefinites (誰も, いつでも) or
  quoted (「誰にも話していない」); in a long query the words of a series tag
  (【Sports Watch】, vol.2, 第3回, Presented by …) weigh :data:`SERIES_WEIGHT`,
  since every article of the series shares them;
* queries with operators, quotes or ``field:`` follow the query language, with
  AND between juxtaposed items;
* names cross scripts: a Japanese proper noun also matches its romaji reading
  in English text (小泉 → koizumi), and a Latin or kana word also matches
  Japanese names read that way (Koizumi, こいずみ → 小泉), at
  :data:`NAME_BOOST`; an alias table (:mod:`searchkit.query.aliases`) adds
  alternatives for names readings cannot bridge;
* a synonym table (:mod:`searchkit.query.synonyms`) adds the other words of a
  group for a query word (or words) it holds on the query's token boundaries,
  at :data:`~searchkit.query.synonyms.SYNONYM_BOOST`: within a unit the
  synonym takes the word's place (東証株価 also as the phrase 東京 証券 取引 所 株価);
* English word forms a stemmer leaves apart are synonyms too, always: a place
  and its adjective (Germany, German), a verb and its past (rise, rose: a
  headline tells in the present what its article tells in the past;
  :func:`~searchkit.query.synonyms.word_forms`). A synonym of one word also
  gets the word's lead bonus (the best of the two counts).

Each term is searched in ``title`` (weighted :data:`TITLE_BOOST`) and
``body``. Long queries that do not ask anything (a headline) also search the
body's opening, ``lead`` (:data:`LEAD_BOOST`, :data:`LEAD_BOOST_JA` for a
Japanese one, :data:`LEAD_BOOST_EN` for an English one: news puts the gist
first; known-item MRR@10 +0.06); in an English headline the words written with
a capital weigh :data:`CAPITAL_WEIGHT`, and English words weigh by their
rarity among the English articles (:data:`LANGUAGE_IDF`); a question
that asks something (who, 何…) does not, since its answer can be anywhere in
the article, and neither do two-word
keyword queries (+0.005 MRR@10 there, for 25% more query time). In a long
query each word counts once, in the field where it scores best (title, body,
or its name in the other script), plus the lead bonus.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from typing import TYPE_CHECKING, Protocol

from ..analysis import Analyzer, Token
from ..analysis.english import stem
from ..analysis.readings import kana_query_reading
from ..analysis.romaji import fold_romaji, is_kana
from ..analysis.names import READING_PREFIX
from ..documents import TEXT_FIELDS, parse_datetime, repair_text
from ..errors import QueryError
from . import rerank as _rerank
from .plan import All, AnyOf, BestOf, DateRange, Phrase, Plan, Sum, Term, TermRange
from .plan import Not as PlanNot
from .synonyms import SYNONYM_BOOST
from .synonyms import word_forms as _word_forms
from .syntax import And, Node, Not, Or, Phrase as PhraseNode, Range, Text

if TYPE_CHECKING:
    from .aliases import AliasTable
    from .synonyms import SynonymTable

__all__ = ["CAPITAL_WEIGHT", "COMMON_DF", "KEYWORD_MAX_UNITS", "LANGUAGE_IDF", "LEAD_BOOST", "LEAD_BOOST_EN",
           "LEAD_BOOST_JA", "NAME_BOOST", "PAIR_BOOST",
           "QUESTION_WORDS", "Planner", "SERIES_WEIGHT", "TITLE_BOOST", "TermStatistics", "filters", "flatten",
           "is_headline", "series_weights"]

TITLE_BOOST = 1.5
PAIR_BOOST = 0.25
#: Question words found in more than this share of articles are left out.
COMMON_DF: float | None = 0.2
COMMON_DF_MIN_DOCS = 200
NAME_BOOST = 0.6
#: Extra weight of a word found in the opening of the body (the ``lead`` field).
LEAD_BOOST = 0.6
#: … for a Japanese query that is not a question (a headline).
LEAD_BOOST_JA = 1.0
#: … for an English one (whose lead is shorter: ``documents.LEAD_CHARS_EN``).
LEAD_BOOST_EN = 0.5
#: Weight of the words of an English headline written with a capital (names,
#: and the first word): "Hodges announces rugby retirement" is about Hodges.
CAPITAL_WEIGHT = 1.2
#: English query words weighed by how rare they are among the English
#: articles, not among all: idf(English) / idf(all). In an index of mostly
#: Japanese articles every English word looks rare, its common words nearly as
#: much as its names.
LANGUAGE_IDF = True
KEYWORD_MAX_UNITS = 2
#: Weight of the words of a series tag in a long query (【Sports Watch】,
#: ［PR］, vol.2, 第3回, Presented by …): the other articles of the series share it.
SERIES_WEIGHT = 0.25
SERIES_TAG = re.compile(r"【[^】]*】|［[^］]*］|\[[^\]]*\]|\b[Vv][Oo][Ll]\.?\s*\d+|第\s*\d+\s*[回話]|Presented by.*$")
#: A headline's marks (:func:`is_headline`): an exclamation, text after a question mark, a 【tag】.
_HEADLINE = re.compile(r"[!！]|[?？]\s*\S|【")
#: Quoted speech and tags: a question word inside them does not ask.
_QUOTED = re.compile(r"「[^」]*」|『[^』]*』|“[^”]*”|【[^】]*】")
_EXACT_FIELDS = ("id", "lang", "category", "tags")
_PUNCT_TAGS = ("補助記号", "空白", "記号")
#: How Japanese questions without a question word end: …の名前は。 …したのか。
#: …を答えよ.
_QUESTION_END = re.compile(r"(?:[はか]|答えよ|答えなさい|[挙あ]げよ|こたえよ|教えて(?:ください)?)[。．.]?\s*$")


def _load_words(name: str) -> frozenset[str]:
    text = resources.files("searchkit.analysis").joinpath("data", name).read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


QUESTION_WORDS = _load_words("question_words.txt")


class TermStatistics(Protocol):
    """What the planner asks of a store: how many articles, and how many hold a term."""

    def doc_count_all(self) -> int: ...

    def doc_frequency(self, field: str, term: str) -> int: ...


#: A synonym of one word of a headline also counts in the body's opening, as
#: the word does, at SYNONYM_BOOST of its lead bonus (known-item EN MRR@10 with
#: the word forms: 0.8381 without, 0.8396 with the places table alone).
LEAD_SYNONYMS = True


@dataclass
class Planner:
    """Plans one query: its terms, units and alternatives, and what it says about itself."""

    analyzer: Analyzer
    aliases: AliasTable | None = None
    stats: TermStatistics | None = None
    cross_script: bool = True
    lead: bool = False  # the index has a lead field (indexes made before it have not)
    synonyms: SynonymTable | None = None
    #: English word forms a stemmer leaves apart (:func:`~searchkit.query.synonyms.word_forms`)
    #: searched as synonyms of each other
    word_forms: bool = True
    #: analysed term → (query word, how it relates: "term", "reading", "alias", "synonym")
    origins: dict[str, tuple[str, str]] = field(default_factory=dict)
    expansions: list[tuple[str, str, str]] = field(default_factory=list)
    relaxed: bool = False
    asked: bool = False  # the query holds a question word (何, どこ, who…)
    #: the query's texts with question words masked (for :mod:`searchkit.query.rerank`)
    question_texts: list[str] = field(default_factory=list)
    question_mark: bool = False  # the query ends with a question mark
    question_end: bool = False  # the query ends as a Japanese question does (…は。, …か。, 答えよ)
    headline: bool = False  # the query has a headline's marks (:func:`is_headline`)

    @property
    def question(self) -> bool:
        """The query reads as a question: a question word, a final question mark or question
        ending, and no headline's marks."""
        return not self.headline and (self.asked or self.question_mark or self.question_end)

    @property
    def asks(self) -> bool:
        """The query asks something: a question word, and no headline's marks."""
        return self.asked and not self.headline

    def tokens(self, text: str) -> tuple[list[Token], bool]:
        """Analyzed query terms (question words dropped) and whether it reads as a sentence."""
        toks: list[Token] = []
        asked: list[Token] = []
        sentence = False
        masked = list(text)
        quoted = [m.span() for m in _QUOTED.finditer(text)]
        for surface, term, tag, s, e, keep, reading in self.analyzer.morphemes(text):
            # A question word by lemma or as written (UniDic reads どの in
            # ふつうどのくらい as 殿; English ones are stop words, never kept),
            # unless an indefinite (誰も, いつでも) or quoted (「誰にも話していない」).
            question = ((term in QUESTION_WORDS or surface.lower() in QUESTION_WORDS)
                        and not text.startswith(("も", "でも"), e) and not any(a <= s < b for a, b in quoted))
            if question:
                masked[s:e] = [_rerank.MASK] * (e - s)
            if not keep:
                if toks and not tag.startswith(_PUNCT_TAGS):
                    sentence = True
                if question:
                    self.asked = sentence = True
                continue
            tok = Token(term, s, e, len(toks), text[s:e], term, tag, reading)
            if question:
                asked.append(tok)
                sentence = True
                self.asked = True
                continue
            toks.append(tok)
        self.question_texts.append("".join(masked))
        if text.rstrip().endswith(("?", "？")):
            self.question_mark = True
        elif _QUESTION_END.search(text):
            self.question_end = True
        return (toks, sentence) if toks else (asked, False)

    @staticmethod
    def units(toks: list[Token]) -> list[list[Token]]:
        """Group terms whose words touch in the query text (a compound) into units."""
        groups: list[list[Token]] = []
        last_end = -1
        for t in toks:
            if groups and t.start == last_end:
                groups[-1].append(t)
            else:
                groups.append([t])
            last_end = t.end
        return groups

    def _note(self, term: str, query_word: str, how: str) -> None:
        self.origins.setdefault(term, (query_word, how))

    def _clauses(self, term: str, fields: Sequence[str], boost: float) -> list[Plan]:
        return [Term(f, term, round(boost * (TITLE_BOOST if f == "title" else 1.0), 4)) for f in fields]

    def term(self, tok: Token, fields: Sequence[str], boost: float = 1.0, lead: float = 0.0) -> Plan:
        """One query word: the term itself, plus its name in the other script
        (and, with a ``lead`` weight, the word in the body's opening)."""
        self._note(tok.term, tok.surface, "term")
        clauses = self._clauses(tok.term, fields, boost)
        if lead and self.lead and "body" in fields and not self.asks:
            clauses.append(Term("lead", tok.term, round(boost * lead, 4)))
        for alt, how in self._cross_script(tok) if self.cross_script else ():
            self._note(alt, tok.surface, how)
            clauses += self._clauses(alt, fields, boost * NAME_BOOST)
        return clauses[0] if len(clauses) == 1 else AnyOf(clauses)

    @staticmethod
    def _cross_script(tok: Token) -> list[tuple[str, str]]:
        if tok.reading:  # a Japanese name: its romaji, as English text indexes it
            return [(stem(tok.reading), "reading")]
        word = tok.surface
        if tok.tag == "en-word" and len(word) >= 3 and word.isascii() and word.isalpha():
            return [(READING_PREFIX + fold_romaji(word), "reading")]
        return []

    def unit(self, toks: list[Token], fields: Sequence[str], boost: float = 1.0) -> Plan:
        if len(toks) == 1:
            return self.term(toks[0], fields, boost)
        words = [t.term for t in toks]
        for t in toks:
            self._note(t.term, t.surface, "term")
        clauses: list[Plan] = [Phrase(f, words, round(boost * (TITLE_BOOST if f == "title" else 1.0), 4)) for f in fields]
        if self.cross_script and all(t.reading for t in toks):  # 小泉進次郎 ↔ Shinjiro Koizumi (either order)
            alts = [stem(t.reading) for t in toks]
            for t, alt in zip(toks, alts):
                self._note(alt, t.surface, "reading")
            clauses += [All([Term(f, a, boost * NAME_BOOST) for a in alts]) for f in fields]
        return clauses[0] if len(clauses) == 1 else AnyOf(clauses)

    def text_unit(self, text: str, toks: list[Token], fields: Sequence[str]) -> list[Plan]:
        """The units of one free-text run; a kana run also matches names read that way."""
        groups = self.units(toks)
        parts = [self.unit(g, fields) for g in groups]
        for gi, i, j, alts in self.synonym_matches(text, groups):
            g = groups[gi]
            parts[gi] = AnyOf([parts[gi], *(self.unit(g[:i] + alt + g[j + 1:], fields, SYNONYM_BOOST) for alt in alts)])
        alternatives: list[Plan] = []
        key = kana_query_reading(text) if self.cross_script and is_kana(text) else None
        if key:  # こいずみ → Japanese names read koizumi, and "Koizumi"
            for alt in (READING_PREFIX + key, stem(key)):
                if alt in self.origins:  # a loanword token already brought it
                    continue
                self._note(alt, text, "reading")
                alternatives += self._clauses(alt, fields, NAME_BOOST)
        if alternatives:
            whole = parts[0] if len(parts) == 1 else All(parts)
            return [AnyOf([whole, *alternatives])]
        return parts

    def synonym_matches(self, text: str, groups: list[list[Token]]
                        ) -> list[tuple[int, int, int, list[list[Token]]]]:
        """Synonyms of words of ``text``: ``(group, first token, last token, [synonym tokens…])``
        for every table word spanning whole tokens of one unit (recorded in ``expansions``)."""
        out: list[tuple[int, int, int, list[list[Token]]]] = []
        if self.word_forms:  # Germany and German, rise and rose: apart to a stemmer, not to a reader
            forms = _word_forms()
            for gi, g in enumerate(groups):
                for i, t in enumerate(g):
                    found = forms.get(t.term) if t.tag == "en-word" else None
                    if found:
                        alts = [self._synonym_tokens(t.surface, word, provenance) for word, provenance in found]
                        out.append((gi, i, i, [a for a in alts if a]))
        if self.synonyms is None or not len(self.synonyms):
            return out
        for match in self.synonyms.find(text):
            for gi, g in enumerate(groups):
                starts, ends = [t.start for t in g], [t.end for t in g]
                if match.start in starts and match.end in ends and starts.index(match.start) <= ends.index(match.end):
                    break
            else:
                continue  # not on token boundaries: 米国 inside 米国債
            alts = [a for a in (self._synonym_tokens(match.surface, word, provenance)
                                for word, provenance in match.alternatives) if a]
            if alts:
                out.append((gi, starts.index(match.start), ends.index(match.end), alts))
        return out

    def _synonym_tokens(self, surface: str, word: str, provenance: str) -> list[Token]:
        """The tokens of ``word``, a synonym of the query's ``surface`` (recorded in ``expansions``)."""
        alt = [Token(term, s, e, 0, written, term, tag, reading)
               for written, term, tag, s, e, keep, reading in self.analyzer.morphemes(word) if keep]
        if alt:
            if (surface, word, provenance) not in self.expansions:
                self.expansions.append((surface, word, provenance))
            for t in alt:
                self._note(t.term, surface, "synonym")
        return alt

    def alias_queries(self, text: str, fields: Sequence[str]) -> list[Plan]:
        """Queries for the other names of every alias found in ``text`` (recorded in ``expansions``)."""
        if self.aliases is None:
            return []
        out: list[Plan] = []
        for match in self.aliases.find(text):
            for alias, provenance in match.alternatives:
                alias_toks, _ = self.tokens(alias)
                if not alias_toks:
                    continue
                self.expansions.append((match.surface, alias, provenance))
                for t in alias_toks:
                    self.origins.setdefault(t.term, (match.surface, "alias"))
                parts = [self.unit(g, fields, NAME_BOOST) for g in self.units(alias_toks)]
                for t in alias_toks:
                    self.origins[t.term] = (match.surface, "alias")
                out.append(parts[0] if len(parts) == 1 else All(parts))
        return out

    def question_query(self, runs: list[tuple[str, list[Token]]]) -> Plan:
        toks = [t for _, ts in runs for t in ts]
        weight = series_weights(runs)
        toks = [t for t in toks if weight[id(t)] > 0] or toks  # weight 0: the tag left out, unless alone
        n_docs = self.stats.doc_count_all() if self.stats is not None else 0
        if COMMON_DF is not None and len(toks) > 2 and n_docs >= COMMON_DF_MIN_DOCS:
            # Words in most articles add little to BM25 but cost the most to
            # score: leave them out of long questions.
            limit = COMMON_DF * n_docs
            assert self.stats is not None
            rare = [t for t in toks if self.stats.doc_frequency("body", t.term) <= limit]
            toks = rare or toks
        clauses: list[Plan] = []
        # A synonym of one word is an alternative to it (the best counts);
        # of several words, a clause of its own.
        single: dict[int, list[Plan]] = {}
        leads: dict[int, list[str]] = {}
        for text, run in runs:
            groups = self.units(run)
            for gi, i, j, alts in self.synonym_matches(text, groups):
                plans = [self.unit(alt, TEXT_FIELDS, SYNONYM_BOOST) for alt in alts]
                if i == j:  # its fields join the word's: the best of them all counts
                    single.setdefault(id(groups[gi][i]), []).extend(
                        c for q in plans for c in (q.clauses if isinstance(q, AnyOf)
                                                   and all(isinstance(x, Term) for x in q.clauses) else [q]))
                    leads.setdefault(id(groups[gi][i]), []).extend(a[0].term for a in alts if len(a) == 1)
                else:
                    clauses += plans
        japanese = any(t.tag != "en-word" for t in toks)
        headline = not self.question
        lead = (LEAD_BOOST_JA if japanese else LEAD_BOOST_EN) if headline else LEAD_BOOST
        language = self.language_weights(toks) if not japanese else {}
        for i, t in enumerate(toks):
            w = (weight[id(t)] or 1.0) * language.get(id(t), 1.0)
            if headline and not japanese and (i == 0 or t.surface[:1].isupper()):
                w *= CAPITAL_WEIGHT
            q = self.term(t, TEXT_FIELDS, w, lead=lead)
            subs = q.clauses if isinstance(q, AnyOf) else [q]
            # The lead bonus adds to the body's score; title, body and the
            # word's name in the other script are alternatives: the best counts.
            in_lead = [c for c in subs if isinstance(c, Term) and c.field == "lead"]
            best = [c for c in subs if not (isinstance(c, Term) and c.field == "lead")]
            best += single.get(id(t), [])
            opening: list[Plan] = list(in_lead)
            if LEAD_SYNONYMS and in_lead and leads.get(id(t)):  # the word or its synonym: the best counts
                opening = [BestOf([*in_lead, *(Term("lead", a, round(in_lead[0].boost * SYNONYM_BOOST, 4))
                                               for a in leads[id(t)])])]
            clauses += [BestOf(best) if len(best) > 1 else best[0], *opening]
        if PAIR_BOOST and self.asks:
            # A question's words tend to stand together in the passage that
            # answers it ("何と呼ぶ" questions quote it); a headline's don't.
            terms = [t.term for t in toks]
            for pair in dict.fromkeys(zip(terms, terms[1:])):
                clauses.append(Phrase("body", list(pair), PAIR_BOOST))
        # Many-term ORs: stores may add up the scores all at once (in Whoosh,
        # in an array instead of a tree of union matchers: several times faster).
        return Sum(clauses, at_once=True)

    def language_weights(self, toks: Sequence[Token]) -> dict[int, float]:
        """:data:`LANGUAGE_IDF` weights of English query words (by ``id``): each word's
        idf among the English articles over its idf among all of them."""
        if not LANGUAGE_IDF or self.stats is None:
            return {}
        n_all = self.stats.doc_count_all()
        n_en = self.stats.doc_frequency("lang", "en")
        if not n_en or n_en >= n_all:
            return {}

        def idf(n: int, df: int) -> float:  # as BM25 in Whoosh: log(N / (df + 1)) + 1
            return math.log(n / (df + 1)) + 1

        out: dict[int, float] = {}
        for t in toks:
            df = self.stats.doc_frequency("body", t.term)
            out[id(t)] = max(idf(n_en, df) / idf(n_all, df), 0.05)
        return out

    def node(self, node: Node, warnings: list[str]) -> Plan | None:
        if isinstance(node, (Text, PhraseNode)):
            name = node.field
            if name in _EXACT_FIELDS:
                value = repair_text(node.text.lower() if name in ("lang",) else node.text)
                return Term(name, value)
            if name == "url":
                warnings.append("url is stored, not searchable: url:… ignored")
                return None
            if name == "published":  # published:2024-05 is the range of that month
                return _range(Range("published", node.text, node.text), warnings)
            fields = (name,) if name else TEXT_FIELDS
            toks, _ = self.tokens(node.text)
            if not toks:
                warnings.append(f"{node.text!r} has no searchable words: ignored")
                return None
            if isinstance(node, PhraseNode):
                whole = self.unit(toks, fields)
            else:
                parts = self.text_unit(node.text, toks, fields)
                whole = parts[0] if len(parts) == 1 else All(parts)
            alternatives = self.alias_queries(node.text, fields)
            return AnyOf([whole, *alternatives]) if alternatives else whole
        if isinstance(node, Range):
            return _range(node, warnings)
        if isinstance(node, Not):
            saved = dict(self.origins)
            inner = self.node(node.item, warnings)
            self.origins = saved  # a NOT term is never highlighted
            return PlanNot(inner) if inner is not None else None
        items = [q for q in (self.node(i, warnings) for i in node.items) if q is not None]
        if not items:
            return None
        if len(items) == 1 and not isinstance(items[0], PlanNot):
            return items[0]
        return AnyOf(items) if isinstance(node, Or) else All(items)




def is_headline(text: str) -> bool:
    """``text`` has a headline's marks (！, text after ？, 【): it is not a question, whatever its words."""
    return _HEADLINE.search(text) is not None


def series_weights(runs: Sequence[tuple[str, Sequence[Token]]]) -> dict[int, float]:
    """Weight of each token of the runs (by ``id``): :data:`SERIES_WEIGHT` inside a
    series tag, which may span runs (【Sports Watch】), else 1."""
    text = " ".join(run for run, _ in runs)
    spans = [m.span() for m in SERIES_TAG.finditer(text)]
    out: dict[int, float] = {}
    base = 0
    for run, toks in runs:
        for t in toks:
            out[id(t)] = SERIES_WEIGHT if any(a <= base + t.start < b for a, b in spans) else 1.0
        base += len(run) + 1
    return out


def flatten(node: Node | None) -> list[Text]:
    """The free-text runs of a plain query, in order."""
    if isinstance(node, Text):
        return [node]
    if isinstance(node, And):
        return [t for item in node.items for t in flatten(item)]
    return []


def _date_bound(text: str, *, upper: bool) -> datetime:
    """A range end: ``2024`` / ``2024-05`` / ``2024-05-01`` cover the whole year / month / day."""
    dt = parse_datetime(text)
    if upper and len(text) <= 10 and "T" not in text:
        if len(text) == 4:
            dt = dt.replace(month=12, day=31)
        elif len(text) == 7:
            dt = dt.replace(day=calendar.monthrange(dt.year, dt.month)[1])
        dt = dt.replace(hour=23, minute=59, second=59, microsecond=999999)
    return dt


def _range(node: Range, warnings: list[str]) -> Plan | None:
    if node.field != "published":
        return TermRange(node.field, node.low, node.high)
    try:
        low = _date_bound(node.low, upper=False) if node.low else None
        high = _date_bound(node.high, upper=True) if node.high else None
    except (ValueError, OverflowError):
        warnings.append(f"published:[{node.low} TO {node.high}] is not a date range: ignored")
        return None
    return DateRange("published", low, high)


def filters(lang: str | None, category: str | None,
            since: str | date | None, until: str | date | None) -> Plan | None:
    """The filter of a search's options: language, category, a publication date range."""
    parts: list[Plan] = []
    if lang:
        parts.append(Term("lang", lang.lower()))
    if category:
        parts.append(Term("category", category))
    if since or until:
        try:
            low = _date_bound(str(since), upper=False) if since else None
            high = _date_bound(str(until), upper=True) if until else None
        except (ValueError, OverflowError) as exc:
            raise QueryError(f"since/until must be dates (YYYY, YYYY-MM or YYYY-MM-DD): {exc}") from exc
        parts.append(DateRange("published", low, high))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else All(parts)


