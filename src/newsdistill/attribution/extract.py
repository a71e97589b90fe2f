"""Attributions of one parsed text: rules and quotes, then sources resolved to entities."""

from __future__ import annotations

from typing import Any, Literal

from ..model import Attribution, Entity, Source, Span
from .acts import act_of, reports_something
from .assemble import (
    group_by_cue,
    link_tagger_spans,
    split_around_cue,
    with_layout_cues,
    with_parse_sources,
    with_rule_quotations,
)
from .combine import combine, crf_drafts
from .crf import tag_doc
from .layout import layout_drafts, merge_layout
from .quotes import find_quotes
from .resolve import Resolver
from .rules import Draft, attach_quotes, dedupe, drop_nested, trim, verb_drafts
from .spans import SpanIndex
from .tagger import load as load_tagger

Model = Literal["rules", "fast", "accurate"]


def extract(doc: Any, text: str, entities: list[Entity], model: Model = "fast") -> list[Attribution]:
    """`model`: "fast" adds the CRF's role spans to the rules; "accurate" links the transformer's role
    spans and adds the rules' quotations it missed; "rules" uses neither model."""
    quotes = find_quotes(text)  # once per article: the rules, the CRF's features and the resolver share them
    drafts = drop_nested(verb_drafts(doc, quotes), quotes)
    layout = layout_drafts(text, quotes, _speaker_names(entities))
    drafts = merge_layout(dedupe(attach_quotes(doc, drafts, quotes, text)), layout)
    if model == "accurate":  # the transformer's own drafts, and the quotations it missed
        drafts = with_rule_quotations(
            link_tagger_spans(load_tagger().tag(text, doc), text), group_by_cue(drafts)
        )
        drafts = with_parse_sources(with_layout_cues(drafts, layout), doc)
    else:
        if model != "rules":
            drafts = combine(drafts, crf_drafts(doc, tag_doc(doc, text, quotes)))
        drafts = split_around_cue(group_by_cue(drafts), text)
    resolver = Resolver(doc, text, entities, quotes)
    index = SpanIndex([(quote.start, quote.end) for quote in quotes])
    attributions = []
    for draft in drafts:
        attribution = _to_attribution(draft, text, quotes, resolver, index)
        if attribution is not None:
            attributions.append(attribution)
            resolver.remember(attribution)
    return attributions


def _speaker_names(entities: list[Entity]) -> set[str]:
    return {name.lower() for e in entities if e.type in {"PERSON", "ORG"} for name in (e.name, *e.aliases)}


def _span(text: str, bounds: tuple[int, int]) -> Span | None:
    start, end = trim(text, *bounds)
    return Span(text=text[start:end], start=start, end=end) if end > start else None


def _cue_span(text: str, bounds: tuple[int, int]) -> Span | None:
    """A cue keeps its words, or, where typography is the cue, its mark: the colon after a speaker's label,
    the dash before a signature. PolNeAR draws those cues, and trimming them away left the cue empty."""
    span = _span(text, bounds)
    if span is not None:
        return span
    start, end = bounds
    mark = text[start:end].strip()
    if not mark:
        return None
    start += text[start:end].index(mark)
    return Span(text=mark, start=start, end=start + len(mark))


def _kind(text: str, start: int, end: int, quotes: list[Any], index: SpanIndex) -> str:
    """Direct, mixed or indirect, by how much of the span quotes cover. `index`: the quotes' spans."""
    inside = [quotes[i] for i in index.overlapping(start, end)]
    if not inside:
        return "indirect"
    covered = sum(min(q.end, end + 1) - max(q.start, start - 1) for q in inside)
    return "direct" if covered >= 0.9 * (end - start) else "mixed"


def _to_attribution(
    draft: Draft, text: str, quotes: list[Any], resolver: Resolver, index: SpanIndex
) -> Attribution | None:
    content = _span(text, draft.content)
    if content is None:
        return None
    cue = _cue_span(text, draft.cue) if draft.cue else None
    parts = [span for part in draft.content_parts() if (span := _span(text, part)) is not None]
    if draft.parts and parts:  # the content spans its pieces, less any that were only punctuation
        content = _span(text, (parts[0].start, parts[-1].end)) or content
    kinds = {_kind(text, part.start, part.end, quotes, index) for part in parts} or {"indirect"}
    kind = kinds.pop() if len(kinds) == 1 else "mixed"  # '“A,” he said, “B.”' is direct, not mixed
    if cue is not None and not reports_something(resolver.doc, cue, content, quoted=kind != "indirect"):
        return None  # 'voted for', 'responded with a goal': a cue sense that reports nothing
    source = None
    if draft.source is not None and (raw := _span(text, draft.source)) is not None:
        entity, name = resolver.resolve(raw.start, raw.end, raw.text)
        source = Source(text=raw.text, start=raw.start, end=raw.end, entity=entity, name=name)
    return Attribution(
        source=source,
        cue=cue,
        content=content,
        content_parts=parts if len(parts) > 1 else [],
        medium=draft.medium,
        kind=kind,
        act=act_of(resolver.doc, cue, source, draft.medium),
    )  # type: ignore[arg-type]
