"""What articles call a person (issue 15: "no descriptors ('US Secretary of State')"): kept per article in
a real store, listed with article counts on the entity page and beside each name on a disambiguation page."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from newsdistill.corpus.ingest import ingest
from newsdistill.web.app import create_app

from ..corpus.conftest import html_page
from .conftest import serving

TALKS = [
    "Diplomats met in Geneva on Monday for a third round of talks on the grain corridor and prisoners.",
    "“We are closer than we were a month ago,” US Secretary of State Antony Blinken said after the meeting.",
    "The next round is planned for early summer, officials said, though no date has been agreed yet.",
]
VISIT = [
    "The delegation arrived in Warsaw late on Thursday for two days of meetings with ministers.",
    "“Our support will not waver,” said US Secretary of State Antony Blinken at a press conference.",
    "He is due to travel on to Vilnius, where a summit of the alliance opens at the weekend.",
]
HEARING = [
    "A committee of the House questioned officials for four hours about the withdrawal last year.",
    "“Mistakes were made, and we have learned from them,” said Antony Blinken, the secretary of state.",
    "Members of both parties pressed for the documents the department has not yet handed over.",
]
OTHER_BLINKEN = [
    "The local bakery won a regional prize for its rye bread, its third award in five years.",
    "“We bake every loaf by hand before dawn,” said Maria Blinken, the owner of the bakery.",
    "The prize comes with a grant that the family plans to spend on a second oven this year.",
]


@pytest.fixture(scope="module")
def described(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("descriptor_pages")
    pages = {"talks": TALKS, "visit": VISIT, "hearing": HEARING, "bakery": OTHER_BLINKEN}
    for number, (name, paragraphs) in enumerate(pages.items(), start=1):
        page = html_page(name.title(), paragraphs, "World Desk", date=f"2024-05-0{number}")
        (folder / f"{name}.html").write_text(page, "utf-8")
    db = tmp_path_factory.mktemp("descriptor_db") / "corpus.db"
    assert ingest([str(folder)], db).stored == 4
    return db


@pytest.fixture(scope="module")
def server(described: Path) -> Iterator[str]:
    with serving(create_app(described)) as base:
        yield base


def test_descriptors_are_stored_per_article(described: Path) -> None:
    with sqlite3.connect(described) as db:
        rows = db.execute(
            "SELECT e.name, d.descriptor, count(*) FROM entity_descriptors d JOIN entities e "
            "ON e.id = d.entity_id GROUP BY e.name, d.descriptor ORDER BY e.name, d.descriptor"
        ).fetchall()
    assert ("Antony Blinken", "US Secretary of State", 2) in rows
    assert ("Antony Blinken", "secretary of state", 1) in rows  # 'the' dropped from the apposition
    assert ("Maria Blinken", "owner of the bakery", 1) in rows


def test_entity_page_shows_descriptors_with_article_counts(server: str) -> None:
    people = httpx.get(server + "/api/entities", params={"name": "Antony Blinken"}).json()
    assert len(people) == 1
    blinken = people[0]
    # each counted once per article, the one most articles use first
    assert blinken["descriptors"] == [
        {"text": "US Secretary of State", "articles": 2},
        {"text": "secretary of state", "articles": 1},
    ]
    page = httpx.get(f"{server}/entities/{blinken['id']}").text
    assert "3 statements in 3 articles" in page
    assert 'US Secretary of State <span class="count">(2 articles)</span>' in page


def test_disambiguation_names_each_person_with_a_descriptor(server: str) -> None:
    page = httpx.get(server + "/entities", params={"name": "Blinken"}).text
    assert "Antony Blinken</a>, US Secretary of State" in page
    assert "Maria Blinken</a>, owner of the bakery" in page
