"""Linking the transformer's role spans into drafts, and the rules' quotations it missed: one
attribution per cue, parts, sources."""

from __future__ import annotations

import newsdistill
from newsdistill.attribution.assemble import (
    group_by_cue,
    link_tagger_spans,
    split_around_cue,
    with_parse_sources,
    with_rule_quotations,
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


def test_each_content_joins_its_nearest_cue_and_each_cue_its_nearest_source() -> None:
    spans = [
        ("Source", *at("The mayor")),
        ("Cue", *at("said")),
        ("Content", *at("the bridge")),
        ("Content", *at("would reopen")),
        ("Source", *at("aides")),
        ("Cue", *at("told")),
        ("Content", *at("it was safe")),
    ]
    drafts = link_tagger_spans(spans, TEXT)
    assert [(d.cue, d.source) for d in drafts] == [(at("said"), at("The mayor")), (at("told"), at("aides"))]
    assert drafts[0].parts == [at("the bridge would reopen")]  # two touching contents, one cue: one span


def test_pieces_of_a_content_join_unless_a_sentence_end_or_a_quote_mark_parts_them() -> None:
    text = "Officials said it underscores that the dam is safe. It will hold, “they insist” and more."
    spans = [("Source", *_in(text, "Officials")), ("Cue", *_in(text, "said"))]
    pieces = ["it underscores", "that the dam is safe", "It will hold", "they insist", "and more"]
    drafts = link_tagger_spans([*spans, *(("Content", *_in(text, p)) for p in pieces)], text)
    got = [text[slice(*part)] for part in drafts[0].parts]
    assert got == ["it underscores that the dam is safe", "It will hold", "they insist", "and more"]


def _in(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def test_a_source_goes_to_one_cue_closest_pairs_first() -> None:
    text = "Smith said the plan failed, Jones said."
    spans = [("Source", 0, 5), ("Cue", 6, 10), ("Content", 11, 26), ("Source", 28, 33), ("Cue", 34, 38)]
    (draft,) = link_tagger_spans(spans, text)  # 'Jones said' has no content of its own: no draft
    assert text[slice(*draft.source)] == "Smith"  # not 'Jones', which sits beside the other cue


def test_a_leftover_source_credits_an_uncued_content() -> None:
    text = "“No sympathy, a real fiasco.” ― Nell Grey"
    spans = [("Content", 1, 28), ("Source", 32, 41)]
    (draft,) = link_tagger_spans(spans, text)
    assert draft.cue is None and text[slice(*draft.source)] == "Nell Grey"


def test_spans_in_different_paragraphs_are_never_linked() -> None:
    text = "A spokesman told RTVI he was out of contact.\n\nIt came as Mr Blinken said he was unsure."
    spans = [
        ("Source", 0, 11),
        ("Cue", 12, 16),
        ("Content", text.index("he was out"), text.index(".\n")),
        ("Source", text.index("Mr Blinken"), text.index(" said")),
        ("Cue", text.index("said"), text.index("said") + 4),
        ("Content", text.index("he was unsure"), len(text) - 1),
    ]
    drafts = link_tagger_spans(spans, text)  # 'said' is nearer 'he was out of contact', but a paragraph on
    assert [(text[slice(*d.cue)], text[slice(*d.content)]) for d in drafts] == [  # type: ignore[misc]
        ("told", "he was out of contact"),
        ("said", "he was unsure"),
    ]


def test_a_cue_ending_in_a_colon_leads_into_the_next_paragraph() -> None:
    text = "Caddell continued:\n\n“The health issue is a partisan issue.”"
    content = (text.index("“"), len(text))
    (draft,) = link_tagger_spans([("Source", 0, 7), ("Cue", 8, 18), ("Content", *content)], text)
    assert (draft.cue, draft.source, draft.content) == ((8, 18), (0, 7), content)
    plain = text.replace(":", ".")  # without the colon the paragraph break divides them: nothing is linked
    assert link_tagger_spans([("Source", 0, 7), ("Cue", 8, 18), ("Content", *content)], plain) == []


def test_a_cue_in_the_content_s_own_sentence_wins_over_a_nearer_one_in_the_next() -> None:
    text = (
        "Johnson tells MSNBC’s “Morning Joe” on Friday that it is unclear. Last month, the FBI warned states."
    )
    content = (text.index("that it"), text.index(". Last"))
    tells, warned = (8, 13), (text.index("warned"), text.index("warned") + 6)
    assert warned[0] - content[1] < content[0] - tells[1]  # 'warned' is nearer by characters
    spans = [("Source", 0, 7), ("Cue", *tells), ("Content", *content), ("Cue", *warned)]
    (draft,) = link_tagger_spans(spans, text)
    assert (draft.cue, draft.source) == (tells, (0, 7))


def test_a_title_s_full_stop_is_no_sentence_end() -> None:
    text = "The family chose the cheaper option. ''If you can, go,'' Mr. McKinley said."
    content = (text.index("If"), text.index(",''"))
    leaning, said = (11, 16), (text.index("said"), text.index("said") + 4)
    (draft,) = link_tagger_spans([("Cue", *leaning), ("Cue", *said), ("Content", *content)], text)
    assert draft.cue == said  # 'Mr.' does not end a sentence between the quote and its cue


def test_a_bare_determiner_is_no_content_but_a_demonstrative_can_be() -> None:
    text = "Aides said the. Smith said this."
    spans = [("Cue", 6, 10), ("Content", 11, 14), ("Cue", 22, 26), ("Content", 27, 31)]
    (draft,) = link_tagger_spans(spans, text)
    assert text[slice(*draft.content)] == "this"


def test_a_content_running_across_a_line_break_is_cut_there() -> None:
    text = "Aides said the bridge is safe.\nThe mayor left."
    (draft,) = link_tagger_spans([("Cue", 6, 10), ("Content", 11, len(text))], text)
    assert [text[s:e] for s, e in draft.parts] == ["the bridge is safe."]  # the rest has no cue or source


def test_rule_quotations_the_tagger_missed_are_added_and_media_carried_over() -> None:
    tagged = link_tagger_spans(
        [("Source", *at("aides")), ("Cue", *at("told")), ("Content", *at("it was safe"))], TEXT
    )
    told = Draft(content=at("it was safe"), cue=at("told"), source=at("aides"), medium="reporters")
    missed = Draft(content=at("the bridge would reopen in May"), cue=at("said"), quoted=True)
    plain = Draft(content=at("the bridge would reopen"), cue=at("said"))  # not a quotation: not added
    result = with_rule_quotations(tagged, [missed, plain, told])
    assert [d.content for d in result] == [at("the bridge would reopen in May"), at("it was safe")]
    assert result[1].medium == "reporters"
    nested = link_tagger_spans([("Cue", *at("would")), ("Content", *at("reopen"))], TEXT)
    (outer, _) = with_rule_quotations(nested, [missed])  # a quote holding a shorter tagged claim stays
    assert outer.content == at("the bridge would reopen in May")


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


def test_a_tagged_cue_without_a_source_takes_the_rules_source_for_that_cue() -> None:
    # "The senator said the bill would pass, and critics warned it would not."
    sourceless = Draft(content=(18, 37), cue=(12, 16))
    own = Draft(content=(60, 77), cue=(51, 57), source=(41, 48))
    rules = [
        Draft(content=(18, 37), cue=(12, 16), source=(0, 11)),  # the parse's subject of 'said'
        Draft(content=(60, 77), cue=(51, 57), source=(43, 48)),
    ]
    inside = Draft(content=(0, 40), cue=(12, 16))  # a content that holds the rules' source: not given
    got = with_rule_quotations([sourceless, own], rules)
    assert [d.source for d in got] == [(0, 11), (41, 48)]  # the tagger's own source is kept
    assert with_rule_quotations([inside], rules[:1])[0].source is None


def test_a_cue_still_without_a_source_takes_its_verb_s_subject_from_the_parse() -> None:
    from newsdistill.nlp import load_nlp

    text = "The finance minister later added that the budget would balance by 2026."
    doc = load_nlp()(text)

    def span(words: str) -> tuple[int, int]:
        start = text.index(words)
        return start, start + len(words)

    sourceless = Draft(content=span("the budget would balance by 2026"), cue=span("added"))
    named = Draft(content=sourceless.content, cue=span("added"), source=span("minister"))
    swallowed = Draft(content=(0, len(text) - 1), cue=span("added"))  # the subject inside the content
    uncued = Draft(content=sourceless.content)
    got = with_parse_sources([sourceless, named, swallowed, uncued], doc)
    assert [d.source for d in got] == [span("The finance minister"), span("minister"), None, None]


def test_reachable_spans_are_those_within_reach_of_the_anchor() -> None:
    # The index replaces measuring every pair (minutes on a 500,000-character text); it must find exactly
    # the spans a full scan finds, including long ones that start far before the anchor.
    import random

    from newsdistill.attribution.assemble import REACH, _gap, _Reachable

    rng = random.Random(7)
    spans = [(s, s + rng.choice((3, 10, 400))) for s in (rng.randrange(0, 20_000) for _ in range(500))]
    index = _Reachable(spans)
    for _ in range(300):
        start = rng.randrange(0, 20_000)
        anchor = (start, start + rng.randrange(1, 60))
        want = sorted(span for span in spans if _gap(span, anchor) <= REACH)
        assert index.near(anchor) == want
    assert _Reachable([]).near((0, 5)) == []
