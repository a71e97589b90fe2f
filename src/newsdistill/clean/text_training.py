"""`newsdistill train text-cleaner`: the text-mode line classifier, chosen by cross-validation by site.

The pages are the AEB and WCXB-dev pages rendered to whole-page text (../shared/data/textmode/), scored
against the same gold text as their HTML. Every line is labelled by its overlap with the gold, folds are
by site (the domain of the page's URL: no site in two folds, as for the HTML model), and the headline
numbers are out-of-fold. Needs scikit-learn to train; the shipped model is numpy arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .blocks import Block
from .captions import repeat_groups
from .classify import MODES
from .learned import TreeModel, final_keep, save_model
from .text_learned import FEATURES, TEXT_MODEL, keep_lines, kept_out_mask, text_block_matrix, text_rule_page
from .training import (
    FOLDS,
    WORD_TOKEN,
    GoldPage,
    block_labels,
    export_trees,
    fold_splits,
    gold_pages,
    scores,
    site_folds,
    word_f1,
)

TRAIN_SHARE = 0.3
# How P(keep) becomes a decision: (seed, extend) keeps the lines at `seed` and every run of lines at
# `extend` or above that holds one (learned.seeded_runs); extend == seed is a plain cut-off. Chosen on
# out-of-fold probabilities, and scored by choosing on four folds and scoring the fifth (RESULTS.md).
SEEDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85)
EXTENDS = (0.25, 0.3, 0.35, 0.4, 0.45)
DECODINGS = tuple((seed, extend) for seed in SEEDS for extend in (*EXTENDS, seed))
Decoding = tuple[float, float]
# AEB's 181 news pages are a tenth of the lines; weighed up, news articles (the goal) drive the fit.
AEB_WEIGHT = 3.0
# Short copies of each page train too, every gold line in them to keep, at this weight: its gold text alone
# (users also pass text that is already clean: a feed's body, a scraper's article text), and the gold text
# between the page's last lines of chrome before its body and first lines after it (a short page). Without
# them the model, which never saw a page shorter than a whole site's page, dropped prose from short pages.
# Chosen on out-of-fold scores (RESULTS.md): 0.3 kept the short copies' text and scored as well on the pages.
SHORT_COPY_WEIGHT = 0.3
CHROME_BEFORE, CHROME_AFTER = 6, 4  # lines of chrome kept around the gold in the second copy


@dataclass
class TextPageData:
    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    texts: list[str]
    rule_keep: np.ndarray
    kept_out: np.ndarray  # lines that never join the body (text_learned.kept_out_mask)


def text_path(data_dir: Path, page: GoldPage) -> Path:
    folder = "aeb" if page.dataset == "aeb" else "wcxb-dev"
    return data_dir / "textmode" / folder / f"{page.id}.txt"


def one_copy_labels(blocks: Sequence[Block], labels: np.ndarray, gold: str) -> np.ndarray:
    """A line repeated on the page (a caption shown two to four times) is labelled to keep only as often as
    the gold text holds it: the copy the rules kept, else the first. The overlap labeller marks every copy."""
    tokens = " ".join(WORD_TOKEN.findall(gold.lower()))
    chosen = labels.copy()
    for group in repeat_groups(blocks, min_words=1):
        wanted = [i for i in group if labels[i]]
        words = " ".join(WORD_TOKEN.findall(blocks[group[0]].text.lower()))
        allowed = max(1, f" {tokens} ".count(f" {words} ")) if words else len(wanted)
        ranked = sorted(wanted, key=lambda i: (not blocks[i].keep, i))
        chosen[ranked[allowed:]] = 0
    return chosen


def text_page_data(text: str, gold: str) -> TextPageData:
    page = text_rule_page(text, MODES["balanced"])
    blocks = page.blocks
    return TextPageData(
        x=text_block_matrix(blocks, page.region).astype(np.float32),
        y=one_copy_labels(blocks, block_labels(blocks, gold), gold),
        weight=np.array([1.0 + np.sqrt(b.words) for b in blocks]),
        texts=[b.text for b in blocks],
        rule_keep=np.array([b.keep for b in blocks], dtype=bool),
        kept_out=kept_out_mask(blocks),
    )


def page_text(data: TextPageData, keep: np.ndarray) -> str:
    """The article text the cleaner would return for these keep decisions (as clean_text applies them)."""
    keep = final_keep(keep & ~data.kept_out, data.rule_keep)
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


def out_of_fold(
    data: Sequence[TextPageData],
    folds: np.ndarray,
    seed: int,
    copies: Sequence[Sequence[TextPageData]] = (),
) -> tuple[list[np.ndarray], dict[int, TreeModel]]:
    """P(keep) of every line, each page scored by the model trained on the other folds' sites only, and
    the models by fold (fold k's never saw fold k's sites). `copies[i]` (page i's short copies) train too."""
    probabilities: list[np.ndarray] = [np.zeros(0)] * len(data)
    models = {}
    for train, held_out in fold_splits(folds):
        model = fit_lines([data[i] for i in train] + [c for i in train if copies for c in copies[i]], seed)
        models[int(folds[held_out[0]])] = model
        for i in held_out:
            probabilities[i] = model.probability(data[i].x.astype(np.float64))
    return probabilities, models


def kept_texts(
    data: Sequence[TextPageData], probabilities: Sequence[np.ndarray], decoding: Decoding
) -> list[str]:
    return [page_text(d, keep_lines(p, d.x, *decoding)) for d, p in zip(data, probabilities, strict=True)]


def _goal(pages: Sequence[GoldPage], texts: Sequence[str]) -> float:
    """AEB + WCXB-dev articles, the goal's two news measures."""
    found = scores(pages, texts)
    return found["aeb"] + found["wcxb_articles"]


def choose_decoding(
    pages: Sequence[GoldPage],
    data: Sequence[TextPageData],
    probabilities: Sequence[np.ndarray],
    folds: np.ndarray,
) -> tuple[Decoding, list[str]]:
    """The decoding with the best out-of-fold goal on all pages, and the page texts of an honest run of the
    choice: each fold's pages decoded as the other folds' pages alone would have chosen."""
    texts = {d: kept_texts(data, probabilities, d) for d in DECODINGS}
    best = max(DECODINGS, key=lambda d: _goal(pages, texts[d]))
    held_out_texts = [""] * len(pages)
    for train, held_out in fold_splits(folds):
        own = [pages[i] for i in train]
        chosen = max(DECODINGS, key=lambda d: _goal(own, [texts[d][i] for i in train]))
        for i in held_out:
            held_out_texts[i] = texts[chosen][i]
    return best, held_out_texts


def short_copies(page: GoldPage, lines: TextPageData) -> list[TextPageData]:
    """The page's gold text as a page of its own, and between the chrome lines next to the body (lines
    labelled by the same labeller), weighed down."""
    paragraphs = [f"{p}\n" for p in page.gold.split("\n") if p.strip()]
    body = np.flatnonzero(lines.y)
    first, last = (body[0], body[-1]) if len(body) else (len(lines.texts), len(lines.texts))
    before, after = lines.texts[:first][-CHROME_BEFORE:], lines.texts[last + 1 :][:CHROME_AFTER]
    copies = [
        text_page_data(page.gold, page.gold),
        text_page_data("\n".join([*before, "", *paragraphs, *after]), page.gold),
    ]
    for copy in copies:
        copy.weight *= SHORT_COPY_WEIGHT
    return copies


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


def _short_copies_f1(
    pages: Sequence[GoldPage],
    copies: Sequence[Sequence[TextPageData]],
    models: dict[int, TreeModel],
    folds: np.ndarray,
    decoding: Decoding,
) -> dict[str, dict[str, float]]:
    """Mean word F1 of the text kept from each kind of short copy (the gold alone, the gold between
    chrome): the rules', and the fold models' (each copy scored by the model that never saw its site)."""
    report = {}
    for kind, which in (("gold_alone", 0), ("gold_in_chrome", 1)):
        found: dict[str, list[float]] = {"rules": [], "learned_out_of_fold": []}
        for page, own, fold in zip(pages, copies, folds, strict=True):
            copy, model = own[which], models[int(fold)]
            learned = keep_lines(model.probability(copy.x.astype(np.float64)), copy.x, *decoding)
            found["rules"].append(word_f1(page_text(copy, copy.rule_keep), page.gold))
            found["learned_out_of_fold"].append(word_f1(page_text(copy, learned), page.gold))
        report[kind] = {name: float(np.mean(values)) for name, values in found.items()}
    return report


def decoded(model: TreeModel, decoding: Decoding) -> TreeModel:
    """The model carrying this decoding's cut-offs (a plain cut-off where extend is the seed)."""
    seed, extend = decoding
    return replace(model, cutoff=seed, extend_cutoff=extend if extend < seed else None)


def _write_model(final: TreeModel, out: Path | None, beats_rules: bool) -> str | None:
    """The package's model is replaced only by one that beats the rules out of fold; `--out` always writes."""
    if not beats_rules and out is None:
        return None
    save_model(final, out or TEXT_MODEL)
    return str(out or TEXT_MODEL)


def train_text_cleaner(
    data_dir: Path,
    out: Path | None = None,
    seed: int = 0,
    limit: int | None = None,
    fold_models: Path | None = None,
) -> dict[str, object]:
    """Cross-validate by site, report, then fit on every page and write the model; returns the report.
    With `fold_models`, fold-<k>/text_blocks.npz holds the model that never saw fold k's sites."""
    pages, data = load_pages(data_dir, limit)
    copies = [short_copies(page, lines) for page, lines in zip(pages, data, strict=True)]
    folds = site_folds(pages)
    probabilities, models = out_of_fold(data, folds, seed, copies)
    decoding, held_out_texts = choose_decoding(pages, data, probabilities, folds)
    models = {k: decoded(model, decoding) for k, model in models.items()}
    if fold_models is not None:
        for k, model in models.items():
            save_model(model, fold_models / f"fold-{k}" / TEXT_MODEL.name)
    final = decoded(fit_lines([*data, *(c for page in copies for c in page)], seed), decoding)
    rules = scores(pages, [page_text(d, d.rule_keep) for d in data])
    learned = scores(pages, held_out_texts)
    beats_rules = all(learned[k] > rules[k] for k in ("aeb", "wcxb_articles"))
    return {
        "model": _write_model(final, out, beats_rules),
        "short_copies_f1": _short_copies_f1(pages, copies, models, folds, decoding),
        "pages": len(pages),
        "lines": int(sum(len(d.y) for d in data)),
        "folds": FOLDS,
        "decoding": {"seed": decoding[0], "extend": decoding[1]},
        "rules": rules,
        "learned_out_of_fold": learned,
        "learned_out_of_fold_decoding_chosen_on_all": scores(
            pages, kept_texts(data, probabilities, decoding)
        ),
        "learned_in_sample": scores(
            pages, kept_texts(data, [final.probability(d.x.astype(np.float64)) for d in data], decoding)
        ),
        "beats_rules_out_of_fold": beats_rules,
    }
