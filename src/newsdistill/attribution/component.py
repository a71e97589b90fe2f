"""The `entities` and `attribution` stages, and `attribute(text)`; spaCy runs once per article."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..entities.build import build_entities, to_entities
from ..model import Article, Attribution
from ..nlp import load_nlp
from .extract import extract

_DOC_CACHE_KEY = "spacy_doc"


def parse(article: Article) -> Any:
    """The article's spaCy Doc, parsed once and shared by the entities and attribution stages."""
    doc = article.scratch.get(_DOC_CACHE_KEY)
    if doc is None or doc.user_data.get("text") != article.text:  # Doc.text would rebuild the string
        doc = load_nlp()(article.text)
        doc.user_data["text"] = article.text
        article.scratch[_DOC_CACHE_KEY] = doc
    return doc


def _parse_batch(articles: Sequence[Article]) -> None:
    todo = [a for a in articles if a.scratch.get(_DOC_CACHE_KEY) is None]
    for article, doc in zip(todo, load_nlp().pipe(a.text for a in todo), strict=True):
        doc.user_data["text"] = article.text
        article.scratch[_DOC_CACHE_KEY] = doc


class Entities:
    name = "entities"

    def __call__(self, article: Article) -> Article:
        article.entities = to_entities(build_entities(parse(article)))
        return article

    def pipe(self, articles: Sequence[Article]) -> list[Article]:
        _parse_batch(articles)
        return [self(a) for a in articles]


class Attribute:
    name = "attribution"

    def __call__(self, article: Article) -> Article:
        doc = parse(article)
        if not article.entities:
            article.entities = to_entities(build_entities(doc))
        article.attributions = extract(doc, article.text, article.entities)
        return article

    def pipe(self, articles: Sequence[Article]) -> list[Article]:
        _parse_batch(articles)
        return [self(a) for a in articles]


def attribute_text(text: str) -> tuple[list[Attribution], Article]:
    article = Article(text=text)
    Attribute()(article)
    return article.attributions, article
