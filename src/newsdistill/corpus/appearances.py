"""Appearances: every input that yielded an article, kept with where and when it appeared.

Identical copies share one article row; near copies are articles of their own linked by `duplicate_of`.
Either way a group (an original and its near copies) has one timeline of appearances: the first is the
original (earliest published, else earliest ingested), the rest are copies. A copy that credits an
outlet (`credited_outlet`) is linked to that outlet's appearance in its group, whichever came first.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from ..lexicons import name_key, outlet_for_host, outlet_names
from ..model import Article

EARLIEST_USABLE_YEAR = 1990  # older dates on news pages are parse errors or archive stamps
FIELDS = (  # an appearance record (CONVENTIONS.md), with the outlet it credits and that outlet's appearance
    "article_id",
    "input_id",
    "outlet",
    "url",
    "title",
    "published",
    "ingested_at",
    "credited_outlet",
    "credited_input_id",
    "credited_article_id",
)


def outlet_of(url: str | None, outlet: str | None) -> str | None:
    """Where a page appeared: its URL's host (a known outlet's name for a known host), else `outlet`."""
    host = _host(url)
    if not host:
        return outlet
    return outlet_for_host(host) or host.removeprefix("www.")


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url.strip()).hostname or None
    except ValueError:  # a malformed URL (an unclosed IPv6 bracket) has no host
        return None


def outlet_key(outlet: str | None) -> str:
    """One key for the ways an outlet is written: 'Daily Mail', 'MailOnline', 'dailymail.co.uk'."""
    if not outlet:
        return ""
    if "." in outlet and " " not in outlet.strip():
        known = outlet_for_host(outlet)
        return name_key(known) if known else name_key(_site_label(outlet.lower()))
    return name_key(outlet_names().get(name_key(outlet), outlet))


def _site_label(host: str) -> str:
    """'news.example.co.uk' -> 'example': the name-bearing label of a host."""
    labels = host.removeprefix("www.").strip(".").split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and len(labels[-2]) <= 3:  # example.co.uk, example.com.au
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


def usable_date(published: str | None, today: date | None = None) -> str | None:
    """The date for ordering, or None: dates in the future or before 1990 are stored but not trusted."""
    try:
        day = date.fromisoformat(published[:10]) if published else None
    except ValueError:
        return None
    if day is None or day.year < EARLIEST_USABLE_YEAR or day > (today or date.today()):
        return None
    return day.isoformat()


# The order of a timeline, in SQL so that a group of thousands of copies is never sorted in Python:
# a usable date first (dates before 1990 or after today are unknown here), then ingest time, then arrival.
_USABLE_DATE = "date(substr(published, 1, 10))"
_DATE_IS_USABLE = f"{_USABLE_DATE} BETWEEN '{EARLIEST_USABLE_YEAR}-01-01' AND date('now')"
TIMELINE_ORDER = (
    f"CASE WHEN {_DATE_IS_USABLE} THEN 0 ELSE 1 END, "
    f"CASE WHEN {_DATE_IS_USABLE} THEN {_USABLE_DATE} END, "
    "ingested_at, id"
)
# The appearances of a group: its original article (?1) and that one's near copies.
_IN_GROUP = (
    "article_id IN (SELECT id FROM articles WHERE id = ?1 "
    "UNION ALL SELECT id FROM articles WHERE duplicate_of = ?1)"
)


def record(db: sqlite3.Connection, input_id: str, article_id: int, article: Article) -> None:
    """Keep the input's appearance (an input ingested again with new bytes replaces its own), then link
    credits: this copy to the outlet it credits, and copies waiting for this outlet to this one."""
    outlet = outlet_of(article.url, article.outlet)
    credited = article.credited_outlet
    keys = (outlet_key(outlet) or None, outlet_key(credited) or None)
    values = (article_id, outlet, article.url, article.title, article.published, credited, *keys)
    db.execute(
        "INSERT INTO appearances(input_id, article_id, outlet, url, title, published, credited_outlet, "
        "outlet_key, credited_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(input_id) DO UPDATE SET "
        "article_id = excluded.article_id, outlet = excluded.outlet, url = excluded.url, "
        "title = excluded.title, published = excluded.published, credited_outlet = excluded.credited_outlet, "
        "outlet_key = excluded.outlet_key, credited_key = excluded.credited_key, "
        "credited_appearance = NULL, ingested_at = datetime('now')",
        (input_id, *values),
    )
    own = int(db.execute("SELECT id FROM appearances WHERE input_id = ?", (input_id,)).fetchone()[0])
    _link_credits(db, own, _root(db, article_id), *keys)


def _root(db: sqlite3.Connection, article_id: int) -> int:
    row = db.execute("SELECT coalesce(duplicate_of, id) FROM articles WHERE id = ?", (article_id,)).fetchone()
    return int(row[0]) if row is not None else article_id


def _link_credits(
    db: sqlite3.Connection, own: int, root: int, here: str | None, credited: str | None
) -> None:
    if credited and credited != here:
        # The earliest appearance of the credited outlet in the group (the same or a near-identical text).
        target = db.execute(
            f"SELECT id FROM appearances WHERE {_IN_GROUP} AND outlet_key = ?2 AND id != ?3 "
            f"ORDER BY {TIMELINE_ORDER} LIMIT 1",
            (root, credited, own),
        ).fetchone()
        if target is not None:
            db.execute("UPDATE appearances SET credited_appearance = ? WHERE id = ?", (target[0], own))
    if here:
        db.execute(
            f"UPDATE appearances SET credited_appearance = ?3 WHERE {_IN_GROUP} AND credited_key = ?2 "
            "AND credited_appearance IS NULL AND outlet_key IS NOT ?2 AND id != ?3",
            (root, here, own),
        )


def timeline(db: sqlite3.Connection, article_id: int) -> list[dict[str, Any]]:
    """The group's appearances, first (the original) to last, each with the appearance it credits."""
    rows = db.execute(
        f"SELECT * FROM appearances WHERE {_IN_GROUP} ORDER BY {TIMELINE_ORDER}", (_root(db, article_id),)
    ).fetchall()
    return records(db, rows)


def records(
    db: sqlite3.Connection, rows: list[sqlite3.Row], roots: dict[int, int] | None = None
) -> list[dict[str, Any]]:
    """Appearance rows as records, in their order. Without `roots` (one text's appearances) the first is the
    original; with `roots` (article id -> its group's original article, for a story's several texts) the
    first appearance of each group is."""
    wanted = sorted({row["credited_appearance"] for row in rows if row["credited_appearance"] is not None})
    credited = {
        c["id"]: c
        for c in db.execute(
            f"SELECT id, input_id, article_id FROM appearances WHERE id IN ({','.join('?' * len(wanted))})",
            wanted,
        )
    }
    found, seen = [], set()
    for i, row in enumerate(rows):
        item = {field: row[field] for field in FIELDS[:8]}
        link = credited.get(row["credited_appearance"])
        item["credited_input_id"] = link["input_id"] if link is not None else None
        item["credited_article_id"] = link["article_id"] if link is not None else None
        group = roots.get(row["article_id"], row["article_id"]) if roots is not None else None
        item["original"] = i == 0 if roots is None else group not in seen
        seen.add(group)
        found.append(item)
    return found


def summary(db: sqlite3.Connection, article_id: int) -> tuple[dict[str, Any] | None, int, int]:
    """The group's original appearance, how many copies it has and in how many outlets it appeared."""
    root = _root(db, article_id)
    first = db.execute(
        f"SELECT * FROM appearances WHERE {_IN_GROUP} ORDER BY {TIMELINE_ORDER} LIMIT 1", (root,)
    ).fetchone()
    total, outlets = db.execute(
        "SELECT count(*), count(DISTINCT coalesce(outlet_key, '?' || id)) "
        f"FROM appearances WHERE {_IN_GROUP}",
        (root,),
    ).fetchone()
    return (dict(first) if first is not None else None), max(0, total - 1), outlets


def outlets_count(items: list[dict[str, Any]]) -> int:
    """How many outlets a timeline spans ('Daily Mail' and dailymail.co.uk are one)."""
    return len({outlet_key(item["outlet"]) or f"?{item['input_id']}" for item in items})


# One lookup per article in inputs(article_id) (schema.sql's inputs_article): a scan of every input per
# article made opening a 100,000-article store from before appearances take half an hour.
ORPHANS = (
    "SELECT NULL AS input_id, 'stored' AS status, id AS article_id, ingested_at, url, outlet, title, "
    "published FROM articles a WHERE NOT EXISTS "
    "(SELECT 1 FROM inputs i WHERE i.article_id = a.id AND i.status IN ('stored', 'duplicate'))"
)


def backfill(db: sqlite3.Connection) -> None:
    """A store written before appearances existed: every stored or duplicate input becomes an appearance.
    Inputs that were identical copies kept no URL, title or date then: those stay unknown (null)."""
    rows = db.execute(
        "SELECT i.input_id, i.status, i.article_id, i.ingested_at, a.url, a.outlet, a.title, a.published "
        "FROM inputs i JOIN articles a ON a.id = i.article_id "
        "WHERE i.status IN ('stored', 'duplicate') ORDER BY i.rowid"
    ).fetchall()
    # An article whose input was later re-ingested as another article still appeared once.
    orphans = db.execute(ORPHANS).fetchall()
    db.executemany(
        "INSERT OR IGNORE INTO appearances(input_id, article_id, outlet, url, title, published, ingested_at, "
        "outlet_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [_backfilled(row) for row in [*rows, *orphans]],
    )


def _backfilled(row: sqlite3.Row) -> tuple[Any, ...]:
    known = row["status"] == "stored"
    outlet = outlet_of(row["url"], row["outlet"]) if known else None
    url, title, published = (row["url"], row["title"], row["published"]) if known else (None, None, None)
    return (
        row["input_id"],
        row["article_id"],
        outlet,
        url,
        title,
        published,
        row["ingested_at"],
        outlet_key(outlet) or None,
    )
