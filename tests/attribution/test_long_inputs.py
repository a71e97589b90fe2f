"""Attribution on long and hostile texts: quotes parsed once per article, and every step in time that grows
in proportion to the text (issue 10, item 8; issue 11, finding 3)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pytest
from spacy.tokens import Doc

import newsdistill
from newsdistill.attribution.crf import quote_mask
from newsdistill.attribution.layout import layout_drafts
from newsdistill.attribution.quotes import find_quotes
from newsdistill.attribution.resolve import Resolver
from newsdistill.entities.build import build_entities, to_entities
from newsdistill.model import Article, Entity, Mention
from newsdistill.nlp import load_nlp, parse

FAST = 5.0  # CPU seconds: generous; the quadratic code took minutes


def _timed(work: Callable[[], Any]) -> tuple[Any, float]:
    """The result and the CPU seconds this process spent on it: other jobs on a loaded machine (CI's other
    tests, a benchmark) stretch wall time, not this."""
    started = time.process_time()
    result = work()
    return result, time.process_time() - started


def test_an_article_s_quotes_are_found_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules, the CRF's features and the resolver share one `find_quotes` (it ran three times)."""
    calls: list[str] = []

    def counted(text: str) -> Any:
        calls.append(text)
        return find_quotes(text)

    for name, module in list(sys.modules.items()):
        if (
            name.startswith("newsdistill.attribution.")
            and getattr(module, "find_quotes", None) is find_quotes
        ):
            monkeypatch.setattr(module, "find_quotes", counted)
    text = "“We are nearly there,” the mayor said. She added that the bridge would reopen in May."
    assert newsdistill.attribute(text)
    assert calls == [text]


@pytest.mark.parametrize("mark", ['"', "“", "‘", "'", '"a" ', "« "])
def test_the_quote_tracker_is_linear_on_runs_of_quote_marks(mark: str) -> None:
    text = mark * (400_000 // len(mark))
    quotes, seconds = _timed(lambda: find_quotes(text))
    mask, more = _timed(lambda: quote_mask(text, quotes))
    _, layout = _timed(lambda: layout_drafts(text, quotes, {"a"}))
    assert seconds + more + layout < FAST
    assert len(mask) == len(text) and all(q.end <= r.start for q, r in pairwise(quotes))


def _speakers_and_quotes(count: int) -> tuple[str, list[Entity], list[int]]:
    """`count` paragraphs, each naming a person, quoting them and saying 'he said': the people, and where
    each 'he' is."""
    parts, entities, pronouns, at = [], [], [], 0
    for i in range(count):
        name = f"Karl Mayer{i}"
        paragraph = f"{name} arrived. “We met Otto Brandt{i} today,” he said.\n\n"
        entities.append(
            Entity(
                id=f"e{i}",
                name=name,
                type="PERSON",
                mentions=[Mention(text=name, start=at, end=at + len(name))],
            )
        )
        quoted = paragraph.index("Otto")
        entities.append(
            Entity(
                id=f"q{i}",
                name=f"Otto Brandt{i}",
                type="PERSON",
                mentions=[Mention(text="Otto", start=at + quoted, end=at + quoted + 4)],
            )
        )
        pronouns.append(at + paragraph.index(" he said") + 1)
        parts.append(paragraph)
        at += len(paragraph)
    return "".join(parts), entities, pronouns


def _sentences(text: str) -> Any:
    """A tokenised Doc with a sentence at each full stop and paragraph (no parse needed to resolve 'he')."""
    tokens = load_nlp().make_doc(text)
    words = [t.text for t in tokens]
    starts = [i == 0 or words[i - 1] in {".", "\n\n"} for i in range(len(words))]
    return Doc(tokens.vocab, words=words, spaces=[bool(t.whitespace_) for t in tokens], sent_starts=starts)


def test_resolving_pronouns_costs_time_in_proportion_to_the_article() -> None:
    """Each pronoun looked at every mention and, for each, every quote: 3,000 of each took hours."""
    text, entities, pronouns = _speakers_and_quotes(3_000)
    doc = _sentences(text)
    resolver = Resolver(doc, text, entities, find_quotes(text))
    resolved, seconds = _timed(lambda: [resolver.resolve(at, at + 2, "he") for at in pronouns])
    assert seconds < FAST
    assert resolved == [(f"e{i}", f"Karl Mayer{i}") for i in range(3_000)]  # never the person quoted


def test_the_resolver_takes_the_quotes_it_is_given() -> None:
    text = "“We saw John Keller there,” he said."
    doc = parse(Article(text=text))
    entities = to_entities(build_entities(doc))
    assert [e.name for e in entities] == ["John Keller"]
    at = text.index("he said")
    assert Resolver(doc, text, entities, find_quotes(text)).resolve(at, at + 2, "he") == (None, None)
    assert Resolver(doc, text, entities, []).resolve(at, at + 2, "he") == ("e1", "John Keller")


@pytest.mark.parametrize("label", ["SENATOR O’BRIEN", "Sen. O'Brien", "O’Brien’s", "Conor O'Brien"])
def test_a_speaker_label_resolves_by_name_without_titles(label: str) -> None:
    text = f"Conor O’Brien arrived.\n\n{label}: We will vote against the plan tonight."
    entities = [
        Entity(
            id="e1",
            name="Conor O’Brien",
            type="PERSON",
            mentions=[Mention(text="Conor O’Brien", start=0, end=13)],
        )
    ]
    at = text.index(label)
    resolver = Resolver(_sentences(text), text, entities, find_quotes(text))
    assert resolver.resolve(at, at + len(label), label) == ("e1", "Conor O’Brien")
