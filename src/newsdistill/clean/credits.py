"""The outlet a page credits as the story's source (`Article.credited_outlet`).

Copies say where they took a story from in a few general ways: a bare credit line after the body
("DailyMail", "Reuters"; see metadata.find_outlet_credit), a wire in the dateline ("WASHINGTON (AP) —"),
a sentence ("This article originally appeared on The Conversation") or a label ("Source: Reuters").
Known outlets come out under their usual name (data/outlets.txt); an unknown one as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..lexicons import outlet_for_host
from .blocks import Block
from .metadata import outlet_name

# A name as a credit writes it: up to six words, dots allowed inside ("TheConversation.com").
_NAME = r"(?P<name>(?:[^\s.,;:()\[\]|]|\.(?=\w)| (?=\S))+)"
_ORIGINALLY = re.compile(
    r"^(?:(?:a version of )?(?:this|the) (?:article|story|post|piece|report|column|essay|interview) "
    r"(?:was |has been |is |had )?)?(?:originally|first) (?:appeared|published|ran|posted|appearing)"
    rf"(?: online)? (?:on|in|at|by|with) (?:the website of )?{_NAME}",
    re.I,
)
_REPUBLISHED = re.compile(
    rf"^(?:this (?:article|story) is )?(?:republished|reprinted|reproduced|shared) "
    rf"(?:here )?(?:with (?:kind )?permission )?(?:from|by|courtesy of) {_NAME}",
    re.I,
)
_LABEL = re.compile(rf"^(?:source|via|courtesy(?: of)?)\s*[:–—-]\s*{_NAME}\s*\.?$", re.I)
# "WASHINGTON (AP) —", "LONDON, June 25 (Reuters) -": a place, then the wire in brackets, then a dash.
_DATELINE = re.compile(r"^(?P<place>[A-Z][\w.,'’/ -]{1,60}?)\s*\((?P<name>[A-Z][\w.&' -]{0,40}?)\)\s*[-–—:]")
_SENTENCE_BLOCK_WORDS = 30  # a credit sentence is short; a longer paragraph is prose that mentions one
_LABEL_WORDS = 8
_SKIPPED_WORDS = frozenset({"the", "a", "an", "our", "its", "their"})


def find_credit(blocks: Sequence[Block]) -> str | None:
    """The outlet credited by a sentence, a label or a dateline; the block holding only the credit
    is removed from the text (reason 'source_credit'), as a bare credit line is."""
    for block in blocks:
        if block.words <= _SENTENCE_BLOCK_WORDS and (name := _credit_sentence(block.text)):
            _drop(block)
            return name
    kept = [b for b in blocks if b.keep]
    for block in kept[:2]:  # a dateline opens the story
        if (name := _dateline_credit(block.text)) is not None:
            return name
    last_kept = max((i for i, b in enumerate(blocks) if b.keep), default=len(blocks))
    for i, block in enumerate(blocks):
        if (name := _label_credit(block, after_body=i > last_kept)) is not None:
            _drop(block)
            return name
    return None


def _label_credit(block: Block, after_body: bool) -> str | None:
    """'Source: Reuters'. Inside the body a label also sources charts and figures ('Source: Office for
    National Statistics'): there only a known outlet or a web address counts."""
    match = _LABEL.match(block.text.strip())
    if match is None or block.words > _LABEL_WORDS or block.caption:
        return None
    raw = match.group("name").strip()
    name = credited_name(raw)
    if name is None:
        return None
    known = outlet_name(name) is not None or "." in raw
    return name if known or (after_body and name == raw) else None


def _credit_sentence(text: str) -> str | None:
    stripped = text.strip().lstrip("*_—–-( ").strip()
    match = _ORIGINALLY.match(stripped) or _REPUBLISHED.match(stripped)
    return credited_name(match.group("name")) if match else None


def _dateline_credit(text: str) -> str | None:
    match = _DATELINE.match(text.strip())
    if match is None:
        return None
    known = outlet_name(match.group("name"))
    place = match.group("place")
    # An unknown name in brackets is a wire only in a dateline's shape: the place in capitals.
    if known is None and not (place.isupper() and len(place.split()) <= 6):
        return None
    return known or match.group("name").strip()


def credited_name(raw: str) -> str | None:
    """A credit's name as the outlet's usual name: 'TheConversation.com', 'the Daily Mail' -> known names."""
    words = raw.strip(" '\"‘’“”").split()
    while words and words[0].lower() in _SKIPPED_WORDS and len(words) > 1:
        if outlet_name(" ".join(words)) is not None:
            break
        words = words[1:]
    # The name ends where lowercase words begin: "The Conversation on 3 June" -> "The Conversation".
    cut = next((i for i, w in enumerate(words) if i > 0 and w[:1].islower()), len(words))
    words = words[:cut]
    if not words or len(words) > 6:
        return None
    name = " ".join(words)
    if " " not in name and "." in name.strip("."):  # a web address: its outlet, or the host itself
        host = name.lower().removeprefix("https://").removeprefix("http://").split("/")[0]
        return outlet_for_host(host) or host.removeprefix("www.")
    return outlet_name(name) or (name if name[0].isupper() else None)


def _drop(block: Block) -> None:
    if block.keep:
        block.remove("source_credit")
