"""Attributions that typography marks instead of a verb: a speaker label opening a line, as in
transcripts and headlines ('WALLACE: Let's start...', 'Pence: Flowers Won't Be at Debate'), and a
pull quote signed with a dash ('“...” ― Sonya Herridge')."""

from __future__ import annotations

import re

from .quotes import Quote
from .rules import Draft, overlaps, trim

_NAME_WORD = r"[A-Z][\w.'’-]*"
_SPEAKER_LABEL = re.compile(
    rf"^[ \t\"“]*(?P<label>{_NAME_WORD}(?:[ \t]{_NAME_WORD}){{0,3}})(?P<colon>:)[ \t]+(?P<content>\S[^\n]*)$",
    re.MULTILINE,
)
_SIGNATURE = re.compile(
    rf"[ \t\u00a0]*(?P<dash>―|—|–|--)[ \t\u00a0]*"
    rf"(?P<name>{_NAME_WORD}(?:[ \t\u00a0]+{_NAME_WORD}){{0,4}})\.?[ \t\u00a0]*(?:\n|$)"
)
# Labels that head a line without anyone speaking: page furniture, fields, kinds of story.
_NOT_SPEAKERS = {
    "note",
    "editor's",
    "editor’s",
    "editors",
    "update",
    "updated",
    "correction",
    "clarification",
    "photo",
    "photos",
    "image",
    "images",
    "picture",
    "video",
    "watch",
    "listen",
    "read",
    "related",
    "see",
    "more",
    "also",
    "source",
    "credit",
    "credits",
    "caption",
    "tags",
    "tag",
    "topics",
    "share",
    "follow",
    "by",
    "posted",
    "published",
    "filed",
    "advertisement",
    "sponsored",
    "warning",
    "disclaimer",
    "breaking",
    "exclusive",
    "live",
    "opinion",
    "analysis",
    "review",
    "comment",
    "comments",
    "transcript",
    "partial",
    "full",
    "contact",
    "email",
    "tel",
    "phone",
    "fax",
    "subscribe",
    "date",
    "time",
    "when",
    "where",
    "what",
    "who",
    "why",
    "how",
    "location",
    "venue",
    "address",
    "price",
    "cost",
    "tickets",
    "q",
    "a",
    "question",
    "answer",
    "step",
    "part",
    "chapter",
    "figure",
    "table",
    "the",
    "an",
    "in",
    "on",
    "at",
    "for",
    "to",
    "with",
    "and",
    "or",
    "but",
    "so",
    "day",
    "week",
    "contributing",
    "paid",
    "notice",
    "deaths",
}
_MIN_CONTENT_WORDS = 3


def layout_drafts(text: str, quotes: list[Quote], speakers: set[str]) -> list[Draft]:
    """`speakers`: lower-cased names and aliases of the article's people and organisations."""
    return sorted(_speaker_labels(text, speakers) + _signed_quotes(text, quotes), key=lambda d: d.content[0])


def _speaker_labels(text: str, speakers: set[str]) -> list[Draft]:
    """A label is a speaker when it names a known person or organisation, or, as in transcripts, is in
    capitals on a page where such labels head several lines of prose; exclamations heading
    clickbait headlines ('BOOM: Trump Just Fired...') are neither."""
    matches = [m for m in _SPEAKER_LABEL.finditer(text) if _is_label(m["label"])]
    transcript = sum(m["label"].isupper() and not _title_case(m["content"]) for m in matches) > 1
    drafts = []
    for match in matches:
        label = match["label"]
        known = label.lower() in speakers
        if not known and not (transcript and label.isupper() and not _title_case(match["content"])):
            continue
        content = trim(text, match.start("content"), match.end("content"))
        if len(text[content[0] : content[1]].split()) < _MIN_CONTENT_WORDS:
            continue
        drafts.append(
            Draft(content=content, cue=match.span("colon"), source=match.span("label"), quoted=True)
        )
    return drafts


def _title_case(line: str) -> bool:
    words = [w for w in line.split() if w[:1].isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) > 0.6 * len(words)


def _is_label(label: str) -> bool:
    words = label.lower().split()
    return words[0] not in _NOT_SPEAKERS and words[-1] not in _NOT_SPEAKERS


def _signed_quotes(text: str, quotes: list[Quote]) -> list[Draft]:
    drafts = []
    for quote in quotes:
        match = _SIGNATURE.match(text, quote.end) if quote.closed else None
        if match is None or match["name"].split()[0].lower() in _NOT_SPEAKERS:
            continue
        content = trim(text, *quote.inner)
        if content[1] > content[0]:
            drafts.append(
                Draft(content=content, cue=match.span("dash"), source=match.span("name"), quoted=True)
            )
    return drafts


def merge_layout(drafts: list[Draft], layout: list[Draft]) -> list[Draft]:
    """A labelled or signed quote names its own speaker: it replaces an uncued draft that guessed the
    speaker from context (a continuation of the previous quote) over the same words."""
    if not layout:
        return drafts
    kept = [d for d in drafts if d.cue is not None or not any(overlaps(d.content, m.content) for m in layout)]
    kept += [m for m in layout if not any(d.content == m.content and d.cue is not None for d in kept)]
    return sorted(kept, key=lambda d: d.content[0])
