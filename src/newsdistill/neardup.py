"""Near-duplicates, one rule for the whole project: MinHash over word shingles of normalised clean
text, LSH bands, and "a copy is linked to the earliest earlier article that shares a band and
passes the similarity check, resolved to that article's own original".

The corpus store applies the rule one article at a time (against its indexed bands); the scale
engine and the benchmark apply it to a whole run at once with `assign_copies`, in input order,
over buckets grouped beforehand (by a dict here, or by a Ray shuffle on the band key). It is not
connected components: with A and B unlike each other and C like both, B stays an original.
"""

from __future__ import annotations

import hashlib
import heapq
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
SHINGLE = 5
BANDS, ROWS = (
    32,
    4,
)  # LSH S-curve midpoint (1/32)**(1/4) ~ 0.42: pairs near the threshold become candidates, then verified
THRESHOLD = (
    0.5  # estimated Jaccard for a copy: best F1 of the sweep with this rule (0.972, benchmarks/corpus.py)
)

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "´": "'", "`": "'"})
_WORD = re.compile(r"\w+")


def normalised_words(text: str) -> list[str]:
    """Words of the text with quote styles, case and accents made uniform."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return _WORD.findall(text)


_TEMPLATE = MinHash(
    num_perm=NUM_PERM, seed=1
)  # permutations made once: building them costs as much as hashing


def signature(text: str, shingle: int = SHINGLE) -> np.ndarray:
    words = normalised_words(text)
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
        f"{band}:"
        + hashlib.blake2b(sig[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8).hexdigest()
        for band in range(BANDS)
    ]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a == b))


def band_rows(signatures: Iterable[np.ndarray]) -> Iterator[tuple[str, int]]:
    """(band key, input position) for every band of every signature: the rows a shuffle groups."""
    for index, sig in enumerate(signatures):
        for key in band_keys(sig):
            yield key, index


def group_bands(rows: Iterable[tuple[str, int]]) -> list[list[int]]:
    """In-process grouping: the positions sharing each band key, where more than one does."""
    grouped: dict[str, list[int]] = {}
    for key, index in rows:
        grouped.setdefault(key, []).append(index)
    return [sorted(members) for members in grouped.values() if len(members) > 1]


def assign_copies(
    ids: Sequence[str],
    signatures: Sequence[np.ndarray],
    buckets: Iterable[Sequence[int]],
    threshold: float = THRESHOLD,
) -> dict[str, str]:
    """Each near-duplicate's id -> the id of its original, by the store's rule, in input order."""
    buckets_of: dict[int, list[list[int]]] = {}
    for bucket in buckets:
        members = sorted(bucket)
        for member in members:
            buckets_of.setdefault(member, []).append(members)
    original: dict[int, int] = {}
    for index in range(len(ids)):
        match = _earliest_match(index, signatures, buckets_of.get(index, []), threshold)
        if match is not None:
            original[index] = original.get(match, match)
    return {ids[i]: ids[o] for i, o in original.items()}


def _earliest_match(
    index: int, signatures: Sequence[np.ndarray], buckets: list[list[int]], threshold: float
) -> int | None:
    # Merge the earlier members of every bucket in position order and stop at the first match, so a
    # huge bucket of identical texts (empty pages) costs one comparison per page, not one per pair.
    earlier = (_before(members, index) for members in buckets)
    previous = None
    for candidate in heapq.merge(*earlier):
        if candidate != previous and similarity(signatures[index], signatures[candidate]) >= threshold:
            return candidate
        previous = candidate
    return None


def _before(members: list[int], index: int) -> Iterator[int]:
    for member in members:
        if member >= index:
            return
        yield member


def duplicate_of(
    ids: Sequence[str], signatures: Sequence[np.ndarray], threshold: float = THRESHOLD
) -> dict[str, str]:
    """The whole batch step in one process: group bands, then assign copies."""
    return assign_copies(ids, signatures, group_bands(band_rows(signatures)), threshold)
