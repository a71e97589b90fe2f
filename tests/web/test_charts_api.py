"""Every chart's numbers are the numbers of its JSON and CSV (a real server over a real store), each bar
narrows the search to its period, and the chart's query is an aggregate that does not read article rows."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from newsdistill.corpus import aggregates
from newsdistill.corpus.search import SearchRequest


def drawn_bars(html: str) -> list[tuple[str, str, int, str]]:
    """(start, end, total, href) of each bar of the page's attention chart."""
    svg = re.search(r'<svg class="chart-svg bars".*?</svg>', html, re.S)
    assert svg, "no attention chart on the page"
    return [
        (start, end, int(total), href.replace("&amp;", "&"))
        for href, start, end, total in re.findall(
            r'<a class="bar" href="([^"]*)" data-start="([^"]*)" data-end="([^"]*)" data-total="(\d+)"',
            svg.group(0),
        )
    ]


def json_bars(record: dict[str, object]) -> list[tuple[str, str, int]]:
    periods = record["periods"]
    assert isinstance(periods, list)
    return [(p["start"], p["end"], p["total"]) for p in periods if p["total"]]


def csv_totals(text: str) -> Counter[tuple[str, str]]:
    totals: Counter[tuple[str, str]] = Counter()
    for row in csv.DictReader(io.StringIO(text)):
        totals[(row["start"], row["end"])] += int(row["articles"])
    return totals


@pytest.mark.parametrize(
    "params",
    [
        {"q": "harvest"},
        {"q": "harvest", "since": "2023-03-01", "until": "2023-09-30"},
        {"q": "putin OR soldier"},
    ],
)
def test_search_chart_equals_its_json_and_csv(base: str, params: dict[str, str]) -> None:
    page = httpx.get(base + "/", params=params)
    assert page.status_code == 200
    bars = drawn_bars(page.text)
    record = httpx.get(base + "/api/search/timeline", params=params).json()
    assert [(s, e, n) for s, e, n, _ in bars] == json_bars(record) and bars
    exported = httpx.get(base + "/api/search/timeline", params={**params, "format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    assert csv_totals(exported.text) == Counter({(s, e): n for s, e, n, _ in bars})
    for start, end, total, href in bars:  # each bar narrows the search to its period, other filters kept
        query = parse_qs(urlsplit(href).query)
        assert query["since"] == [start] and query["until"] == [end] and query["q"] == [params["q"]]
        narrowed = httpx.get(base + "/api/search/timeline", params={k: v[0] for k, v in query.items()}).json()
        assert narrowed["total"] == total


def test_harvest_counts_by_week(base: str) -> None:
    """25 harvest reports over 2023 (conftest.search_db): a year is 53 weeks, so bars of a week."""
    record = httpx.get(base + "/api/search/timeline", params={"q": "harvest"}).json()
    assert record["unit"] == "week" and record["total"] == 25 and record["outlets"] == ["Farm News"]
    assert record["periods"][0]["start"] == "2022-12-26"  # the Monday of the week of 1 January 2023
    assert sum(p["total"] for p in record["periods"]) == 25 and len(record["periods"]) == 52


def test_timeline_api_errors_and_empty(base: str) -> None:
    assert httpx.get(base + "/api/search/timeline", params={"q": '"unclosed'}).status_code in (200, 400)
    empty = httpx.get(base + "/api/search/timeline", params={"q": "zzzqqqxxx"}).json()
    assert empty["periods"] == [] and empty["total"] == 0
    assert httpx.get(base + "/api/search/timeline", params={"since": "not a day"}).status_code == 422
    page = httpx.get(base + "/", params={"q": "zzzqqqxxx"}).text
    assert 'id="no-results"' in page and "<svg" not in page


def test_entity_chart_equals_its_json_and_its_bars_narrow_the_page(server: str) -> None:
    entity = httpx.get(server + "/api/entities", params={"name": "Helen Ortiz"}).json()[0]
    page = httpx.get(f"{server}/entities/{entity['id']}")
    bars = drawn_bars(page.text)
    record = httpx.get(f"{server}/api/entities/{entity['id']}/timeline").json()
    assert [(s, e, n) for s, e, n, _ in bars] == json_bars(record) and bars
    exported = httpx.get(f"{server}/api/entities/{entity['id']}/timeline", params={"format": "csv"}).text
    assert csv_totals(exported) == Counter({(s, e): n for s, e, n, _ in bars})
    narrowed = httpx.get(server + bars[0][3])
    assert narrowed.status_code == 200 and 'id="period"' in narrowed.text
    outside = httpx.get(
        f"{server}/entities/{entity['id']}", params={"since": "1999-01-01", "until": "1999-01-02"}
    )
    assert "No attributions found" in outside.text
    assert httpx.get(f"{server}/entities/{entity['id']}", params={"since": "soon"}).status_code == 400
    assert httpx.get(f"{server}/api/entities/999999/timeline").status_code == 404


def test_story_page_draws_each_appearance_and_lists_speakers(server: str) -> None:
    stories = httpx.get(server + "/api/stories").json()
    bridge = next(s for s in stories if "bridge" in (s["title"] or "").lower())
    story = httpx.get(f"{server}/api/stories/{bridge['id']}").json()
    html = httpx.get(f"{server}/stories/{bridge['id']}").text
    points = re.findall(r'<a class="point (original|copy)"', html)
    dated = [a for a in story["appearances"] if a["published"]]
    assert len(points) == len(dated) and points.count("original") == 1 and "copy" in points
    assert 'href="/entities/' in html.split("Who is quoted")[1].split("</table>")[0]


def test_search_days_is_one_aggregate_over_the_index(search_db: Path) -> None:
    """The chart's SQL: GROUP BY day and outlet, read through the covering search index, never rows."""
    db = sqlite3.connect(f"file:{search_db}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    rows, capped = aggregates.search_days(db, SearchRequest(text="harvest"), True, 20_000)
    assert sum(n for _, _, n in rows) == 25 and not capped
    chart_sql = [s for s in statements if "GROUP BY day" in s]
    assert len(chart_sql) == 1
    plan = " ".join(r[3] for r in db.execute("EXPLAIN QUERY PLAN " + chart_sql[0]))
    assert "articles_search" in plan and "record" not in chart_sql[0]
