"""Split plain text into line blocks, with offsets into the input."""

from __future__ import annotations

import re

from .blocks import Block, display_text

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
        blocks.append(
            Block(text=display_text(stripped), start=start, end=start + len(stripped), tag=tag, group=group)
        )
        last_end = match.end()
        if len(blocks) >= max_blocks:
            break
    return unwrap(blocks)


def _continues(previous: Block, line: Block) -> bool:
    """A hard-wrapped paragraph: the line before stops mid-sentence and this one goes on in lower case."""
    first = line.text[:1]
    return (
        line.group == previous.group
        and first.isalpha()
        and first.islower()
        and len(previous.text) >= 40
        and previous.text[-1:] not in '.!?:;"”’'
    )


def unwrap(blocks: list[Block]) -> list[Block]:
    merged: list[Block] = []
    for block in blocks:
        if merged and _continues(merged[-1], block):
            previous = merged[-1]
            merged[-1] = Block(
                text=f"{previous.text} {block.text}",
                start=previous.start,
                end=block.end,
                tag=previous.tag,
                group=previous.group,
            )
        else:
            merged.append(block)
    return merged
