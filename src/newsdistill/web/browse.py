"""Pages for browsing rather than searching: the list of stories by recency, and its pages."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Query, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ..corpus import queries
from ..corpus.store import Store

STORIES_PER_PAGE = 30
RECENT_ON_HOME = 20
MAX_PAGES = 10_000


def recent_overview(store: Store) -> dict[str, Any]:
    """What the start page shows: the stories with the latest news, and the store's counts."""
    total, stories = queries.recent_stories(store.db, RECENT_ON_HOME)
    return {"stories": stories, "story_total": total, "counts": store.counts()}


def browse_routes(app: FastAPI, stores: Any, templates: Jinja2Templates) -> None:
    """`stores.get()` gives this thread's read-only Store."""

    @app.get("/stories", response_class=HTMLResponse)
    async def stories_page(request: Request, page: int = Query(1, ge=1, le=MAX_PAGES)) -> Response:
        offset = (page - 1) * STORIES_PER_PAGE
        total, stories = queries.recent_stories(stores.get().db, STORIES_PER_PAGE, offset)
        links = {}
        if offset + STORIES_PER_PAGE < total:
            links["next"] = f"?page={page + 1}"
        if page > 1:
            links["prev"] = f"?page={page - 1}"
        context = {"stories": stories, "total": total, "first": offset + 1, "links": links}
        return templates.TemplateResponse(request, "stories.html", context)
