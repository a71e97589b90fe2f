"""The designed pages in a real headless Chromium at 390 px and 1280 px, over a store of real articles:
home, search, story and entity pages carry their SVG charts with as many bars or points as their data
(read from the JSON API), fit the width, and log no console error and no CSP violation. A screenshot of
each is saved under the test's temporary folder (printed with -s).

The store: every AEB page, every WCXB-dev page (all seven page types) and the seed: 1,679 real pages, of
which 1,645 are stored (the rest have no article text or are over the size limit). Built once per run, in
about 12 minutes on two cores. To use a store built before, set NEWSDISTILL_DESIGN_STORE to its path."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsdistill.corpus.appearances import usable_date
from newsdistill.corpus.ingest import ingest
from newsdistill.web.app import create_app

from ..conftest import shared_path
from .conftest import serving

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.browser
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 900)}
# Before any page script: every CSP violation the page reports, kept where the test can read it.
CSP_WATCH = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective));"
)


def real_pages(folder: Path) -> Path:
    """Links to the real pages of the store, in one folder."""
    aeb = sorted(shared_path("data", "aeb", "html").glob("*.html.gz"))
    wcxb = sorted(shared_path("data", "wcxb-dev", "dev", "html").glob("*.html.gz"))
    sources = [*aeb, *wcxb, shared_path("seed", "000_654be0a9bebca5c9.txt")]
    for source in sources:
        (folder / f"{source.parent.parent.name}-{source.name}").symlink_to(source)
    return folder


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("NEWSDISTILL_DESIGN_STORE")
    if given:
        return Path(given)
    folder = real_pages(tmp_path_factory.mktemp("real_pages"))
    db = tmp_path_factory.mktemp("real_store") / "corpus.db"
    # 2,700 real pages: the fast attribution model builds the same kind of store as the default in about
    # a third of the time (these tests read the pages' design, not which attribution model drew them).
    summary = ingest([str(folder)], db, attribution="fast")
    assert summary.stored > 1500
    return db


@pytest.fixture(scope="module")
def real_server(real_store: Path) -> Iterator[str]:
    with serving(create_app(real_store)) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("design_screenshots")
    print(f"screenshots: {folder}")
    return folder


def visit(browser: Any, url: str, size: tuple[int, int], shot: Path) -> Any:
    """The page at `url` in a fresh tab of that size, checked for console errors, CSP violations and
    horizontal overflow, and saved as a screenshot; the tab is returned open."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("load")
    page.screenshot(path=str(shot), full_page=True)
    assert page.evaluate("window.__csp") == [], url
    assert [p for p in problems if "favicon" not in p] == [], url
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{url} is {overflow} px wider than a {size[0]} px screen"
    assert page.locator("nav.site-nav a").all_inner_texts()[:3] == ["Search", "Stories", "People"]
    return page


def bars_of(record: dict[str, Any]) -> list[str]:
    return [p["start"] for p in record["periods"] if p["total"]]


def check_bars(page: Any, record: dict[str, Any]) -> None:
    """The page's attention chart: one link per period with articles, as the JSON lists them."""
    assert page.locator("svg.bars").count() == 1
    assert page.locator("svg.bars > title").count() == 1 and page.locator("svg.bars > desc").count() == 1
    starts = page.locator("svg.bars a.bar").evaluate_all("bars => bars.map(b => b.dataset.start)")
    assert starts == bars_of(record) and starts
    assert page.locator("figure.attention .visually-hidden tbody tr").count() == len(starts)
    box = page.locator("svg.bars").bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 150


@pytest.mark.parametrize("view", VIEWPORTS)
def test_home_page_cards_and_store_chart(browser: Any, real_server: str, shots: Path, view: str) -> None:
    page = visit(browser, real_server + "/", VIEWPORTS[view], shots / f"home-{view}.png")
    check_bars(page, httpx.get(real_server + "/api/search/timeline").json())
    cards = page.locator("ul.stories li.card")
    assert cards.count() >= 5
    assert (
        cards.nth(0).locator("a.card-title").count() == 1 and cards.nth(0).locator(".card-meta").count() == 1
    )
    assert page.locator("ul.stories .card-speakers a").count() >= 1  # top speakers on some card
    page.context.close()


@pytest.mark.parametrize("view", VIEWPORTS)
def test_search_page_chart_and_a_bar_narrows_the_results(
    browser: Any, real_server: str, shots: Path, view: str
) -> None:
    page = visit(browser, real_server + "/?q=said", VIEWPORTS[view], shots / f"search-{view}.png")
    record = httpx.get(real_server + "/api/search/timeline", params={"q": "said"}).json()
    check_bars(page, record)
    first = next(p for p in record["periods"] if p["total"])
    page.locator("svg.bars a.bar").first.click()
    page.wait_for_selector("#result-count")
    assert f"since={first['start']}" in page.url and f"until={first['end']}" in page.url
    assert page.locator("ol.results li").count() >= 1
    page.context.close()


@pytest.mark.parametrize("view", VIEWPORTS)
def test_story_page_timeline_points_and_speakers(
    browser: Any, real_server: str, shots: Path, view: str
) -> None:
    stories = httpx.get(real_server + "/api/stories", params={"limit": 1000}).json()
    largest = max(stories, key=lambda s: (len(s["articles"]), -s["id"]))
    story = httpx.get(f"{real_server}/api/stories/{largest['id']}").json()
    appearances = story["appearances"] or story["articles"]
    dated = [a for a in appearances if usable_date(a["published"])]
    page = visit(
        browser, f"{real_server}/stories/{largest['id']}", VIEWPORTS[view], shots / f"story-{view}.png"
    )
    if dated:
        assert page.locator("svg.story-timeline a.point").count() == len(dated)
        assert page.locator("svg.story-timeline a.point.original").count() >= 1
    else:
        assert page.locator("svg.story-timeline").count() == 0 and page.locator(".chart-empty").count() == 1
    assert page.locator("section.undated li").count() == len(appearances) - len(dated)
    assert page.locator("table.speakers, section.speakers-panel .empty").count() == 1
    page.context.close()


@pytest.mark.parametrize("view", VIEWPORTS)
def test_entity_page_chart_and_speakers_beside(
    browser: Any, real_server: str, shots: Path, view: str
) -> None:
    people = visit(browser, real_server + "/people", VIEWPORTS[view], shots / f"people-{view}.png")
    href = people.locator("ol.people a").first.get_attribute("href")
    people.context.close()
    assert href and href.startswith("/entities/")
    page = visit(browser, real_server + href, VIEWPORTS[view], shots / f"entity-{view}.png")
    check_bars(page, httpx.get(f"{real_server}/api{href}/timeline").json())
    beside = page.locator("section.beside ol.beside-list a")
    for link in beside.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert link.startswith("/entities/")
    page.context.close()


def test_empty_states_read_as_sentences(browser: Any, real_server: str, shots: Path) -> None:
    page = visit(browser, real_server + "/?q=zzqqxxnothing", VIEWPORTS["phone"], shots / "no-results.png")
    assert page.locator("#no-results").is_visible() and page.locator("svg").count() == 0
    page.context.close()
