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


def _continues(previous: str, previous_length: int, group: int, line: Block) -> bool:
    """A hard-wrapped paragraph: the line before stops mid-sentence and this one goes on in lower case.
    `previous`: the paragraph so far (its last line will do: only its last character is read);
    `previous_length`: the length of the paragraph so far, as one text."""
    first = line.text[:1]
    return (
        line.group == group
        and first.isalpha()
        and first.islower()
        and previous_length >= 40
        and previous[-1:] not in '.!?:;"”’'
    )


def unwrap(blocks: list[Block]) -> list[Block]:
    """Hard-wrapped lines joined into their paragraphs. Each paragraph becomes one block when it is complete:
    a block made again at each line counted the words of the whole paragraph so far, so an unpunctuated text
    of 17,000 lines took minutes."""
    merged: list[Block] = []
    run: list[Block] = []
    length = 0  # of the run's lines joined by spaces
    for block in blocks:
        if run and _continues(run[-1].text, length, run[0].group, block):
            run.append(block)
            length += 1 + len(block.text)
            continue
        if run:
            merged.append(_paragraph(run))
        run, length = [block], len(block.text)
    if run:
        merged.append(_paragraph(run))
    return merged


def _paragraph(run: list[Block]) -> Block:
    first = run[0]
    if len(run) == 1:
        return first
    text = " ".join(block.text for block in run)
    return Block(text=text, start=first.start, end=run[-1].end, tag=first.tag, group=first.group)
