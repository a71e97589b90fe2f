"""Attributions from role spans: the transformer's spans joined with the fast drafts, one draft per cue.

Measured on PolNeAR dev (benchmarks/attribution.py): the transformer draws content boundaries better than
the rules and the CRF, while the rules and the CRF find cues better. So the accurate model keeps the fast
drafts' cues and sources, takes the transformer's content spans where they overlap, and adds the
attributions only the transformer found.
"""

from __future__ import annotations

from collections.abc import Sequence

from .rules import Draft, overlaps

Span = tuple[int, int]
REACH = 120  # characters between a content and its cue, or a cue and its source, at most
BESIDE = 4  # characters between a cue and a piece of content it splits off ('said, “')
QUOTE_COVER = 0.9  # the tagger redraws a quotation only when its pieces cover this much of it
_MARKS = "\"'‘’“”«»,;:"


def _gap(a: Span, b: Span) -> int:
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


def _nearest(spans: Sequence[Span], anchor: Span, avoid: Span | None = None) -> Span | None:
    near = [s for s in spans if _gap(s, anchor) <= REACH and (avoid is None or not overlaps(s, avoid))]
    return min(near, key=lambda s: _gap(s, anchor), default=None)


def tagger_drafts(spans: Sequence[tuple[str, int, int]]) -> list[Draft]:
    """One draft per content span, with the nearest cue and that cue's nearest source."""
    cues = [(s, e) for role, s, e in spans if role == "Cue"]
    sources = [(s, e) for role, s, e in spans if role == "Source"]
    drafts = []
    for role, start, end in spans:
        if role != "Content":
            continue
        cue = _nearest(cues, (start, end))
        source = _nearest(sources, cue, avoid=(start, end)) if cue else None
        drafts.append(Draft(content=(start, end), cue=cue, source=source))
    return drafts


def with_tagger_contents(
    drafts: list[Draft], spans: Sequence[tuple[str, int, int]], text: str
) -> list[Draft]:
    """The fast drafts with the transformer's content spans where they overlap, then its other drafts.
    A quotation keeps the rules' content unless the transformer's pieces cover it (a claim found inside a
    quote is a nested one), a 'told X' draft keeps its own, a draft whose claim another draft took is a
    repeat and goes, and a cue that already has a content takes another only right beside it."""
    spans = [(role, *_bare(text, s, e)) if role == "Content" else (role, s, e) for role, s, e in spans]
    contents = [(s, e) for role, s, e in spans if role == "Content" and e > s]
    claimed: set[Span] = set()
    repeats: list[Draft] = []
    for draft in drafts:
        if draft.medium:  # 'told Russian broadcaster RTVI he was...': the rules drew where it starts
            continue
        mine = [
            c for c in contents if c not in claimed and any(overlaps(c, p) for p in draft.content_parts())
        ]
        if draft.quoted and _covered(mine, draft.content) < QUOTE_COVER:
            continue  # a claim the tagger finds inside a quotation is a nested one: the marks draw the quote
        if not mine and any(overlaps(c, p) for c in claimed for p in draft.content_parts()):
            repeats.append(draft)  # another draft took this claim: this one repeats it
            continue
        claimed.update(mine)  # a content span belongs to one attribution
        if mine:
            draft.parts = sorted(mine)
            draft.content = (draft.parts[0][0], max(end for _, end in draft.parts))
    taken = [part for draft in drafts for part in draft.content_parts()]
    cues = [draft.cue for draft in drafts if draft.cue is not None]
    extra = [
        d
        for d in tagger_drafts([s for s in spans if s[1] < s[2]])
        # even one or two words: a minimum of three cost 0.2 / 0.5 source / cue F1 on dev and gained nothing
        if not any(overlaps(d.content, part) for part in taken) and _free_or_beside(d, cues)
    ]
    kept = [d for d in drafts if not any(d is r for r in repeats)]
    return sorted([*kept, *extra], key=lambda d: d.content[0])


def _covered(pieces: list[Span], whole: Span) -> float:
    """The share of `whole` that `pieces` cover."""
    inside = sum(max(0, min(e, whole[1]) - max(s, whole[0])) for s, e in pieces)
    return inside / max(1, whole[1] - whole[0])


def _free_or_beside(draft: Draft, cues: list[Span]) -> bool:
    """A transformer draft whose cue another draft has is kept only as the piece right after or before
    that cue ('“A,” she said, “B”'), not as a second claim somewhere near it."""
    if draft.cue is None or not any(overlaps(draft.cue, cue) for cue in cues):
        return True
    draft.source = None  # the piece joins the draft that has this cue, and that draft names the source
    return _gap(draft.content, draft.cue) <= BESIDE


def _bare(text: str, start: int, end: int) -> Span:
    """A content span without the spaces, punctuation and quotation marks at its ends."""
    while start < end and (text[start].isspace() or text[start] in _MARKS):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _MARKS):
        end -= 1
    return start, end


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
