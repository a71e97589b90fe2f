"""What search needs beside the main FTS5 table: a CJK index and the page type of each article.

The main index (articles_fts, unicode61) reads a run of Chinese or Japanese characters as one word, so
'東京' finds nothing in '東京都の知事'. Articles with CJK text are indexed a second time, in
articles_cjk, every CJK character a word of its own (query_language.segment): a CJK query is a phrase
of its characters.
Stores from before are migrated when opened for writing.
"""

from __future__ import annotations

import sqlite3

from ..model import Article
from .query_language import has_cjk, segment

CJK_TABLE = "articles_cjk"
SEARCH_INDEX = "articles_search"
SEARCH_COLUMNS = ("id", "duplicate_of", "published", "language", "page_type", "outlet")
ARTICLE_SPEAKERS = "attributions_article_speaker"
NEWS_ARTICLE = "coalesce(page_type, 'article') = 'article'"  # an article, or a page of no known type


def migrate(db: sqlite3.Connection) -> None:
    """Create what is missing and index the CJK articles stored before: once per store, in a transaction."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(articles)")}
    if "page_type" not in columns:
        db.execute("ALTER TABLE articles ADD COLUMN page_type TEXT")
    # the start page and /stories list stories by their latest article's date
    db.execute("CREATE INDEX IF NOT EXISTS stories_recent ON stories(last_published DESC, id DESC)")
    # What search reads of each match (its group, date, filters) without reading the row: duplicate_of and
    # page_type come after the text and the record, so reading them from the table walks the row's
    # overflow pages (20,000 matches: 110 ms through the table, 35 ms through this index).
    db.execute(f"CREATE INDEX IF NOT EXISTS {SEARCH_INDEX} ON articles({', '.join(SEARCH_COLUMNS)})")
    # stories with a news article (the start page), found without reading article rows
    db.execute(f"CREATE INDEX IF NOT EXISTS articles_news_story ON articles(story_id) WHERE {NEWS_ARTICLE}")
    # A story's statements and their speakers (its page, the cards' top speakers, the speakers quoted
    # beside a person) from the index alone: through an index of article_id only, each statement's row was
    # read for its speaker, content included (an entity page's co-speakers: 2.2 against 0.9 ms).
    db.execute("DROP INDEX IF EXISTS attributions_article")  # the index of article_id only, made before
    db.execute(f"CREATE INDEX IF NOT EXISTS {ARTICLE_SPEAKERS} ON attributions(article_id, entity_id)")
    if db.execute("SELECT 1 FROM meta WHERE key = 'cjk_index'").fetchone() is not None:
        return
    db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {CJK_TABLE} USING fts5(title, text)")
    for article_id, title, text in db.execute("SELECT id, title, text FROM articles").fetchall():
        _index_cjk(db, article_id, title, text)
    db.execute("INSERT INTO meta(key, value) VALUES ('cjk_index', '1')")


def add(db: sqlite3.Connection, article_id: int, article: Article) -> None:
    """A newly stored article into the search tables (the main FTS table has its trigger)."""
    page_type = getattr(article, "page_type", None)
    if page_type:
        db.execute("UPDATE articles SET page_type = ? WHERE id = ?", (page_type, article_id))
    _index_cjk(db, article_id, article.title, article.text)


def _index_cjk(db: sqlite3.Connection, article_id: int, title: str | None, text: str) -> None:
    if has_cjk(text) or has_cjk(title or ""):
        db.execute(
            f"INSERT INTO {CJK_TABLE}(rowid, title, text) VALUES (?, ?, ?)",
            (article_id, segment(title or ""), segment(text)),
        )


def has_cjk_index(db: sqlite3.Connection) -> bool:
    found = db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (CJK_TABLE,)).fetchone()
    return found is not None


def has_page_types(db: sqlite3.Connection) -> bool:
    return any(row[1] == "page_type" for row in db.execute("PRAGMA table_info(articles)"))


def covered_articles(db: sqlite3.Connection) -> str:
    """`articles a`, read through the search index when the store has it (SQLite's planner would take
    the row by its id, and read the whole row, rather than the index that holds every column needed)."""
    found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (SEARCH_INDEX,))
    return f"articles a INDEXED BY {SEARCH_INDEX}" if found.fetchone() is not None else "articles a"


def has_news_index(db: sqlite3.Connection) -> bool:
    found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'articles_news_story'")
    return found.fetchone() is not None
