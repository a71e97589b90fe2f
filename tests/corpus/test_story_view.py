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
        article = Article(title=f"Summit {n}", text=BODY + f" Edition {n}.", outlet=outlet, published=published)
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
