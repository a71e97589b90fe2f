"""Kinds of quote variants grouped since the rule read short quotes by their phrases, on real SQLite stores:
a fragment with a single content word, fragments seen before their fuller wording, a reported copy that
changed the function words at its edges or inside, and what still stays apart."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from newsdistill.corpus import quotes
from newsdistill.corpus.store import Store
from tests.corpus.test_quotes import _article, _pronoun_article

ORTIZ = "Helen Ortiz"
CAMPAIGN = "We will never attack any of our opponents by name in this campaign, whatever they say about us."


def _add(store: Store, outlet: str, speaker: str, wording: str) -> None:
    store.add(outlet, outlet, _article(outlet, "2024-04-01", [(speaker, wording, "direct")], filler=outlet))


def _quote_ids(store: Store, speaker: str) -> set[int]:
    return {row["quote_id"] for row in store.who_said(speaker, every=True)}


def test_a_fragment_with_one_content_word_joins_the_fuller_wording_by_the_same_speaker(
    tmp_path: Path,
) -> None:
    """'of our opponents by' has a single content word: no pair of content words to look it up by, so the
    rule before left it a quote of its own; its adjacent words find the fuller wording."""
    store = Store(tmp_path / "corpus.db")
    _add(store, "a.example", ORTIZ, CAMPAIGN)
    _add(store, "b.example", ORTIZ, "“of our opponents by”")
    assert len(_quote_ids(store, ORTIZ)) == 1


def test_two_fragments_seen_before_their_fuller_wording_become_one_quote(tmp_path: Path) -> None:
    """Neither fragment contains the other; the full wording, seen last, contains both (four words or
    more, the same named speaker), so the two quotes started apart are merged."""
    store = Store(tmp_path / "corpus.db")
    _add(store, "a.example", ORTIZ, "shooting himself in the")
    _add(store, "b.example", ORTIZ, "himself in the foot")
    assert len(_quote_ids(store, ORTIZ)) == 2
    _add(store, "c.example", ORTIZ, "He keeps shooting himself in the foot")
    assert len(_quote_ids(store, ORTIZ)) == 1


def test_a_reported_copy_that_changed_a_function_word_at_its_edge_joins(tmp_path: Path) -> None:
    """'that loan from Goldman Sachs' is 'a loan from Goldman Sachs' once the function words at its edges
    are cut; both name their speaker by a pronoun, and four words remain."""
    store = Store(tmp_path / "corpus.db")
    store.add("p1", "p1", _pronoun_article("p1.example", "a loan from Goldman Sachs"))
    store.add("p2", "p2", _pronoun_article("p2.example", "that loan from Goldman Sachs"))
    assert len(_quote_ids(store, "he")) == 1


def test_a_reported_copy_that_dropped_a_function_word_inside_joins(tmp_path: Path) -> None:
    """'losing war on terrorism': three content words, in order and unbroken, as in the direct quote."""
    store = Store(tmp_path / "corpus.db")
    _add(store, "a.example", ORTIZ, "“losing the war on terrorism,”")
    _add(store, "b.example", ORTIZ, "losing war on terrorism")
    assert len(_quote_ids(store, ORTIZ)) == 1


def test_short_quotes_that_match_only_loosely_on_few_words_stay_apart(tmp_path: Path) -> None:
    """A loose match needs four words from the first to the last content word: 'the budget vote' is two
    ('budget vote') and is not inside the other wording as written. On a pronoun, a four-word quote that a
    named speaker's quote contains stays apart (the pronoun may be someone else); five words join."""
    store = Store(tmp_path / "corpus.db")
    _add(store, "a.example", ORTIZ, "We lost a budget vote we should have won by ten votes, and it hurt.")
    _add(store, "b.example", ORTIZ, "that the budget vote")
    assert len(_quote_ids(store, ORTIZ)) == 2
    _add(store, "c.example", ORTIZ, CAMPAIGN)
    store.add("p1", "p1", _pronoun_article("p1.example", "our opponents by name"))  # four words
    store.add("p2", "p2", _pronoun_article("p2.example", "will never attack any of"))  # five
    campaign = next(r["quote_id"] for r in store.who_said(ORTIZ, every=True) if r["content"] == CAMPAIGN)
    pronoun_quotes = _quote_ids(store, "he")
    assert campaign in pronoun_quotes and len(pronoun_quotes) == 2


def test_a_store_from_before_phrase_keys_gets_them_on_open(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    store = Store(path)
    _add(store, "a.example", ORTIZ, CAMPAIGN)
    store.close()
    with sqlite3.connect(path) as raw:  # as the code before phrase keys left it
        form = raw.execute("SELECT form FROM quote_variants").fetchone()[0]
        raw.executemany("DELETE FROM quote_keys WHERE key = ?", [(k,) for k in quotes.phrase_keys(form)])
        raw.execute("DELETE FROM meta WHERE key = 'quote_phrase_keys'")
    store = Store(path)
    _add(store, "b.example", ORTIZ, "of our opponents by")
    assert len(_quote_ids(store, ORTIZ)) == 1
