"""The data sets' own metrics, reproduced exactly (see ../shared/data/*/README.md).

AEB (Zyte article-extraction-benchmark): 4-token shingles, per-page tp/fp/fn normalised to
sum to 1, precision and recall averaged over pages, F1 of the two means, bootstrap std.
WCXB: per-page bag-of-words F1 on lowercased \\w+ tokens, mean over pages; snippet checks.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text)
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True)
class PageCounts:
    """Normalised tp, fp, fn of one page (they sum to 1, or are all 0 for two empty texts)."""

    tp: float
    fp: float
    fn: float


def aeb_page(prediction: str, gold: str) -> PageCounts:
    predicted, expected = shingles(prediction), shingles(gold)
    tp = sum((predicted & expected).values())
    fp = sum((predicted - expected).values())
    fn = sum((expected - predicted).values())
    total = tp + fp + fn
    return PageCounts(tp / total, fp / total, fn / total) if total else PageCounts(0.0, 0.0, 0.0)


def aeb_scores(pages: Sequence[PageCounts]) -> tuple[float, float, float]:
    """Precision, recall, F1: means over pages where each is defined, F1 of the means."""
    precisions = [p.tp / (p.tp + p.fp) for p in pages if p.tp + p.fp > 0]
    recalls = [p.tp / (p.tp + p.fn) for p in pages if p.tp + p.fn > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def aeb_bootstrap_std(pages: Sequence[PageCounts], samples: int = 1000, seed: int = 0) -> float:
    rng = random.Random(seed)
    values = []
    for _ in range(samples):
        resample = [pages[rng.randrange(len(pages))] for _ in pages]
        values.append(aeb_scores(resample)[2])
    mean = sum(values) / len(values)
    return (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text.lower()) if text else []


def wcxb_page(prediction: str, reference: str) -> tuple[float, float, float]:
    """Word precision, recall, F1 of one page, as upstream evaluate.py computes them."""
    predicted, expected = _words(prediction), _words(reference)
    if not expected:
        return (1.0, 1.0, 1.0) if not predicted else (0.0, 0.0, 0.0)
    if not predicted:
        return 0.0, 0.0, 0.0
    overlap = sum((Counter(predicted) & Counter(expected)).values())
    precision, recall = overlap / len(predicted), overlap / len(expected)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def snippet_share(text: str, snippets: Sequence[str]) -> float:
    """Share of snippets found in text (case-insensitive), 1.0 when there are none."""
    if not snippets:
        return 1.0
    lowered = text.lower()
    return sum(1 for s in snippets if s.lower() in lowered) / len(snippets)
