"""The start page's overview is rebuilt by one thread at a time, and search pages never wait for it."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from newsdistill.web import app as web_app


def test_a_stale_overview_is_rebuilt_once_while_others_serve_the_old_one(
    corpus_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = web_app.StorePool(corpus_db)
    rebuilt = []

    def slow_overview(store: Any) -> dict[str, Any]:
        rebuilt.append(1)
        time.sleep(0.5)  # a large store's story list takes about a second
        return {"counts": {"articles": len(rebuilt)}}

    monkeypatch.setattr(web_app, "recent_overview", slow_overview)
    first = pool.overview()
    pool.overview_cache = (float("-inf"), first)  # stale, as OVERVIEW_SECONDS later
    answers: list[dict[str, Any]] = []
    threads = [threading.Thread(target=lambda: answers.append(pool.overview())) for _ in range(16)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(rebuilt) == 2  # the first build and one rebuild, not one per request
    assert time.monotonic() - started < 2.0
    assert all(answer["counts"]["articles"] in (1, 2) for answer in answers)


def test_a_search_page_does_not_build_the_overview(corpus_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    def forbidden(store: Any) -> dict[str, Any]:
        raise AssertionError("a search page built the start page's overview")

    monkeypatch.setattr(web_app, "recent_overview", forbidden)
    client = TestClient(web_app.create_app(corpus_db), base_url="http://127.0.0.1")
    assert client.get("/?q=bridge").status_code == 200
