"""Reads over the store: full-text search, who said what, stories, one article, counts.
Each function takes the store's connection (rows as `sqlite3.Row`) and writes nothing."""

from __future__ import annotations

import json
import re
import sqlite3
import zlib
from typing import Any

from ..entities.names import bare_person_name
from . import appearances, people, search_index
from .query_language import QueryError
from .search import SearchRequest, find
from .search_columns import Columns

__all__ = ["SearchRequest"]
SEARCH_WINDOW = 20_000  # matches of one query that are ranked (the newest): see search.py
_FTS_WORD = re.compile(r"\w+")
COUNTED_TABLES = ("articles", "inputs", "entities", "attributions", "stories")


def counts(db: sqlite3.Connection) -> dict[str, int]:
    return {t: int(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in COUNTED_TABLES}


def fts_query(query: str) -> str:
    """User text as an FTS5 query of quoted terms: no operator or syntax error can come through."""
    return " ".join(f'"{word}"' for word in _FTS_WORD.findall(query)[:32])


def search(
    db: sqlite3.Connection,
    query: str,
    limit: int,
    marks: tuple[str, str],
    all_copies: bool = False,
    kept: bool = True,
) -> list[dict[str, Any]]:
    """The first `limit` results of `query` (search_page), best first; `marks` bracket the matched words
    in the snippet. A query the query language cannot read (an unclosed quote) is searched as its words.
    One row per original: its best-ranked text, the original appearance and how many copies it has
    (`copies`), with every appearance under `appearances` when `all_copies`. `kept`: the store
    has appearances (a store not yet migrated, opened read-only, has not)."""
    request = SearchRequest(text=query, limit=limit, all_copies=all_copies)
    try:
        return list(search_page(db, request, marks, kept)["results"])
    except QueryError:
        request.text = fts_query(query)  # every word quoted: a phrase of one word, never an operator
        return list(search_page(db, request, marks, kept)["results"]) if request.text else []


def search_page(
    db: sqlite3.Connection,
    request: SearchRequest,
    marks: tuple[str, str],
    kept: bool = True,
    columns: Columns | None = None,
) -> dict[str, Any]:
    """One page of results (search.find), each row shown as its group's original with its copies counted;
    `total` results, `capped` when only the newest SEARCH_WINDOW matches were looked at. `columns`: a
    server's fresh search_columns, for unfiltered queries."""
    found = find(db, request, marks, kept, SEARCH_WINDOW, columns)
    if kept and found.rows:
        summaries = group_summaries(db, sorted(set(found.roots.values())))
        for result in found.rows:
            _as_original(db, result, summaries.get(found.roots[result["id"]]), request.all_copies)
    return {"total": found.total, "capped": found.capped, "results": found.rows, "bins": found.bins}


Summary = tuple[dict[str, Any] | None, int, int]  # a group's original appearance, its copies, its outlets


def group_summaries(db: sqlite3.Connection, roots: list[int]) -> dict[int, Summary]:
    """appearances.summary of several groups (by their original article) in two queries, not three per
    group: a page of 20 results spent 3 ms on 60 queries."""
    slots = ",".join("?" * len(roots))
    members = (
        f"SELECT id AS root, id AS member FROM articles WHERE id IN ({slots}) "
        f"UNION ALL SELECT duplicate_of, id FROM articles WHERE duplicate_of IN ({slots})"
    )
    firsts = db.execute(
        f"SELECT * FROM (SELECT g.root AS group_root, p.*, row_number() OVER (PARTITION BY g.root "
        f"ORDER BY {appearances.TIMELINE_ORDER}) AS place FROM ({members}) g "
        "JOIN appearances p ON p.article_id = g.member) WHERE place = 1",
        [*roots, *roots],
    )
    first = {}
    for row in firsts:
        record = dict(row)
        first[int(record.pop("group_root"))] = record
        record.pop("place")
    sizes = db.execute(
        "SELECT g.root, count(*), count(DISTINCT coalesce(p.outlet_key, '?' || p.id)) "
        f"FROM ({members}) g JOIN appearances p ON p.article_id = g.member GROUP BY g.root",
        [*roots, *roots],
    )
    counts = {int(root): (int(total), int(outlets)) for root, total, outlets in sizes}
    return {
        root: (first.get(root), max(0, counts.get(root, (0, 0))[0] - 1), counts.get(root, (0, 0))[1])
        for root in roots
    }


def _as_original(
    db: sqlite3.Connection, result: dict[str, Any], summary: Summary | None, all_copies: bool
) -> None:
    """A search row shown as its group's original appearance, with the number of copies."""
    first, copies, outlets = summary or (None, 0, 0)
    if first is not None:
        result["id"] = first["article_id"]
        for field in ("title", "outlet", "url", "published"):
            result[field] = first[field] if first[field] is not None else result.get(field)
    result["copies"], result["outlets"] = copies, outlets
    if all_copies:
        result["appearances"] = appearances.timeline(db, result["id"])


def entity_ids(db: sqlite3.Connection, name: str) -> list[int]:
    """The corpus entities a name may mean: by full name or alias (titles dropped), or by surname."""
    wanted = bare_person_name(name.strip()).lower()
    rows = db.execute(
        "SELECT DISTINCT entity_id FROM entity_aliases WHERE alias = ? "
        "UNION SELECT entity_id FROM surnames WHERE surname = ?",
        (wanted, wanted),
    )
    return [int(r[0]) for r in rows]


def entities(db: sqlite3.Connection, ids: list[int]) -> list[dict[str, Any]]:
    """The entities `ids`, each with how many statements it made and in how many articles, and what articles
    call it (descriptors, each with its article count); the most quoted first (a page that must tell
    several people of one name apart lists them in this order)."""
    if not ids:
        return []
    rows = db.execute(
        "SELECT e.id, e.name, e.type, count(t.id) AS statements, count(DISTINCT t.article_id) AS articles "
        "FROM entities e LEFT JOIN attributions t ON t.entity_id = e.id "
        f"WHERE e.id IN ({','.join('?' * len(ids))}) GROUP BY e.id ORDER BY statements DESC, e.name",
        ids,
    ).fetchall()
    return [{**r, "descriptors": people.descriptors_of(db, r["id"])} for r in map(dict, rows)]


def stories(db: sqlite3.Connection, limit: int, min_size: int) -> list[dict[str, Any]]:
    """The largest stories first, each with its articles in publication order."""
    rows = db.execute(
        "SELECT id, title FROM stories WHERE size >= ? ORDER BY size DESC, id LIMIT ?", (min_size, limit)
    ).fetchall()
    return [_story_with_articles(db, row) for row in rows]


def recent_stories(db: sqlite3.Connection, limit: int, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """Stories by their latest article's date (undated last: NULL sorts last in DESC), each with its
    articles, outlets and span; a story none of whose articles is a news article (when page types are
    stored) is left out. Returns the number of such stories and the page asked for."""
    if search_index.has_news_index(db):
        total_sql = f"SELECT count(DISTINCT story_id) FROM articles WHERE {search_index.NEWS_ARTICLE}"
        news = (  # page_type unqualified, as in the partial index's condition, so that SQLite uses it
            f"EXISTS (SELECT 1 FROM articles WHERE articles.story_id = s.id AND {search_index.NEWS_ARTICLE})"
        )
    else:  # a store not migrated (read-only): every story
        total_sql, news = "SELECT count(*) FROM stories", "1"
    total = int(db.execute(total_sql).fetchone()[0])
    rows = db.execute(
        f"SELECT s.id, s.title FROM stories s WHERE {news} "
        "ORDER BY s.last_published DESC, s.id DESC LIMIT ? OFFSET ?",
        (limit, offset),
    ).fetchall()
    return total, [_story_with_articles(db, row) for row in rows]


# Articles a story view lists at once: a story of thousands of copies stays one cheap page, and its counts
# and date span still cover every member.
STORY_ARTICLES_SHOWN = 500
_STORY_ORDER = "published IS NULL, published, id"


def story(
    db: sqlite3.Connection,
    story_id: int,
    kept: bool = True,
    limit: int = STORY_ARTICLES_SHOWN,
    offset: int = 0,
) -> dict[str, Any] | None:
    """One story with its counts, `limit` of its articles from `offset` (by date, undated last) and, when the
    store keeps them, every appearance of those articles in order."""
    row = db.execute("SELECT id, title FROM stories WHERE id = ?", (story_id,)).fetchone()
    if row is None:
        return None
    found = {**_story_summary(db, row), **_story_members(db, row, limit, offset)}
    rows = (
        db.execute(
            "SELECT * FROM appearances WHERE article_id IN (SELECT id FROM articles WHERE story_id = ? "
            f"ORDER BY {_STORY_ORDER} LIMIT ? OFFSET ?) ORDER BY {appearances.TIMELINE_ORDER}",
            (story_id, limit, offset),
        ).fetchall()
        if kept
        else []
    )
    roots = {a["id"]: a["duplicate_of"] or a["id"] for a in found["articles"]}
    found["appearances"] = appearances.records(db, rows, roots)  # each of its texts has its own original
    found["outlets"] = appearances.outlets_count(found["appearances"])
    return found


def _story_with_articles(db: sqlite3.Connection, story: sqlite3.Row) -> dict[str, Any]:
    """A story's counts and span over all its articles, and the first STORY_ARTICLES_SHOWN of them."""
    members = _story_members(db, story, STORY_ARTICLES_SHOWN, 0)
    return {**_story_summary(db, story), "title": members["title"], "articles": members["articles"]}


def _story_summary(db: sqlite3.Connection, story: sqlite3.Row) -> dict[str, Any]:
    """Counts and date span over all of a story's articles, each one SQL aggregate."""
    count, copies, first, last = db.execute(
        "SELECT count(*), count(duplicate_of), min(published), max(published) FROM articles "
        "WHERE story_id = ?",
        (story["id"],),
    ).fetchone()
    earliest = db.execute(  # the order index's first entry: the earliest dated article, if any is dated
        f"SELECT outlet, published FROM articles WHERE story_id = ? ORDER BY {_STORY_ORDER} LIMIT 1",
        (story["id"],),
    ).fetchone()
    outlets = [
        row[0]
        for row in db.execute(
            "SELECT DISTINCT outlet FROM articles WHERE story_id = ? AND outlet IS NOT NULL ORDER BY outlet",
            (story["id"],),
        )
    ]
    return {
        "id": story["id"],
        "article_count": count,
        "republications": copies,
        "first_published": first,
        "last_published": last,
        "first_outlet": earliest[0] if earliest is not None and earliest[1] is not None else None,
        "outlet_count": len(outlets),
        "outlet_names": outlets[:100],
    }


def _story_members(db: sqlite3.Connection, story: sqlite3.Row, limit: int, offset: int) -> dict[str, Any]:
    """A page of the story's articles; its title, else its first titled original's."""
    fields = ("id", "title", "outlet", "url", "duplicate_of", "published")
    articles = db.execute(
        f"SELECT {', '.join(fields)} FROM articles WHERE story_id = ? "
        f"ORDER BY {_STORY_ORDER} LIMIT ? OFFSET ?",
        (story["id"], limit, offset),
    ).fetchall()
    members = [{k: a[k] for k in fields} for a in articles]
    titled = (
        story["title"]
        or db.execute(
            "SELECT title FROM articles WHERE story_id = ? AND title IS NOT NULL AND title != '' "
            f"AND duplicate_of IS NULL ORDER BY {_STORY_ORDER} LIMIT 1",
            (story["id"],),
        ).fetchone()
    )
    title = titled if isinstance(titled, str) or titled is None else titled[0]
    return {"title": title, "articles": members, "offset": offset, "limit": limit}


def article(db: sqlite3.Connection, article_id: int, kept: bool = True) -> dict[str, Any] | None:
    """The full stored Article JSON, with its corpus id, near-duplicate link, story and appearances
    (its group's, the original first)."""
    row = db.execute(
        "SELECT id, record, duplicate_of, story_id FROM articles WHERE id = ?", (article_id,)
    ).fetchone()
    if row is None:
        return None
    record: dict[str, Any] = json.loads(zlib.decompress(row["record"]))
    record.update({"id": row["id"], "duplicate_of": row["duplicate_of"], "story_id": row["story_id"]})
    record["appearances"] = appearances.timeline(db, article_id) if kept else []
    record["outlets"] = appearances.outlets_count(record["appearances"])
    return record
