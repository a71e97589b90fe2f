"""The learned block classifier: features of every block (today's rules among them) and a small tree model.

The model is a gradient-boosted tree ensemble trained by `newsdistill train cleaner` (clean/training.py,
scikit-learn's HistGradientBoosting) and stored as plain arrays (.npz, no pickle), so the package needs
only numpy to run it and predicts every block of a page in a few vectorised steps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelFileError
from .blocks import Block
from .features import boilerplate_reason, is_comment_meta, is_date_line, is_end_marker

MODELS = Path(__file__).parent / "models"
BLOCK_MODEL = MODELS / "blocks.npz"
REBUILD = "newsdistill train cleaner --data ../shared/data"

HINTS = (
    "nav",
    "footer",
    "aside",
    "form",
    "header",
    "caption",
    "content",
    "boilerplate",
    "comment",
    "share",
    "related",
    "advert",
    "newsletter",
    "cookie",
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_DIGIT = re.compile(r"\d")
OWN = (
    "log_words",
    "stop",
    "terminal",
    "ellipsis",
    "link_density",
    "punct",
    "headline_lead",
    "english",
    "rule_score",
    "rule_class",
    "in_region",
    "rule_keep",
    "rule_caption",
    "chrome_words",
    "end_marker",
    "comment_meta",
    "date_line",
    "depth",
    "position",
    "heading",
    "list_item",
    "paragraph",
    "cell",
    "pre_quote",
    "colon_end",
    "digits",
    "log_chars",
    *(f"hint_{h}" for h in HINTS),
)
CONTEXT = (
    "parent_keep",
    "parent_blocks",
    "parent_link",
    "grand_keep",
    "page_blocks",
    "page_link",
    "region_share",
    "region_distance",
)
NEIGHBOURS = ("log_words", "rule_keep", "link_density", "in_region", "stop")
BASE_FEATURES = (
    *OWN,
    *CONTEXT,
    *(f"{side}{k}_{n}" for side in ("prev", "next") for k in (1, 2) for n in NEIGHBOURS),
)
# The page-type model's probabilities join every block's row: a teaser list is the content of a listing
# and chrome on an article, a comment thread the content of a forum and chrome on a news story.
TRAINED_TYPES = ("article", "collection", "documentation", "forum", "listing", "product", "service")
# Blocks the rules read as the page's metadata (its byline, dateline, headline) fill Article fields
# instead of the body, whatever the model says of their text (HTML and text mode alike).
METADATA_REASONS = frozenset({"byline", "dateline", "title"})
# Shares over the blocks either side (radius, the block itself included), read off the rows of
# BASE_FEATURES: a comment thread, a link list or the body's run of prose shows in how many blocks near a
# block carry a mark, where its two neighbours on each side say little. The first ones are text mode's too.
SHARED_WINDOWS = (
    ("comment_meta", 5),
    ("comment_meta", 15),
    ("date_line", 5),
    ("rule_keep", 5),
    ("rule_keep", 15),
    ("rule_keep", 30),
    ("terminal", 5),
    ("terminal", 15),
)
WINDOWS = (
    *SHARED_WINDOWS,
    ("log_words", 5),
    ("log_words", 15),
    ("end_marker", 10),
    ("link_density", 5),
    ("long", 5),
    ("hint_comment", 5),
)
# Where the block sits against the page's landmarks: after an end marker ("Comments", "Related") or the
# first comment line, outside the rules' kept blocks, and how far from a block of prose.
LANDMARKS = (  # landmark_columns, in its order
    "after_end_marker",
    "comment_lines_before",
    "after_first_comment",
    "from_first_comment",
    "after_last_kept",
    "before_first_kept",
)
SPANS = (
    *LANDMARKS,
    "blocks_since_long",
    "blocks_until_long",
    "blocks_since_kept",
    "blocks_until_kept",
)
NEIGHBOURHOOD = (*(f"window{radius}_{name}" for name, radius in WINDOWS), *SPANS)
FEATURES = (*BASE_FEATURES, *(f"type_{t}" for t in TRAINED_TYPES), *NEIGHBOURHOOD)
# log(1 + words) of a block of prose (20 words); the half word keeps float32 rows on the right side.
_LONG_LOG_WORDS = float(np.log1p(19.5))


def _digit_share(text: str) -> float:
    return len(_DIGIT.findall(text, 0, 200)) / max(1, min(len(text), 200))


@lru_cache(maxsize=256)
def _tag_columns(tag: str) -> tuple[bool, ...]:
    return (tag in _HEADINGS, tag == "li", tag == "p", tag in _CELLS, tag in {"pre", "blockquote"})


@lru_cache(maxsize=4096)
def _hint_columns(hints: frozenset[str]) -> tuple[bool, ...]:
    return tuple(h in hints for h in HINTS)


_CELLS = frozenset({"td", "th", "tr", "table", "tbody"})
_LOG_COLUMNS = [OWN.index("log_words"), OWN.index("log_chars")]


def _own_columns(blocks: Sequence[Block], region: set[int]) -> np.ndarray:
    """Rows of OWN; one tuple per block (this runs for every block of every page, hence its shape)."""
    total_chars = max(1, blocks[-1].end)
    rows = []
    for i, b in enumerate(blocks):
        f, text = b.features, b.text
        rows.append(
            (
                b.words,
                f.get("stop", 0.0),
                f.get("terminal", 0.0),
                f.get("ellipsis", 0.0),
                b.link_density,
                f.get("punct", 0.0),
                f.get("headline_lead", 0.0),
                f.get("english", 0.0),
                b.score,
                f.get("class", 3.0),
                i in region,
                b.keep,
                b.caption,
                boilerplate_reason(b) is not None,
                is_end_marker(b),
                is_comment_meta(b),
                is_date_line(b),
                len(b.ancestors),
                b.start / total_chars,
                *_tag_columns(b.tag),
                text.endswith(":"),
                _digit_share(text),
                len(text),
                *_hint_columns(b.hints),
            )
        )
    own = np.array(rows, dtype=float)
    own[:, _LOG_COLUMNS] = np.log1p(own[:, _LOG_COLUMNS])
    np.clip(own[:, OWN.index("rule_score")], -50.0, 150.0, out=own[:, OWN.index("rule_score")])
    return own


def _group_share(
    keys: np.ndarray, kept_words: np.ndarray, words: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per block: the share of its group's words the rules kept, and how many blocks the group has."""
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    kept = np.bincount(inverse, weights=kept_words)
    total = np.bincount(inverse, weights=words)
    return kept[inverse] / np.maximum(total[inverse], 1.0), np.log1p(counts[inverse])


def _context_columns(blocks: Sequence[Block], own: np.ndarray, region: set[int]) -> np.ndarray:
    n = len(blocks)
    words = np.array([b.words for b in blocks], dtype=float)
    kept_words = words * own[:, OWN.index("rule_keep")]
    parent = np.array([b.ancestors[-1] if b.ancestors else -1 for b in blocks])
    grand = np.array([b.ancestors[-2] if len(b.ancestors) > 1 else -1 for b in blocks])
    parent_keep, parent_blocks = _group_share(parent, kept_words, words)
    grand_keep, _ = _group_share(grand, kept_words, words)
    link_chars = np.array([b.link_chars for b in blocks], dtype=float)
    chars = np.array([max(1, len(b.text)) for b in blocks], dtype=float)
    _, inverse = np.unique(parent, return_inverse=True)
    parent_link = (np.bincount(inverse, weights=link_chars) / np.bincount(inverse, weights=chars))[inverse]
    page_link = np.full(n, link_chars.sum() / chars.sum())
    region_words = sum(blocks[i].words for i in region)
    first, last = (min(region), max(region)) if region else (n, n)
    index = np.arange(n)
    distance = np.where(index < first, first - index, np.where(index > last, index - last, 0)) / max(n, 1)
    return np.column_stack(
        [
            parent_keep,
            parent_blocks,
            parent_link,
            grand_keep,
            np.full(n, np.log1p(n)),
            page_link,
            np.full(n, region_words / max(words.sum(), 1.0)),
            distance,
        ]
    )


def shifted_rows(columns: np.ndarray, by: int) -> np.ndarray:
    """Each row's `by`-th neighbour's columns (earlier for by > 0), -1 past the page's ends."""
    out = np.full_like(columns, -1.0)
    if by > 0:
        out[by:] = columns[:-by]
    else:
        out[:by] = columns[-by:]
    return out


def model_rows(x: np.ndarray, types: np.ndarray) -> np.ndarray:
    """Rows of FEATURES: rows of BASE_FEATURES, the page's type probabilities (TRAINED_TYPES order), and
    each block's neighbourhood."""
    return np.column_stack([x, np.broadcast_to(types, (len(x), len(types))), neighbourhood_columns(x)])


def window_share(values: np.ndarray, radius: int) -> np.ndarray:
    """The mean of `values` over each row and `radius` rows either side (fewer at the page's ends)."""
    total = np.concatenate([[0.0], np.cumsum(values)])
    index = np.arange(len(values))
    low, high = np.maximum(index - radius, 0), np.minimum(index + radius + 1, len(values))
    return (total[high] - total[low]) / (high - low)


def gaps_to(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log(1 + rows) since the last row in `mask` and until the next one (the page's length where none)."""
    n = len(mask)
    index = np.arange(n)
    last = np.maximum.accumulate(np.where(mask, index, -1))
    upcoming = np.minimum.accumulate(np.where(mask, index, n)[::-1])[::-1]
    since = np.where(last >= 0, index - last, n)
    until = np.where(upcoming < n, upcoming - index, n)
    return np.log1p(since), np.log1p(until)


def landmark_columns(comment: np.ndarray, kept: np.ndarray, end_marker: np.ndarray) -> list[np.ndarray]:
    """Each row's place against the page's first comment line, its rules-kept rows and its end markers
    (boolean masks): the columns LANDMARKS names."""
    n = len(comment)
    index = np.arange(n)
    first_comment = int(np.argmax(comment)) if comment.any() else n
    kept_rows = np.flatnonzero(kept)
    first_kept, last_kept = (kept_rows[0], kept_rows[-1]) if len(kept_rows) else (n, n)
    return [
        np.concatenate([[0.0], np.cumsum(end_marker)[:-1]]) > 0,
        np.log1p(np.concatenate([[0.0], np.cumsum(comment)[:-1]])),
        index >= first_comment,
        (index - first_comment) / n,
        (index - last_kept) / n,
        (first_kept - index) / n,
    ]


def neighbourhood_columns(x: np.ndarray) -> np.ndarray:
    """Rows of NEIGHBOURHOOD from rows of BASE_FEATURES."""
    if not len(x):
        return np.zeros((0, len(NEIGHBOURHOOD)))
    marks = {name: x[:, BASE_FEATURES.index(name)] for name, _ in WINDOWS if name != "long"}
    marks["long"] = (marks["log_words"] >= _LONG_LOG_WORDS).astype(float)
    kept = marks["rule_keep"] > 0
    return np.column_stack(
        [
            *(window_share(marks[name], radius) for name, radius in WINDOWS),
            *landmark_columns(marks["comment_meta"] > 0, kept, marks["end_marker"] > 0),
            *gaps_to(marks["long"] > 0),
            *gaps_to(kept),
        ]
    )


# A page the type model does not read as an article spreads its content over many small blocks (cards,
# items, posts) that the block model scores near its cut-off, and often keeps next to nothing. Where it keeps
# under SPARSE_WORDS words, blocks scoring at least SPARSE_SHARE of the page's best are kept too. Both were
# chosen by nested site folds on the out-of-fold probabilities; 1,000 words scored 0.001 more F1 on all page
# types but let more pages keep a must-not-contain string (7.5% against 6.6%), so 500 stays
# (benchmarks/RESULTS.md, "Forums' crawler views and sparse pages").
SPARSE_WORDS = 500
SPARSE_SHARE = 0.4
# A page the type model does not read as an article, on which no block reaches EMPTY_BELOW, has no main
# content the model can see: a shell of menus and footers around what its scripts fill in (WCXB-dev labels 21
# such pages with no main content). It keeps nothing, rather than its best blocks or the rules' guess. Chosen
# by nested site folds on the out-of-fold probabilities: every fold chose 0.4 of 0 to 0.5; AEB and the
# article pages do not move (benchmarks/RESULTS.md, "Pages with no main content").
EMPTY_BELOW = 0.4


def no_main_content(probability: np.ndarray, types: np.ndarray | None) -> bool:
    """True for a non-article page on which no block reaches EMPTY_BELOW (see there)."""
    if is_article(types):
        return False
    return not len(probability) or float(probability.max()) < EMPTY_BELOW


# A block that repeats another block of the page word for word is kept once, as the copy the model is surest
# of: a section printed twice (for phones and for desktops), an article body copied under itself. Only blocks
# of REPEAT_WORDS words or more: short repeats are often content (a listing's "View profile" buttons, a
# table's cells, a recipe's lines). Chosen by nested site folds on the out-of-fold probabilities, from 8 to 80
# words (or never) on article pages and 8 to 50 (or never) on others: four folds chose (30, 8), one (50, 8).
# A floor of 1 word was left out of the grid beforehand: it deletes a listing's repeated items, which are its
# content (benchmarks/RESULTS.md, "Repeated blocks kept once").
REPEAT_WORDS = {True: 30, False: 8}  # is the page an article?


def is_article(types: np.ndarray | None) -> bool:
    """Whether the type model reads the page as an article (a page of unknown type counts as one)."""
    return types is None or bool(types[TRAINED_TYPES.index("article")] >= 0.5)


def repeated_copies(
    keys: Sequence[str], words: np.ndarray, probability: np.ndarray, types: np.ndarray | None
) -> np.ndarray:
    """True for each block whose key (its normalised text, captions.block_key) is that of a block the model is
    surer of (the earlier one on a tie). The same blocks in every mode, so a stricter mode keeps a subset."""
    floor = REPEAT_WORDS[is_article(types)]
    copies = np.zeros(len(keys), dtype=bool)
    first: set[str] = set()
    for i in np.argsort(-probability, kind="stable"):
        if words[i] >= floor:
            copies[i] = keys[i] in first
            first.add(keys[i])
    return copies


def above_cutoff(
    probability: np.ndarray,
    cutoff: float,
    words: np.ndarray,
    types: np.ndarray | None,
    base: float | None = None,
) -> np.ndarray:
    """The blocks the model keeps: its probability at the cut-off, or on a sparse non-article page (see
    SPARSE_WORDS) at SPARSE_SHARE of the page's best block. `types`: the page's type probabilities
    (TRAINED_TYPES order; None: unknown, read as an article). Whether a page is sparse is judged at the
    `base` cut-off (default: `cutoff`), the same for every mode, so a stricter cut-off keeps a subset and
    a looser one a superset."""
    keep = probability >= cutoff
    if not len(probability) or is_article(types):
        return keep
    judged = keep if base is None else probability >= base
    if words[judged].sum() < SPARSE_WORDS:
        keep = probability >= min(cutoff, SPARSE_SHARE * float(probability.max()))
    return keep


def meet_rules(model_keep: np.ndarray, rule_keep: np.ndarray, mode: str) -> np.ndarray:
    """How the model's verdict meets the rules' in each mode: precision keeps a block only where both keep
    it, recall where either does, balanced takes the model's word alone."""
    if mode == "precision":
        return model_keep & rule_keep
    if mode == "recall":
        return model_keep | rule_keep
    return model_keep


def final_keep(model_keep: np.ndarray, rule_keep: np.ndarray) -> np.ndarray:
    """The model's decisions, except that a page it would empty keeps what the rules kept."""
    return model_keep if model_keep.any() else rule_keep


def block_matrix(blocks: Sequence[Block], region: set[int]) -> np.ndarray:
    """One row of BASE_FEATURES per block, computed after the rules have scored and labelled the page."""
    if not blocks:
        return np.zeros((0, len(BASE_FEATURES)))
    own = _own_columns(blocks, region)
    context = _context_columns(blocks, own, region)
    near = own[:, [OWN.index(name) for name in NEIGHBOURS]]
    shifted = [shifted_rows(near, by) for by in (1, 2, -1, -2)]
    return np.column_stack([own, context, *shifted])


@dataclass(frozen=True)
class TreeModel:
    """Gradient-boosted trees as flat arrays. A split's two children sit side by side (`child`, `child + 1`);
    a leaf is its own child with an infinite threshold, so every row walks `depth` steps without branches."""

    feature: np.ndarray
    threshold: np.ndarray
    child: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    tree_class: np.ndarray  # which output each tree adds to (one output for yes/no, one per class otherwise)
    baseline: np.ndarray
    depth: int
    names: tuple[str, ...]
    classes: tuple[str, ...]
    cutoff: float
    # Where set, a row under `cutoff` is kept too if it is at least this likely and a run of such rows joins
    # it to a row at `cutoff` (seeded_runs). None: the cut-off alone.
    extend_cutoff: float | None = None

    @cached_property
    def _walk_indices(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """feature, child and roots as native-size indices, made once per loaded model: take() over them is
        40% faster than indexing with the stored int32 arrays."""
        return self.feature.astype(np.intp), self.child.astype(np.intp), self.roots.astype(np.intp)

    def raw(self, x: np.ndarray) -> np.ndarray:
        # One flat gather per step (x as a vector, each row's offset added) is a third faster than x[rows, f].
        flat = np.ascontiguousarray(x, dtype=np.float64).ravel()
        offsets = (np.arange(len(x), dtype=np.intp) * x.shape[1])[:, None]
        feature, child, roots = self._walk_indices
        nodes = np.broadcast_to(roots, (len(x), len(roots))).copy()
        for _ in range(self.depth):
            at = feature.take(nodes)
            at += offsets
            nodes = child.take(nodes) + (flat.take(at) > self.threshold.take(nodes))
        leaf_values = self.value.take(nodes)
        if len(self.baseline) == 1:
            return self.baseline + leaf_values.sum(axis=1, keepdims=True)
        out = np.tile(self.baseline, (len(x), 1))
        for k in range(len(self.baseline)):
            out[:, k] += leaf_values[:, self.tree_class == k].sum(axis=1)
        return out

    def probability(self, x: np.ndarray) -> np.ndarray:
        """P(keep) per row for a yes/no model; class probabilities (rows sum to 1) for a multi-class one."""
        raw = self.raw(x)
        if raw.shape[1] == 1:
            return 1.0 / (1.0 + np.exp(-raw[:, 0]))
        raw = np.exp(raw - raw.max(axis=1, keepdims=True))
        return raw / raw.sum(axis=1, keepdims=True)


def seeded_runs(probability: np.ndarray, seed: float, extend: float) -> np.ndarray:
    """Rows at `seed` or above, and every run of consecutive rows at `extend` or above that holds one
    (hysteresis): a paragraph the model half doubts is kept when it continues text it is sure of, and a
    lone doubtful line among chrome is not."""
    candidate = probability >= min(seed, extend)
    run = np.cumsum(candidate & ~np.concatenate([[False], candidate[:-1]]))  # each run's number, from 1
    seeded = np.bincount(run, weights=probability >= seed)
    return candidate & (seeded[run] > 0)


_ARRAYS = ("feature", "threshold", "child", "value", "roots", "tree_class", "baseline")


def side_by_side(
    feature: np.ndarray,
    threshold: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    value: np.ndarray,
    roots: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Renumber nodes (breadth first, per tree) so each split's children are adjacent; leaves point to self.
    Returns feature, threshold, child, value, roots in the new numbering."""
    order: list[int] = []
    new_roots = []
    for root in roots.tolist():
        new_roots.append(len(order))
        queue = [root]
        for node in queue:  # grows while it is read: breadth first
            order.append(node)
            if left[node] != node:
                queue.extend((int(left[node]), int(right[node])))
    position = np.empty(len(order), dtype=np.int64)
    position[np.array(order)] = np.arange(len(order))
    old = np.array(order)
    leaf = left[old] == old
    child = np.where(leaf, np.arange(len(old)), position[left[old]])
    return (
        np.where(leaf, 0, feature[old]).astype(np.int32),
        np.where(leaf, np.inf, threshold[old]),
        child.astype(np.int32),
        value[old].astype(np.float64),
        np.array(new_roots, dtype=np.int32),
    )


def save_model(model: TreeModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez_compressed(
            handle,
            **{name: getattr(model, name) for name in _ARRAYS},
            depth=np.array(model.depth),
            names=np.array(model.names),
            classes=np.array(model.classes),
            cutoff=np.array(model.cutoff),
            extend_cutoff=np.array(np.nan if model.extend_cutoff is None else model.extend_cutoff),
        )


@lru_cache(maxsize=16)  # a package model and a benchmark run's fold models (5 x 2)
def load_model(path: Path, expected: tuple[str, ...]) -> TreeModel:
    """Load a model file; a missing, corrupt or out-of-date file is one clear error naming the fix."""
    return read_tree_model(path, expected, "cleaner model", REBUILD)


def read_tree_model(path: Path, expected: tuple[str, ...], what: str, rebuild: str) -> TreeModel:
    """A TreeModel file whose features are `expected`; else a ModelFileError naming `what` and `rebuild`."""
    try:
        with np.load(path, allow_pickle=False) as data:
            model = TreeModel(
                **{name: data[name] for name in _ARRAYS},
                depth=int(data["depth"]),
                names=tuple(str(n) for n in data["names"]),
                classes=tuple(str(c) for c in data["classes"]),
                cutoff=float(data["cutoff"]),
                extend_cutoff=_optional(data, "extend_cutoff"),
            )
    except FileNotFoundError:
        raise ModelFileError(f"{what} {path} is missing; rebuild it with `{rebuild}`") from None
    except Exception as exc:  # a truncated or foreign file fails in numpy or zipfile in many ways
        raise ModelFileError(f"{what} {path} is unreadable ({exc}); rebuild it with `{rebuild}`") from None
    if model.names != expected:
        raise ModelFileError(f"{what} {path} was built for other features; rebuild it with `{rebuild}`")
    return model


def _optional(data: Any, name: str) -> float | None:
    """A number a model file may lack (written before it existed) or hold as NaN: None then."""
    value = float(data[name]) if name in data.files else float("nan")
    return None if np.isnan(value) else value
