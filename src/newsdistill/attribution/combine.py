"""Combine the CRF's role spans with the rule drafts into one set of attributions.

The CRF (trained on PolNeAR) finds more cues and draws source and cue boundaries the way
annotators do; the rules bring whole quotes across sentences, uncued continuations and media.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from .rules import Draft, overlaps

Span = tuple[int, int]
MIN_MODEL_CONTENT_WORDS = 3


def _inside(span: Span, outer: Span) -> bool:
    return outer[0] <= span[0] and span[1] <= outer[1]


def crf_drafts(doc: Any, spans: list[tuple[str, int, int]]) -> list[Draft]:
    """Each predicted cue with the nearest predicted source and content of its sentence."""
    ordered = sorted(spans, key=lambda span: span[1])  # found by bisection: each sentence costs its own spans
    starts = [start for _, start, _ in ordered]
    drafts = []
    for number, sentence in enumerate(doc.sents):
        inside = ordered[bisect_left(starts, sentence.start_char) : bisect_left(starts, sentence.end_char)]
        sources = [(s, e) for r, s, e in inside if r == "Source"]
        contents = [(s, e) for r, s, e in inside if r == "Content"]
        for role, start, end in inside:
            if role != "Cue" or not contents:
                continue
            content = min(contents, key=lambda c: abs(c[0] - end) if c[0] >= end else abs(start - c[1]))
            source = min(sources, key=lambda c: abs(c[0] - start), default=None)
            draft = Draft(content=content, cue=(start, end), source=source, sentence=number)
            draft.content_words = len(doc.char_span(*content, alignment_mode="expand") or ())
            drafts.append(draft)
    return drafts


def combine(rule_drafts: list[Draft], model_drafts: list[Draft]) -> list[Draft]:
    combined = list(rule_drafts)
    for model in model_drafts:
        assert model.cue is not None
        twin = next((d for d in rule_drafts if d.cue and overlaps(d.cue, model.cue)), None)
        if twin is None:
            # Kept even inside what someone else said: PolNeAR annotates nested claims ('said the
            # government knew that...'), and on its dev set keeping them scores higher on every role.
            # A content of one or two words is almost always a tagging slip ("returned to | the city").
            # One that repeats a claim already found, from the same source, adds nothing.
            repeats = any(d.source == model.source and _inside(model.content, d.content) for d in combined)
            if model.content_words >= MIN_MODEL_CONTENT_WORDS and not repeats:
                combined.append(model)
            continue
        if twin.cue is None or not _inside(model.cue, twin.cue):
            twin.cue = model.cue  # keep multi-word rule cues ('raised the prospect'), else the model's
        if model.source and (twin.source is None or overlaps(twin.source, model.source)):
            twin.source = model.source
    return sorted(combined, key=lambda d: d.content[0])
