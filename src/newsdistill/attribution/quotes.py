"""Quote-mark tracking: where quoted speech starts and ends, across sentences and paragraphs.

Journalistic convention: a quote that runs over several paragraphs has an opening mark at the
start of each paragraph and a closing mark only at the end of the last one. Apostrophes
(don't, Putin’s, the '90s) look like single closing quotes and are told apart by their neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

OPENERS = {"“": "”", "‘": "’", '"': '"', "'": "'", "«": "»", "„": "“"}
CLOSERS = {"”", "’", '"', "'", "»", "“"}
MAX_QUOTE_CHARS = 5000  # a quote that never closes stops here (or at its paragraph's end)


@dataclass(frozen=True)
class Quote:
    start: int  # offset of the opening mark
    end: int  # offset just after the closing mark (or the end of the quoted text)
    closed: bool

    @property
    def inner(self) -> tuple[int, int]:
        return self.start + 1, self.end - 1 if self.closed else self.end


def _is_apostrophe(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isalnum() and after.isalnum()) or (
        before in "sS" and not after.isalnum() and text[i] in "'’"
    )


def _opens(text: str, i: int) -> bool:
    char = text[i]
    if char not in OPENERS:
        return False
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if char in "'’" and _is_apostrophe(text, i):
        return False
    return not before.isalnum() and not after.isspace()


def _closes(text: str, i: int, opener: str) -> bool:
    char = text[i]
    if char not in CLOSERS or char not in {OPENERS[opener], opener}:
        return False
    if (
        char in "'’"
        and _is_apostrophe(text, i)
        and text[i - 1 : i].isalpha()
        and text[i + 1 : i + 2].isalpha()
    ):
        return False
    after = text[i + 1] if i + 1 < len(text) else " "
    return not after.isalnum()


def find_quotes(text: str) -> list[Quote]:
    """Every quotation in `text`, in order and not overlapping; unclosed quotes end at their paragraph (or a
    limit). Each character is looked at once or twice: linear in the text."""
    quotes: list[Quote] = []
    i, n = 0, len(text)
    while i < n:
        if not _opens(text, i):
            i += 1
            continue
        opener, start, j = text[i], i, i + 1
        closed_at = None
        while j < n and j - start < MAX_QUOTE_CHARS:
            if text.startswith("\n\n", j):
                break
            if _closes(text, j, opener):
                closed_at = j
                break
            j += 1
        if closed_at is not None:
            quotes.append(Quote(start, closed_at + 1, True))
            i = closed_at + 1
        else:
            quotes.append(Quote(start, j, False))
            i = j
    return quotes
