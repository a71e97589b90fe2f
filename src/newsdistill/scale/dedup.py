"""`duplicate_of` for a whole run at once, giving exactly what the corpus store gives one by one.

The store links a new article to the earliest stored article that shares an LSH band with it
and passes the similarity check, resolved to that article's own original. That is not the
same as connected components (with A and B unlike each other and C like both, the store keeps
B an original), so the batch version replays the store's rule in input order, over buckets
grouped beforehand — by a dict here, or by a Ray shuffle on the band key.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from ..corpus.dedup import THRESHOLD, band_keys, similarity


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


def assign_copies(ids: Sequence[str], signatures: Sequence[np.ndarray], buckets: Iterable[Sequence[int]],
                  threshold: float = THRESHOLD) -> dict[str, str]:
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


def _earliest_match(index: int, signatures: Sequence[np.ndarray], buckets: list[list[int]],
                    threshold: float) -> int | None:
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


def duplicate_of(ids: Sequence[str], signatures: Sequence[np.ndarray], threshold: float = THRESHOLD) -> dict[str, str]:
    """The whole batch step in one process: group bands, then assign copies."""
    return assign_copies(ids, signatures, group_bands(band_rows(signatures)), threshold)
