"""`newsdistill serve`: a JSON API and server-rendered pages over the corpus store.

Scraped content is hostile: templates autoescape everything, no page has inline script,
and a strict Content-Security-Policy forbids any script that might slip through.
Requests are hostile too: see guard.py, the layer every request and response passes through.
"""

from __future__ import annotations

import contextlib
import inspect
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import jinja2
from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi import Path as PathParameter
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BeforeValidator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp

from ..corpus import aggregates, search_index
from ..corpus.queries import SEARCH_WINDOW, STORY_ARTICLES_SHOWN, SearchRequest
from ..corpus.query_language import QueryError
from ..corpus.records import SEARCH_COLUMNS, WHO_SAID_COLUMNS
from ..corpus.search_columns import ColumnCache, Columns
from ..corpus.store import Store
from ..model import ACTS
from .browse import ACTS_SHOWN, acts_asked, browse_routes, entity_routes, recent_overview, story_panels
from .charts import (
    ATTENTION_COLUMNS,
    CHART_SHAPE,
    Attention,
    Period,
    attention_record,
    attention_rows,
    bar_chart,
    binned_attention,
)
from .exports import FORMATS, download
from .guard import LOOPBACK_NAMES, MAX_REQUEST_BYTES, SECURITY_HEADERS, Guard
from .render import highlight_paragraphs, said, search_marks, snippet_html

__all__ = ["MAX_REQUEST_BYTES", "SECURITY_HEADERS", "create_app", "safe_url"]
HERE = Path(__file__).resolve().parent
MAX_ID = 2**63 - 1  # SQLite's largest rowid: a larger id cannot name anything
PAGE_RESULTS = 20  # search results on a page: each costs a snippet
OVERVIEW_SECONDS = (
    10.0  # how long the start page's story list and counts are reused: they cost more than a search
)
SEARCH_SECONDS = 1.0  # a search's CPU in SQLite, at most, in a server (serve --search-seconds)
# SQLite steps between two looks at the clock: about 600 in a common word's search, 15 a second in an
# FTS5 prefix merge (w*), so a stopped search stops within 70 ms of its deadline
PROGRESS_STEPS = 2000
Id = Annotated[int, PathParameter(ge=1, le=MAX_ID)]


def safe_url(url: str | None) -> str:
    """Only http(s) links reach a page: a stored 'javascript:' URL becomes a dead link."""
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else "#"


def add_search_tables(path: Path) -> None:
    """A store written before the CJK index and the search indexes gets them once, before it is served
    read-only (seconds at 100,000 articles). A store that cannot be written (a read-only file, another
    writer holding the lock past the timeout) is served as it is, with slower searches and no CJK index."""
    try:
        db = sqlite3.connect(path, timeout=5, isolation_level=None)
    except sqlite3.Error:
        return
    try:
        db.execute("BEGIN IMMEDIATE")
        search_index.migrate(db)
        db.execute("COMMIT")
    except sqlite3.Error:
        if db.in_transaction:
            db.execute("ROLLBACK")
    finally:
        db.close()


class StorePool:
    """One read-only SQLite connection per server thread."""

    def __init__(self, path: Path, search_seconds: float = SEARCH_SECONDS) -> None:
        if not path.exists():
            raise FileNotFoundError(f"no corpus store at {path}: run newsdistill ingest first")
        self.path = path
        self.local = threading.local()
        self.overview_cache: tuple[float, dict[str, Any]] = (float("-inf"), {})
        self.overview_lock = threading.Lock()
        add_search_tables(path)
        self.search_columns = ColumnCache(path)  # unfiltered searches grouped and binned in memory
        self.search_seconds = search_seconds

    def columns(self) -> Columns | None:
        """The search columns when they are as fresh as the store (else None: SQL answers meanwhile)."""
        return self.search_columns.current()

    def overview(self) -> dict[str, Any]:
        """The latest stories and the store's counts, as of at most OVERVIEW_SECONDS ago. One thread
        rebuilds a stale overview while the others serve the previous one: under load, every request
        rebuilding it at once (a second each) would stall the server."""
        made, overview = self.overview_cache
        if time.monotonic() - made <= OVERVIEW_SECONDS:
            return overview
        if not self.overview_lock.acquire(blocking=not overview):
            return overview
        try:
            made, overview = self.overview_cache
            if time.monotonic() - made > OVERVIEW_SECONDS:
                overview = recent_overview(self.get())
                self.overview_cache = (time.monotonic(), overview)
            return overview
        finally:
            self.overview_lock.release()

    def get(self) -> Store:
        store = getattr(self.local, "store", None)
        if store is None:
            store = self.local.store = Store(self.path, readonly=True)
        return store

    @contextlib.contextmanager
    def searching(self) -> Iterator[Store]:
        """The thread's store for one search, whose queries stop once they have spent `search_seconds` of
        this thread's CPU: a search runs on the event loop, and `w*` (the postings of thousands of words
        merged) held it for a minute at 100,000 articles. CPU time, not wall time, so that a loaded machine
        does not stop searches that would finish. A stopped search, and a query that cannot be read, are
        400s that say why."""
        store = self.get()
        store.db.set_progress_handler(past_deadline(self.search_seconds), PROGRESS_STEPS)
        try:
            yield store
        except QueryError as error:
            raise HTTPException(400, f"cannot read the query: {error}") from None
        except sqlite3.OperationalError as error:
            if str(error) != "interrupted":
                raise
            raise HTTPException(400, too_long(self.search_seconds)) from None
        finally:
            store.db.set_progress_handler(None, 0)


def past_deadline(seconds: float) -> Callable[[], bool]:
    """A progress handler: true once this thread has spent `seconds` of CPU since now. The thread's CPU
    clock is a system call (0.6 µs) and the wall clock is not (0.05 µs), and a thread's CPU time never
    runs ahead of the wall's: the CPU clock is read only once the wall says the time may be up."""
    wall, cpu = time.monotonic() + seconds, time.thread_time() + seconds
    return lambda: time.monotonic() > wall and time.thread_time() > cpu


def too_long(seconds: float) -> str:
    return (
        f"the query took more than {seconds:g} s and was stopped: it matches too much (a prefix such as "
        "w* stands for thousands of words); make prefixes longer, or add words or filters"
    )


class GuardedApp(FastAPI):
    """FastAPI with Guard outside even its error handling, so that a 500 carries the security headers too."""

    allowed_hosts: frozenset[str] = LOOPBACK_NAMES

    def build_middleware_stack(self) -> ASGIApp:
        return Guard(super().build_middleware_stack(), self.allowed_hosts)


def create_app(
    db: str | Path, allowed_hosts: frozenset[str] = LOOPBACK_NAMES, search_seconds: float = SEARCH_SECONDS
) -> FastAPI:
    """The app over the store at `db`, answering requests whose Host is one of `allowed_hosts`; a search
    stops after `search_seconds` of CPU."""
    pool = StorePool(Path(db), search_seconds)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool.columns()  # a serving app starts reading its search columns before the first search
        yield

    app = GuardedApp(
        lifespan=lifespan,
        title="newsdistill",
        description="Clean, attributed, de-duplicated news: search, stories, who said what.",
        docs_url=None,  # FastAPI's pages load their scripts from a CDN and start them inline: ours below
        redoc_url=None,
    )
    app.allowed_hosts = allowed_hosts
    # The templates ship in the package and do not change while it runs: no stat of the file per render
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True, auto_reload=False
    )
    templates = Jinja2Templates(env=environment)
    templates.env.filters["safe_url"] = safe_url
    templates.env.filters["said"] = said
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _error_pages(app, templates)
    _docs_routes(app, templates)
    _api_routes(app, pool)
    _page_routes(app, pool, templates)
    browse_routes(app, pool, templates)
    entity_routes(app, pool, templates)
    return app


API_PATHS = ("/api/", "/openapi")
REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


def docs_assets() -> Path | None:
    """Swagger UI's and ReDoc's scripts and styles, from the fastapi-offline package (no network)."""
    try:
        import fastapi_offline
    except ImportError:
        return None
    folder = Path(fastapi_offline.__file__).resolve().parent / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def _docs_routes(app: FastAPI, templates: Jinja2Templates) -> None:
    """/docs (Swagger UI) and /redoc, from assets inside a package and started by our own static files."""
    assets = docs_assets()
    if assets is not None:
        redoc = (assets / "redoc.standalone.js").read_bytes().replace(REDOC_LOGO, b"/static/favicon.svg")

        @app.get("/docs-assets/redoc.standalone.js", include_in_schema=False)
        async def redoc_script() -> Response:
            """ReDoc, its one link to a CDN (the logo of its footer) pointed at our own icon."""
            return Response(redoc, media_type="text/javascript")

        app.mount("/docs-assets", StaticFiles(directory=str(assets)), name="docs-assets")

    def page(template: str) -> Any:
        async def render(request: Request) -> Response:
            if assets is None:
                raise HTTPException(404, "API pages need the fastapi-offline package; /openapi.json is here")
            return templates.TemplateResponse(request, template, {})

        return render

    app.get("/docs", include_in_schema=False, response_class=HTMLResponse)(page("docs.html"))
    app.get("/redoc", include_in_schema=False, response_class=HTMLResponse)(page("redoc.html"))


def readable(error: RequestValidationError) -> str:
    """'since: Input should be a valid date ...' for each parameter that could not be read."""
    return "; ".join(f"{problem['loc'][-1]}: {problem['msg']}" for problem in error.errors()[:5])


def _error_pages(app: FastAPI, templates: Jinja2Templates) -> None:
    """Errors as JSON under /api, as a page elsewhere; an id that is no id is simply not found."""

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if request.url.path.startswith(API_PATHS):
            return JSONResponse({"detail": error.detail}, error.status_code, headers=error.headers)
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": error.status_code, "detail": error.detail},
            status_code=error.status_code,
            headers=error.headers,
        )

    async def invalid_request(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        if any(problem["loc"][0] == "path" for problem in error.errors()):
            return await http_error(request, StarletteHTTPException(404, "Not Found"))
        if request.url.path.startswith(API_PATHS):
            return await request_validation_exception_handler(request, error)
        return await http_error(request, StarletteHTTPException(422, readable(error)))

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)


# Routes are `async def`, run in the worker's event loop without a thread hop. Search too: its queries
# call back into Python for their CPU budget (StorePool.searching), and from a pool thread each callback
# waited for the GIL behind the loop; on the loop nothing else wants it. Alternated with the thread pool
# it served the same (search page: 388-451 against 403-416 requests/s, 50 connections, 2 workers). The
# budget bounds how long a search holds the loop. The routes whose answer grows with a group or a quote's
# spread (appearances, quotes) stay in the pool.

SEARCH_HELP = (
    'The query language: words (all of them), "a phrase", -word (leave out), kyiv OR kiev, puti* (prefix), '
    "title:word, outlet:name"
)
SortName = Literal["relevance", "newest", "oldest"]
# A form's empty date field is sent as 'since=': no date, not a wrong one.
Day = Annotated[date | None, BeforeValidator(lambda value: value or None)]
FormatName = Literal["json", "csv"]


@dataclass
class SearchForm:
    """The search box and the filters beside it, as query parameters (one dependency for page and API)."""

    q: Annotated[str, Query(max_length=500, description=SEARCH_HELP)] = ""
    outlet: Annotated[
        str, Query(max_length=200, description="only this outlet (its name, or the URL's host)")
    ] = ""
    since: Annotated[Day, Query(description="published on or after this day (YYYY-MM-DD)")] = None
    until: Annotated[Day, Query(description="published on or before this day (YYYY-MM-DD)")] = None
    language: Annotated[str, Query(max_length=20, description="language code, as 'en'")] = ""
    type: Annotated[
        str, Query(max_length=30, description="page type, as 'article' (stores that record them)")
    ] = ""
    sort: Annotated[SortName, Query(description="relevance, newest or oldest first")] = "relevance"

    def request(self, offset: int, limit: int, all_copies: bool = False) -> SearchRequest:
        return SearchRequest(
            text=self.q,
            outlets=[self.outlet] if self.outlet.strip() else [],
            since=self.since.isoformat() if self.since else None,
            until=self.until.isoformat() if self.until else None,
            language=self.language.strip() or None,
            page_type=self.type.strip() or None,
            sort=self.sort,
            offset=offset,
            limit=limit,
            all_copies=all_copies,
        )

    def given(self) -> bool:
        return any((self.q.strip(), self.outlet.strip(), self.since, self.until, self.language, self.type))

    def link(self, **changes: Any) -> str:
        """A link to this search with `changes` (page=2, format='csv'): the parameters that are set."""
        values = {
            "q": self.q,
            "outlet": self.outlet,
            "since": self.since,
            "until": self.until,
            "language": self.language,
            "type": self.type,
            "sort": "" if self.sort == "relevance" else self.sort,
            **changes,
        }
        return "?" + urlencode({k: str(v) for k, v in values.items() if v not in ("", None)})

    def period_link(self) -> Callable[[Period], str]:
        """Links to this search narrowed to a chart's period: the other parameters are encoded once, not
        once for each of a chart's bars (urlencode took a third of a search page's drawing)."""
        rest = self.link(since=None, until=None)
        joiner = "&" if len(rest) > 1 else ""
        return lambda period: f"{rest}{joiner}since={period.start.isoformat()}&until={period.end.isoformat()}"


async def search_form(**values: Any) -> SearchForm:
    """SearchForm as a dependency that runs on the event loop: FastAPI runs a class (any sync callable)
    in its thread pool, one more hand-over per search for a constructor."""
    return SearchForm(**values)


search_form.__signature__ = inspect.signature(SearchForm)  # type: ignore[attr-defined]
SearchParameters = Annotated[SearchForm, Depends(search_form)]


def run_search(pool: StorePool, form: SearchForm, offset: int, limit: int, **options: Any) -> dict[str, Any]:
    """The page of results, or a 400 whose message says what in the query could not be read. Options:
    all_copies, marks, and chart (binned with the results: found["bins"])."""
    request = form.request(offset, limit, options.get("all_copies", False))
    request.chart = options.get("chart")
    with pool.searching() as store:
        return store.search_page(request, options.get("marks", ("[", "]")), pool.columns())


def _api_routes(app: FastAPI, pool: StorePool) -> None:
    @app.get("/api/search")
    async def api_search(
        form: SearchParameters,
        limit: int = Query(20, ge=1, le=200),
        offset: int = Query(0, ge=0, le=SEARCH_WINDOW),
        all_copies: bool = False,
        format: FormatName = "json",
    ) -> Any:
        """Search results, best first: one row per original, its copies counted. The number of results is in
        the X-Total-Count header, and the next and previous pages in the Link header."""
        marks = ("", "") if format == "csv" else ("[", "]")
        found = run_search(pool, form, offset, limit, all_copies=all_copies, marks=marks)
        if format == "csv":
            return download(found["results"], "csv", "search", SEARCH_COLUMNS)
        headers = {"X-Total-Count": str(found["total"])}
        links = _page_links(form, offset, limit, found["total"], "/api/search")
        if links:
            headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
        # Rows of str, int and None: as JSON straight away (FastAPI's jsonable_encoder took 0.5 ms a page)
        return JSONResponse(found["results"], headers=headers)

    _article_api_routes(app, pool)
    _story_api_routes(app, pool)
    _timeline_api_routes(app, pool)


def search_attention(pool: StorePool, form: SearchForm) -> Attention:
    """Matching articles per period and outlet, binned in SQL over the search's matches, or a 400."""
    with pool.searching() as store:
        request, kept = form.request(0, 0), store.kept_appearances
        bins = aggregates.search_periods(store.db, request, kept, SEARCH_WINDOW, CHART_SHAPE, pool.columns())
    return binned_attention(bins, bins.articles >= SEARCH_WINDOW)


def _timeline_api_routes(app: FastAPI, pool: StorePool) -> None:
    @app.get("/api/search/timeline")
    async def api_search_timeline(form: SearchParameters, format: FormatName = "json") -> Any:
        """Matching articles (copies included) per day, week, month or year, chosen from the span, and per
        outlet (the top outlets by name, the rest as one): the numbers of the search page's chart. CSV: one
        row per period and outlet."""
        chart = search_attention(pool, form)
        if format == "csv":
            return download(attention_rows(chart), "csv", "search-timeline", ATTENTION_COLUMNS)
        return JSONResponse(attention_record(chart))


def _article_api_routes(app: FastAPI, pool: StorePool) -> None:
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


def _page_links(form: SearchForm, offset: int, limit: int, total: int, path: str) -> dict[str, str]:
    links = {}
    if offset + limit < min(total, SEARCH_WINDOW):
        links["next"] = path + form.link(offset=offset + limit, limit=limit)
    if offset > 0:
        links["prev"] = path + form.link(offset=max(0, offset - limit), limit=limit)
    return links


def who_said_records(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a fact-checker needs of each statement: who, what, how, when, where; and the quote it belongs
    to with its spread (how many outlets carried it, and where it appeared first)."""
    fields = (
        "speaker",
        "entity_id",
        "content",
        "cue",
        "kind",
        "act",
        "medium",
        "published",
        "article_id",
        "outlet",
        "article",
        "quote_id",
        "outlets",
        "articles",
        "first_seen",
    )
    return [{k: r.get(k) for k in fields} for r in rows]


def _story_api_routes(app: FastAPI, pool: StorePool) -> None:
    @app.get("/api/stories")
    async def api_stories(limit: int = Query(100, ge=1, le=1000)) -> list[dict[str, Any]]:
        return pool.get().stories(limit)

    @app.get("/api/stories/{story_id}")
    async def api_story(
        story_id: Id,
        format: FormatName = "json",
        limit: int = Query(STORY_ARTICLES_SHOWN, ge=1, le=10_000),
        offset: int = Query(0, ge=0, le=10_000_000),
    ) -> Any:
        story = pool.get().story(story_id, limit, offset)
        if story is None:
            raise HTTPException(404, "no such story")
        if format == "csv":
            return download(story["articles"], "csv", f"story-{story_id}")
        return story

    @app.get("/api/who-said")
    async def api_who_said(
        name: str = Query(..., min_length=1, max_length=200),
        limit: int = Query(200, ge=1, le=2000),
        format: FormatName = "json",
        every: bool = Query(False, alias="all", description="every occurrence, not one row per quote"),
        act: str = Query(ACTS_SHOWN, max_length=200, description="comma-separated: " + ", ".join(ACTS)),
    ) -> Any:
        acts = acts_asked(act)
        records = who_said_records(pool.get().who_said(name, limit, every=every, acts=acts))
        return download(records, "csv", "who-said", WHO_SAID_COLUMNS) if format == "csv" else records

    @app.get("/api/quotes/{quote_id}")
    def api_quote(quote_id: Id) -> Any:
        """A quote: its speaker, wordings, first appearance and every article and outlet that carried it."""
        quote = pool.get().quote(quote_id)
        if quote is None:
            return _merged_quote(pool.get(), quote_id, "/api/quotes")
        return quote


# Articles a story page lists (the API gives up to 10,000 at once): the timeline, the list and the outlets'
# appearances of 500 made a 400 KB page that took 130 ms to draw.
STORY_PAGE_ARTICLES = 100


def _merged_quote(store: Store, quote_id: int, prefix: str) -> Response:
    """A quote id that was merged into another quote moves there for good; any other is not found."""
    merged = store.quote_merged_into(quote_id)
    if merged is None:
        raise HTTPException(404, "no such quote")
    return RedirectResponse(f"{prefix}/{merged}", status_code=301)


def _page_routes(app: FastAPI, pool: StorePool, templates: Jinja2Templates) -> None:
    _home_route(app, pool, templates)
    _detail_page_routes(app, pool, templates)


def _home_route(app: FastAPI, pool: StorePool, templates: Jinja2Templates) -> None:
    @app.get("/", response_class=HTMLResponse)
    async def home(
        request: Request,
        form: SearchParameters,
        page: int = Query(1, ge=1, le=SEARCH_WINDOW // PAGE_RESULTS),
    ) -> Response:
        context: dict[str, Any] = {"form": form, "q": form.q}
        if not form.given():  # the story list and counts are the start page's; a search page does without
            context.update(pool.overview())
        else:
            try:
                context.update(_home_results(pool, form, page))
            except HTTPException as error:
                context["error"] = error.detail
                return templates.TemplateResponse(request, "home.html", context, status_code=400)
        return templates.TemplateResponse(request, "home.html", context)


def _home_results(pool: StorePool, form: SearchForm, page: int) -> dict[str, Any]:
    """The start page's part for a search: one page of results with snippets, links to the pages
    around it and to the downloads (a query that cannot be read raises run_search's 400)."""
    marks = search_marks()
    offset = (page - 1) * PAGE_RESULTS
    found = run_search(pool, form, offset, PAGE_RESULTS, marks=marks, chart=CHART_SHAPE)
    for result in found["results"]:
        result["snippet_html"] = snippet_html(result["snippet"], marks)
    links = {
        rel: form.link(page=page + (1 if rel == "next" else -1))
        for rel in _page_links(form, offset, PAGE_RESULTS, found["total"], "")
    }
    chart = binned_attention(found["bins"], found["bins"].articles >= SEARCH_WINDOW)
    return {
        "found": found,
        "page": page,
        "first": offset + 1,
        "links": links,
        "exports": {f: "/api/search" + form.link(format=f, limit=200) for f in FORMATS},
        "timeline_exports": {f: "/api/search/timeline" + form.link(format=f) for f in FORMATS},
        "attention": bar_chart(
            chart,
            form.period_link(),
            "attention",
            f"Matching articles by {chart.unit}",
        ),
    }


def _detail_page_routes(app: FastAPI, pool: StorePool, templates: Jinja2Templates) -> None:
    @app.get("/articles/{article_id}", response_class=HTMLResponse)
    async def article_page(request: Request, article_id: Id) -> Response:
        article = pool.get().article(article_id)
        if article is None:
            raise HTTPException(404, "no such article")
        paragraphs = highlight_paragraphs(article)
        return templates.TemplateResponse(request, "article.html", {"a": article, "paragraphs": paragraphs})

    @app.get("/stories/{story_id}", response_class=HTMLResponse)
    async def story_page(request: Request, story_id: Id, page: int = Query(1, ge=1, le=100_000)) -> Response:
        story = pool.get().story(story_id, STORY_PAGE_ARTICLES, (page - 1) * STORY_PAGE_ARTICLES)
        if story is None or (page > 1 and not story["articles"]):
            raise HTTPException(404, "no such story" if story is None else "no such page of this story")
        context = {"story": story, **story_panels(pool.get(), story)}
        return templates.TemplateResponse(request, "story.html", context)

    @app.get("/quotes/{quote_id}", response_class=HTMLResponse)
    def quote_page(request: Request, quote_id: Id) -> Response:
        quote = pool.get().quote(quote_id)
        if quote is None:
            return _merged_quote(pool.get(), quote_id, "/quotes")
        return templates.TemplateResponse(request, "quote.html", {"q": quote})
