"""Pages for browsing rather than searching: the list of stories by recency, and its pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from ..corpus import aggregates, queries
from ..corpus.queries import SEARCH_WINDOW, SearchRequest
from ..corpus.quotes import QUOTED_ACTS, parse_acts
from ..corpus.store import Store
from ..model import ACTS
from .charts import (
    ATTENTION_COLUMNS,
    Attention,
    attention,
    attention_record,
    attention_rows,
    bar_chart,
    story_appearances,
    story_timeline,
    timeline_chart,
)
from .exports import download

STORIES_PER_PAGE = 30
RECENT_ON_HOME = 20
MAX_PAGES = 10_000


def recent_overview(store: Store) -> dict[str, Any]:
    """What the start page shows: the stories with the latest news, and the store's counts."""
    total, stories = queries.recent_stories(store.db, RECENT_ON_HOME)
    rows, capped = aggregates.search_days(store.db, SearchRequest(), store.kept_appearances, SEARCH_WINDOW)
    chart = attention(rows, capped)
    return {
        "stories": with_speakers(store, stories),
        "story_total": total,
        "counts": store.counts(),
        "attention": bar_chart(
            chart,
            lambda p: "?" + urlencode({"since": p.start, "until": p.end}),
            "attention",
            f"Articles in the store by {chart.unit}",
        ),
        "timeline_exports": {f: f"/api/search/timeline?format={f}" for f in ("json", "csv")},
    }


def with_speakers(store: Store, stories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each story with its most quoted speakers (`speakers`: id, name, statements), for its card."""
    speakers = aggregates.top_speakers(store.db, [s["id"] for s in stories])
    return [{**s, "speakers": speakers.get(s["id"], [])} for s in stories]


def browse_routes(app: FastAPI, stores: Any, templates: Jinja2Templates) -> None:
    """`stores.get()` gives this thread's read-only Store."""

    @app.get("/stories", response_class=HTMLResponse)
    async def stories_page(request: Request, page: int = Query(1, ge=1, le=MAX_PAGES)) -> Response:
        offset = (page - 1) * STORIES_PER_PAGE
        store = stores.get()
        total, stories = queries.recent_stories(store.db, STORIES_PER_PAGE, offset)
        stories = with_speakers(store, stories)
        links = {}
        if offset + STORIES_PER_PAGE < total:
            links["next"] = f"?page={page + 1}"
        if page > 1:
            links["prev"] = f"?page={page - 1}"
        context = {"stories": stories, "total": total, "first": offset + 1, "links": links}
        return templates.TemplateResponse(request, "stories.html", context)

    @app.get("/people", response_class=HTMLResponse)
    def people_page(request: Request) -> Response:
        """The most quoted people and organisations, and a box to look one up by name."""
        people = aggregates.most_quoted(stores.get().db, PEOPLE_ON_A_PAGE)
        return templates.TemplateResponse(request, "people.html", {"people": people})


SAID_ON_A_PAGE = 1000
PEOPLE_ON_A_PAGE = 60
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

    @app.get("/api/entities/{entity_id}/timeline")
    async def api_entity_timeline(
        entity_id: Annotated[int, Path(ge=1, le=2**63 - 1)], format: Literal["json", "csv"] = "json"
    ) -> Any:
        """Articles quoting the entity per period and outlet: the numbers of its page's chart."""
        store = stores.get()
        if not queries.entities(store.db, [entity_id]):
            raise HTTPException(404, "no such person or organisation")
        chart = attention(aggregates.entity_days(store.db, entity_id))
        if format == "csv":
            return download(attention_rows(chart), "csv", f"entity-{entity_id}-timeline", ATTENTION_COLUMNS)
        return attention_record(chart)

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
    since, until = period_asked(request)
    said = [s for s in who_said_by(store, entity, acts) if in_period(s.get("published"), since, until)]
    context = {
        "name": entity["name"],
        "entity": entity,
        "said": said,
        "matches": [],
        "acts": act_links(acts, f"/entities/{entity['id']}?"),
        "acts_shown": ",".join(a for a in ACTS if a in acts),  # the downloads list what the page shows
        **entity_panels(store, entity, ",".join(a for a in ACTS if a in acts), (since, until)),
    }
    return templates.TemplateResponse(request, "entity.html", context)


def period_asked(request: Request) -> tuple[date | None, date | None]:
    """The entity page's `since` and `until` (YYYY-MM-DD; empty: open), as its chart's bars link them."""
    days = []
    for name in ("since", "until"):
        value = request.query_params.get(name, "").strip()
        try:
            days.append(date.fromisoformat(value) if value else None)
        except ValueError:
            raise HTTPException(400, f"{name}: not a date (YYYY-MM-DD): {value[:40]!r}") from None
    return days[0], days[1]


def in_period(published: str | None, since: date | None, until: date | None) -> bool:
    if since is None and until is None:
        return True
    day = (published or "")[:10]
    return (
        bool(day)
        and (since is None or day >= since.isoformat())
        and (until is None or day <= until.isoformat())
    )


def entity_panels(
    store: Store, entity: dict[str, Any], acts: str, period: tuple[date | None, date | None]
) -> dict[str, Any]:
    """The entity page's chart of articles quoting it (each bar narrows the page to its period), and the
    speakers most often quoted in the same stories."""
    chart: Attention = attention(aggregates.entity_days(store.db, entity["id"]))
    base = f"/entities/{entity['id']}?"
    narrowed = base + urlencode({"act": acts})  # encoded once, not once a bar; ISO dates need no quoting
    return {
        "attention": bar_chart(
            chart,
            lambda p: f"{narrowed}&since={p.start.isoformat()}&until={p.end.isoformat()}",
            "attention",
            f"Articles quoting {entity['name']} by {chart.unit}",
        ),
        "timeline_exports": {f: f"/api/entities/{entity['id']}/timeline?format={f}" for f in ("json", "csv")},
        "period": period if any(period) else None,
        "period_clear": base + urlencode({"act": acts}),
        "beside": aggregates.quoted_beside(store.db, entity["id"]),
    }


def story_panels(store: Store, story: dict[str, Any]) -> dict[str, Markup | list[dict[str, Any]]]:
    """The story page's timeline (its appearances, one row per outlet) and its speakers by act."""
    return {
        "timeline": timeline_chart(
            story_timeline(story_appearances(story)), "story-timeline", "When each outlet published"
        ),
        "speakers": aggregates.story_speakers(
            store.db, [a["id"] for a in story["articles"]], store.kept_quotes
        ),
    }
