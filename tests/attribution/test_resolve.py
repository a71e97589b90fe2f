"""The speaker resolver on sentences written for these tests, over the real spaCy parse and entity building
(one test per resolver rule), and the mention-level scorer of benchmarks/speaker_resolution.py, which gives
the resolver each gold source span, on a tiny hand-made gold article."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from newsdistill.attribution.polnear import GoldArticle, GoldAttribution
from newsdistill.attribution.quotes import find_quotes
from newsdistill.attribution.resolve import Resolver, _gender
from newsdistill.entities.build import build_entities, to_entities
from newsdistill.model import Article, Attribution, Entity, Mention, Source, Span
from newsdistill.nlp import parse

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from speaker_resolution import GoldItem, gold_mention_predictions, score, table


def _at(text: str, words: str) -> int:
    """Where the last whole-word occurrence of `words` starts ('he' is not the end of 'the')."""
    return [m.start() for m in re.finditer(rf"\b{re.escape(words)}\b", text)][-1]


def _resolver(text: str, entities: list[Entity] | None = None) -> Resolver:
    doc = parse(Article(text=text))
    found = to_entities(build_entities(doc)) if entities is None else entities
    return Resolver(doc, text, found, find_quotes(text))


def _resolved(text: str, source: str, entities: list[Entity] | None = None, speaker: str = "") -> str | None:
    """The entity name `source` (its last occurrence) resolves to; `speaker` (its first occurrence) is
    remembered first as the source of an attribution, as the pipeline does."""
    resolver = _resolver(text, entities)
    if speaker:
        start = text.index(speaker)
        entity, name = resolver.resolve(start, start + len(speaker), speaker)
        said = Source(text=speaker, start=start, end=start + len(speaker), entity=entity, name=name)
        resolver.remember(Attribution(source=said, content=Span(text=text[:start], start=0, end=start)))
    at = _at(text, source)
    entity, name = resolver.resolve(at, at + len(source), source)
    return name if entity is not None else None


def _entity(eid: str, name: str, kind: str, text: str, *mentions: str) -> Entity:
    spans = [Mention(text=m, start=_at(text, m), end=_at(text, m) + len(m)) for m in mentions]
    return Entity(id=eid, name=name, type=kind, mentions=spans)  # type: ignore[arg-type]


def test_a_name_word_inside_a_longer_mistagged_mention_goes_to_the_entity_of_that_name() -> None:
    """NER glued 'Trump' to the newspaper before it ('the Washington Post Trump said'): the source 'Trump'
    is Donald Trump, not that organisation (it was)."""
    text = "Donald Trump spoke in Ohio. Meeting the editorial board of the Washington Post Trump said so."
    entities = [
        _entity("e1", "Donald Trump", "PERSON", text, "Donald Trump"),
        _entity("e2", "Washington Post Trump", "ORG", text, "Washington Post Trump"),
    ]
    assert _resolved(text, "Trump", entities) == "Donald Trump"


def test_a_surname_two_people_share_goes_to_the_one_mentioned_most() -> None:
    """A transcript label 'SCOTT:' the NER did not tag: Bobby Scott, named three times, not a Tim Scott named
    once (it was left unresolved: two people have the surname)."""
    text = (
        "Bobby Scott spoke. Scott thanked the crowd. Scott left. Tim Scott did not attend.\n\nSCOTT: We win."
    )
    assert _resolved(text, "SCOTT") == "Bobby Scott"


def test_a_pronoun_is_not_the_person_named_as_an_object_in_its_sentence() -> None:
    """'People like Bobby Scott, he said': 'he' is the last speaker, not the person the sentence names as an
    object (it was Scott)."""
    text = (
        "“We need people of substance,” said Cornell Brooks, the president of the group. "
        "People like Bobby Scott, he said."
    )
    assert _resolved(text, "he", speaker="Cornell Brooks") == "Cornell Brooks"


def test_a_pronoun_after_a_titled_subject_is_the_person_that_title_names() -> None:
    """'If the president does follow through on his threat': 'his' is the president (Obama), not the
    senator who spoke last (it was)."""
    text = (
        "President Barack Obama spoke on Monday. Senator Bob Corker said the bill should change. "
        "If the president does follow through on his veto threat, Congress would override it."
    )
    assert _resolved(text, "his", speaker="Bob Corker") == "Barack Obama"


def test_it_after_a_thing_as_subject_is_no_organisation() -> None:
    """'... but the ad still runs. It also mentions': 'It' is the ad, a thing, not the organisation that
    is a subject earlier (it was the NAACP)."""
    text = (
        "The NAACP criticized the ad on Monday, but the ad still runs in Ohio. It also mentions her policies."
    )
    assert _resolved(text, "It") is None


def test_it_after_a_definite_place_phrase_is_the_place_that_phrase_names() -> None:
    """'The city of Phoenix is demanding ... The city sent a letter. It says': Phoenix (it was nothing)."""
    text = (
        "The city of Phoenix is demanding that the campaign stop using the image. "
        "The city sent a letter on Thursday. It says the campaign violated the law."
    )
    assert _resolved(text, "It") == "Phoenix"


def test_the_republican_is_the_person_described_as_one() -> None:
    text = (
        "Donald Trump, the Republican presidential nominee, spoke in Ohio on Friday. His audio was quiet. "
        "The Republican is also encouraging his supporters to vote."
    )
    assert _resolved(text, "The Republican") == "Donald Trump"


def test_the_newspaper_is_the_latest_organisation_named_not_an_earlier_subject() -> None:
    """'... first reported by The Washington Post. The newspaper has also detailed': the Post, not the
    foundation that is the sentence's subject (it was)."""
    text = (
        "The Trump Foundation is registered as a charity, but the issue was first reported by The Washington "
        "Post. The newspaper has also detailed the spending."
    )
    assert _resolved(text, "The newspaper") == "Washington Post"


def test_i_in_a_letter_is_the_signature_below_it() -> None:
    text = (
        "I cannot see how the senator escaped blame for the contract.\n\nMaria Lopez.\n\n"
        "I think the council should resign over the contract.\n\nDavid Chen.\n"
    )
    resolver = _resolver(text)
    first, second = text.index("I "), text.rindex("I ")
    assert resolver.resolve(first, first + 1, "I")[1] == "Maria Lopez"
    assert resolver.resolve(second, second + 1, "I")[1] == "David Chen"


def test_i_in_an_op_ed_is_the_person_its_closing_line_describes() -> None:
    text = (
        "Peter Hall voted for the bill. I believe the bill will fail.\n\n"
        "Peter Hall is a senator from Ohio. He spoke on Monday.\n\n"  # a name and a verb, not the last line
        "Anna Berg is a professor of history at Boston College.\n"
    )
    resolver = _resolver(text)
    at = text.index("I believe")
    assert resolver.resolve(at, at + 1, "I")[1] == "Anna Berg"


def test_i_with_no_signature_or_inside_a_quote_is_no_writer() -> None:
    unsigned = "I believe the bill will fail, the senator wrote.\n\nThe vote is on Monday.\n"
    assert _resolver(unsigned).resolve(0, 1, "I")[0] is None
    quoted = '"I will vote no," said Tom Reed.\n\nAnna Berg is a professor of history.\n'
    at = quoted.index("I ")
    assert _resolver(quoted).resolve(at, at + 1, "I")[1] != "Anna Berg"


@pytest.mark.parametrize(
    ("text", "pronoun", "person"),
    [
        # a lone word is as often a surname: 'Joseph' gives no gender (it was male, and 'she' found no one)
        ("Joseph loves the school her daughter attends. That is why she is so frustrated.", "she", "Joseph"),
        # a first name given to women and men alike gives none either (Terry was male)
        ("“They are wrong,” said the widow Terry Strada. She continued, “All we want is justice.”", "She",
         "Terry Strada"),
    ],
)  # fmt: skip
def test_no_gender_from_a_lone_word_or_a_first_name_of_either_sex(
    text: str, pronoun: str, person: str
) -> None:
    assert _resolved(text, pronoun) == person


TINY = (
    "Jane Doe, the mayor of Springfield, opened the bridge on Monday. "
    "“It cost far too much,” said John Roe, a critic. "
    "She said the city would pay for it."
)


def _tiny_gold() -> GoldArticle:
    def span(words: str) -> list[tuple[int, int]]:
        return [(TINY.index(words), TINY.index(words) + len(words))]

    said = TINY.index("She said") + len("She ")
    critic = GoldAttribution(span("John Roe"), span("said"), span("It cost far too much"))
    mayor = GoldAttribution(span("She"), [(said, said + 4)], span("the city would pay for it"))
    return GoldArticle("tiny", TINY, [mayor, critic])  # walked in the order of their contents


def _she(entity: str | None) -> GoldItem:
    start = TINY.index("She")
    return GoldItem("tiny", "dev", start, start + 3, "She", "pronoun", entity)


def test_the_mention_level_scorer_resolves_the_gold_span_with_the_pipeline_s_resolver() -> None:
    """'She' after a male last speaker (John Roe, remembered from the gold attribution before it) is the
    mayor; a gold item naming someone else counts as wrong."""
    predictions = gold_mention_predictions([_tiny_gold()])
    assert [(p.start, p.name) for p in predictions["tiny"]] == [
        (TINY.index("John Roe"), "John Roe"),
        (TINY.index("She"), "Jane Doe"),
    ]
    right = score([_she("Jane Doe")], predictions)
    assert (right.all.right, right.all.total, right.by_kind["pronoun"].right) == (1, 1, 1)
    wrong = score([_she("John Roe")], predictions)
    assert (wrong.all.right, wrong.all.total) == (0, 1)


def test_the_mention_level_table_has_no_source_found_column() -> None:
    predictions = gold_mention_predictions([_tiny_gold()])
    lines = table(lambda half: score([_she("Jane Doe")], predictions), found_column=False)
    assert lines[0] == "| half | all items | pronoun | surname | title | role |"
    assert lines[-1].startswith("| both | 100.0% (1/1) | 100.0% (1/1) | – |")


def test_a_mention_with_only_spaces_before_it_has_no_honorific() -> None:
    """Found by the fuzz test: a name after a line break and a space ('\\n Reuters') crashed the gender
    lookup, which took the last word before each mention."""
    text = "\n Reuters said. Mrs. Clinton said."
    agency = Entity(id="e1", name="Reuters", type="ORG", mentions=[Mention(text="Reuters", start=2, end=9)])
    at = text.index("Clinton")
    person = Entity(
        id="e2", name="Clinton", type="PERSON", mentions=[Mention(text="Clinton", start=at, end=at + 7)]
    )
    assert _gender(agency, text) is None
    assert _gender(person, text) == "F"
