"""Entity pages keep people apart: a surname two people share gives a page that tells them apart, each
person has a page with counts, and a speaker named in an article's highlights links to that page."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from newsdistill.corpus.ingest import ingest
from newsdistill.web.app import create_app

from ..corpus.conftest import html_page
from .conftest import serving

VALERIE = [
    "The school board approved the new budget on Tuesday after a long debate about teacher salaries.",
    "“We owe our teachers a fair wage,” said Valerie Smith, the chair of the school board, after the vote.",
    "The budget adds money for two new classrooms and a reading programme for younger pupils next year.",
]
CAITLYN = [
    "The country singer announced a new tour of small venues across the northern states this autumn.",
    "“I missed playing in little rooms where I can see every face,” said Caitlyn Smith in an interview.",
    "Tickets go on sale next week, and the first concert is planned for a theatre in her home town.",
]


@pytest.fixture(scope="module")
def smiths(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("smith_pages")
    (folder / "board.html").write_text(html_page("School budget passes", VALERIE, "Town Herald"), "utf-8")
    (folder / "singer.html").write_text(html_page("Singer plans tour", CAITLYN, "Music Daily"), "utf-8")
    db = tmp_path_factory.mktemp("smith_db") / "corpus.db"
    assert ingest([str(folder)], db).stored == 2
    with serving(create_app(db)) as base:
        yield base


def test_a_shared_surname_asks_which_person(smiths: str) -> None:
    page = httpx.get(smiths + "/entities", params={"name": "Smith"}).text
    assert "Smith: 2 people and organisations" in page
    assert "Valerie Smith" in page and "Caitlyn Smith" in page
    assert "fair wage" not in page and "little rooms" not in page  # no merged list of two people's words
    people = httpx.get(smiths + "/api/entities", params={"name": "Smith"}).json()
    assert sorted(p["name"] for p in people) == ["Caitlyn Smith", "Valerie Smith"]
    assert all(p["statements"] == 1 and p["articles"] == 1 for p in people)


def test_one_page_per_person_with_counts(smiths: str) -> None:
    people = {
        p["name"]: p["id"] for p in httpx.get(smiths + "/api/entities", params={"name": "Smith"}).json()
    }
    page = httpx.get(f"{smiths}/entities/{people['Valerie Smith']}").text
    assert "What Valerie Smith said" in page and "1 statement in 1 article" in page
    assert "fair wage" in page and "little rooms" not in page
    by_name = httpx.get(smiths + "/entities", params={"name": "Valerie Smith"}).text
    assert "fair wage" in by_name and "little rooms" not in by_name
    assert httpx.get(f"{smiths}/entities/999999").status_code == 404
    assert httpx.get(f"{smiths}/entities/abc").status_code == 404


def test_speakers_in_the_highlights_are_links(smiths: str) -> None:
    hit = httpx.get(smiths + "/api/search", params={"q": "teachers"}).json()[0]
    page = httpx.get(f"{smiths}/articles/{hit['id']}").text
    assert '<sup class="who"><a href="/entities?name=Valerie%20Smith">Valerie Smith</a></sup>' in page
