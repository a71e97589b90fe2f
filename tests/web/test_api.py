"""The JSON API and pages through a real server on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from newsdistill.web.app import safe_url

from .conftest import free_port


def test_search_api(server: str) -> None:
    hits = httpx.get(f"{server}/api/search", params={"q": "bridge cracks"}).json()
    assert hits and {"id", "title", "outlet", "url", "snippet"} <= set(hits[0])
    assert hits[0]["title"].startswith("Harbour bridge closed")


def test_article_api_and_404(server: str) -> None:
    hits = httpx.get(f"{server}/api/search", params={"q": "festival"}).json()
    article = httpx.get(f"{server}/api/articles/{hits[0]['id']}").json()
    assert article["attributions"] and article["text"]
    assert httpx.get(f"{server}/api/articles/999999").status_code == 404
    assert httpx.get(f"{server}/api/articles/1%20OR%201=1").status_code == 404


def test_stories_mark_republications(server: str) -> None:
    stories = httpx.get(f"{server}/api/stories").json()
    bridge = next(s for s in stories if len(s["articles"]) == 2)
    original, copy = bridge["articles"]
    assert original["duplicate_of"] is None and copy["duplicate_of"] == original["id"]


def test_appearances_api_and_the_pages_timelines(server: str) -> None:
    hits = httpx.get(f"{server}/api/search", params={"q": "bridge cracks"}).json()
    assert len(hits) == 1 and hits[0]["copies"] == 1  # the near copy folds into its original's row
    timeline = httpx.get(f"{server}/api/articles/{hits[0]['id']}/appearances").json()
    assert [(p["outlet"], p["original"]) for p in timeline] == [("City Times", True), ("Content Farm", False)]
    assert {"article_id", "input_id", "url", "title", "published", "ingested_at"} <= set(timeline[0])
    assert httpx.get(f"{server}/api/articles/999999/appearances").status_code == 404
    copy = httpx.get(f"{server}/api/articles/{timeline[1]['article_id']}").json()
    assert copy["appearances"] == timeline
    for path in (f"/articles/{copy['id']}", f"/stories/{copy['story_id']}"):
        section = httpx.get(f"{server}{path}").text.split('class="appearances"', 1)[1]
        assert "Appeared in 2 outlets" in section
        assert section.index("City Times") < section.index("Content Farm")
        assert f'href="/articles/{timeline[0]["article_id"]}"' in section


def test_who_said_api(server: str) -> None:
    said = httpx.get(f"{server}/api/who-said", params={"name": "Helen Ortiz"}).json()
    assert said and said[0]["speaker"] == "Helen Ortiz"
    # what a fact-checker needs: when, how (kind, medium), where (the article's outlet and URL), and the
    # quote's spread: the bridge copy repeats Ortiz's words, so her quote has two outlets, City Times first
    assert set(said[0]) == {
        "speaker",
        "entity_id",
        "content",
        "cue",
        "kind",
        "act",
        "medium",
        "published",
        "article_id",
        "outlet",
        "article",
        "quote_id",
        "outlets",
        "articles",
        "first_seen",
    }
    assert len(said) == 1 and said[0]["outlets"] == 2 and said[0]["first_seen"]["outlet"] == "City Times"
    every = httpx.get(f"{server}/api/who-said", params={"name": "Helen Ortiz", "all": "true"}).json()
    assert len(every) == 2 and {s["quote_id"] for s in every} == {said[0]["quote_id"]}
    assert said[0]["kind"] and said[0]["published"].startswith("2024-05-06")
    assert {"id", "title", "outlet", "url"} <= set(said[0]["article"]) and said[0]["article"]["outlet"]
    csv = httpx.get(f"{server}/api/who-said", params={"name": "Helen Ortiz", "format": "csv"})
    assert csv.text.startswith("speaker,content,cue,kind,medium,published,article_id,article_title")
    assert "article_url,quote_id,outlets,first_seen_outlet,first_seen_published" in csv.text.splitlines()[0]


def test_quote_api_and_page(server: str) -> None:
    said = httpx.get(f"{server}/api/who-said", params={"name": "Helen Ortiz"}).json()
    quote = httpx.get(f"{server}/api/quotes/{said[0]['quote_id']}").json()
    assert {"id", "speaker", "entity_id", "text", "variants", "first_seen", "articles", "outlets"} <= set(
        quote
    )
    assert quote["speaker"] == "Helen Ortiz" and quote["outlets"] == ["City Times", "Content Farm"]
    assert quote["first_seen"]["article_id"] == quote["articles"][0]
    page = httpx.get(f"{server}/quotes/{quote['id']}")
    assert page.status_code == 200 and "Appeared in 2 outlets" in page.text and "1 wording" in page.text
    assert page.text.index("City Times") < page.text.index("Content Farm")
    assert httpx.get(f"{server}/api/quotes/999999").status_code == 404
    assert httpx.get(f"{server}/quotes/999999").status_code == 404
    entity = httpx.get(f"{server}/entities", params={"name": "Helen Ortiz"}).text
    assert f'href="/quotes/{quote["id"]}"' in entity


def test_security_headers_and_limits(server: str) -> None:
    response = httpx.get(f"{server}/")
    policy = response.headers["content-security-policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert httpx.post(f"{server}/api/search", content=b"x" * 100_000).status_code == 413
    assert httpx.get(f"{server}/api/search", params={"q": "x" * 1000}).status_code == 422
    assert "openapi" in httpx.get(f"{server}/openapi.json").text


def test_pages_escape_hostile_content(server: str) -> None:
    hits = httpx.get(f"{server}/api/search", params={"q": "crowd peaceful"}).json()
    hostile = next(h for h in hits if "Festival" in (h["title"] or ""))
    page = httpx.get(f"{server}/articles/{hostile['id']}").text
    assert "<script>window.__xss" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    assert 'href="javascript:' not in page


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.org/x", "https://a.org/x"),
        ("javascript:alert(1)", "#"),
        ("JAVASCRIPT:alert(1)", "#"),
        (None, "#"),
        ("data:text/html,x", "#"),
    ],
)
def test_safe_url(url: str | None, expected: str) -> None:
    assert safe_url(url) == expected


def test_story_page_is_a_timeline_with_the_copy_marked(server: str) -> None:
    stories = httpx.get(f"{server}/api/stories").json()
    bridge = next(s for s in stories if len(s["articles"]) == 2)
    single = httpx.get(f"{server}/api/stories/{bridge['id']}").json()
    assert {key: single[key] for key in bridge} == bridge and single["outlets"] == 2  # plus its appearances
    assert httpx.get(f"{server}/api/stories/999999").status_code == 404
    page = httpx.get(f"{server}/stories/{bridge['id']}").text
    original, copy = bridge["articles"]
    assert page.index(f'href="/articles/{original["id"]}"') < page.index(f'href="/articles/{copy["id"]}"')
    assert page.count('class="republished"') == 1 and "republication of" in page
    assert "<time>2024-05-06</time>" in page and "<time>2024-05-08</time>" in page


def test_entity_page_lists_what_was_said(server: str) -> None:
    page = httpx.get(f"{server}/entities", params={"name": "Ortiz"}).text
    assert "What Helen Ortiz said" in page  # the one person the surname names
    assert "the closure would last at least six months" in page
    empty = httpx.get(f"{server}/entities", params={"name": "<b>Nobody</b>"}).text
    assert "No attributions found for &lt;b&gt;Nobody&lt;/b&gt;" in empty


def test_search_page_marks_matches_and_escapes_the_rest(server: str) -> None:
    page = httpx.get(f"{server}/", params={"q": "cracks"}).text
    assert "<mark>cracks</mark>" in page
    hostile = httpx.get(f"{server}/", params={"q": "spokesman"}).text
    assert "&lt;script&gt;" in hostile and "<script>window" not in hostile


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_serve_command_answers_on_the_given_port(corpus_db: Path, tmp_path: Path, workers: int) -> None:
    port = free_port()
    options = ["--port", str(port), "--workers", str(workers), "--allowed-host", "news.example"]
    command = [sys.executable, "-m", "newsdistill.cli", "serve", "--db", str(corpus_db), *options]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base, spawned = f"http://127.0.0.1:{port}", []
    try:
        deadline, stories = time.monotonic() + 60, None
        while stories is None and time.monotonic() < deadline and process.poll() is None:
            try:
                stories = httpx.get(f"{base}/api/stories", timeout=2).json()
            except httpx.TransportError:
                time.sleep(0.2)
        assert stories, process.stderr.read().decode() if process.poll() is not None else "no answer"
        assert httpx.get(f"{base}/api/stories", headers={"Host": "news.example"}).status_code == 200
        assert httpx.get(f"{base}/api/stories", headers={"Host": "evil.example"}).status_code == 400
        spawned = worker_processes(process.pid)
        assert len(spawned) == (workers if workers > 1 else 0)
    finally:
        process.terminate()
        process.wait(timeout=20)
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in spawned) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in spawned), "workers outlived the server"
    missing = subprocess.run(
        [*command[:4], "--db", str(tmp_path / "none.db"), *options], capture_output=True, timeout=60
    )
    assert missing.returncode == 2 and b"run newsdistill ingest first" in missing.stderr


def worker_processes(parent: int) -> list[int]:
    """The worker processes uvicorn spawned (it spawns none for a single worker)."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def test_api_pages_are_served_from_the_package_with_no_inline_script(server: str) -> None:
    pytest.importorskip("fastapi_offline", reason="the API pages' assets come from fastapi-offline")
    for path in ("/docs", "/redoc"):
        page = httpx.get(server + path)
        assert page.status_code == 200 and "<script>" not in page.text  # every script has a src
        assert "cdn." not in page.text and "https://" not in page.text
        for src in [part.split('"')[0] for part in page.text.split('src="')[1:]]:
            assert src.startswith("/") and httpx.get(server + src).status_code == 200, src
    assert b"cdn.redoc.ly" not in httpx.get(server + "/docs-assets/redoc.standalone.js").content
    assert "script-src 'self'" in httpx.get(server + "/redoc").headers["content-security-policy"]
