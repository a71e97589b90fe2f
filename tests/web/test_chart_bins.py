"""The attention chart binned by period in SQL (aggregates.search_periods, charts.binned_attention) is the
chart that charts.attention draws from every (day, outlet) row: same unit, periods, outlets and undated
count, over a real SQLite store."""

from __future__ import annotations

import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from newsdistill.corpus import aggregates
from newsdistill.corpus.search import SearchRequest, find
from newsdistill.corpus.store import Store
from newsdistill.model import Article
from newsdistill.web.charts import CHART_SHAPE, attention, attention_record, binned_attention

WINDOW = 20_000


def stored(folder: Path, places: list[tuple[str | None, str | None]]) -> sqlite3.Connection:
    """A store with one article per (outlet, published), every one holding the word 'harvest'."""
    db = folder / "corpus.db"
    store = Store(db)
    with store.transaction():
        for number, (outlet, published) in enumerate(places):
            text = f"Harvest report {number}: the valley {number} brought in pears and apples."
            article = Article(title=f"Report {number}", text=text, outlet=outlet, published=published)
            store.add(f"a{number}", f"a{number}", article)
    store.close()
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    return connection


def both(db: sqlite3.Connection, request: SearchRequest) -> tuple[dict[str, object], dict[str, object]]:
    """The chart's record binned in SQL, and the one binned in Python from (day, outlet) rows."""
    bins = aggregates.search_periods(db, request, True, WINDOW, CHART_SHAPE)
    rows, capped = aggregates.search_days(db, request, True, WINDOW)
    return attention_record(binned_attention(bins, capped)), attention_record(attention(rows, capped))


def test_weeks_across_a_year_boundary_start_on_monday(tmp_path: Path) -> None:
    # Sunday 31 December 2023 is in the week of Monday 25 December; Monday 1 January 2024 starts one.
    days = ["2023-11-20", "2023-12-24", "2023-12-25", "2023-12-31", "2024-01-01", "2024-01-07", "2024-02-20"]
    db = stored(tmp_path, [("Farm News", day) for day in days])
    in_sql, in_python = both(db, SearchRequest(text="harvest"))
    assert in_sql == in_python and in_sql["unit"] == "week"
    periods = {p["start"]: p["total"] for p in in_sql["periods"]}  # type: ignore[attr-defined,index]
    assert periods["2023-12-18"] == 1 and periods["2023-12-25"] == 2 and periods["2024-01-01"] == 2
    assert in_sql["periods"][0]["start"] == "2023-11-20"  # type: ignore[index]
    assert in_sql["periods"][-1]["end"] == "2024-02-25"  # type: ignore[index]


def test_undated_unknown_outlets_and_the_rest_as_one_band(tmp_path: Path) -> None:
    future = (date.today() + timedelta(days=30)).isoformat()
    places = [
        *[(f"Outlet {k}", f"2024-0{1 + k % 9}-1{k % 10}") for k in range(12)],
        *[("Outlet 1", "2024-03-03T10:00:00Z")] * 3,
        (None, "2024-05-05"),
        (None, "2024-05-06"),
        ("Outlet 2", None),
        ("Outlet 3", "1985-01-01"),  # an archive stamp: undated
        ("Outlet 3", future),  # in the future: undated
        ("Outlet 4", "2024-02-30"),  # no such day: undated
    ]
    db = stored(tmp_path, places)
    in_sql, in_python = both(db, SearchRequest(text="harvest"))
    assert in_sql == in_python
    assert in_sql["undated"] == 4 and in_sql["unit"] == "week" and in_sql["total"] == len(places)
    assert in_sql["outlets"][-1] == "(other outlets)" and in_sql["outlets"][0] == "Outlet 1"  # type: ignore[index]


@pytest.mark.parametrize("span_days", [0, 45, 59, 60, 400, 420, 1900, 4000])
def test_random_stores_bin_as_the_python_chart_does(tmp_path: Path, span_days: int) -> None:
    """Spans around each unit's limit (60 days, 60 weeks, 60 months), random outlets and days."""
    rng = random.Random(span_days)
    first = date(2019, 12, 28)
    places = [
        (
            rng.choice([None, "A", "B", "C", "D", "E", "F"]),
            (first + timedelta(rng.randint(0, span_days))).isoformat(),
        )
        for _ in range(150)
    ]
    places += [("A", first.isoformat()), ("B", (first + timedelta(span_days)).isoformat())]
    db = stored(tmp_path, places)
    for request in (SearchRequest(text="harvest"), SearchRequest(text="harvest", outlets=["b"])):
        in_sql, in_python = both(db, request)
        assert in_sql == in_python


def test_nothing_dated_and_nothing_found(tmp_path: Path) -> None:
    db = stored(tmp_path, [("A", None), ("B", "not a date")])
    assert both(db, SearchRequest(text="harvest"))[0] == both(db, SearchRequest(text="harvest"))[1]
    assert both(db, SearchRequest(text="harvest"))[0]["undated"] == 2
    empty = both(db, SearchRequest(text="zzzqqq"))
    assert empty[0] == empty[1] and empty[0]["total"] == 0


@pytest.fixture(scope="module")
def grouped_db(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    """60 articles over 2023-2024, a third of them near copies (duplicate_of) of an earlier original."""
    rng = random.Random(4)
    folder = tmp_path_factory.mktemp("grouped")
    places = [
        (rng.choice(["A", "B", "C", "D", "E", "F", None]), f"202{3 + n % 2}-{1 + n % 12:02d}-0{1 + n % 9}")
        for n in range(60)
    ]
    stored(folder, places).close()
    with sqlite3.connect(folder / "corpus.db") as writer:
        for copy in range(3, 60, 3):
            writer.execute(
                "UPDATE articles SET duplicate_of = ? WHERE id = ?",
                (rng.choice([k for k in range(1, copy) if k % 3]), copy),
            )
    connection = sqlite3.connect(f"file:{folder / 'corpus.db'}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    return connection


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
@pytest.mark.parametrize("offset", [0, 15, 45, 200])
def test_a_page_with_its_chart_is_the_page_and_the_chart_apart(
    grouped_db: sqlite3.Connection, sort: str, offset: int
) -> None:
    """The search page reads its results and its chart in one statement: the same results, counts and
    chart as find alone and the timeline's own query."""
    for text, outlets in (("harvest", []), ("valley 7 OR pears", ["b"]), ("", ["a"])):
        request = SearchRequest(text=text, outlets=outlets, sort=sort, offset=offset, limit=15)
        alone = find(grouped_db, request, ("[", "]"), True, WINDOW)
        charted = SearchRequest(**{**vars(request), "chart": CHART_SHAPE})
        both_at_once = find(grouped_db, charted, ("[", "]"), True, WINDOW)
        assert both_at_once.rows == alone.rows and both_at_once.roots == alone.roots
        assert (both_at_once.total, both_at_once.capped) == (alone.total, alone.capped)
        assert both_at_once.bins == aggregates.search_periods(grouped_db, request, True, WINDOW, CHART_SHAPE)
        assert alone.bins is None and (alone.rows or offset >= alone.total)
        if text == "harvest":  # 60 articles, 19 of them copies: 41 groups, every article charted
            assert alone.total == 41 and both_at_once.bins and both_at_once.bins.articles == 60
