"""WAL checkpoints beside the writer (corpus/checkpoints.py), on real SQLite files: what a commit writes
reaches the database file without the writer copying it, the writer takes over when the thread stops, and
closing the store leaves no log behind."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

from newsdistill.corpus import checkpoints
from newsdistill.corpus.store import Store
from newsdistill.model import Article


def _add(store: Store, count: int, start: int = 0) -> None:
    with store.transaction():
        for n in range(start, start + count):
            words = " ".join(f"word{n}x{k}" for k in range(60))
            store.add(f"in{n}", f"raw{n}", Article(title=f"Article {n}", text=f"Report {n}. {words}"))


def _articles_in_database_file(db: Path, scratch: Path) -> int:
    """Articles in the main file alone, as a copy without its log sees them: what was checkpointed."""
    shutil.copyfile(db, scratch)
    try:
        with sqlite3.connect(scratch) as copy:
            return int(copy.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.DatabaseError:  # copied in the middle of a checkpoint's writes: look again
        return -1


def _eventually(check: object, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_the_thread_copies_each_commit_into_the_database_file(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    store = Store(db)
    assert store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0, "the writer never copies itself"
    _add(store, 20)
    assert _eventually(lambda: _articles_in_database_file(db, tmp_path / "copy.db") == 20)
    _add(store, 5, start=20)
    assert _eventually(lambda: _articles_in_database_file(db, tmp_path / "copy.db") == 25)
    store.close()


def test_the_writer_checkpoints_itself_once_the_thread_has_stopped(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    store = Store(db)
    assert store._checkpoints is not None
    store._checkpoints.stop()  # as in a forked process, or after the thread failed
    _add(store, 12)  # copied by the writer in `committed`, with no thread left to do it
    assert _articles_in_database_file(db, tmp_path / "copy.db") == 12
    store.close()


def test_a_long_log_is_copied_by_the_writer(tmp_path: Path, monkeypatch: object) -> None:
    """A thread that falls behind (its last checkpoint saw a long log) never lets the log grow unbounded."""
    monkeypatch.setattr(checkpoints, "WAL_LIMIT_PAGES", 0)  # type: ignore[attr-defined]
    # a thread that is running but copies nothing, as one held up would
    monkeypatch.setattr(checkpoints.Checkpointer, "_run", lambda self: self._stopping.wait())  # type: ignore[attr-defined]
    db = tmp_path / "news.db"
    store = Store(db)
    assert store._checkpoints is not None
    assert store._checkpoints._thread.is_alive()
    store._checkpoints.log_pages = 1  # the thread's last checkpoint saw a long log
    _add(store, 8)
    assert _articles_in_database_file(db, tmp_path / "copy.db") == 8
    store.close()


def test_closing_the_store_stops_the_thread_and_removes_the_log(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    store = Store(db)
    _add(store, 10)
    assert store._checkpoints is not None
    thread = store._checkpoints._thread
    store.close()
    assert not thread.is_alive()
    assert not Path(f"{db}-wal").exists()
    with sqlite3.connect(db) as reopened:
        assert reopened.execute("SELECT count(*) FROM articles").fetchone()[0] == 10


def test_a_read_only_store_runs_no_checkpoints(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    Store(db).close()
    reader = Store(db, readonly=True)
    assert reader._checkpoints is None
    reader.close()
