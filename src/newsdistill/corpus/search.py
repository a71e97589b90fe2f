"""Search: the query language (query_language.py) with filters, sort, counts and pages, over FTS5.

Every article matched is ranked by BM25 over title (weighted 2) and text. A query that matches more than
`window` articles (queries.SEARCH_WINDOW) is looked at among its newest `window` matches: ranking every
match of a common word costs a second at a million articles (`capped` says so). Near copies fold into one
row per group (an original and its copies), the group's best-ranked text, so counts and pages are of groups.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from . import search_index
from .appearances import EARLIEST_USABLE_YEAR
from .query_language import QueryError, parse, unsegment
from .search_columns import UNKNOWN_OUTLET, Columns, best_of_groups, bin_matches, page_order, passes

SORTS = ("relevance", "newest", "oldest")
_ORDER = {
    "relevance": "g.score, g.id DESC",
    "newest": "g.published IS NULL, g.published DESC, g.id DESC",  # undated last
    "oldest": "g.published IS NULL, g.published, g.id",
}


@dataclass
class SearchRequest:
    """A search as typed, with the filters and page chosen beside it. Dates are ISO days (YYYY-MM-DD),
    both ends included; outlets match an article's outlet or any of its appearances' (case-insensitive)."""

    text: str = ""
    outlets: list[str] = field(default_factory=list)
    since: str | None = None
    until: str | None = None
    language: str | None = None
    page_type: str | None = None
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20
    all_copies: bool = False
    chart: tuple[int, int] | None = None  # also bin the matches for a chart: (top outlets, most periods)


@dataclass(frozen=True)
class Bins:
    """Matching articles (copies included) per period and outlet, binned in SQL (bin_sql): what a chart
    draws, in a few hundred rows however many articles matched."""

    unit: str  # day, week, month or year: the finest whose periods from the first day to the last fit
    outlets: tuple[str, ...]  # the top outlets by dated articles, most first (ties by name)
    more_outlets: bool  # other outlets had dated articles too
    counts: tuple[tuple[str, int, int], ...]  # (period start, index in outlets or len(outlets), articles)
    undated: int  # articles without a usable date (appearances.usable_date)
    articles: int  # articles counted, dated or not


@dataclass
class Found:
    total: int  # groups matched (within the window)
    capped: bool  # more than `window` articles matched
    rows: list[dict[str, Any]]  # the page asked for: id, title, outlet, url, published, snippet
    roots: dict[int, int] = field(default_factory=dict)  # each row's id -> its group's original article
    bins: Bins | None = None  # with request.chart: the matches binned for the chart


def find(
    db: sqlite3.Connection,
    request: SearchRequest,
    marks: tuple[str, str],
    kept: bool,
    window: int,
    columns: Columns | None = None,
) -> Found:
    """One page of results; raises QueryError for a query or sort that cannot be understood.
    `kept`: the store has appearances (outlet filters look at them too). With fresh `columns` an
    unfiltered query is grouped, sorted and binned in memory (search_columns), with the same results."""
    if request.sort not in SORTS:
        raise QueryError(f"unknown sort {request.sort!r}: choose one of {', '.join(SORTS)}")
    query = parse(request.text)
    table = search_index.CJK_TABLE if query.cjk and search_index.has_cjk_index(db) else "articles_fts"
    match = query.fts()
    outlets = [*request.outlets, *query.outlets]
    where, params = _filters(db, request, outlets, kept)
    if not match and not where:
        return Found(0, False, [], bins=Bins("day", (), False, (), 0, 0) if request.chart else None)
    if columns is not None and in_columns(request, match):
        found = _find_in_columns(db, table, match, request, marks, columns, window, outlets, kept)
        if found is not None:
            return found
    articles = search_index.covered_articles(db)
    hits = _hits_sql(table, articles, where, bool(match), ranked=request.sort == "relevance")
    hit_params = ([match] if match else []) + [*params, window]
    if request.chart:
        roots, total, matched, bins = _page_and_chart(db, hits, articles, hit_params, request)
    else:
        roots, total, matched = _page(db, hits, articles, hit_params, request)
        bins = None
    walked = matched if not where and matched < window else None  # FTS5's matches, when known
    rows = _rows(db, table, match, list(roots), marks, walked) if roots else []
    return Found(total, matched >= window, rows, roots, bins)


def in_columns(request: SearchRequest, match: str) -> bool:
    """Whether the search columns can answer: a query with words, filtered (if at all) by outlet and date."""
    return bool(match) and not request.language and not request.page_type


def _find_in_columns(
    db: sqlite3.Connection,
    table: str,
    match: str,
    request: SearchRequest,
    marks: tuple[str, str],
    columns: Columns,
    window: int,
    outlets: list[str],
    kept: bool,
) -> Found | None:
    """find's page from the columns, or None when a match is newer than they are (or a filter is one the
    columns cannot apply)."""
    found = filtered_ids(
        db, table, match, request.sort == "relevance", request, columns, window, outlets, kept
    )
    if found is None:
        return None
    ids, walked = found
    best = best_of_groups(columns, ids)
    page = best[page_order(columns, best, request.sort)[request.offset : request.offset + request.limit]]
    roots = {int(i): int(columns.root[i]) for i in page}
    bins = column_bins(columns, ids, request.chart) if request.chart else None
    rows = _rows(db, table, match, list(roots), marks, walked) if roots else []
    return Found(len(best), len(ids) >= window, rows, roots, bins)


def filtered_ids(
    db: sqlite3.Connection,
    table: str,
    match: str,
    ranked: bool,
    request: SearchRequest,
    columns: Columns,
    window: int,
    outlets: list[str],
    kept: bool,
) -> tuple[np.ndarray, int | None] | None:
    """The newest `window` matches that pass the request's outlet and date filters, best first when
    `ranked` (as matched_ids), with the number of FTS5 matches when known; None where the columns do not
    cover them or cannot apply a filter."""
    if not outlets and not request.since and not request.until:
        ids = kept_matches(db, table, match, ranked, window, columns)
        return (ids, len(ids) if len(ids) < window else None) if columns.covers(ids) else None
    every = kept_matches(db, table, match, False, -1, columns)  # newest first; LIMIT -1 is no limit
    if not columns.covers(every):
        return None
    ok = passes(columns, every, outlets, request.since, request.until, kept)
    if ok is None:
        return None
    ids = every[ok][:window]
    return (ranked_ids(db, table, match, ids) if ranked and len(ids) else ids), len(every)


def kept_matches(
    db: sqlite3.Connection, table: str, match: str, ranked: bool, window: int, columns: Columns
) -> np.ndarray:
    """matched_ids, kept with the columns when they are many (search_columns.KeptMatches says why)."""
    key, totals = (table, match, ranked, window), index_totals(db, table)
    ids = columns.kept.get(key, totals)
    if ids is None:
        ids = matched_ids(db, table, match, ranked, window)
        if columns.covers(ids):
            columns.kept.keep(key, totals, ids)
    return ids


def index_totals(db: sqlite3.Connection, table: str) -> bytes:
    """The FTS5 index's averages record (its rows and words, per column): any article indexed or removed
    changes it."""
    row = db.execute(f"SELECT block FROM {table}_data WHERE id = 1").fetchone()
    return bytes(row[0]) if row else b""


def ranked_ids(db: sqlite3.Connection, table: str, match: str, ids: np.ndarray) -> np.ndarray:
    """`ids` best first (BM25, then the newest), as matched_ids ranks. BM25 is scored for these rows only;
    the scan walks the query's matches (the unary + keeps FTS5 from one seek per id)."""
    score, ranked_by = _bm25(table)
    scored = (
        f"SELECT rowid AS id, {score} AS score FROM {table} "
        f"WHERE {table} MATCH ? {ranked_by} AND +rowid IN (SELECT value FROM json_each(?))"
    )
    return _best_first(db, scored, [match, _json_ids(ids.tolist())])


def matched_ids(db: sqlite3.Connection, table: str, match: str, ranked: bool, window: int) -> np.ndarray:
    """The newest `window` matches' ids, best first when `ranked` (BM25, then the newest), else newest
    first. They come as one string in one step: a row each would cost 0.5 µs, and in a server each row
    hands the GIL back and forth (a thread that waits for it waits up to 5 ms behind the others)."""
    hits = _hits_sql(table, "", "", True, ranked)
    if not ranked:
        listed = db.execute(f"SELECT group_concat(id) FROM ({hits})", [match, window]).fetchone()[0]
        return np.fromstring(listed or "", np.int64, sep=",")
    return _best_first(db, hits, [match, window])


def _best_first(db: sqlite3.Connection, scored: str, params: list[Any]) -> np.ndarray:
    """The ids of `scored` (a SELECT of id and BM25 score) best first: lowest score, then the newest. Ids
    and scores come as one string and are sorted here: group_concat's order is not promised, and ranking
    in SQL (row_number over the scores) took a third of a common word's search."""
    # MATERIALIZED: flattened into the aggregate, the rank (BM25) would be read outside its MATCH
    listed = db.execute(
        f"WITH s AS MATERIALIZED ({scored}) SELECT group_concat(id || ',' || CAST(score AS INTEGER)) FROM s",
        params,
    )
    pairs = np.fromstring(listed.fetchone()[0] or "", np.int64, sep=",").reshape(-1, 2)
    return pairs[np.lexsort((-pairs[:, 0], pairs[:, 1])), 0]  # SQL's ORDER BY score, id DESC


def _bm25(table: str) -> tuple[str, str]:
    """BM25 over title (weighted 2) and text, in whole billionths, as (the score, the condition it needs).
    Whole: the same number in SQL's sorts and as the integer _best_first reads; texts whose scores differ by
    less rank as equal, the newest first (the rounding error of the float sum would otherwise order them).
    The condition makes FTS5's rank column BM25 with these weights: as the rank, the weights are read once
    a query; as bm25()'s arguments, once a row (a common word's 20,000 matches: 17 against 19 ms). It must
    sit with the table's own MATCH, in the WHERE of the query that scores."""
    return f"round({table}.rank * 1e9)", f"AND {table}.rank MATCH 'bm25(2.0, 1.0)'"


def _json_ids(ids: list[int]) -> str:
    """Ids as a JSON array, for `IN (SELECT value FROM json_each(?))`: one parameter however many."""
    return "[" + ",".join(map(str, ids)) + "]"


def column_bins(columns: Columns, ids: np.ndarray, shape: tuple[int, int]) -> Bins:
    """bin_sql's Bins of the matches `ids`, from the columns."""
    unit, outlets, more, counts, dated = bin_matches(columns, ids, shape)
    return Bins(unit, outlets, more, counts, len(ids) - dated, len(ids))


_GROUPED = (  # each group's best-ranked member with its date (bare columns of min()), in one pass
    "grouped AS MATERIALIZED (SELECT coalesce(a.duplicate_of, a.id) AS root, h.id AS id, "
    "min(h.score) AS score, a.published AS published FROM hits h JOIN {articles} ON a.id = h.id "
    "GROUP BY root)"
)


def _page(
    db: sqlite3.Connection, hits: str, articles: str, params: list[Any], request: SearchRequest
) -> tuple[dict[int, int], int, int]:
    """The page's ids with their groups' roots, the groups matched and the articles matched."""
    rows = db.execute(
        f"WITH hits AS MATERIALIZED ({hits}), {_GROUPED.format(articles=articles)} "
        "SELECT g.id, g.root, (SELECT count(*) FROM grouped) AS total, (SELECT count(*) FROM hits) AS hits "
        f"FROM grouped g ORDER BY {_ORDER[request.sort]} LIMIT ? OFFSET ?",
        [*params, request.limit, request.offset],
    ).fetchall()
    if not rows:  # past the last page (or nothing): the counts still answer
        return {}, *_count(db, hits, articles, params)
    return {int(r[0]): int(r[1]) for r in rows}, int(rows[0][2]), int(rows[0][3])


def _page_and_chart(
    db: sqlite3.Connection, hits: str, articles: str, params: list[Any], request: SearchRequest
) -> tuple[dict[int, int], int, int, Bins]:
    """_page and the chart's bins in one statement: each match is looked up in the articles once, for its
    group and for its day and outlet (two statements read 20,000 matches twice)."""
    assert request.chart is not None
    ctes, cte_params, select, select_params = bin_sql(request.chart)
    rows = db.execute(
        f"WITH hits AS MATERIALIZED ({hits}), joined AS MATERIALIZED (SELECT h.id, h.score, "
        "coalesce(a.duplicate_of, a.id) AS root, a.published, a.outlet "
        f"FROM hits h JOIN {articles} ON a.id = h.id), "
        "grouped AS MATERIALIZED (SELECT root, id, min(score) AS score, published FROM joined "
        "GROUP BY root), "
        "daily AS MATERIALIZED (SELECT substr(published, 1, 10) AS day, outlet, count(*) AS n "
        f"FROM joined GROUP BY day, outlet){ctes} "
        "SELECT 'row', id, root, NULL FROM "
        f"(SELECT g.id, g.root FROM grouped g ORDER BY {_ORDER[request.sort]} LIMIT ? OFFSET ?) "
        "UNION ALL SELECT 'count', (SELECT count(*) FROM grouped), NULL, (SELECT count(*) FROM hits) "
        f"UNION ALL {select}",
        [*params, *cte_params, request.limit, request.offset, *select_params],
    ).fetchall()
    roots = {int(r[1]): int(r[2]) for r in rows if r[0] == "row"}  # in the page's order (UNION ALL keeps it)
    total, matched = next((int(r[1]), int(r[3])) for r in rows if r[0] == "count")
    return roots, total, matched, read_bins(rows)


def _hits_sql(table: str, articles: str, where: str, match: bool, ranked: bool) -> str:
    """The newest `window` matches with their BM25 score when `ranked` (BM25 is most of the cost of a common
    word's search; sorted by date, it is not needed); joined to the articles only to filter them."""
    if not match:
        return f"SELECT a.id, 0 AS score FROM {articles} WHERE 1 {where} ORDER BY a.id DESC LIMIT ?"
    joined = f"JOIN {articles} ON a.id = {table}.rowid " if where else ""
    score, ranked_by = _bm25(table) if ranked else ("0", "")
    return (
        f"SELECT {table}.rowid AS id, {score} AS score FROM {table} {joined}"
        f"WHERE {table} MATCH ? {ranked_by} {where} ORDER BY {table}.rowid DESC LIMIT ?"
    )


# Binning (day, outlet, n) rows by period without a row per day reaching Python. Each date function runs
# once per distinct day, not per (day, outlet) row: at 20,000 matches these are 12,000 rows, and a date
# function costs about 1 µs. date(day) keeps '2024-02-30'; with a modifier it is '2024-03-01', so
# `date(day, '+0 days') IS day` holds of real days only, as date.fromisoformat. A week starts on Monday:
# date(day, 'weekday 0', '-6 days') is the Monday on or before `day` (the next Sunday, or itself, less six
# days). The unit is the finest whose number of periods from the first day to the last is within the most
# allowed (search_columns.choose_unit).
_BIN_CTES = """, days AS MATERIALIZED (SELECT day FROM daily GROUP BY day
  HAVING day BETWEEN '{earliest}-01-01' AND ? AND date(day, '+0 days') IS day),
unit AS MATERIALIZED (SELECT CASE WHEN julianday(last) - julianday(first) < ? THEN 'day'
  WHEN (julianday(last) - julianday(first) + (strftime('%w', first) + 6) % 7) / 7 < ? THEN 'week'
  WHEN (strftime('%Y', last) - strftime('%Y', first)) * 12 + strftime('%m', last) - strftime('%m', first) < ?
  THEN 'month' ELSE 'year' END AS unit FROM (SELECT min(day) AS first, max(day) AS last FROM days)),
periods AS MATERIALIZED (SELECT day, CASE (SELECT unit FROM unit) WHEN 'day' THEN day
  WHEN 'week' THEN date(day, 'weekday 0', '-6 days') WHEN 'month' THEN substr(day, 1, 8) || '01'
  ELSE substr(day, 1, 5) || '01-01' END AS start FROM days),
dated AS MATERIALIZED (SELECT p.start, coalesce(d.outlet, ?) AS outlet, d.n
  FROM daily d CROSS JOIN periods p ON p.day = d.day),
outlets AS MATERIALIZED (SELECT outlet, row_number() OVER (ORDER BY sum(n) DESC, outlet) - 1 AS slot
  FROM dated GROUP BY outlet),
top AS MATERIALIZED (SELECT outlet, slot FROM outlets WHERE slot < ?)"""
_BIN_SELECT = """SELECT 'period' AS kind, start AS name,
  coalesce((SELECT slot FROM top t WHERE t.outlet = d.outlet), ?) AS series, sum(n) AS n
  FROM dated d GROUP BY start, series
UNION ALL SELECT 'outlet', outlet, slot, NULL FROM top
UNION ALL SELECT 'total', (SELECT unit FROM unit), (SELECT count(*) FROM outlets), (SELECT sum(n) FROM dated)
UNION ALL SELECT 'all', NULL, NULL, (SELECT sum(n) FROM daily)"""


def bin_sql(shape: tuple[int, int]) -> tuple[str, list[Any], str, list[Any]]:
    """The CTEs (to follow CTEs ending in `daily(day, outlet, n)`: one row per day, unchecked, and outlet)
    and the SELECT that bin `daily` for a chart of `shape` (top outlets named, most periods of a unit),
    each with its parameters. The SELECT's rows are read by read_bins."""
    top, most = shape
    cte_params = [date.today().isoformat(), most, most, most, UNKNOWN_OUTLET, top]
    return _BIN_CTES.format(earliest=EARLIEST_USABLE_YEAR), cte_params, _BIN_SELECT, [top]


def read_bins(rows: Iterable[Any]) -> Bins:
    """Bins from bin_sql's rows (kind, name, slot, n); rows of other kinds are not its own."""
    counts, outlets, unit, named, dated, total = [], [], "day", 0, 0, 0
    for kind, name, slot, n in rows:
        if kind == "period":
            counts.append((str(name), int(slot), int(n)))
        elif kind == "outlet":
            outlets.append(str(name))
        elif kind == "total":
            unit, named, dated = str(name), int(slot or 0), int(n or 0)
        elif kind == "all":
            total = int(n or 0)
    return Bins(unit, tuple(outlets), named > len(outlets), tuple(counts), total - dated, total)


def _count(db: sqlite3.Connection, hits: str, articles: str, params: list[Any]) -> tuple[int, int]:
    """The groups and the articles matched (within the window)."""
    row = db.execute(
        f"WITH hits AS ({hits}) SELECT count(DISTINCT coalesce(a.duplicate_of, a.id)), count(*) FROM hits h "
        f"JOIN {articles} ON a.id = h.id",
        params,
    ).fetchone()
    return int(row[0]), int(row[1])


def _filters(
    db: sqlite3.Connection, request: SearchRequest, outlets: list[str], kept: bool
) -> tuple[str, list[Any]]:
    """SQL conditions on the articles table `a` (each starting with AND), and their parameters."""
    where: list[str] = []
    params: list[Any] = []
    if outlets:
        names = [o.lower() for o in outlets]
        slots = ",".join("?" * len(names))
        # Correlated, so that each match seeks its own appearances (appearances_outlet): `a.id IN (SELECT
        # ...)` read every appearance of the store to build its list, 10 ms a query at 100,000 articles.
        where.append(
            f"(lower(a.outlet) IN ({slots})"
            + (
                " OR EXISTS (SELECT 1 FROM appearances p WHERE p.article_id = a.id "
                f"AND lower(p.outlet) IN ({slots})))"
                if kept
                else ")"
            )
        )
        params += names * (2 if kept else 1)
    for value, condition in (
        (request.since, "substr(a.published, 1, 10) >= ?"),
        (request.until, "substr(a.published, 1, 10) <= ?"),
        (request.language, "a.language = ?"),
    ):
        if value:
            where.append(condition)
            params.append(value)
    if request.page_type and search_index.has_page_types(db):
        where.append("a.page_type = ?")
        params.append(request.page_type)
    return "".join(f" AND {w}" for w in where), params


SNIPPET_SCAN_MOST = 15_000  # matches up to which one FTS5 scan for a page's snippets beats a seek per row


def _snippets(
    db: sqlite3.Connection, table: str, match: str, ids: list[int], marks: tuple[str, str], walked: int | None
) -> dict[int, str]:
    """Each id's snippet. With `rowid IN (...)` FTS5 walks every match of the query, so a query of few
    matches gets its page's snippets in one scan (20 rows: 0.7-2.6 ms against 1.6-4.2 for 20 seeks, up to
    13,500 matches); a common word, or one whose matches are not counted, seeks to each row."""
    snippet = f"coalesce(snippet({table}, 1, ?, ?, '…', 16), '')"
    if walked is not None and walked <= SNIPPET_SCAN_MOST:
        rows = db.execute(
            f"SELECT rowid, {snippet} FROM {table} WHERE {table} MATCH ? "
            "AND +rowid IN (SELECT value FROM json_each(?))",
            (*marks, match, _json_ids(ids)),
        ).fetchall()
        return {int(r[0]): r[1] for r in rows}
    found = {}
    for article_id in ids:
        row = db.execute(
            f"SELECT {snippet} FROM {table} WHERE {table} MATCH ? AND rowid = ?", (*marks, match, article_id)
        ).fetchone()
        if row is not None:
            found[article_id] = row[0]
    return found


def _opening(db: sqlite3.Connection, article_id: int) -> str:
    row = db.execute("SELECT substr(text, 1, 160) FROM articles WHERE id = ?", (article_id,)).fetchone()
    return str(row[0] or "") if row else ""


def _rows(
    db: sqlite3.Connection,
    table: str,
    match: str,
    ids: list[int],
    marks: tuple[str, str],
    walked: int | None = None,
) -> list[dict[str, Any]]:
    """The result rows for `ids`, in that order, with a snippet (the matched words between `marks`).
    `walked`: how many articles the query matches in FTS5, when known."""
    fields = "a.id, a.title, a.outlet, a.url, a.published"
    slots = ",".join("?" * len(ids))
    # The text's opening is read only where the query has no words to show: substr() loads the whole text
    # (its overflow pages), the cost of a filtered page's 20 rows when the cache is cold.
    opening = "NULL" if match else "substr(a.text, 1, 160)"
    found = {
        r["id"]: dict(r)
        for r in db.execute(
            f"SELECT {fields}, {opening} AS snippet FROM articles a WHERE a.id IN ({slots})", ids
        )
    }
    if match:
        snippets = _snippets(db, table, match, list(found), marks, walked)
        for article_id, row in found.items():
            row["snippet"] = snippets[article_id] if article_id in snippets else _opening(db, article_id)
    for row in found.values():
        row["snippet"] = unsegment(row["snippet"] or "")
    return [found[i] for i in ids if i in found]
