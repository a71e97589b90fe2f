"""A spaCy-style pipeline: a list of small `Article -> Article` components.

`Pipeline.__call__` runs one raw page; `Pipeline.pipe` runs many, in batches and optionally in
worker processes (`pool.WorkerPool`). Every path gives each page the same per-stage time limit and
the same isolation: a page that fails, hangs or kills its worker is skipped with a reason, and the
rest go on.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from .errors import SkipInput
from .model import Article, RawDocument
from .pool import BatchFunction, WorkerPool, batched


@runtime_checkable
class Component(Protocol):
    """A stage. One whose class sets `enriches = True` only adds to a page (entities, attributions): when it
    fails on a page, by time, memory or error, the page is kept as it was, with a warning, not skipped."""

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

    @property
    def ok(self) -> bool:
        return self.article is not None


PAGE_TIMEOUT = 60.0  # seconds one page may spend in one stage, on every path (CLI, store, engines, API)


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
    def __init__(self, components: Sequence[Component], page_timeout: float | None = PAGE_TIMEOUT) -> None:
        self.components = list(components)
        # Seconds one page may spend in one component, counting its share of a batch that ran out of time.
        self.page_timeout = page_timeout

    @property
    def component_names(self) -> list[str]:
        return [c.name for c in self.components]

    def add(self, component: Component) -> Pipeline:
        self.components.append(component)
        return self

    def __call__(self, doc: RawDocument) -> Article:
        """One page, with the same time limit and isolation as a batch; SkipInput says why it failed."""
        result = self.run_batch([doc])[0]
        if result.article is None:
            raise SkipInput(result.error or "unknown error")
        return result.article

    def run_batch(self, docs: Sequence[RawDocument]) -> list[Result]:
        """Run a batch component by component, so batch-aware stages (spaCy) see whole batches."""
        results = [Result(id=d.id) for d in docs]
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
        budget = self.page_timeout
        if isinstance(component, BatchComponent) and len(live) > 1:
            # Half of each page's time goes to the batch; past it, the pages run one by one with the rest,
            # so a slow page costs at most one page limit, whatever the batch size.
            started = time.monotonic()
            try:
                with time_limit(budget and budget / 2):
                    outputs = component.pipe([a for _, a in live])
                return [(i, out) for (i, _), out in zip(live, outputs, strict=True)]
            except Exception:  # fall back to one by one to isolate the bad page
                budget = budget and max(budget - (time.monotonic() - started), 0.001)
        return [kept for kept in (self._apply_one(component, item, results, budget) for item in live) if kept]

    def _apply_one(
        self, component: Component, item: tuple[int, Article], results: list[Result], budget: float | None
    ) -> tuple[int, Article] | None:
        i, article = item
        try:
            with time_limit(budget):
                return i, component(article)
        except SkipInput as exc:
            reason = exc.reason
        except PageTimeout:
            reason = f"{component.name}: took longer than the {self.page_timeout:g} s limit"
        except RecursionError:
            reason = f"{component.name}: input too deeply nested"
        except MemoryError:
            reason = f"{component.name}: out of memory on this input"
        except Exception as exc:  # one bad page must not stop the batch
            reason = f"{component.name}: {type(exc).__name__}: {exc}"
        if getattr(component, "enriches", False):  # the page stands without what this stage adds
            article.warn(f"{component.name} not run: {reason.removeprefix(component.name + ': ')}")
            return i, article
        results[i].error = reason
        return None

    def pipe(self, docs: Iterable[RawDocument], batch_size: int = 16, n_process: int = 1) -> Iterator[Result]:
        """Yield one Result per input, in input order."""
        batches = batched(docs, batch_size)
        if n_process <= 1:
            for batch in batches:
                yield from self.run_batch(batch)
            return
        pool: WorkerPool[RawDocument, Result] = WorkerPool(n_process, self._batch_function, lost_page)
        for results in pool.map(batches):
            yield from results

    def _batch_function(self) -> BatchFunction:
        return self.run_batch


def lost_page(doc: RawDocument, reason: str) -> Result:
    """The result for a page whose worker died while it ran alone: that page is the cause."""
    return Result(id=doc.id, error=reason)
