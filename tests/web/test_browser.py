"""The web UI in a real headless chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    if not shutil.which("chromium") and not __import__("os").path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        tab = browser.new_page()
        yield tab
        browser.close()


def test_search_open_article_and_toggle_removed_blocks(page: Any, server: str) -> None:
    page.goto(server + "/")
    page.fill("input[name=q]", "bridge cracks")
    page.click("form[role=search] button")
    page.wait_for_selector("a.result")
    page.click("a.result >> nth=0")
    page.wait_for_selector("article h1")
    assert "Harbour bridge closed" in page.inner_text("article h1")
    assert page.locator("mark.said").count() >= 1
    removed = page.locator("details#removed ol.removed")
    assert not removed.is_visible()
    page.click("details#removed summary")
    assert removed.is_visible()
    assert "navigation" in removed.inner_text()


def test_hostile_page_script_does_not_run(page: Any, server: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(server + "/?q=" + "crowd peaceful")
    page.click("a.result >> text=Festival")
    page.wait_for_selector("article h1")
    assert page.evaluate("window.__xss") is None
    assert page.title() != "pwned"
    assert "<script>window.__xss=1</script>" in page.inner_text("article h1")  # shown as text, not run
    assert dialogs == []
    page.goto(server + "/entities?name=" + "%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E")
    assert page.evaluate("window.__xss") is None


def test_hostile_title_on_story_and_home_pages_stays_text(page: Any, server: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(server + "/")
    assert page.evaluate("window.__xss") is None
    page.click("ul.stories a >> text=Festival")
    page.wait_for_selector("ol.timeline")
    assert "<script>" in page.inner_text("h1")
    assert page.evaluate("window.__xss") is None and page.title() != "pwned"
    assert dialogs == []


@pytest.fixture
def watched(page: Any) -> Iterator[tuple[Any, list[str]]]:
    """The tab, and every console error and uncaught exception it shows (a CSP violation is a console
    error): a test fails on any."""
    problems: list[str] = []

    def on_console(message: Any) -> None:
        if message.type in ("error", "warning") and "favicon" not in message.text:
            problems.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    yield page, problems
    page.remove_listener("console", on_console)


def test_api_docs_list_the_operations_offline_under_the_csp(
    watched: tuple[Any, list[str]], server: str
) -> None:
    pytest.importorskip("fastapi_offline", reason="the API pages' assets come from fastapi-offline")
    page, problems = watched
    page.goto(server + "/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/search" in path for path in paths) and any("/api/who-said" in path for path in paths)
    page.goto(server + "/redoc")
    page.wait_for_selector("[data-section-id]", timeout=15_000)
    assert "/api/search" in page.inner_text("body")
    assert problems == []


def test_every_page_kind_loads_without_console_errors(watched: tuple[Any, list[str]], server: str) -> None:
    page, problems = watched
    page.goto(server + "/")
    page.click("ul.stories a >> nth=0")
    page.wait_for_selector("ol.timeline")
    page.goto(server + "/?q=bridge")
    page.click("a.result >> nth=0")
    page.wait_for_selector("article h1")
    page.goto(server + "/entities?name=Helen%20Ortiz")
    page.wait_for_selector("h1")
    page.click("ol.said-list a >> nth=0")  # from a statement to its article, and its speaker's link back
    page.click("sup.who a >> nth=0")
    assert "Helen Ortiz" in page.inner_text("h1")
    page.goto(server + "/stories")
    page.wait_for_selector("#story-count")
    page.goto(server + "/articles/999999")
    assert "404" in page.inner_text("h1")
    problems[:] = [p for p in problems if "404" not in p]  # the browser logs the 404 status itself
    assert problems == []


def test_search_with_filters_and_paging(watched: tuple[Any, list[str]], base: str) -> None:
    page, problems = watched
    page.goto(base + "/?q=harvest")
    page.select_option("form.filters select[name=sort]", "newest")
    page.fill("form.filters input[name=outlet]", "Farm News")
    page.click("form.filters button")
    page.wait_for_selector("#result-count")
    assert "Results 1–20 of 25" in page.inner_text("#result-count")
    page.click("a[rel=next]")
    page.wait_for_selector("a[rel=prev]")
    assert "Results 21–25 of 25" in page.inner_text("#result-count")
    assert page.locator("ol.results time").count() == 5
    assert "sort=newest" in page.url and "outlet=Farm+News" in page.url
    assert problems == []
