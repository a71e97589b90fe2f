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
FIELDS = (
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


def timeline_key(row: sqlite3.Row | dict[str, Any]) -> tuple[bool, str, str, int]:
    """Dated appearances first, by date; then by ingest time; then in the order they were stored."""
    day = usable_date(row["published"])
    return (day is None, day or "", row["ingested_at"] or "", int(row["id"]))


def record(db: sqlite3.Connection, input_id: str, article_id: int, article: Article) -> None:
    """Keep the input's appearance (an input ingested again with new bytes replaces its own), then link
    credits: this copy to the outlet it credits, and copies waiting for this outlet to this one."""
    outlet = outlet_of(article.url, article.outlet)
    values = (article_id, outlet, article.url, article.title, article.published, article.credited_outlet)
    db.execute(
        "INSERT INTO appearances(input_id, article_id, outlet, url, title, published, credited_outlet) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(input_id) DO UPDATE SET article_id = excluded.article_id, "
        "outlet = excluded.outlet, url = excluded.url, title = excluded.title, "
        "published = excluded.published, credited_outlet = excluded.credited_outlet, "
        "credited_appearance = NULL, ingested_at = datetime('now')",
        (input_id, *values),
    )
    own = db.execute("SELECT id FROM appearances WHERE input_id = ?", (input_id,)).fetchone()[0]
    _link_credits(db, int(own), _group_rows(db, article_id))


def _link_credits(db: sqlite3.Connection, own_id: int, group: list[sqlite3.Row]) -> None:
    own = next(row for row in group if row["id"] == own_id)
    here = outlet_key(own["outlet"])
    credited = outlet_key(own["credited_outlet"])
    if credited and credited != here:
        # The earliest appearance of the credited outlet in the group (the same or a near-identical text).
        found = [r for r in group if r["id"] != own_id and outlet_key(r["outlet"]) == credited]
        if found:
            target = min(found, key=timeline_key)["id"]
            db.execute("UPDATE appearances SET credited_appearance = ? WHERE id = ?", (target, own_id))
    if not here:
        return
    waiting = [
        r["id"]
        for r in group
        if r["id"] != own_id
        and r["credited_appearance"] is None
        and outlet_key(r["credited_outlet"]) == here
        and outlet_key(r["outlet"]) != here
    ]
    db.executemany(
        "UPDATE appearances SET credited_appearance = ? WHERE id = ?", [(own_id, w) for w in waiting]
    )


def _group_rows(db: sqlite3.Connection, article_id: int) -> list[sqlite3.Row]:
    """Every appearance of the article's group: its original article and that one's near copies."""
    root = db.execute(
        "SELECT coalesce(duplicate_of, id) FROM articles WHERE id = ?", (article_id,)
    ).fetchone()
    if root is None:
        return []
    return db.execute(
        "SELECT * FROM appearances WHERE article_id IN "
        "(SELECT id FROM articles WHERE id = ?1 UNION ALL SELECT id FROM articles WHERE duplicate_of = ?1)",
        (root[0],),
    ).fetchall()


def timeline(db: sqlite3.Connection, article_id: int) -> list[dict[str, Any]]:
    """The group's appearances, first (the original) to last, each with the appearance it credits."""
    rows = sorted(_group_rows(db, article_id), key=timeline_key)
    by_id = {row["id"]: row for row in rows}
    found = []
    for position, row in enumerate(rows):
        credited = by_id.get(row["credited_appearance"])
        item = {field: row[field] for field in FIELDS[:8]}
        item["credited_input_id"] = credited["input_id"] if credited is not None else None
        item["credited_article_id"] = credited["article_id"] if credited is not None else None
        item["original"] = position == 0
        found.append(item)
    return found


def outlets_count(items: list[dict[str, Any]]) -> int:
    """How many outlets a timeline spans ('Daily Mail' and dailymail.co.uk are one)."""
    return len({outlet_key(item["outlet"]) or f"?{item['input_id']}" for item in items})


def backfill(db: sqlite3.Connection) -> None:
    """A store written before appearances existed: every stored or duplicate input becomes an appearance.
    Inputs that were identical copies kept no URL, title or date then: those stay unknown (null)."""
    rows = db.execute(
        "SELECT i.input_id, i.status, i.article_id, i.ingested_at, a.url, a.outlet, a.title, a.published "
        "FROM inputs i JOIN articles a ON a.id = i.article_id "
        "WHERE i.status IN ('stored', 'duplicate') ORDER BY i.rowid"
    ).fetchall()
    db.executemany(
        "INSERT OR IGNORE INTO appearances(input_id, article_id, outlet, url, title, published, ingested_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [_backfilled(row) for row in rows],
    )
    # An article whose input was later re-ingested as another article still appeared once.
    orphans = db.execute(
        "SELECT NULL AS input_id, 'stored' AS status, id AS article_id, ingested_at, url, outlet, title, "
        "published FROM articles a WHERE NOT EXISTS (SELECT 1 FROM appearances p WHERE p.article_id = a.id)"
    ).fetchall()
    db.executemany(
        "INSERT INTO appearances(input_id, article_id, outlet, url, title, published, ingested_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [_backfilled(row) for row in orphans],
    )


def _backfilled(row: sqlite3.Row) -> tuple[Any, ...]:
    if row["status"] == "stored":
        outlet = outlet_of(row["url"], row["outlet"])
        return (
            row["input_id"],
            row["article_id"],
            outlet,
            row["url"],
            row["title"],
            row["published"],
            row["ingested_at"],
        )
    return (row["input_id"], row["article_id"], None, None, None, None, row["ingested_at"])
