"""Counts the pages draw (web/charts.py), each an SQL aggregate over indexes: no article row is loaded.

- articles per day and outlet: of a search (its filters, among its newest `window` matches, as the
  result list), or of the articles quoting an entity;
- a story's speakers with their statements by act; the speakers quoted in the same stories as an entity;
  the top speakers of each story in a list (the start page's cards); the most quoted people.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from typing import Any

from ..entities.names import looks_like_name
from .appearances import usable_date
from .query_language import parse
from .quotes import row_act
from .search import (
    Bins,
    SearchRequest,
    _filters,
    bin_sql,
    column_bins,
    filtered_ids,
    in_columns,
    read_bins,
)
from .search_columns import Columns
from .search_index import CJK_TABLE, covered_articles, has_cjk_index

DayCount = tuple[str | None, str | None, int]  # (YYYY-MM-DD, or None when undated; outlet; articles)
SHARED_STORIES_LOOKED_AT = 1000  # an entity's newest stories searched for the speakers beside it


def search_days(
    db: sqlite3.Connection, request: SearchRequest, kept: bool, window: int
) -> tuple[list[DayCount], bool]:
    """Matching articles (copies included) per day and outlet, among the newest `window` matches, as
    search.find counts them (no words and no filter: the newest `window` articles); and whether the window
    was full. QueryError for a query it cannot read."""
    query = parse(request.text)
    table = CJK_TABLE if query.cjk and has_cjk_index(db) else "articles_fts"
    match = query.fts()
    where, params = _filters(db, request, [*request.outlets, *query.outlets], kept)
    articles = covered_articles(db)
    rows = db.execute(
        f"WITH hits AS MATERIALIZED ({_hits_sql(table, articles, where, bool(match))}) "
        "SELECT substr(a.published, 1, 10) AS day, a.outlet, count(*) AS n, "
        f"(SELECT count(*) FROM hits) AS hits FROM hits h JOIN {articles} ON a.id = h.id "
        "GROUP BY day, a.outlet",
        ([match] if match else []) + [*params, window],
    ).fetchall()
    capped = bool(rows) and int(rows[0]["hits"]) >= window
    return usable_days(rows), capped


def search_periods(
    db: sqlite3.Connection,
    request: SearchRequest,
    kept: bool,
    window: int,
    shape: tuple[int, int],
    columns: Columns | None = None,
) -> Bins:
    """search_days binned by period in SQL (or in memory from fresh `columns`, unless filtered by language
    or page type):
    `shape` is (top outlets named, most periods of a unit). QueryError for a query it cannot read."""
    query = parse(request.text)
    table = CJK_TABLE if query.cjk and has_cjk_index(db) else "articles_fts"
    match = query.fts()
    outlets = [*request.outlets, *query.outlets]
    where, params = _filters(db, request, outlets, kept)
    if columns is not None and in_columns(request, match):
        found = filtered_ids(db, table, match, False, request, columns, window, outlets, kept)
        if found is not None:
            return column_bins(columns, found[0], shape)
    articles = covered_articles(db)
    daily = (
        f"hits AS MATERIALIZED ({_hits_sql(table, articles, where, bool(match))}), "
        "daily AS MATERIALIZED (SELECT substr(a.published, 1, 10) AS day, a.outlet AS outlet, count(*) AS n "
        f"FROM hits h JOIN {articles} ON a.id = h.id GROUP BY day, a.outlet)"
    )
    return binned_days(db, daily, ([match] if match else []) + [*params, window], shape)


def binned_days(db: sqlite3.Connection, daily: str, params: list[Any], shape: tuple[int, int]) -> Bins:
    """Bins of `daily`, the CTEs ending in `daily(day, outlet, n)` (one row per YYYY-MM-DD and outlet; the
    day unchecked) with their `params`: the top outlets and OTHER, the unit and the periods, in one query."""
    ctes, cte_params, select, select_params = bin_sql(shape)
    return read_bins(db.execute(f"WITH {daily}{ctes} {select}", [*params, *cte_params, *select_params]))


def _hits_sql(table: str, articles: str, where: str, match: bool) -> str:
    """The newest `window` matches, as search.find takes them, without their score (not needed here,
    and BM25 for 20,000 matches costs more than counting them)."""
    if not match:
        return f"SELECT a.id FROM {articles} WHERE 1 {where} ORDER BY a.id DESC LIMIT ?"
    joined = f"JOIN {articles} ON a.id = {table}.rowid " if where else ""
    return (
        f"SELECT {table}.rowid AS id FROM {table} {joined}"
        f"WHERE {table} MATCH ? {where} ORDER BY {table}.rowid DESC LIMIT ?"
    )


def usable_days(rows: Iterable[sqlite3.Row]) -> list[DayCount]:
    """(day, outlet, n) rows with each day checked once: a date before 1990 or after today is a parse error
    or an archive stamp (appearances.usable_date), counted as undated: drawn, it would stretch the chart
    over decades."""
    checked: dict[str | None, str | None] = {}
    found = []
    for row in rows:
        day = row["day"]
        if day not in checked:
            checked[day] = usable_date(day)
        found.append((checked[day], row["outlet"], int(row["n"])))
    return found


def entity_days(db: sqlite3.Connection, entity_id: int) -> list[DayCount]:
    """Articles that quote the entity, per day and outlet."""
    rows = db.execute(
        "SELECT substr(a.published, 1, 10) AS day, a.outlet, count(*) AS n FROM articles a WHERE a.id IN "
        "(SELECT article_id FROM attributions WHERE entity_id = ?) GROUP BY day, a.outlet",
        (entity_id,),
    )
    return usable_days(rows)


def story_speakers(db: sqlite3.Connection, article_ids: list[int], tracked: bool) -> list[dict[str, Any]]:
    """The named speakers of a story's articles (those its page shows), the most statements first, each with
    its statements by act. A statement repeated by copies (one quote, when the store tracks quotes) counts
    once. `tracked`: the store has quote_mentions (a store from before quotes, opened read-only, has not)."""
    quote = "m.act, m.quote_id" if tracked else "NULL AS act, NULL AS quote_id"
    join = "LEFT JOIN quote_mentions m ON m.attribution_id = t.id" if tracked else ""
    rows = db.execute(
        f"SELECT t.id, t.entity_id, coalesce(e.name, t.speaker) AS speaker, t.cue, t.medium, {quote} "
        "FROM attributions t LEFT JOIN entities e ON e.id = t.entity_id "
        f"{join} WHERE t.article_id IN (SELECT value FROM json_each(?))",
        (json.dumps(article_ids),),
    )
    statements: dict[str, dict[str, set[Any]]] = {}
    entity_of: dict[str, int] = {}  # a name written once with its entity and once without is one speaker
    for row in rows:
        if row["entity_id"] is None and not full_name(row["speaker"]):
            continue  # 'he', 'Engineers', 'officials': no one to link to
        if row["entity_id"] is not None:
            entity_of.setdefault(row["speaker"], row["entity_id"])
        acts = statements.setdefault(row["speaker"], {})
        acts.setdefault(row_act(row), set()).add(row["quote_id"] or f"t{row['id']}")
    found = [
        {
            "entity_id": entity_of.get(name),
            "name": name,
            "statements": sum(len(s) for s in acts.values()),
            "acts": {act: len(s) for act, s in sorted(acts.items(), key=lambda kv: (-len(kv[1]), kv[0]))},
        }
        for name, acts in statements.items()
    ]
    return sorted(found, key=lambda s: (-s["statements"], s["name"]))


def full_name(speaker: str | None) -> bool:
    """A speaker no entity was found for is still named when written as a name of two words or more."""
    return bool(speaker) and " " in str(speaker).strip() and looks_like_name(str(speaker))


def quoted_beside(db: sqlite3.Connection, entity_id: int, limit: int = 10) -> list[dict[str, Any]]:
    """The speakers most often quoted in the same stories as the entity (among its newest
    SHARED_STORIES_LOOKED_AT stories), with the number of stories shared and their statements there."""
    rows = db.execute(
        "WITH own AS (SELECT a.story_id FROM attributions t JOIN articles a ON a.id = t.article_id "
        "WHERE t.entity_id = ?1 AND a.story_id IS NOT NULL GROUP BY a.story_id ORDER BY a.story_id DESC "
        "LIMIT ?2) SELECT t.entity_id AS id, e.name, count(DISTINCT a.story_id) AS stories, "
        "count(*) AS statements FROM own JOIN articles a ON a.story_id = own.story_id "
        "JOIN attributions t ON t.article_id = a.id JOIN entities e ON e.id = t.entity_id "
        "WHERE t.entity_id != ?1 GROUP BY t.entity_id "
        "ORDER BY stories DESC, statements DESC, e.name LIMIT ?3",
        (entity_id, SHARED_STORIES_LOOKED_AT, limit),
    )
    return [dict(r) for r in rows]


def top_speakers(
    db: sqlite3.Connection, story_ids: list[int], per_story: int = 3
) -> dict[int, list[dict[str, Any]]]:
    """The most quoted named speakers of each story (by statements), for the stories' cards."""
    if not story_ids:
        return {}
    rows = db.execute(
        "SELECT a.story_id, e.id, e.name, count(*) AS n "
        "FROM articles a JOIN attributions t ON t.article_id = a.id "
        f"JOIN entities e ON e.id = t.entity_id WHERE a.story_id IN ({','.join('?' * len(story_ids))}) "
        "GROUP BY a.story_id, t.entity_id ORDER BY a.story_id, n DESC, e.name",
        story_ids,
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        names = found.setdefault(int(row["story_id"]), [])
        if len(names) < per_story:
            names.append({"id": row["id"], "name": row["name"], "statements": row["n"]})
    return found


def most_quoted(db: sqlite3.Connection, limit: int) -> list[dict[str, Any]]:
    """The people and organisations with the most statements (read from the entity index alone)."""
    counts = db.execute(
        "SELECT entity_id, count(*) AS n FROM attributions WHERE entity_id IS NOT NULL "
        "GROUP BY entity_id ORDER BY n DESC LIMIT ?",
        (limit,),
    ).fetchall()
    names = dict(
        db.execute(
            f"SELECT id, name FROM entities WHERE id IN ({','.join('?' * len(counts))})",
            [r["entity_id"] for r in counts],
        ).fetchall()
    )
    tally = Counter({int(r["entity_id"]): int(r["n"]) for r in counts})
    return [{"id": i, "name": names.get(i, "?"), "statements": n} for i, n in tally.most_common()]
