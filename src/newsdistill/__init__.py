"""newsdistill: raw, scraped news pages into clean, attributed, de-duplicated stories."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from .errors import SkipInput
from .model import Article, Attribution, Caption, Entity, Paragraph, RawDocument, RemovedBlock, Source, Span
from .pipeline import Pipeline, Result
from .stages import DEFAULT_STAGES, build_pipeline, cached_pipeline

if TYPE_CHECKING:
    from collections.abc import Sequence

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Attribution",
    "Caption",
    "Entity",
    "Paragraph",
    "Pipeline",
    "RawDocument",
    "RemovedBlock",
    "Result",
    "SkipInput",
    "Source",
    "Span",
    "attribute",
    "build_pipeline",
    "process",
]


def process(
    raw: str | bytes,
    url: str | None = None,
    input_kind: Literal["auto", "html", "text"] = "auto",
    stages: Sequence[str] | None = None,
    mode: str = "balanced",
) -> Article:
    """Run the full pipeline on one page (HTML or text, str or bytes).

    Raises SkipInput with a reason when the page cannot be processed.
    """
    pipeline = cached_pipeline(tuple(stages) if stages is not None else DEFAULT_STAGES, mode)
    article = pipeline(RawDocument(id=url or "<input>", data=raw, url=url, input_kind=input_kind))
    article.release_raw()
    return article


def attribute(text: str) -> list[Attribution]:
    """Every quote and reported claim in clean text, with source, cue, content; offsets index `text`."""
    from .attribution.component import attribute_text

    return attribute_text(text)[0]
