"""Story assignment in the store: an article joins the story it most probably reports within its time
window (candidates found through an inverted index of each story's strongest terms), or starts one; then
the stories it also matches are merged into that one when the two stories match each other (evidence
accumulates: an article can bridge two halves of one event). The rules and the model: `stories`; each
story also keeps the mean sentence embedding of its members (`embeddings`), one of the model's features.
Every function works inside the caller's transaction; the cost per article does not grow with the store."""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..model import Article
from . import embeddings, stories

STORY_CANDIDATES = 50  # stories sharing most strong terms that an article is compared with
# A term shared by more stories than this is found through its newest ones only (news stories are recent).
POSTINGS_PER_TERM = 300
STORY_ENTITY_TYPES = {"PERSON", "ORG", "PLACE"}
MERGES_PER_ARTICLE = 3  # stories one article may fold into its own: bounds the work of one insert
# A story stored before embeddings were kept gets one, once, from its first members (not all: bounded work).
BACKFILL_MEMBERS = 3


def assign_story(
    db: sqlite3.Connection,
    article: Article,
    embedding: np.ndarray | None = None,
    same_story_as: int | None = None,
) -> int:
    """The id of the story the article joins (or starts); its centroid, embedding, size and dates updated.
    `embedding`: the article's; when not given, the one a worker carried on it, or computed here.
    `same_story_as`: a stored article this one copies (near-duplicate text): a copy within the story's time
    window joins its original's story whatever the model says (one event; the model's size feature would
    otherwise start new stories once a wire story has been copied a few dozen times)."""
    if embedding is None:
        embedding = embeddings.article_embedding(article)
    names = [e.name for e in article.entities if e.type in STORY_ENTITY_TYPES]
    counts = stories.term_counts(article.text, names, article.title)
    # Ids only grow and nothing is deleted, so max(id) is the count, without count(*)'s full scan.
    documents = int(db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0])
    vector = stories.tfidf(counts, _document_frequencies(db, list(counts)), documents)
    db.executemany(
        "INSERT INTO terms(term, df) VALUES (?, 1) ON CONFLICT(term) DO UPDATE SET df = df + 1",
        [(t,) for t in counts],
    )
    original = _story_of(db, same_story_as)
    if original is not None and not _within_window(article.published, original):
        original = None  # a repost long after the event is placed like any other article
    scored = [] if original is not None else _scored_candidates(db, article.published, vector, embedding)
    if original is None and (not scored or scored[0][0] < stories.MODEL.join):
        return _start_story(db, article, vector, embedding)
    story = original or scored[0][1]
    story.centroid = stories.add_to_centroid(story.centroid, story.size, vector)
    story.embedding = stories.add_embedding(story.embedding, story.size, embedding)
    story.size += 1
    story.extend(article.published, article.published)
    for _, other in scored[1 : 1 + MERGES_PER_ARTICLE]:
        if _same_event(story, other):
            _absorb(db, story, other)
    story.save(db)
    return story.id


def _within_window(published: str | None, story: _Story) -> bool:
    days = stories.days_apart(published, story.first, story.last)
    return days is None or days <= stories.WINDOW_DAYS


def _story_of(db: sqlite3.Connection, article_id: int | None) -> _Story | None:
    row = (
        db.execute(
            "SELECT s.* FROM stories s JOIN articles a ON a.story_id = s.id WHERE a.id = ?", (article_id,)
        ).fetchone()
        if article_id is not None
        else None
    )
    return _Story(row, _stored_embedding(db, row)) if row is not None else None


class _Story:
    """A story being updated by one insert: written back once, after any merges."""

    def __init__(self, row: sqlite3.Row | dict[str, Any], embedding: np.ndarray) -> None:
        self.id, self.centroid, self.size = int(row["id"]), stories.loads(row["centroid"]), int(row["size"])
        self.first, self.last = row["first_published"], row["last_published"]
        self.embedding = embedding

    def extend(self, first: str | None, last: str | None) -> None:
        # Dates span only the dated members: an undated member leaves the story's window as it was.
        self.first = min(d for d in (self.first, first) if d) if self.first or first else None
        self.last = max(d for d in (self.last, last) if d) if self.last or last else None

    def save(self, db: sqlite3.Connection) -> None:
        db.execute(
            "UPDATE stories SET centroid = ?, size = ?, first_published = ?, last_published = ?, "
            "embedding = ? "
            "WHERE id = ?",
            (
                stories.dumps(self.centroid),
                self.size,
                self.first,
                self.last,
                self.embedding.tobytes(),
                self.id,
            ),
        )
        _index_story(db, self.id, self.centroid)


def _scored_candidates(
    db: sqlite3.Connection, published: str | None, vector: stories.Vector, embedding: np.ndarray
) -> list[tuple[float, _Story]]:
    """Candidate stories within the article's time window, most probable first, those above the merge
    probability only (the only ones an insert acts on)."""
    model, least = stories.MODEL, min(stories.MODEL.join, stories.MODEL.merge)
    scored = []
    for row, days, mean, similarity in _reachable(db, published, vector, embedding, least):
        story = _Story(row, mean)
        p = model.probability(stories.features(vector, story.centroid, days, story.size, similarity))
        if p >= least:
            scored.append((p, story))
    return sorted(scored, key=lambda pair: (-pair[0], -pair[1].id))


def _reachable(
    db: sqlite3.Connection, published: str | None, vector: stories.Vector, embedding: np.ndarray, least: float
) -> list[tuple[dict[str, Any], int | None, np.ndarray, float]]:
    """The candidates within the time window whose size and embedding cosine let them reach `least`
    (`StoryModel.may_reach`), each with its days apart, mean embedding and cosine; only their centroids,
    the largest part of a story's row, are read."""
    dated = [
        (row, stories.days_apart(published, row["first_published"], row["last_published"]))
        for row in _candidate_stories(db, vector)
    ]
    dated = [(row, days) for row, days in dated if days is None or days <= stories.WINDOW_DAYS]
    if not dated:
        return []
    means = [_stored_embedding(db, row) for row, _ in dated]
    cosines = np.stack(means) @ embedding
    sizes = np.array([int(row["size"]) for row, _ in dated], dtype=np.float64)
    kept = np.flatnonzero(stories.MODEL.may_reach(sizes, cosines, least))
    if not len(kept):
        return []
    ids = [int(dated[k][0]["id"]) for k in kept]
    centroids = dict(
        db.execute(f"SELECT id, centroid FROM stories WHERE id IN ({','.join('?' * len(ids))})", ids)
    )
    return [
        ({**dict(dated[k][0]), "centroid": centroids[ids[n]]}, dated[k][1], means[k], float(cosines[k]))
        for n, k in enumerate(kept)
    ]


def _same_event(story: _Story, other: _Story) -> bool:
    """Whether two stories an article matches report one event: the model on the two centroids."""
    days = stories.days_apart(story.first, other.first, other.last)
    if days is None:
        days = stories.days_apart(story.last, other.first, other.last)
    if days is not None and days > stories.WINDOW_DAYS:
        return False
    similarity = stories.embedding_cosine(story.embedding, other.embedding)
    pair = stories.features(story.centroid, other.centroid, days, min(story.size, other.size), similarity)
    return stories.MODEL.probability(pair) >= stories.MODEL.merge


def _absorb(db: sqlite3.Connection, story: _Story, other: _Story) -> None:
    """Fold `other` into `story`: its articles move over, it and its index rows go."""
    story.centroid = stories.add_to_centroid(story.centroid, story.size, other.centroid, other.size)
    story.embedding = stories.add_embedding(story.embedding, story.size, other.embedding, other.size)
    story.size += other.size
    story.extend(other.first, other.last)
    db.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", (story.id, other.id))
    db.execute("DELETE FROM story_terms WHERE story_id = ?", (other.id,))
    db.execute("DELETE FROM stories WHERE id = ?", (other.id,))


def _start_story(
    db: sqlite3.Connection, article: Article, vector: stories.Vector, embedding: np.ndarray
) -> int:
    story = db.execute(
        "INSERT INTO stories(title, centroid, size, first_published, last_published, embedding) "
        "VALUES (?, ?, 1, ?, ?, ?)",
        (article.title, stories.dumps(vector), article.published, article.published, embedding.tobytes()),
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
    terms = stories.strongest(vector)
    if not terms:
        return []
    one_term = (  # counted in SQL: at a million articles the postings read are thousands an insert
        "SELECT story_id FROM (SELECT story_id FROM story_terms WHERE term = ? "
        f"ORDER BY story_id DESC LIMIT {POSTINGS_PER_TERM})"
    )
    best = [
        int(row[0])
        for row in db.execute(
            f"SELECT story_id, count(*) AS shared FROM ({' UNION ALL '.join([one_term] * len(terms))}) "
            f"GROUP BY story_id ORDER BY shared DESC, story_id DESC LIMIT {STORY_CANDIDATES}",
            terms,
        )
    ]
    if not best:
        return []
    marks = ",".join("?" * len(best))
    return db.execute(
        "SELECT id, size, first_published, last_published, embedding FROM stories "
        f"WHERE id IN ({marks}) ORDER BY id DESC",
        best,
    ).fetchall()


def _stored_embedding(db: sqlite3.Connection, row: sqlite3.Row) -> np.ndarray:
    """A story's mean embedding; for a story stored before embeddings were kept, the mean of its first
    BACKFILL_MEMBERS members' embeddings, computed now and kept (each old story pays this once)."""
    if row["embedding"] is not None and len(row["embedding"]) == embeddings.DIMENSION * 4:
        return np.frombuffer(row["embedding"], dtype=np.float32)
    records = db.execute(
        "SELECT record FROM articles WHERE story_id = ? ORDER BY id LIMIT ?", (row["id"], BACKFILL_MEMBERS)
    ).fetchall()
    members = [Article.model_validate_json(zlib.decompress(r[0])) for r in records]
    embedded = embeddings.embed_articles(members)
    mean = stories.add_embedding(np.zeros(embeddings.DIMENSION, np.float32), 0, embedded.sum(axis=0))
    db.execute("UPDATE stories SET embedding = ? WHERE id = ?", (mean.tobytes(), row["id"]))
    return mean


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
