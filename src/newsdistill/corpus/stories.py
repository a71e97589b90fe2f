"""Story clustering, incremental: an article joins the story it most probably reports, or starts one.

An article is a TF-IDF vector over four groups of terms, each compared on its own: the words of the clean
text (lightly stemmed), the article's entities (people, places, organisations), the lead's words (title and
opening: the event words) and the years it mentions. A small logistic model (`StoryModel`, trained on
ECB+ by benchmarks/corpus.py) turns the groups' cosines, a year conflict, the distance in days between
dated articles, the story's size and the cosine of the article's sentence embedding (its title and lead,
`embeddings`) with the story's mean embedding into the probability that the article reports that story.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

import numpy as np

from ..lexicons import STOPWORDS

_WORD = re.compile(r"[a-z][a-z'’-]{2,}")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?(?![\w])")  # standalone: "6.1", "33", not "w123"
_YEAR = re.compile(r"199\d|20[0-4]\d")  # a standalone number in these years
TOP_TERMS = 300
INDEX_TERMS = 40  # a story is found through its strongest terms
LEAD_WORDS = 40  # the title and the opening words: what happened, to whom
# A dated article joins only stories with a dated member this close (follow-ups weeks later are new stories).
WINDOW_DAYS = 10
GROUPS = ("", "ent:", "lead:", "year:")  # plain words carry no prefix
CENTROID_TERMS = {"": 300, "ent:": 60, "lead:": 100, "year:": 10}
FEATURES = ("words", "entities", "lead", "years", "year_conflict", "days_apart", "log_size", "embedding")
# The values each term feature can take (cosines, a 0/1 conflict, days over the window capped at 3): the bound
# `StoryModel.may_reach` uses them to drop a candidate before its term cosines are computed.
MAX_DAYS_APART = 3.0  # the days feature, in windows, is capped here
TERM_FEATURE_RANGES = ((-1.0, 1.0), (-1.0, 1.0), (-1.0, 1.0), (-1.0, 1.0), (0.0, 1.0), (0.0, MAX_DAYS_APART))


@dataclass(frozen=True)
class StoryModel:
    """Weights of the join probability (one per FEATURES name), and the probabilities to join a story
    and to merge two stories an article bridges. Chosen by topic-fold cross-validation on ECB+."""

    weights: tuple[float, ...]
    bias: float
    join: float
    merge: float

    def probability(self, features: Sequence[float]) -> float:
        z = self.bias + sum(w * f for w, f in zip(self.weights, features, strict=True))
        return _logistic(z)

    def may_reach(self, sizes: np.ndarray, cosines: np.ndarray, probability: float) -> np.ndarray:
        """Which stories (by size and embedding cosine) could reach `probability` whatever their terms: one
        below it is dropped exactly as if it had been scored. Most candidates of an insert share a few words
        only, and computing their term cosines was half its time."""
        *term_weights, size_weight, embedding_weight = self.weights
        best_terms = sum(
            max(w * low, w * high) for w, (low, high) in zip(term_weights, TERM_FEATURE_RANGES, strict=True)
        )
        z = self.bias + best_terms + size_weight * np.log(sizes) + embedding_weight * cosines
        best = 1 / (1 + np.exp(-np.clip(z, -30.0, 30.0)))  # as `probability` computes it
        # The slack: a rounding difference between numpy and math never drops a story that reaches it.
        return np.asarray(best >= probability - 1e-9)


def _logistic(z: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


# Fitted on all 33 ECB+ train+dev topics (benchmarks/corpus.py --parts stories prints the fit), over the
# embeddings of the encoder fine-tuned on those topics to tell a topic's events apart (encoder_training):
# the fit leans on the embedding above all, then on shared words, and merges stories an article bridges
# when the two match each other at 0.5. ECB+ has no dates: days_apart stays 0.
MODEL = StoryModel(
    weights=(17.3, 6.34, -1.56, 0.41, -0.26, 0.0, -2.14, 42.72), bias=-36.33, join=0.1, merge=0.5
)


@contextmanager
def using(model: StoryModel) -> Iterator[None]:
    """Assign stories with another model for a while (benchmarks: a fold's own parameters)."""
    global MODEL
    previous, MODEL = MODEL, model
    try:
        yield
    finally:
        MODEL = previous


def with_thresholds(model: StoryModel, join: float, merge: float) -> StoryModel:
    return replace(model, join=join, merge=merge)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light stemmer (no parse needed): "checks", "checked", "checking" -> "check"."""
    word = word.removesuffix("'s").removesuffix("’s")
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 4:
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def _words(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


def term_counts(text: str, entity_names: list[str] | None = None, title: str | None = None) -> Counter[str]:
    """Terms of all four groups: words and numbers, "ent:" names, "lead:" opening words (the first
    LEAD_WORDS words that are not stopwords), "year:" mentioned years. Two regex passes over the text."""
    words = _words(f"{title or ''} {text}")
    numbers = _NUMBER.findall(text)
    counts = Counter(words)
    counts.update(numbers)  # tolls, magnitudes, ages, scores: what tells two like events apart
    counts.update("ent:" + name.lower() for name in entity_names or [])
    counts.update("lead:" + w for w in words[:LEAD_WORDS])
    counts.update("year:" + n for n in numbers if _YEAR.fullmatch(n))
    return counts


Vector = dict[str, dict[str, float]]  # group -> term -> weight, each group of unit length


def tfidf(counts: Mapping[str, int], df: Mapping[str, int], documents: int) -> Vector:
    weights = {
        t: (1 + math.log(c)) * math.log((documents + 1) / (df.get(t, 0) + 1)) + 0.0 for t, c in counts.items()
    }
    return _grouped(dict(sorted(weights.items(), key=lambda kv: -kv[1])[:TOP_TERMS]))


def _grouped(weights: Mapping[str, float]) -> Vector:
    split: Vector = {g: {} for g in GROUPS}
    for term, value in weights.items():
        head, sep, _ = term.partition(":")
        split[head + sep if sep else ""][term] = value
    return {g: _normalised(part) for g, part in split.items()}


def _normalised(part: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in part.values())) or 1.0
    return {t: v / norm for t, v in part.items()}


def dumps(vector: Vector) -> str:
    """A centroid as stored: compact, 4 decimals, empty groups left out (the row is read for every
    candidate and rewritten on every join: its size is ingest cost)."""
    kept = {g: {t: round(v, 4) for t, v in part.items()} for g, part in vector.items() if part}
    return json.dumps(kept, separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=4096)
def loads(text: str) -> Vector:
    """A stored centroid; one written before the term groups (a flat term -> weight map) is split.
    Cached by its text: an insert scores about 50 candidate stories, nearly all of them read unchanged by
    the insert before (parsing them was a quarter of an insert's time). Callers never change the result."""
    stored = json.loads(text)
    if any(not isinstance(v, dict) for v in stored.values()):
        return _grouped(stored)
    return {g: stored.get(g, {}) for g in GROUPS}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def add_to_centroid(centroid: Vector, size: int, vector: Vector, other_size: int = 1) -> Vector:
    """The centroid of `size` members joined by `other_size` whose centroid is `vector` (each group
    keeps its CENTROID_TERMS heaviest terms: a story's row stays small, and is read for every candidate)."""
    merged: Vector = {}
    for group in GROUPS:
        part = {t: v * size for t, v in centroid.get(group, {}).items()}
        for t, v in vector.get(group, {}).items():
            part[t] = part.get(t, 0.0) + v * other_size
        keep = CENTROID_TERMS[group]
        merged[group] = _normalised(dict(sorted(part.items(), key=lambda kv: -kv[1])[:keep]))
    return merged


def strongest(vector: Vector, count: int = INDEX_TERMS) -> list[str]:
    """The terms a story is indexed and found by: its heaviest, over all groups."""
    terms = [item for part in vector.values() for item in part.items()]
    return [t for t, _ in sorted(terms, key=lambda kv: -kv[1])[:count]]


def features(article: Vector, story: Vector, days: int | None, size: int, embedding: float) -> list[float]:
    """FEATURES of an article (or a story) against a story; `embedding`: the cosine of their embeddings."""
    sims = [cosine(article[g], story[g]) for g in GROUPS]
    conflict = 1.0 if article["year:"] and story["year:"] and sims[3] == 0 else 0.0
    apart = min(MAX_DAYS_APART, days / WINDOW_DAYS) if days is not None else 0.0
    return [*sims, conflict, apart, math.log(size), embedding]


def add_embedding(centroid: np.ndarray, size: int, embedding: np.ndarray, other_size: int = 1) -> np.ndarray:
    """The mean embedding of `size` members joined by `other_size` whose mean is `embedding`, to unit
    length (as the members are: a dot product stays a cosine)."""
    mean = centroid * size + embedding * other_size
    return (mean / (np.linalg.norm(mean) or 1.0)).astype(np.float32)


def embedding_cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b))


def days_apart(published: str | None, first: str | None, last: str | None) -> int | None:
    """Days between an article's date and a story's dated span (0 inside it); None when unknown."""
    day, start, end = _day(published), _day(first), _day(last)
    if day is None or start is None or end is None:
        return None
    return max(0, (start - day).days, (day - end).days)


def within_window(
    published: str | None, first: str | None, last: str | None, days: int = WINDOW_DAYS
) -> bool:
    """Whether an article's date falls within `days` of a story's dated span. Unknown dates never
    exclude: most scraped pages carry a date, but a missing one is no evidence of another event."""
    apart = days_apart(published, first, last)
    return apart is None or apart <= days


@lru_cache(maxsize=65_536)  # an insert compares its date with ~50 stories' dates, most seen before
def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
