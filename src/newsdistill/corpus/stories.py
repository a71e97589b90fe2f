"""Story clustering, incremental: an article joins the story whose centroid is most similar
(TF-IDF cosine over the clean text, with shared entity names as extra terms), or starts one."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from datetime import date

from ..lexicons import STOPWORDS

_WORD = re.compile(r"[a-z][a-z'’-]{2,}")
TOP_TERMS = 300
THRESHOLD = 0.2  # cosine to join a story; chosen on ECB+ (benchmarks/corpus.py)
ENTITY_WEIGHT = 1
INDEX_TERMS = 40  # a story is found through its strongest terms
# A dated article joins only stories with a dated member this close (follow-ups weeks later are new stories).
WINDOW_DAYS = 10


def term_counts(text: str, entity_names: list[str] | None = None) -> Counter[str]:
    counts = Counter(w for w in _WORD.findall(text.lower()) if w not in STOPWORDS)
    for name in entity_names or []:
        counts["ent:" + name.lower()] += (
            ENTITY_WEIGHT  # the same people and places weigh more than shared words
        )
    return counts


def tfidf(counts: Mapping[str, int], df: Mapping[str, int], documents: int) -> dict[str, float]:
    weights = {
        t: (1 + math.log(c)) * math.log((documents + 1) / (df.get(t, 0) + 1)) + 0.0 for t, c in counts.items()
    }
    top = dict(sorted(weights.items(), key=lambda kv: -kv[1])[:TOP_TERMS])
    norm = math.sqrt(sum(v * v for v in top.values())) or 1.0
    return {t: v / norm for t, v in top.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def add_to_centroid(
    centroid: Mapping[str, float], size: int, vector: Mapping[str, float]
) -> dict[str, float]:
    merged = {t: v * size for t, v in centroid.items()}
    for t, v in vector.items():
        merged[t] = merged.get(t, 0.0) + v
    top = dict(sorted(merged.items(), key=lambda kv: -kv[1])[: TOP_TERMS * 2])
    norm = math.sqrt(sum(v * v for v in top.values())) or 1.0
    return {t: v / norm for t, v in top.items()}


def within_window(
    published: str | None, first: str | None, last: str | None, days: int = WINDOW_DAYS
) -> bool:
    """Whether an article's date falls within `days` of a story's dated span. Unknown dates never
    exclude: most scraped pages carry a date, but a missing one is no evidence of another event."""
    day, start, end = _day(published), _day(first), _day(last)
    if day is None or start is None or end is None:
        return True
    return (start - day).days <= days and (day - end).days <= days


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
