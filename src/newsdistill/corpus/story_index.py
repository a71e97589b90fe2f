"""Story assignment in the store: an article joins the most similar story within its time window, found
through an inverted index of each story's strongest terms, or starts one (the rules: `stories`).
Every function works inside the caller's transaction."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Sequence

from ..model import Article
from . import stories

STORY_CANDIDATES = 50  # stories sharing most strong terms that an article is compared with
# A term shared by more stories than this is found through its newest ones only (news stories are recent).
POSTINGS_PER_TERM = 300
STORY_ENTITY_TYPES = {"PERSON", "ORG", "PLACE"}


def assign_story(db: sqlite3.Connection, article: Article) -> int:
    """The id of the story the article joins (or starts); its centroid, size and dates updated."""
    names = [e.name for e in article.entities if e.type in STORY_ENTITY_TYPES]
    counts = stories.term_counts(f"{article.title or ''} {article.text}", names)
    # Ids only grow and nothing is deleted, so max(id) is the count, without count(*)'s full scan.
    documents = int(db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0])
    vector = stories.tfidf(counts, _document_frequencies(db, list(counts)), documents)
    db.executemany(
        "INSERT INTO terms(term, df) VALUES (?, 1) ON CONFLICT(term) DO UPDATE SET df = df + 1",
        [(t,) for t in counts],
    )
    best = _best_story(db, article, vector)
    if best is None:
        return _start_story(db, article, vector)
    centroid = stories.add_to_centroid(json.loads(best["centroid"]), best["size"], vector)
    # Dates span only the dated members: an undated article leaves the story's window as it was.
    published = article.published
    db.execute(
        "UPDATE stories SET centroid = ?, size = size + 1, "
        "first_published = coalesce(min(first_published, ?), first_published, ?), "
        "last_published = coalesce(max(last_published, ?), last_published, ?) WHERE id = ?",
        (json.dumps(centroid), published, published, published, published, best["id"]),
    )
    _index_story(db, int(best["id"]), centroid)
    return int(best["id"])


def _best_story(db: sqlite3.Connection, article: Article, vector: dict[str, float]) -> sqlite3.Row | None:
    """The most similar candidate at or above the threshold, within the article's time window."""
    best, best_score = None, stories.THRESHOLD
    for row in _candidate_stories(db, vector):
        if not stories.within_window(article.published, row["first_published"], row["last_published"]):
            continue
        score = stories.cosine(vector, json.loads(row["centroid"]))
        if score >= best_score:
            best, best_score = row, score
    return best


def _start_story(db: sqlite3.Connection, article: Article, vector: dict[str, float]) -> int:
    story = db.execute(
        "INSERT INTO stories(title, centroid, size, first_published, last_published) VALUES (?, ?, 1, ?, ?)",
        (article.title, json.dumps(vector), article.published, article.published),
    ).lastrowid
    _index_story(db, int(story or 0), vector)
    return int(story or 0)


def _candidate_stories(db: sqlite3.Connection, vector: dict[str, float]) -> list[sqlite3.Row]:
    """The stories sharing most of the article's strongest terms, through an inverted index that is
    read only for each term's newest stories: the cost per article stays flat as the corpus grows."""
    shared: Counter[int] = Counter()
    for term in _strongest(vector):
        shared.update(
            row[0]
            for row in db.execute(
                "SELECT story_id FROM story_terms WHERE term = ? ORDER BY story_id DESC LIMIT ?",
                (term, POSTINGS_PER_TERM),
            )
        )
    best = sorted(shared, key=lambda story: (-shared[story], -story))[:STORY_CANDIDATES]
    if not best:
        return []
    marks = ",".join("?" * len(best))
    return db.execute(
        "SELECT id, centroid, size, first_published, last_published FROM stories "
        f"WHERE id IN ({marks}) ORDER BY id DESC",
        best,
    ).fetchall()


def _index_story(db: sqlite3.Connection, story: int, centroid: dict[str, float]) -> None:
    db.execute("DELETE FROM story_terms WHERE story_id = ?", (story,))
    db.executemany(
        "INSERT OR IGNORE INTO story_terms(term, story_id) VALUES (?, ?)",
        [(t, story) for t in _strongest(centroid)],
    )


def _strongest(vector: dict[str, float]) -> list[str]:
    """The terms a story is indexed and found by: the vector's INDEX_TERMS heaviest."""
    return [t for t, _ in sorted(vector.items(), key=lambda kv: -kv[1])[: stories.INDEX_TERMS]]


def _document_frequencies(db: sqlite3.Connection, terms: Sequence[str]) -> dict[str, int]:
    df: dict[str, int] = {}
    for start in range(0, len(terms), 500):  # SQLite's limit on bound parameters
        chunk = terms[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = db.execute(f"SELECT term, df FROM terms WHERE term IN ({marks})", chunk)
        df.update({r["term"]: r["df"] for r in rows})
    return df
