"""The first stage: decode raw bytes and decide HTML vs text."""

from __future__ import annotations

from ..errors import SkipInput
from ..limits import DEFAULT_LIMITS, Limits
from ..model import Article
from .decode import decode


class Decode:
    name = "decode"
    OPTIONS = ("limits",)

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    def __call__(self, article: Article) -> Article:
        if article.raw is None:
            raise SkipInput("no raw input attached to the article")
        text, kind = decode(article.raw, self.limits)
        article.input_text = text
        article.input_kind = kind
        return article
