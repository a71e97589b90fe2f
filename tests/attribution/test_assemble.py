"""Joining the transformer's role spans with the fast drafts: one attribution per cue, parts, guards."""

from __future__ import annotations

import newsdistill
from newsdistill.attribution.assemble import (
    group_by_cue,
    split_around_cue,
    tagger_drafts,
    with_tagger_contents,
)
from newsdistill.attribution.rules import Draft

TEXT = "The mayor said the bridge would reopen in May, and aides told reporters it was safe."


def at(words: str) -> tuple[int, int]:
    start = TEXT.index(words)
    return start, start + len(words)


def test_drafts_sharing_a_cue_become_one_with_parts() -> None:
    first = Draft(content=at("the bridge would reopen"), cue=at("said"), source=at("The mayor"))
    second = Draft(content=at("in May"), cue=at("said"))
    other = Draft(content=at("it was safe"), cue=at("told"), source=at("aides"))
    grouped = group_by_cue([first, second, other])
    assert len(grouped) == 2
    assert grouped[0].parts == [at("the bridge would reopen"), at("in May")]
    assert grouped[0].content == (at("the bridge would reopen")[0], at("in May")[1])
    assert grouped[0].source == at("The mayor") and grouped[1].parts == [at("it was safe")]


def test_tagger_drafts_pair_each_content_with_its_nearest_cue_and_source() -> None:
    spans = [
        ("Source", *at("The mayor")),
        ("Cue", *at("said")),
        ("Content", *at("the bridge would reopen in May")),
        ("Source", *at("aides")),
        ("Cue", *at("told")),
        ("Content", *at("it was safe")),
    ]
    drafts = tagger_drafts(spans)
    assert [(d.cue, d.source) for d in drafts] == [(at("said"), at("The mayor")), (at("told"), at("aides"))]


def test_tagger_content_replaces_a_plain_draft_but_not_a_quotation() -> None:
    plain = Draft(content=at("the bridge would reopen"), cue=at("said"))
    quoted = Draft(content=at("it was safe"), cue=at("told"), quoted=True)
    spans = [("Content", *at("the bridge would reopen in May")), ("Content", *at("was safe"))]
    result = with_tagger_contents([plain, quoted], spans, TEXT)
    assert result[0].content == at("the bridge would reopen in May")
    assert result[1].content == at("it was safe")  # the quotation's marks drew it


def test_far_pieces_of_a_taken_cue_and_repeated_claims_are_dropped() -> None:
    told = Draft(content=at("it was safe"), cue=at("told"), source=at("aides"))
    said = Draft(content=at("the bridge would reopen"), cue=at("said"), source=at("The mayor"))
    again = Draft(content=at("would reopen in May"), cue=at("reopen"))  # the same claim, drawn again
    spans = [
        ("Cue", *at("told")),
        ("Content", *at("The mayor said")),  # its nearest cue, 'told', is taken and it is not beside it
        ("Content", *at("the bridge would reopen in May")),
    ]
    result = with_tagger_contents([said, again, told], spans, TEXT)
    assert [d.content for d in result] == [at("the bridge would reopen in May"), at("it was safe")]


def test_an_interrupted_quote_is_one_attribution_in_two_parts() -> None:
    text = "“The bridge is safe,” the mayor said, “and it will reopen in May.”"
    for model in ("fast", "accurate"):
        attributions = newsdistill.attribute(text, attribution=model)  # type: ignore[arg-type]
        said = [a for a in attributions if a.cue is not None and a.cue.text == "said"]
        assert len(said) == 1, (model, attributions)
        assert said[0].kind == "direct"  # both pieces are quoted; the cue between them is not content
        pieces = [p.text for p in said[0].content_parts] or [said[0].content.text]
        assert pieces[0].startswith("The bridge is safe"), (model, pieces)
        for piece in said[0].content_parts:
            assert text[piece.start : piece.end] == piece.text


SPLIT = (
    "Climate change, Mr. Obama often says, is the greatest threat. “We will win,” Chief Jordan said Monday."
)


def inside(words: str) -> tuple[int, int]:
    start = SPLIT.index(words)
    return start, start + len(words)


def test_a_content_running_across_its_own_cue_is_cut_there() -> None:
    whole = (0, SPLIT.index(" “We") - 1)
    draft = Draft(content=whole, cue=inside("often says"), source=inside("Mr. Obama"))
    (cut,) = split_around_cue([draft], SPLIT)
    assert [SPLIT[s:e].strip(" ,") for s, e in cut.parts] == ["Climate change", "is the greatest threat"]
    assert cut.content == (0, whole[1])


def test_a_content_never_runs_into_its_source_and_a_one_word_tail_goes() -> None:
    start = SPLIT.index("“We")
    into_source = Draft(
        content=(start, SPLIT.index(" Jordan")), cue=inside("said"), source=inside("Chief Jordan")
    )
    across_cue = Draft(content=(start, len(SPLIT) - 1), cue=inside("said"), source=inside("Chief Jordan"))
    for draft in split_around_cue([into_source, across_cue], SPLIT):
        assert SPLIT[draft.content[0] : draft.content[1]].strip() == "“We will win,”"


def test_the_fast_model_gives_two_pieces_around_an_inserted_cue() -> None:
    (attribution,) = [a for a in newsdistill.attribute(SPLIT) if a.cue and a.cue.text == "often says"]
    assert [part.text for part in attribution.content_parts] == ["Climate change", "is the greatest threat"]
