"""What a search costs, by the statements it runs (a real SQLite store): the load test's p99 on 100,000
articles depends on a page never reading every appearance of the store nor running queries per result."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from newsdistill.corpus import appearances
from newsdistill.corpus.queries import SEARCH_WINDOW, group_summaries, search_page
from newsdistill.corpus.search import SearchRequest, find
from newsdistill.corpus.store import Store
from newsdistill.model import Article


@pytest.fixture(scope="module")
def search_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """25 harvest reports of one outlet, each stored twice (an identical copy from another outlet)."""
    db = tmp_path_factory.mktemp("search_cost") / "corpus.db"
    store = Store(db)
    with store.transaction():
        for number in range(25):
            text = (
                f"Harvest number {number} brought the farmers of valley {number * 7} a record crop of pears."
            )
            for outlet in ("Farm News", "Copy Desk"):
                article = Article(
                    title=f"Harvest report {number}",
                    text=text,
                    outlet=outlet,
                    published=f"2023-01-{1 + number:02d}",
                )
                store.add(f"{outlet}{number}", f"{outlet}{number}", article)
    store.close()
    return db


def statements(db: sqlite3.Connection, run: object) -> list[str]:
    seen: list[str] = []
    db.set_trace_callback(seen.append)
    try:
        run()  # type: ignore[operator]
    finally:
        db.set_trace_callback(None)
    return seen


def test_an_outlet_filter_never_scans_every_appearance(search_db: Path) -> None:
    store = Store(search_db, readonly=True)
    request = SearchRequest(text="harvest", outlets=["Farm News"])
    ran = statements(store.db, lambda: find(store.db, request, ("[", "]"), True, SEARCH_WINDOW))
    assert find(store.db, request, ("[", "]"), True, SEARCH_WINDOW).total == 25
    plans = [
        " | ".join(str(row[3]) for row in store.db.execute("EXPLAIN QUERY PLAN " + sql))
        for sql in ran
        if sql.lstrip().upper().startswith("WITH")
    ]
    assert plans and not any("SCAN appearances" in plan for plan in plans), plans


def test_a_page_of_results_reads_appearances_in_two_queries(search_db: Path) -> None:
    store = Store(search_db, readonly=True)
    request = SearchRequest(text="harvest", limit=20)
    ran = statements(store.db, lambda: search_page(store.db, request, ("[", "]")))
    assert len(search_page(store.db, request, ("[", "]"))["results"]) == 20
    assert sum("appearances" in sql and "MATCH" not in sql for sql in ran) == 2


def test_group_summaries_agree_with_one_group_at_a_time(search_db: Path) -> None:
    store = Store(search_db, readonly=True)
    roots = [int(r[0]) for r in store.db.execute("SELECT coalesce(duplicate_of, id) FROM articles")]
    together = group_summaries(store.db, sorted(set(roots)))
    for root in set(roots):
        assert together[root] == appearances.summary(store.db, root)
