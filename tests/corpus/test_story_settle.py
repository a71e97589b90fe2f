"""Settling stories at the end of a batch (`story_index.settle`): a small story that the evidence gathered
since its article arrived places in a larger story moves there, on a real SQLite store; the in-memory
replica of the benchmarks makes the same moves."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from newsdistill.corpus import stories
from newsdistill.corpus.store import Store
from newsdistill.model import Article

# Words alone decide: an article joins a story whose words' cosine with it is above about 0.4 (p 0.1).
WORDS = stories.StoryModel(weights=(20.0, 0, 0, 0, 0, 0, 0, 0), bias=-10.0, join=0.1, merge=1.01)
ERUPTION = "eruption ash cloud grounded flights airport"
VILLAGE = "lava village evacuated"  # nothing in common with the first report
# Later reports of the eruption: its words, and one by one the village's, which they make common words.
LATER = [
    f"{ERUPTION} lava",
    f"{ERUPTION} village",
    f"{ERUPTION} evacuated",
    f"{ERUPTION} lava village evacuated",
]


def _story_of(store: Store, article_id: int) -> int:
    row = store.db.execute("SELECT story_id FROM articles WHERE id = ?", (article_id,)).fetchone()
    return int(row[0])


def _batch(store: Store, texts: list[str]) -> list[int]:
    """One ingest batch: one transaction, settled before its commit."""
    with store.transaction():
        return [
            store.add(f"in{n}-{text[:10]}", f"h{n}-{text}", Article(text=text)).article_id
            for n, text in enumerate(texts)
        ]


def _one_batch(store: Store) -> list[int]:
    return _batch(store, [ERUPTION, VILLAGE, *LATER])


def test_a_singleton_joins_the_story_that_later_evidence_makes_its_own(tmp_path: Path) -> None:
    store = Store(tmp_path / "news.db")
    with stories.using(replace(WORDS, settle=0.1)):
        first, village, *later = _one_batch(store)
    assert {_story_of(store, a) for a in [village, *later]} == {_story_of(store, first)}
    count, size = store.db.execute("SELECT count(*), sum(size) FROM stories").fetchone()
    orphans = store.db.execute(
        "SELECT count(*) FROM story_terms WHERE story_id NOT IN (SELECT id FROM stories)"
    ).fetchone()[0]
    assert (count, size, orphans) == (1, 6, 0)


def test_without_settling_the_singleton_stays_apart(tmp_path: Path) -> None:
    store = Store(tmp_path / "news.db")
    with stories.using(WORDS):  # settle above 1: never
        first, village, *later = _one_batch(store)
    assert _story_of(store, village) != _story_of(store, first)  # the village report: a story of its own
    assert {_story_of(store, a) for a in later} == {_story_of(store, first)}


def test_rebuild_settles_as_ingest_does(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    store = Store(db)
    with stories.using(WORDS):
        _one_batch(store)
    store.close()
    model = f"stories.{replace(WORDS, settle=0.1)!r}"
    settling = f"import sys; from newsdistill.corpus import stories; stories.MODEL = {model}"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"{settling}; from newsdistill.cli import main; sys.exit(main())",
            "stories",
            "--rebuild",
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as raw:
        stored = raw.execute("SELECT count(DISTINCT story_id), count(*) FROM articles").fetchone()
    assert stored == (1, 6)
