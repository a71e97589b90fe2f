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
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
SHINGLE = 5
SHORT_LINE = 8  # lines of fewer words are left out of the shingles (see `shingles`)
# 42 bands of 3 rows (126 of the 128 values): S-curve midpoint (1/42)**(1/3) ~ 0.29, so a truncated copy
# (Jaccard 0.3-0.5 against a longer original) still becomes a candidate; the rule below then decides.
BANDS, ROWS = 42, 3


@dataclass(frozen=True)
class CopyRule:
    """A candidate is a copy when its estimated Jaccard reaches `jaccard`, or, at Jaccard `floor` or
    more, when the estimated share of the shorter text found in the longer reaches `containment`
    (a truncated copy, or one with captions and links added). Chosen by cross-validation over
    original articles in benchmarks/corpus.py (--parts republication)."""

    jaccard: float = 0.5
    containment: float = 0.8
    floor: float = 0.15


RULE = CopyRule()

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "´": "'", "`": "'"})
_WORD = re.compile(r"\w+")


def normalised_words(text: str) -> list[str]:
    """Words of the text with quote styles, case and accents made uniform."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return _WORD.findall(text)


_TEMPLATE = MinHash(
    num_perm=NUM_PERM, seed=1
)  # permutations made once: building them costs as much as hashing


def shingles(text: str, shingle: int = SHINGLE) -> set[str]:
    """Word shingles of the text without its short lines (under SHORT_LINE words): menus, captions,
    "See also" links, bylines and credits are where copies differ, and a line inserted between two
    paragraphs would otherwise break the shingles that span them. A text of short lines only keeps all."""
    lines = [normalised_words(line) for line in text.split("\n")]
    kept = [words for words in lines if len(words) >= SHORT_LINE] or lines
    words = [word for line in kept for word in line]
    return {" ".join(words[i : i + shingle]) for i in range(max(1, len(words) - shingle + 1))}


def signature(text: str, shingle: int = SHINGLE) -> np.ndarray:
    """NUM_PERM MinHash values, then the number of distinct shingles (for the containment estimate)."""
    found = shingles(text, shingle)
    minhash = MinHash(num_perm=NUM_PERM, seed=1, permutations=_TEMPLATE.permutations, scheme=_TEMPLATE.scheme)
    minhash.update_batch([s.encode("utf-8") for s in found])
    return np.append(np.asarray(minhash.hashvalues, dtype=np.uint64), np.uint64(len(found)))


def layout() -> str:
    """The settings that signatures and band keys depend on (stored with them, checked on open)."""
    return (
        f"minhash {NUM_PERM} perm seed 1 + size, {SHINGLE}-word shingles without lines under "
        f"{SHORT_LINE} words, {BANDS}x{ROWS} bands"
    )


def band_keys(sig: np.ndarray) -> list[int]:
    """One key per LSH band, a signed 64-bit integer; two signatures sharing any key are candidate
    duplicates. Integers: in the corpus store's table without rowids they take a third of the room text
    keys took, and its lookups stay in memory longer."""
    return [
        int.from_bytes(
            hashlib.blake2b(
                bytes([band]) + sig[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8
            ).digest(),
            "little",
            signed=True,
        )
        for band in range(BANDS)
    ]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard of the two shingle sets."""
    return float(np.mean(a[:NUM_PERM] == b[:NUM_PERM]))


def containment(a: np.ndarray, b: np.ndarray) -> float | None:
    """Estimated |A & B| / min(|A|, |B|), from the Jaccard estimate and the two set sizes; None for a
    signature written without its size (outputs of older versions)."""
    if len(a) <= NUM_PERM or len(b) <= NUM_PERM:
        return None
    jaccard, size_a, size_b = similarity(a, b), float(a[NUM_PERM]), float(b[NUM_PERM])
    return jaccard / (1 + jaccard) * (size_a + size_b) / max(1.0, min(size_a, size_b))


def is_copy(a: np.ndarray, b: np.ndarray, rule: CopyRule = RULE) -> bool:
    """The shipped verification of a candidate pair (see CopyRule)."""
    jaccard = similarity(a, b)
    if jaccard >= rule.jaccard:
        return True
    if jaccard < rule.floor:
        return False
    contained = containment(a, b)
    return contained is not None and contained >= rule.containment


def band_rows(signatures: Iterable[np.ndarray]) -> Iterator[tuple[int, int]]:
    """(band key, input position) for every band of every signature: the rows a shuffle groups."""
    for index, sig in enumerate(signatures):
        for key in band_keys(sig):
            yield key, index


def group_bands(rows: Iterable[tuple[int, int]]) -> list[list[int]]:
    """In-process grouping: the positions sharing each band key, where more than one does."""
    grouped: dict[int, list[int]] = {}
    for key, index in rows:
        grouped.setdefault(key, []).append(index)
    return [sorted(members) for members in grouped.values() if len(members) > 1]


def assign_copies(
    ids: Sequence[str],
    signatures: Sequence[np.ndarray],
    buckets: Iterable[Sequence[int]],
    rule: CopyRule = RULE,
) -> dict[str, str]:
    """Each near-duplicate's id -> the id of its original, by the store's rule, in input order."""
    buckets_of: dict[int, list[list[int]]] = {}
    for bucket in buckets:
        members = sorted(bucket)
        for member in members:
            buckets_of.setdefault(member, []).append(members)
    original: dict[int, int] = {}
    for index in range(len(ids)):
        match = _earliest_match(index, signatures, buckets_of.get(index, []), rule)
        if match is not None:
            original[index] = original.get(match, match)
    return {ids[i]: ids[o] for i, o in original.items()}


def _earliest_match(
    index: int, signatures: Sequence[np.ndarray], buckets: list[list[int]], rule: CopyRule
) -> int | None:
    # Merge the earlier members of every bucket in position order and stop at the first match, so a
    # huge bucket of identical texts (empty pages) costs one comparison per page, not one per pair.
    earlier = (_before(members, index) for members in buckets)
    previous = None
    for candidate in heapq.merge(*earlier):
        if candidate != previous and is_copy(signatures[index], signatures[candidate], rule):
            return candidate
        previous = candidate
    return None


def _before(members: list[int], index: int) -> Iterator[int]:
    for member in members:
        if member >= index:
            return
        yield member


def duplicate_of(
    ids: Sequence[str], signatures: Sequence[np.ndarray], rule: CopyRule = RULE
) -> dict[str, str]:
    """The whole batch step in one process: group bands, then assign copies."""
    return assign_copies(ids, signatures, group_bands(band_rows(signatures)), rule)
