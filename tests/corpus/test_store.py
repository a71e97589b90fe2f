"""The corpus store on real SQLite files: idempotent, resumable ingest and the queries."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsdistill.corpus.ingest import ingest
from newsdistill.corpus.queries import fts_query
from newsdistill.corpus.store import Store

from .conftest import BRIDGE, html_page

CLEAN = ("decode", "clean", "entities", "attribution")


def test_ingest_stores_links_copies_and_reports_skips(pages: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    summary = ingest([str(pages)], db, stages=CLEAN)
    assert (summary.stored, len(summary.skipped)) == (3, 1)
    assert "empty input" in summary.skipped[0][1]
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = raw.execute("SELECT id, outlet, duplicate_of, story_id FROM articles ORDER BY id").fetchall()
    (
        (bridge, _, _, bridge_story),
        (_, copy_outlet, copy_of, copy_story),
        (_, _, festival_of, festival_story),
    ) = rows
    assert copy_outlet == "Content Farm" and copy_of == bridge
    assert festival_of is None
    assert copy_story == bridge_story != festival_story


def test_same_pages_twice_are_stored_once(pages: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    ingest([str(pages)], db, stages=CLEAN)
    again = ingest([str(pages)], db, stages=CLEAN)
    assert (again.stored, again.already_seen, len(again.skipped)) == (
        0,
        3,
        1,
    )  # the empty page is reported again
    copy = tmp_path / "renamed.html"
    copy.write_bytes((pages / "c_festival.html").read_bytes())
    third = ingest([str(copy)], db, stages=CLEAN)  # the same bytes under another name: a duplicate, recorded
    assert (third.stored, third.duplicates, third.already_seen) == (0, 1, 0)
    assert Store(db).counts()["articles"] == 3


def test_search_who_said_and_stories(pages: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    ingest([str(pages)], db, stages=CLEAN)
    store = Store(db, readonly=True)
    hits = store.search("bridge cracks")
    assert hits and hits[0]["title"].startswith("Harbour bridge closed")
    assert "[cracks]" in hits[0]["snippet"]
    assert store.search('" OR 1=1; DROP TABLE articles; --') == []  # no FTS syntax reaches SQLite
    said = store.who_said("Helen Ortiz")
    assert said and said[0]["speaker"] == "Helen Ortiz" and said[0]["cue"] == "said"
    assert said[0]["article"]["outlet"] == "City Times"
    assert [s["speaker"] for s in store.who_said("Ortiz")] == [
        s["speaker"] for s in said
    ]  # alias of the same entity
    stories = store.stories()
    assert sorted(len(s["articles"]) for s in stories) == [1, 2]


def test_the_same_person_is_merged_across_articles(tmp_path: Path) -> None:
    first = tmp_path / "one.html"
    first.write_text(html_page("Budget", [BRIDGE[1]], "City Times"), encoding="utf-8")
    second = tmp_path / "two.html"
    second.write_text(
        html_page(
            "Budget again",
            [
                "Ortiz said on Friday that the budget for the new school would be approved "
                "before the summer holidays began."
            ],
            "Evening Post",
        ),
        encoding="utf-8",
    )
    db = tmp_path / "corpus.db"
    ingest([str(first), str(second)], db, stages=CLEAN)
    said = Store(db).who_said("Helen Ortiz")
    assert {s["article"]["outlet"] for s in said} == {"City Times", "Evening Post"}


def test_a_query_matching_more_than_the_window_is_ranked_among_its_newest_matches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsdistill.corpus import queries
    from newsdistill.model import Article

    store = Store(tmp_path / "corpus.db")
    with store.transaction():
        # The oldest article is the best match for "harbour"; the newer ones mention it once.
        store.add("a0", "a0", Article(title="Harbour harbour", text="harbour " * 30))
        for number in range(1, 6):
            store.add(
                f"a{number}",
                f"a{number}",
                Article(
                    title=f"Council {number}",
                    text=f"The council met on day {number} and spoke about the harbour "
                    "and many other things.",
                ),
            )
    assert store.search("harbour")[0]["title"] == "Harbour harbour"
    assert len(store.search("harbour", limit=3)) == 3
    monkeypatch.setattr(queries, "SEARCH_WINDOW", 3)
    titles = [hit["title"] for hit in store.search("harbour")]
    assert sorted(titles) == ["Council 3", "Council 4", "Council 5"]
    assert all("[harbour]" in hit["snippet"] for hit in store.search("harbour"))


def test_fts_query_quotes_every_term() -> None:
    assert fts_query('bridge" OR x') == '"bridge" "OR" "x"'


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl-C"])
def test_kill_during_ingest_then_resume_loses_and_doubles_nothing(
    tmp_path: Path, stop: signal.Signals
) -> None:
    folder = tmp_path / "many"
    pages = 300  # enough that the run is still going when the signal comes, even on a fast machine
    _write_distinct_pages(folder, pages)
    db = tmp_path / "crash.db"
    ingest_args = ["ingest", str(folder), "--db", str(db), "--stages", "decode,clean", "--batch-size", "4"]
    command = [sys.executable, "-m", "newsdistill.cli", *ingest_args, "--no-progress"]
    # A shell runs background jobs with SIGINT ignored, and children inherit that: restore Ctrl-C.
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _stored(db) < 8:
        time.sleep(0.05)
    os.kill(process.pid, stop)
    returncode = process.wait(timeout=60)
    assert returncode == (130 if stop == signal.SIGINT else -signal.SIGKILL)
    partial = _stored(db)
    assert 0 < partial < pages
    finished = subprocess.run(command, capture_output=True, timeout=300, check=False)
    assert finished.returncode == 0, finished.stderr.decode()
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT count(*) FROM articles").fetchone()[0] == pages
        assert raw.execute("SELECT count(DISTINCT input_id) FROM inputs").fetchone()[0] == pages
        assert raw.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == pages


def _write_distinct_pages(folder: Path, pages: int) -> None:
    folder.mkdir()
    for i in range(pages):
        words = " ".join(f"w{i}x{j}" for j in range(40))
        paragraphs = [
            f"Story number {i} says the council met and discussed item {j} at length today. {words}."
            for j in range(3)
        ]
        (folder / f"p{i:03d}.html").write_text(html_page(f"Story {i}", paragraphs, "Daily"), encoding="utf-8")


def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as raw:
            return int(raw.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
def test_query_commands_json(pages: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    ingest([str(pages)], db, stages=CLEAN)

    def run(*args: str) -> object:
        result = subprocess.run(
            [sys.executable, "-m", "newsdistill.cli", *args, "--db", str(db), "--format", "json"],
            capture_output=True,
            timeout=120,
            check=True,
        )
        return json.loads(result.stdout)

    hits = run("search", "festival")
    fields = {"id", "title", "outlet", "url", "published", "snippet", "copies", "outlets"}
    assert hits and set(hits[0]) == fields  # type: ignore[index]
    bridge = run("search", "bridge", "--all-copies")
    assert len(bridge) == 1 and bridge[0]["copies"] == 1  # type: ignore[index]  # the copy folds into its original
    assert [p["input_id"].rsplit("/", 1)[-1] for p in bridge[0]["appearances"]] == [  # type: ignore[index]
        "a_bridge.html",
        "b_bridge_copy.html",
    ]
    said = run("who-said", "Tom Becker")
    assert said and {"speaker", "content", "cue", "article", "quote_id", "outlets", "first_seen"} <= set(
        said[0]  # type: ignore[arg-type]
    )  # one row per quote, with its spread
    assert set(said[0]["article"]) == {"id", "title", "outlet", "url"}  # type: ignore[index]
    stories = run("stories")
    story_keys = {
        "id",
        "title",
        "articles",
        "first_published",
        "last_published",
        "first_outlet",
        "outlet_names",
        "article_count",  # counts over the whole story; `articles` lists the first 500
        "republications",
        "outlet_count",
    }
    assert set(stories[0]) == story_keys  # type: ignore[index]
    article_keys = {"id", "title", "outlet", "url", "duplicate_of", "published"}
    assert set(stories[0]["articles"][0]) == article_keys  # type: ignore[index]


def test_read_only_store_fails_clearly_and_stays_consistent(
    pages: Path, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    import newsdistill.corpus.ingest as ingest_module
    from newsdistill import cli

    db = tmp_path / "corpus.db"
    ingest([str(pages / "a_bridge.html")], db, stages=("decode", "clean"))
    before = Store(db).counts()

    class ReadOnlyDisk(Store):
        def __init__(self, path: Path) -> None:
            super().__init__(path)
            self.db.execute("PRAGMA query_only = 1")  # every write now fails as on a read-only disk

    monkeypatch.setattr(ingest_module, "Store", ReadOnlyDisk)
    status = cli.main(["ingest", str(pages), "--db", str(db), "--stages", "decode,clean", "--no-progress"])
    assert status == 1
    assert "cannot write the store" in capsys.readouterr().err
    monkeypatch.undo()
    assert Store(db).counts() == before  # the failed batch was rolled back whole
    assert ingest([str(pages)], db, stages=("decode", "clean")).stored == 2  # and the store still works
