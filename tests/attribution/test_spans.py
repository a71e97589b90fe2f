"""The span index that attribution's overlap lookups use: the same answers as comparing every span."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newsdistill.attribution.rules import overlaps
from newsdistill.attribution.spans import SpanIndex

_SPAN = st.tuples(st.integers(0, 300), st.integers(0, 60)).map(lambda p: (p[0], p[0] + p[1]))


@given(st.lists(_SPAN, max_size=40), _SPAN)
def test_overlapping_finds_exactly_the_spans_that_share_a_character(
    spans: list[tuple[int, int]], query: tuple[int, int]
) -> None:
    expected = [i for i, span in enumerate(spans) if overlaps(span, query)]
    assert SpanIndex(spans).overlapping(*query) == expected  # positions in the given order, as `next` read


@given(st.lists(_SPAN, max_size=40), st.integers(-5, 400))
def test_holding_finds_the_spans_an_offset_falls_in(spans: list[tuple[int, int]], offset: int) -> None:
    expected = [i for i, (start, end) in enumerate(spans) if start <= offset < end]
    assert SpanIndex(spans).holding(offset) == expected


def test_an_empty_index_finds_nothing() -> None:
    assert SpanIndex([]).overlapping(0, 10) == [] and SpanIndex([]).holding(3) == []
