"""Reading articles from files: JSONL (plain or gzip), directories of .txt, stdin.

:func:`read_articles` yields ``(source, line, article)``; every problem it
finds is a :class:`~searchkit.errors.DocumentError` naming the file, the line
and the field. :func:`import_articles` writes them to an index in batches,
one commit per batch.

On a bad record the import either stops (``on_error="stop"``, the default)
or skips the record and goes on (``on_error="skip"``). Either way every
batch before the bad record stays committed, and when stopping, the good
records read before it in the current batch are committed too, so re-running
the same import after fixing the file finishes the job without duplicates
(articles are replaced by id).
"""

from __future__ import annotations

import gzip
import json
import sys
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from ..documents import clean_article, unknown_fields
from ..errors import DocumentError
from ..index import Index

__all__ = ["ImportReport", "import_articles", "read_articles"]

#: Articles per commit.
BATCH_SIZE = 2_000


@dataclass
class ImportReport:
    """What an import did."""

    added: int = 0
    skipped: list[str] = field(default_factory=list)  # one message per skipped record
    warnings: list[str] = field(default_factory=list)
    sources: int = 0
    commits: int = 0


def _open_binary(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _jsonl(stream: IO[bytes] | IO[str], source: str) -> Iterator[tuple[str, int, Any]]:
    # Lines are decoded one by one, so a bad byte is reported on its own line
    # and the records before it are still imported.
    lineno = 0
    while True:
        try:
            raw = stream.readline()
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise DocumentError(f"the gzip file is truncated or corrupt after line {lineno} ({exc})",
                                source=source, line=lineno + 1) from exc
        except UnicodeDecodeError as exc:
            raise DocumentError(f"is not valid UTF-8 ({exc.reason})", source=source, line=lineno + 1) from exc
        if not raw:
            return
        lineno += 1
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield source, lineno, DocumentError(
                    f"is not valid UTF-8 ({exc.reason} at byte {exc.start} of the line)", source=source, line=lineno)
                continue
        text = raw.strip().lstrip("\ufeff")
        if not text:
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            record = DocumentError(f"malformed JSON: {exc.msg} (column {exc.colno})", source=source, line=lineno)
        except (ValueError, RecursionError) as exc:  # huge integers, absurd nesting
            record = DocumentError(f"unreadable JSON: {str(exc)[:100]}", source=source, line=lineno)
        yield source, lineno, record


def _text_file(path: Path, root: Path) -> tuple[str, int, Any]:
    source = str(path)
    try:
        data = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"is not valid UTF-8 ({exc.reason} at byte {exc.start})", source=source) from exc
    title, _, body = data.replace("\r\n", "\n").partition("\n")
    return source, 1, {"id": path.relative_to(root).as_posix(), "title": title.strip(), "body": body.strip()}


def read_source(src: str | Path, *, stdin: IO[str] | None = None) -> Iterator[tuple[str, int, Any]]:
    """Yield ``(source, line, record)`` from one JSONL(.gz) file, .txt file or directory, or ``-`` (stdin).

    Records are raw (unchecked); the caller validates them. A line that cannot
    be read (bad UTF-8, malformed JSON) is yielded as a
    :class:`~searchkit.errors.DocumentError` in place of its record, so the
    caller can stop there or skip it and go on.

    Raises:
        DocumentError: a missing or unreadable file, a truncated gzip file.
    """
    if str(src) == "-":
        yield from _jsonl(stdin if stdin is not None else sys.stdin.buffer, "<stdin>")
        return
    path = Path(src)
    if path.is_dir():
        for txt in sorted(path.rglob("*.txt")):
            yield _text_file(txt, path)
        return
    if not path.is_file():
        raise DocumentError("no such file or directory", source=str(path))
    if path.suffix == ".txt":
        yield _text_file(path, path.parent)
        return
    try:
        with _open_binary(path) as stream:
            yield from _jsonl(stream, str(path))
    except gzip.BadGzipFile as exc:
        raise DocumentError(f"is not a gzip file ({exc})", source=str(path)) from exc
    except OSError as exc:
        raise DocumentError(f"cannot be read: {exc.strerror or exc}", source=str(path)) from exc


def read_articles(sources: Iterable[str | Path], *, stdin: IO[str] | None = None) -> Iterator[tuple[str, int, Any]]:
    """:func:`read_source` over several sources in turn, raising at the first unreadable line."""
    for src in sources:
        for source, line, record in read_source(src, stdin=stdin):
            if isinstance(record, DocumentError):
                raise record
            yield source, line, record


def import_articles(
    index: Index,
    sources: Iterable[str | Path],
    *,
    on_error: Literal["stop", "skip"] = "stop",
    batch_size: int = BATCH_SIZE,
    procs: int | None = None,
    progress: Callable[[int], None] | None = None,
    stdin: IO[str] | None = None,
    compact: bool = True,
) -> ImportReport:
    """Import articles into ``index``, committing every ``batch_size`` articles.

    Each commit writes new segments; at the end the small ones are merged
    (:meth:`Index.compact`: a fresh import leaves one segment), unless
    ``compact`` is False. An import stopped by a bad record is not compacted.

    Args:
        on_error: ``"stop"`` raises at the first bad record (after committing
            the good records read before it); ``"skip"`` records it in
            ``report.skipped`` and goes on.
        progress: called with the number of records read so far.

    Raises:
        DocumentError: a bad record or file, when ``on_error="stop"``.
    """
    if on_error not in ("stop", "skip"):
        raise ValueError("on_error must be 'stop' or 'skip'")
    report = ImportReport()
    batch: list[Any] = []
    seen: dict[str, tuple[str, int]] = {}
    unknown: Counter[str] = Counter()
    read = 0

    def flush() -> None:
        if batch:
            report.added += index.add(batch, procs=procs)
            report.commits += 1
            batch.clear()

    for src in sources:
        report.sources += 1
        records = read_source(src, stdin=stdin)
        while True:
            try:
                item = next(records, None)
            except DocumentError as exc:
                if on_error == "stop":
                    flush()
                    raise
                # A file that cannot be read past this point: keep what was read, go on.
                report.skipped.append(str(exc))
                break
            if item is None:
                break
            source, line, record = item
            read += 1
            try:
                if isinstance(record, DocumentError):
                    raise record
                clean = clean_article(record)
            except DocumentError as exc:
                located = DocumentError(exc.reason, source=source, line=line, field=exc.field, doc_id=exc.doc_id)
                if on_error == "stop":
                    flush()
                    raise located from None
                report.skipped.append(str(located))
                continue
            unknown.update(unknown_fields(record))
            if clean["id"] in seen:
                first = seen[clean["id"]]
                report.warnings.append(
                    f"{source}:{line}: id {clean['id']!r} repeats {first[0]}:{first[1]}; the later article wins"
                )
            seen[clean["id"]] = (source, line)
            batch.append(record)
            if len(batch) >= batch_size:
                flush()
            if progress is not None:
                progress(read)
    flush()
    if compact and report.commits:
        index.compact()
    for name, count in sorted(unknown.items()):
        report.warnings.append(f"unknown field {name!r} ignored in {count} article(s)")
    return report
