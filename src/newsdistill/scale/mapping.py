"""The map step both engines run, so identical input gives identical records on either.

A worker builds the pipeline once (`batch_mapper`, by stage names, so no model is pickled across), runs
batches of raw pages through `Pipeline.run_batch`, and turns each result into the output
record — with its MinHash signature computed here, in the worker, not in the driver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from ..model import RawDocument
from ..neardup import signature
from ..pipeline import Pipeline, Result
from ..pool import BatchFunction
from ..stages import build_pipeline


@dataclass
class Outcome:
    """One input after the map step: its output record, or why it was skipped."""

    id: str
    record: dict[str, Any] | None = None
    error: str | None = None


def to_record(result: Result, record_id: object = None) -> dict[str, Any]:
    """The output record: the input's id, the record's own id (JSONL, Parquet), the Article, its MinHash."""
    assert result.article is not None
    record: dict[str, Any] = {"id": result.id, "record_id": None if record_id is None else str(record_id)}
    record.update(result.article.model_dump(mode="json"))
    record["minhash"] = signature(result.article.text).tolist()
    return record


def map_batch(pipeline: Pipeline, docs: Sequence[RawDocument]) -> list[Outcome]:
    outcomes = []
    for doc, result in zip(docs, pipeline.run_batch(docs), strict=True):
        if result.article is None:
            outcomes.append(Outcome(result.id, error=result.error or "unknown error"))
        else:
            outcomes.append(Outcome(result.id, record=to_record(result, doc.meta.get("record_id"))))
    return outcomes


def batch_mapper(stages: Sequence[str], options: Mapping[str, object] | None = None) -> BatchFunction:
    """Run in each worker, once: build the pipeline (and load its models) there, by stage names and
    plain options (mode, page_types, attribution), so no model is pickled across."""
    return partial(map_batch, build_pipeline(stages, **dict(options or {})))


def lost_outcome(doc: RawDocument, reason: str) -> Outcome:
    """The outcome of a page whose worker died while it ran alone."""
    return Outcome(doc.id, error=reason)
