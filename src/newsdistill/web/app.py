"""`newsdistill serve`: a JSON API and server-rendered pages over the corpus store.

Scraped content is hostile: templates autoescape everything, no page has inline script,
and a strict Content-Security-Policy forbids any script that might slip through.
Requests are hostile too: see guard.py, the layer every request and response passes through.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi import Path as PathParameter
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp

from ..corpus.store import Store
from .guard import LOOPBACK_NAMES, MAX_REQUEST_BYTES, SECURITY_HEADERS, Guard
from .render import highlight_paragraphs, search_marks, snippet_html

__all__ = ["MAX_REQUEST_BYTES", "SECURITY_HEADERS", "create_app", "safe_url"]
HERE = Path(__file__).resolve().parent
MAX_ID = 2**63 - 1  # SQLite's largest rowid: a larger id cannot name anything
PAGE_RESULTS = 20  # search results on a page: each costs a snippet
OVERVIEW_SECONDS = 10.0  # how long the start page's story list and counts are reused: they cost more than a search
Id = Annotated[int, PathParameter(ge=1, le=MAX_ID)]


def safe_url(url: str | None) -> str:
    """Only http(s) links reach a page: a stored 'javascript:' URL becomes a dead link."""
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else "#"


class StorePool:
    """One read-only SQLite connection per server thread."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise FileNotFoundError(f"no corpus store at {path}: run newsdistill ingest first")
        self.path = path
        self.local = threading.local()
        self.overview_cache: tuple[float, dict[str, Any]] = (float("-inf"), {})

    def overview(self) -> dict[str, Any]:
        """The largest stories and the store's counts, as of at most OVERVIEW_SECONDS ago."""
        made, overview = self.overview_cache
        if time.monotonic() - made > OVERVIEW_SECONDS:
            store = self.get()
            overview = {"stories": store.stories(20), "counts": store.counts()}
            self.overview_cache = (time.monotonic(), overview)
        return overview

    def get(self) -> Store:
        store = getattr(self.local, "store", None)
        if store is None:
            store = self.local.store = Store(self.path, readonly=True)
        return store


class GuardedApp(FastAPI):
    """FastAPI with Guard outside even its error handling, so that a 500 carries the security headers too."""

    allowed_hosts: frozenset[str] = LOOPBACK_NAMES

    def build_middleware_stack(self) -> ASGIApp:
        return Guard(super().build_middleware_stack(), self.allowed_hosts)


def create_app(db: str | Path, allowed_hosts: frozenset[str] = LOOPBACK_NAMES) -> FastAPI:
    """The app over the store at `db`, answering requests whose Host is one of `allowed_hosts`."""
    pool = StorePool(Path(db))
    app = GuardedApp(title="newsdistill",
                     description="Clean, attributed, de-duplicated news: search, stories, who said what.")
    app.allowed_hosts = allowed_hosts
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True)
    templates = Jinja2Templates(env=environment)
    templates.env.filters["safe_url"] = safe_url
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _error_pages(app, templates)
    _api_routes(app, pool)
    _page_routes(app, pool, templates)
    return app


def _error_pages(app: FastAPI, templates: Jinja2Templates) -> None:
    """Errors as JSON under /api, as a page elsewhere; an id that is no id is simply not found."""

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if request.url.path.startswith(("/api/", "/openapi", "/docs", "/redoc")):
            return JSONResponse({"detail": error.detail}, error.status_code, headers=error.headers)
        return templates.TemplateResponse(request, "error.html", {"status": error.status_code, "detail": error.detail},
                                          status_code=error.status_code, headers=error.headers)

    async def invalid_request(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        if any(problem["loc"][0] == "path" for problem in error.errors()):
            return await http_error(request, StarletteHTTPException(404, "Not Found"))
        return await request_validation_exception_handler(request, error)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)


# Routes are `async def`, run in the worker's event loop without a thread hop, where their queries are
# bounded index lookups; search, whose cost grows with the store, runs in the thread pool (plain `def`),
# where SQLite releases the GIL and a slow query does not hold up the others.


def _api_routes(app: FastAPI, pool: StorePool) -> None:
    @app.get("/api/search")
    def api_search(q: str = Query(..., max_length=500), limit: int = Query(20, ge=1, le=200),
                   all_copies: bool = False) -> list[dict[str, Any]]:
        return pool.get().search(q, limit, all_copies=all_copies)

    @app.get("/api/articles/{article_id}")
    async def api_article(article_id: Id) -> dict[str, Any]:
        article = pool.get().article(article_id)
        if article is None:
            raise HTTPException(404, "no such article")
        return article

    @app.get("/api/articles/{article_id}/appearances")
    def api_appearances(article_id: Id) -> list[dict[str, Any]]:
        """Where the article appeared, the original first (a group may be large: run off the event loop)."""
        store = pool.get()
        if not store.article_exists(article_id):
            raise HTTPException(404, "no such article")
        return store.appearances(article_id)

    @app.get("/api/stories")
    async def api_stories(limit: int = Query(100, ge=1, le=1000)) -> list[dict[str, Any]]:
        return pool.get().stories(limit)

    @app.get("/api/stories/{story_id}")
    async def api_story(story_id: Id) -> dict[str, Any]:
        story = pool.get().story(story_id)
        if story is None:
            raise HTTPException(404, "no such story")
        return story

    @app.get("/api/who-said")
    async def api_who_said(name: str = Query(..., max_length=200), limit: int = Query(200, ge=1, le=2000)) -> list[dict[str, Any]]:
        rows = pool.get().who_said(name, limit)
        return [{k: r[k] for k in ("speaker", "content", "cue", "article")} for r in rows]


def _page_routes(app: FastAPI, pool: StorePool, templates: Jinja2Templates) -> None:
    @app.get("/", response_class=HTMLResponse)
    def home(request: Request, q: str = Query("", max_length=500)) -> Response:
        marks = search_marks()
        results = pool.get().search(q, PAGE_RESULTS, marks=marks) if q else []
        for result in results:
            result["snippet_html"] = snippet_html(result["snippet"], marks)
        return templates.TemplateResponse(request, "home.html", {"q": q, "results": results, **pool.overview()})

    @app.get("/articles/{article_id}", response_class=HTMLResponse)
    async def article_page(request: Request, article_id: Id) -> Response:
        article = pool.get().article(article_id)
        if article is None:
            raise HTTPException(404, "no such article")
        paragraphs = highlight_paragraphs(article)
        return templates.TemplateResponse(request, "article.html", {"a": article, "paragraphs": paragraphs})

    @app.get("/stories/{story_id}", response_class=HTMLResponse)
    async def story_page(request: Request, story_id: Id) -> Response:
        story = pool.get().story(story_id)
        if story is None:
            raise HTTPException(404, "no such story")
        return templates.TemplateResponse(request, "story.html", {"story": story})

    @app.get("/entities", response_class=HTMLResponse)
    async def entity_page(request: Request, name: str = Query(..., max_length=200)) -> Response:
        said = pool.get().who_said(name, 1000)
        return templates.TemplateResponse(request, "entity.html", {"name": name, "said": said})
