"""Appearances on real SQLite files: every input that yields an article is kept, the original of a group
is its earliest appearance, and a copy that credits an outlet links to that outlet's appearance."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from newsdistill.corpus.appearances import outlet_key, outlet_of, usable_date
from newsdistill.corpus.ingest import ingest
from newsdistill.corpus.store import Store
from newsdistill.model import Article

from .conftest import BRIDGE, FESTIVAL

LONG = " ".join(BRIDGE * 2)
NEAR = LONG.replace("six months", "seven months").replace("this summer", "this autumn")


def _article(text: str, url: str | None, published: str | None, credit: str | None = None) -> Article:
    return Article(text=text, url=url, published=published, title="Bridge", credited_outlet=credit)


INPUTS = {
    "original": _article(LONG, "https://www.citytimes.example/bridge", "2024-05-06"),
    "identical": _article(LONG, "https://farm.example/copy", "2024-05-08"),
    "near": _article(NEAR, "https://other.example.co.uk/bridge", "2024-05-07"),
}


@pytest.mark.parametrize("order", list(itertools.permutations(INPUTS)))
def test_identical_near_and_new_text_are_all_appearances_in_any_order(tmp_path: Path, order: tuple) -> None:
    store = Store(tmp_path / "corpus.db")
    ids = {name: store.add(name, name, INPUTS[name].model_copy()).article_id for name in order}
    festival = store.add("festival", "f", _article(" ".join(FESTIVAL), None, None)).article_id
    timeline = store.appearances(ids["identical"])
    assert [p["input_id"] for p in timeline] == [
        "original",
        "near",
        "identical",
    ]  # by date, whatever the order
    assert timeline[0]["original"] and not any(p["original"] for p in timeline[1:])
    assert ids["identical"] == ids["original"] != ids["near"]
    assert [p["outlet"] for p in timeline] == ["citytimes.example", "other.example.co.uk", "farm.example"]
    assert store.appearances(ids["near"]) == timeline  # a near copy shares its group's timeline
    assert [p["input_id"] for p in store.appearances(festival)] == ["festival"]
    assert store.article(ids["original"])["appearances"] == timeline
    assert store.counts()["articles"] == 3


def test_undated_and_untrusted_dates_order_by_ingest_and_are_stored_as_written(tmp_path: Path) -> None:
    store = Store(tmp_path / "corpus.db")
    store.add("future", "1", _article(LONG, "https://a.example/x", "2999-01-01"))
    store.add("ancient", "2", _article(LONG, "https://b.example/x", "1970-01-01"))
    store.add("undated", "3", _article(LONG, "https://c.example/x", None))
    store.add("dated", "4", _article(LONG, "https://d.example/x", "2024-05-07"))
    timeline = store.appearances(1)
    assert [p["input_id"] for p in timeline] == ["dated", "future", "ancient", "undated"]
    assert [p["published"] for p in timeline] == ["2024-05-07", "2999-01-01", "1970-01-01", None]


def test_a_pre_1990_date_does_not_make_a_near_copy_the_original(tmp_path: Path) -> None:
    store = Store(tmp_path / "corpus.db")
    first = store.add("first", "1", _article(LONG, None, "2024-05-06")).article_id
    copy = store.add("copy", "2", _article(NEAR, None, "1970-01-01"))
    assert copy.copy_of == first
    assert store.article(first)["duplicate_of"] is None


@pytest.mark.parametrize("copy_first", [False, True])
def test_a_copy_links_to_the_outlet_it_credits_in_either_order(tmp_path: Path, copy_first: bool) -> None:
    store = Store(tmp_path / "corpus.db")
    source = ("mail", _article(LONG, "https://www.dailymail.co.uk/news/bridge.html", "2024-05-06"))
    copy = ("copy", _article(NEAR, "https://farm.example/bridge", "2024-05-07", credit="Daily Mail"))
    for input_id, article in (copy, source) if copy_first else (source, copy):
        store.add(input_id, input_id, article)
    by_input = {p["input_id"]: p for p in store.appearances(1)}
    assert by_input["mail"]["outlet"] == "Daily Mail"  # a known outlet's host reads as its name
    assert by_input["copy"]["credited_outlet"] == "Daily Mail"
    assert by_input["copy"]["credited_input_id"] == "mail"
    assert by_input["copy"]["credited_article_id"] == by_input["mail"]["article_id"]
    assert by_input["mail"]["credited_input_id"] is None


def test_a_credit_to_an_outlet_the_store_lacks_is_recorded_without_a_link(tmp_path: Path) -> None:
    store = Store(tmp_path / "corpus.db")
    store.add("a", "1", _article(LONG, "https://city.example/x", "2024-05-06"))
    store.add("b", "2", _article(LONG, "https://farm.example/x", "2024-05-07", credit="Reuters"))
    copy = store.appearances(1)[1]
    assert (copy["credited_outlet"], copy["credited_input_id"]) == ("Reuters", None)


def test_an_input_ingested_again_with_new_bytes_keeps_one_appearance(tmp_path: Path) -> None:
    store = Store(tmp_path / "corpus.db")
    store.add("page", "old bytes", _article(LONG, "https://city.example/x", "2024-05-06"))
    festival = store.add("page", "new bytes", _article(" ".join(FESTIVAL), "https://city.example/x", None))
    assert [p["input_id"] for p in store.appearances(festival.article_id)] == ["page"]
    assert store.db.execute("SELECT count(*) FROM appearances").fetchone()[0] == 1


def test_search_gives_one_row_per_original_with_its_copies(tmp_path: Path) -> None:
    store = Store(tmp_path / "corpus.db")
    for name in ("near", "identical", "original"):
        store.add(name, name, INPUTS[name].model_copy())
    store.add("festival", "f", _article(" ".join(FESTIVAL), None, None))
    rows = store.search("bridge cracks")
    assert len(rows) == 1
    assert (rows[0]["url"], rows[0]["copies"], rows[0]["outlets"]) == (INPUTS["original"].url, 2, 3)
    assert "appearances" not in rows[0]
    every = store.search("bridge cracks", all_copies=True)[0]["appearances"]
    assert [p["input_id"] for p in every] == ["original", "near", "identical"]


def test_ingest_summary_counts_appearances(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text("\n\n".join(BRIDGE * 2), encoding="utf-8")
    (pages / "b.txt").write_text("\n\n".join(BRIDGE * 2), encoding="utf-8")
    (pages / "c.txt").write_text("\n\n".join(FESTIVAL), encoding="utf-8")
    summary = ingest([str(pages)], tmp_path / "corpus.db", stages=("decode", "clean"))
    assert summary.line().startswith(
        "3 appearances: 2 new articles, 0 near copies, 1 identical copy (2 stored)"
    )


def test_outlet_names_hosts_and_dates() -> None:
    assert outlet_of("https://www.dailymail.co.uk/news/x.html", "Someone") == "Daily Mail"
    assert outlet_of("https://news.example.org/x", None) == "news.example.org"
    assert outlet_of(None, "Daily Mail") == "Daily Mail"
    assert outlet_of("http://[::1/x", "Kept") == "Kept"  # a malformed URL falls back to the outlet
    assert outlet_key("MailOnline") == outlet_key("dailymail.com") == outlet_key("Daily Mail")
    assert outlet_key("www.example-news.co.uk") == outlet_key("Example News")
    assert usable_date("2024-05-06T10:00") == "2024-05-06"
    assert usable_date("1989-12-31") is None and usable_date("3000-01-01") is None
    assert usable_date("not a date") is None


@pytest.mark.slow
def test_search_command_shows_copies_and_lists_them_on_request(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in ("a.txt", "b.txt"):
        (pages / name).write_text("\n\n".join(BRIDGE * 2), encoding="utf-8")
    db = tmp_path / "corpus.db"
    ingest([str(pages)], db, stages=("decode", "clean"))

    def search(*extra: str) -> str:
        command = [sys.executable, "-m", "newsdistill.cli", "search", "bridge", "--db", str(db), *extra]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout

    assert "(+1 copy)" in search() and "b.txt" not in search()
    listed = search("--all-copies")
    assert "first" in listed and "copy " in listed and "b.txt" in listed


@pytest.mark.slow
def test_two_ingests_of_the_same_inputs_at_once_keep_one_appearance_each(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for number in range(12):
        text = BRIDGE if number % 3 else FESTIVAL  # identical texts under several names race each other
        (pages / f"p{number:02d}.txt").write_text("\n\n".join(text * 2), encoding="utf-8")
    db = tmp_path / "corpus.db"
    command = [sys.executable, "-m", "newsdistill.cli", "ingest", str(pages), "--db", str(db)]
    command += ["--stages", "decode,clean", "--batch-size", "2", "--no-progress"]
    runs = [subprocess.Popen(command, stderr=subprocess.PIPE) for _ in range(2)]
    for run in runs:
        _, stderr = run.communicate(timeout=300)
        assert run.returncode == 0 and b"Traceback" not in stderr, stderr.decode()
    store = Store(db, readonly=True)
    rows = store.db.execute("SELECT input_id, article_id FROM appearances ORDER BY input_id").fetchall()
    assert [Path(r["input_id"]).name for r in rows] == [f"p{n:02d}.txt" for n in range(12)]
    assert store.counts()["articles"] == 2
    assert {len(store.appearances(r["article_id"])) for r in rows} == {4, 8}


def test_a_storys_separate_texts_are_each_an_original_and_only_copies_are_copies(tmp_path: Path) -> None:
    store = Store(tmp_path / "corpus.db")
    bridge = store.add("original", "o", INPUTS["original"].model_copy()).article_id
    store.add("identical", "i", INPUTS["identical"].model_copy())
    festival = store.add("festival", "f", _article(" ".join(FESTIVAL), "https://b.example/f", "2024-05-07"))
    story_id = store.db.execute("SELECT story_id FROM articles WHERE id = ?", (bridge,)).fetchone()[0]
    with store.transaction():  # a story of two texts (one copied once), as assignment may well make it
        store.db.execute("UPDATE articles SET story_id = ? WHERE id = ?", (story_id, festival.article_id))
    story = store.story(story_id)
    assert story is not None
    marks = [(p["input_id"], p["original"]) for p in story["appearances"]]
    assert marks == [("original", True), ("festival", True), ("identical", False)]
