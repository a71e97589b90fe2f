"""A store made by the code as of commit 7697edf (before appearances) opens with nothing lost."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

from newsdistill.corpus.store import Store, text_hash
from newsdistill.model import Article

from .conftest import BRIDGE, FESTIVAL

OLD_SCHEMA = Path(__file__).with_name("fixtures") / "schema_7697edf.sql"


def _old_store(path: Path) -> None:
    """The old schema, with what its ingest wrote: two stored inputs, an identical copy, a skip."""
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA.read_text(encoding="utf-8"))
        for article_id, (text, url, outlet) in enumerate(
            [
                (" ".join(BRIDGE), "https://www.citytimes.example/bridge", "City Times"),
                (" ".join(FESTIVAL), None, "Evening Post"),
            ],
            start=1,
        ):
            record = zlib.compress(Article(text=text, url=url, outlet=outlet).model_dump_json().encode())
            db.execute(
                "INSERT INTO articles(id, content_hash, url, outlet, title, published, text, record) "
                "VALUES (?, ?, ?, ?, 'Title', '2024-05-06', ?, ?)",
                (article_id, text_hash(text), url, outlet, text, record),
            )
            db.execute(
                "INSERT INTO inputs(input_id, raw_hash, status, article_id, ingested_at) "
                "VALUES (?, ?, 'stored', ?, '2024-05-06 10:00:00')",
                (f"page{article_id}.html", f"h{article_id}", article_id),
            )
        db.execute(
            "INSERT INTO inputs(input_id, raw_hash, status, article_id, ingested_at) "
            "VALUES ('copy.html', 'h3', 'duplicate', 1, '2024-05-07 10:00:00')"
        )
        db.execute(
            "INSERT INTO inputs(input_id, raw_hash, status, reason) VALUES ('e.html', '', 'skipped', 'x')"
        )


OLD_COLUMNS = {
    "articles": "id, content_hash, url, outlet, title, published, language, text, record, duplicate_of, "
    "story_id, ingested_at",
    "inputs": "input_id, raw_hash, status, reason, article_id, ingested_at",
}


def _dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of the old tables, in the old columns (a migration may add columns, never change these)."""
    with sqlite3.connect(path) as db:
        return {t: db.execute(f"SELECT {c} FROM {t} ORDER BY 1").fetchall() for t, c in OLD_COLUMNS.items()}


def test_a_store_from_before_appearances_is_migrated_on_open(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _old_store(db)
    before = _dump(db)
    assert Store(db, readonly=True).article(1)["appearances"] == []  # read-only: readable, not migrated
    store = Store(db)
    timeline = store.appearances(1)
    assert [(p["input_id"], p["outlet"], p["url"]) for p in timeline] == [
        ("page1.html", "citytimes.example", "https://www.citytimes.example/bridge"),
        ("copy.html", None, None),  # the old store never kept an identical copy's URL
    ]
    assert [p["input_id"] for p in store.appearances(2)] == ["page2.html"]
    assert timeline[1]["ingested_at"] == "2024-05-07 10:00:00"
    store.close()
    Store(db).close()  # opened again: backfilled once, not twice
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT count(*) FROM appearances").fetchone()[0] == 3
    assert _dump(db) == before  # nothing the old store held changed


def test_a_migrated_store_takes_new_copies(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _old_store(db)
    store = Store(db)
    stored = store.add("again.html", "h9", Article(text=" ".join(BRIDGE), url="https://farm.example/b"))
    assert stored.status == "duplicate"
    assert [p["input_id"] for p in store.appearances(1)] == ["page1.html", "copy.html", "again.html"]


def test_finding_articles_without_inputs_looks_each_up_by_index(tmp_path: Path) -> None:
    """Giving an old store its appearances asks, per article, whether an input names it: by index, not by
    reading every input (which made a 100,000-article store take half an hour to open)."""
    from newsdistill.corpus.appearances import ORPHANS

    path = tmp_path / "old.db"
    _old_store(path)
    Store(path).close()
    with sqlite3.connect(path) as db:
        plan = " | ".join(row[-1] for row in db.execute(f"EXPLAIN QUERY PLAN {ORPHANS}"))
    assert "SEARCH i USING" in plan and "SCAN i" not in plan, plan


def test_a_store_with_the_article_only_statement_index_gets_the_speakers_one(tmp_path: Path) -> None:
    """Stores made before the index of statements by article and speaker had one by article alone: opened
    for writing, they have the new one instead (what a story's and a person's speakers are read from)."""
    path = tmp_path / "old.db"
    _old_store(path)
    with sqlite3.connect(path) as db:
        db.execute("CREATE INDEX attributions_article ON attributions(article_id)")
    Store(path).close()
    with sqlite3.connect(path) as db:
        indexes = {row[1] for row in db.execute("PRAGMA index_list(attributions)")}
        columns = [row[2] for row in db.execute("PRAGMA index_info(attributions_article_speaker)")]
    assert "attributions_article" not in indexes
    assert columns == ["article_id", "entity_id"]
