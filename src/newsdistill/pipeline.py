"""A spaCy-style pipeline: a list of small `Article -> Article` components.

`Pipeline.__call__` runs one raw page; `Pipeline.pipe` runs many, in batches and
optionally in worker processes, and never lets one bad page stop the batch.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, runtime_checkable

from .errors import SkipInput
from .model import Article, RawDocument


@runtime_checkable
class Component(Protocol):
    name: str

    def __call__(self, article: Article) -> Article: ...


@runtime_checkable
class BatchComponent(Component, Protocol):
    def pipe(self, articles: Sequence[Article]) -> list[Article]: ...


@dataclass
class Result:
    """One input's outcome: an article, or the reason it was skipped."""

    id: str
    article: Article | None = None
    error: str | None = None
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.article is not None


class PageTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise PageTimeout after `seconds` of wall time (main thread on Unix; elsewhere no limit)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not seconds or not usable:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise PageTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Pipeline:
    def __init__(self, components: Sequence[Component], page_timeout: float | None = 60.0) -> None:
        self.components = list(components)
        self.page_timeout = page_timeout  # seconds one page may spend in one component

    @property
    def component_names(self) -> list[str]:
        return [c.name for c in self.components]

    def add(self, component: Component) -> Pipeline:
        self.components.append(component)
        return self

    def __call__(self, doc: RawDocument) -> Article:
        article = Article.from_raw(doc)
        for component in self.components:
            article = component(article)
        return article

    def run_batch(self, docs: Sequence[RawDocument]) -> list[Result]:
        """Run a batch component by component, so batch-aware stages (spaCy) see whole batches."""
        results = [Result(id=d.id, meta=dict(d.meta)) for d in docs]
        live: list[tuple[int, Article]] = []
        for i, doc in enumerate(docs):
            try:
                live.append((i, Article.from_raw(doc)))
            except SkipInput as exc:
                results[i].error = exc.reason
        for component in self.components:
            live = self._apply(component, live, results)
        for i, article in live:
            article.release_raw()
            results[i].article = article
        return results

    def _apply(
        self, component: Component, live: list[tuple[int, Article]], results: list[Result]
    ) -> list[tuple[int, Article]]:
        if isinstance(component, BatchComponent) and len(live) > 1:
            try:
                with time_limit(self.page_timeout and self.page_timeout * len(live)):
                    outputs = component.pipe([a for _, a in live])
                return [(i, out) for (i, _), out in zip(live, outputs, strict=True)]
            except Exception:  # fall back to one-by-one to isolate the bad page
                pass
        kept: list[tuple[int, Article]] = []
        for i, article in live:
            try:
                with time_limit(self.page_timeout):
                    kept.append((i, component(article)))
            except SkipInput as exc:
                results[i].error = exc.reason
            except PageTimeout:
                results[i].error = f"{component.name}: took longer than the {self.page_timeout:g} s limit"
            except RecursionError:
                results[i].error = f"{component.name}: input too deeply nested"
            except MemoryError:
                results[i].error = f"{component.name}: out of memory on this input"
            except Exception as exc:  # one bad page must not stop the batch
                results[i].error = f"{component.name}: {type(exc).__name__}: {exc}"
        return kept

    def pipe(
        self, docs: Iterable[RawDocument], batch_size: int = 16, n_process: int = 1
    ) -> Iterator[Result]:
        """Yield one Result per input, in input order."""
        batches = batched(docs, batch_size)
        if n_process <= 1:
            for batch in batches:
                yield from self.run_batch(batch)
            return
        with ProcessPoolExecutor(max_workers=n_process, initializer=_init_worker, initargs=(self,)) as pool:
            pending: list[object] = []
            for batch in batches:
                pending.append(pool.submit(_run_in_worker, batch))
                if len(pending) >= n_process * 2:
                    yield from pending.pop(0).result()  # type: ignore[attr-defined]
            for future in pending:
                yield from future.result()  # type: ignore[attr-defined]


_WORKER_PIPELINE: Pipeline | None = None


def _init_worker(pipeline: Pipeline) -> None:
    global _WORKER_PIPELINE
    _WORKER_PIPELINE = pipeline


def _run_in_worker(batch: list[RawDocument]) -> list[Result]:
    assert _WORKER_PIPELINE is not None
    return _WORKER_PIPELINE.run_batch(batch)


T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))
