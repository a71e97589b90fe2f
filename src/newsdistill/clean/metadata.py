"""Title, authors, date and outlet from the blocks themselves (both modes) and from HTML metadata."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from dateutil import parser as dateparser

from ..lexicons import name_key, outlet_names
from .blocks import Block
from .captions import block_key, normalise
from .features import ends_like_sentence
from .lexicon import BYLINE, DATE_IN_TEXT

_TITLE_SEPARATORS = re.compile(r"\s+[|–—-]\s+|\s+::\s+|\s+»\s+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_CREDIT = re.compile(r"^\(?([A-Z][\w.&' -]{1,40}?)\)?\.?$")


def outlet_name(raw: str) -> str | None:
    """'DailyMail', '(AP)', 'Reuters' -> a normalised outlet name, if it is one."""
    match = _CREDIT.match(raw.strip())
    if not match:
        return None
    return outlet_names().get(name_key(match.group(1)))


def split_site_suffix(title: str) -> tuple[str, str | None]:
    """'Headline - Site Name' -> ('Headline', 'Site Name') when the suffix is short."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) >= 2:
        head, tail = " - ".join(parts[:-1]), parts[-1]
        if len(tail.split()) <= 4 and len(head.split()) >= 3:
            return head.strip(), tail.strip()
        first, rest = parts[0], " - ".join(parts[1:])
        if len(first.split()) <= 3 and len(rest.split()) >= 4:
            return rest.strip(), first.strip()
    return title.strip(), None


def parse_date(text: str) -> str | None:
    match = DATE_IN_TEXT.search(text)
    if not match:
        return None
    try:
        value = dateparser.parse(match.group(), fuzzy=True, default=None)  # type: ignore[arg-type]
    except (ValueError, OverflowError):
        return None
    if value is None or not 1990 <= value.year <= date.today().year + 1:
        return None
    return value.date().isoformat()


def authors_from_byline(text: str) -> list[str]:
    match = BYLINE.match(text.strip())
    if not match:
        return []
    names = re.split(r"\s*(?:,|\band\b|&)\s*", match.group(1))
    return [n.strip() for n in names if n.strip() and len(n.split()) <= 4]


def text_title(blocks: Sequence[Block], region_start: int) -> tuple[int, str, str | None] | None:
    """The page title in whole-page text: the first line when it looks like a headline."""
    for i, block in enumerate(blocks[: max(1, min(region_start, 3))]):
        if 3 <= block.words <= 30 and not ends_like_sentence(block.text) and not block.text.endswith(":"):
            title, site = split_site_suffix(block.text)
            return i, title, site
        if i == 0 and block.words > 3:
            return None
    return None


def mark_title_copies(blocks: Sequence[Block], title: str) -> None:
    """The headline repeated as the article's h1: removed with reason 'title'."""
    key = normalise(title)
    if not key:
        return
    for block in blocks:
        if block.words > 40 or block.words == 0:
            continue
        own = block_key(block)
        if own == key or (len(own) > 20 and key.startswith(own)) or (len(key) > 20 and own.startswith(key)):
            block.remove("title")
            block.caption = False


def find_outlet_credit(blocks: Sequence[Block]) -> str | None:
    """A bare source credit ('DailyMail', 'Reuters', '(AP)') after the body: the outlet."""
    kept = [i for i, b in enumerate(blocks) if b.keep]
    if not kept:
        return None
    for i in range(kept[-1], min(len(blocks), kept[-1] + 4)):
        block = blocks[i]
        if block.words <= 4 and (name := outlet_name(_CAMEL.sub(" ", block.text))) is not None:
            block.remove("source_credit")
            return name
    return None


def find_byline_and_date(blocks: Sequence[Block]) -> tuple[list[str], str | None]:
    authors: list[str] = []
    published: str | None = None
    for block in blocks:
        if block.reason == "byline" and not authors:
            authors = authors_from_byline(block.text)
        if block.reason in {"dateline", "byline", "navigation"} and published is None and block.words <= 12:
            published = parse_date(block.text)
    return authors, published
