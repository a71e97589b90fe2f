"""Per-block features from the block's own text; context comes in classify.py."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..lexicons import STOPWORDS, stopwords_for
from ..model import RemovedReason
from .blocks import WORD, Block
from .lexicon import (
    BOILERPLATE_PATTERNS,
    COMMENT_COUNT_HEADING,
    COMMENT_META,
    DATE_IN_TEXT,
    END_MARKERS,
    OTHER_LANGUAGE_PATTERNS,
    for_lowered_text,
)

TERMINAL = re.compile(r"""[.!?。！？]["'”’)\]」』）]*$|[.!?]\s*\(\w[^)]{0,40}\)$""")
_PUNCT = re.compile(r"[.,;:!?、，。；：！？]")
ELLIPSIS_END = re.compile(r"(?:…|\.\.\.|\.\s\.\s\.)\s*$")


def stopword_density(text: str, stopwords: frozenset[str] = STOPWORDS) -> float:
    return function_word_share(WORD.findall(text.lower()), stopwords)


def function_word_share(words: list[str], stopwords: frozenset[str]) -> float:
    """The share of lower-cased `words` that are in `stopwords` (0 for no words)."""
    return sum(w in stopwords for w in words) / len(words) if words else 0.0


def ends_like_sentence(text: str) -> bool:
    return bool(TERMINAL.search(text)) and not ELLIPSIS_END.search(text)


def boilerplate_reason(block: Block) -> RemovedReason | None:
    """The reason a short block is site chrome by its wording alone, or None (computed once per block)."""
    if block.chrome is None:
        block.chrome = _boilerplate_reason(block) or ""
    return block.chrome or None


def _boilerplate_reason(block: Block) -> RemovedReason | None:
    if block.words > 30:
        return None
    found = _first_reason(block, BOILERPLATE_PATTERNS)
    if found is None and block.features.get("other_language"):
        found = _first_reason(block, OTHER_LANGUAGE_PATTERNS)
    return found


def _first_reason(
    block: Block, patterns: list[tuple[RemovedReason, re.Pattern[str]]]
) -> RemovedReason | None:
    text = block.lowered
    for reason, pattern in patterns:
        if pattern.search(text):
            if reason == "newsletter" and block.words > 18:
                continue
            return reason
    return None


def _flag(block: Block, name: str, judge: Callable[[], bool]) -> bool:
    """A yes/no reading of the block, judged once and kept in its features: the rules, the labels and the
    model's columns each ask."""
    flag = block.features.get(name)
    if flag is None:
        flag = block.features[name] = float(judge())
    return bool(flag)


def is_end_marker(block: Block) -> bool:
    def judge() -> bool:
        text = block.text.strip(" :|")
        # "34 responses to <the article's whole title>" heads a comment thread however long the title.
        short = block.words <= 8 or bool(COMMENT_COUNT_HEADING.match(text))
        return short and bool(END_MARKERS.match(text))

    return _flag(block, "end_marker", judge)


_COMMENT_META_LOWERED = for_lowered_text(COMMENT_META)
_DATE_IN_TEXT_LOWERED = for_lowered_text(DATE_IN_TEXT)


def is_comment_meta(block: Block) -> bool:
    """A comment's author or time line."""
    return _flag(
        block,
        "comment_meta",
        lambda: block.words <= 12 and bool(_COMMENT_META_LOWERED.search(block.lowered)),
    )


def is_date_line(block: Block) -> bool:
    return _flag(
        block, "date_line", lambda: block.words <= 12 and bool(_DATE_IN_TEXT_LOWERED.search(block.lowered))
    )


def end_marker_reason(block: Block) -> RemovedReason:
    text = block.text.lower()
    commented = any(w in text for w in ("comment", "repl", "conversation", "kommentar", "coment", "reactie"))
    if commented or COMMENT_COUNT_HEADING.match(text):
        return "comment_form"
    if "newsletter" in text:
        return "newsletter"
    if text.startswith(("share", "tag", "topic", "about the author")):
        return "share" if text.startswith("share") else "other"
    return "teaser"


def leading_capitalised(text: str) -> int:
    """How many words in a row start upper-case: Title Case headlines run on for six or more."""
    count = 0
    for word in text.split()[:12]:
        if not word[0].isalpha():
            continue
        if not word[0].isupper():
            break
        count += 1
    return count


# Languages that capitalise their nouns: a run of capitalised words is no headline there.
NOUNS_CAPITALISED = frozenset({"de"})


def compute(block: Block, language: str | None) -> None:
    """The block's features. `language`: the page's (classify.page_language), or None where no function-word
    list fits it. The feature `english` (the model's column name, learned on English pages) is 1 wherever
    prose is measured with the page language's own function words."""
    words, text = block.words, block.text
    ellipsis = float(bool(ELLIPSIS_END.search(text)))
    measured = float(language is not None)
    other = float(language not in (None, "en"))  # _boilerplate_reason reads that language's chrome too
    if block.link_density > 0.6 and words <= 30:
        # Link text (menus, related headlines) is never prose: skip the costly features.
        block.features = {
            "words": words,
            "stop": 0.0,
            "terminal": 0.0,
            "ellipsis": ellipsis,
            "punct": 0.0,
            "link_density": block.link_density,
            "headline_lead": 0.0,
            "english": measured,
            "other_language": other,
        }
        return
    title_case = language not in NOUNS_CAPITALISED
    block.features = {
        "words": words,
        "stop": stopword_density(text, stopwords_for(language or "en")),
        "terminal": float(ends_like_sentence(text)),
        "ellipsis": ellipsis,
        "link_density": block.link_density,
        "punct": len(_PUNCT.findall(text)) / max(1, words),
        "headline_lead": float(title_case and words >= 12 and leading_capitalised(text) >= 6),
        "english": measured,
        "other_language": other,
    }
