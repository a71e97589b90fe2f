"""Entities built over invented articles: which full name a person gets, people who share a surname kept
apart, and a person kept apart from an organisation named after them. Each text is parsed by the real spaCy
pipeline; its entity spans are then set as the NER gave them on real articles (a once-seen epithet inside a
PERSON span, a surname typed ORG), so that the cases do not hang on one model version's guesses."""

from __future__ import annotations

from typing import Any

from newsdistill.entities.build import build_entities, to_entities
from newsdistill.model import Article, Entity
from newsdistill.nlp import parse


def _occurrence(text: str, words: str, nth: int) -> int:
    at = -1
    for _ in range(nth + 1):
        at = text.index(words, at + 1)
    return at


def _entities(text: str, spans: list[tuple[str, int, str]]) -> list[Entity]:
    """Entities of `text` whose NER spans are `spans`: (words, which occurrence of them, label)."""
    doc: Any = parse(Article(text=text))
    ents = []
    for words, nth, label in spans:
        start = _occurrence(text, words, nth)
        ents.append(doc.char_span(start, start + len(words), label=label))
    doc.ents = ents
    return to_entities(build_entities(doc))


def _entity_at(entities: list[Entity], text: str, words: str, nth: int = 0) -> Entity:
    """The entity whose mention covers the `nth` occurrence of `words` in `text`."""
    at = _occurrence(text, words, nth)
    found = [e for e in entities for m in e.mentions if m.start <= at < m.end]
    assert len(found) == 1, f"{len(found)} entities mention {words!r} at {at}"
    return found[0]


def test_the_full_name_is_the_best_supported_not_a_once_seen_epithet_or_headline() -> None:
    text = (
        "Lindqvist Vows Bridge. Mayor Greta Lindqvist opened the harbour bridge. A rival called her "
        "Sneaky Greta Lindqvist at a rally. Greta Lindqvist said it was paid for. Lindqvist left."
    )
    spans = [
        ("Lindqvist Vows", 0, "PERSON"),
        ("Greta Lindqvist", 0, "PERSON"),
        ("Sneaky Greta Lindqvist", 0, "PERSON"),
        ("Greta Lindqvist", 2, "PERSON"),
        ("Lindqvist", 4, "PERSON"),
    ]
    entities = _entities(text, spans)
    assert _entity_at(entities, text, "Lindqvist", nth=4).name == "Greta Lindqvist"
    assert _entity_at(entities, text, "Sneaky").name == "Greta Lindqvist"
    assert _entity_at(entities, text, "Lindqvist Vows").name != "Greta Lindqvist"  # a headline, not her name


def test_two_people_sharing_a_surname_stay_apart_and_the_surname_goes_to_the_most_mentioned() -> None:
    text = (
        "Okafor spoke in Lagos. Senator Paul Okafor said the budget was fair. His brother Daniel Okafor "
        "runs a shipping firm. Paul Okafor thanked the crowd. Okafor said the port would be built."
    )
    spans = [
        ("Okafor", 0, "PERSON"),
        ("Paul Okafor", 0, "PERSON"),
        ("Daniel Okafor", 0, "PERSON"),
        ("Paul Okafor", 1, "PERSON"),
        ("Okafor", 4, "PERSON"),
    ]
    entities = _entities(text, spans)
    assert {"Paul Okafor", "Daniel Okafor"} <= {e.name for e in entities if e.type == "PERSON"}
    assert _entity_at(entities, text, "Daniel Okafor").name == "Daniel Okafor"
    assert _entity_at(entities, text, "Okafor", nth=4).name == "Paul Okafor"  # after Daniel: not the latest
    assert _entity_at(entities, text, "Okafor", nth=0).name == "Paul Okafor"  # a headline before both names


def test_a_gendered_title_keeps_a_surname_from_the_person_of_the_other_gender() -> None:
    text = (
        "Michelle Okafor spoke first. Michelle Okafor thanked the crowd. Mr. Okafor said the port would be "
        "built. Daniel Okafor left early. Mrs. Okafor waved."
    )
    spans = [
        ("Michelle Okafor", 0, "PERSON"),
        ("Michelle Okafor", 1, "PERSON"),
        ("Mr. Okafor", 0, "PERSON"),
        ("Daniel Okafor", 0, "PERSON"),
        ("Mrs. Okafor", 0, "PERSON"),
    ]
    entities = _entities(text, spans)
    assert (
        _entity_at(entities, text, "Okafor said").name != "Michelle Okafor"
    )  # the most mentioned, but 'Mr.'
    assert _entity_at(entities, text, "Okafor", nth=2).name == "Daniel Okafor"  # the only man named in full
    assert _entity_at(entities, text, "Okafor waved").name == "Michelle Okafor"


def test_a_person_is_not_merged_into_the_foundation_named_after_him() -> None:
    text = (
        "The Brennan Foundation gave money to schools. Harold Brennan founded it. Brennan said the "
        "gifts would continue, and the Brennan Foundation agreed."
    )
    spans = [
        ("Brennan Foundation", 0, "ORG"),
        ("Harold Brennan", 0, "PERSON"),
        ("Brennan", 2, "ORG"),  # a surname the NER typed as an organisation
        ("Brennan Foundation", 1, "ORG"),
    ]
    entities = _entities(text, spans)
    person = _entity_at(entities, text, "Brennan", nth=2)
    assert (person.type, person.name) == ("PERSON", "Harold Brennan")
    foundation = _entity_at(entities, text, "Brennan Foundation", nth=1)
    assert (foundation.type, foundation.name) == ("ORG", "Brennan Foundation")
    assert "Brennan" not in foundation.aliases


def test_a_family_name_written_first_names_the_person_in_full() -> None:
    """'Mr. Ban' after 'Ban Ki-moon' (and 'Melanie' after 'Melanie Austin'): a bare name that is no one's
    surname goes to the one person whose full name starts with it."""
    text = (
        "UN record.\n\nThe secretary general, Ban Ki-moon, spoke on Monday. "
        "Mr. Ban said the talks would go on. Later Ban added that he was hopeful. "
        "Melanie Austin watched from the hall. Melanie said she agreed."
    )
    spans = [
        ("Ban Ki-moon", 0, "PERSON"),
        ("Ban", 1, "PERSON"),
        ("Ban", 2, "PERSON"),
        ("Melanie Austin", 0, "PERSON"),
        ("Melanie", 1, "PERSON"),
    ]
    entities = _entities(text, spans)
    ban = _entity_at(entities, text, "Ban", 1)
    assert ban.name == "Ban Ki-moon"
    assert _entity_at(entities, text, "Ban", 2) is ban and _entity_at(entities, text, "Ban Ki-moon") is ban
    assert _entity_at(entities, text, "Melanie", 1).name == "Melanie Austin"


def test_a_first_word_shared_by_two_people_or_a_headline_or_a_place_joins_no_one() -> None:
    text = (
        "Obama Says Voters Matter.\n\nMr. Obama spoke in Jordan on Monday. Kevin Smith and Kevin Jones "
        "listened. Kevin said it went well. Jordan Peterson was not there."
    )
    spans = [
        ("Obama Says", 0, "PERSON"),  # a headline's verb taken into the name, as NER does
        ("Obama", 1, "PERSON"),
        ("Jordan", 0, "GPE"),
        ("Kevin Smith", 0, "PERSON"),
        ("Kevin Jones", 0, "PERSON"),
        ("Kevin", 2, "PERSON"),
        ("Jordan Peterson", 0, "PERSON"),
    ]
    entities = _entities(text, spans)
    assert _entity_at(entities, text, "Obama", 1).name == "Obama"  # not the headline's 'Obama Says'
    assert _entity_at(entities, text, "Kevin", 2).name == "Kevin"  # Smith or Jones: neither
    jordan = _entity_at(entities, text, "Jordan")
    assert jordan.type == "PLACE" and jordan.name == "Jordan"
