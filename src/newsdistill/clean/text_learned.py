"""The learned line classifier of text mode: today's text rules as features of a small tree model.

Whole-page text (a scraper's saved text, a WET record) has no DOM, so the HTML model's features (tags,
class names, link density, DOM depth) are absent; this model reads the lines' own wording, their place
in the page and the blank-line groups they sit in, and every decision the text rules made. It is trained
by `newsdistill train text-cleaner` (clean/text_training.py) and stored as numpy arrays, like the HTML
block model (clean/learned.py: the same TreeModel walks both).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..limits import DEFAULT_LIMITS, Limits
from ..model import RemovedReason
from .blocks import Block
from .captions import block_key
from .classify import (
    Thresholds,
    best_run,
    cut_at_end_marker,
    cut_at_teaser_run,
    extend_with_list,
    score_blocks,
)
from .features import boilerplate_reason, is_comment_meta, is_date_line, is_end_marker
from .label import label_blocks
from .learned import (
    LANDMARKS,
    METADATA_REASONS,
    MODELS,
    SHARED_WINDOWS,
    TreeModel,
    final_keep,
    gaps_to,
    landmark_columns,
    meet_rules,
    read_tree_model,
    seeded_runs,
    shifted_rows,
    window_share,
)
from .metadata import mark_title_copies, text_title
from .text_blocks import text_to_blocks

TEXT_MODEL = MODELS / "text_blocks.npz"
TEXT_REBUILD = "newsdistill train text-cleaner --data ../shared/data"
# The rules' reasons for a removal, each a yes/no column (the model learns which of them to trust).
REASONS: tuple[RemovedReason, ...] = (
    "title",
    "byline",
    "dateline",
    "navigation",
    "footer",
    "related_link",
    "teaser",
    "caption_duplicate",
    "duplicate",
    "comment_form",
    "share",
    "newsletter",
    "advert",
    "other",
)
OWN = (
    "log_words",
    "log_chars",
    "stop",
    "terminal",
    "ellipsis",
    "punct",
    "headline_lead",
    "english",
    "rule_score",
    "rule_class",
    "rule_keep",
    "rule_caption",
    "list_item",
    "colon_end",
    "digits",
    "symbols",
    "capitalised",
    "first_upper",
    "chrome_words",
    "end_marker",
    "comment_meta",
    "date_line",
    *(f"reason_{r}" for r in REASONS),
    "in_region",
    "position",
    "repeats",
    "group_first",
    "group_last",
)
CONTEXT = (
    "group_keep",
    "group_lines",
    "group_words",
    "page_blocks",
    "region_share",
    "region_distance",
    "kept_before",
    "kept_after",
)
NEIGHBOURS = ("log_words", "rule_keep", "terminal", "stop", "in_region", "rule_score")
# Shares over the lines either side (radius, the line itself included): one line says little, but a
# comment thread, a link list or the body's run of prose shows in how many lines near it carry a mark.
WINDOWS = (
    *SHARED_WINDOWS,
    ("log_words", 2),
    ("log_words", 5),
    ("log_words", 15),
    ("end_marker", 10),
    ("reason_share", 5),
    ("repeated", 5),
    ("long", 5),
)
# Where the line sits against the page's landmarks: after an end marker ("Comments", "Related") or the
# first comment line, outside the rules' kept lines, and how far from a line of prose.
SPANS = (
    *LANDMARKS,
    "lines_since_long",
    "lines_until_long",
    "lines_since_kept",
    "lines_until_kept",
    "url_line",
    "earlier_copies",
)
LONG_LINE = 20  # words: a line of prose, not a heading, a link or a caption
FEATURES = (
    *OWN,
    *CONTEXT,
    *(f"{side}{k}_{n}" for side in ("prev", "next") for k in (1, 2) for n in NEIGHBOURS),
    *(f"window{radius}_{name}" for name, radius in WINDOWS),
    *SPANS,
)
_DIGIT = re.compile(r"\d")
_CAPITAL_WORD = re.compile(r"(?<!\w)[A-ZÀ-ÖØ-Þ]")
_SYMBOL = re.compile(r"[|/•·»«>@#©®_=+*~\[\]{}]")
_REASON_INDEX = {r: i for i, r in enumerate(REASONS)}
_LOG_COLUMNS = [OWN.index("log_words"), OWN.index("log_chars")]
_SCORE = OWN.index("rule_score")
_COPY_COLUMNS = [FEATURES.index(f"reason_{r}") for r in ("duplicate", "caption_duplicate")]


@dataclass
class TextRulePage:
    """A text page as today's rules scored and labelled it: the model's input."""

    blocks: list[Block]
    region: set[int]
    cut: bool  # the page stopped at the max_blocks limit with lines to go
    language: str | None = None  # as score_blocks measured it (classify.page_language)
    title: str | None = None
    site: str | None = None


def text_rule_page(text: str, t: Thresholds, limits: Limits = DEFAULT_LIMITS) -> TextRulePage:
    """Lines, scores, the main run and the rules' labels, and the title line removed as 'title'."""
    blocks = text_to_blocks(text, limits.max_blocks)
    cut = bool(blocks) and bool(text[blocks[-1].end :].strip())
    language = score_blocks(blocks, t)
    start, end = best_run(blocks)
    region = cut_at_teaser_run(blocks, cut_at_end_marker(blocks, list(range(start, end))))
    region = extend_with_list(blocks, region)
    label_blocks(blocks, set(region), t)
    page = TextRulePage(blocks, set(region), cut, language)
    found = text_title(blocks, start)
    if found is not None:
        index, page.title, page.site = found
        mark_title_copies(blocks, page.title)
        blocks[index].remove("title")
    return page


def _capitalised_share(text: str, words: int) -> float:
    """Title Case and name lists run high; prose sits near a tenth."""
    return min(1.0, len(_CAPITAL_WORD.findall(text)) / max(1, words))


def _reason_columns(reason: RemovedReason | None) -> list[bool]:
    columns = [False] * len(REASONS)
    index = _REASON_INDEX.get(reason) if reason else None  # type: ignore[arg-type]
    if index is not None:
        columns[index] = True
    return columns


def _wording_row(b: Block) -> tuple[float | bool, ...]:
    """A line's own columns of OWN (this runs for every line of every page, hence its shape)."""
    f, text = b.features, b.text
    head = text[:200]
    return (
        b.words,
        len(text),
        f.get("stop", 0.0),
        f.get("terminal", 0.0),
        f.get("ellipsis", 0.0),
        f.get("punct", 0.0),
        f.get("headline_lead", 0.0),
        f.get("english", 0.0),
        b.score,
        f.get("class", 3.0),
        b.keep,
        b.caption,
        b.tag == "li",
        text.endswith(":"),
        len(_DIGIT.findall(head)) / max(1, len(head)),
        len(_SYMBOL.findall(head)) / max(1, len(head)),
        _capitalised_share(text, b.words),
        text[:1].isupper(),
        boilerplate_reason(b) is not None,
        is_end_marker(b),
        is_comment_meta(b),
        is_date_line(b),
        *_reason_columns(b.reason),
    )


def _own_columns(blocks: Sequence[Block], region: set[int]) -> np.ndarray:
    """Rows of OWN: each line's wording, then its place in the page."""
    n = len(blocks)
    keys = [block_key(b) for b in blocks]
    repeats = Counter(keys)
    groups = np.array([b.group for b in blocks])
    in_region = np.zeros(n)
    in_region[list(region)] = 1.0
    own = np.column_stack(
        [
            np.array([_wording_row(b) for b in blocks], dtype=float),
            in_region,
            np.array([b.start for b in blocks], dtype=float) / max(1, blocks[-1].end),
            np.array([repeats[k] - 1 for k in keys], dtype=float),
            np.concatenate([[True], groups[1:] != groups[:-1]]),
            np.concatenate([groups[:-1] != groups[1:], [True]]),
        ]
    )
    own[:, _LOG_COLUMNS] = np.log1p(own[:, _LOG_COLUMNS])
    np.clip(own[:, _SCORE], -50.0, 150.0, out=own[:, _SCORE])
    return own


def _context_columns(blocks: Sequence[Block], own: np.ndarray, region: set[int]) -> np.ndarray:
    n = len(blocks)
    words = np.array([b.words for b in blocks], dtype=float)
    kept_words = words * own[:, OWN.index("rule_keep")]
    _, inverse, counts = np.unique([b.group for b in blocks], return_inverse=True, return_counts=True)
    group_kept = np.bincount(inverse, weights=kept_words)[inverse]
    group_words = np.bincount(inverse, weights=words)[inverse]
    total_kept = max(kept_words.sum(), 1.0)
    kept_through = np.cumsum(kept_words)
    first, last = (min(region), max(region)) if region else (n, n)
    index = np.arange(n)
    distance = np.where(index < first, first - index, np.where(index > last, index - last, 0)) / max(n, 1)
    return np.column_stack(
        [
            group_kept / np.maximum(group_words, 1.0),
            np.log1p(counts[inverse]),
            np.log1p(group_words),
            np.full(n, np.log1p(n)),
            np.full(n, sum(blocks[i].words for i in region) / max(words.sum(), 1.0)),
            distance,
            (kept_through - kept_words) / total_kept,
            (total_kept - kept_through) / total_kept,
        ]
    )


def text_block_matrix(blocks: Sequence[Block], region: set[int]) -> np.ndarray:
    """One row of FEATURES per line, computed after the rules have scored and labelled the page."""
    if not blocks:
        return np.zeros((0, len(FEATURES)))
    own = _own_columns(blocks, region)
    near = own[:, [OWN.index(name) for name in NEIGHBOURS]]
    shifted = [shifted_rows(near, by) for by in (1, 2, -1, -2)]
    marks = _line_marks(blocks, own)
    return np.column_stack(
        [
            own,
            _context_columns(blocks, own, region),
            *shifted,
            _window_columns(marks),
            _span_columns(blocks, marks),
        ]
    )


def _line_marks(blocks: Sequence[Block], own: np.ndarray) -> dict[str, np.ndarray]:
    """The per-line columns the windows and spans read, by name."""
    marks = {name: own[:, OWN.index(name)] for name, _ in WINDOWS if name in OWN}
    marks["repeated"] = (own[:, OWN.index("repeats")] > 0).astype(float)
    marks["long"] = np.array([b.words >= LONG_LINE for b in blocks], dtype=float)
    return marks


def _window_columns(marks: dict[str, np.ndarray]) -> np.ndarray:
    return np.column_stack([window_share(marks[name], radius) for name, radius in WINDOWS])


def _span_columns(blocks: Sequence[Block], marks: dict[str, np.ndarray]) -> np.ndarray:
    kept = marks["rule_keep"] > 0
    return np.column_stack(
        [
            *landmark_columns(marks["comment_meta"] > 0, kept, marks["end_marker"] > 0),
            *gaps_to(marks["long"] > 0),
            *gaps_to(kept),
            [b.text.lstrip().startswith(("http://", "https://", "www.")) for b in blocks],
            _earlier_copies(blocks),
        ]
    )


def _earlier_copies(blocks: Sequence[Block]) -> np.ndarray:
    """How many lines before this one read the same (a caption shown again, a repeated menu)."""
    seen: Counter[str] = Counter()
    counts = np.zeros(len(blocks))
    for i, block in enumerate(blocks):
        key = block_key(block)
        counts[i] = seen[key]
        seen[key] += 1
    return np.log1p(counts)


def kept_out_mask(blocks: Sequence[Block]) -> np.ndarray:
    """Lines that stay out of the body whatever the model says: the page's metadata (title, byline,
    dateline) and captions fill Article fields instead, a line under a link marker ("See also …", "Read
    more: …") points to another story, and an end marker ("12 responses to …") heads what follows the
    article. The gold of WCXB-dev keeps some of those links and captions; out of fold this costs 0.0009 F1
    on its articles and 0.0005 on AEB (RESULTS.md)."""
    return np.array([_kept_out(b) for b in blocks], dtype=bool)


def _kept_out(block: Block) -> bool:
    return (
        block.reason in METADATA_REASONS
        or block.caption
        or boilerplate_reason(block) == "related_link"
        or is_end_marker(block)
    )


def text_keep(
    blocks: Sequence[Block], x: np.ndarray, model: TreeModel, shift: float = 0.0, mode: str = "balanced"
) -> np.ndarray:
    """The model's keep decision per line, met with the rules' as `mode` says: never a kept-out line
    (kept_out_mask), and never an emptied page."""
    rule_keep = np.array([b.keep for b in blocks], dtype=bool)
    seed = model.cutoff + shift
    extend = seed if model.extend_cutoff is None else model.extend_cutoff + shift
    model_keep = meet_rules(keep_lines(model.probability(x), x, seed, extend), rule_keep, mode)
    return final_keep(model_keep & ~kept_out_mask(blocks), rule_keep)


def keep_lines(probability: np.ndarray, x: np.ndarray, seed: float, extend: float) -> np.ndarray:
    """The lines at `seed`, and the runs at `extend` that hold one (learned.seeded_runs), except that a line
    the rules found repeated ('duplicate', 'caption_duplicate') needs `seed` itself: a doubtful copy next
    to the body is a copy, not its continuation."""
    doubtful_copy = x[:, _COPY_COLUMNS].any(axis=1) & (probability < seed)
    return seeded_runs(probability, seed, extend) & ~doubtful_copy


@lru_cache(maxsize=8)  # the packaged model and a benchmark run's fold models
def load_text_model(path: Path) -> TreeModel:
    """Load a text model; a missing, corrupt or out-of-date file is one clear error naming the fix."""
    return read_tree_model(path, FEATURES, "text cleaner model", TEXT_REBUILD)
