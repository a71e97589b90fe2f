"""`newsdistill serve`: a JSON API and server-rendered pages over the corpus store.

Scraped content is hostile: templates autoescape everything, no page has inline script,
and a strict Content-Security-Policy forbids any script that might slip through.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ..corpus.store import Store
from .render import SNIPPET_MARKS, highlight_paragraphs, snippet_html

HERE = Path(__file__).resolve().parent
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
MAX_REQUEST_BYTES = 64 * 1024


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

    def get(self) -> Store:
        store = getattr(self.local, "store", None)
        if store is None:
            store = self.local.store = Store(self.path, readonly=True)
        return store


def create_app(db: str | Path) -> FastAPI:
    pool = StorePool(Path(db))
    app = FastAPI(title="newsdistill", description="Clean, attributed, de-duplicated news: search, stories, who said what.")
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True)
    templates = Jinja2Templates(env=environment)
    templates.env.filters["safe_url"] = safe_url
    templates.env.filters["snippet_html"] = snippet_html
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if int(request.headers.get("content-length") or 0) > MAX_REQUEST_BYTES:
            return JSONResponse({"detail": "request too large"}, status_code=413, headers=SECURITY_HEADERS)
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    _api_routes(app, pool)
    _page_routes(app, pool, templates)
    return app


def _api_routes(app: FastAPI, pool: StorePool) -> None:
    @app.get("/api/search")
    def api_search(q: str = Query(..., max_length=500), limit: int = Query(20, ge=1, le=200)) -> list[dict[str, Any]]:
        return pool.get().search(q, limit)

    @app.get("/api/articles/{article_id}")
    def api_article(article_id: int) -> dict[str, Any]:
        article = pool.get().article(article_id)
        if article is None:
            raise HTTPException(404, "no such article")
        return article

    @app.get("/api/stories")
    def api_stories(limit: int = Query(100, ge=1, le=1000)) -> list[dict[str, Any]]:
        return pool.get().stories(limit)

    @app.get("/api/stories/{story_id}")
    def api_story(story_id: int) -> dict[str, Any]:
        story = pool.get().story(story_id)
        if story is None:
            raise HTTPException(404, "no such story")
        return story

    @app.get("/api/who-said")
    def api_who_said(name: str = Query(..., max_length=200), limit: int = Query(200, ge=1, le=2000)) -> list[dict[str, Any]]:
        rows = pool.get().who_said(name, limit)
        return [{k: r[k] for k in ("speaker", "content", "cue", "article")} for r in rows]


def _page_routes(app: FastAPI, pool: StorePool, templates: Jinja2Templates) -> None:
    @app.get("/", response_class=HTMLResponse)
    def home(request: Request, q: str = Query("", max_length=500)) -> Response:
        store = pool.get()
        results = store.search(q, 50, marks=SNIPPET_MARKS) if q else []
        return templates.TemplateResponse(request, "home.html", {"q": q, "results": results,
                                                                 "stories": store.stories(20), "counts": store.counts()})

    @app.get("/articles/{article_id}", response_class=HTMLResponse)
    def article_page(request: Request, article_id: int) -> Response:
        article = pool.get().article(article_id)
        if article is None:
            raise HTTPException(404, "no such article")
        paragraphs = highlight_paragraphs(article)
        return templates.TemplateResponse(request, "article.html", {"a": article, "paragraphs": paragraphs})

    @app.get("/stories/{story_id}", response_class=HTMLResponse)
    def story_page(request: Request, story_id: int) -> Response:
        story = pool.get().story(story_id)
        if story is None:
            raise HTTPException(404, "no such story")
        return templates.TemplateResponse(request, "story.html", {"story": story})

    @app.get("/entities", response_class=HTMLResponse)
    def entity_page(request: Request, name: str = Query(..., max_length=200)) -> Response:
        said = pool.get().who_said(name, 1000)
        return templates.TemplateResponse(request, "entity.html", {"name": name, "said": said})
