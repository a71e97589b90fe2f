"""`newsdistill train cleaner`: label blocks by the gold text, choose by cross-validation, ship a small model.

Pages come from ../shared/data/aeb (gold article bodies) and ../shared/data/wcxb-dev (gold main content
of seven page types). Every block is labelled by its overlap with its page's gold text. Folds are by
site (the domain of the page's URL), so a site's pages never score a model trained on that site, and
the headline numbers are out-of-fold. Needs scikit-learn (training only; the shipped model is numpy).
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from .blocks import Block
from .captions import block_key, normalise
from .classify import MODES
from .component import html_rule_blocks
from .learned import (
    BLOCK_MODEL,
    FEATURES,
    METADATA_REASONS,
    TRAINED_TYPES,
    TreeModel,
    above_cutoff,
    block_matrix,
    final_keep,
    model_rows,
    no_main_content,
    repeated_copies,
    save_model,
    side_by_side,
)
from .metadata import split_site_suffix
from .page_type import (
    PAGE_FEATURES,
    PAGE_MODEL,
    PAGE_WORDS,
    WordModel,
    aligned_probabilities,
    base_page_vector,
    page_bag,
    page_type_of,
    save_words,
)

WORD_TOKEN = re.compile(r"\w+")  # the labeller's and the metrics' words
FOLDS = 5
# A word joins the page-type word model only if pages of this many sites use it: no word names one site.
WORD_SITES = 5
# The word model's inverse regularisation, chosen by nested cross-validation by site: in each of the 5 outer
# folds, the inner site folds of its training pages preferred 3 to 1 (word-model accuracy 80-81% vs 76-79%).
WORD_C = 3.0


@dataclass
class GoldPage:
    dataset: str  # "aeb" | "wcxb"
    id: str
    domain: str
    gold: str
    page_type: str
    html_path: Path
    url: str | None = None


def _domain(url: str | None, fallback: str) -> str:
    host = (urlsplit(url).hostname or "") if url else ""
    return host.removeprefix("www.") or fallback


def gold_pages(data: Path) -> list[GoldPage]:
    aeb, wcxb = data / "aeb", data / "wcxb-dev" / "dev"
    if not (aeb / "ground-truth.json").exists() or not (wcxb / "ground-truth").is_dir():
        raise FileNotFoundError(f"{data} needs aeb/ground-truth.json and wcxb-dev/dev/ground-truth/")
    pages = []
    truth = json.loads((aeb / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id, gold in sorted(truth.items()):
        pages.append(
            GoldPage(
                "aeb",
                page_id,
                _domain(gold.get("url"), page_id),
                gold["articleBody"],
                "article",
                aeb / "html" / f"{page_id}.html.gz",
                gold.get("url"),
            )
        )
    for path in sorted((wcxb / "ground-truth").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        kind = ((record.get("_internal") or {}).get("page_type") or {}).get("primary", "article")
        pages.append(
            GoldPage(
                "wcxb",
                path.stem,
                _domain(record.get("url"), path.stem),
                record["ground_truth"].get("main_content") or "",
                "collection" if kind == "category" else kind,
                wcxb / "html" / f"{path.stem}.html.gz",
                record.get("url"),
            )
        )
    return pages


def site_folds(pages: Sequence[GoldPage], folds: int = FOLDS) -> np.ndarray:
    """Fold of each page, by its site: a stable hash of the domain, so no site spans two folds."""
    return np.array([zlib.crc32(page.domain.encode()) % folds for page in pages])


def block_labels(blocks: Sequence[Block], gold: str) -> np.ndarray:
    """1 for a block whose text is in the gold: most of its 4-word shingles, or (under 4 words) the
    whole block as a run of gold words."""
    tokens = WORD_TOKEN.findall(gold.lower())
    shingles = {tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)}
    joined = f" {' '.join(tokens)} "
    labels = np.zeros(len(blocks), dtype=np.int8)
    for i, block in enumerate(blocks):
        own = WORD_TOKEN.findall(block.text.lower())
        if len(own) >= 4:
            grams = [tuple(own[j : j + 4]) for j in range(len(own) - 3)]
            labels[i] = sum(g in shingles for g in grams) * 2 >= len(grams)
        elif own:
            labels[i] = f" {' '.join(own)} " in joined
    return labels


@dataclass
class PageData:
    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    texts: list[str]
    words: np.ndarray  # each block's words (Block.words)
    title_copy: np.ndarray  # blocks the cleaner removes as the headline whatever the model says
    rule_keep: np.ndarray
    metadata: np.ndarray  # blocks the rules removed as byline, dateline or title: never body
    page: np.ndarray  # the page's row of page_type.BASE_PAGE_FEATURES
    bag: dict[str, float]  # the page's words (page_type.page_bag), the word model's input
    types: np.ndarray | None = None  # out-of-fold page-type probabilities, set once they are known

    def features(self) -> np.ndarray:
        """Rows of learned.FEATURES: the blocks' own features and the page's type probabilities."""
        types = self.types if self.types is not None else np.zeros(len(TRAINED_TYPES))
        return model_rows(self.x.astype(np.float64), types)


def page_data(page: GoldPage) -> PageData:
    html = gzip.decompress(page.html_path.read_bytes()).decode("utf-8", errors="replace")
    rule = html_rule_blocks(html, MODES["balanced"])
    blocks = rule.blocks
    x = block_matrix(blocks, rule.region).astype(np.float32)
    title_key = normalise(split_site_suffix(rule.meta.title)[0]) if rule.meta.title else ""
    return PageData(
        x=x,
        y=block_labels(blocks, page.gold),
        weight=np.array([1.0 + np.sqrt(b.words) for b in blocks]),
        texts=[b.text for b in blocks],
        words=np.array([b.words for b in blocks]),
        title_copy=np.array([_copies_title(b, title_key) for b in blocks], bool),
        rule_keep=np.array([b.keep for b in blocks], dtype=bool),
        metadata=np.array([b.reason in METADATA_REASONS for b in blocks], dtype=bool),
        page=base_page_vector(
            blocks, x.astype(np.float64), rule.meta.kinds, page.url or rule.meta.url, html, rule.meta.title
        ),
        bag=page_bag(blocks, page.url or rule.meta.url, rule.meta.title),
    )


def _copies_title(block: Block, key: str) -> bool:
    """The same test as metadata.mark_title_copies, as a mask."""
    if not key or block.words > 40 or block.words == 0:
        return False
    own = block_key(block)
    return own == key or (len(own) > 20 and key.startswith(own)) or (len(key) > 20 and own.startswith(key))


def page_text(data: PageData, keep: np.ndarray, copies: np.ndarray | None = None) -> str:
    """The page's text as the cleaner gives it: `copies` are blocks that repeat a likelier one."""
    keep = final_keep(keep & ~data.metadata, data.rule_keep) & ~data.title_copy
    if copies is not None:
        keep &= ~copies
    return "\n\n".join(t for t, k in zip(data.texts, keep, strict=True) if k)


def fit_blocks(data: Sequence[PageData], seed: int) -> TreeModel:
    from sklearn.ensemble import HistGradientBoostingClassifier

    x = np.concatenate([d.features() for d in data])
    y = np.concatenate([d.y for d in data])
    weight = np.concatenate([d.weight for d in data])
    model = HistGradientBoostingClassifier(
        max_iter=120,
        max_depth=6,
        learning_rate=0.1,
        min_samples_leaf=40,
        early_stopping=False,
        random_state=seed,
    )
    model.fit(x, y, sample_weight=weight)
    return export_trees(model, FEATURES, ("remove", "keep"), 0.5)


def export_trees(model: object, names: Sequence[str], classes: Sequence[str], cutoff: float) -> TreeModel:
    """scikit-learn's fitted HistGradientBoosting trees as the flat arrays learned.TreeModel walks."""
    arrays, depth = _stacked_trees(model._predictors)  # type: ignore[attr-defined]
    feature, threshold, left, right, value, roots, tree_class = arrays
    baseline = model._baseline_prediction  # type: ignore[attr-defined]
    feature_, threshold_, child, value_, roots_ = side_by_side(feature, threshold, left, right, value, roots)
    return TreeModel(
        feature=feature_,
        threshold=threshold_,
        child=child,
        value=value_,
        roots=roots_,
        tree_class=tree_class,
        baseline=np.asarray(baseline, dtype=np.float64).reshape(-1),
        depth=depth,
        names=tuple(names),
        classes=tuple(classes),
        cutoff=cutoff,
    )


def _stacked_trees(predictors: Sequence[Sequence[Any]]) -> tuple[tuple[np.ndarray, ...], int]:
    """Every tree's nodes one after another, children as indexes into the whole (a leaf is its own child):
    feature, threshold, left, right, value, each tree's root, each tree's class, and the deepest depth."""
    feature, threshold, left, right, value, roots, tree_class = [], [], [], [], [], [], []
    offset, depth = 0, 1
    for per_class in predictors:
        for k, tree in enumerate(per_class):
            nodes = tree.nodes
            own = np.arange(len(nodes)) + offset
            leaf = nodes["is_leaf"].astype(bool)
            feature.append(np.where(leaf, 0, nodes["feature_idx"]))
            threshold.append(np.where(leaf, 0.0, nodes["num_threshold"]))
            left.append(np.where(leaf, own, nodes["left"] + offset))
            right.append(np.where(leaf, own, nodes["right"] + offset))
            value.append(nodes["value"])
            roots.append(offset)
            tree_class.append(k)
            depth = max(depth, int(nodes["depth"].max()))
            offset += len(nodes)
    stacked = tuple(np.concatenate(part) for part in (feature, threshold, left, right, value))
    return (*stacked, np.array(roots), np.array(tree_class, dtype=np.int32)), depth


def out_of_fold(
    data: Sequence[PageData], folds: np.ndarray, seed: int, models: list[TreeModel] | None = None
) -> list[np.ndarray]:
    """P(keep) of every block, each page scored by the model trained on the other folds only
    (the fold models are appended to `models` when given)."""
    probabilities: list[np.ndarray] = [np.zeros(0)] * len(data)
    for train, held_out in fold_splits(folds):
        model = fit_blocks([data[i] for i in train], seed)
        if models is not None:
            models.append(model)
        for i in held_out:
            probabilities[i] = model.probability(data[i].features())
    return probabilities


def fold_splits(folds: np.ndarray) -> Iterator[tuple[list[int], list[int]]]:
    """(training pages, held-out pages) per fold: a page is never in both."""
    for fold in sorted(set(folds.tolist())):
        yield [i for i, f in enumerate(folds) if f != fold], [i for i, f in enumerate(folds) if f == fold]


def fit_words(pages: Sequence[GoldPage], data: Sequence[PageData]) -> WordModel:
    """Logistic regression (classes balanced) over the words that WORD_SITES sites or more use."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import normalize

    sites: dict[str, set[str]] = {}
    for page, d in zip(pages, data, strict=True):
        for word in d.bag:
            sites.setdefault(word, set()).add(page.domain)
    vocabulary = {w for w, s in sites.items() if len(s) >= WORD_SITES}
    vectors = DictVectorizer(sort=True).fit([dict.fromkeys(vocabulary, 1.0)])
    x = normalize(vectors.transform([{w: v for w, v in d.bag.items() if w in vocabulary} for d in data]))
    model = LogisticRegression(C=WORD_C, max_iter=300, class_weight="balanced")
    model.fit(x, [p.page_type for p in pages])
    coef, intercept = model.coef_, model.intercept_
    if len(coef) == 1:  # two types only (a small run): the softmax of (0, w.x + b) is the sigmoid
        coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
    return WordModel(
        vocabulary=tuple(str(w) for w in vectors.feature_names_),
        coef=coef,
        intercept=intercept,
        classes=tuple(str(c) for c in model.classes_),
    )


def word_scores_out_of_fold(pages: Sequence[GoldPage], data: Sequence[PageData]) -> np.ndarray:
    """The word model's probabilities of every given page from a word model that did not see its site
    (inner folds, salted so they differ from the outer ones): the trees learn on honest scores."""
    inner = np.array([zlib.crc32(b"words:" + p.domain.encode()) % FOLDS for p in pages])
    scores = np.zeros((len(pages), len(TRAINED_TYPES)))
    for train, held_out in fold_splits(inner):
        words = fit_words([pages[i] for i in train], [data[i] for i in train])
        for i in held_out:
            scores[i] = words.scores(data[i].bag)
    return scores


def fit_page_types(
    pages: Sequence[GoldPage], data: Sequence[PageData], seed: int
) -> tuple[TreeModel, WordModel]:
    """The word model on all given pages, and the trees over each page's BASE_PAGE_FEATURES and its
    out-of-fold word scores (stacking)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    x = np.column_stack([np.array([d.page for d in data]), word_scores_out_of_fold(pages, data)])
    y = np.array([p.page_type for p in pages])
    model = HistGradientBoostingClassifier(
        max_iter=150,
        max_depth=4,
        learning_rate=0.08,
        min_samples_leaf=10,
        class_weight="balanced",
        early_stopping=False,
        random_state=seed,
    )
    model.fit(x, y)
    trees = export_trees(model, PAGE_FEATURES, tuple(str(c) for c in model.classes_), 0.0)
    return trees, fit_words(pages, data)


def page_rows(data: Sequence[PageData], words: WordModel) -> np.ndarray:
    """Rows of PAGE_FEATURES: each page's base features and the word model's scores."""
    return np.array([np.concatenate([d.page, words.scores(d.bag)]) for d in data])


def page_types_out_of_fold(
    pages: Sequence[GoldPage], data: Sequence[PageData], folds: np.ndarray, seed: int
) -> np.ndarray:
    """Type probabilities of every page (TRAINED_TYPES order) from the models that did not see its site."""
    probabilities = np.zeros((len(pages), len(TRAINED_TYPES)))
    for train, held_out in fold_splits(folds):
        trees, words = fit_page_types([pages[i] for i in train], [data[i] for i in train], seed)
        probabilities[held_out] = aligned_probabilities(trees, page_rows([data[i] for i in held_out], words))
    return probabilities


def type_accuracy(pages: Sequence[GoldPage], predicted: Sequence[str]) -> dict[str, float]:
    """Out-of-fold accuracy on WCXB-dev's labelled pages, overall and per true type."""
    pairs = [(p.page_type, t) for p, t in zip(pages, predicted, strict=True) if p.dataset == "wcxb"]
    result = {"all": sum(a == b for a, b in pairs) / max(1, len(pairs))}
    for kind in sorted({a for a, _ in pairs}):
        own = [b for a, b in pairs if a == kind]
        result[kind] = sum(b == kind for b in own) / len(own)
    return result


def word_f1(prediction: str, reference: str) -> float:
    """WCXB's per-page bag-of-words F1 (benchmarks/metrics.py has the reference copy)."""
    predicted, expected = WORD_TOKEN.findall(prediction.lower()), WORD_TOKEN.findall(reference.lower())
    if not expected:
        return 1.0 if not predicted else 0.0
    overlap = sum((Counter(predicted) & Counter(expected)).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / len(predicted), overlap / len(expected)
    return 2 * precision * recall / (precision + recall)


def aeb_f1(predictions: Sequence[str], golds: Sequence[str]) -> float:
    """AEB's F1: 4-token shingles, per-page normalised counts, F1 of mean precision and mean recall."""
    precisions, recalls = [], []
    for prediction, gold in zip(predictions, golds, strict=True):
        p, g = _shingles(prediction), _shingles(gold)
        tp, fp, fn = sum((p & g).values()), sum((p - g).values()), sum((g - p).values())
        if tp + fp:
            precisions.append(tp / (tp + fp))
        if tp + fn:
            recalls.append(tp / (tp + fn))
    precision = sum(precisions) / max(1, len(precisions))
    recall = sum(recalls) / max(1, len(recalls))
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = WORD_TOKEN.findall(text)
    return Counter(tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3))


def scores(pages: Sequence[GoldPage], texts: Sequence[str]) -> dict[str, float]:
    """AEB F1, WCXB-dev articles and all types (mean per-page word F1), for one set of page texts."""
    aeb = [(t, p.gold) for p, t in zip(pages, texts, strict=True) if p.dataset == "aeb"]
    wcxb = [
        (p.page_type, word_f1(t, p.gold)) for p, t in zip(pages, texts, strict=True) if p.dataset == "wcxb"
    ]
    articles = [f for kind, f in wcxb if kind == "article"]
    return {
        "aeb": aeb_f1([t for t, _ in aeb], [g for _, g in aeb]) if aeb else 0.0,
        "wcxb_articles": sum(articles) / max(1, len(articles)),
        "wcxb_all": sum(f for _, f in wcxb) / max(1, len(wcxb)),
    }


def best_cutoff(
    pages: Sequence[GoldPage], data: Sequence[PageData], probabilities: Sequence[np.ndarray]
) -> float:
    """The keep cut-off with the best mean of the three out-of-fold scores (one number chosen on OOF)."""

    def mean_score(cutoff: float) -> float:
        return sum(scores(pages, kept_texts(data, probabilities, cutoff)).values())

    return max((0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7), key=mean_score)


def kept_texts(data: Sequence[PageData], probabilities: Sequence[np.ndarray], cutoff: float) -> list[str]:
    """Each page's text as the cleaner keeps it (a page with no main content gives none)."""
    return [
        ""
        if no_main_content(p, d.types)
        else page_text(
            d,
            above_cutoff(p, cutoff, d.words, d.types),
            repeated_copies([normalise(t) for t in d.texts], d.words, p, d.types),
        )
        for d, p in zip(data, probabilities, strict=True)
    ]


def save_fold_models(
    folder: Path,
    pages: Sequence[GoldPage],
    data: Sequence[PageData],
    folds: np.ndarray,
    block_models: Sequence[TreeModel],
    cutoff: float,
    seed: int,
) -> None:
    """fold-<k>/ holds the models that never saw fold k's sites: the benchmark's out-of-fold run."""
    for (train, held_out), model in zip(fold_splits(folds), block_models, strict=True):
        fold = int(folds[held_out[0]])
        save_model(replace(model, cutoff=cutoff), folder / f"fold-{fold}" / BLOCK_MODEL.name)
        trees, words = fit_page_types([pages[i] for i in train], [data[i] for i in train], seed)
        save_model(trees, folder / f"fold-{fold}" / PAGE_MODEL.name)
        save_words(words, folder / f"fold-{fold}" / PAGE_WORDS.name)


def train_cleaner(
    data_dir: Path,
    out: Path | None = None,
    seed: int = 0,
    limit: int | None = None,
    fold_models: Path | None = None,
) -> dict[str, object]:
    """Cross-validate, report, then fit on every page and write both models; returns the report."""
    pages = gold_pages(data_dir)
    if limit:  # a quick run: the first pages of each data set
        pages = [p for p in pages if p.dataset == "aeb"][:limit] + [p for p in pages if p.dataset == "wcxb"][
            :limit
        ]
    data = [page_data(page) for page in pages]
    folds = site_folds(pages)
    # Page types first: their out-of-fold probabilities are features of the blocks (stacking).
    types = page_types_out_of_fold(pages, data, folds, seed)
    for page, row in zip(data, types, strict=True):
        page.types = row
    block_models: list[TreeModel] = []
    probabilities = out_of_fold(data, folds, seed, block_models)
    cutoff = best_cutoff(pages, data, probabilities)
    if fold_models is not None:
        save_fold_models(fold_models, pages, data, folds, block_models, cutoff, seed)
    # replace(), not the model's __dict__: a model that has predicted caches its walk indices there.
    final = replace(fit_blocks(data, seed), cutoff=cutoff)
    report = _cleaner_report(pages, data, probabilities, final, types)
    path = out or BLOCK_MODEL
    save_model(final, path)
    trees, words = fit_page_types(pages, data, seed)
    save_model(trees, path.with_name(PAGE_MODEL.name))
    save_words(words, path.with_name(PAGE_WORDS.name))
    return {**report, "model": str(path)}


def _cleaner_report(
    pages: Sequence[GoldPage],
    data: Sequence[PageData],
    probabilities: list[np.ndarray],
    final: TreeModel,
    types: np.ndarray,
) -> dict[str, object]:
    """The scores of the rules, of the learned cleaner out of fold and in sample, and of the page types."""
    cutoff = final.cutoff
    return {
        "pages": len(pages),
        "blocks": int(sum(len(d.y) for d in data)),
        "folds": FOLDS,
        "cutoff": cutoff,
        "rules_in_sample": scores(pages, [page_text(d, d.rule_keep) for d in data]),
        "learned_out_of_fold": scores(pages, kept_texts(data, probabilities, cutoff)),
        "learned_in_sample": scores(
            pages, kept_texts(data, [final.probability(d.features()) for d in data], cutoff)
        ),
        "page_type_accuracy_out_of_fold": type_accuracy(
            pages, [page_type_of(row, TRAINED_TYPES) for row in types]
        ),
    }
