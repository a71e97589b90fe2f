"""Combining the CRF's drafts with the rules' drafts."""

from __future__ import annotations

from newsdistill.attribution.combine import combine
from newsdistill.attribution.rules import Draft


def _model(
    content: tuple[int, int], cue: tuple[int, int], source: tuple[int, int] | None, words: int
) -> Draft:
    draft = Draft(content=content, cue=cue, source=source)
    draft.content_words = words
    return draft


def test_nested_model_claims_are_kept_but_not_slips_or_repeats() -> None:
    rule = Draft(content=(20, 120), cue=(10, 17), source=(0, 9))
    nested = _model((60, 110), (50, 58), (40, 49), 9)  # someone else's claim inside the quote
    repeat = _model((25, 90), (95, 105), (0, 9), 12)  # the same source saying part of the same thing
    slip = _model((130, 138), (121, 129), (0, 9), 2)  # "returned to | the city"
    combined = combine([rule], [nested, repeat, slip])
    assert combined == [rule, nested]


def test_a_model_cue_overlapping_a_rule_cue_refines_it() -> None:
    rule = Draft(content=(20, 120), cue=(10, 14), source=(0, 9))
    model = _model((20, 120), (6, 14), (0, 5), 20)  # 'has said' where the rule found 'said'
    [only] = combine([rule], [model])
    assert only.cue == (6, 14) and only.source == (0, 5)
