"""The same map step on Ray Data: `map_batches` over an actor pool, so each worker builds the
pipeline and loads its models once, locally (`ray.init` with N CPUs) or on a cluster (`address`).

Pending shards go to Ray in windows of many shards (one dataset, one actor pool per window,
not per shard); rows come back in input order, so each shard is written as soon as its last
row arrives and resuming stays per shard. Near-duplicate bands are grouped with a Ray shuffle
(`groupby` on the band key).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from .mapping import Outcome, map_batch
from .shards import ShardInput, ShardOutput

WINDOW_BYTES = 256 * 1024 * 1024  # raw input handed to Ray at once: bounds the driver's memory
WINDOW_SHARDS = 64


class PipelineActor:
    """One per Ray worker: builds the pipeline once, then maps batches of raw pages."""

    def __init__(self, stages: Sequence[str], options: Mapping[str, object]) -> None:
        from ..stages import build_pipeline

        self.pipeline = build_pipeline(stages, **options)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        from ..model import RawDocument

        docs = [
            RawDocument(
                id=str(i),
                data=d if isinstance(d, str) else bytes(d),
                url=u or None,
                input_kind=k,
                meta=json.loads(m),
            )
            for i, d, u, k, m in zip(
                batch["id"], batch["data"], batch["url"], batch["input_kind"], batch["meta"], strict=True
            )
        ]
        outcomes = map_batch(self.pipeline, docs)
        return {
            "shard": list(batch["shard"]),
            "id": [o.id for o in outcomes],
            "record": [json.dumps(o.record, ensure_ascii=False) if o.record else "" for o in outcomes],
            "error": [o.error or "" for o in outcomes],
        }


def keep_shared_bands(group: dict[str, Any]) -> dict[str, list[Any]]:
    """Reduce step of the band shuffle: a band shared by more than one page, as its sorted members."""
    members = sorted(int(i) for i in group["index"])
    return {"members": [members] if len(members) > 1 else []}


class RayEngine:
    def __init__(
        self,
        stages: Sequence[str],
        workers: int,
        address: str | None = None,
        batch_size: int = 8,
        options: Mapping[str, object] | None = None,
    ) -> None:
        try:
            import ray
        except ImportError as exc:
            raise RuntimeError("the ray engine needs Ray: pip install 'newsdistill[ray]'") from exc
        self.started_ray = not ray.is_initialized()
        if self.started_ray:
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        self.ray = ray
        self.stages = list(stages)
        self.options = dict(options or {})
        self.workers = workers
        self.batch_size = batch_size
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # rows back in input order: identical records
        context.enable_progress_bars = False

    def map_shards(self, shards: Iterable[ShardInput]) -> Iterator[ShardOutput]:
        for window in _windows(shards):
            yield from self._map_window(window)

    def _map_window(self, window: list[ShardInput]) -> Iterator[ShardOutput]:
        items = [
            {
                "shard": number,
                "id": d.id,
                "data": d.data,
                "url": d.url or "",
                "input_kind": d.input_kind,
                "meta": json.dumps(d.meta, default=str),
            }
            for number, docs in window
            for d in docs
        ]
        rows: Iterator[dict[str, Any]] = iter(())
        if items:
            dataset = self.ray.data.from_items(items).map_batches(
                PipelineActor,
                fn_constructor_args=(self.stages, self.options),
                batch_size=self.batch_size,
                compute=self.ray.data.ActorPoolStrategy(size=self.workers),
                batch_format="default",
            )
            rows = iter(dataset.iter_rows())
        for number, docs in window:
            outcomes = [_outcome(next(rows)) for _ in docs]
            assert all(o.id == d.id for o, d in zip(outcomes, docs, strict=True)), (
                "Ray returned rows out of order"
            )
            yield number, outcomes

    def group_bands(self, rows: Iterable[tuple[int, int]]) -> list[list[int]]:
        import pyarrow as pa

        keys, positions = [], []
        for key, index in rows:
            keys.append(key)
            positions.append(index)
        if not keys:
            return []
        table = pa.table({"key": keys, "index": pa.array(positions, pa.int64())})
        grouped = (
            self.ray.data.from_arrow(table).groupby("key").map_groups(keep_shared_bands, batch_format="numpy")
        )
        return [list(row["members"]) for row in grouped.iter_rows()]

    def close(self) -> None:
        if self.started_ray and self.ray.is_initialized():
            self.ray.shutdown()


def _outcome(row: dict[str, Any]) -> Outcome:
    if row["record"]:
        return Outcome(row["id"], record=json.loads(row["record"]))
    return Outcome(row["id"], error=row["error"] or "unknown error")


def _windows(shards: Iterable[ShardInput]) -> Iterator[list[ShardInput]]:
    window: list[ShardInput] = []
    size = 0
    for number, docs in shards:
        window.append((number, docs))
        size += sum(len(d.data) for d in docs)
        if size >= WINDOW_BYTES or len(window) >= WINDOW_SHARDS:
            yield window
            window, size = [], 0
    if window:
        yield window
