"""The ``searchkit`` command line: a thin layer over the Python API.

stdout carries data only (hits, tokens, JSON); progress, warnings and errors
go to stderr. Exit codes: 0 success (also for zero hits), 1 a searchkit error
(bad input, missing or locked index…), 2 a usage error.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

from .analysis import Analyzer
from .errors import IndexNotFound, SearchkitError
from .results.highlight import _CONTROL
from .index import Index
from .query.synonyms import WORD_FORMS

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
#: Seconds between progress lines of an import whose stderr is not a terminal.
PROGRESS_EVERY = 5.0
EXIT_CODES = """
Exit codes: 0 success (also when nothing matches), 1 searchkit error
(bad input, missing or locked index), 2 usage error.
"""


def _fail(exc: SearchkitError) -> click.ClickException:
    return click.ClickException(str(exc))


def _err(message: str) -> None:
    click.echo(message, err=True)


def _clean(text: str) -> str:
    """Text from a document, safe to print on a terminal (no control characters)."""
    return _CONTROL.sub(" ", text)


class _IndexLocation(click.ParamType):  # type: ignore[type-arg, unused-ignore]
    """An index directory, or an OpenSearch index URL (kept as text: a Path would fold its //)."""

    name = "DIR|URL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value.lower().startswith(("http://", "https://")):
            return _without_credentials(value)
        return click.Path(file_okay=False, path_type=Path).convert(value, param, ctx)


def _without_credentials(url: str) -> str:
    """``url`` without ``user:password@``, which move to the environment the store reads,
    so no message of the CLI can show the password."""
    from urllib.parse import unquote, urlsplit, urlunsplit

    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    auth, host = parts.netloc.rsplit("@", 1)
    user, _, password = auth.partition(":")
    os.environ["SEARCHKIT_OPENSEARCH_USER"] = unquote(user)
    os.environ["SEARCHKIT_OPENSEARCH_PASSWORD"] = unquote(password)
    return urlunsplit(parts._replace(netloc=host))


def index_option(required: bool) -> Callable[[F], F]:
    return click.option(
        "-i", "--index", "index_dir", type=_IndexLocation(), required=required,
        help="Index directory, or an OpenSearch index URL (http[s]://host:port/name)."
        + ("" if required else " Default: the bundled demo corpus."),
    )


@click.group(context_settings=CONTEXT_SETTINGS, epilog=EXIT_CODES)
@click.version_option(package_name="searchkit")
def main() -> None:
    """Full-text search for Japanese and English news articles."""


# -- index -----------------------------------------------------------------------


def _count_records(sources: tuple[str, ...]) -> int | None:
    from .ingest.importer import read_source

    if "-" in sources:
        return None
    total = 0
    for src in sources:
        path = Path(src)
        if path.is_dir():
            total += sum(1 for _ in path.rglob("*.txt"))
        elif path.suffix == ".txt":
            total += 1
        else:
            try:
                total += sum(1 for _ in read_source(path))
            except SearchkitError:
                return None
    return total


@main.command("index", epilog=EXIT_CODES)
@click.argument("sources", nargs=-1, required=True)
@index_option(required=True)
@click.option("--skip-bad", is_flag=True, help="Skip bad records (listed at the end) instead of stopping.")
@click.option("--new", "overwrite", is_flag=True, help="Replace the index at DIR instead of adding to it.")
@click.option("--batch-size", type=click.IntRange(min=1), default=2000, show_default=True, help="Articles per commit.")
@click.option("--procs", type=click.IntRange(min=1), default=None,
              help="Writer processes (default: 2 for large batches).")
@click.option("--lock-timeout", type=click.FloatRange(min=0), default=10.0, show_default=True,
              help="Seconds to wait for another writer.")
@click.option("--aliases", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Name alias table (TSV: one group of names per line) kept with the index.")
@click.option("--synonyms", metavar="FILE",
              help="Synonym table (TSV: one group of words per line, or JSON) kept with the index; "
                   "'starter' is the bundled table for news.")
@click.option("--user-dict", "user_dict", type=click.Path(dir_okay=False, path_type=Path),
              help="User dictionary CSV (surface,reading,pos[,lemma]) of words MeCab keeps whole; kept with a "
                   "new index (an existing one must have been built with the same).")
@click.option("--no-compact", "no_compact", is_flag=True,
              help="Leave each commit's segments unmerged (a faster import; searches walk them all until "
                   "`searchkit optimize`).")
@click.option("-q", "--silent", is_flag=True, help="No progress bar.")
def index_cmd(sources: tuple[str, ...], index_dir: Path, skip_bad: bool, overwrite: bool, batch_size: int,
              procs: int | None, lock_timeout: float, aliases: Path | None, synonyms: str | None,
              user_dict: Path | None, no_compact: bool, silent: bool) -> None:
    """Import articles from JSONL / JSONL.gz files, directories of .txt files, or - (stdin).

    A bad record stops the import with an error naming file, line and field;
    every batch before it stays committed. --skip-bad skips bad records instead
    and lists them. Re-running an import replaces articles by id (no duplicates).
    At the end the small segments the commits wrote are merged (a fresh import
    leaves one segment), unless --no-compact.

    Example:

        searchkit index news.jsonl.gz more/ -i var/news

        searchkit index news.jsonl.gz -i var/news --synonyms starter

        searchkit index news.jsonl.gz -i var/news --new --user-dict words.csv
    """
    from .ingest.importer import import_articles
    from .query.synonyms import SynonymTable

    missing = [src for src in sources if src != "-" and not Path(src).exists()]
    if missing:  # before the index is made: a typo leaves no empty index behind
        raise click.ClickException(f"{missing[0]}: no such file or directory; nothing was indexed")
    try:
        if synonyms is not None:  # a bad table stops the import before the index changes
            SynonymTable.load(synonyms)
        if overwrite:
            ix = Index.create(index_dir, overwrite=True, lock_timeout=lock_timeout, user_dictionary=user_dict)
        else:
            try:
                ix = Index.open(index_dir, lock_timeout=lock_timeout, user_dictionary=user_dict)
            except IndexNotFound:
                ix = Index.create(index_dir, lock_timeout=lock_timeout, user_dictionary=user_dict)
        if aliases is not None:
            ix.set_aliases(aliases)
        if synonyms is not None:
            ix.set_synonyms(synonyms)
        total = None if silent else _count_records(sources)
        started = time.perf_counter()
        bar: Any = None
        if not silent and sys.stderr.isatty():
            bar = click.progressbar(length=total or 0, label="indexing", file=sys.stderr, show_pos=True)
            bar.__enter__()
        last = [0]
        logged = [started]

        def progress(n: int) -> None:
            if bar is not None:
                bar.update(n - last[0])
                last[0] = n
            elif not silent and time.perf_counter() - logged[0] >= PROGRESS_EVERY:
                # stderr is a log, not a terminal: a line every few seconds
                logged[0] = now = time.perf_counter()
                _err(_progress_line(n, total, now - started))

        try:
            report = import_articles(ix, sources, on_error="skip" if skip_bad else "stop",
                                     batch_size=batch_size, procs=procs, progress=progress,
                                     compact=not no_compact)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
    except SearchkitError as exc:
        raise _fail(exc) from exc
    except KeyboardInterrupt:
        _err(f"interrupted; the index at {index_dir} holds {len(Index.open(index_dir))} articles (last commit)")
        sys.exit(130)
    elapsed = time.perf_counter() - started
    for w in report.warnings[:20]:
        _err(f"warning: {w}")
    if len(report.warnings) > 20:
        _err(f"warning: … and {len(report.warnings) - 20} more")
    for s in report.skipped:
        _err(f"skipped: {s}")
    segments = ix.info().get("segments")
    _err(f"indexed {report.added} articles in {elapsed:.1f} s ({report.commits} commits); "
         f"{len(report.skipped)} skipped; the index holds {len(ix)}"
         + (f" in {segments} segment{'s' if segments != 1 else ''}" if isinstance(segments, int) else ""))


def _progress_line(done: int, total: int | None, elapsed: float) -> str:
    """``indexing: 4,000/7,367 articles, 612/s, ETA 6 s`` (for logs)."""
    rate = done / elapsed if elapsed > 0 else 0.0
    line = f"indexing: {done:,}" + (f"/{total:,}" if total else "") + f" articles read, {rate:,.0f}/s"
    if total and rate > 0:
        line += f", ETA {max(0.0, (total - done) / rate):.0f} s"
    return line


# -- search ----------------------------------------------------------------------


def _open(index_dir: Path | None) -> Index:
    if index_dir is not None:
        return Index.open(index_dir)
    from .demo import demo_index

    return demo_index(announce=_err)


def _hit_json(hit: Any, with_snippet: bool) -> dict[str, Any]:
    published = hit.fields.get("published")
    out: dict[str, Any] = {
        "id": hit.id,
        "score": round(hit.score, 4),
        "title": hit.fields.get("title", ""),
        "url": hit.fields.get("url"),
        "published": published.strftime("%Y-%m-%dT%H:%M:%SZ") if published else None,
        "lang": hit.fields.get("lang"),
        "category": hit.fields.get("category"),
    }
    if with_snippet:
        out["snippet"] = {"text": hit.snippet.text, "spans": [list(s) for s in hit.snippet.spans]}
        out["title_snippet"] = {"text": hit.title_snippet.text, "spans": [list(s) for s in hit.title_snippet.spans]}
    return out


@main.command("search", epilog=EXIT_CODES)
@click.argument("query")
@index_option(required=False)
@click.option("-n", "--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Hits per page.")
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True, help="Page number.")
@click.option("--lang", help="Only articles in this language (ja, en).")
@click.option("--category", help="Only articles in this category.")
@click.option("--since", help="Published on or after (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--until", help="Published on or before.")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--strict", is_flag=True, help="Reject bad query syntax instead of repairing it.")
@click.option("--facet", "facets", multiple=True, type=click.Choice(["lang", "category", "year"]),
              help="Also print counts of all matches by this field (repeatable).")
@click.option("--explain", is_flag=True, help="Print the parsed query and, per hit, which words matched and how.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON document: total, page, limit, hits, facets, suggestion, warnings, expansions.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="One JSON object per hit per line.")
@click.option("--color/--no-color", default=None, help="Colour matches (default: when stdout is a terminal).")
def search_cmd(query: str, index_dir: Path | None, limit: int, page: int, lang: str | None,
               category: str | None, since: str | None, until: str | None, sort: Literal["relevance", "date"], strict: bool,
               facets: tuple[str, ...], explain: bool, as_json: bool, as_jsonl: bool, color: bool | None) -> None:
    """Search an index (default: the bundled demo corpus) and print ranked hits.

    Query language: words (all required for short keyword queries; questions
    rank by how many words match), "exact phrases", AND / OR / NOT, -word,
    (groups), title:word, lang:ja, category:..., published:[2024-01 TO 2024-06].

    Examples:

        searchkit search 小泉

        searchkit search "defense ministers" --json

        searchkit search 小泉 --jsonl --explain

        searchkit search '防衛相 NOT 中国' -i var/news --since 2024
    """
    if as_json and as_jsonl:
        raise click.UsageError("--json and --jsonl cannot be used together")
    try:
        ix = _open(index_dir)
        res = ix.search(query, limit=limit, page=page, lang=lang, category=category, since=since,
                        until=until, sort=sort, strict=strict)
        for w in res.warnings:
            _err(f"note: {w}")
        for word, alias, provenance in res.expansions:
            kind = ("synonym" if provenance.startswith("synonyms.")
                    else "word form" if provenance.split(":")[0] in WORD_FORMS else "alias")
            _err(f"note: {word} also searched as {alias} ({kind}, {provenance})")
        if res.suggestion:
            _err(f"did you mean: {res.suggestion}")
        if explain:
            _err(f"parsed: {res.parsed}")
        if as_json or as_jsonl:
            rows = []
            for hit in res:
                row = _hit_json(hit, True)
                if explain:
                    row["matches"] = [vars_match(m) for m in hit.matches]
                    row["title_matches"] = [vars_match(m) for m in hit.title_matches]
                rows.append(row)
            if as_jsonl:
                for row in rows:
                    click.echo(json.dumps(row, ensure_ascii=False))
                if facets:
                    click.echo(json.dumps({"facets": {f: res.facets[f] for f in facets}}, ensure_ascii=False))
                return
            doc = {"total": res.total, "page": page, "limit": limit, "hits": rows,
                   "facets": {f: res.facets[f] for f in facets}, "suggestion": res.suggestion,
                   "warnings": list(res.warnings),
                   "expansions": [{"word": w, "alternative": a, "source": p} for w, a, p in res.expansions]}
            if explain:
                doc["parsed"] = res.parsed
            click.echo(json.dumps(doc, ensure_ascii=False))
            return
        use_color = sys.stdout.isatty() if color is None else color
        total = res.total
        _err(f"{total} match{'es' if total != 1 else ''}" + (f", page {page}" if page > 1 else ""))
        for name in facets:
            counts = ", ".join(f"{k} {v}" for k, v in res.facets[name].items())
            click.echo(f"{name}: {counts}")
        if facets:
            click.echo()
        for hit in res:
            title = _clean(hit.fields.get("title", "")) or "(untitled)"
            published = hit.fields.get("published")
            meta = _clean(" · ".join(x for x in (hit.id, published.date().isoformat() if published else "",
                                                 hit.fields.get("lang", ""), f"{hit.score:.2f}") if x))
            head = f"{hit.rank + 1:>2}. {title}"
            click.echo(click.style(head, bold=True) if use_color else head, color=use_color)
            click.echo(f"    {click.style(meta, dim=True) if use_color else meta}", color=use_color)
            if hit.fields.get("url"):
                click.echo(f"    {_clean(hit.fields['url'])}")
            snippet = hit.snippet.ansi() if use_color else hit.snippet.text
            if snippet:
                click.echo(f"    {snippet}", color=use_color)
            if explain:
                for label, found in (("title", hit.title_matches), ("body", hit.matches)):
                    seen = sorted({(m.query, _clean(m.word), m.how) for m in found})
                    click.echo(f"    {label} matched: " + ("; ".join(f"{q} → {w} ({how})" for q, w, how in seen)
                                                          or "nothing"))
            click.echo()
    except SearchkitError as exc:
        raise _fail(exc) from exc


def vars_match(m: Any) -> dict[str, Any]:
    return {"query": m.query, "word": m.word, "start": m.start, "end": m.end, "how": m.how}


@main.command("related", epilog=EXIT_CODES)
@click.argument("doc_id")
@index_option(required=False)
@click.option("-n", "--limit", type=click.IntRange(min=1), default=5, show_default=True, help="How many articles.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article per line.")
def related_cmd(doc_id: str, index_dir: Path | None, limit: int, as_json: bool) -> None:
    """Articles like DOC_ID, from its key terms, in either language.

    Example:

        searchkit related seed-2
    """
    try:
        hits = _open(index_dir).related(doc_id, limit=limit)
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from exc
    except SearchkitError as exc:
        raise _fail(exc) from exc
    for hit in hits:
        if as_json:
            click.echo(json.dumps(_hit_json(hit, False), ensure_ascii=False))
        else:
            click.echo(f"{hit.score:7.2f}  {hit.id}  {_clean(hit.fields.get('title', ''))}")


# -- upkeep: get / delete / export / optimize ------------------------------------------


def _article_json(fields: dict[str, Any]) -> dict[str, Any]:
    """An article as the import reads it (``published`` in ISO 8601, absent fields left out)."""
    out = {k: v for k, v in fields.items() if v is not None}
    if "published" in out:
        out["published"] = out["published"].strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


@main.command("get", epilog=EXIT_CODES)
@click.argument("doc_id")
@index_option(required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object, as the import reads it.")
def get_cmd(doc_id: str, index_dir: Path, as_json: bool) -> None:
    """Print one article by id.

    Example:

        searchkit get n1 -i var/news --json
    """
    try:
        fields = Index.open(index_dir).get(doc_id)
    except SearchkitError as exc:
        raise _fail(exc) from exc
    if fields is None:
        raise click.ClickException(f"no article with id {doc_id!r} in {index_dir}")
    if as_json:
        click.echo(json.dumps(_article_json(fields), ensure_ascii=False))
        return
    for key, value in _article_json(fields).items():
        click.echo(f"{key:<10} {_clean(str(value))}")


@main.command("delete", epilog=EXIT_CODES)
@click.argument("doc_ids", nargs=-1, required=True)
@index_option(required=True)
def delete_cmd(doc_ids: tuple[str, ...], index_dir: Path) -> None:
    """Delete articles by id (one commit); ids not in the index are named on stderr.

    Example:

        searchkit delete n1 n2 -i var/news
    """
    try:
        ix = Index.open(index_dir)
        absent = [d for d in dict.fromkeys(doc_ids) if d not in ix]
        n = ix.delete(doc_ids)
    except SearchkitError as exc:
        raise _fail(exc) from exc
    for doc_id in absent:
        _err(f"note: no article with id {doc_id!r}")
    _err(f"deleted {n} article{'s' if n != 1 else ''}; the index holds {len(ix)}")


@main.command("export", epilog=EXIT_CODES)
@index_option(required=True)
def export_cmd(index_dir: Path) -> None:
    """Print every article as JSONL, as `searchkit index` reads it (a round trip).

    Example:

        searchkit export -i var/news | gzip > articles.jsonl.gz
    """
    try:
        n = 0
        for fields in Index.open(index_dir).articles():
            click.echo(json.dumps(_article_json(fields), ensure_ascii=False))
            n += 1
    except SearchkitError as exc:
        raise _fail(exc) from exc
    _err(f"exported {n} articles")


@main.command("optimize", epilog=EXIT_CODES)
@index_option(required=True)
def optimize_cmd(index_dir: Path) -> None:
    """Merge the index's segments into one (searches walk fewer segments).

    Example:

        searchkit optimize -i var/news
    """
    try:
        ix = Index.open(index_dir)
        before = ix.info()["segments"]
        started = time.perf_counter()
        ix.optimize()
        ix.refresh()
        after = ix.info()["segments"]
    except SearchkitError as exc:
        raise _fail(exc) from exc
    _err(f"merged {before} segment{'s' if before != 1 else ''} into {after} in {time.perf_counter() - started:.1f} s")


# -- analyze / info ----------------------------------------------------------------


@main.command("analyze", epilog=EXIT_CODES)
@click.argument("text")
@click.option("--all", "show_all", is_flag=True, help="Also show the words that are dropped (particles, punctuation).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per token per line.")
@click.option("--user-dict", "user_dict", type=click.Path(dir_okay=False, path_type=Path),
              help="A user dictionary CSV (surface,reading,pos[,lemma]) to analyze with.")
def analyze_cmd(text: str, show_all: bool, as_json: bool, user_dict: Path | None) -> None:
    """Show how TEXT is analyzed: terms, offsets into TEXT, positions, parts of speech.

    Example:

        searchkit analyze "ＡＳＥＡＮ拡大国防相会議でｺﾝﾋﾟｭｰﾀｰを使った"

        searchkit analyze --user-dict words.csv "進次郎構文が話題に" --json
    """
    from .analysis.userdict import UserDictionary

    try:
        analyzer = Analyzer(UserDictionary.load(user_dict) if user_dict is not None else None)
        rows: list[dict[str, Any]] = []
        position = 0
        for surface, term, tag, start, end, keep, reading in analyzer.morphemes(text):
            if not keep and not show_all:
                continue
            rows.append({"term": term if keep else None, "start": start, "end": end,
                         "position": position if keep else None, "text": text[start:end],
                         "surface": surface, "pos": tag, "reading": reading or None})
            position += keep
    except SearchkitError as exc:
        raise _fail(exc) from exc
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    click.echo(f"{'pos':>4}  {'start':>5}  {'end':>5}  {'text':<12} {'term':<12} {'reading':<10} part of speech")
    for row in rows:
        pos = "-" if row["position"] is None else str(row["position"])
        term = "(dropped)" if row["term"] is None else row["term"]
        click.echo(f"{pos:>4}  {row['start']:>5}  {row['end']:>5}  {_clean(row['text']):<12} {term:<12} "
                   f"{row['reading'] or '':<10} {row['pos']}")


@main.command("synonyms", epilog=EXIT_CODES)
@index_option(required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON array of {words, source}.")
def synonyms_cmd(index_dir: Path, as_json: bool) -> None:
    """List the synonym groups kept with an index, one per line (words tab-separated, then the source line).

    Example:

        searchkit synonyms -i var/news
    """
    try:
        ix = Index.open(index_dir)
    except SearchkitError as exc:
        raise _fail(exc) from exc
    groups = list(ix.synonyms or ())
    if as_json:
        click.echo(json.dumps([{"words": list(words), "source": source} for words, source in groups],
                              ensure_ascii=False))
    else:
        for words, source in groups:
            click.echo("\t".join(words) + f"\t# {source}")
    if not groups:
        _err("note: the index has no synonym table (searchkit index … --synonyms FILE)")


@main.command("info", epilog=EXIT_CODES)
@index_option(required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def info_cmd(index_dir: Path | None, as_json: bool) -> None:
    """Counts, size and versions of an index.

    Example:

        searchkit info -i var/news --json
    """
    try:
        info = _open(None).info() if index_dir is None else Index.describe(index_dir)
    except SearchkitError as exc:
        raise _fail(exc) from exc
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False))
    else:
        for key, value in info.items():
            if key == "size_bytes":
                value = f"{value:,} bytes ({value / 2**20:.1f} MiB)"
            click.echo(f"{key:<16} {value}")
    if info["analyzer_version"] != Analyzer.version:
        _err(f"note: this searchkit makes analyzer version {Analyzer.version} terms; rebuild the index "
             f"before searching it (searchkit index SOURCE... -i {shlex.quote(info['path'])} --new)")


# -- eval / bench ------------------------------------------------------------------


@main.command("eval", epilog=EXIT_CODES)
@click.argument("passages", type=click.Path(exists=True, dir_okay=False))
@click.argument("queries", type=click.Path(exists=True, dir_okay=False))
@click.option("-k", type=click.IntRange(min=1), default=10, show_default=True, help="Cut-off for MRR and recall.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def eval_cmd(passages: str, queries: str, k: int, as_json: bool) -> None:
    """Retrieval quality on your own judged set: MRR@k, Recall@k, Recall@100, query time.

    PASSAGES is JSONL of articles (id, title, body); QUERIES is JSONL of
    {"qid", "query", "relevant": [ids]}. The passages are indexed with the
    library defaults in a temporary directory.

    Example:

        searchkit eval passages.jsonl.gz queries.jsonl.gz
    """
    from .evaluate import evaluate_files

    try:
        res = evaluate_files(passages, queries, k=k)
    except SearchkitError as exc:
        raise _fail(exc) from exc
    if as_json:
        click.echo(json.dumps(res.as_dict(), ensure_ascii=False))
        return
    click.echo(f"queries      {res.n} ({res.errors} failed)")
    click.echo(f"MRR@{k:<8} {res.mrr:.4f}")
    click.echo(f"Recall@{k:<5} {res.recall_at_k:.4f}")
    click.echo(f"Recall@{res.depth:<5} {res.recall_at_depth:.4f}")
    click.echo(f"query time   {res.mean_ms:.2f} ms mean, {res.p50_ms:.2f} ms p50")


@main.command("bench", epilog=EXIT_CODES)
@click.argument("corpus", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--runs", type=click.IntRange(min=1), default=3, show_default=True,
              help="Indexing runs (medians are shown).")
@click.option("--queries", type=click.IntRange(min=1), default=250, show_default=True, help="Queries drawn from titles.")
@click.option("--procs", type=click.IntRange(min=1), default=None, help="Writer processes (default: automatic).")
@click.option("-i", "--index", "index_url", type=_IndexLocation(), metavar="URL",
              help="Benchmark an OpenSearch store: a new index URL (made, then deleted). Default: a temporary "
                   "embedded index.")
@click.option("--baseline/--no-baseline", default=True, show_default=True,
              help="Also index with Whoosh StandardAnalyzer at limitmb=128 and 256 and give the ratios.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def bench_cmd(corpus: tuple[str, ...], runs: int, queries: int, procs: int | None, index_url: str | Path | None,
              baseline: bool,
              as_json: bool) -> None:
    """Benchmark indexing and query latency on your own JSONL corpus.

    Examples:

        searchkit bench news.jsonl.gz --runs 3

        searchkit bench news.jsonl.gz -i http://127.0.0.1:9200/bench-news
    """
    from .bench import bench_corpus, format_bench

    if isinstance(index_url, Path):
        raise click.BadParameter("bench -i takes an OpenSearch index URL (http[s]://host:port/name); "
                                 "without -i it uses a temporary directory", param_hint="'-i'")
    try:
        result = bench_corpus(list(corpus), runs=runs, queries=queries, procs=procs, index_url=index_url,
                              baseline=baseline)
    except SearchkitError as exc:
        raise _fail(exc) from exc
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(result, ensure_ascii=False, default=str) if as_json else format_bench(result))


# -- serve -------------------------------------------------------------------------


@main.command("serve", epilog=EXIT_CODES)
@click.option("-i", "--index", "location", type=_IndexLocation(), metavar="DIR|URL",
              help="Index directory or OpenSearch index URL. Default: the bundled demo corpus.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Server processes.")
@click.option("--write-token", envvar="SEARCHKIT_WRITE_TOKEN", show_envvar=True,
              help="Bearer token that PUT/DELETE /articles need (prefer the environment variable); "
                   "without one, writes are refused.")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              default="info", show_default=True, help="uvicorn's log level (warning: no access log).")
def serve_cmd(location: str | Path | None, host: str, port: int, workers: int, write_token: str | None,
              log_level: str) -> None:
    """Serve a JSON search API and a search page (http://127.0.0.1:8000/).

    Needs the serve extra: pip install 'searchkit[serve]'. The API is
    described at /openapi.json.

    Example:

        SEARCHKIT_WRITE_TOKEN=secret searchkit serve -i var/news --port 8080
    """
    try:
        from .serve import run
    except ImportError as exc:
        raise click.ClickException(f"searchkit serve needs the serve extra: pip install 'searchkit[serve]' "
                                   f"({exc})") from exc
    try:
        run(None if location is None else str(location), host=host, port=port, workers=workers, write_token=write_token or None, log_level=log_level)
    except SearchkitError as exc:
        raise _fail(exc) from exc
