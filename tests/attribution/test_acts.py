"""What each attribution reports (`act`), through `newsdistill.attribute` on real sentences; and the cue
senses that report nothing ('responded a couple minutes later', 'voted for'), which are not attributions."""

from __future__ import annotations

import pytest

import newsdistill
from newsdistill.attribution.acts import act_of_words, lemma_of, words
from newsdistill.model import ACTS, Attribution


def only(text: str) -> Attribution:
    found = newsdistill.attribute(text)
    assert len(found) == 1, [(a.cue and a.cue.text, a.content.text) for a in found]
    return found[0]


@pytest.mark.parametrize(
    ("text", "act"),
    [
        ('"We will win this series," the coach said after the game.', "speech"),
        ("The minister told reporters that the plan would be delayed.", "speech"),
        ("She warned that the bridge could close within a year.", "speech"),
        ("The mayor asked whether the city could afford a new stadium.", "speech"),
        ("Trump tweeted that the election was rigged.", "writing"),
        ("The minister wrote in a letter that the plan would fail.", "writing"),
        ("In a statement, the company said it would cut 200 jobs.", "writing"),
        ("Most voters believe the economy is getting worse.", "thought"),
        ("They also want more affordable housing in the city.", "thought"),
        ("Residents fear that the factory will close.", "thought"),
        ("The company plans to open three new stores next year.", "thought"),
        ("According to figures from the statistics agency, unemployment rose to 7 percent.", "evidence"),
        ("Data showed that prices rose 3 percent in March.", "evidence"),
        ("A report found that the hospital had failed patients.", "evidence"),
        ("Polls suggest the race is tied.", "evidence"),
    ],
)
def test_act_per_cue_class(text: str, act: str) -> None:
    assert only(text).act == act


def test_according_to_a_person_is_speech() -> None:
    assert only("According to the mayor, the bridge will reopen in May.").act == "speech"


def test_an_outlet_named_post_is_not_a_written_source() -> None:
    """'Post' heads the name 'The Washington Post': a name, not the noun 'post'."""
    assert only("The Washington Post reported that the talks had failed.").act == "speech"


def test_every_act_is_one_of_the_four() -> None:
    text = "Data showed that prices rose. Smith said they would fall. She believes it. He wrote that it fell."
    assert {a.act for a in newsdistill.attribute(text)} <= set(ACTS)


@pytest.mark.parametrize(
    "text",
    [
        "Zach Hyman scored early for the Oilers. The Flames tied it in the second period, but Edmonton "
        "responded a couple minutes later on a goal by Evan Bouchard.",
        "Most Republicans voted for the measure that would cut taxes.",
    ],
)
def test_cue_senses_that_report_nothing_are_not_attributions(text: str) -> None:
    assert newsdistill.attribute(text) == []


def test_responded_with_a_clause_or_a_quote_is_kept() -> None:
    said = only("The minister responded that the money had run out.")
    assert (said.cue and said.cue.text, said.act) == ("responded", "speech")
    quoted = newsdistill.attribute("“We are not going anywhere,” the premier responded.")
    assert [a.content.text for a in quoted] == ["We are not going anywhere"]


def test_seed_expressed_concern_and_flightradar(seed_bytes: bytes) -> None:
    article = newsdistill.process(seed_bytes)
    by_cue = {(a.cue.text if a.cue else None): a for a in article.attributions}
    assert by_cue["have expressed concern over"].act in {"thought", "speech"}
    assert by_cue["according to"].act == "evidence"  # 'according to flightradar24 data'
    assert by_cue["told"].act == "speech"


@pytest.mark.parametrize(
    ("cue", "source", "medium", "act"),
    [
        ("said", "Smith", None, "speech"),
        ("tweeted", "Trump", None, "writing"),
        ("wrote in a letter", "The minister", None, "writing"),
        ("said in a statement", "the company", None, "writing"),
        ("made this statement during", "Trump", None, "speech"),
        ("believes", "he", None, "thought"),
        ("have expressed concern over", "Western leaders", None, "speech"),
        ("According to", "figures from the statistics agency", None, "evidence"),
        ("showed", "Data", None, "evidence"),
        ("reported", "The Washington Post", None, "speech"),
        ("says", "the letter", None, "writing"),
        ("told", "he", "CBS News", "speech"),
        (None, "she", None, "speech"),
    ],
)
def test_act_from_stored_words(cue: str | None, source: str | None, medium: str | None, act: str) -> None:
    assert act_of_words(cue, source, medium) == act


def test_lemmas_without_a_parse() -> None:
    forms = ["tweeted", "believes", "wrote", "worried", "hoping", "planned", "told", "marmalade"]
    assert [lemma_of(w) for w in forms] == [
        "tweet",
        "believe",
        "write",
        "worry",
        "hope",
        "plan",
        "tell",
        "marmalade",
    ]


def test_the_lexicon_names_each_verb_for_one_act() -> None:
    lexicon = words()
    acts = [lexicon["speech"], lexicon["writing"], lexicon["thought"]]
    assert all(acts)
    assert not any(a & b for i, a in enumerate(acts) for b in acts[i + 1 :])
