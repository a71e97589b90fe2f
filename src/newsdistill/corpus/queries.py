"""Reads over the store: full-text search, who said what, stories, one article, counts.
Each function takes the store's connection (rows as `sqlite3.Row`) and writes nothing."""

from __future__ import annotations

import json
import re
import sqlite3
import zlib
from typing import Any

from ..entities.names import bare_person_name
from . import appearances

SEARCH_WINDOW = 20_000  # matches of one query that are ranked (the newest)
COPIES_RANKED = 4  # rows ranked per row shown: near copies of one original fold into one row
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
    """BM25 over title (weighted 2) and text; `marks` bracket the matched words in the snippet.
    A query that matches more than SEARCH_WINDOW articles is ranked among its newest SEARCH_WINDOW
    matches: ranking every match of a common word costs a second at a million articles.
    One row per original: its best-ranked text, the original appearance and how many copies it has
    (`copies`), with every appearance under `appearances` when `all_copies`. `kept`: the store
    has appearances (a store not yet migrated, opened read-only, has not)."""
    match = fts_query(query)
    if not match:
        return []
    ranked = db.execute(
        "SELECT rowid FROM (SELECT rowid, bm25(articles_fts, 2.0, 1.0) AS score FROM articles_fts "
        "WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT ?) ORDER BY score, rowid DESC LIMIT ?",
        (match, SEARCH_WINDOW, limit * COPIES_RANKED),
    )
    ids = _one_per_group(db, [int(r[0]) for r in ranked], limit)
    if not ids:
        return []
    rows = db.execute(
        "SELECT a.id, a.title, a.outlet, a.url, snippet(articles_fts, 1, ?, ?, '…', 16) AS snippet "
        "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid WHERE articles_fts MATCH ? "
        f"AND articles_fts.rowid IN ({','.join('?' * len(ids))})",
        (*marks, match, *ids),
    )
    found = {r["id"]: dict(r) for r in rows}
    results = [found[i] for i in ids if i in found]
    if kept:
        for result in results:
            _as_original(db, result, all_copies)
    return results


def _one_per_group(db: sqlite3.Connection, ids: list[int], limit: int) -> list[int]:
    """The best-ranked article of each group (an original and its near copies), in rank order."""
    if not ids:
        return []
    roots = dict(
        db.execute(
            f"SELECT id, coalesce(duplicate_of, id) FROM articles WHERE id IN ({','.join('?' * len(ids))})",
            ids,
        ).fetchall()
    )
    best: dict[int, int] = {}
    for article_id in ids:
        best.setdefault(roots.get(article_id, article_id), article_id)
    return list(best.values())[:limit]


def _as_original(db: sqlite3.Connection, result: dict[str, Any], all_copies: bool) -> None:
    """A search row shown as its group's original appearance, with the number of copies."""
    first, copies, outlets = appearances.summary(db, result["id"])
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


def who_said(db: sqlite3.Connection, name: str, limit: int) -> list[dict[str, Any]]:
    """What the entity named said, oldest first; a name no entity matches is looked up as a speaker."""
    ids = entity_ids(db, name)
    params: list[int | str]
    if ids:
        where, params = "t.entity_id IN (" + ",".join("?" * len(ids)) + ")", [*ids]
    else:
        where, params = "lower(t.speaker) = ?", [name.strip().lower()]
    rows = db.execute(
        "SELECT coalesce(e.name, t.speaker) AS speaker, t.content, t.cue, t.kind, t.medium, "
        "a.id, a.title, a.outlet, a.url, a.published "
        "FROM attributions t JOIN articles a ON a.id = t.article_id "
        f"LEFT JOIN entities e ON e.id = t.entity_id WHERE {where} "
        "ORDER BY coalesce(a.published, ''), a.id, t.id LIMIT ?",
        (*params, limit),
    ).fetchall()
    return [_quote(r) for r in rows]


def _quote(r: sqlite3.Row) -> dict[str, Any]:
    article = {"id": r["id"], "title": r["title"], "outlet": r["outlet"], "url": r["url"]}
    said = {k: r[k] for k in ("speaker", "content", "cue", "kind", "medium", "published")}
    return {**said, "article": article}


def stories(db: sqlite3.Connection, limit: int, min_size: int) -> list[dict[str, Any]]:
    """The largest stories first, each with its articles in publication order."""
    rows = db.execute(
        "SELECT id, title FROM stories WHERE size >= ? ORDER BY size DESC, id LIMIT ?", (min_size, limit)
    ).fetchall()
    return [_story_with_articles(db, row) for row in rows]


def story(db: sqlite3.Connection, story_id: int, kept: bool = True) -> dict[str, Any] | None:
    """One story with its articles and, when the store keeps them, every appearance of them in order."""
    row = db.execute("SELECT id, title FROM stories WHERE id = ?", (story_id,)).fetchone()
    if row is None:
        return None
    found = _story_with_articles(db, row)
    rows = (
        db.execute(
            "SELECT * FROM appearances WHERE article_id IN (SELECT id FROM articles WHERE story_id = ?) "
            f"ORDER BY {appearances.TIMELINE_ORDER}",
            (story_id,),
        ).fetchall()
        if kept
        else []
    )
    found["appearances"] = appearances.records(db, rows)
    found["outlets"] = appearances.outlets_count(found["appearances"])
    return found


def _story_with_articles(db: sqlite3.Connection, story: sqlite3.Row) -> dict[str, Any]:
    articles = db.execute(
        "SELECT id, title, outlet, url, duplicate_of, published FROM articles WHERE story_id = ? "
        "ORDER BY coalesce(published, ''), id",
        (story["id"],),
    ).fetchall()
    fields = ("id", "title", "outlet", "url", "duplicate_of", "published")
    return {
        "id": story["id"],
        "title": story["title"],
        "articles": [{k: a[k] for k in fields} for a in articles],
    }


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
