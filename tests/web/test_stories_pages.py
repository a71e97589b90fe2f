"""The start page and /stories read as news: stories by their latest article's date with outlets and
span; a story page is a timeline with undated articles last, the first outlet named, and a title."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from newsdistill.web import browse
from newsdistill.web.app import create_app

from .conftest import serving


@pytest.fixture(scope="module")
def edited(corpus_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    """The web corpus with the bridge story untitled and its copy undated, the festival story the latest
    news, and the orchestra page a product page: a server over it, and the story ids by name."""
    db = tmp_path_factory.mktemp("stories") / "corpus.db"
    shutil.copy(corpus_db, db)
    with sqlite3.connect(db) as connection:
        ids = dict(
            connection.execute(
                "SELECT CASE WHEN title LIKE 'Harbour%' THEN 'bridge' WHEN title LIKE 'Festival%' "
                "THEN 'festival' ELSE 'orchestra' END, story_id FROM articles WHERE duplicate_of IS NULL"
            ).fetchall()
        )
        connection.execute("UPDATE stories SET title = NULL WHERE id = ?", (ids["bridge"],))
        connection.execute("UPDATE articles SET published = NULL WHERE duplicate_of IS NOT NULL")
        connection.execute(
            "UPDATE stories SET last_published = '2024-06-01' WHERE id = ?", (ids["festival"],)
        )
        connection.execute(
            "UPDATE stories SET last_published = '2024-01-01' WHERE id = ?", (ids["orchestra"],)
        )
        connection.execute("UPDATE articles SET page_type = 'article'")
        connection.execute(
            "UPDATE articles SET page_type = 'product' WHERE story_id = ?", (ids["orchestra"],)
        )
    with serving(create_app(db)) as base:
        yield base, ids


def test_home_lists_the_latest_news_first_with_outlets_and_dates(edited: tuple[str, dict[str, int]]) -> None:
    base, ids = edited
    home = httpx.get(base + "/").text.split('class="stories"')[1]
    order = [home.index(f'href="/stories/{ids[name]}"') for name in ("festival", "bridge")]
    assert order == sorted(order)
    assert f'href="/stories/{ids["orchestra"]}"' not in home  # not news: a product page
    assert "City Times" in home and "<time>2024-05-06</time>" in home and "(untitled" not in home


def test_stories_page_lists_every_story_with_paging(
    edited: tuple[str, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, ids = edited
    monkeypatch.setattr(browse, "STORIES_PER_PAGE", 1)
    first = httpx.get(base + "/stories")
    assert first.status_code == 200 and "Stories 1–1 of 2" in first.text
    assert 'rel="next" href="?page=2"' in first.text and 'rel="prev"' not in first.text
    second = httpx.get(base + "/stories", params={"page": 2}).text
    assert "Stories 2–2 of 2" in second and f'href="/stories/{ids["bridge"]}"' in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert httpx.get(base + "/stories", params={"page": 0}).status_code == 422


def test_story_page_timeline_puts_undated_last_and_names_the_first_outlet(
    edited: tuple[str, dict[str, int]],
) -> None:
    base, ids = edited
    story = httpx.get(f"{base}/api/stories/{ids['bridge']}").json()
    assert story["title"].startswith("Harbour bridge closed")  # from its titled member
    assert [a["published"] is None for a in story["articles"]] == [False, True]
    assert story["first_outlet"] == "City Times" and story["first_published"].startswith("2024-05-06")
    page = httpx.get(f"{base}/stories/{ids['bridge']}").text
    assert "(untitled story)" not in page and "First published by <strong>City Times</strong>" in page
    timeline = page.split('class="timeline"')[1]
    assert timeline.index("2024-05-06") < timeline.index("undated")
    csv = httpx.get(f"{base}/api/stories/{ids['bridge']}", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.startswith("id,title,outlet")
