"""The `attribution` stage and `attribute(text)`: who said what, over the article's one spaCy parse."""

from __future__ import annotations

from collections.abc import Sequence

from ..entities.build import build_entities, to_entities
from ..model import Article, Attribution
from ..nlp import parse, parse_batch
from .extract import extract


class Attribute:
    name = "attribution"

    def __call__(self, article: Article) -> Article:
        doc = parse(article)
        if not article.entities:
            article.entities = to_entities(build_entities(doc))
        article.attributions = extract(doc, article.text, article.entities)
        return article

    def pipe(self, articles: Sequence[Article]) -> list[Article]:
        parse_batch(articles)
        return [self(a) for a in articles]


def attribute_text(text: str) -> tuple[list[Attribution], Article]:
    article = Article(text=text)
    Attribute()(article)
    return article.attributions, article
