"""The `attribution` stage and `attribute(text)`: who said what, over the article's one spaCy parse."""

from __future__ import annotations

from collections.abc import Sequence

from ..entities.build import build_entities, to_entities
from ..limits import DEFAULT_LIMITS, Limits
from ..model import Article, Attribution
from ..nlp import parse, parse_batch
from .extract import extract


class Attribute:
    name = "attribution"
    OPTIONS = ("limits",)

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    def __call__(self, article: Article) -> Article:
        doc = parse(article, self.limits.max_nlp_chars)
        if not article.entities:
            article.entities = to_entities(build_entities(doc))
        article.attributions = extract(doc, article.text, article.entities)
        return article

    def pipe(self, articles: Sequence[Article]) -> list[Article]:
        parse_batch(articles, self.limits.max_nlp_chars)
        return [self(a) for a in articles]


def attribute_text(text: str, limits: Limits = DEFAULT_LIMITS) -> tuple[list[Attribution], Article]:
    article = Article(text=text)
    Attribute(limits)(article)
    return article.attributions, article
