"""The quote-mark tracker."""

from __future__ import annotations

from newsdistill.attribution.quotes import find_quotes
from newsdistill.attribution.rules import trim


def spans(text: str) -> list[str]:
    return [text[q.start : q.end] for q in find_quotes(text)]


def test_curly_and_straight_quotes() -> None:
    assert spans('He said ‘real cracks’ and “more” and "this".') == ["‘real cracks’", "“more”", '"this"']


def test_apostrophes_are_not_quotes() -> None:
    text = "Putin’s hold, the ’90s, don’t and the Smiths’ house: ‘we’ve seen the final act’ he said."
    assert spans(text) == ["‘we’ve seen the final act’"]


def test_unclosed_quote_ends_at_its_paragraph() -> None:
    text = "‘This runs on. And on.\n\n‘A new paragraph continues the quote,’ she said."
    quotes = find_quotes(text)
    assert [q.closed for q in quotes] == [False, True]
    assert text[quotes[0].start : quotes[0].end] == "‘This runs on. And on."


def test_quote_that_never_closes_is_bounded() -> None:
    text = "“" + "word " * 5000
    quotes = find_quotes(text)
    assert len(quotes) == 1 and not quotes[0].closed and quotes[0].end - quotes[0].start <= 5000


def test_trim_keeps_inner_quote_marks() -> None:
    text = "he was ‘out of contact’."
    assert text[slice(*trim(text, 0, len(text)))] == "he was ‘out of contact’"
    quoted = "‘It is over,’"
    assert quoted[slice(*trim(quoted, 0, len(quoted)))] == "It is over"
