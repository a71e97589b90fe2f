"""A story view lists a page of its articles while its counts and date span cover them all: a story of
thousands of copies must stay one cheap page (a 100,000-article story took 5 s of CPU to show)."""

from __future__ import annotations

from pathlib import Path

from newsdistill.corpus.store import Store
from newsdistill.model import Article

BODY = " ".join(
    f"Leaders of the two countries met in Geneva on day {i} for talks on arms control and trade, "
    f"officials said, adding that a second round of {i + 3} meetings would follow."
    for i in range(6)
)


def _story_store(tmp_path: Path) -> tuple[Store, int]:
    store = Store(tmp_path / "corpus.db")
    outlets = ["Wire", "Daily", "Herald", "Post", "Times"]
    for n, outlet in enumerate(outlets):
        published = f"2024-03-0{n + 1}" if n != 2 else None
        article = Article(
            title=f"Summit {n}", text=BODY + f" Edition {n}.", outlet=outlet, published=published
        )
        with store.transaction():
            store.add(f"p{n}", f"p{n}", article)
    story_ids = {r[0] for r in store.db.execute("SELECT story_id FROM articles")}
    assert len(story_ids) == 1
    return store, story_ids.pop()


def test_a_page_of_articles_with_counts_over_the_whole_story(tmp_path: Path) -> None:
    store, story_id = _story_store(tmp_path)
    page = store.story(story_id, limit=2)
    assert page is not None
    assert [a["title"] for a in page["articles"]] == ["Summit 0", "Summit 1"]
    assert page["article_count"] == 5 and page["outlet_count"] == 5
    assert page["republications"] == 4  # near copies of the first
    assert (page["first_published"], page["last_published"]) == ("2024-03-01", "2024-03-05")
    assert page["first_outlet"] == "Wire"
    assert {a["article_id"] for a in page["appearances"]} == {a["id"] for a in page["articles"]}


def test_later_pages_end_with_the_undated(tmp_path: Path) -> None:
    store, story_id = _story_store(tmp_path)
    page = store.story(story_id, limit=2, offset=3)
    assert page is not None
    assert [a["title"] for a in page["articles"]] == ["Summit 4", "Summit 2"]
    assert page["article_count"] == 5


def test_story_pages_of_a_large_story_link_to_each_other(tmp_path: Path) -> None:
    """Over a real server: a story of 103 articles is shown 100 at a time, with links both ways."""
    import httpx

    from newsdistill.web.app import STORY_PAGE_ARTICLES, create_app
    from tests.web.conftest import serving

    store = Store(tmp_path / "corpus.db")
    with store.transaction():
        for n in range(STORY_PAGE_ARTICLES + 3):
            day = f"2024-03-{1 + n // 40:02d}"
            store.add(
                f"p{n}", f"p{n}", Article(title=f"Summit {n}", text=BODY + f" Edition {n}.", published=day)
            )
    (story_id,) = {r[0] for r in store.db.execute("SELECT story_id FROM articles")}
    store.close()
    with serving(create_app(tmp_path / "corpus.db")) as base:
        first = httpx.get(f"{base}/stories/{story_id}").text
        assert f"Articles 1–{STORY_PAGE_ARTICLES} of {STORY_PAGE_ARTICLES + 3}" in first
        assert f'href="/stories/{story_id}?page=2">Later' in first and 'rel="prev"' not in first
        second = httpx.get(f"{base}/stories/{story_id}?page=2").text
        assert f"Articles {STORY_PAGE_ARTICLES + 1}–{STORY_PAGE_ARTICLES + 3} of" in second
        assert 'rel="next"' not in second and f'href="/stories/{story_id}?page=1">Earlier' in second
        assert httpx.get(f"{base}/stories/{story_id}?page=3").status_code == 404
        assert httpx.get(f"{base}/stories/{story_id}?page=0").status_code in (400, 422)


def test_every_near_copy_joins_its_originals_story(tmp_path: Path) -> None:
    """Sixty reposts of one wire text, days apart: one story (the join model's size feature had started a
    new story every few dozen copies), and an earlier-dated copy arriving last joins it too."""
    store = Store(tmp_path / "corpus.db")
    for n in range(60):
        article = Article(
            title=f"Summit {n}", text=BODY + f" Edition {n}.", published=f"2024-03-{2 + n // 20:02d}"
        )
        with store.transaction():
            store.add(f"p{n}", f"p{n}", article)
    early = Article(title="Summit, first", text=BODY + " First edition.", published="2024-03-01")
    with store.transaction():
        store.add("early", "early", early)
    rows = store.db.execute("SELECT story_id, duplicate_of FROM articles").fetchall()
    assert len({r["story_id"] for r in rows}) == 1
    assert sum(r["duplicate_of"] is None for r in rows) == 1  # the earliest is the original of all
    assert store.db.execute("SELECT size FROM stories").fetchone()[0] == 61
