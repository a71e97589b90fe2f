"""Run the pipeline over many inputs into sharded output, on all local cores or on Ray.

Inputs are cut into shards of `shard_size` in input order; shard k is written to
`part-0000k.<fmt>` (atomically) with a line in `_manifest.jsonl` listing what it skipped and
why. A rerun skips shards already written, so a killed run resumes where it stopped. After
the map, near-duplicates are found over every record's MinHash signature (LSH bands grouped,
connected components) and `duplicate_of` is filled in.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..corpus.dedup import duplicate_of, signature
from ..ingest.decode import InputKind, RawDocument
from ..ingest.readers import ReadError, read_inputs
from ..ingest.writers import WRITERS, read_records
from ..pipeline import Result
from ..stages import DEFAULT_STAGES, build_pipeline

MANIFEST = "_manifest.jsonl"


@dataclass
class RunSummary:
    processed: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    shards_written: int = 0
    shards_resumed: int = 0
    duplicates: int = 0
    seconds: float = 0.0

    @property
    def pages_per_s(self) -> float:
        return (self.processed + len(self.skipped)) / self.seconds if self.seconds else 0.0


def shards(paths: Sequence[str], input_kind: InputKind, size: int) -> Iterator[tuple[int, list[RawDocument | ReadError]]]:
    batch: list[RawDocument | ReadError] = []
    number = 0
    for item in read_inputs(paths, input_kind):
        batch.append(item)
        if len(batch) >= size:
            yield number, batch
            number, batch = number + 1, []
    if batch:
        yield number, batch


def to_record(result: Result) -> dict[str, Any]:
    assert result.article is not None
    record: dict[str, Any] = {"id": result.id, **result.article.model_dump(mode="json")}
    record["minhash"] = signature(result.article.text).tolist()
    return record


class LocalEngine:
    """A process pool over all cores (Pipeline.pipe): nothing to install beyond newsdistill."""

    def __init__(self, stages: Sequence[str], workers: int) -> None:
        self.pipeline = build_pipeline(stages)
        self.workers = workers

    def map(self, docs: list[RawDocument]) -> list[Result]:
        return list(self.pipeline.pipe(docs, batch_size=8, n_process=self.workers))

    def close(self) -> None:
        pass


def make_engine(name: str, stages: Sequence[str], workers: int, address: str | None = None) -> Any:
    if name == "local":
        return LocalEngine(stages, workers)
    if name == "ray":
        from .ray_engine import RayEngine

        return RayEngine(stages, workers, address)
    raise ValueError(f"unknown engine {name!r}: choose local or ray")


def run(paths: Sequence[str], out_dir: Path, fmt: str = "jsonl", engine: str = "local", workers: int = 1,
        stages: Sequence[str] = DEFAULT_STAGES, shard_size: int = 1000, input_kind: InputKind = "auto",
        address: str | None = None, progress: Any = None) -> RunSummary:
    out_dir.mkdir(parents=True, exist_ok=True)
    summary, started = RunSummary(), time.perf_counter()
    done = _finished_shards(out_dir)
    runner = None
    try:
        for number, items in shards(paths, input_kind, shard_size):
            shard = out_dir / f"part-{number:05d}.{fmt}"
            if number in done and shard.exists():
                summary.shards_resumed += 1
                continue
            runner = runner or make_engine(engine, stages, workers, address)
            _write_shard(runner, number, items, shard, fmt, out_dir, summary)
            if progress is not None:
                progress(summary)
    finally:
        if runner is not None:
            runner.close()
    summary.duplicates = mark_duplicates(out_dir, fmt)
    summary.seconds = time.perf_counter() - started
    return summary


def _write_shard(runner: Any, number: int, items: list[RawDocument | ReadError], shard: Path, fmt: str,
                 out_dir: Path, summary: RunSummary) -> None:
    docs = [i for i in items if isinstance(i, RawDocument)]
    skipped = [(i.id, i.reason) for i in items if isinstance(i, ReadError)]
    records = []
    for result in runner.map(docs):
        if result.article is None:
            skipped.append((result.id, result.error or "unknown error"))
        else:
            records.append(to_record(result))
    WRITERS[fmt](shard, records)
    with (out_dir / MANIFEST).open("a", encoding="utf-8") as manifest:
        manifest.write(json.dumps({"shard": number, "file": shard.name, "records": len(records),
                                   "skipped": [{"id": i, "reason": r} for i, r in skipped]}) + "\n")
    summary.processed += len(records)
    summary.skipped.extend(skipped)
    summary.shards_written += 1


def _finished_shards(out_dir: Path) -> set[int]:
    manifest = out_dir / MANIFEST
    if not manifest.exists():
        return set()
    with manifest.open(encoding="utf-8") as lines:
        return {json.loads(line)["shard"] for line in lines if line.strip()}


def mark_duplicates(out_dir: Path, fmt: str) -> int:
    """The reduce step: group LSH bands over every shard's signatures, then write duplicate_of."""
    files = sorted(out_dir.glob(f"part-*.{fmt}"))
    shards_records = [read_records(f) for f in files]
    ids = [r["id"] for records in shards_records for r in records]
    sigs = [np.asarray(r["minhash"], dtype=np.uint64) for records in shards_records for r in records]
    copies = duplicate_of(ids, sigs)
    for path, records in zip(files, shards_records, strict=True):
        changed = False
        for record in records:
            new = copies.get(record["id"])
            if record.get("duplicate_of") != new:
                record["duplicate_of"], changed = new, True
        if changed:
            WRITERS[fmt](path, records)
    return len(copies)
