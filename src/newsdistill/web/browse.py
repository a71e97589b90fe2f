"""Pages for browsing rather than searching: the list of stories by recency, and its pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Path, Query, Request, Response
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


SAID_ON_A_PAGE = 1000


def who_said_by(store: Store, entity: dict[str, Any]) -> list[dict[str, Any]]:
    """What one entity said (one row per quote, with its spread, when the store tracks quotes)."""
    if getattr(store, "kept_quotes", False):
        from ..corpus import quotes

        return quotes.who_said(store.db, [entity["id"]], entity["name"], SAID_ON_A_PAGE, False)
    return [r for r in store.who_said(entity["name"], SAID_ON_A_PAGE) if r["speaker"] == entity["name"]]


def entity_routes(app: FastAPI, stores: Any, templates: Jinja2Templates) -> None:
    """/entities?name=: the one person of that name, or the people it may mean; /entities/{id}: one person."""

    @app.get("/entities", response_class=HTMLResponse)
    async def entity_by_name(
        request: Request, name: str = Query(..., min_length=1, max_length=200)
    ) -> Response:
        store = stores.get()
        matches = queries.entities(store.db, store.entity_ids(name))
        if len(matches) == 1:
            return entity_response(request, templates, store, matches[0])
        said = [] if matches else store.who_said(name, SAID_ON_A_PAGE)  # a speaker no entity matches
        context = {"name": name, "matches": matches, "said": said, "entity": None}
        return templates.TemplateResponse(request, "entity.html", context)

    @app.get("/entities/{entity_id}", response_class=HTMLResponse)
    async def entity_by_id(request: Request, entity_id: Annotated[int, Path(ge=1, le=2**63 - 1)]) -> Response:
        store = stores.get()
        found = queries.entities(store.db, [entity_id])
        if not found:
            raise HTTPException(404, "no such person or organisation")
        return entity_response(request, templates, store, found[0])

    @app.get("/api/entities")
    async def api_entities(name: str = Query(..., min_length=1, max_length=200)) -> list[dict[str, Any]]:
        """The people (and organisations) a name may mean, each with its statement and article counts."""
        store = stores.get()
        return queries.entities(store.db, store.entity_ids(name))


def entity_response(
    request: Request, templates: Jinja2Templates, store: Store, entity: dict[str, Any]
) -> Response:
    said = who_said_by(store, entity)
    context = {"name": entity["name"], "entity": entity, "said": said, "matches": []}
    return templates.TemplateResponse(request, "entity.html", context)
