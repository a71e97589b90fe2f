"""The store file itself: damaged stores give one clean line, odd file names open the file they name."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from newsdistill.corpus.ingest import ingest
from newsdistill.corpus.store import Store
from newsdistill.model import Article

QUERIES = [["search", "bridge"], ["who-said", "Helen Ortiz"], ["stories"]]


def _damaged(kind: str, pages: Path, tmp_path: Path) -> Path:
    db = tmp_path / "corpus.db"
    if kind == "random bytes":
        db.write_bytes(random.Random(5).randbytes(64 * 1024))
        return db
    ingest([str(pages)], db, stages=("decode", "clean"))
    with db.open("r+b") as handle:  # the tail cut off, as by a failed copy
        handle.truncate(os.path.getsize(db) // 3)
    return db


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["random bytes", "truncated"])
def test_query_commands_on_a_damaged_store_print_one_clean_line(
    pages: Path, tmp_path: Path, kind: str
) -> None:
    db = _damaged(kind, pages, tmp_path)
    for query in QUERIES:
        result = subprocess.run(
            [sys.executable, "-m", "newsdistill.cli", *query, "--db", str(db)],
            capture_output=True,
            timeout=120,
            check=False,
        )
        lines = result.stderr.decode().strip().splitlines()
        assert result.returncode != 0, (query, result.stdout.decode())
        assert len(lines) == 1 and lines[0].startswith("newsdistill: "), (query, lines)
        assert str(db) in lines[0]


@pytest.mark.parametrize("name", ["news#1.db", "a?b.db", "50% off.db"])
def test_a_read_only_store_opens_the_file_it_names(tmp_path: Path, name: str) -> None:
    db = tmp_path / name
    store = Store(db)
    with store.transaction():
        store.add(
            "one", "one", Article(title="Bridge", text="The council closed the harbour bridge on Monday.")
        )
    store.close()
    before = _beside(db)
    reader = Store(db, readonly=True)
    assert reader.counts()["articles"] == 1
    assert reader.search("bridge")[0]["title"] == "Bridge"
    reader.close()
    assert _beside(db) == before  # no stray file beside it


def _beside(db: Path) -> list[str]:
    # A reader of a WAL store may leave SQLite's own -wal and -shm files: those are not strays.
    return sorted(p.name for p in db.parent.iterdir() if not p.name.startswith(f"{db.name}-"))
