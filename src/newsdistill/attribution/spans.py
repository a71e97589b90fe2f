"""Character spans indexed by start, for the overlap lookups that attribution makes once per draft.

An article with thousands of quotes (a transcript, a live blog) has thousands of drafts; comparing each
with every other made such a text take minutes. A lookup here reads only the spans that start within the
longest span's length before the query, so its cost follows the spans near it, not the article's length.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence


class SpanIndex:
    """(start, end) spans, each remembered by its position in the list given."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        order = sorted(range(len(spans)), key=lambda i: spans[i][0])
        self._spans = [spans[i] for i in order]
        self._positions = order
        self._starts = [start for start, _ in self._spans]
        self._longest = max((end - start for start, end in spans), default=0)

    def overlapping(self, start: int, end: int) -> list[int]:
        """Positions (in the given list, ascending) of the spans that share a character with [start, end)."""
        lo = bisect_left(self._starts, start - self._longest)
        hi = bisect_left(self._starts, end)
        found = [self._positions[i] for i in range(lo, hi) if self._spans[i][1] > start]
        return sorted(found)

    def holding(self, offset: int) -> list[int]:
        """Positions (ascending) of the spans with start <= offset < end."""
        return self.overlapping(offset, offset + 1)
