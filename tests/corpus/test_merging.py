"""Corpus-level merging on real SQLite files, with articles built directly: people under different
names, stories within a time window, and the LSH index surviving a change of its settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdistill import neardup as dedup
from newsdistill.corpus import stories
from newsdistill.corpus.store import Store
from newsdistill.model import Article, Attribution, Entity, Source, Span

SUMMIT = (
    "Leaders of the two countries met in Geneva on Tuesday for talks on nuclear arms control, trade "
    "sanctions and the long war, the first summit between them in three years, officials said."
)


def quoting(
    speaker: str, said: str, title: str, entities: list[Entity], published: str | None = None
) -> Article:
    text = f"{SUMMIT} {speaker} said: {said}"
    start = text.index(said)
    source_start = text.index(speaker)
    entity = next((e.id for e in entities if e.name == speaker), None)
    attribution = Attribution(
        source=Source(
            text=speaker, start=source_start, end=source_start + len(speaker), entity=entity, name=None
        ),
        cue=Span(text="said", start=source_start + len(speaker) + 1, end=source_start + len(speaker) + 5),
        content=Span(text=said, start=start, end=start + len(said)),
        kind="direct",
    )
    return Article(title=title, text=text, entities=entities, attributions=[attribution], published=published)


def add(store: Store, key: str, article: Article) -> int:
    with store.transaction():
        return store.add(key, key, article).article_id


def test_one_person_under_three_names_is_one_corpus_entity(tmp_path: Path) -> None:
    store = Store(tmp_path / "corpus.db")
    add(
        store,
        "a",
        quoting(
            "Putin", "We will not give in.", "Summit opens", [Entity(id="e1", name="Putin", type="PERSON")]
        ),
    )
    add(
        store,
        "b",
        quoting(
            "Vladimir Putin",
            "The talks were useful.",
            "Summit ends",
            [Entity(id="e1", name="Vladimir Putin", type="PERSON", aliases=["Putin"])],
        ),
    )
    add(
        store,
        "c",
        quoting(
            "President Putin",
            "Sanctions must go.",
            "Summit row",
            [Entity(id="e1", name="President Putin", type="PERSON")],
        ),
    )
    people = store.db.execute("SELECT name FROM entities WHERE type = 'PERSON'").fetchall()
    assert [p["name"] for p in people] == ["Vladimir Putin"]
    for query in ("Putin", "Vladimir Putin", "President Putin", "putin"):
        said = store.who_said(query)
        assert {s["content"] for s in said} == {
            "We will not give in.",
            "The talks were useful.",
            "Sanctions must go.",
        }
        assert {s["speaker"] for s in said} == {"Vladimir Putin"}


def test_people_sharing_a_surname_stay_apart(tmp_path: Path) -> None:
    store = Store(tmp_path / "corpus.db")
    add(
        store,
        "a",
        quoting(
            "Helen Ortiz",
            "The bridge is closed.",
            "Bridge",
            [Entity(id="e1", name="Helen Ortiz", type="PERSON", aliases=["Ortiz"])],
        ),
    )
    add(
        store,
        "b",
        quoting(
            "Maria Ortiz",
            "The school is open.",
            "School",
            [Entity(id="e1", name="Maria Ortiz", type="PERSON", aliases=["Ortiz"])],
        ),
    )
    assert [s["content"] for s in store.who_said("Helen Ortiz")] == ["The bridge is closed."]
    assert [s["content"] for s in store.who_said("Maria Ortiz")] == ["The school is open."]
    add(
        store,
        "c",
        quoting("Ortiz", "Who knows.", "Ambiguous", [Entity(id="e1", name="Ortiz", type="PERSON")]),
    )
    assert store.counts()["entities"] == 3  # an ambiguous surname is not merged into either


def test_a_story_takes_articles_within_its_time_window_only(tmp_path: Path) -> None:
    store = Store(tmp_path / "corpus.db")
    entities = [Entity(id="e1", name="Geneva", type="PLACE")]
    first = add(store, "a", quoting("Anna Berg", "It went well.", "Geneva summit", entities, "2024-03-01"))
    close = add(
        store,
        "b",
        quoting("Anna Berg", "It went well, mostly.", "Geneva summit day two", entities, "2024-03-03"),
    )
    undated = add(store, "c", quoting("Anna Berg", "It went well, I think.", "Geneva summit notes", entities))
    later = add(
        store,
        "d",
        quoting("Anna Berg", "It went well again.", "Geneva summit, a year on", entities, "2025-03-01"),
    )
    story = {r["id"]: r["story_id"] for r in store.db.execute("SELECT id, story_id FROM articles")}
    assert story[first] == story[close] == story[undated] != story[later]
    span = store.db.execute(
        "SELECT first_published, last_published FROM stories WHERE id = ?", (story[first],)
    ).fetchone()
    assert tuple(span) == ("2024-03-01", "2024-03-03")


def test_within_window() -> None:
    assert stories.within_window("2024-03-12", "2024-03-01", "2024-03-03")
    assert not stories.within_window("2024-03-14", "2024-03-01", "2024-03-03")
    assert not stories.within_window("2024-02-15", "2024-03-01", "2024-03-03")
    assert stories.within_window(None, "2024-03-01", "2024-03-03")
    assert stories.within_window("2024-03-01", None, None)
    assert stories.within_window("not a date", "2024-03-01", "2024-03-03")


def test_lsh_bands_are_rebuilt_when_their_settings_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "corpus.db"
    long_text = " ".join(f"{SUMMIT} Paragraph {i} adds detail {i * 7} about the talks." for i in range(6))
    store = Store(db)
    original = add(store, "a", Article(title="Summit", text=long_text))
    store.close()
    monkeypatch.setattr(dedup, "BANDS", 16)
    monkeypatch.setattr(dedup, "ROWS", 8)
    reopened = Store(db)
    assert reopened.db.execute("SELECT value FROM meta WHERE key = 'lsh'").fetchone()[0] == dedup.layout()
    assert reopened.db.execute("SELECT count(*) FROM band_postings").fetchone()[0] == 16
    copy = add(
        reopened,
        "b",
        Article(title="Summit (copy)", text=long_text.replace("talks", "talks ") + " See also: x"),
    )
    row = reopened.db.execute("SELECT duplicate_of FROM articles WHERE id = ?", (copy,)).fetchone()
    assert row["duplicate_of"] == original


def test_a_store_with_text_band_keys_is_numbered_on_open_and_still_finds_copies(tmp_path: Path) -> None:
    """A store written before band postings were numbers kept text keys in a `bands` table: on open its
    postings are made from the stored signatures, the old table goes, and a copy of an old article is
    found."""
    db = tmp_path / "corpus.db"
    long_text = " ".join(f"{SUMMIT} Paragraph {i} adds detail {i * 7} about the talks." for i in range(6))
    store = Store(db)
    original = add(store, "a", Article(title="Summit", text=long_text))
    with store.transaction():  # as the earlier code left it: text keys, no numbered postings
        store.db.execute("CREATE TABLE bands (band_key TEXT NOT NULL, article_id INTEGER NOT NULL)")
        store.db.executemany(
            "INSERT INTO bands VALUES (?, ?)",
            [(str(key), original) for key in dedup.band_keys(dedup.signature(long_text))],
        )
        store.db.execute("DELETE FROM band_postings")
    store.close()
    reopened = Store(db)
    assert not reopened._has_table("bands")
    assert reopened.db.execute("SELECT count(*) FROM band_postings").fetchone()[0] == dedup.BANDS
    copy = add(reopened, "b", Article(title="Summit (copy)", text=long_text + " See also: more talks news"))
    row = reopened.db.execute("SELECT duplicate_of FROM articles WHERE id = ?", (copy,)).fetchone()
    assert row["duplicate_of"] == original


def test_an_earlier_dated_copy_arriving_late_becomes_the_original(tmp_path: Path) -> None:
    store = Store(tmp_path / "corpus.db")
    body = " ".join(f"{SUMMIT} Paragraph {i} adds detail {i * 7} about the talks." for i in range(6))
    farm = add(
        store,
        "farm",
        Article(title="Summit (copied)", text=body + " Share this article.", published="2024-03-03"),
    )
    other = add(
        store,
        "other",
        Article(title="Summit (copied again)", text=body + " Read more.", published="2024-03-04"),
    )
    first = add(store, "agency", Article(title="Summit", text=body, published="2024-03-01"))
    links = {r["id"]: r["duplicate_of"] for r in store.db.execute("SELECT id, duplicate_of FROM articles")}
    assert links == {farm: first, other: first, first: None}
    assert store.article(farm)["duplicate_of"] == first  # type: ignore[index]


def test_signatures_are_rebuilt_batch_by_batch_for_every_article(tmp_path: Path) -> None:
    store = Store(tmp_path / "corpus.db")
    ids = [
        add(store, f"p{n}", Article(title=f"Story {n}", text=f"{SUMMIT} Story {n} " + f"word{n} " * 40))
        for n in range(5)
    ]
    store.db.execute("DELETE FROM band_postings")
    with store.transaction():
        store._rebuild_signatures(batch=2)  # three batches: 2, 2 and 1 articles
    banded = {row[0] for row in store.db.execute("SELECT DISTINCT article_id FROM band_postings")}
    assert banded == set(ids)
    assert store.db.execute("SELECT count(*) FROM band_postings").fetchone()[0] == len(ids) * dedup.BANDS
