"""Input identity in the corpus store: only the same input with the same bytes is 'already ingested'."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from newsdistill.corpus.ingest import ingest
from newsdistill.corpus.store import Store, raw_hash
from newsdistill.model import Article

from .conftest import BRIDGE, FESTIVAL, html_page

FAST = ("decode", "clean")


def _inputs(db: Path) -> dict[str, tuple[str, str, int | None]]:
    with sqlite3.connect(db) as raw:
        rows = raw.execute("SELECT input_id, raw_hash, status, article_id FROM inputs").fetchall()
    return {Path(input_id).name: (digest, status, article) for input_id, digest, status, article in rows}


def test_the_same_bytes_under_another_name_are_recorded_as_a_duplicate(tmp_path: Path) -> None:
    first = tmp_path / "festival.html"
    first.write_text(html_page("Festival returns", FESTIVAL, "Evening Post"), encoding="utf-8")
    db = tmp_path / "corpus.db"
    assert ingest([str(first)], db, stages=FAST).stored == 1
    copy = tmp_path / "mirror" / "festival.html"
    copy.parent.mkdir()
    copy.write_bytes(first.read_bytes())
    summary = ingest([str(copy)], db, stages=FAST)
    assert (summary.stored, summary.duplicates, summary.already_seen) == (0, 1, 0)
    with sqlite3.connect(db) as raw:
        rows = raw.execute("SELECT input_id, status, article_id FROM inputs ORDER BY input_id").fetchall()
        assert raw.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    by_place = {
        "copy" if "mirror" in input_id else "first": (status, article) for input_id, status, article in rows
    }
    assert by_place["first"][0] == "stored"
    assert by_place["copy"] == ("duplicate", by_place["first"][1])  # linked to the article it repeats


def test_the_same_input_with_new_bytes_is_processed_again(tmp_path: Path) -> None:
    page = tmp_path / "front.html"
    page.write_text(html_page("Harbour bridge closed", BRIDGE, "City Times"), encoding="utf-8")
    db = tmp_path / "corpus.db"
    ingest([str(page)], db, stages=FAST)
    before = _inputs(db)["front.html"]
    page.write_text(html_page("Festival returns", FESTIVAL, "Evening Post"), encoding="utf-8")
    summary = ingest([str(page)], db, stages=FAST)
    assert (summary.stored, summary.already_seen) == (1, 0)
    after = _inputs(db)["front.html"]
    assert after[0] == raw_hash(page.read_bytes()) != before[0]  # the inputs row now describes the new bytes
    assert after[1] == "stored" and after[2] != before[2]
    assert Store(db).counts()["articles"] == 2
    assert ingest([str(page)], db, stages=FAST).already_seen == 1  # and now it is a true repeat


def test_seen_needs_the_same_input_and_the_same_bytes(tmp_path: Path) -> None:
    store = Store(tmp_path / "corpus.db")
    with store.transaction():
        store.add(
            "a.jsonl:1", "hash-1", Article(title="One", text="The council met on Monday about the bridge.")
        )
        store.record_skip("a.jsonl:2", "hash-2", "empty input")
    assert store.seen("a.jsonl:1", "hash-1")
    assert not store.seen("a.jsonl:1", "hash-other")  # same input, new bytes
    assert not store.seen("b.jsonl:1", "hash-1")  # same bytes, another input
    assert not store.seen("a.jsonl:2", "hash-2")  # skipped inputs are tried again


def test_raw_hash_accepts_a_lone_surrogate() -> None:
    digest = raw_hash("sea \ud800 wall")
    assert len(digest) == 64 and digest != raw_hash("sea  wall")
    assert raw_hash("plain") == raw_hash(b"plain")
