"""The shared spaCy pipeline: its faster lemmatizer gives exactly the stock lemmas."""

from __future__ import annotations

import spacy

from newsdistill.nlp import MODEL_PACKAGES, load_nlp

TEXT = ("The senior Tory MP warned that Putin was running out of options. 'We've seen worse,' she said, "
        "adding that the ministers had been meeting since Monday and were better prepared than their rivals. "
        "Sources claimed the mercenaries' leader had fled; he denied it. Gon na be long, ain't it?")


def _stock() -> spacy.language.Language:
    for name in MODEL_PACKAGES:
        try:
            return spacy.load(name)
        except OSError:
            continue
    raise AssertionError("no English pipeline installed")


def test_array_lemmatizer_matches_the_stock_lemmatizer() -> None:
    fast, stock = load_nlp(), _stock()
    assert type(fast.get_pipe("lemmatizer")).__name__ == "ArrayLemmatizer"
    for _ in range(2):  # the second pass reads every lemma from the cache
        ours, theirs = fast(TEXT), stock(TEXT)
        assert [t.lemma_ for t in ours] == [t.lemma_ for t in theirs]
    assert {"warn", "run", "see", "say", "add", "meet", "be", "claim", "flee", "deny"} <= {t.lemma_ for t in ours}
