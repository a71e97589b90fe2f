"""Pages for browsing rather than searching: the list of stories by recency, and its pages."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ..corpus import queries
from ..corpus.quotes import QUOTED_ACTS, parse_acts
from ..corpus.store import Store
from ..model import ACTS

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
ACTS_SHOWN = ",".join(a for a in ACTS if a in QUOTED_ACTS)  # 'speech,writing': quotes, unless asked
ActsParam = Annotated[str, Query(max_length=200, description="comma-separated: " + ", ".join(ACTS))]
EntityName = Annotated[str, Query(min_length=1, max_length=200)]


def acts_asked(value: str) -> frozenset[str]:
    """The `act` parameter ('speech,writing'); a clear 400 for an act that is not one."""
    try:
        return parse_acts([value])
    except ValueError as error:
        raise HTTPException(400, str(error)) from None


def act_links(acts: frozenset[str], base: str) -> list[dict[str, Any]]:
    """One link per act that shows the page with that act added or taken away (never the last one)."""
    links = []
    for act in ACTS:
        toggled = acts ^ {act}
        href = base + "act=" + ",".join(a for a in ACTS if a in toggled) if toggled else None
        links.append({"act": act, "on": act in acts, "href": href})
    return links


def who_said_by(store: Store, entity: dict[str, Any], acts: frozenset[str]) -> list[dict[str, Any]]:
    """What one entity said (one row per quote, with its spread, when the store tracks quotes)."""
    if getattr(store, "kept_quotes", False):
        from ..corpus import quotes

        return quotes.who_said(store.db, [entity["id"]], entity["name"], SAID_ON_A_PAGE, False, acts=acts)
    said = store.who_said(entity["name"], SAID_ON_A_PAGE, acts=acts)
    return [r for r in said if r["speaker"] == entity["name"]]


def entity_routes(app: FastAPI, stores: Any, templates: Jinja2Templates) -> None:
    """/entities?name=: the one person of that name, or the people it may mean; /entities/{id}: one person."""

    @app.get("/entities", response_class=HTMLResponse)
    async def entity_by_name(request: Request, name: EntityName, act: ActsParam = ACTS_SHOWN) -> Response:
        return named_response(request, templates, stores.get(), name, acts_asked(act))

    @app.get("/entities/{entity_id}", response_class=HTMLResponse)
    async def entity_by_id(
        request: Request,
        entity_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
        act: ActsParam = ACTS_SHOWN,
    ) -> Response:
        store, acts = stores.get(), acts_asked(act)
        found = queries.entities(store.db, [entity_id])
        if not found:
            raise HTTPException(404, "no such person or organisation")
        return entity_response(request, templates, store, found[0], acts)

    @app.get("/api/entities")
    async def api_entities(name: str = Query(..., min_length=1, max_length=200)) -> list[dict[str, Any]]:
        """The people (and organisations) a name may mean, each with its statement and article counts."""
        store = stores.get()
        return queries.entities(store.db, store.entity_ids(name))


def named_response(
    request: Request, templates: Jinja2Templates, store: Store, name: str, acts: frozenset[str]
) -> Response:
    """The one person of that name, or the people it may mean, or what a speaker no entity matches said."""
    matches = queries.entities(store.db, store.entity_ids(name))
    if len(matches) == 1:
        return entity_response(request, templates, store, matches[0], acts)
    said = [] if matches else store.who_said(name, SAID_ON_A_PAGE, acts=acts)
    links = act_links(acts, "/entities?" + urlencode({"name": name}) + "&")
    context = {"name": name, "matches": matches, "said": said, "entity": None, "acts": links}
    return templates.TemplateResponse(request, "entity.html", context)


def entity_response(
    request: Request, templates: Jinja2Templates, store: Store, entity: dict[str, Any], acts: frozenset[str]
) -> Response:
    said = who_said_by(store, entity, acts)
    context = {
        "name": entity["name"],
        "entity": entity,
        "said": said,
        "matches": [],
        "acts": act_links(acts, f"/entities/{entity['id']}?"),
        "acts_shown": ",".join(a for a in ACTS if a in acts),  # the downloads list what the page shows
    }
    return templates.TemplateResponse(request, "entity.html", context)
