"""The same pipeline on Ray Data: `map_batches` over an actor pool, so each worker loads the
models once; locally (`ray.init` with N CPUs) or on an existing cluster (`address`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..ingest.decode import RawDocument
from ..model import Article
from ..pipeline import Result


class PipelineActor:
    """One per Ray worker: builds the pipeline once, then runs batches of raw pages."""

    def __init__(self, stages: Sequence[str]) -> None:
        from ..stages import build_pipeline

        self.pipeline = build_pipeline(stages)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        docs = [
            RawDocument(id=str(i), data=bytes(d) if not isinstance(d, str) else d, url=u or None, input_kind=k)
            for i, d, u, k in zip(batch["id"], batch["data"], batch["url"], batch["input_kind"], strict=True)
        ]
        results = self.pipeline.run_batch(docs)
        return {
            "id": [r.id for r in results],
            "article": [r.article.model_dump_json() if r.article else "" for r in results],
            "error": [r.error or "" for r in results],
        }


class RayEngine:
    def __init__(self, stages: Sequence[str], workers: int, address: str | None = None) -> None:
        try:
            import ray
        except ImportError as exc:
            raise RuntimeError("the ray engine needs Ray: pip install 'newsdistill[ray]'") from exc
        if not ray.is_initialized():
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        self.ray = ray
        self.stages = list(stages)
        self.workers = workers
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # identical records, in input order
        context.enable_progress_bars = False

    def map(self, docs: list[RawDocument]) -> list[Result]:
        if not docs:
            return []
        items = [{"id": d.id, "data": d.data, "url": d.url or "", "input_kind": d.input_kind} for d in docs]
        dataset = self.ray.data.from_items(items).map_batches(
            PipelineActor, fn_constructor_args=(self.stages,), batch_size=8, concurrency=self.workers,
            batch_format="default",
        )
        results = []
        for row in dataset.iter_rows():
            article = Article.model_validate(json.loads(row["article"])) if row["article"] else None
            results.append(Result(id=row["id"], article=article, error=row["error"] or None))
        return results

    def close(self) -> None:
        if self.ray.is_initialized():
            self.ray.shutdown()
