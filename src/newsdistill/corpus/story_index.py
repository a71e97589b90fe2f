"""Story assignment in the store: an article joins the story it most probably reports within its time
window (candidates found through an inverted index of each story's strongest terms), or starts one; then
the stories it also matches are merged into that one when the two stories match each other (evidence
accumulates: an article can bridge two halves of one event). The rules and the model: `stories`.
Every function works inside the caller's transaction; the cost per article does not grow with the store."""

from __future__ import annotations

import sqlite3
import zlib
from collections import Counter
from collections.abc import Sequence

from ..model import Article
from . import stories

STORY_CANDIDATES = 50  # stories sharing most strong terms that an article is compared with
# A term shared by more stories than this is found through its newest ones only (news stories are recent).
POSTINGS_PER_TERM = 300
STORY_ENTITY_TYPES = {"PERSON", "ORG", "PLACE"}
MERGES_PER_ARTICLE = 3  # stories one article may fold into its own: bounds the work of one insert


def assign_story(db: sqlite3.Connection, article: Article) -> int:
    """The id of the story the article joins (or starts); its centroid, size and dates updated."""
    names = [e.name for e in article.entities if e.type in STORY_ENTITY_TYPES]
    counts = stories.term_counts(article.text, names, article.title)
    # Ids only grow and nothing is deleted, so max(id) is the count, without count(*)'s full scan.
    documents = int(db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0])
    vector = stories.tfidf(counts, _document_frequencies(db, list(counts)), documents)
    db.executemany(
        "INSERT INTO terms(term, df) VALUES (?, 1) ON CONFLICT(term) DO UPDATE SET df = df + 1",
        [(t,) for t in counts],
    )
    scored = _scored_candidates(db, article.published, vector)
    if not scored or scored[0][0] < stories.MODEL.join:
        return _start_story(db, article, vector)
    story = scored[0][1]
    story.centroid = stories.add_to_centroid(story.centroid, story.size, vector)
    story.size += 1
    story.extend(article.published, article.published)
    for _, other in scored[1 : 1 + MERGES_PER_ARTICLE]:
        if _same_event(story, other):
            _absorb(db, story, other)
    story.save(db)
    return story.id


class _Story:
    """A story being updated by one insert: written back once, after any merges."""

    def __init__(
        self, story_id: int, centroid: stories.Vector, size: int, first: str | None, last: str | None
    ):
        self.id, self.centroid, self.size, self.first, self.last = story_id, centroid, size, first, last

    def extend(self, first: str | None, last: str | None) -> None:
        # Dates span only the dated members: an undated member leaves the story's window as it was.
        self.first = min(d for d in (self.first, first) if d) if self.first or first else None
        self.last = max(d for d in (self.last, last) if d) if self.last or last else None

    def save(self, db: sqlite3.Connection) -> None:
        db.execute(
            "UPDATE stories SET centroid = ?, size = ?, first_published = ?, last_published = ? WHERE id = ?",
            (stories.dumps(self.centroid), self.size, self.first, self.last, self.id),
        )
        _index_story(db, self.id, self.centroid)


def _scored_candidates(
    db: sqlite3.Connection, published: str | None, vector: stories.Vector
) -> list[tuple[float, _Story]]:
    """Candidate stories within the article's time window, most probable first, those above the merge
    probability only (the only ones an insert acts on)."""
    model = stories.MODEL
    scored = []
    for row in _candidate_stories(db, vector):
        days = stories.days_apart(published, row["first_published"], row["last_published"])
        if days is not None and days > stories.WINDOW_DAYS:
            continue
        story = _Story(
            int(row["id"]),
            stories.loads(row["centroid"]),
            row["size"],
            row["first_published"],
            row["last_published"],
        )
        p = model.probability(stories.features(vector, story.centroid, days, story.size))
        if p >= min(model.join, model.merge):
            scored.append((p, story))
    return sorted(scored, key=lambda pair: (-pair[0], -pair[1].id))


def _same_event(story: _Story, other: _Story) -> bool:
    """Whether two stories an article matches report one event: the model on the two centroids."""
    days = stories.days_apart(story.first, other.first, other.last)
    if days is None:
        days = stories.days_apart(story.last, other.first, other.last)
    if days is not None and days > stories.WINDOW_DAYS:
        return False
    pair = stories.features(story.centroid, other.centroid, days, min(story.size, other.size))
    return stories.MODEL.probability(pair) >= stories.MODEL.merge


def _absorb(db: sqlite3.Connection, story: _Story, other: _Story) -> None:
    """Fold `other` into `story`: its articles move over, it and its index rows go."""
    story.centroid = stories.add_to_centroid(story.centroid, story.size, other.centroid, other.size)
    story.size += other.size
    story.extend(other.first, other.last)
    db.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", (story.id, other.id))
    db.execute("DELETE FROM story_terms WHERE story_id = ?", (other.id,))
    db.execute("DELETE FROM stories WHERE id = ?", (other.id,))


def _start_story(db: sqlite3.Connection, article: Article, vector: stories.Vector) -> int:
    story = db.execute(
        "INSERT INTO stories(title, centroid, size, first_published, last_published) VALUES (?, ?, 1, ?, ?)",
        (article.title, stories.dumps(vector), article.published, article.published),
    ).lastrowid
    _index_story(db, int(story or 0), vector)
    return int(story or 0)


def rebuild(db: sqlite3.Connection) -> int:
    """Every story assigned again from the stored articles, in the order they were stored (the whole
    store: after a model change). Returns the number of stories."""
    for table in ("stories", "story_terms", "terms"):
        db.execute(f"DELETE FROM {table}")
    db.execute("UPDATE articles SET story_id = NULL")
    last = 0
    while True:  # in pages, so a large store is never held in memory
        rows = db.execute(
            "SELECT id, record FROM articles WHERE id > ? ORDER BY id LIMIT 500", (last,)
        ).fetchall()
        if not rows:
            break
        for row in rows:
            article = Article.model_validate_json(zlib.decompress(row["record"]))
            db.execute(
                "UPDATE articles SET story_id = ? WHERE id = ?", (assign_story(db, article), row["id"])
            )
            last = row["id"]
    return int(db.execute("SELECT count(*) FROM stories").fetchone()[0])


def _candidate_stories(db: sqlite3.Connection, vector: stories.Vector) -> list[sqlite3.Row]:
    """The stories sharing most of the article's strongest terms, through an inverted index that is
    read only for each term's newest stories: the cost per article stays flat as the corpus grows."""
    shared: Counter[int] = Counter()
    for term in stories.strongest(vector):
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


def _index_story(db: sqlite3.Connection, story: int, centroid: stories.Vector) -> None:
    db.execute("DELETE FROM story_terms WHERE story_id = ?", (story,))
    db.executemany(
        "INSERT OR IGNORE INTO story_terms(term, story_id) VALUES (?, ?)",
        [(t, story) for t in stories.strongest(centroid)],
    )


def _document_frequencies(db: sqlite3.Connection, terms: Sequence[str]) -> dict[str, int]:
    df: dict[str, int] = {}
    for start in range(0, len(terms), 500):  # SQLite's limit on bound parameters
        chunk = terms[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = db.execute(f"SELECT term, df FROM terms WHERE term IN ({marks})", chunk)
        df.update({r["term"]: r["df"] for r in rows})
    return df
