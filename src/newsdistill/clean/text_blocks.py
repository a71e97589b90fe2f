"""Split plain text into line blocks, with offsets into the input."""

from __future__ import annotations

import re

from .blocks import Block

_LINE = re.compile(r"[^\n]+")
_BULLET = re.compile(r"^\s*(?:[•·▪●◦‣∙*–-]|\d{1,2}[.)])\s+")


def text_to_blocks(text: str, max_blocks: int = 50_000) -> list[Block]:
    """One block per non-blank line; lines separated by a single newline share a group."""
    blocks: list[Block] = []
    group = 0
    last_end = 0
    for match in _LINE.finditer(text):
        raw = match.group()
        stripped = raw.strip()
        if not stripped:
            continue
        if text.count("\n", last_end, match.start()) > 1:
            group += 1
        lead = len(raw) - len(raw.lstrip())
        start = match.start() + lead
        tag = "li" if _BULLET.match(stripped) else "p"
        blocks.append(Block(text=" ".join(stripped.split()), start=start, end=start + len(stripped), tag=tag, group=group))
        last_end = match.end()
        if len(blocks) >= max_blocks:
            break
    return blocks
