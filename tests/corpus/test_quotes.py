"""Quotes tracked across articles, on real SQLite stores: edited wordings group into one quote, distinct
quotes by the same speaker stay apart, short quotes group only by the same speaker, and a store from
before quotes gets them on open."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from newsdistill.corpus.quotes import content_words
from newsdistill.corpus.store import Store
from newsdistill.model import Article, Attribution, Entity, Source, Span

TAXES = "We will not raise taxes on working families, not this year and not next year, whatever happens."
WORDINGS = {  # outlet -> (date, how it wrote the quote, kind)
    "wire.example": ("2024-03-02", f"“{TAXES}”", "direct"),
    "daily.example": ("2024-03-01", TAXES.replace("’", "'").replace(",", ""), "direct"),  # the earliest
    "herald.example": ("2024-03-03", "We will not raise taxes on working families", "direct"),  # a fragment
    "post.example": ("2024-03-04", "not raise taxes on working families, not this year", "direct"),
    "gazette.example": (  # a paraphrase with the same key words
        "2024-03-05",
        "she would not raise taxes on working families this year or next year",
        "indirect",
    ),
}
OTHER_QUOTE = "The new bridge will open in the spring, and tolls will pay for its upkeep over thirty years."


def _article(outlet: str, published: str, said: list[tuple[str, str, str]], filler: str = "") -> Article:
    """An article in which each (speaker, content, kind) is attributed; speakers are PERSON entities."""
    text, attributions, entities = f"Report from {outlet}. {filler}", [], {}
    for speaker, content, kind in said:
        entities.setdefault(speaker, Entity(id=f"e{len(entities)}", name=speaker, type="PERSON"))
        start = len(text) + 1
        text += f" {content} {speaker} said."
        attributions.append(
            Attribution(
                source=Source(
                    text=speaker, start=0, end=len(speaker), entity=entities[speaker].id, name=speaker
                ),
                cue=Span(text="said", start=0, end=4),
                content=Span(text=content, start=start, end=start + len(content)),
                kind=kind,
            )
        )
    return Article(
        text=text,
        url=f"https://{outlet}/story",
        title=f"Story at {outlet}",
        published=published,
        outlet=outlet,
        entities=list(entities.values()),
        attributions=attributions,
    )


def _store_with_wordings(path: Path) -> Store:
    store = Store(path)
    for outlet, (published, wording, kind) in WORDINGS.items():  # ingested out of date order
        store.add(outlet, outlet, _article(outlet, published, [("Helen Ortiz", wording, kind)]))
    store.add(
        "bridge", "bridge", _article("city.example", "2024-03-06", [("Helen Ortiz", OTHER_QUOTE, "direct")])
    )
    return store


def test_edited_wordings_are_one_quote_and_a_distinct_quote_by_the_same_speaker_is_another(
    tmp_path: Path,
) -> None:
    store = _store_with_wordings(tmp_path / "corpus.db")
    rows = store.who_said("Helen Ortiz")
    assert len(rows) == 2  # one row per quote, not per article
    taxes = rows[0]
    assert taxes["outlets"] == 5 and taxes["articles"] == 5
    assert taxes["first_seen"]["outlet"] == "daily.example"  # earliest published, not first ingested
    assert taxes["first_seen"]["published"] == "2024-03-01"
    assert rows[1]["outlets"] == 1 and rows[1]["quote_id"] != taxes["quote_id"]
    quote = store.quote(taxes["quote_id"])
    assert quote is not None
    assert quote["speaker"] == "Helen Ortiz" and quote["entity_id"] == taxes["entity_id"]
    assert quote["outlets"][0] == "daily.example" and len(quote["articles"]) == 5
    assert len(quote["variants"]) == 4  # wordings: quote marks and commas alone make no new variant
    assert quote["text"] == f"“{TAXES}”"  # the fullest wording
    every = store.who_said("Helen Ortiz", every=True)
    assert len(every) == 6 and {r["quote_id"] for r in every} == {taxes["quote_id"], rows[1]["quote_id"]}
    assert set(every[0]) >= {
        "speaker",
        "entity_id",
        "content",
        "cue",
        "kind",
        "act",
        "article_id",
        "outlet",
        "published",
        "quote_id",
    }  # the who-said row of CONVENTIONS.md


def test_an_identical_copy_elsewhere_counts_as_an_outlet_of_its_quotes(tmp_path: Path) -> None:
    store = _store_with_wordings(tmp_path / "corpus.db")
    copy = _article("wire.example", "2024-02-28", [("Helen Ortiz", f"“{TAXES}”", "direct")])
    copy.url = "https://farm.example/copied"
    assert store.add("farm", "farm", copy).status == "duplicate"
    taxes = store.who_said("Helen Ortiz")[0]
    assert taxes["outlets"] == 6 and taxes["first_seen"]["outlet"] == "farm.example"


def test_a_two_word_quote_groups_only_when_the_speaker_matches(tmp_path: Path) -> None:
    store = Store(tmp_path / "corpus.db")
    for number, speaker in enumerate(["Helen Ortiz", "Helen Ortiz", "Tom Becker"]):
        store.add(
            f"a{number}",
            f"a{number}",
            _article(
                f"o{number}.example",
                "2024-01-0" + str(number + 1),
                [(speaker, "No way.", "direct")],
                filler=f"n{number}",
            ),
        )
    ortiz = store.who_said("Helen Ortiz")
    becker = store.who_said("Tom Becker")
    assert len(ortiz) == 1 and ortiz[0]["outlets"] == 2
    assert len(becker) == 1 and becker[0]["quote_id"] != ortiz[0]["quote_id"]


def test_other_speakers_group_only_on_a_long_near_identical_text(tmp_path: Path) -> None:
    store = Store(tmp_path / "corpus.db")
    wire = (
        "The company expects revenue to grow by twelve percent next year, as demand for electric "
        "vehicles recovers across Europe and Asia."
    )
    store.add("a", "a", _article("a.example", "2024-01-01", [("Helen Ortiz", wire, "direct")]))
    store.add("b", "b", _article("b.example", "2024-01-02", [("Tom Becker", f"“{wire[:-1]}”", "direct")]))
    fragment = "revenue to grow by twelve percent next year"  # contained, but short: another speaker's
    store.add("c", "c", _article("c.example", "2024-01-03", [("Anna Berg", fragment, "direct")]))
    ortiz, becker, berg = (store.who_said(n)[0] for n in ("Helen Ortiz", "Tom Becker", "Anna Berg"))
    assert ortiz["quote_id"] == becker["quote_id"] != berg["quote_id"]  # the misattributed wire quote


def test_content_words_ignore_quote_style_case_punctuation_and_inflection() -> None:
    assert content_words("“We’ll RAISE taxes,” he said.") == content_words('"we\'ll raised tax" she says')


def test_a_store_from_before_quotes_gets_them_on_open(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    _store_with_wordings(path).close()
    with sqlite3.connect(path) as raw:  # as today's code would have left it: no quote tables
        raw.executescript(
            "DROP TABLE quotes; DROP TABLE quote_variants; DROP TABLE quote_mentions; DROP TABLE quote_keys;"
            "DELETE FROM meta WHERE key = 'quotes';"
        )
    before = Store(path, readonly=True).who_said("Helen Ortiz")  # read-only: cannot migrate, still reads
    assert len(before) == 6
    rows = Store(path).who_said("Helen Ortiz")
    assert len(rows) == 2 and rows[0]["outlets"] == 5
    assert Store(path).who_said("Helen Ortiz") == rows  # migrated once


def test_who_said_cli_shows_one_row_per_quote_and_all_occurrences_on_request(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    _store_with_wordings(path).close()
    command = [sys.executable, "-m", "newsdistill.cli", "who-said", "Helen Ortiz", "--db", str(path)]
    shown = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert "5 outlets, first daily.example 2024-03-01" in shown
    every = subprocess.run([*command, "--all"], capture_output=True, text=True, check=True).stdout
    assert every.count("(quote ") == 6 and "[3] Story at herald.example" in every


def test_a_full_quote_merges_the_fragment_and_the_rewording_seen_before_it(tmp_path: Path) -> None:
    """The fragment and the rewording share too little to group; the full quote, seen last, contains
    both, so the two quotes started apart become one."""
    store = Store(tmp_path / "corpus.db")
    full = (
        "The harbour expansion will create four thousand jobs, double container traffic within five years "
        "and cut shipping emissions because berths will take electric cranes."
    )
    wordings = [
        "The harbour expansion will create four thousand jobs, double container traffic",
        "within five years and cut shipping emissions because berths will take electric cranes",
        full,
    ]
    for number, wording in enumerate(wordings):
        outlet = f"o{number}.example"
        store.add(
            outlet, outlet, _article(outlet, f"2024-05-0{number + 1}", [("Helen Ortiz", wording, "direct")])
        )
    rows = store.who_said("Helen Ortiz")
    assert len(rows) == 1 and rows[0]["articles"] == 3
    every = store.who_said("Helen Ortiz", every=True)
    assert {r["quote_id"] for r in every} == {rows[0]["quote_id"]}
    quote = store.quote(rows[0]["quote_id"])
    assert quote is not None and len(quote["variants"]) == 3 and quote["text"] == full


def _pronoun_article(outlet: str, content: str) -> Article:
    """An article whose only attribution names its speaker by a pronoun (no entity)."""
    text = f"Report from {outlet}. {content} he said."
    start = text.index(content)
    return Article(
        text=text,
        url=f"https://{outlet}/story",
        title=f"Story at {outlet}",
        published="2024-03-09",
        outlet=outlet,
        attributions=[
            Attribution(
                source=Source(text="he", start=0, end=2),
                cue=Span(text="said", start=0, end=4),
                content=Span(text=content, start=start, end=start + len(content)),
                kind="direct",
            )
        ],
    )


def test_a_short_fragment_by_a_pronoun_joins_the_quote_that_contains_it_whole(tmp_path: Path) -> None:
    store = _store_with_wordings(tmp_path / "corpus.db")
    store.add("p1", "p1", _pronoun_article("p1.example", "“not raise taxes on working”"))  # 2 content words
    store.add("p2", "p2", _pronoun_article("p2.example", "raise taxes on roads"))  # not contained: apart
    store.add("p3", "p3", _pronoun_article("p3.example", "raise taxes"))  # two words: never on a pronoun
    taxes = store.who_said("Helen Ortiz")[0]
    assert taxes["articles"] == 6
    others = {r["quote_id"] for r in store.who_said("he", every=True)} - {taxes["quote_id"]}
    assert len(others) == 2


def test_a_pronoun_quote_of_few_words_joins_only_where_they_run_in_order(tmp_path: Path) -> None:
    """On a pronoun, a quote of fewer than eight content words joins one whose content words hold them
    in order and unbroken (a cut or trimmed copy); the same topic words in another order are another
    remark (the rule before grouped it on its words alone)."""
    store = Store(tmp_path / "corpus.db")
    budget = "The school budget will fund new teachers, smaller classes and longer library hours next spring."
    store.add("b", "b", _article("city.example", "2024-03-01", [("Helen Ortiz", budget, "direct")]))
    store.add(
        "p1", "p1", _pronoun_article("p1.example", "new teachers, smaller classes and longer library hours")
    )
    store.add("p2", "p2", _pronoun_article("p2.example", "teachers want longer hours and smaller classes"))
    ortiz = store.who_said("Helen Ortiz")[0]
    assert ortiz["articles"] == 2  # the budget quote and its fragment
    others = {r["quote_id"] for r in store.who_said("he", every=True)} - {ortiz["quote_id"]}
    assert len(others) == 1  # the teachers' demand: its own quote


def test_a_store_from_before_variant_speakers_gets_the_column_on_open(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    _store_with_wordings(path).close()
    with sqlite3.connect(path) as raw:  # as the code before variant speakers left it
        raw.execute("ALTER TABLE quote_variants DROP COLUMN speaker_key")
    store = Store(path)
    extra = _article(
        "late.example", "2024-03-09", [("Helen Ortiz", "not raise taxes on working families", "direct")]
    )
    store.add("late", "late", extra)
    rows = store.who_said("Helen Ortiz")
    assert len(rows) == 2 and rows[0]["articles"] == 6
    columns = {row[1] for row in store.db.execute("PRAGMA table_info(quote_variants)")}
    assert "speaker_key" in columns


def test_a_merged_quote_id_leads_to_the_quote_it_joined(tmp_path: Path) -> None:
    """Links to a quote that was merged away (its page, its API record) move to the quote it joined, over a
    real server; an id that never existed is still not found."""
    import httpx

    from newsdistill.web.app import create_app
    from tests.web.conftest import serving

    store = Store(tmp_path / "corpus.db")
    first = "The harbour expansion will create four thousand jobs, double container traffic"
    second = "within five years and cut shipping emissions because berths will take electric cranes"
    for number, wording in enumerate([first, second, f"{first} {second}"]):
        outlet = f"o{number}.example"
        store.add(
            outlet, outlet, _article(outlet, f"2024-05-0{number + 1}", [("Helen Ortiz", wording, "direct")])
        )
    aliases = store.db.execute("SELECT old_id, quote_id FROM quote_aliases").fetchall()
    assert len(aliases) == 1
    gone, kept = aliases[0]
    assert store.quote(gone) is None and store.quote_merged_into(gone) == kept
    store.close()
    with serving(create_app(tmp_path / "corpus.db")) as base:
        page = httpx.get(f"{base}/quotes/{gone}", follow_redirects=False)
        assert page.status_code == 301 and page.headers["location"] == f"/quotes/{kept}"
        assert httpx.get(f"{base}/api/quotes/{gone}", follow_redirects=True).json()["id"] == kept
        assert httpx.get(f"{base}/quotes/{kept + gone + 1}").status_code == 404


def test_spreads_of_many_quotes_are_each_quotes_own(tmp_path: Path) -> None:
    """The batched spreads against the per-quote statements they replaced (first by TIMELINE_ORDER,
    articles and outlets counted over the quote's appearances)."""
    from newsdistill.corpus import appearances, quotes

    store = _store_with_wordings(tmp_path / "corpus.db")
    copy = _article("wire.example", "2024-02-28", [("Helen Ortiz", f"“{TAXES}”", "direct")])
    copy.url = "https://farm.example/copied"
    store.add("farm", "farm", copy)
    db = store.db
    ids = [int(r[0]) for r in db.execute("SELECT id FROM quotes")] + [987_654]  # and a quote that is not
    seen = "FROM appearances WHERE article_id IN (SELECT article_id FROM quote_mentions WHERE quote_id = ?)"
    for quote_id, got in quotes.spreads(db, ids).items():
        first = db.execute(
            f"SELECT article_id, outlet, published {seen} ORDER BY {appearances.TIMELINE_ORDER} LIMIT 1",
            (quote_id,),
        ).fetchone()
        counts = db.execute(
            f"SELECT count(DISTINCT article_id), count(DISTINCT coalesce(outlet_key, '?' || id)) {seen}",
            (quote_id,),
        ).fetchone()
        assert got["first_seen"] == (
            dict(zip(("article_id", "outlet", "published"), first, strict=True)) if first else None
        )
        assert (got["articles"], got["outlets"]) == tuple(counts)
    assert quotes.spreads(db, ids)[ids[0]]["outlets"] >= 5
