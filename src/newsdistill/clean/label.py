"""Label every block once the main region is known: kept (with its kind) or removed with a reason."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import RemovedReason
from .blocks import Block
from .captions import looks_like_caption, repeat_groups, split_body_and_captions
from .classify import NEGATIVE_HINTS, Thresholds, prose_class
from .features import (
    boilerplate_reason,
    end_marker_reason,
    ends_like_sentence,
    is_comment_meta,
    is_date_line,
    is_end_marker,
)
from .lexicon import BYLINE

_MAX_NEWSLETTER_PITCH_WORDS = 40
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_HINT_REASONS: dict[str, RemovedReason] = {
    "comment": "comment_form",
    "share": "share",
    "related": "related_link",
    "advert": "advert",
    "nav": "navigation",
    "footer": "footer",
    "form": "comment_form",
    "newsletter": "newsletter",
}


def label_blocks(blocks: Sequence[Block], region: set[int], t: Thresholds) -> None:
    region_start = min(region, default=len(blocks))
    for i, block in enumerate(blocks):
        block.keep, block.reason = False, None
        if i in region:
            _label_in_region(blocks, i, t)
        elif t.include_good_outside and prose_class(block, t) == "good" and not block.hints & NEGATIVE_HINTS:
            block.keep = True
        else:
            block.reason = _outside_reason(block, i < region_start)
    _mark_links_after_markers(blocks)
    _mark_teasers(blocks)
    _mark_repeats(blocks, region)
    mark_kinds(blocks)


def _label_in_region(blocks: Sequence[Block], i: int, t: Thresholds) -> None:
    block = blocks[i]
    reason = boilerplate_reason(block)
    if reason is None and prose_class(block, t) != "good":
        reason = _hint_reason(block)
    if reason is None and is_end_marker(block):
        reason = end_marker_reason(block)
    if reason is None and "newsletter" in block.hints and block.words <= _MAX_NEWSLETTER_PITCH_WORDS:
        reason = "newsletter"  # the pitch of a sign-up box reads like prose; its class names say what it is
    if reason is None and (block.tag == "figcaption" or "caption" in block.hints):
        block.caption = True
        return
    if reason is None and block.link_density > t.link_density_bad and block.words < 40:
        reason = "related_link"
    if reason is None and is_comment_meta(block):
        reason = "comment_form"
    if reason is None and block.words <= 12 and BYLINE.match(block.text):
        reason = "byline"
    if reason is None and block.words <= 10 and is_date_line(block) and not ends_like_sentence(block.text):
        reason = "dateline"
    if reason is None and not _worth_keeping(blocks, i, t):
        reason = "other"
    if reason is None:
        block.keep = True
    else:
        block.remove(reason)


def _hint_reason(block: Block) -> RemovedReason | None:
    for hint in sorted(block.hints & set(_HINT_REASONS)):
        if not (hint == "form" and block.words > 40):
            return _HINT_REASONS[hint]
    return None


def _worth_keeping(blocks: Sequence[Block], i: int, t: Thresholds) -> bool:
    block = blocks[i]
    if block.tag in _HEADING_TAGS or block.tag in {"li", "blockquote", "pre"} or block.words >= 8:
        return block.words > 0
    if ends_like_sentence(block.text) and block.words >= 3:
        return True
    return t.keep_short_headings and block.words >= 2 and _followed_by_prose(blocks, i)


def _followed_by_prose(blocks: Sequence[Block], i: int) -> bool:
    following = blocks[i + 1] if i + 1 < len(blocks) else None
    return following is not None and following.words >= 15 and ends_like_sentence(following.text)


def _outside_reason(block: Block, before_region: bool) -> RemovedReason:
    if block.link_density > 0.5:
        # Link lists outside the article: menus before it, related links after it.
        return _hint_reason(block) or ("navigation" if before_region else "related_link")
    reason = boilerplate_reason(block) or _hint_reason(block)
    if reason:
        return reason
    if block.tag == "figcaption" or looks_like_caption(block):
        block.caption = True
        return "caption_duplicate"
    if is_end_marker(block):
        return end_marker_reason(block)
    if block.words <= 12 and BYLINE.match(block.text):
        return "byline"
    if block.words <= 10 and is_date_line(block) and not ends_like_sentence(block.text):
        return "dateline"
    return "navigation" if before_region else "footer" if block.words < 8 else "other"


def _mark_links_after_markers(blocks: Sequence[Block]) -> None:
    """'Read more' / 'Related stories' inside the article: the headlines under it are links."""
    for i, block in enumerate(blocks):
        if not (is_end_marker(block) and end_marker_reason(block) == "teaser"):
            continue
        for following in blocks[i + 1 : i + 8]:
            if not following.keep or following.words > 25 or ends_like_sentence(following.text):
                break
            following.remove("related_link")


def _mark_teasers(blocks: Sequence[Block]) -> None:
    """Headline + snippet ending in '...': a teaser for another story, wherever it stands."""
    for i, block in enumerate(blocks):
        if block.features.get("ellipsis") and block.words <= 60:
            if block.keep or block.reason in {None, "other", "footer"}:
                block.remove("teaser")
            previous = blocks[i - 1] if i else None
            if previous is not None and previous.words <= 45 and not ends_like_sentence(previous.text):
                if previous.keep or previous.reason in {"other", "footer", "navigation"}:
                    previous.remove("teaser")


def _mark_repeats(blocks: Sequence[Block], region: set[int]) -> None:
    for members in repeat_groups(blocks):
        if not any(i in region for i in members):
            continue
        body, copies = split_body_and_captions(blocks, members)
        captions = not all(ends_like_sentence(blocks[i].text) for i in members) or any(
            looks_like_caption(blocks[i]) for i in members
        )
        captions = captions and not any(blocks[i].tag in _HEADING_TAGS for i in members)
        for i in copies:
            blocks[i].caption = captions and blocks[i].words >= 5
            blocks[i].remove("caption_duplicate" if blocks[i].caption else "duplicate")
        if body is not None and body in region and blocks[body].reason in {None, "other"}:
            blocks[body].keep, blocks[body].reason = True, None


_INTRO = re.compile(r":\s*$")


def mark_kinds(blocks: Sequence[Block]) -> None:
    in_list = False
    for block in blocks:
        if not block.keep:
            in_list = in_list and block.reason is None
            continue
        if block.tag in _HEADING_TAGS:
            block.kind = "heading"
        elif block.tag == "li" or (in_list and block.words <= 80):
            block.kind = "list_item"
        elif block.tag == "blockquote":
            block.kind = "blockquote"
        elif block.words <= 15 and not ends_like_sentence(block.text) and not _INTRO.search(block.text):
            block.kind = "heading"
        in_list = bool(_INTRO.search(block.text)) or (in_list and block.kind == "list_item")
