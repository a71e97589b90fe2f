"""A block is the unit the cleaner decides on: a line of text or a block-level DOM element."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ..model import ParagraphKind, RemovedReason

WORD = re.compile(r"\w+")


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
        self.words = len(WORD.findall(self.text))

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))

    def remove(self, reason: RemovedReason) -> None:
        self.keep = False
        self.reason = reason
