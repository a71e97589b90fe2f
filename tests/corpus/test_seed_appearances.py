"""The goal row of issue 14 on the seed: the seed, a copy with other chrome and a copy from another URL
are one article with three appearances, and the copy credits Daily Mail and links to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdistill.corpus.ingest import ingest
from newsdistill.corpus.store import Store

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_654be0a9bebca5c9.txt"
OTHER_CHROME = "Share this story\n\nFollow us on Facebook\n\n"
COPY_URL = "https://www.news-aggregator.example/world/putin-mortally-wounded"


def write_seed_copies(folder: Path, seed: str) -> list[Path]:
    """The seed; a copy with other site chrome and straight quotes; the seed's text under another URL."""
    folder.mkdir(parents=True, exist_ok=True)
    straight = seed.replace("‘", "'").replace("’", "'").replace("“", '"').replace("”", '"')
    chrome = OTHER_CHROME + straight.replace("Sign Up for Our Newsletters", "Get our morning briefing")
    paths = [folder / "seed.txt", folder / "chrome_copy.txt", folder / "url_copy.jsonl"]
    paths[0].write_text(seed, encoding="utf-8")
    paths[1].write_text(chrome, encoding="utf-8")
    paths[2].write_text(json.dumps({"id": "copy", "url": COPY_URL, "text": seed}) + "\n", encoding="utf-8")
    return paths


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seed is absent: the seed goal row needs it")
def test_seed_and_two_copies_are_one_article_with_three_appearances(tmp_path: Path) -> None:
    paths = write_seed_copies(tmp_path / "pages", SEED.read_text(encoding="utf-8"))
    db = tmp_path / "corpus.db"
    summary = ingest([str(p) for p in paths], db, stages=("decode", "clean"))
    assert summary.line().startswith("3 appearances: 1 new article")
    store = Store(db, readonly=True)
    assert store.counts()["articles"] == 1
    timeline = store.appearances(1)
    assert [Path(p["input_id"]).name for p in timeline] == ["seed.txt", "chrome_copy.txt", "url_copy.jsonl:1"]
    copy = timeline[2]
    assert copy["outlet"] == "news-aggregator.example" and copy["url"] == COPY_URL
    assert copy["credited_outlet"] == "Daily Mail"
    assert copy["credited_input_id"] == timeline[0]["input_id"]  # the seed, whose credit names Daily Mail
