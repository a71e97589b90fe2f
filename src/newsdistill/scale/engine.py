"""Run the pipeline over many inputs into sharded output, on all local cores or on Ray.

Inputs are cut into shards of `shard_size` in input order; shard k is written to
`part-0000k.<fmt>` (to a temporary name, then renamed) and a line in `_manifest.jsonl` says it
is done and what it skipped and why. A rerun skips shards already done, so a killed run
resumes where it stopped. After the map, near-duplicates are found over every record's MinHash
signature (LSH bands grouped — by Ray's shuffle on the ray engine — then the corpus store's
rule in input order) and `duplicate_of` is filled in.
"""

from __future__ import annotations

import json
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from .. import neardup as dedup
from ..inputs.readers import ReadError, own_files, read_inputs
from ..model import InputKind, RawDocument
from ..pool import WorkerPool, batched
from ..stages import DEFAULT_STAGES, build_pipeline
from .mapping import Outcome, batch_mapper, lost_outcome, map_batch
from .shards import Engine, ShardInput, ShardOutput
from .writers import WRITERS, read_column, read_records

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

    def skip_reasons(self) -> Counter[str]:
        """How many inputs were skipped for each kind of reason (the text before any detail)."""
        return Counter(reason.split(" (")[0].split(": ")[0] for _, reason in self.skipped)


class LocalEngine:
    """A process pool over local cores; nothing to install beyond newsdistill (and no Ray import)."""

    def __init__(
        self,
        stages: Sequence[str],
        workers: int,
        batch_size: int = 8,
        options: Mapping[str, object] | None = None,
    ) -> None:
        self.stages = list(stages)
        self.options = dict(options or {})
        self.workers = workers
        self.batch_size = batch_size

    def map_shards(self, shards: Iterable[ShardInput]) -> Iterator[ShardOutput]:
        if self.workers <= 1:
            pipeline = build_pipeline(self.stages, **self.options)
            for number, docs in shards:
                yield (
                    number,
                    [o for batch in batched(docs, self.batch_size) for o in map_batch(pipeline, batch)],
                )
            return
        # Several shards' batches are in flight at once, so workers never wait at a shard's end; the pool
        # gives results back in submission order, so shards come out whole and in order.
        pool: WorkerPool[RawDocument, Outcome] = WorkerPool(
            self.workers, partial(batch_mapper, self.stages, self.options), lost_outcome, in_flight=4
        )
        ends: deque[tuple[int, bool]] = deque()  # (shard, is its last batch) of every batch handed out

        def batches() -> Iterator[list[RawDocument]]:
            for number, docs in shards:
                parts = list(batched(docs, self.batch_size)) or [[]]
                for position, part in enumerate(parts):
                    ends.append((number, position == len(parts) - 1))
                    yield part

        collected: list[Outcome] = []
        for outcomes in pool.map(batches()):
            number, last = ends.popleft()
            collected.extend(outcomes)
            if last:
                yield number, collected
                collected = []

    def group_bands(self, rows: Iterable[tuple[int, int]]) -> list[list[int]]:
        return dedup.group_bands(rows)

    def close(self) -> None:
        pass


def make_engine(
    name: str,
    stages: Sequence[str],
    workers: int,
    address: str | None = None,
    options: Mapping[str, object] | None = None,
) -> Engine:
    if name == "local":
        return LocalEngine(stages, workers, options=options)
    if name == "ray":
        from .ray_engine import RayEngine  # only here: the local engine must run without Ray installed

        return RayEngine(stages, workers, address, options=options)
    raise ValueError(f"unknown engine {name!r}: choose local or ray")


def read_shards(
    paths: Sequence[str],
    input_kind: InputKind,
    size: int,
    fields: Sequence[str] | None = None,
    out_dir: Path | None = None,
) -> Iterator[tuple[int, list[RawDocument | ReadError]]]:
    """Inputs cut into numbered shards of `size` items (read errors count), in input order; the shards
    already written to `out_dir` are never read as inputs, should an input folder hold it."""
    found = read_inputs(paths, input_kind, fields=fields, leave_out=own_files(out_dir))
    return enumerate(batched(found, size))


def run(
    paths: Sequence[str],
    out_dir: Path,
    fmt: str = "jsonl",
    engine: str = "local",
    workers: int = 1,
    stages: Sequence[str] = DEFAULT_STAGES,
    shard_size: int = 1000,
    input_kind: InputKind = "auto",
    address: str | None = None,
    progress: Callable[[RunSummary], None] | None = None,
    fields: Sequence[str] | None = None,
    options: Mapping[str, object] | None = None,
) -> RunSummary:
    """`options` go to every stage that takes them (mode, page_types, attribution), in every worker."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown output format {fmt!r}: choose {' or '.join(WRITERS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    summary, started = RunSummary(), time.perf_counter()
    read_errors: dict[int, list[tuple[str, str]]] = {}
    shards = read_shards(paths, input_kind, shard_size, fields, out_dir)
    runner = make_engine(engine, stages, workers, address, options)
    try:
        for number, outcomes in runner.map_shards(_unfinished(shards, out_dir, fmt, summary, read_errors)):
            write_shard(out_dir, number, fmt, outcomes, read_errors.pop(number), summary)
            summary.seconds = time.perf_counter() - started
            if progress is not None:
                progress(summary)
        summary.duplicates = mark_duplicates(out_dir, fmt, runner)
    finally:
        runner.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _unfinished(
    shards: Iterable[tuple[int, list[RawDocument | ReadError]]],
    out_dir: Path,
    fmt: str,
    summary: RunSummary,
    read_errors: dict[int, list[tuple[str, str]]],
) -> Iterator[ShardInput]:
    """The shards a resumed run still has to do; their read errors are put aside for the manifest."""
    done = finished_shards(out_dir)
    for number, items in shards:
        if number in done and (out_dir / shard_name(number, fmt)).exists():
            summary.shards_resumed += 1
            continue
        read_errors[number] = [(i.id, i.reason) for i in items if isinstance(i, ReadError)]
        yield number, [i for i in items if isinstance(i, RawDocument)]


def shard_name(number: int, fmt: str) -> str:
    return f"part-{number:05d}.{fmt}"


def write_shard(
    out_dir: Path,
    number: int,
    fmt: str,
    outcomes: list[Outcome],
    read_errors: list[tuple[str, str]],
    summary: RunSummary,
) -> None:
    records = [o.record for o in outcomes if o.record is not None]
    skipped = read_errors + [(o.id, o.error or "unknown error") for o in outcomes if o.record is None]
    WRITERS[fmt](out_dir / shard_name(number, fmt), records)
    # The manifest line comes after the shard's atomic rename: a shard listed here is complete.
    with (out_dir / MANIFEST).open("a", encoding="utf-8") as manifest:
        manifest.write(
            json.dumps(
                {
                    "shard": number,
                    "file": shard_name(number, fmt),
                    "records": len(records),
                    "skipped": [{"id": i, "reason": r} for i, r in skipped],
                }
            )
            + "\n"
        )
    summary.processed += len(records)
    summary.skipped.extend(skipped)
    summary.shards_written += 1


def finished_shards(out_dir: Path) -> set[int]:
    manifest = out_dir / MANIFEST
    if not manifest.exists():
        return set()
    done = set()
    for line in manifest.read_text(encoding="utf-8").splitlines():
        try:
            done.add(int(json.loads(line)["shard"]))
        except (ValueError, KeyError, TypeError):
            continue  # a line cut short by a kill: that shard is simply done again
    return done


def mark_duplicates(out_dir: Path, fmt: str, runner: Engine) -> int:
    """The reduce step: signatures of every shard (only those columns read), bands grouped by the
    engine, copies assigned in input order; only shards whose `duplicate_of` changed are rewritten."""
    files = sorted(out_dir.glob(f"part-*.{fmt}"))
    ids_by_file = [read_column(path, "id") for path in files]
    signatures = [np.asarray(s, dtype=np.uint64) for path in files for s in read_column(path, "minhash")]
    ids = [i for file_ids in ids_by_file for i in file_ids]
    copies = dedup.assign_copies(ids, signatures, runner.group_bands(dedup.band_rows(signatures)))
    for path, file_ids in zip(files, ids_by_file, strict=True):
        if [copies.get(i) for i in file_ids] != read_column(path, "duplicate_of"):
            records = read_records(path)
            for record in records:
                record["duplicate_of"] = copies.get(record["id"])
            WRITERS[fmt](path, records)
    return len(copies)
