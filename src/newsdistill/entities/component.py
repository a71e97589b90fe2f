"""The `entities` stage: people, organisations and places of the article, aliases and titles merged."""

from __future__ import annotations

from collections.abc import Sequence

from ..limits import DEFAULT_LIMITS, Limits
from ..model import Article
from ..nlp import parse_batch, parse_or_warn
from .build import build_entities, to_entities


class Entities:
    name = "entities"
    enriches = True  # a page whose parse fails or runs out of time keeps its clean text
    OPTIONS = ("limits",)

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    def __call__(self, article: Article) -> Article:
        doc = parse_or_warn(article, self.limits.max_nlp_chars)
        if doc is not None:
            article.entities = to_entities(build_entities(doc))
        return article

    def pipe(self, articles: Sequence[Article]) -> list[Article]:
        parse_batch(articles, self.limits.max_nlp_chars)
        return [self(a) for a in articles]
