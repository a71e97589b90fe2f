"""Repeated blocks: captions (repeated, often with other quotes or "(pictured)") and duplicates."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence

from .blocks import Block
from .features import ends_like_sentence
from .lexicon import CAPTION_MARKERS, PARENTHETICAL_CAPTION_BITS

_QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"', "«": '"', "»": '"'}
)
_NON_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Key under which near-identical copies (quotes, spacing, "(pictured)") coincide."""
    if not text.isascii():  # NFKC and the curly quotes touch non-ASCII characters only
        text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    if "(" in text:  # the bits are all in brackets: most blocks need no search
        text = PARENTHETICAL_CAPTION_BITS.sub("", text)
    return _NON_WORD.sub(" ", text.lower()).strip()


def block_key(block: Block) -> str:
    if not block.key:
        block.key = normalise(block.text) or " "
    return block.key


def repeat_groups(blocks: Sequence[Block], min_words: int = 4) -> list[list[int]]:
    """Indexes of blocks whose normalised text occurs more than once, grouped, in input order."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, block in enumerate(blocks):
        if block.words >= min_words:
            groups[block_key(block)].append(i)
    return [members for members in groups.values() if len(members) > 1]


def looks_like_caption(block: Block) -> bool:
    return "caption" in block.hints or block.tag == "figcaption" or bool(CAPTION_MARKERS.search(block.text))


def split_body_and_captions(blocks: Sequence[Block], members: list[int]) -> tuple[int | None, list[int]]:
    """Which member of a repeat group is the body paragraph (if any), and which are caption copies.

    Captions rarely end like a sentence; the body copy does. When none or all do, the
    first copy is the body and the rest are duplicates, unless DOM evidence says caption.
    """
    sentence_like = [
        i for i in members if ends_like_sentence(blocks[i].text) and not looks_like_caption(blocks[i])
    ]
    if sentence_like and len(sentence_like) < len(members):
        body = sentence_like[0]
        return body, [i for i in members if i != body]
    if not sentence_like:
        return None, members
    return members[0], members[1:]
