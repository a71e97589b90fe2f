"""The one worker pool: batches of inputs run in worker processes, results back in input order.

Every parallel path uses it (`Pipeline.pipe`, so `process` and `ingest`, and the local scale engine).
Unlike `concurrent.futures.ProcessPoolExecutor`, it knows which batch each worker holds, so a worker
that dies (the OOM killer, a segfault in a C extension) costs one page, not the run: its batch is run
again page by page in a fresh worker, and a page that kills a worker on its own comes back as lost
("worker died (signal 9)"). Workers exit when the parent dies (PR_SET_PDEATHSIG on Linux, and a
watchdog thread that polls the parent's pid elsewhere), so a killed run leaves no process behind.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

LOG = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

# Built in the worker, once: takes a batch of inputs, returns one result per input, in order.
BatchFunction = Callable[[list[Any]], list[Any]]


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of `size` items (the last one shorter), in order."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= max(1, size):
            yield batch
            batch = []
    if batch:
        yield batch


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))


@dataclass
class _Task:
    """A batch, or a part of one run again after a worker died: results go to slots[start:]."""

    batch: int
    start: int
    items: list[Any]


@dataclass
class _Batch:
    slots: list[Any]
    missing: int = field(init=False)

    def __post_init__(self) -> None:
        self.missing = len(self.slots)


class WorkerPool(Generic[T, R]):
    """`workers` processes, each running `setup()` once and then the function it returns on batches.

    `lost(item, reason)` makes the result for an input whose worker died while it ran alone.
    """

    def __init__(
        self,
        workers: int,
        setup: Callable[[], BatchFunction],
        lost: Callable[[T, str], R],
        in_flight: int = 2,
    ) -> None:
        self.size = max(1, workers)
        self.setup = setup
        self.lost = lost
        self.window = self.size * max(1, in_flight)  # batches submitted and not yet yielded
        self._context = multiprocessing.get_context(
            "fork"
        )  # the parent's loaded models are shared, not pickled
        self._workers: dict[Connection, _Worker] = {}

    def map(self, batches: Iterable[list[T]]) -> Iterator[list[R]]:
        """One list of results per batch, in input order, whatever the workers do."""
        try:
            yield from self._map(iter(batches))
        finally:
            self.close()

    def _map(self, batches: Iterator[list[T]]) -> Iterator[list[R]]:
        queue: deque[_Task] = deque()
        pending: dict[int, _Batch] = {}
        next_out = next_in = 0
        exhausted = False
        while True:
            while not exhausted and next_in - next_out < self.window:
                batch = next(batches, None)
                if batch is None:
                    exhausted = True
                    break
                pending[next_in] = _Batch([None] * len(batch))
                if batch:
                    queue.append(_Task(next_in, 0, list(batch)))
                next_in += 1
            while next_out in pending and pending[next_out].missing == 0:
                yield pending.pop(next_out).slots
                next_out += 1
            if exhausted and next_out == next_in:
                return
            self._dispatch(queue)
            self._collect(queue, pending)

    def _dispatch(self, queue: deque[_Task]) -> None:
        for worker in [w for w in self._workers.values() if w.task is None and not w.process.is_alive()]:
            del self._workers[worker.conn]  # died idle (after its last results): nothing to run again
            worker.discard()
        while len(self._workers) < self.size:
            self._start_worker()
        for worker in self._workers.values():
            if worker.task is None and queue:
                worker.give(queue.popleft())

    def _collect(self, queue: deque[_Task], pending: dict[int, _Batch]) -> None:
        busy = [w for w in self._workers.values() if w.task is not None]
        if not busy:
            return
        ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
        for worker in busy:
            if worker.conn in ready or worker.process.sentinel in ready:
                results = worker.receive()
                if results is None:
                    self._bury(worker, queue, pending)
                else:
                    self._fill(worker, results, pending)

    def _fill(self, worker: _Worker, results: list[Any], pending: dict[int, _Batch]) -> None:
        task, worker.task = worker.task, None
        assert task is not None
        target = pending[task.batch]
        target.slots[task.start : task.start + len(results)] = results
        target.missing -= len(results)

    def _bury(self, worker: _Worker, queue: deque[_Task], pending: dict[int, _Batch]) -> None:
        """A worker died holding a task: run a batch again page by page, or give up on a lone page."""
        task, reason = worker.task, worker.death_reason()
        del self._workers[worker.conn]
        worker.discard(kill=True)
        if task is None:
            return
        if len(task.items) > 1:
            LOG.warning("%s with %d pages in hand: running them again one by one", reason, len(task.items))
            singles = [_Task(task.batch, task.start + i, [item]) for i, item in enumerate(task.items)]
            queue.extendleft(reversed(singles))
            return
        target = pending[task.batch]
        target.slots[task.start] = self.lost(task.items[0], reason)
        target.missing -= 1

    def _start_worker(self) -> None:
        parent_conn, child_conn = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main, args=(child_conn, self.setup, os.getpid()), daemon=True
        )
        process.start()
        child_conn.close()
        self._workers[parent_conn] = _Worker(parent_conn, process)

    def close(self) -> None:
        """Stop every worker now (a generator closed early, Ctrl-C, an error in the caller)."""
        for worker in self._workers.values():
            worker.discard(kill=True)
        self._workers.clear()


class _Worker:
    def __init__(self, conn: Connection, process: Any) -> None:
        self.conn = conn
        self.process = process
        self.task: _Task | None = None

    def give(self, task: _Task) -> None:
        self.task = task
        with contextlib.suppress(OSError):  # died just now: its sentinel fires and the task is run again
            self.conn.send(task.items)

    def receive(self) -> list[Any] | None:
        """The results of its task, or None when it died before sending them (call when it is ready)."""
        if not self.conn.poll():
            return None
        try:
            results: list[Any] = self.conn.recv()
        except (EOFError, OSError):
            return None
        return results

    def death_reason(self) -> str:
        self.process.join(timeout=5)
        code = self.process.exitcode
        if code is not None and code < 0:
            return f"worker died (signal {-code})"
        return f"worker died (exit status {code})"

    def discard(self, kill: bool = False) -> None:
        if kill and self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        with contextlib.suppress(OSError):
            self.conn.close()


def _worker_main(conn: Connection, setup: Callable[[], BatchFunction], parent: int) -> None:
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops the workers
    run = setup()
    while True:
        try:
            items = conn.recv()
        except (EOFError, OSError):
            return  # the parent closed the pool
        conn.send(run(items))


def _die_with_parent(parent: int) -> None:
    """Exit when the parent process dies, however it dies (kill -9 included)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    watchdog = threading.Thread(target=_watch_parent, args=(parent,), daemon=True)
    watchdog.start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)
