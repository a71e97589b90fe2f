"""The `entities` stage: people, organisations and places of the article, aliases and titles merged."""

from __future__ import annotations

from collections.abc import Sequence

from ..limits import DEFAULT_LIMITS, Limits
from ..model import Article
from ..nlp import parse, parse_batch
from .build import build_entities, to_entities


class Entities:
    name = "entities"
    OPTIONS = ("limits",)

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    def __call__(self, article: Article) -> Article:
        article.entities = to_entities(build_entities(parse(article, self.limits.max_nlp_chars)))
        return article

    def pipe(self, articles: Sequence[Article]) -> list[Article]:
        parse_batch(articles, self.limits.max_nlp_chars)
        return [self(a) for a in articles]
