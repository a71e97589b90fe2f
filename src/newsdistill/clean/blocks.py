"""A block is the unit the cleaner decides on: a line of text or a block-level DOM element."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from ..model import ParagraphKind, RemovedReason

WORD = re.compile(r"\w+")
# Chinese and Japanese write words without spaces: two characters count as about one word.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))  # soft hyphen, zero-width space/joiners


def display_text(raw: str) -> str:
    """The text a reader sees: NFC (a decomposed 'u' + U+0308 becomes 'ü'), no soft hyphens or
    zero-width marks inside words, runs of whitespace as one space."""
    if raw.isascii():  # the invisible marks and NFC touch non-ASCII characters only
        return " ".join(raw.split())
    return unicodedata.normalize("NFC", " ".join(raw.translate(_INVISIBLE).split()))


def count_words(text: str) -> int:
    cjk = 0 if text.isascii() else len(_CJK.findall(text))
    if not cjk:
        return len(WORD.findall(text))
    return len(WORD.findall(_CJK.sub(" ", text))) + (cjk + 1) // 2


@dataclass
class Block:
    text: str
    start: int  # offsets into the decoded input (text mode) or the page's visible text (HTML)
    end: int
    tag: str = "p"
    link_chars: int = 0
    group: int = 0  # blank-line separated group (text) / parent element (HTML)
    hints: frozenset[str] = frozenset()  # DOM evidence: "boilerplate", "content", "caption", "nav", ...
    ancestors: tuple[int, ...] = ()  # element ids from the root down (HTML only)
    # Decisions, filled by the classifier.
    score: float = 0.0
    keep: bool = False
    kind: ParagraphKind = "paragraph"
    reason: RemovedReason | None = None
    caption: bool = False
    features: dict[str, float] = field(default_factory=dict)
    words: int = field(init=False)
    chrome: RemovedReason | Literal[""] | None = None  # cached boilerplate_reason: None = not computed yet

    key: str = field(init=False, default="")  # normalised text, filled on first use (captions.block_key)

    def __post_init__(self) -> None:
        self.words = count_words(self.text)

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))

    @cached_property
    def lowered(self) -> str:
        """The text lower-cased, for patterns compiled without re.I (lexicon.for_lowered_text)."""
        return self.text.lower()

    def remove(self, reason: RemovedReason) -> None:
        self.keep = False
        self.reason = reason
