"""Near-duplicate detection: MinHash over word shingles of normalised clean text, LSH bands.

Used by the corpus store (one article at a time) and the scale engine (all at once): the
same signature and the same bands give the same `duplicate_of` on the same input.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
SHINGLE = 5
BANDS, ROWS = 32, 4  # LSH S-curve midpoint (1/32)**(1/4) ~ 0.42: pairs near the threshold become candidates, then verified
THRESHOLD = 0.5  # estimated Jaccard to call two articles copies: best F1 (0.972) in benchmarks/corpus.py (b)

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "´": "'", "`": "'"})
_WORD = re.compile(r"\w+")


def normalise(text: str) -> list[str]:
    """Words of the text with quote styles, case and accents made uniform."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return _WORD.findall(text)


_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=1)  # permutations made once: building them costs as much as hashing


def signature(text: str, shingle: int = SHINGLE) -> np.ndarray:
    words = normalise(text)
    minhash = MinHash(num_perm=NUM_PERM, seed=1, permutations=_TEMPLATE.permutations, scheme=_TEMPLATE.scheme)
    shingles = {" ".join(words[i : i + shingle]) for i in range(max(1, len(words) - shingle + 1))}
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    return np.asarray(minhash.hashvalues, dtype=np.uint64)


def layout() -> str:
    """The settings that signatures and band keys depend on (stored with them, checked on open)."""
    return f"minhash {NUM_PERM} perm seed 1, {SHINGLE}-word shingles, {BANDS}x{ROWS} bands"


def band_keys(sig: np.ndarray) -> list[str]:
    """One key per LSH band; two signatures sharing any key are candidate duplicates."""
    return [
        f"{band}:" + hashlib.blake2b(sig[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8).hexdigest()
        for band in range(BANDS)
    ]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a == b))


def duplicate_of(ids: Sequence[str], signatures: Sequence[np.ndarray], threshold: float = THRESHOLD) -> dict[str, str]:
    """Each near-duplicate's earliest copy (by position in `ids`): LSH buckets, verified pairs,
    connected components."""
    parent = list(range(len(ids)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for members in buckets(signatures).values():
        first = members[0]
        for other in members[1:]:
            if root(first) != root(other) and similarity(signatures[first], signatures[other]) >= threshold:
                a, b = root(first), root(other)
                parent[max(a, b)] = min(a, b)
    return {ids[i]: ids[root(i)] for i in range(len(ids)) if root(i) != i}


def buckets(signatures: Iterable[np.ndarray]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for index, sig in enumerate(signatures):
        for key in band_keys(sig):
            grouped.setdefault(key, []).append(index)
    return {k: v for k, v in grouped.items() if len(v) > 1}
