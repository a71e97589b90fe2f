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
