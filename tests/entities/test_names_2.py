"""Entity names that are not names (issue 15: "Trump’s July 25" listed as a speaker) are rejected."""

from __future__ import annotations

import pytest

import newsdistill
from newsdistill.entities.build import build_entities
from newsdistill.entities.names import is_entity_name
from newsdistill.nlp import load_nlp


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Trump’s July 25", "ORG"),  # a possessive and a date, which NER took for an organisation
        ("Trump's 25 July", "PERSON"),
        ("July 25", "ORG"),
        ("Sept. 11th", "PLACE"),
        ("2019", "ORG"),
        ("25th", "ORG"),
        ("1,200", "PLACE"),
        ("Monday", "ORG"),
        ("the mayor", "PERSON"),  # a lowercase phrase
        ("Agent 47", "PERSON"),  # a person's name has no digits
        ("Putin’s own", "PERSON"),  # a possessive running into a common word
    ],
)
def test_not_names_are_rejected(text: str, kind: str) -> None:
    assert not is_entity_name(text, kind)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Theresa May", "PERSON"),  # a month as a surname, with no day after it
        ("May", "PERSON"),
        ("Jan Smith", "PERSON"),
        ("de Gaulle", "PERSON"),
        ("eBay", "ORG"),
        ("Channel 4", "ORG"),
        ("3M", "ORG"),
        ("Sunday Times", "ORG"),
        ("McDonald's", "ORG"),
        ("Macy’s Parade", "ORG"),
        ("東京", "PLACE"),  # a script without case
        ("Владимир Путин", "PERSON"),
    ],
)
def test_names_are_kept(text: str, kind: str) -> None:
    assert is_entity_name(text, kind)


TEXT = (
    "Trump’s July 25 phone call was the subject of the inquiry, Nancy Pelosi said on Tuesday. "
    "The whistleblower complaint concerns Trump’s July 25 call with Volodymyr Zelensky."
)


def test_build_entities_drops_a_possessive_date() -> None:
    names = {name for draft in build_entities(load_nlp()(TEXT)) for name in draft.names}
    assert not any("July" in name for name in names), names
    assert {"Nancy Pelosi", "Volodymyr Zelensky"} <= names


def test_no_speaker_or_entity_is_a_date() -> None:
    article = newsdistill.process(TEXT.encode())
    assert not any("July" in e.name for e in article.entities)
    speakers = [a.source.name for a in article.attributions if a.source and a.source.name]
    assert not any("July" in s for s in speakers), speakers
