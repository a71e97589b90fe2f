"""Each stored attribution keeps its act (speech, writing, thought, evidence), on real SQLite stores:
who-said rows carry it and filter by it, and stores from before acts get them from their cues on open."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

import pytest

from newsdistill.corpus.quotes import QUOTED_ACTS, parse_acts
from newsdistill.corpus.store import Store, text_hash
from newsdistill.model import Article, Attribution, Entity, Source, Span

OLD_SCHEMA = Path(__file__).with_name("fixtures") / "schema_7697edf.sql"
SPEAKER = "Helen Ortiz"
# (cue, what she said, act): one statement of each act, each a distinct quote.
STATEMENTS = [
    ("said", "The harbour bridge will reopen in the spring after the repairs.", "speech"),
    ("wrote in a letter", "Council members must approve the repair budget before the summer.", "writing"),
    ("believes", "Residents will accept the higher tolls once the bridge is safe again.", "thought"),
    ("According to", "Traffic on the ring road doubled since the harbour bridge closed.", "evidence"),
]


def said_article(statements: list[tuple[str, str, str]], speaker: str = SPEAKER) -> Article:
    """An article in which `speaker` (a PERSON entity) makes each (cue, content, act) statement."""
    text, attributions = "Report from City Times.", []
    for cue, content, act in statements:
        start = len(text) + 1
        text += f" {content} {speaker} {cue}."
        attributions.append(
            Attribution(
                source=Source(text=speaker, start=0, end=len(speaker), entity="e0", name=speaker),
                cue=Span(text=cue, start=0, end=len(cue)),
                content=Span(text=content, start=start, end=start + len(content)),
                act=act,  # type: ignore[arg-type]
            )
        )
    return Article(
        text=text,
        url="https://citytimes.example/bridge",
        title="Bridge repairs",
        published="2024-05-06",
        outlet="City Times",
        entities=[Entity(id="e0", name=speaker, type="PERSON")],
        attributions=attributions,
    )


def said_store(path: Path) -> Path:
    store = Store(path)
    store.add("bridge.html", "h1", said_article(STATEMENTS))
    store.close()
    return path


def test_who_said_rows_carry_the_act_and_filter_by_it(tmp_path: Path) -> None:
    store = Store(said_store(tmp_path / "corpus.db"))
    every = store.who_said(SPEAKER)
    assert [(r["content"], r["act"]) for r in every] == [(c, act) for _, c, act in STATEMENTS]
    quoted = store.who_said(SPEAKER, acts=QUOTED_ACTS)
    assert [r["act"] for r in quoted] == ["speech", "writing"]
    assert [r["act"] for r in store.who_said(SPEAKER, every=True, acts={"evidence"})] == ["evidence"]


def test_acts_are_parsed_and_unknown_ones_refused() -> None:
    assert parse_acts(["speech, Writing"]) == {"speech", "writing"}
    with pytest.raises(ValueError, match="unknown act 'shouting'"):
        parse_acts(["speech,shouting"])
    with pytest.raises(ValueError, match="no act given"):
        parse_acts([" , "])


def _old_store_with_attributions(path: Path) -> None:
    """A store as the code of 7697edf wrote it (no quotes, no acts), with one article's attributions."""
    article = said_article(STATEMENTS)
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA.read_text(encoding="utf-8"))
        record = zlib.compress(article.model_dump_json().encode())
        db.execute(
            "INSERT INTO articles(id, content_hash, url, outlet, title, published, text, record) "
            "VALUES (1, ?, ?, 'City Times', 'Bridge repairs', '2024-05-06', ?, ?)",
            (text_hash(article.text), article.url, article.text, record),
        )
        db.execute(
            "INSERT INTO inputs(input_id, raw_hash, status, article_id) VALUES ('b.html', 'h', 'stored', 1)"
        )
        db.execute("INSERT INTO entities(id, name, type) VALUES (1, ?, 'PERSON')", (SPEAKER,))
        db.execute(
            "INSERT INTO entity_aliases(alias, type, entity_id) VALUES (?, 'PERSON', 1)", (SPEAKER.lower(),)
        )
        rows = [
            (1, entity, speaker, cue, content, "indirect", None)
            for entity, speaker, cue, content, _ in OLD_ROWS
        ]
        db.executemany(
            "INSERT INTO attributions(article_id, entity_id, speaker, cue, content, kind, medium) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


# (entity, speaker, cue, content, the act its words give) as an old store held them
OLD_ROWS = [
    (1, SPEAKER, "said", STATEMENTS[0][1], "speech"),
    (1, SPEAKER, "wrote in a letter", STATEMENTS[1][1], "writing"),
    (1, SPEAKER, "believes", STATEMENTS[2][1], "thought"),
    (1, SPEAKER, None, "The bridge is closed until further notice.", "speech"),  # an uncued quote
    (None, "figures from the council", "According to", STATEMENTS[3][1], "evidence"),
    (None, "Tom Becker", "has tweeted", "The festival will go ahead whatever the weather.", "writing"),
]


def _attributions(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT * FROM attributions ORDER BY id").fetchall()


def test_a_store_from_before_acts_gets_them_from_its_cues_on_open(tmp_path: Path) -> None:
    """Old rows get the act of their cue as written; a row with no cue (an uncued quote) is speech."""
    path = tmp_path / "old.db"
    _old_store_with_attributions(path)
    before = _attributions(path)
    readonly = Store(path, readonly=True)  # cannot migrate: acts read from the words
    assert [r["act"] for r in readonly.who_said(SPEAKER)] == [row[-1] for row in OLD_ROWS[:4]]
    assert [r["act"] for r in Store(path).who_said(SPEAKER)] == [row[-1] for row in OLD_ROWS[:4]]
    with sqlite3.connect(path) as db:
        stored = db.execute("SELECT act FROM quote_mentions ORDER BY attribution_id").fetchall()
        assert [act for (act,) in stored] == [row[-1] for row in OLD_ROWS]
        assert db.execute("SELECT value FROM meta WHERE key = 'acts'").fetchone()[0] == "marked"
    assert _attributions(path) == before  # nothing the old store held changed


def test_a_store_with_quotes_but_no_acts_is_marked_once(tmp_path: Path) -> None:
    path = said_store(tmp_path / "corpus.db")
    with sqlite3.connect(path) as db:  # as the code before acts left it: quote mentions with no act
        db.execute("UPDATE quote_mentions SET act = NULL")
        db.execute("DELETE FROM meta WHERE key = 'acts'")
    # from the words: 'According to' a person is what she said
    assert [r["act"] for r in Store(path).who_said(SPEAKER)] == ["speech", "writing", "thought", "speech"]
    with sqlite3.connect(path) as db:
        db.execute("UPDATE quote_mentions SET act = 'thought'")  # marked once: not recomputed on open
    assert {r["act"] for r in Store(path).who_said(SPEAKER)} == {"thought"}


def test_a_quote_split_by_its_cue_is_stored_and_shown_without_the_cue(tmp_path: Path) -> None:
    from newsdistill.render import who_said_markdown

    text = "‘We have heard promises before,’ she said. ‘This time we want dates.’"
    first, second = "We have heard promises before", "This time we want dates"
    parts = [
        Span(text=piece, start=text.index(piece), end=text.index(piece) + len(piece))
        for piece in (first, second)
    ]
    whole = text[parts[0].start : parts[1].end]
    article = said_article([])
    article.text = text
    article.attributions = [
        Attribution(
            source=Source(text="she", start=43, end=46, entity="e0", name=SPEAKER),
            cue=Span(text="said", start=47, end=51),
            content=Span(text=whole, start=parts[0].start, end=parts[1].end),
            content_parts=parts,
            kind="direct",
        )
    ]
    assert article.attributions[0].said == f"{first} … {second}"
    assert who_said_markdown(article.attributions).endswith(f"said: {first} … {second}")
    store = Store(tmp_path / "corpus.db")
    store.add("split.html", "h1", article)
    assert [row["content"] for row in store.who_said(SPEAKER, every=True)] == [f"{first} … {second}"]
    store.close()
