"""`newsdistill ingest`: pages through the pipeline into the store, one transaction per batch."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..inputs.readers import NOTHING_GIVEN, Given, ReadError, own_files, read_inputs
from ..model import DEFAULT_ATTRIBUTION, InputKind, RawDocument
from ..pipeline import Result
from ..pool import batched
from ..stages import DEFAULT_STAGES, build_pipeline
from .embed_stage import Embed
from .store import Store, raw_hash


@dataclass
class IngestSummary:
    stored: int = 0  # new article rows, near copies included
    duplicates: int = 0  # inputs whose clean text was stored already
    already_seen: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warned: list[tuple[str, str]] = field(default_factory=list)  # stored, less something (Article.warnings)
    near_copies: int = 0  # of `stored`, those that nearly repeat a stored article
    dropped_story_vectors: int = 0  # a store written with another story encoder: its stories' vectors

    @property
    def appearances(self) -> int:
        """Inputs kept as appearances in this run: every one that yielded an article."""
        return self.stored + self.duplicates

    def line(self) -> str:
        """'3 appearances: 1 new article, 1 near copy, 1 identical copy (2 stored)', then the rest."""
        new = self.stored - self.near_copies
        return (
            f"{_count(self.appearances, 'appearance')}: {_count(new, 'new article')}, "
            f"{_count(self.near_copies, 'near copy', 'near copies')}, "
            f"{_count(self.duplicates, 'identical copy', 'identical copies')} ({self.stored} stored); "
            f"{self.already_seen} already ingested, {len(self.skipped)} skipped"
            + (
                "; the story encoder changed since this store was written: the vectors of "
                f"{_count(self.dropped_story_vectors, 'story', 'stories')} are made again as they are met "
                "(`newsdistill stories --rebuild` assigns every article again)"
                if self.dropped_story_vectors
                else ""
            )
        )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _unseen(
    items: Iterable[RawDocument | ReadError],
    store: Store,
    summary: IngestSummary,
    hashes: dict[str, str],
    given: Given,
) -> Iterator[RawDocument]:
    for item in items:
        if isinstance(item, ReadError):
            summary.skipped.append((item.id, item.reason))
            with store.transaction():
                store.record_skip(item.id, "", item.reason)
            continue
        digest = raw_hash(item.data)
        if store.seen(item.id, digest):
            summary.already_seen += 1
            continue
        hashes[item.id] = digest
        given.apply(item)
        yield item


def ingest(
    paths: Sequence[str],
    db: Path,
    stages: Sequence[str] = DEFAULT_STAGES,
    workers: int = 1,
    batch_size: int = 16,
    input_kind: InputKind = "auto",
    page_types: Sequence[str] | None = None,
    attribution: str = DEFAULT_ATTRIBUTION,
    watch: Callable[[Iterator[Result]], Iterator[Result]] | None = None,
    given: Given = NOTHING_GIVEN,
) -> IngestSummary:
    """Process `paths` into the store at `db`. `watch` wraps the result stream (the CLI's progress bar);
    `given`: the URL, outlet and date the user gave the inputs."""
    # page_types: the clean stage keeps only those; attribution: "fast" or "accurate". Built before the
    # store is opened: a missing model file creates no empty store.
    pipeline = build_pipeline(stages, page_types=page_types, attribution=attribution)
    pipeline.add(Embed())  # the story model's embedding, computed by the workers, not the store's writer
    store = Store(db)
    summary = IngestSummary(dropped_story_vectors=store.dropped_story_vectors)
    hashes: dict[str, str] = {}
    try:
        docs = _unseen(read_inputs(paths, input_kind, leave_out=own_files(db)), store, summary, hashes, given)
        results = pipeline.pipe(docs, batch_size=batch_size, n_process=workers)
        for batch in batched(watch(results) if watch else results, batch_size):
            with (
                store.transaction()
            ):  # all of the batch or none of it: a crash loses nothing, doubles nothing
                for result in batch:
                    _store_result(store, result, hashes.pop(result.id, ""), summary)
    finally:
        store.close()
    return summary


def _store_result(store: Store, result: Result, digest: str, summary: IngestSummary) -> None:
    # Checked again inside the write transaction: another ingest may have stored this input meanwhile.
    if store.seen(result.id, digest):
        summary.already_seen += 1
        return
    if result.article is None:
        summary.skipped.append((result.id, result.error or "unknown error"))
        store.record_skip(result.id, digest, result.error or "unknown error")
        return
    stored = store.add(result.id, digest, result.article)
    summary.warned += [(result.id, warning) for warning in result.article.warnings]
    if stored.status == "stored":
        summary.stored += 1
        summary.near_copies += stored.copy_of is not None
    else:
        summary.duplicates += 1
