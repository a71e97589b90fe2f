"""A real corpus store and a real uvicorn server on 127.0.0.1, shared by the web tests."""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from newsdistill.corpus.ingest import ingest
from newsdistill.web.app import create_app
from newsdistill.web.server import uvicorn_options

from ..corpus.conftest import BRIDGE, FESTIVAL, html_page

# Private-use characters, which the search page once used as its own match markers.
PRIVATE_USE = (
    "The chamber orchestra said its \ue000violinists\ue001 would tour abroad next spring "
    "with a new programme."
)
XSS = "<img src=x onerror=\"window.__xss=1;document.title='pwned'\"><script>window.__xss=1</script>"


def escaped(payload: str) -> str:
    return payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def hostile_page() -> str:
    quote = (
        f"“{escaped(XSS)} is what we will do,” the spokesman said on Monday, according to reporters there."
    )
    body = "".join(f"<p>{p}</p>" for p in [*FESTIVAL, quote])
    caption = f"<figure><figcaption>{escaped(XSS)} crowd at night</figcaption></figure>"
    return (
        f"<html><head><title>Festival {escaped(XSS)}</title>"
        f"<meta property='og:url' content='javascript:window.__xss=1'></head><body><article>"
        f"<h1>Festival {escaped(XSS)}</h1>{body}{caption}</article></body></html>"
    )


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web_pages")
    (folder / "bridge.html").write_text(
        html_page("Harbour bridge closed", BRIDGE, "City Times"), encoding="utf-8"
    )
    (folder / "bridge_copy.html").write_text(
        html_page(
            "Harbour bridge closed again",
            [*BRIDGE[:3], "See also: beaches"],
            "Content Farm",
            date="2024-05-08",
        ),
        encoding="utf-8",
    )
    (folder / "hostile.html").write_text(hostile_page(), encoding="utf-8")
    (folder / "private_use.html").write_text(
        html_page("Orchestra tour", [PRIVATE_USE, *FESTIVAL[2:]], "Music Weekly"), encoding="utf-8"
    )
    db = tmp_path_factory.mktemp("web_db") / "corpus.db"
    summary = ingest([str(folder)], db)
    assert summary.stored == 4
    return db


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """`app` under uvicorn on a free port of 127.0.0.1, with the options `newsdistill serve` uses."""
    port = free_port()
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **uvicorn_options()))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert instance.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def server(corpus_db: Path) -> Iterator[str]:
    with serving(create_app(corpus_db)) as base:
        yield base


CLEAN = ["decode", "clean"]
PAGES = {
    "wounded.html": (
        "Soldier mortally wounded",
        "A soldier was mortally wounded near the border on Friday.",
        "Daily Post",
        "2024-03-01",
    ),
    "reversed.html": (
        "Wounded, mortally, said the report",
        "The report said wounded mortally were left behind there.",
        "Evening Star",
        "2024-03-02",
    ),
    "putin.html": (
        "Putin speaks",
        "Putin spoke to the parliament about the economy and the budget.",
        "Daily Post",
        "2024-03-03",
    ),
    "wagner.html": (
        "Putin and Wagner",
        "Putin met the Wagner group leaders at a closed meeting.",
        "Evening Star",
        "2024-03-04",
    ),
    "tokyo.html": (
        "東京都の知事選挙",
        "東京都知事選挙は七月に行われ、多くの候補者が立候補した。",
        "Nikkei Test",
        "2024-03-05",
    ),
}


VOCABULARY = (
    "river market school winter bridge garden letter station engine island forest doctor teacher museum "
    "harbour village summer castle orchard library theatre factory airport stadium hospital canal bakery "
    "mountain valley meadow tunnel lantern compass anchor pepper violin marble copper silver granite"
).split()


def page_text(title: str, sentence: str, outlet: str, date: str) -> str:
    """A page of its own: enough words drawn for it alone that no two pages are near copies."""
    draw = random.Random(title)
    paragraphs = [sentence]
    for _ in range(4):
        words = " ".join(draw.choice(VOCABULARY) for _ in range(18))
        paragraphs.append(f"Residents spoke of the {words} in the weeks that followed the events here.")
    return html_page(title, paragraphs, outlet, date=date)


@pytest.fixture(scope="session")
def search_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("search_pages")
    for name, (title, sentence, outlet, date) in PAGES.items():
        (folder / name).write_text(page_text(title, sentence, outlet, date), encoding="utf-8")
    for number in range(25):  # enough results for two pages of 20
        sentence = (
            f"Harvest number {number} brought the farmers of valley {number * 7} a record crop of pears."
        )
        day = f"2023-{1 + number % 12:02d}-{1 + number:02d}"
        (folder / f"harvest{number}.html").write_text(
            page_text(f"Harvest report {number}", sentence, "Farm News", day), encoding="utf-8"
        )
    db = tmp_path_factory.mktemp("search_db") / "corpus.db"
    assert ingest([str(folder)], db, stages=CLEAN).stored == 30
    return db


@pytest.fixture(scope="session")
def base(search_db: Path) -> Iterator[str]:
    """A server over search_db: 30 pages (phrases, CJK, 25 of one subject for paging)."""
    with serving(create_app(search_db)) as url:
        yield url
