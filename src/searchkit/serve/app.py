"""The HTTP API and the search page, over searchkit's public API only.

Reads (``/search``, ``/articles/{id}``, ``/related/{id}``, ``/analyze``,
``/health``) run in the server's thread pool; each thread keeps its own
searcher, which sees a new commit within a second, or at once after a write
through this process (every thread refreshes then). Writes (``PUT /articles``,
``DELETE /articles/{id}``) need ``Authorization: Bearer TOKEN``; with no token
configured they are refused (403), never open.

Every error is JSON: ``{"error": message, "parameter": name, ...}`` (400 for
unknown parameters and unreadable bodies or queries, 422 for a value out of
range, 401/403 for writes, 404, 413, 503 when another writer holds the index).
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, MutableMapping
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

import searchkit
from searchkit import Analyzer, DocumentError, Index, IndexLocked, QueryError, QuerySyntaxError, SearchkitError

__all__ = ["create_app", "open_location", "run"]

STATIC = Path(__file__).parent / "static"
MAX_LIMIT = 100
MAX_QUERY = 1_000
MAX_PAGE = 1_000
MAX_TEXT = 10_000
#: Threads that answer requests in one server process.
THREADS = int(os.environ.get("SEARCHKIT_SERVE_THREADS", "4"))
#: Largest PUT /articles body, in bytes.
MAX_BODY = 32 * 2**20
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
#: Sent with every response: the page runs only its own script, and a
#: document's markup could not load or run anything even if it got through.
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
     b"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
log = logging.getLogger("searchkit.serve")

Facet = Literal["lang", "category", "year"]


class ApiError(Exception):
    """An error answered as JSON with ``status``."""

    def __init__(self, status: int, message: str, *, parameter: str | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"error": message, "parameter": parameter, **extra}
        self.headers = headers


def _only(*names: str) -> Callable[[Request], None]:
    """A dependency that refuses query parameters other than ``names`` (a typo never passes silently)."""
    allowed = frozenset(names)

    def check(request: Request) -> None:
        for key in request.query_params:
            if key not in allowed:
                known = ", ".join(sorted(allowed)) or "none"
                raise ApiError(400, f"unknown parameter {key!r} (this endpoint takes: {known})", parameter=key)

    return check


def _check_date(name: str, value: str | None) -> None:
    if value is None:
        return
    try:
        if not _DATE.fullmatch(value):
            raise ValueError("not YYYY, YYYY-MM or YYYY-MM-DD")
        parts = [int(p) for p in value.split("-")]
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as exc:
        raise ApiError(422, f"{name} must be a date (YYYY, YYYY-MM or YYYY-MM-DD), not {value!r}: {exc}",
                       parameter=name) from exc


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _snippet(snip: searchkit.Snippet) -> dict[str, Any]:
    return {"text": snip.text, "spans": [list(s) for s in snip.spans], "html": snip.html()}


def _hit(hit: searchkit.Hit, *, full: bool) -> dict[str, Any]:
    f = hit.fields
    out: dict[str, Any] = {"id": hit.id, "score": round(hit.score, 4), "title": f.get("title") or "",
                           "url": f.get("url"), "published": _iso(f.get("published")), "lang": f.get("lang"),
                           "category": f.get("category")}
    if full:
        out["title_snippet"] = _snippet(hit.title_snippet)
        out["snippet"] = _snippet(hit.snippet)
        out["matches"] = [{"query": m.query, "word": m.word, "start": m.start, "end": m.end, "how": m.how}
                          for m in hit.matches]
    return out


def _token(request: Request, expected: str | None) -> None:
    """Let a write through only with the configured bearer token (compared in constant time)."""
    if expected is None:
        raise ApiError(403, "writes are off: start the server with --write-token or SEARCHKIT_WRITE_TOKEN")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise ApiError(401, "a write needs the header Authorization: Bearer TOKEN with the server's write token",
                       parameter="Authorization", headers={"WWW-Authenticate": "Bearer"})


def _parse_articles(raw: bytes) -> list[dict[str, Any]]:
    """Articles from a JSON array or JSONL body."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"the body is not UTF-8 (byte {exc.start})", parameter="body", position=exc.start) from exc
    text = text.removeprefix("\ufeff")
    if text.lstrip().startswith("["):
        try:
            docs = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ApiError(400, f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                           parameter="body", line=exc.lineno, position=exc.pos) from exc
        rows = list(enumerate(docs, 1))
        what = "item"
    else:
        rows = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append((n, json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise ApiError(400, f"line {n} is not valid JSON: {exc.msg} at column {exc.colno}",
                                   parameter="body", line=n, position=exc.pos) from exc
        what = "line"
    if not rows:
        raise ApiError(400, "the body holds no articles (send a JSON array or JSONL)", parameter="body")
    for n, doc in rows:
        if not isinstance(doc, dict):
            raise ApiError(400, f"{what} {n} is not a JSON object", parameter="body", line=n)
    return [doc for _, doc in rows]


class _SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(index: Index, *, write_token: str | None = None, threads: int = THREADS) -> FastAPI:
    """The ASGI application serving ``index``.

    Args:
        index: an open index (the application reads and writes it).
        write_token: the bearer token writes need; None turns writes off.
        threads: requests searched at once (the server's thread pool).
    """
    if write_token is not None and not write_token:
        raise ValueError("write_token must not be empty (None turns writes off)")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Searching is CPU work under one interpreter lock: more threads than
        # this only add switching, and each thread keeps a searcher to reopen
        # after every commit (anyio's default pool has 40).
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    app = FastAPI(title="searchkit", version=searchkit.__version__, docs_url=None, redoc_url=None,
                  description="Full-text search over Japanese and English news articles.", lifespan=lifespan)
    app.add_middleware(_SecurityHeaders)
    analyzer = Analyzer()
    writes = [0]  # commits made through this process
    seen = threading.local()

    def fresh() -> Index:
        """The index, refreshed in this thread if a write went through another one."""
        if getattr(seen, "writes", 0) != writes[0]:
            seen.writes = writes[0]
            index.refresh()
        return index

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = []
        for err in exc.errors():
            loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body")]
            details.append({"parameter": loc[0] if loc else None, "message": str(err.get("msg", ""))})
        first = details[0] if details else {"parameter": None, "message": "invalid request"}
        return JSONResponse({"error": f"{first['parameter']}: {first['message']}", "parameter": first["parameter"],
                             "details": details}, status_code=422)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        log.error("error serving %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"error": "internal error (logged by the server)", "parameter": None}, status_code=500)

    def _searchkit_error(exc: SearchkitError) -> ApiError:
        if isinstance(exc, IndexLocked):
            return ApiError(503, str(exc), headers={"Retry-After": "1"})
        return ApiError(400 if isinstance(exc, (QueryError, DocumentError)) else 503, str(exc))

    @app.get("/search", dependencies=[Depends(_only("q", "lang", "category", "since", "until", "sort", "page",
                                                    "limit", "facet", "strict"))])
    def search(
        q: Annotated[str, Query(max_length=MAX_QUERY, description="Query text (the searchkit query language).")] = "",
        lang: Annotated[str | None, Query(max_length=20, description="Only articles in this language.")] = None,
        category: Annotated[str | None, Query(max_length=200, description="Only articles in this category.")] = None,
        since: Annotated[str | None, Query(description="Published on or after: YYYY, YYYY-MM or YYYY-MM-DD.")] = None,
        until: Annotated[str | None, Query(description="Published on or before (inclusive).")] = None,
        sort: Annotated[Literal["relevance", "date"], Query(description="date: newest first.")] = "relevance",
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Hits per page.")] = 10,
        facet: Annotated[list[Facet], Query(description="Count all matches by this field (repeatable).")] = [],
        strict: Annotated[bool, Query(description="Reject bad query syntax (400 with its position).")] = False,
    ) -> dict[str, Any]:
        """Ranked hits with highlighted snippets, facets, a did-you-mean suggestion and warnings."""
        started = time.perf_counter()
        _check_date("since", since)
        _check_date("until", until)
        try:
            res = fresh().search(q, lang=lang or None, category=category or None, since=since, until=until,
                                 sort=sort, page=page, limit=limit, strict=strict)
            hits = [_hit(h, full=True) for h in res]
            out = {"query": q, "total": res.total, "page": page, "limit": limit, "hits": hits,
                   "facets": {f: res.facets[f] for f in dict.fromkeys(facet)}, "suggestion": res.suggestion,
                   "warnings": list(res.warnings),
                   "expansions": [{"word": w, "alternative": a, "source": s} for w, a, s in res.expansions]}
        except QuerySyntaxError as exc:
            raise ApiError(400, str(exc), parameter="q", position=exc.position) from exc
        except QueryError as exc:
            raise ApiError(422, str(exc), parameter=None) from exc
        except SearchkitError as exc:
            raise _searchkit_error(exc) from exc
        out["took_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return out

    @app.get("/articles/{doc_id}", dependencies=[Depends(_only())])
    def article(doc_id: str) -> dict[str, Any]:
        """One article, every field (``published`` in UTC)."""
        try:
            fields = fresh().get(doc_id)
        except SearchkitError as exc:
            raise _searchkit_error(exc) from exc
        if fields is None:
            raise ApiError(404, f"no article with id {doc_id!r}", parameter="doc_id")
        return {k: _iso(v) for k, v in fields.items()}

    @app.get("/related/{doc_id}", dependencies=[Depends(_only("limit"))])
    def related(doc_id: str, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 5) -> dict[str, Any]:
        """Articles like this one, in either language, best first."""
        try:
            hits = fresh().related(doc_id, limit=limit)
        except KeyError as exc:
            raise ApiError(404, f"no article with id {doc_id!r}", parameter="doc_id") from exc
        except SearchkitError as exc:
            raise _searchkit_error(exc) from exc
        return {"id": doc_id, "hits": [_hit(h, full=False) for h in hits]}

    @app.get("/analyze", dependencies=[Depends(_only("text"))])
    def analyze(text: Annotated[str, Query(max_length=MAX_TEXT)]) -> dict[str, Any]:
        """How a text is analyzed: terms with code-point offsets, positions, parts of speech, readings."""
        tokens = []
        position = 0
        try:
            for surface, term, tag, start, end, keep, reading in analyzer.morphemes(text):
                tokens.append({"term": term if keep else None, "text": text[start:end], "start": start, "end": end,
                               "position": position if keep else None, "surface": surface, "pos": tag,
                               "reading": reading or None})
                position += keep
        except SearchkitError as exc:
            raise _searchkit_error(exc) from exc
        return {"text": text, "tokens": tokens}

    @app.get("/health", dependencies=[Depends(_only())])
    def health() -> dict[str, Any]:
        """Liveness, document count and versions."""
        try:
            documents = len(fresh())
        except SearchkitError as exc:
            raise _searchkit_error(exc) from exc
        return {"status": "ok", "documents": documents, "analyzer_version": Analyzer.version,
                "searchkit": searchkit.__version__, "writes": write_token is not None}

    @app.put("/articles", dependencies=[Depends(_only())], openapi_extra={"requestBody": {
        "required": True, "description": "A JSON array of articles, or JSONL (one article per line).",
        "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                    "application/x-ndjson": {"schema": {"type": "string"}}}}})
    async def put_articles(request: Request) -> dict[str, Any]:
        """Add articles or replace them by id, in one commit (one bad article writes none)."""
        _token(request, write_token)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            raise ApiError(413, f"the body is over {MAX_BODY} bytes; send it in parts", parameter="body")
        raw = bytearray()
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_BODY:
                raise ApiError(413, f"the body is over {MAX_BODY} bytes; send it in parts", parameter="body")
        docs = _parse_articles(bytes(raw))
        try:
            written = await run_in_threadpool(index.add, docs)
        except DocumentError as exc:
            raise ApiError(400, str(exc), parameter="body", field=exc.field, id=exc.doc_id) from exc
        except SearchkitError as exc:
            raise _searchkit_error(exc) from exc
        writes[0] += 1
        return {"written": written, "documents": await run_in_threadpool(lambda: len(fresh()))}

    @app.delete("/articles/{doc_id}", dependencies=[Depends(_only())])
    def delete_article(request: Request, doc_id: str) -> dict[str, Any]:
        """Delete one article."""
        _token(request, write_token)
        try:
            n = index.delete([doc_id])
        except SearchkitError as exc:
            raise _searchkit_error(exc) from exc
        writes[0] += 1
        if n == 0:
            raise ApiError(404, f"no article with id {doc_id!r}", parameter="doc_id")
        return {"deleted": n}

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def open_location(location: str | None, *, announce: Callable[[str], None] | None = None) -> Index:
    """The index at ``location`` (a directory), or the bundled demo index for None.

    Raises:
        SearchkitError: no index there, or a store this version cannot open.
    """
    if location is None:
        from searchkit.demo import demo_index

        return demo_index(announce=announce)
    return Index.open(location)  # a directory or an OpenSearch index URL


def app_from_env() -> FastAPI:
    """The application for a worker process: index and token from the environment."""
    location = os.environ.get("SEARCHKIT_SERVE_INDEX") or None
    return create_app(open_location(location), write_token=os.environ.get("SEARCHKIT_WRITE_TOKEN") or None)


def run(location: str | None = None, *, host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
        write_token: str | None = None, log_level: str = "info") -> None:
    """Serve the index at ``location`` (default: the demo index) until interrupted."""
    import uvicorn

    def announce(message: str) -> None:
        print(message, file=sys.stderr)

    index = open_location(location, announce=announce)
    token = write_token or None
    if workers == 1:
        uvicorn.run(create_app(index, write_token=token), host=host, port=port, log_level=log_level)
        return
    # Worker processes import the application by name and read its settings from the environment.
    os.environ["SEARCHKIT_SERVE_INDEX"] = str(index.location)
    if token is not None:
        os.environ["SEARCHKIT_WRITE_TOKEN"] = token
    else:
        os.environ.pop("SEARCHKIT_WRITE_TOKEN", None)
    index.close()
    uvicorn.run("searchkit.serve.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level=log_level)

