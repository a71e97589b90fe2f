"""The columns a search reads for each match, held in memory as arrays indexed by article id.

A common word matches tens of thousands of articles. For each match the SQL path (search.py) looks up the
article's group, date and outlet in a covering index (about 1 µs a match), then groups and bins them in
temporary B-trees: 4–6 µs a match in all, 100 ms for the newest 20,000 matches of a common word, which set a
server's p99. Here those lookups are array reads, and grouping, sorting and binning are numpy operations:
about 0.1 µs a match. What is left is reading the matches' ids (and BM25, for relevance) from FTS5.

Outlet and date filters are applied here too (`passes`): an outlet filter in SQL seeks each match's
appearances, 2–3 µs a match, 40–110 ms for a common word. Language and page-type filters stay in SQL, which
also serves every query while the columns are stale. Both paths give the same pages, counts and bins
(tests/corpus/test_search_columns.py); a group's best member among equal scores is its newest (highest id)
here, where SQL keeps whichever it meets first.

ColumnCache keeps the arrays fresh for a server: `PRAGMA data_version` on its own connection says when
another connection has committed, and then a rebuild (a second at a million articles) runs in the
background while SQL answers. A request whose matches include an article newer than the arrays goes to SQL.
"""

from __future__ import annotations

import re
import sqlite3
import string
import threading
import time
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from .appearances import EARLIEST_USABLE_YEAR
from .search_index import covered_articles

UNKNOWN_OUTLET = "(unknown outlet)"  # articles with no outlet, stacked as one (web.charts.UNKNOWN)
NO_DAY = -1  # an article whose published value starts with no valid YYYY-MM-DD
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def sql_lower(text: str) -> str:
    """SQLite's lower(): ASCII letters only (SQLite is built without ICU)."""
    return text.translate(_ASCII_LOWER)


MATCH_LISTS_KEPT = 128  # match lists a Columns keeps, the most recently asked (each at most a window's ids)
MATCH_LIST_KEPT_FROM = 2_000  # matches from which a list is kept: a shorter one is read again in ~1 ms


class KeptMatches:
    """The match lists (ids, ranked or newest first) of the common queries asked lately, kept with the
    columns they were read for. A common word's newest 20,000 matches, each scored by BM25, took 17-25 ms
    to read from FTS5: one such search held up the 25 or so requests queued behind it in a worker, and a
    few together made the search page's slowest answers under load. People ask for the words of the day's
    big stories again and again. Each list is stored with the FTS5 index's totals (rows and words) that it
    was read at, and is not used once they have changed (nor are the columns, by a ColumnCache, then)."""

    def __init__(self, most: int = MATCH_LISTS_KEPT) -> None:
        self.most = most
        self.lists: OrderedDict[tuple[Any, ...], tuple[bytes, np.ndarray]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...], totals: bytes) -> np.ndarray | None:
        with self.lock:
            found = self.lists.get(key)
            if found is None or found[0] != totals:
                return None
            self.lists.move_to_end(key)
            return found[1]

    def keep(self, key: tuple[Any, ...], totals: bytes, ids: np.ndarray) -> None:
        if len(ids) < MATCH_LIST_KEPT_FROM:
            return
        ids.setflags(write=False)  # shared by every later search: nobody may sort it in place
        with self.lock:
            self.lists[key] = (totals, ids)
            self.lists.move_to_end(key)
            while len(self.lists) > self.most:
                self.lists.popitem(last=False)


@dataclass(frozen=True)
class Columns:
    """Per article id (ids at or above `size` are not covered): its group's original, the proleptic
    ordinal of its day (NO_DAY when the first ten characters are not a real date), its outlet's code in
    `outlets`, and the rank of its published text among all (-1 when NULL; equal texts, equal ranks)."""

    root: np.ndarray
    day: np.ndarray
    outlet: np.ndarray
    published_rank: np.ndarray
    outlets: tuple[str, ...]
    # For the filters: the rank of the published text's first ten characters among `heads` (sorted; -1
    # when NULL), and each appearance's article with its outlet's code in `appearance_outlets` (names as
    # SQLite's lower() gives them; -1 when NULL).
    head_rank: np.ndarray
    heads: tuple[str, ...]
    appearance_article: np.ndarray
    appearance_outlet: np.ndarray
    appearance_outlets: tuple[str, ...]
    kept: KeptMatches = field(default_factory=KeptMatches, compare=False, repr=False)

    @property
    def size(self) -> int:
        return len(self.root)

    def covers(self, ids: np.ndarray) -> bool:
        return not len(ids) or (int(ids.max()) < self.size and bool((self.root[ids] >= 0).all()))


def day_ordinal(published: str | None) -> int:
    """The date's ordinal when `published` starts with a real YYYY-MM-DD (SQLite's `date(day, '+0 days')
    IS day`), else NO_DAY."""
    head = (published or "")[:10]
    if not _ISO_DAY.fullmatch(head):
        return NO_DAY
    try:
        return date.fromisoformat(head).toordinal()
    except ValueError:  # 2024-02-30
        return NO_DAY


def read_columns(db: sqlite3.Connection) -> Columns:
    """The columns of every article, read in one pass over the articles (through the search index)."""
    rows = db.execute(
        f"SELECT a.id, coalesce(a.duplicate_of, a.id), a.published, a.outlet FROM {covered_articles(db)}"
    ).fetchall()
    size = max((row[0] for row in rows), default=0) + 1
    ids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
    root = np.full(size, -1, np.int64)
    root[ids] = [r[1] for r in rows]
    published_rank, _ = _text_ranks(ids, [r[2] for r in rows], size)
    head_rank, heads = _text_ranks(ids, [None if r[2] is None else r[2][:10] for r in rows], size)
    # a day per distinct head, not per article; the extra last entry is what a head rank of -1 reads
    day = np.array([*map(day_ordinal, heads), NO_DAY], np.int32)[head_rank]
    codes: dict[str, int] = {}
    outlet = np.zeros(size, np.int32)
    outlet[ids] = [codes.setdefault(r[3] if r[3] is not None else UNKNOWN_OUTLET, len(codes)) for r in rows]
    return Columns(
        root, day, outlet, published_rank, tuple(codes), head_rank, heads, *_appearance_columns(db)
    )


def _text_ranks(ids: np.ndarray, texts: list[str | None], size: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each id's text ranked as SQLite sorts text (code point order, as Python's; -1 when NULL), with the
    distinct texts in that order."""
    distinct = tuple(sorted({t for t in texts if t is not None}))
    place = {text: rank for rank, text in enumerate(distinct)}
    ranks = np.full(size, -1, np.int32)
    ranks[ids] = [-1 if t is None else place[t] for t in texts]
    return ranks, distinct


def _appearance_columns(db: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Each appearance's article and outlet code, outlets lowered as SQLite lowers them (none in a store
    from before appearances, where outlet filters do not look at them: search.find's `kept`)."""
    known = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'appearances'").fetchone()
    rows = db.execute("SELECT article_id, lower(outlet) FROM appearances").fetchall() if known else []
    codes: dict[str, int] = {}
    outlet = np.array([-1 if r[1] is None else codes.setdefault(r[1], len(codes)) for r in rows], np.int32)
    return np.array([r[0] for r in rows], np.int64), outlet, tuple(codes)


def passes(
    columns: Columns, ids: np.ndarray, outlets: list[str], since: str | None, until: str | None, kept: bool
) -> np.ndarray | None:
    """Which of `ids` pass search._filters' outlet and date conditions (outlets as typed), or
    None when the columns cannot tell (an outlet named as the unknown band shares its code)."""
    ok = np.ones(len(ids), bool)
    if outlets:
        wanted = {name.lower() for name in outlets}  # as search._filters lowers them
        if sql_lower(UNKNOWN_OUTLET) in wanted:
            return None
        codes = [code for code, name in enumerate(columns.outlets) if sql_lower(name) in wanted]
        by_outlet = np.isin(columns.outlet[ids], codes)
        if kept:
            named = [code for code, name in enumerate(columns.appearance_outlets) if name in wanted]
            seen = columns.appearance_article[np.isin(columns.appearance_outlet, named)]
            by_outlet |= np.isin(ids, seen)
        ok &= by_outlet
    heads = columns.head_rank[ids]
    if since:  # an empty date is no filter, as in SQL
        ok &= heads >= bisect_left(columns.heads, since)
    if until:
        ok &= (heads >= 0) & (heads < bisect_right(columns.heads, until))
    return ok


def usable_days(columns: Columns, ids: np.ndarray, today: date | None = None) -> np.ndarray:
    """The day ordinals of `ids`, NO_DAY where the date is not usable (before 1990 or after today)."""
    days = columns.day[ids]
    latest = (today or date.today()).toordinal()
    usable = (days >= date(EARLIEST_USABLE_YEAR, 1, 1).toordinal()) & (days <= latest)
    return np.where(usable, days, NO_DAY)


UNITS = ("day", "week", "month", "year")


def period_start(day: date, unit: str) -> date:
    """The first day of the period (a week starts on Monday) that holds `day`."""
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "year":
        return day.replace(month=1, day=1)
    return day


def period_count(first: date, last: date, unit: str) -> int:
    """How many periods of `unit` run from the one holding `first` to `last` (counted, not listed: a span
    of years is thousands of days)."""
    start = period_start(first, unit)
    if start > last:
        return 0
    if unit == "month":
        return (last.year - start.year) * 12 + last.month - start.month + 1
    if unit == "year":
        return last.year - start.year + 1
    return (last - start).days // (7 if unit == "week" else 1) + 1


def choose_unit(first: date, last: date, most: int) -> str:
    """The finest unit whose periods from `first` to `last` number at most `most` (the rule search.bin_sql
    writes in SQL, and web.charts draws by)."""
    return next((u for u in UNITS[:-1] if period_count(first, last, u) <= most), UNITS[-1])


def period_ordinals(days: np.ndarray, unit: str) -> np.ndarray:
    """The ordinal of the period each day ordinal falls in: the day, its week's Monday, its month's or
    year's first day (numpy's calendar months and years, counted from 1970-01-01)."""
    if unit == "day":
        return days
    if unit == "week":
        return days - (days - 1) % 7  # ordinal 1, 0001-01-01, was a Monday
    as_dates = (days - _EPOCH).astype("datetime64[D]")
    firsts = as_dates.astype("datetime64[M]" if unit == "month" else "datetime64[Y]").astype("datetime64[D]")
    return firsts.astype(np.int64) + _EPOCH


_EPOCH = date(1970, 1, 1).toordinal()


class ColumnCache:
    """A server's columns, rebuilt in the background when another connection has committed. `current()`
    gives them when they are fresh, else None (and starts a rebuild, at most one at a time, and not
    sooner than `pause` times the last build's duration after it)."""

    def __init__(self, path: Path, pause: float = 10.0) -> None:
        self.path = path
        self.pause = pause
        self.lock = threading.Lock()
        self.watch = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self.columns: Columns | None = None
        self.version: int | None = None  # data_version the columns were read at
        self.building = False
        self.next_build = 0.0  # monotonic time before which no rebuild starts

    def current(self) -> Columns | None:
        with self.lock:
            version = int(self.watch.execute("PRAGMA data_version").fetchone()[0])
            if self.columns is not None and version == self.version:
                return self.columns
            if not self.building and time.monotonic() >= self.next_build:
                self.building = True
                threading.Thread(target=self.rebuild, name="search-columns", daemon=True).start()
            return None

    def rebuild(self) -> None:
        """Read the columns on a connection of the build's own; the version is read before them, so a
        commit while they are read leaves them stale (read again), never wrongly fresh."""
        started = time.monotonic()
        try:
            with self.lock:
                version = int(self.watch.execute("PRAGMA data_version").fetchone()[0])
            reader = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                columns = read_columns(reader)
            finally:
                reader.close()
            with self.lock:
                self.columns, self.version = columns, version
        finally:
            with self.lock:
                self.building = False
                self.next_build = time.monotonic() + self.pause * (time.monotonic() - started)

    def close(self) -> None:
        self.watch.close()


# ---- a page and a chart from the matches ------------------------------------------------------------------


def best_of_groups(columns: Columns, ids: np.ndarray) -> np.ndarray:
    """Each group's first match, in the order of `ids` (best first: BM25, then the newest; or newest)."""
    _, first = np.unique(columns.root[ids], return_index=True)
    return ids[np.sort(first)]


def page_order(columns: Columns, ids: np.ndarray, sort: str) -> np.ndarray:
    """Positions of the groups' best matches (best_of_groups) in search._ORDER's order for `sort`."""
    if sort == "relevance":
        return np.arange(len(ids))  # already best first
    ranks = columns.published_rank[ids].astype(np.int64)
    undated = ranks < 0
    if sort == "newest":
        return np.lexsort((-ids, -ranks, undated))
    return np.lexsort((ids, ranks, undated))


def bin_matches(
    columns: Columns, ids: np.ndarray, shape: tuple[int, int], today: date | None = None
) -> tuple[str, tuple[str, ...], bool, tuple[tuple[str, int, int], ...], int]:
    """search.bin_sql's bins of every match: (unit, top outlets, more outlets, counts, dated articles)."""
    top, most = shape
    days = usable_days(columns, ids, today)
    dated = days != NO_DAY
    if not dated.any():
        return "year", (), False, (), 0
    days, outlets = days[dated], columns.outlet[ids[dated]]
    unit = choose_unit(date.fromordinal(int(days.min())), date.fromordinal(int(days.max())), most)
    starts = period_ordinals(days, unit)
    per_outlet = np.bincount(outlets, minlength=len(columns.outlets))
    present = np.flatnonzero(per_outlet)
    ranked = sorted(present.tolist(), key=lambda code: (-per_outlet[code], columns.outlets[code]))
    slot = np.full(len(columns.outlets), top, np.int64)
    slot[ranked[:top]] = np.arange(len(ranked[:top]))
    keys, counts = np.unique(starts * (top + 1) + slot[outlets], return_counts=True)
    cells = tuple(
        (date.fromordinal(int(key) // (top + 1)).isoformat(), int(key) % (top + 1), int(n))
        for key, n in zip(keys, counts, strict=True)
    )
    named = tuple(columns.outlets[code] for code in ranked[:top])
    return unit, named, len(ranked) > top, cells, int(dated.sum())
