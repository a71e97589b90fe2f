"""The counts behind the charts and panels (corpus/aggregates.py) on a store ingested from pages written
here: a story of two outlets where Helen Ortiz and Rosa Diaz are quoted, one statement carried by both."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from newsdistill.corpus import aggregates
from newsdistill.corpus.ingest import ingest
from newsdistill.web.app import create_app

from ..corpus.conftest import BRIDGE, html_page
from .conftest import serving

DIAZ = [
    "Council member Rosa Diaz wrote in a letter to residents that the repairs would be paid from the "
    "reserve fund.",
    "Rosa Diaz said the council would meet again next week to choose a contractor for the repairs.",
]
COSTS = [
    BRIDGE[0],
    BRIDGE[1],
    "Shop owners counted the cost of the closure on the harbour bridge over the weekend and said it "
    "was large.",
    DIAZ[1],
]


@pytest.fixture(scope="module")
def quoted_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("quoted_pages")
    (folder / "a.html").write_text(
        html_page("Harbour bridge closed", BRIDGE + DIAZ, "City Times"), encoding="utf-8"
    )
    (folder / "b.html").write_text(
        html_page("Bridge closure costs", COSTS, "Evening Post", date="2024-05-07"), encoding="utf-8"
    )
    db = tmp_path_factory.mktemp("quoted_db") / "corpus.db"
    assert ingest([str(folder)], db).stored == 2
    return db


@pytest.fixture(scope="module")
def db(quoted_db: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{quoted_db}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    yield connection
    connection.close()


def entity(db: sqlite3.Connection, name: str) -> int:
    return int(db.execute("SELECT id FROM entities WHERE name = ?", (name,)).fetchone()[0])


def test_story_speakers_count_each_statement_once_split_by_act(db: sqlite3.Connection) -> None:
    story = int(db.execute("SELECT story_id FROM articles LIMIT 1").fetchone()[0])
    assert db.execute("SELECT count(DISTINCT story_id) FROM articles").fetchone()[0] == 1
    members = [r[0] for r in db.execute("SELECT id FROM articles WHERE story_id = ?", (story,))]
    speakers = {s["name"]: (s["statements"], s["acts"]) for s in aggregates.story_speakers(db, members, True)}
    # 'Engineers warned' and 'shop owners said' name no one; Ortiz's one statement is carried by both outlets
    assert speakers == {"Rosa Diaz": (2, {"speech": 1, "writing": 1}), "Helen Ortiz": (1, {"speech": 1})}
    plan = " ".join(
        str(r[3])
        for r in db.execute("EXPLAIN QUERY PLAN SELECT entity_id FROM attributions WHERE article_id = 1")
    )
    # a story's statements and their speakers are read from an index, not by a scan nor from the rows
    assert "COVERING INDEX attributions_article_speaker" in plan


def test_speakers_quoted_beside_each_other_and_on_the_cards(db: sqlite3.Connection) -> None:
    ortiz, diaz = entity(db, "Helen Ortiz"), entity(db, "Rosa Diaz")
    assert [(b["name"], b["stories"]) for b in aggregates.quoted_beside(db, ortiz)] == [("Rosa Diaz", 1)]
    assert [(b["id"], b["stories"]) for b in aggregates.quoted_beside(db, diaz)] == [(ortiz, 1)]
    story = int(db.execute("SELECT story_id FROM articles LIMIT 1").fetchone()[0])
    assert [p["name"] for p in aggregates.top_speakers(db, [story])[story]] == ["Rosa Diaz", "Helen Ortiz"]
    assert [p["name"] for p in aggregates.most_quoted(db, 10)][:2] == ["Rosa Diaz", "Helen Ortiz"]
    assert sorted(aggregates.entity_days(db, ortiz)) == [
        ("2024-05-06", "City Times", 1),
        ("2024-05-07", "Evening Post", 1),
    ]


def test_pages_show_the_speakers_and_who_is_quoted_beside(quoted_db: Path, db: sqlite3.Connection) -> None:
    story = int(db.execute("SELECT story_id FROM articles LIMIT 1").fetchone()[0])
    ortiz, diaz = entity(db, "Helen Ortiz"), entity(db, "Rosa Diaz")
    with serving(create_app(quoted_db)) as base:
        page = httpx.get(f"{base}/stories/{story}").text
        speakers = page.split("Who is quoted")[1].split("</table>")[0]
        assert f'href="/entities/{diaz}"' in speakers and "writing 1" in speakers and "speech 1" in speakers
        assert page.count('<a class="point original"') == 2  # two articles, each its own group
        ortiz_page = httpx.get(f"{base}/entities/{ortiz}").text
        beside = ortiz_page.split("Quoted in the same stories")[1].split("</section>")[0]
        assert f'href="/entities/{diaz}"' in beside and "1 story" in beside
        home = httpx.get(base + "/").text
        assert f'<a href="/entities/{diaz}">Rosa Diaz</a>' in home.split('class="stories"')[1]
        people = httpx.get(base + "/people").text
        assert people.index("Rosa Diaz") < people.index("Helen Ortiz")
