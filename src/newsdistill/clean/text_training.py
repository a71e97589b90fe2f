"""`newsdistill train text-cleaner`: the text-mode line classifier, chosen by cross-validation by site.

The pages are the AEB and WCXB-dev pages rendered to whole-page text (../shared/data/textmode/), scored
against the same gold text as their HTML. Every line is labelled by its overlap with the gold, folds are
by site (the domain of the page's URL: no site in two folds, as for the HTML model), and the headline
numbers are out-of-fold. Needs scikit-learn to train; the shipped model is numpy arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .classify import MODES
from .learned import TreeModel, final_keep, save_model
from .text_learned import FEATURES, TEXT_MODEL, metadata_mask, text_block_matrix, text_rule_page
from .training import FOLDS, GoldPage, block_labels, export_trees, fold_splits, gold_pages, scores, site_folds

TRAIN_SHARE = 0.3
CUTOFFS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
# AEB's 181 news pages are a tenth of the lines; weighed up, news articles (the goal) drive the fit.
AEB_WEIGHT = 3.0


@dataclass
class TextPageData:
    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    texts: list[str]
    rule_keep: np.ndarray
    metadata: np.ndarray  # lines the rules read as title, byline or dateline: never body


def text_path(data_dir: Path, page: GoldPage) -> Path:
    folder = "aeb" if page.dataset == "aeb" else "wcxb-dev"
    return data_dir / "textmode" / folder / f"{page.id}.txt"


def text_page_data(text: str, gold: str) -> TextPageData:
    page = text_rule_page(text, MODES["balanced"])
    blocks = page.blocks
    return TextPageData(
        x=text_block_matrix(blocks, page.region).astype(np.float32),
        y=block_labels(blocks, gold),
        weight=np.array([1.0 + np.sqrt(b.words) for b in blocks]),
        texts=[b.text for b in blocks],
        rule_keep=np.array([b.keep for b in blocks], dtype=bool),
        metadata=metadata_mask(blocks),
    )


def page_text(data: TextPageData, keep: np.ndarray) -> str:
    """The article text the cleaner would return for these keep decisions (as clean_text applies them)."""
    keep = final_keep(keep & ~data.metadata, data.rule_keep)
    return "\n\n".join(t for t, k in zip(data.texts, keep, strict=True) if k)


def fit_lines(data: Sequence[TextPageData], seed: int) -> TreeModel:
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(
        max_iter=80,
        max_depth=6,
        learning_rate=0.12,
        min_samples_leaf=40,
        early_stopping=False,
        random_state=seed,
    )
    y = np.concatenate([d.y for d in data])
    # A seeded share of the lines: neighbouring lines repeat each other's context, and the full set
    # (450k lines) takes a 2-core machine most of an hour over the six fits.
    take = np.random.default_rng(seed).random(len(y)) < TRAIN_SHARE
    x = np.concatenate([d.x for d in data])[take].astype(np.float64)
    model.fit(x, y[take], sample_weight=np.concatenate([d.weight for d in data])[take])
    return export_trees(model, FEATURES, ("remove", "keep"), 0.5)


def out_of_fold(data: Sequence[TextPageData], folds: np.ndarray, seed: int) -> list[np.ndarray]:
    """P(keep) of every line, each page scored by the model trained on the other folds' sites only."""
    probabilities: list[np.ndarray] = [np.zeros(0)] * len(data)
    for train, held_out in fold_splits(folds):
        model = fit_lines([data[i] for i in train], seed)
        for i in held_out:
            probabilities[i] = model.probability(data[i].x.astype(np.float64))
    return probabilities


def kept_texts(data: Sequence[TextPageData], probabilities: Sequence[np.ndarray], cutoff: float) -> list[str]:
    return [page_text(d, p >= cutoff) for d, p in zip(data, probabilities, strict=True)]


def best_cutoff(
    pages: Sequence[GoldPage], data: Sequence[TextPageData], probabilities: Sequence[np.ndarray]
) -> float:
    """The keep cut-off with the best out-of-fold AEB + WCXB-dev articles (the goal's two news measures)."""

    def goal(cutoff: float) -> float:
        found = scores(pages, kept_texts(data, probabilities, cutoff))
        return found["aeb"] + found["wcxb_articles"]

    return max(CUTOFFS, key=goal)


def load_pages(data_dir: Path, limit: int | None = None) -> tuple[list[GoldPage], list[TextPageData]]:
    """The gold pages that have a text-mode copy, and their labelled lines."""
    pages = [p for p in gold_pages(data_dir) if text_path(data_dir, p).exists()]
    if not pages:
        raise FileNotFoundError(f"{data_dir} has no textmode/aeb or textmode/wcxb-dev pages")
    if limit:  # a quick run: the first pages of each data set
        pages = [p for p in pages if p.dataset == "aeb"][:limit] + [p for p in pages if p.dataset == "wcxb"][
            :limit
        ]
    texts = (text_path(data_dir, p).read_text(encoding="utf-8", errors="replace") for p in pages)
    data = [text_page_data(text, page.gold) for text, page in zip(texts, pages, strict=True)]
    for page, lines in zip(pages, data, strict=True):
        lines.weight *= AEB_WEIGHT if page.dataset == "aeb" else 1.0
    return pages, data


def train_text_cleaner(
    data_dir: Path, out: Path | None = None, seed: int = 0, limit: int | None = None
) -> dict[str, object]:
    """Cross-validate by site, report, then fit on every page and write the model; returns the report."""
    pages, data = load_pages(data_dir, limit)
    folds = site_folds(pages)
    probabilities = out_of_fold(data, folds, seed)
    cutoff = best_cutoff(pages, data, probabilities)
    final = TreeModel(**{**fit_lines(data, seed).__dict__, "cutoff": cutoff})
    rules = scores(pages, [page_text(d, d.rule_keep) for d in data])
    learned = scores(pages, kept_texts(data, probabilities, cutoff))
    beats_rules = all(learned[k] > rules[k] for k in ("aeb", "wcxb_articles"))
    path = out or TEXT_MODEL
    if beats_rules or out is not None:
        save_model(final, path)
    return {
        "pages": len(pages),
        "lines": int(sum(len(d.y) for d in data)),
        "folds": FOLDS,
        "cutoff": cutoff,
        "rules": rules,
        "learned_out_of_fold": learned,
        "learned_in_sample": scores(
            pages, kept_texts(data, [final.probability(d.x.astype(np.float64)) for d in data], cutoff)
        ),
        "beats_rules_out_of_fold": beats_rules,
        "model": str(path) if beats_rules or out is not None else None,
    }
