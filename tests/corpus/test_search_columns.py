"""Unfiltered searches grouped, sorted and binned in memory (search_columns) give the pages, counts and
chart bins that the SQL path gives, on real SQLite stores; the cache that keeps the columns goes stale on
another connection's commit and is read again."""

from __future__ import annotations

import random
import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from newsdistill.corpus import aggregates, search_columns
from newsdistill.corpus.query_language import parse
from newsdistill.corpus.search import SearchRequest, find, matched_ids
from newsdistill.corpus.search_columns import (
    NO_DAY,
    ColumnCache,
    best_of_groups,
    day_ordinal,
    period_ordinals,
    read_columns,
)
from newsdistill.corpus.store import Store
from newsdistill.model import Article

SHAPE = (4, 60)
QUERIES = [
    "w0",
    "w1",
    "w3",
    "w7",
    "w20",
    "w0 w1",
    '"w1 w2"',
    "w2 OR w9",
    "w0 -w1",
    "w1*",
    "title:w4",
    "w5 w6",
]


def _published(rng: random.Random, first: date, span_days: int) -> str | None:
    roll = rng.random()
    if roll < 0.08:
        return None
    if roll < 0.12:
        return rng.choice(
            ["1985-06-01", "2024-02-30", "soon", (date.today() + timedelta(days=40)).isoformat()]
        )
    day = first + timedelta(days=rng.randrange(span_days + 1))
    return day.isoformat() + rng.choice(["", "T08:00:00Z", "T23:59:00+02:00"])


def random_store(folder: Path, seed: int, span_days: int, articles: int = 160) -> Path:
    """Articles of random words (w0 common, w40 rare), random lengths, outlets (some none, one named as
    the chart's unknown band) and dates (some undated, invalid, too old or in the future)."""
    rng = random.Random(seed)
    outlets = [f"Outlet {k}" for k in range(9)] + [None, "(unknown outlet)"]
    first = date(2019, 12, 20)
    path = folder / f"store-{seed}.db"
    store = Store(path)
    with store.transaction():
        for number in range(articles):
            words = [f"w{min(int(rng.paretovariate(0.8)) - 1, 40)}" for _ in range(rng.randrange(12, 90))]
            article = Article(
                title=f"Report {number} {rng.choice(['w4', 'w8', 'news'])}",
                text=" ".join(words) + f" item{number}.",
                outlet=rng.choice(outlets),
                published=_published(rng, first, span_days),
            )
            store.add(f"a{number}", f"a{number}", article)
    store.close()
    return path


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    return connection


def _page(db: sqlite3.Connection, request: SearchRequest, window: int, columns: object) -> tuple[object, ...]:
    found = find(db, request, ("[", "]"), True, window, columns)  # type: ignore[arg-type]
    return found.total, found.capped, [r["id"] for r in found.rows], found.roots, found.bins, found.rows


@pytest.mark.parametrize("span_days", [30, 300, 1500, 4000])
def test_pages_counts_and_bins_are_the_sql_paths(tmp_path: Path, span_days: int) -> None:
    db = _connect(random_store(tmp_path, span_days, span_days))
    columns = read_columns(db)
    compared = 0
    for text in QUERIES:
        for sort in ("relevance", "newest", "oldest"):
            for offset, window, chart in (
                (0, 20_000, SHAPE),
                (10, 20_000, None),
                (0, 25, SHAPE),
                (500, 50, None),
            ):
                request = SearchRequest(text=text, sort=sort, offset=offset, limit=10, chart=chart)
                in_sql = _page(db, request, window, None)
                assert _page(db, request, window, columns) == in_sql, (text, sort, offset, window)
                compared += bool(in_sql[0])
        request = SearchRequest(text=text)
        assert aggregates.search_periods(db, request, True, 20_000, SHAPE, columns) == (
            aggregates.search_periods(db, request, True, 20_000, SHAPE)
        )
    assert compared > 100  # most queries found something


def _republish(path: Path, seed: int, copies: int = 30) -> None:
    """Exact copies of random articles under other outlets: appearances whose outlet differs from the
    article's, which an outlet filter must find too."""
    rng = random.Random(seed)
    store = Store(path)
    rows = store.db.execute("SELECT id, title, text, published FROM articles").fetchall()
    with store.transaction():
        for number, row in enumerate(rng.sample(rows, copies)):
            article = Article(
                title=row[1],
                text=row[2],
                outlet=rng.choice(["Wire 1", "WIRE 2", "Outlet 3"]),
                published=row[3],
            )
            store.add(f"copy{number}", f"copy{number}", article)
    store.close()


FILTERS = [
    {"outlets": ["outlet 3"]},
    {"outlets": ["Outlet 4"]},  # as typed: the case does not matter
    {"outlets": ["wire 1"]},
    {"outlets": ["WIRE 2"]},
    {"outlets": ["wire 2", "outlet 7"]},
    {"outlets": ["no such outlet"]},
    {"outlets": ["(unknown outlet)"]},  # the columns cannot tell it from no outlet: SQL answers
    {"since": "2020-03-01"},
    {"until": "2020-06-30"},
    {"since": "2020-01-01", "until": "2020-01-31"},
    {"since": "2024-02-29", "until": "2024-03-01"},  # '2024-02-30' lies between, as text
    {"until": "1999-12-31"},
    {"outlets": ["outlet 1"], "since": "2020-02-01", "until": "2021-12-31"},
    {"outlets": ["outlet 2"], "since": "", "until": ""},  # a form's empty dates: no date filter
    {"since": "", "until": "2020-05-01"},
]


@pytest.mark.parametrize("kept", [True, False])
def test_filtered_pages_counts_and_bins_are_the_sql_paths(tmp_path: Path, kept: bool) -> None:
    path = random_store(tmp_path, 11, 1500, articles=220)
    _republish(path, 11)
    db = _connect(path)
    columns = read_columns(db)
    assert len(columns.appearance_article) > int((columns.root >= 0).sum())  # copies appear elsewhere
    compared = 0
    for filters in FILTERS:
        for text in ["w0", "w1", "w3 w0", "w2 OR w9", "outlet:wire", "w5"]:
            for sort in ("relevance", "newest", "oldest"):
                for offset, window, chart in ((0, 20_000, SHAPE), (0, 15, SHAPE), (20, 20_000, None)):
                    request = SearchRequest(
                        text=text,
                        sort=sort,
                        offset=offset,
                        limit=10,
                        chart=chart,
                        **filters,  # type: ignore[arg-type]
                    )
                    in_sql = find(db, request, ("[", "]"), kept, window, None)
                    in_columns = find(db, request, ("[", "]"), kept, window, columns)
                    got, want = (
                        (f.total, f.capped, [r["id"] for r in f.rows], f.roots, f.bins)
                        for f in (in_columns, in_sql)
                    )
                    assert got == want, (filters, text, sort, offset, window)
                    compared += bool(want[0])
            request = SearchRequest(text="w0", **filters)  # type: ignore[arg-type]
            assert aggregates.search_periods(db, request, kept, 20_000, SHAPE, columns) == (
                aggregates.search_periods(db, request, kept, 20_000, SHAPE)
            )
    assert compared > 200


def test_the_unknown_band_counts_articles_with_no_outlet_and_the_outlet_named_so(tmp_path: Path) -> None:
    db = _connect(random_store(tmp_path, 5, 200))
    columns = read_columns(db)
    bins = find(db, SearchRequest(text="w0", chart=(20, 60)), ("[", "]"), True, 20_000, columns).bins
    assert bins is not None and "(unknown outlet)" in bins.outlets
    expected = db.execute(
        "SELECT count(*) FROM articles_fts f JOIN articles a ON a.id = f.rowid WHERE articles_fts MATCH 'w0' "
        "AND coalesce(a.outlet, '(unknown outlet)') = '(unknown outlet)' AND substr(a.published, 1, 10) "
        "BETWEEN '1990-01-01' AND date('now') AND date(substr(a.published, 1, 10), '+0 days') "
        "IS substr(a.published, 1, 10)"
    ).fetchone()[0]
    slot = bins.outlets.index("(unknown outlet)")
    assert sum(n for _, s, n in bins.counts if s == slot) == expected > 0


def test_near_copies_fold_into_one_row_as_in_sql(tmp_path: Path) -> None:
    path = tmp_path / "copies.db"
    store = Store(path)
    rng = random.Random(9)
    with store.transaction():
        for number in range(6):
            body = " ".join(f"harvest{rng.randrange(999)} {rng.randrange(999)}" for _ in range(60))
            for copy in range(3):  # lengths differ, so scores differ within a group
                text = f"Story {number} of the harvest: {body}" + " reposted here" * copy
                article = Article(title=f"Story {number}", text=text, outlet=f"Outlet {copy}")
                store.add(f"s{number}-{copy}", f"s{number}-{copy}", article)
    store.close()
    db = _connect(path)
    columns = read_columns(db)
    assert len(set(columns.root[columns.root >= 0].tolist())) < int((columns.root >= 0).sum())  # copies
    request = SearchRequest(text="harvest", chart=SHAPE)
    assert _page(db, request, 20_000, columns) == _page(db, request, 20_000, None)
    assert _page(db, request, 20_000, columns)[0] == 6


def test_a_groups_best_match_is_its_first_in_the_order_given() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(
        "CREATE TABLE articles (id INTEGER PRIMARY KEY, duplicate_of INTEGER, published TEXT, outlet TEXT);"
        "INSERT INTO articles VALUES (1, NULL, '2024-01-01', 'A'), (2, 1, '2024-01-02', 'B'),"
        "(3, 1, NULL, NULL), (4, NULL, '2024-01-03', 'A');"
    )
    columns = read_columns(db)
    assert best_of_groups(columns, np.array([3, 4, 2, 1])).tolist() == [3, 4]
    assert best_of_groups(columns, np.array([4, 1, 3])).tolist() == [4, 1]
    assert columns.outlets[columns.outlet[3]] == "(unknown outlet)" and columns.published_rank[3] == -1


def test_ranked_ids_come_best_first_with_ties_to_the_newest(tmp_path: Path) -> None:
    path = tmp_path / "ties.db"
    store = Store(path)
    with store.transaction():
        for number, text in enumerate(["apple pie", "apple tart apple", "apple pie", "pear pie apple"]):
            store.add(f"t{number}", f"t{number}", Article(title=f"T{number}", text=f"{text} {'x' * number}"))
    store.close()
    db = _connect(path)
    expected = [
        row[0]
        for row in db.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'apple' "
            "ORDER BY bm25(articles_fts, 2.0, 1.0), rowid DESC"
        )
    ]
    assert matched_ids(db, "articles_fts", "apple", True, 100).tolist() == expected
    assert matched_ids(db, "articles_fts", "apple", False, 100).tolist() == sorted(expected, reverse=True)


def test_days_and_periods() -> None:
    assert day_ordinal("2024-02-29T10:00") == date(2024, 2, 29).toordinal()
    assert [day_ordinal(text) for text in ("2024-02-30", "2024-2-01", "", None, "20240101")] == [NO_DAY] * 5
    days = np.array(
        [date(2023, 12, 31).toordinal(), date(2024, 1, 1).toordinal(), date(2024, 3, 17).toordinal()]
    )
    as_dates = {
        unit: [date.fromordinal(int(d)).isoformat() for d in period_ordinals(days, unit)]
        for unit in ("week", "month", "year")
    }
    assert as_dates["week"] == ["2023-12-25", "2024-01-01", "2024-03-11"]
    assert as_dates["month"] == ["2023-12-01", "2024-01-01", "2024-03-01"]
    assert as_dates["year"] == ["2023-01-01", "2024-01-01", "2024-01-01"]


def _fresh(cache: ColumnCache, seconds: float = 20) -> object:
    deadline = time.monotonic() + seconds
    while (columns := cache.current()) is None:
        assert time.monotonic() < deadline, "the columns were never built"
        time.sleep(0.05)
    return columns


def test_the_cache_goes_stale_on_a_commit_and_is_read_again(tmp_path: Path) -> None:
    path = random_store(tmp_path, 3, 100, articles=20)
    cache = ColumnCache(path, pause=0)
    try:
        before = _fresh(cache)
        assert cache.current() is before  # nothing committed: the same arrays
        store = Store(path)
        with store.transaction():
            store.add("late", "late", Article(title="Late", text="w0 w1 a late report.", outlet="Outlet 1"))
        store.close()
        after = _fresh(cache)
        assert after is not before and after.size > before.size  # type: ignore[attr-defined]
    finally:
        cache.close()


def test_a_match_newer_than_the_columns_is_answered_by_sql(tmp_path: Path) -> None:
    path = random_store(tmp_path, 4, 100, articles=20)
    old_columns = read_columns(_connect(path))
    store = Store(path)
    with store.transaction():
        store.add("late", "late", Article(title="Late", text="zebra crossing report.", outlet="Outlet 1"))
    store.close()
    db = _connect(path)
    found = find(db, SearchRequest(text="zebra"), ("[", "]"), True, 20_000, old_columns)
    assert [row["title"] for row in found.rows] == ["Late"]


def test_snippets_in_one_scan_are_the_seeks_snippets(tmp_path: Path) -> None:
    from newsdistill.corpus.search import _snippets

    db = _connect(random_store(tmp_path, 3, 300))
    for text in ["w0", "w2 w5", '"w1 w2"', "w3*", "w7 OR w11"]:
        match = parse(text).fts()
        found = matched_ids(db, "articles_fts", match, False, 20_000)[:25].tolist()
        ids = [*found, 10_000]  # and an id that is no match
        scanned = _snippets(db, "articles_fts", match, ids, ("<b>", "</b>"), len(ids))
        sought = _snippets(db, "articles_fts", match, ids, ("<b>", "</b>"), None)
        assert scanned == sought and len(sought) == len(ids) - 1
        assert all("<b>" in snippet for snippet in sought.values())


def test_a_common_querys_matches_are_kept_until_the_index_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_columns, "MATCH_LIST_KEPT_FROM", 5)  # the small store's common words
    path = random_store(tmp_path, 5, 100, articles=60)
    db = _connect(path)
    columns = read_columns(db)
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    for sort in ("relevance", "newest"):
        request = SearchRequest(text="w0", sort=sort, chart=SHAPE, limit=100)
        first = _page(db, request, 20_000, columns)
        scored = sum("MATCH" in s and "group_concat" in s for s in statements)
        again = _page(db, request, 20_000, columns)
        assert again == first == _page(db, request, 20_000, None)  # as the SQL path answers
        assert sum("MATCH" in s and "group_concat" in s for s in statements) == scored  # not read again
    store = Store(path)
    with store.transaction():
        store.add("late", "late", Article(title="Late w0", text="w0 w0 a late report.", outlet="Outlet 1"))
    store.close()
    request = SearchRequest(text="w0", limit=100)
    after = _page(db, request, 20_000, columns)
    assert after == _page(db, request, 20_000, None)  # the kept list is stale: read again (and by SQL)
    assert "Late w0" in [row["title"] for row in after[-1]]  # type: ignore[union-attr]


def test_kept_match_lists_are_bounded_and_read_only() -> None:
    kept = search_columns.KeptMatches(most=2)
    lists = {word: np.arange(search_columns.MATCH_LIST_KEPT_FROM) for word in "abc"}
    for word, ids in lists.items():
        kept.keep((word,), b"totals", ids)
    assert kept.get(("a",), b"totals") is None  # the least recently asked went
    assert kept.get(("c",), b"totals") is lists["c"] and kept.get(("c",), b"other totals") is None
    with pytest.raises(ValueError):
        lists["c"].sort()  # shared by later searches: sorting it in place would change their answers
    kept.keep(("short",), b"totals", np.arange(3))
    assert kept.get(("short",), b"totals") is None  # cheap to read again: not held
