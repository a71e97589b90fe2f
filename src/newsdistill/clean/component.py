"""The `clean` stage: decoded page -> article body, captions, removed blocks, metadata."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from selectolax.lexbor import LexborHTMLParser

from ..errors import SkipInput
from ..lexicons import normalised_outlet
from ..limits import DEFAULT_LIMITS, Limits
from ..model import Article, Caption, ParagraphKind, RemovedBlock
from .blocks import Block
from .captions import block_key, normalise
from .classify import (
    MODES,
    Thresholds,
    best_subtree,
    cut_at_end_marker,
    cut_at_teaser_run,
    detected_language,
    score_blocks,
)
from .credits import find_credit
from .html_blocks import nesting_depth, page_blocks
from .html_meta import PageMeta, page_meta
from .label import label_blocks, mark_kinds
from .learned import (
    BLOCK_MODEL,
    FEATURES,
    METADATA_REASONS,
    TRAINED_TYPES,
    above_cutoff,
    block_matrix,
    final_keep,
    load_model,
    meet_rules,
    model_rows,
    no_main_content,
    repeated_copies,
)
from .metadata import (
    find_byline_and_date,
    find_outlet_credit,
    mark_title_copies,
    outlet_name,
    split_site_suffix,
)
from .page_type import PAGE_FEATURES, PAGE_MODEL, PAGE_WORDS, aligned_probabilities, page_type_of, page_vector
from .text_learned import TEXT_MODEL, load_text_model, text_block_matrix, text_keep, text_rule_page


class Clean:
    name = "clean"
    OPTIONS = ("mode", "limits", "learned", "page_types")

    def __init__(
        self,
        mode: str = "balanced",
        limits: Limits = DEFAULT_LIMITS,
        learned: bool = True,
        page_types: Sequence[str] | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
        self.thresholds: Thresholds = MODES[mode]
        self.limits = limits
        # learned=False: today's rules alone (the baseline the learned model is measured against).
        self.model: Path | None = BLOCK_MODEL if learned else None
        self.text_model: Path | None = TEXT_MODEL if learned else None
        self.page_types = frozenset(page_types) if page_types else None

    def __call__(self, article: Article) -> Article:
        text = article.input_text
        if not text:
            raise SkipInput("nothing to clean: decode the page first")
        if article.input_kind == "html":
            clean_html(article, text, self.thresholds, self.limits, self.model)
        else:
            clean_text(article, text, self.thresholds, self.limits, self.text_model)
        # Text pages carry no page type (the model reads HTML), so a type filter lets them through.
        if self.page_types and article.page_type and article.page_type not in self.page_types:
            raise SkipInput(
                f"page type {article.page_type} (not in --page-types {','.join(sorted(self.page_types))})"
            )
        if not article.text.strip():
            raise SkipInput(article.scratch.get(_NO_CONTENT) or "no article text found on the page")
        return article


def clean_text(
    article: Article,
    text: str,
    t: Thresholds,
    limits: Limits = DEFAULT_LIMITS,
    model: Path | None = None,
) -> None:
    # model: text mode's learned line model (text_learned); None for the rules alone.
    page = text_rule_page(text, t, limits)
    blocks = page.blocks
    if page.cut:
        _note_cut(article, limits.max_blocks)
    article.language = article.language or detected_language(blocks, page.language)
    if model is not None and blocks:
        mode = mode_of(t)
        x = text_block_matrix(blocks, page.region)
        keep = text_keep(blocks, x, load_text_model(model), _CUTOFF_SHIFT[mode], mode)
        apply_decisions(blocks, keep.tolist())
    if page.title is not None:
        article.title = page.title
        article.outlet = article.outlet or (outlet_name(page.site) or page.site if page.site else None)
    _finish(article, blocks)


def clean_html(
    article: Article,
    html: str,
    t: Thresholds,
    limits: Limits = DEFAULT_LIMITS,
    model: Path | None = BLOCK_MODEL,
) -> None:
    page = html_rule_blocks(html, t, limits)
    if page.cut:
        _note_cut(article, limits.max_blocks)
    blocks, meta = page.blocks, page.meta
    if model is not None and blocks:
        x = block_matrix(blocks, page.region)
        types = page_type_probabilities(blocks, x, meta, article.url or meta.url, html, model)
        article.page_type = page_type_of(types, TRAINED_TYPES)
        if not decide_blocks(blocks, model_rows(x, types), types, model, t):
            article.scratch[_NO_CONTENT] = (
                f"no main content: no block of this {article.page_type} page reads as content "
                "(menus and footers only: a page its scripts fill in?)"
            )
    if meta.title:
        title, site = split_site_suffix(meta.title)
        article.title = title
        meta.outlet = meta.outlet or site
        mark_title_copies(blocks, title)
    article.url = article.url or meta.url
    article.language = meta.language or detected_language(blocks, page.language)  # the markup's word first
    article.authors = meta.authors
    article.published = article.published or meta.published  # a date or outlet given with the input wins
    article.outlet = article.outlet or meta.outlet
    _finish(article, blocks)


@dataclass
class RulePage:
    """A page's blocks as today's rules scored and labelled them: the learned model's input."""

    blocks: list[Block]
    region: set[int]
    meta: PageMeta
    cut: bool
    language: str | None  # as score_blocks measured it (classify.page_language)


def html_rule_blocks(html: str, t: Thresholds, limits: Limits = DEFAULT_LIMITS) -> RulePage:
    if nesting_depth(html, limits.max_html_depth) >= limits.max_html_depth:
        raise SkipInput(f"HTML nested deeper than {limits.max_html_depth:,} levels")
    tree = LexborHTMLParser(html)
    meta = page_meta(tree)
    blocks = page_blocks(tree, limits.max_html_depth)
    cut = len(blocks) > limits.max_blocks
    blocks = blocks[: limits.max_blocks]
    language = score_blocks(blocks, t)
    region = set(cut_at_teaser_run(blocks, cut_at_end_marker(blocks, sorted(best_subtree(blocks)))))
    label_blocks(blocks, region, t)
    return RulePage(blocks, region, meta, cut, language)


_NO_CONTENT = "clean.no_content"  # Article.scratch: why a page that the model read gave no text

# The modes move the learned model's cut-off and say how its verdict meets the rules': precision keeps a
# block only where both keep it, recall where either does, balanced takes the model's word alone.
_CUTOFF_SHIFT = {"balanced": 0.0, "precision": 0.15, "recall": -0.15}


def mode_of(t: Thresholds) -> str:
    """The name of the mode whose thresholds `t` are (the stages pass thresholds, not names)."""
    return next((name for name in _CUTOFF_SHIFT if MODES[name] == t), "balanced")


def decide_blocks(
    blocks: list[Block], x: np.ndarray, types: np.ndarray, model_path: Path, t: Thresholds
) -> bool:
    """The learned model has the last word on keep/remove; the rules' reasons stay where both agree.
    `types`: the page-type model's probabilities (TRAINED_TYPES order). False where the page has no main
    content (learned.no_main_content): every block is removed."""
    model = load_model(model_path, FEATURES)
    mode = mode_of(t)
    rule_keep = np.array([b.keep for b in blocks], dtype=bool)
    metadata = np.array([b.reason in METADATA_REASONS for b in blocks], dtype=bool)
    words = np.array([b.words for b in blocks])
    probability, cutoff = model.probability(x), model.cutoff
    model_keep = above_cutoff(probability, cutoff + _CUTOFF_SHIFT[mode], words, types, base=cutoff)
    keep = final_keep(meet_rules(model_keep, rule_keep, mode) & ~metadata, rule_keep)
    copies = repeated_copies([block_key(b) for b in blocks], words, probability, types)
    for i in np.flatnonzero(keep & copies):
        blocks[i].remove("duplicate")
    content = not no_main_content(probability, types)  # the same in every mode
    apply_decisions(blocks, (keep & ~copies & content).tolist())
    return content


def page_type_probabilities(
    blocks: list[Block], x: np.ndarray, meta: PageMeta, url: str | None, html: str, block_model: Path
) -> np.ndarray:
    """The page type model sits beside the block model (a model folder passed in tests holds both)."""
    model = load_model(block_model.with_name(PAGE_MODEL.name), PAGE_FEATURES)
    words = block_model.with_name(PAGE_WORDS.name)
    row = page_vector(blocks, x, meta.kinds, url, html, meta.title, words)
    return aligned_probabilities(model, row[None, :])[0]


def apply_decisions(blocks: Sequence[Block], keep: Sequence[bool]) -> None:
    for block, wanted in zip(blocks, keep, strict=True):
        if wanted and not block.keep:
            block.keep, block.reason = True, None
        elif not wanted and block.keep:
            block.remove("other")
    mark_kinds(blocks)


def _note_cut(article: Article, max_blocks: int) -> None:
    article.truncated = f"page cut at {max_blocks:,} blocks (the max_blocks limit); the rest was dropped"


def _finish(article: Article, blocks: Sequence[Block]) -> None:
    # A bare credit names the outlet that wrote the story, even when another site republished it; an
    # outlet the user gave (`--outlet`) stays, and the credit is kept as the credited outlet.
    credit = find_outlet_credit(blocks)
    given = article.raw.meta.get("given") if article.raw is not None else None
    outlet_given = isinstance(given, dict) and "outlet" in given
    outlet = article.outlet if outlet_given else credit or article.outlet
    article.outlet = normalised_outlet(outlet, article.url)
    article.credited_outlet = credit or find_credit(blocks)
    authors, published = find_byline_and_date(blocks)
    article.authors = article.authors or authors
    article.published = article.published or published
    kept: list[tuple[str, ParagraphKind]] = [(b.text, b.kind) for b in blocks if b.keep]
    article.set_paragraphs(kept)
    article.captions = _captions(blocks)
    article.removed = [
        RemovedBlock(text=b.text, reason=b.reason or "other", input_start=b.start, input_end=b.end)
        for b in blocks
        if not b.keep
    ]


def _captions(blocks: Sequence[Block]) -> list[Caption]:
    unique: dict[str, Caption] = {}
    for block in blocks:
        if not block.caption or block.keep:
            continue
        key = normalise(block.text)
        if key in unique:
            unique[key].count += 1
        else:
            unique[key] = Caption(text=block.text, count=1, input_start=block.start, input_end=block.end)
    return list(unique.values())
