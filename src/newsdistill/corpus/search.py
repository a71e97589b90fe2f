"""Search: the query language (query_language.py) with filters, sort, counts and pages, over FTS5.

Every article matched is ranked by BM25 over title (weighted 2) and text. A query that matches more than
`window` articles (queries.SEARCH_WINDOW) is looked at among its newest `window` matches: ranking every
match of a common word costs a second at a million articles (`capped` says so). Near copies fold into one
row per group (an original and its copies), the group's best-ranked text, so counts and pages are of groups.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from . import search_index
from .query_language import QueryError, parse, unsegment

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


@dataclass
class Found:
    total: int  # groups matched (within the window)
    capped: bool  # more than `window` articles matched
    rows: list[dict[str, Any]]  # the page asked for: id, title, outlet, url, published, snippet
    roots: dict[int, int] = field(default_factory=dict)  # each row's id -> its group's original article


def find(
    db: sqlite3.Connection, request: SearchRequest, marks: tuple[str, str], kept: bool, window: int
) -> Found:
    """One page of results; raises QueryError for a query or sort that cannot be understood.
    `kept`: the store has appearances (outlet filters look at them too)."""
    if request.sort not in SORTS:
        raise QueryError(f"unknown sort {request.sort!r}: choose one of {', '.join(SORTS)}")
    query = parse(request.text)
    table = search_index.CJK_TABLE if query.cjk and search_index.has_cjk_index(db) else "articles_fts"
    match = query.fts()
    where, params = _filters(db, request, [*request.outlets, *query.outlets], kept)
    if not match and not where:
        return Found(0, False, [])
    articles = search_index.covered_articles(db)
    hits = _hits_sql(table, articles, where, bool(match), ranked=request.sort == "relevance")
    hit_params = ([match] if match else []) + [*params, window]
    # One pass over the hits: each group's best-ranked member with its date (bare columns of min()), so
    # the page is sorted without reading any article again.
    rows = db.execute(
        f"WITH hits AS MATERIALIZED ({hits}), grouped AS MATERIALIZED (SELECT "
        "coalesce(a.duplicate_of, a.id) AS root, h.id AS id, min(h.score) AS score, a.published AS published "
        f"FROM hits h JOIN {articles} ON a.id = h.id GROUP BY root) "
        "SELECT g.id, g.root, (SELECT count(*) FROM grouped) AS total, (SELECT count(*) FROM hits) AS hits "
        f"FROM grouped g ORDER BY {_ORDER[request.sort]} LIMIT ? OFFSET ?",
        [*hit_params, request.limit, request.offset],
    ).fetchall()
    if not rows:  # past the last page (or nothing): the count still answers
        return Found(_count(db, hits, articles, hit_params), False, [])
    roots = {int(r["id"]): int(r["root"]) for r in rows}
    capped = int(rows[0]["hits"]) >= window
    return Found(int(rows[0]["total"]), capped, _rows(db, table, match, list(roots), marks), roots)


def _hits_sql(table: str, articles: str, where: str, match: bool, ranked: bool) -> str:
    """The newest `window` matches with their BM25 score when `ranked` (BM25 is most of the cost of a common
    word's search; sorted by date, it is not needed); joined to the articles only to filter them."""
    if not match:
        return f"SELECT a.id, 0 AS score FROM {articles} WHERE 1 {where} ORDER BY a.id DESC LIMIT ?"
    joined = f"JOIN {articles} ON a.id = {table}.rowid " if where else ""
    score = f"bm25({table}, 2.0, 1.0)" if ranked else "0"
    return (
        f"SELECT {table}.rowid AS id, {score} AS score FROM {table} {joined}"
        f"WHERE {table} MATCH ? {where} ORDER BY {table}.rowid DESC LIMIT ?"
    )


def _count(db: sqlite3.Connection, hits: str, articles: str, params: list[Any]) -> int:
    row = db.execute(
        f"WITH hits AS ({hits}) SELECT count(DISTINCT coalesce(a.duplicate_of, a.id)) FROM hits h "
        f"JOIN {articles} ON a.id = h.id",
        params,
    ).fetchone()
    return int(row[0])


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


def _rows(
    db: sqlite3.Connection, table: str, match: str, ids: list[int], marks: tuple[str, str]
) -> list[dict[str, Any]]:
    """The result rows for `ids`, in that order, with a snippet (the matched words between `marks`)."""
    fields = "a.id, a.title, a.outlet, a.url, a.published"
    slots = ",".join("?" * len(ids))
    found = {
        r["id"]: dict(r)
        for r in db.execute(
            f"SELECT {fields}, substr(a.text, 1, 160) AS snippet FROM articles a WHERE a.id IN ({slots})", ids
        )
    }
    if match:
        # One lookup per row: with `rowid IN (...)` FTS5 walks every match of the query (16 ms for a
        # word in 19,000 articles) and keeps 20; `rowid = ?` seeks to the row.
        for article_id, row in found.items():
            snippet = db.execute(
                f"SELECT snippet({table}, 1, ?, ?, '…', 16) FROM {table} WHERE {table} MATCH ? AND rowid = ?",
                (*marks, match, article_id),
            ).fetchone()
            row["snippet"] = snippet[0] if snippet is not None else row["snippet"]
    for row in found.values():
        row["snippet"] = unsegment(row["snippet"] or "")
    return [found[i] for i in ids if i in found]
