"""The map step both engines run, so identical input gives identical records on either.

A worker builds the pipeline once (by stage names, so no model is pickled across), runs
batches of raw pages through `Pipeline.run_batch`, and turns each result into the output
record — with its MinHash signature computed here, in the worker, not in the driver.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..model import RawDocument
from ..neardup import signature
from ..pipeline import Pipeline, Result
from ..stages import build_pipeline


@dataclass
class Outcome:
    """One input after the map step: its output record, or why it was skipped."""

    id: str
    record: dict[str, Any] | None = None
    error: str | None = None


def to_record(result: Result) -> dict[str, Any]:
    assert result.article is not None
    record: dict[str, Any] = {"id": result.id, **result.article.model_dump(mode="json")}
    record["minhash"] = signature(result.article.text).tolist()
    return record


def map_batch(pipeline: Pipeline, docs: Sequence[RawDocument]) -> list[Outcome]:
    outcomes = []
    for result in pipeline.run_batch(docs):
        if result.article is None:
            outcomes.append(Outcome(result.id, error=result.error or "unknown error"))
        else:
            outcomes.append(Outcome(result.id, record=to_record(result)))
    return outcomes


_WORKER_PIPELINE: Pipeline | None = None


def init_worker(stages: Sequence[str]) -> None:
    """Process-pool initializer: load the pipeline (and its models) once per worker process."""
    global _WORKER_PIPELINE
    _WORKER_PIPELINE = build_pipeline(stages)


def map_batch_in_worker(docs: Sequence[RawDocument]) -> list[Outcome]:
    assert _WORKER_PIPELINE is not None, "init_worker was not run in this process"
    return map_batch(_WORKER_PIPELINE, docs)
