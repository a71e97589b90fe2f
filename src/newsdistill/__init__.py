"""newsdistill: raw, scraped news pages into clean, attributed, de-duplicated stories."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from .errors import SkipInput
from .model import (
    DEFAULT_ATTRIBUTION,
    Article,
    Attribution,
    AttributionModel,
    Caption,
    Entity,
    Paragraph,
    RawDocument,
    RemovedBlock,
    Source,
    Span,
)
from .pipeline import PAGE_TIMEOUT, PageTimeout, Pipeline, Result, time_limit
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
    timeout: float | None = PAGE_TIMEOUT,
    attribution: AttributionModel = DEFAULT_ATTRIBUTION,
) -> Article:
    """Run the full pipeline on one page (HTML or text, str or bytes).

    Raises SkipInput with a reason when the page cannot be processed, including when a stage takes longer
    than `timeout` seconds (None: no limit; limits hold in the main thread, where signals can interrupt).
    The entities and attribution stages only add to a page: when one of them fails or runs out of time, the
    page comes back without what it adds, and `article.warnings` says why.
    `attribution` picks the model: "accurate" (transformer and rules, the default) or "fast" (CRF and
    rules, 2.6-3x the throughput).
    """
    shared = cached_pipeline(tuple(stages) if stages is not None else DEFAULT_STAGES, mode, attribution)
    pipeline = shared if timeout == shared.page_timeout else Pipeline(shared.components, page_timeout=timeout)
    return pipeline(RawDocument(id=url or "<input>", data=raw, url=url, input_kind=input_kind))


def attribute(
    text: str, timeout: float | None = PAGE_TIMEOUT, attribution: AttributionModel = DEFAULT_ATTRIBUTION
) -> list[Attribution]:
    """Every quote and reported claim in clean text, with source, cue, content; offsets index `text`.

    Raises SkipInput when the text cannot be attributed within `timeout` seconds (None: no limit).
    """
    from .attribution.component import attribute_text

    try:
        with time_limit(timeout):
            return attribute_text(text, attribution=attribution)[0]
    except PageTimeout:
        raise SkipInput(f"attribution: took longer than the {timeout:g} s limit") from None
