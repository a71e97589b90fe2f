"""The learned block classifier: features of every block (today's rules among them) and a small tree model.

The model is a gradient-boosted tree ensemble trained by `newsdistill train cleaner` (clean/training.py,
scikit-learn's HistGradientBoosting) and stored as plain arrays (.npz, no pickle), so the package needs
only numpy to run it and predicts every block of a page in a few vectorised steps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

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
FEATURES = (*BASE_FEATURES, *(f"type_{t}" for t in TRAINED_TYPES))


class ModelFileError(RuntimeError):
    """The packaged classifier is missing or unreadable: the message names the file and the fix."""


def _own_columns(blocks: Sequence[Block], region: set[int]) -> list[list[float]]:
    rows = []
    total_chars = max(1, blocks[-1].end) if blocks else 1
    for i, b in enumerate(blocks):
        f, text, hints = b.features, b.text, b.hints
        rows.append([
            np.log1p(b.words), f.get("stop", 0.0), f.get("terminal", 0.0), f.get("ellipsis", 0.0),
            b.link_density, f.get("punct", 0.0), f.get("headline_lead", 0.0), f.get("english", 0.0),
            max(-50.0, min(b.score, 150.0)), f.get("class", 3.0), float(i in region), float(b.keep),
            float(b.caption), float(boilerplate_reason(b) is not None), float(is_end_marker(b)),
            float(is_comment_meta(b)), float(is_date_line(b)), float(len(b.ancestors)), b.start / total_chars,
            float(b.tag in _HEADINGS), float(b.tag == "li"), float(b.tag == "p"),
            float(b.tag in {"td", "th", "tr", "table", "tbody"}), float(b.tag in {"pre", "blockquote"}),
            float(text.endswith(":")), len(_DIGIT.findall(text, 0, 200)) / max(1, min(len(text), 200)),
            np.log1p(len(text)), *(float(h in hints) for h in HINTS),
        ])  # fmt: skip
    return rows


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
    return np.column_stack([
        parent_keep, parent_blocks, parent_link, grand_keep, np.full(n, np.log1p(n)), page_link,
        np.full(n, region_words / max(words.sum(), 1.0)), distance,
    ])  # fmt: skip


def _shifted(columns: np.ndarray, by: int) -> np.ndarray:
    out = np.full_like(columns, -1.0)
    if by > 0:
        out[by:] = columns[:-by]
    else:
        out[:by] = columns[-by:]
    return out


def with_types(x: np.ndarray, types: np.ndarray) -> np.ndarray:
    """Rows of BASE_FEATURES plus the page's type probabilities (TRAINED_TYPES order): rows of FEATURES."""
    return np.column_stack([x, np.broadcast_to(types, (len(x), len(types)))])


def final_keep(model_keep: np.ndarray, rule_keep: np.ndarray) -> np.ndarray:
    """The model's decisions, except that a page it would empty keeps what the rules kept."""
    return model_keep if model_keep.any() else rule_keep


def block_matrix(blocks: Sequence[Block], region: set[int]) -> np.ndarray:
    """One row of BASE_FEATURES per block, computed after the rules have scored and labelled the page."""
    if not blocks:
        return np.zeros((0, len(BASE_FEATURES)))
    own = np.array(_own_columns(blocks, region), dtype=float)
    context = _context_columns(blocks, own, region)
    near = own[:, [OWN.index(name) for name in NEIGHBOURS]]
    shifted = [_shifted(near, by) for by in (1, 2, -1, -2)]
    return np.column_stack([own, context, *shifted])


@dataclass(frozen=True)
class TreeModel:
    """Gradient-boosted trees as flat arrays; leaves point at themselves so every row walks `depth` steps."""

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    tree_class: np.ndarray  # which output each tree adds to (one output for yes/no, one per class otherwise)
    baseline: np.ndarray
    depth: int
    names: tuple[str, ...]
    classes: tuple[str, ...]
    cutoff: float

    def raw(self, x: np.ndarray) -> np.ndarray:
        nodes = np.broadcast_to(self.roots, (len(x), len(self.roots))).copy()
        rows = np.arange(len(x))[:, None]
        for _ in range(self.depth):
            go_left = x[rows, self.feature[nodes]] <= self.threshold[nodes]
            nodes = np.where(go_left, self.left[nodes], self.right[nodes])
        leaf_values = self.value[nodes]
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


_ARRAYS = ("feature", "threshold", "left", "right", "value", "roots", "tree_class", "baseline")


def save_model(model: TreeModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez_compressed(
            handle, **{name: getattr(model, name) for name in _ARRAYS}, depth=np.array(model.depth),
            names=np.array(model.names), classes=np.array(model.classes), cutoff=np.array(model.cutoff),
        )  # fmt: skip


@lru_cache(maxsize=4)
def load_model(path: Path, expected: tuple[str, ...]) -> TreeModel:
    """Load a model file; a missing, corrupt or out-of-date file is one clear error naming the fix."""
    try:
        with np.load(path, allow_pickle=False) as data:
            model = TreeModel(
                **{name: data[name] for name in _ARRAYS}, depth=int(data["depth"]),
                names=tuple(str(n) for n in data["names"]), classes=tuple(str(c) for c in data["classes"]),
                cutoff=float(data["cutoff"]),
            )  # fmt: skip
    except FileNotFoundError:
        raise ModelFileError(f"cleaner model {path} is missing; rebuild it with `{REBUILD}`") from None
    except Exception as exc:  # a truncated or foreign file fails in numpy or zipfile in many ways
        raise ModelFileError(
            f"cleaner model {path} is unreadable ({exc}); rebuild it with `{REBUILD}`"
        ) from None
    if model.names != expected:
        raise ModelFileError(
            f"cleaner model {path} was built for other features; rebuild it with `{REBUILD}`"
        )
    return model
