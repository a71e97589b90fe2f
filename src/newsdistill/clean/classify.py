"""The one block classifier both text and HTML mode use.

1. score each block for "article prose" from its own features (and DOM hints);
2. pick the main-content region: the best contiguous run (text) or best subtree (HTML);
3. label every block: kept (paragraph, heading, list item) or removed with a reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..lexicons import PROSE_LANGUAGES, stopwords_for
from .blocks import WORD, Block
from .features import (
    boilerplate_reason,
    compute,
    end_marker_reason,
    function_word_share,
    is_comment_meta,
    is_date_line,
    is_end_marker,
)


@dataclass(frozen=True)
class Thresholds:
    good_words: int = 12
    good_stop: float = 0.25
    near_words: int = 6
    near_stop: float = 0.15
    link_density_bad: float = 0.45
    keep_short_headings: bool = True
    include_good_outside: bool = False


MODES = {
    "balanced": Thresholds(),
    "precision": Thresholds(good_words=15, good_stop=0.28, link_density_bad=0.35, keep_short_headings=False),
    "recall": Thresholds(
        good_words=10, good_stop=0.2, near_stop=0.1, link_density_bad=0.6, include_good_outside=True
    ),
}

RUN_GROWTH, RUN_CAP = 0.15, 2.5
STRONG_NEGATIVE_HINTS = {"comment", "footer", "nav"}
NEGATIVE_HINTS = {
    "boilerplate",
    "nav",
    "footer",
    "aside",
    "form",
    "header",
    "comment",
    "share",
    "related",
    "advert",
}


PROSE_DENSITY = 0.12  # function words in a page's longer blocks, at least: the page is in that language


def page_language(blocks: Sequence[Block]) -> str | None:
    """The language whose function words (lexicons.PROSE_LANGUAGES) make up at least PROSE_DENSITY of the
    page's longer blocks, English first; the densest other language where English falls short; None where
    none reaches it (a language without a list, or no prose). A page without long blocks counts as English."""
    words = WORD.findall(" ".join(b.text for b in blocks if b.words >= 8)[:20_000].lower())
    if not words:
        return "en"
    if function_word_share(words, stopwords_for("en")) >= PROSE_DENSITY:  # most pages: one pass
        return "en"
    density, language = max(
        (function_word_share(words, stopwords_for(code)), code) for code in PROSE_LANGUAGES[1:]
    )
    return language if density >= PROSE_DENSITY else None


def detected_language(blocks: Sequence[Block], language: str | None) -> str | None:
    """The page's language as an article field: `language` (what score_blocks measured) where the page has
    prose to tell it by (a block of 8 or more words), else unknown."""
    return language if any(b.words >= 8 for b in blocks) else None


def prose_class(block: Block, t: Thresholds) -> str:
    """good / near / short / bad, from the block's own features (computed once per block)."""
    cached = block.features.get("class")
    if cached is None:
        cached = block.features["class"] = _CLASSES.index(_prose_class(block, t))
    return _CLASSES[int(cached)]


_CLASSES = ("good", "near", "short", "bad")


def _prose_class(block: Block, t: Thresholds) -> str:
    f = block.features
    words, stop = f["words"], f["stop"]
    if not f["english"]:
        # Without a function-word list for the language, sentence punctuation tells prose from tag lists.
        stop = 0.3 if f["punct"] >= 0.05 and (f["terminal"] or words >= 25) else 0.1
    if words == 0 or f["link_density"] > t.link_density_bad or boilerplate_reason(block) or f["ellipsis"]:
        return "bad"
    if block.text.count(" | ") >= 2:  # "Home | News | Sport": a menu flattened into one line
        return "bad"
    if words >= t.good_words and stop >= t.good_stop and (f["terminal"] or words >= 2 * t.good_words):
        return "good"
    if words >= t.near_words and stop >= t.near_stop and (f["terminal"] or words >= 15):
        return "near"
    return "short"


def score_block(block: Block, t: Thresholds) -> float:
    kind = prose_class(block, t)
    words = block.features["words"]
    score = {
        "good": min(words, 120.0),
        "near": 0.4 * words,
        "short": -1.5,
        "bad": -3.0 - 0.3 * min(words, 40),
    }[kind]
    if kind in {"good", "near"} and block.features["headline_lead"] and in_english(block):
        score = -0.2 * min(words, 60)  # "Headline In Title Case Snippet of the story...": a teaser
    if kind == "short" and block.ancestors and words >= 4 and f_link_free(block):
        score = 0.2 * min(words, 30)  # link-free text in the DOM (recipes, specs, short lines of prose)
    if is_end_marker(block):
        score = -40.0
    elif kind != "bad" and is_comment_meta(block):
        score = -6.0  # comment author and time lines: many of them mean a comment thread
    if block.hints & NEGATIVE_HINTS:
        # Class names lie often enough that real prose only loses part of its weight.
        weight = -0.1 if "comment" in block.hints else 0.25 if block.hints & STRONG_NEGATIVE_HINTS else 0.6
        score = score * weight if kind == "good" else (score * 0.3 if score > 0 else score * 1.5) - 2.0
    if "content" in block.hints and score > 0:
        score *= 1.3
    return score


def in_english(block: Block) -> bool:
    """Title-case leads mark headlines only where capitalisation means that (features.headline_lead is 0
    in languages that capitalise nouns) and the page's language is known."""
    return bool(block.features["english"])


def f_link_free(block: Block) -> bool:
    return block.link_density < 0.1


def discussion_page(blocks: Sequence[Block], t: Thresholds) -> bool:
    """A forum thread or Q&A page: the comments hold most of the page's prose, so they are its content."""
    in_comments = sum(b.words for b in blocks if "comment" in b.hints and prose_class(b, t) == "good")
    elsewhere = sum(b.words for b in blocks if "comment" not in b.hints and prose_class(b, t) == "good")
    return in_comments > 6 * max(elsewhere, 40)


def score_blocks(blocks: Sequence[Block], t: Thresholds) -> str | None:
    """Score every block for the rules; returns the page's language (page_language), measured once."""
    language = page_language(blocks)
    for block in blocks:
        compute(block, language)
    if discussion_page(blocks, t):
        for block in blocks:
            block.hints = block.hints - {"comment"}
    run = 0
    for block in blocks:
        block.score = score_block(block, t)
        # A long run of non-prose lines (menus, name lists, link farms) weighs more than its parts:
        # the article's own subheadings come one at a time.
        run = run + 1 if block.score <= 0 else 0
        if not block.ancestors:
            block.score *= min(1.0 + RUN_GROWTH * max(run - 1, 0), RUN_CAP)
    return language


def best_run(blocks: Sequence[Block]) -> tuple[int, int]:
    """Maximum-sum contiguous run of block scores (Kadane): the text-mode main region."""
    best, best_span = float("-inf"), (0, 0)
    total, start = 0.0, 0
    for i, block in enumerate(blocks):
        if total <= 0:
            total, start = 0.0, i
        total += block.score
        if total > best:
            best, best_span = total, (start, i + 1)
    return best_span


def best_subtree(blocks: Sequence[Block]) -> set[int]:
    """Indexes of blocks under the element whose subtree has the highest score: the HTML main region."""
    totals: dict[int, float] = defaultdict(float)
    depth: dict[int, int] = {}
    for block in blocks:
        for level, element in enumerate(block.ancestors):
            totals[element] += block.score
            depth[element] = level
    if not totals:
        return set(range(len(blocks)))
    best = max(totals, key=lambda e: (round(totals[e], 6), depth[e]))
    return {i for i, b in enumerate(blocks) if best in b.ancestors}


def cut_at_end_marker(blocks: Sequence[Block], region: list[int]) -> list[int]:
    """Drop the part of the region after a 'Comments' / 'Related' marker past its middle."""
    mass = sum(max(blocks[i].score, 0) for i in region)
    running = 0.0
    for position, i in enumerate(region):
        if is_end_marker(blocks[i]) or (
            blocks[i].words <= 14 and boilerplate_reason(blocks[i]) == "newsletter"
        ):
            after = mass - running
            # A comment thread can outweigh the article: any real article before it is enough.
            # A 'Read more' box inside the article is followed by as much article again: keep going.
            if end_marker_reason(blocks[i]) == "comment_form":
                if running >= min(0.5 * mass, 60.0):
                    return region[:position]
            elif running >= 0.5 * mass and after < 0.5 * running:
                return region[:position]
        running += max(blocks[i].score, 0)
    return region


def cut_at_teaser_run(blocks: Sequence[Block], region: list[int]) -> list[int]:
    """Headline, date, one-paragraph snippet, three times or more in a row: a list of other
    stories. Cut the region where such a run starts, if the article came before it."""
    units = _headline_units(blocks, region)
    run: list[list[int]] = []
    for unit in [*units, []]:
        if unit and _is_teaser_unit(blocks, unit):
            run.append(unit)
            continue
        if len(run) >= 3 and sum(1 for u in run if _has_date(blocks, u)) * 2 >= len(run):
            start = region.index(run[0][0])
            mass = sum(max(blocks[i].score, 0) for i in region)
            if sum(max(blocks[i].score, 0) for i in region[:start]) >= 0.3 * mass:
                return region[:start]
        run = []
    return region


def _headline_units(blocks: Sequence[Block], region: list[int]) -> list[list[int]]:
    units: list[list[int]] = []
    for i in region:
        block = blocks[i]
        headline = (
            3 <= block.words <= 25 and not block.features.get("terminal") and not block.text.endswith(":")
        )
        if (headline and not _is_date_line(block)) or not units:
            units.append([i])
        else:
            units[-1].append(i)
    return units


def _is_teaser_unit(blocks: Sequence[Block], unit: list[int]) -> bool:
    long_blocks = [i for i in unit[1:] if blocks[i].words >= 12]
    return len(long_blocks) == 1 and len(unit) <= 4


def _has_date(blocks: Sequence[Block], unit: list[int]) -> bool:
    return any(_is_date_line(blocks[i]) for i in unit)


def _is_date_line(block: Block) -> bool:
    return is_date_line(block)


def extend_with_list(blocks: Sequence[Block], region: list[int], max_items: int = 100) -> list[int]:
    """'Tour dates:' followed by its lines right after the region: the article's own list."""
    if not region:
        return region
    intro = region[-1] if blocks[region[-1]].text.endswith(":") else region[-1] + 1
    if intro >= len(blocks) or not blocks[intro].text.endswith(":") or blocks[intro].words > 25:
        return region
    items = []
    for i in range(intro + 1, min(len(blocks), intro + 1 + max_items)):
        block = blocks[i]
        if block.group != blocks[intro].group or boilerplate_reason(block) or block.words > 60:
            break
        block.tag = "li"
        items.append(i)
    if not items:
        return region
    return sorted(set(region) | {intro, *items})
