"""A search that runs past its CPU budget is stopped with a 400 that says why, on a real server: searches
run on a worker's event loop, and one query (`w*` on a large store) would otherwise hold it for a minute."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from newsdistill.web.app import create_app, past_deadline

from .conftest import serving

PATHS = ("/?q=r*+OR+h*+OR+v*", "/api/search?q=r*+OR+h*+OR+v*")


def test_a_search_past_its_budget_is_a_400_that_says_why(search_db: Path) -> None:
    with serving(create_app(search_db, search_seconds=1e-9)) as base:
        for path in PATHS:
            answer = httpx.get(base + path, timeout=30)
            assert answer.status_code == 400, path
            assert "took more than 1e-09 s and was stopped" in answer.text, path
        # the next request on the same connection is not stopped: the budget is the search's alone
        assert httpx.get(base + "/articles/1", timeout=30).status_code == 200
        assert httpx.get(base + "/api/stories", timeout=30).status_code == 200


def test_the_same_searches_within_the_default_budget_are_answered(base: str) -> None:
    for path in (*PATHS, "/api/search/timeline?q=r*+OR+h*+OR+v*"):
        assert httpx.get(base + path, timeout=30).status_code == 200, path


def test_the_deadline_counts_this_threads_cpu_not_the_wall() -> None:
    over = past_deadline(0.05)
    time.sleep(0.1)  # wall time passes, CPU time does not
    assert not over()
    spent = time.thread_time()
    while time.thread_time() - spent < 0.06:
        pass
    assert over()
