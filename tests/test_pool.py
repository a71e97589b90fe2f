"""The worker pool: input order, a worker that dies costs one page, workers die with their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from newsdistill import Article, Pipeline, RawDocument


class DieOn:
    """Kills its own process on a page saying 'die', as the OOM killer or a segfault would."""

    name = "die_on"

    def __call__(self, article: Article) -> Article:
        text = str(article.raw.data if article.raw else "")
        if "die" in text:
            os.kill(os.getpid(), signal.SIGKILL)
        article.text = text.upper()
        return article


def test_a_worker_killed_mid_run_costs_only_its_page() -> None:
    texts = [f"page {i}" for i in range(40)]
    texts[17] = "die here"
    docs = [RawDocument(id=str(i), data=t) for i, t in enumerate(texts)]
    results = list(Pipeline([DieOn()]).pipe(docs, batch_size=4, n_process=2))
    assert [r.id for r in results] == [str(i) for i in range(40)]
    assert results[17].article is None and results[17].error == "worker died (signal 9)"
    assert [r.article.text for r in results if r.article] == [t.upper() for t in texts if t != "die here"]


def test_two_deadly_pages_in_one_batch_are_each_skipped() -> None:
    texts = ["a", "die 1", "b", "die 2", "c"]
    docs = [RawDocument(id=str(i), data=t) for i, t in enumerate(texts)]
    results = list(Pipeline([DieOn()]).pipe(docs, batch_size=5, n_process=2))
    assert [r.article.text if r.article else r.error for r in results] == [
        "A",
        "worker died (signal 9)",
        "B",
        "worker died (signal 9)",
        "C",
    ]


SLOW_RUN = """
import os, sys, time
from newsdistill import Article, Pipeline, RawDocument

class Slow:
    name = "slow"
    def __call__(self, article: Article) -> Article:
        with open(sys.argv[1], "a") as pids:
            pids.write(f"{os.getpid()}\\n")
        time.sleep(60)
        return article

docs = [RawDocument(id=str(i), data="x") for i in range(8)]
for _ in Pipeline([Slow()], page_timeout=None).pipe(docs, batch_size=1, n_process=2):
    pass
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead, just not yet reaped by whoever adopted it.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[-1][0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_exit_within_5_s_of_their_parent_being_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    pid_file.touch()
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent(SLOW_RUN), str(pid_file)])
    deadline = time.monotonic() + 60
    while len(pid_file.read_text().split()) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = [int(p) for p in pid_file.read_text().split()]
    assert len(workers) >= 2
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    killed_at = time.monotonic()
    while any(_alive(w) for w in workers) and time.monotonic() - killed_at < 10:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers), "workers outlived their parent"
    assert time.monotonic() - killed_at < 5
