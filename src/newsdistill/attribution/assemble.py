"""Attributions from role spans: the transformer's spans linked into drafts, one draft per cue.

Measured on PolNeAR dev (benchmarks/attribution.py, exact F1 source / cue / content) with the tagger
trained on a GPU (benchmarks/tagger_sweep.py): its spans alone score 78.5 / 72.9 / 65.8. The old join (the
fast drafts' cues and sources with the tagger's contents) scored 75.5 / 71.0 / 64.7: the rules and the CRF
now cost more than they bring. Linking the tagger's own spans scores 77.8 / 72.5 / 65.9; cutting its
contents at line breaks 77.8 / 72.6 / 66.3; never linking across a paragraph 78.3 / 72.9 / 66.3; and
adding the rules' quotations it missed 78.3 / 72.9 / 66.3 (the seed's uncued and nested quotes); dropping
a tagged content left with neither cue nor source 78.4 / 73.0 / 66.6; letting a cue that ends in a colon
reach the next paragraph 78.6 / 73.2 / 66.6; a sentence end between content and cue counted as 40
more characters 78.7 / 73.3 / 66.6 (20: 78.6 / 73.3 / 66.6, 80: 78.6 / 73.3 / 66.5; never across one: 78.5 /
72.8 / 65.9); not after a title's full stop ('Mr.') 78.7 / 73.3 / 66.7; a content that is a bare
determiner ('the', 'his') dropped 78.7 / 73.3 / 66.9.
With the distilled tagger (stop 26), a cue still without a source taking the parse's subject of its verb:
source 79.4 -> 79.8. Joining the rules' content where the tagger's stops at a comma, or the clause's parse
subtree, cost 0.2-0.6 content F1; letting quotations and 'told X' drafts override the tagger cost 1.5 / 0.9 /
1.6.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .rules import Draft, cue_subject, overlaps
from .spans import SpanIndex

Span = tuple[int, int]
REACH = 120  # characters between a content and its cue, or a cue and its source, at most
SENTENCE_END = 40  # characters a sentence end between two spans counts as: a cue in the same sentence wins
# a full stop not after a title or initial ('Mr.', 'Sen.', 'U.S.'), or ! or ?, then a capital
_SENTENCE_END = re.compile(r"(?:(?<![A-Z])(?<![A-Z][a-z])(?<![A-Z][a-z]{2})\.|[!?])[”\"’']?\s+[A-Z“\"‘]")
# a content that is one of these words alone ('the', 'his') is a tagging slip, never a claim (dev: 0 of 12
# right; 'that' and 'this' can stand for a claim: 2 of 7 right, kept)
_BARE_DETERMINERS = frozenset("the a an his her its their our my your".split())
HALF = 0.5  # a rule quotation is added unless the tagger's contents cover this much of it (it may nest one)
BESIDE = 4  # characters between a cue and its source when the content is cut around both ('said Mr. X,')


def _gap(a: Span, b: Span) -> int:
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


def _distance(a: Span, b: Span, text: str) -> int:
    """Characters between two spans, SENTENCE_END more across a sentence end, and beyond REACH across a line
    break (a paragraph), unless the first ends in a colon that leads into the next paragraph."""
    gap = _gap(a, b)
    first_end = min(a[1], b[1])
    between = text[first_end : max(a[0], b[0])] if gap else ""
    if "\n" not in between:
        return gap + (SENTENCE_END if _SENTENCE_END.search(between) else 0)
    # 'Caddell continued:' then the quote as the next paragraph: a colon leads across the break
    leads_on = not between.strip() and text[:first_end].rstrip().endswith(":")
    return gap if leads_on else REACH + 1


class _Reachable:
    """Spans whose lookup measures only those within REACH characters of its anchor: every `_distance` is at
    least the gap, and measuring all pairs made a 500,000-character text take minutes."""

    def __init__(self, spans: Sequence[Span]) -> None:
        self.spans = sorted(spans)
        self.index = SpanIndex(self.spans)

    def near(self, anchor: Span) -> list[Span]:
        """The spans at most REACH characters from `anchor`, in order: those overlapping it, widened."""
        window = self.index.overlapping(anchor[0] - REACH - 1, anchor[1] + REACH + 1)
        return [span for span in (self.spans[i] for i in window) if _gap(span, anchor) <= REACH]


def _nearest_in(spans: _Reachable, anchor: Span, text: str) -> Span | None:
    near = [(_distance(s, anchor, text), s) for s in spans.near(anchor)]
    best = min((pair for pair in near if pair[0] <= REACH), default=None)
    return best[1] if best else None


def _line_pieces(spans: Sequence[tuple[str, int, int]], text: str) -> list[tuple[str, int, int]]:
    """Contents cut at line breaks: the tagger's windows run across paragraphs, PolNeAR's contents do not
    (1 of 25,804 gold contents holds a line break; 30 of the tagger's 2,657 on dev did)."""
    result = []
    for role, start, end in spans:
        if role != "Content" or "\n" not in text[start:end]:
            result.append((role, start, end))
            continue
        at = start
        for line in text[start:end].split("\n"):
            piece = _stripped(text, at, at + len(line))
            at += len(line) + 1
            if piece[1] > piece[0]:
                result.append((role, *piece))
    return result


def _stripped(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def link_tagger_spans(spans: Sequence[tuple[str, int, int]], text: str) -> list[Draft]:
    """Drafts from the transformer's spans. Each content joins its nearest cue (contents sharing a cue are
    its parts); each source goes to the nearest cue, closest pairs first, one source a cue; a source left
    over goes to the nearest draft still without one (a dash-credited quote has no cue). Distances are
    `_distance`'s (a sentence end counts extra, a paragraph break ends the reach), and a content left with
    neither cue nor source is dropped."""
    spans = [
        span
        for span in _line_pieces([span for span in spans if span[1] < span[2]], text)
        if span[0] != "Content" or text[span[1] : span[2]].strip(" ,.;:").lower() not in _BARE_DETERMINERS
    ]
    cues = _Reachable([(s, e) for role, s, e in spans if role == "Cue"])
    by_cue: dict[Span, Draft] = {}
    uncued: list[Draft] = []
    for role, start, end in spans:
        if role != "Content":
            continue
        cue = _nearest_in(cues, (start, end), text)
        draft = by_cue.get(cue) if cue is not None else None
        if draft is None:
            draft = Draft(content=(start, end), cue=cue)
            draft.parts = [(start, end)]
            if cue is None:
                uncued.append(draft)
            else:
                by_cue[cue] = draft
        else:
            draft.parts = sorted({*draft.parts, (start, end)})
            draft.content = (min(draft.content[0], start), max(draft.content[1], end))
    drafts = [*by_cue.values(), *uncued]
    _give_sources(drafts, [(s, e) for role, s, e in spans if role == "Source"], text)
    tagged = [(s, e) for role, s, e in spans if role != "Content"]
    for draft in drafts:
        _join_close_parts(draft, text, tagged)
    kept = [d for d in drafts if d.cue is not None or d.source is not None]  # a lone content: a tagging slip
    return sorted(kept, key=lambda d: d.content[0])


JOIN_WORDS = 3  # untagged words between two pieces of one content that still make one span
_PIECE_BREAKS = frozenset("\n.?!;:“”‘’\"'")


def _join_close_parts(draft: Draft, text: str, tagged: list[Span]) -> None:
    """Two pieces of one content with only a few untagged words between them ('it underscores | that Trump
    is unfit', 'yes | yes, yes') are one span: the tagger began a second piece where PolNeAR draws one. A
    sentence end, a quotation mark, a line break or a cue or source between them keeps them apart. On
    PolNeAR dev content F1 67.4 -> 68.3; the number of words chosen on one half of the articles and scored
    on the other gave 68.5 and 68.0."""
    joined = [draft.parts[0]] if draft.parts else []
    for part in draft.parts[1:]:
        gap = (joined[-1][1], part[0])
        between = text[gap[0] : gap[1]]
        if (
            len(between.split()) <= JOIN_WORDS
            and _PIECE_BREAKS.isdisjoint(between)
            and not any(overlaps(gap, span) for span in tagged)
        ):
            joined[-1] = (joined[-1][0], part[1])
        else:
            joined.append(part)
    draft.parts = joined


def _clear_of(draft: Draft, source: Span) -> bool:
    """The source lies outside the draft's content."""
    return not any(overlaps(source, part) for part in draft.content_parts())


def _give_sources(drafts: list[Draft], sources: list[Span], text: str) -> None:
    """Each source to the nearest cue, closest pairs first, one source a cue; then _give_leftovers."""
    reachable = _Reachable(sources)
    measured = (
        (_distance(draft.cue, source, text), i, source)
        for i, draft in enumerate(drafts)
        if draft.cue is not None
        for source in reachable.near(draft.cue)
        if _clear_of(draft, source)
    )
    pairs = sorted(pair for pair in measured if pair[0] <= REACH)
    given: set[Span] = set()
    for _, i, source in pairs:
        if drafts[i].source is None and source not in given:
            drafts[i].source = source
            given.add(source)
    _give_leftovers(drafts, [source for source in sources if source not in given], text)


def _give_leftovers(drafts: list[Draft], sources: list[Span], text: str) -> None:
    """A source no cue took goes to the nearest draft without one, by its content or its cue."""
    for source in sources:
        free = [d for d in drafts if d.source is None and _clear_of(d, source)]
        reach = {id(d): _reach(source, d, text) for d in free}
        nearest = min(free, key=lambda d: reach[id(d)], default=None)
        if nearest is not None and reach[id(nearest)] <= REACH:
            nearest.source = source


def _reach(source: Span, draft: Draft, text: str) -> int:
    to_cue = _distance(source, draft.cue, text) if draft.cue else REACH + 1
    return min(_distance(source, draft.content, text), to_cue)


def with_rule_quotations(drafts: list[Draft], rule_drafts: list[Draft]) -> list[Draft]:
    """The tagger's drafts, each taking the medium of the rule draft with its cue ('told CBS News') and,
    when the tagger found no source, that draft's source (the parse's subject of the cue), then the
    rules' quotations the tagger missed: less than half of it is tagged content (a quote may hold a
    claim of its own, '‘No one believes that…’'), and its cue is no tagger draft's."""
    cued = [r for r in rule_drafts if r.cue]
    rule_cues = SpanIndex([r.cue for r in cued if r.cue])
    for draft in drafts:
        twins = rule_cues.overlapping(*draft.cue) if draft.cue else []
        twin = cued[twins[0]] if twins else None  # the first in the rules' order, as before the index
        if twin is not None and twin.medium:
            draft.medium = twin.medium
        if (
            twin is not None
            and draft.source is None
            and twin.source is not None
            and _clear_of(draft, twin.source)
        ):
            draft.source = twin.source
    taken = [part for draft in drafts for part in draft.content_parts()]
    taken_index = SpanIndex(taken)
    cues = SpanIndex([draft.cue for draft in drafts if draft.cue is not None])
    missed = [
        r
        for r in rule_drafts
        if r.quoted
        and _covered(r.content, [taken[i] for i in taken_index.overlapping(*r.content)]) < HALF
        and not (r.cue is not None and cues.overlapping(*r.cue))
    ]
    return sorted([*drafts, *missed], key=lambda d: d.content[0])


def with_layout_cues(drafts: list[Draft], layout: list[Draft]) -> list[Draft]:
    """A tagged draft over the words of a labelled or signed quote takes that quote's mark as its cue when it
    has none (the colon after 'WALLACE', the dash before a signature; the tagger rarely tags a mark, PolNeAR
    draws them), its speaker when it has none, and the whole line or quotation as its content: the layout
    bounds it, where the tagger may stop at a clause. On PolNeAR dev cue F1 73.7 -> 74.1 (even articles
    73.7 -> 73.7, odd 73.7 -> 74.7); source and content unchanged."""
    for draft in drafts:
        twin = next((m for m in layout if _twins(draft, m)), None)
        if twin is not None:
            draft.cue, draft.source = twin.cue, draft.source or twin.source
            draft.content, draft.parts = twin.content, [twin.content]
    return drafts


def _twins(draft: Draft, marked: Draft) -> bool:
    """The draft is the marked quote's: cued by its mark, or uncued over its words, with no other speaker."""
    if draft.cue != marked.cue and (draft.cue is not None or not overlaps(marked.content, draft.content)):
        return False
    return draft.source is None or marked.source is None or overlaps(draft.source, marked.source)


def with_parse_sources(drafts: list[Draft], doc: Any) -> list[Draft]:
    """A draft with a cue and still no source takes the parse's subject of its cue's verb, where it lies
    outside the content. The tagger misses sources the parse finds ('the official added'); on PolNeAR dev
    source F1 79.4 -> 79.8, the same gain on either half of the articles, cue and content unchanged."""
    for draft in drafts:
        if draft.source is None and draft.cue is not None:
            subject = cue_subject(doc, draft.cue)
            if subject is not None and _clear_of(draft, subject):
                draft.source = subject
    return drafts


def _covered(whole: Span, pieces: list[Span]) -> float:
    """The share of `whole` that `pieces` cover."""
    inside = sum(max(0, min(e, whole[1]) - max(s, whole[0])) for s, e in pieces)
    return inside / max(1, whole[1] - whole[0])


def group_by_cue(drafts: list[Draft]) -> list[Draft]:
    """One attribution per cue: contents that share a cue ('“A,” he said, “B.”') become its parts.
    PolNeAR gives a cue one attribution; a cue reported twice was a false attribution half the time."""
    grouped: dict[Span, Draft] = {}
    result = []
    for draft in drafts:
        first = grouped.get(draft.cue) if draft.cue is not None else None
        if first is None:
            draft.parts = draft.content_parts()
            if draft.cue is not None:
                grouped[draft.cue] = draft
            result.append(draft)
            continue
        first.parts = sorted({*first.parts, *draft.content_parts()})
        first.content = (min(first.content[0], draft.content[0]), max(first.content[1], draft.content[1]))
        first.source = first.source or draft.source
        first.medium = first.medium or draft.medium
    return result


MIN_PIECE_WORDS = 2  # a piece left after the cue shorter than this is the cue's adverb ('said Monday')


def split_around_cue(drafts: list[Draft], text: str) -> list[Draft]:
    """A content never holds its own cue or source: a piece that runs across its cue (and the source beside
    it) is cut in two there ('Climate change, Mr. Obama often says, is the greatest threat' gives two
    pieces, as PolNeAR draws them), a piece that runs into its source stops there, and a piece of fewer than
    MIN_PIECE_WORDS words ('Monday') is dropped."""
    for draft in drafts:
        if draft.cue is None:
            continue
        hole = _cue_with_source(draft.cue, draft.source)
        parts = draft.content_parts()
        pieces = [piece for part in parts for piece in _outside(part, hole, draft.source)]
        if pieces != parts and (kept := [piece for piece in pieces if _words(text, piece)]):
            draft.parts = sorted(kept)
            draft.content = (draft.parts[0][0], max(end for _, end in draft.parts))
    return drafts


def _outside(part: Span, hole: Span, source: Span | None) -> list[Span]:
    if part[0] < hole[0] and hole[1] < part[1]:
        return [(part[0], hole[0]), (hole[1], part[1])]
    if source is not None and overlaps(part, source) and not (source[0] <= part[0] and part[1] <= source[1]):
        return [(part[0], source[0])] if part[0] < source[0] else [(source[1], part[1])]
    return [part]


def _cue_with_source(cue: Span, source: Span | None) -> Span:
    if source is not None and _gap(cue, source) <= BESIDE:
        return min(cue[0], source[0]), max(cue[1], source[1])
    return cue


def _words(text: str, piece: Span) -> bool:
    return len(text[piece[0] : piece[1]].split()) >= MIN_PIECE_WORDS
