"""The `attribution` stage and `attribute(text)`: who said what, over the article's one spaCy parse."""

from __future__ import annotations

from collections.abc import Sequence

from ..entities.build import build_entities, to_entities
from ..limits import DEFAULT_LIMITS, Limits
from ..model import ATTRIBUTION_MODELS, DEFAULT_ATTRIBUTION, Article, Attribution
from ..nlp import check_length, parse_batch, parse_or_warn
from .extract import Model, extract
from .tagger import load as load_tagger


class Attribute:
    name = "attribution"
    enriches = True  # a page whose parse fails or runs out of time keeps its clean text
    OPTIONS = ("limits", "attribution")

    def __init__(self, limits: Limits = DEFAULT_LIMITS, attribution: str = DEFAULT_ATTRIBUTION) -> None:
        if attribution not in ATTRIBUTION_MODELS:
            known = ", ".join(ATTRIBUTION_MODELS)
            raise ValueError(f"unknown attribution model {attribution!r}; known: {known}")
        self.limits = limits
        self.model: Model = attribution  # type: ignore[assignment]
        if self.model == "accurate":
            load_tagger()  # now, not on the first page: a missing model file is one clear error up front

    def __call__(self, article: Article) -> Article:
        doc = parse_or_warn(article, self.limits.max_nlp_chars)
        if doc is None:
            return article
        if not article.entities:
            article.entities = to_entities(build_entities(doc))
        article.attributions = extract(doc, article.text, article.entities, self.model)
        return article

    def pipe(self, articles: Sequence[Article]) -> list[Article]:
        parse_batch(articles, self.limits.max_nlp_chars)
        return [self(a) for a in articles]


def attribute_text(
    text: str, limits: Limits = DEFAULT_LIMITS, attribution: str = DEFAULT_ATTRIBUTION
) -> tuple[list[Attribution], Article]:
    check_length(text, limits.max_nlp_chars)  # asked for attributions alone: refused, not an empty answer
    article = Article(text=text)
    Attribute(limits, attribution)(article)
    return article.attributions, article
