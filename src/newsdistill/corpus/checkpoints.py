"""WAL checkpoints beside the writer, on a thread of their own.

A store runs in WAL mode: a commit appends the pages it changed to the log, and a checkpoint copies them
into the database file. SQLite's automatic checkpoint runs inside the commit that crosses 1,000 pages,
so the writer waits for it. At 200,000 articles that copy was 1.24 ms of an insert's 5 ms (every posting
of the band and quote indexes lands on its own page). Here the writer's automatic checkpoint is off, and a
thread with its own connection runs PASSIVE checkpoints after each commit: they never block the writer or
a reader, and the thread holds no GIL while SQLite copies, so the copy runs on another core.

SQLite starts the log again from its beginning only at a commit whose transaction began after every frame
was copied, and the writer begins its next transaction at once. So the log grows while the thread copies;
once it passes `WAL_LIMIT_PAGES`, the writer waits for the thread and copies the rest itself, and its next
commit starts the log again. The log stays within the limit plus one transaction (a page read looks
through the log first, and a longer log costs more); at 200,000 articles the writer waited at one commit in
two or three.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

# Past this many pages (4 KB each) in the log, the writer waits for the thread and copies the rest itself
# (500 synthetic articles write about 40,000 pages at 200,000 articles). Measured at 200,000 articles, twelve
# transactions of 500 each: 50,000 pages 248 articles/s, 100,000 251, 250,000 212; SQLite's own automatic
# checkpoint in the writer 216. Again at 1.1M articles (46,000 pages a transaction), 6,000 inserts a fresh
# process, three pairs: 100,000 pages 229 / 236 / 228 articles/s (4.1 ms CPU), 400,000 pages 195 / 191 / 204
# (5.1 ms): fewer waits, but every page read that misses the cache looks through more of the log.
WAL_LIMIT_PAGES = 100_000
IDLE_WAKE_SECONDS = 5.0  # commits made outside `Store.transaction` are copied within this long


class Checkpointer:
    """Runs `PRAGMA wal_checkpoint(PASSIVE)` on its own connection whenever `committed` is called."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._wake, self._stopping, self._idle = threading.Event(), threading.Event(), threading.Event()
        self._idle.set()
        self.log_pages = 0  # the log's length at the last checkpoint
        self._thread = threading.Thread(target=self._run, name="newsdistill-checkpoints", daemon=True)
        self._thread.start()

    def committed(self, writer: sqlite3.Connection) -> None:
        """Called after each commit: wakes the thread; once the log is long (or the thread is not running:
        it failed, or this is a forked process, which has no copy of it), the writer first waits for the
        thread and copies the rest itself."""
        if not self._thread.is_alive() or self.log_pages > WAL_LIMIT_PAGES:
            self._idle.wait(timeout=60)
            busy, _, _ = writer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if not busy:  # all copied: the writer's next transaction reads the file alone, and its
                self.log_pages = 0  # commit starts the log again from the beginning
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        try:
            connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:  # the thread ends; the writer then checkpoints itself (`committed`)
            return
        with closing(connection):  # a PASSIVE checkpoint never waits for a lock: no busy timeout to set
            while not self._stopping.is_set():
                self._wake.wait(IDLE_WAKE_SECONDS)
                self._wake.clear()
                self._idle.clear()
                try:
                    _, self.log_pages, _ = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error:  # the file went away, or the disk is full: the writer takes over
                    return
                finally:
                    self._idle.set()
