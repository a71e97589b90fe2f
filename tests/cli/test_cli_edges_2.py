"""Command-line edges of issue 15, through real subprocesses: a progress bar with a total and time left
when the number of pages is known, and --url / --outlet / --published for plain-text scrapes, which
carry no address, outlet or date of their own (process and ingest alike)."""

from __future__ import annotations

import json
import os
import pty
import sqlite3
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sample_page.txt"
FAST = ("--stages", "decode,clean")
UNCREDITED = (  # a scrape with no outlet credit in it (the sample credits Reuters)
    "Harbour road to close for repairs\n\n"
    "The island's council voted on Tuesday to close the harbour road for three weeks of repairs.\n\n"
    "Engineers found cracks in two supports last month, and traffic has been limited since then.\n\n"
    "Shops along the road said they expected fewer visitors, though the ferry will still run daily.\n"
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "newsdistill.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


def scrapes(folder: Path, count: int) -> Path:
    folder.mkdir()
    for number in range(count):
        # pages of different text, so that none is stored as a copy of another
        text = SAMPLE.read_text(encoding="utf-8") if number == 0 else UNCREDITED.replace("three", str(number))
        (folder / f"scrape_{number}.txt").write_text(text, encoding="utf-8")
    return folder


def test_process_gives_a_plain_text_page_its_url_outlet_and_date() -> None:
    given = ("--url", "https://www.harbourtimes.example.com/sea-wall", "--outlet", "Harbour Times")
    result = run("process", str(SAMPLE), *FAST, *given, "--published", "2024-03-05")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["url"] == "https://www.harbourtimes.example.com/sea-wall"
    assert (article["outlet"], article["published"]) == ("Harbour Times", "2024-03-05")


def test_process_without_an_outlet_takes_the_urls_domain(tmp_path: Path) -> None:
    (tmp_path / "scrape.txt").write_text(UNCREDITED, encoding="utf-8")
    url = "https://news.harbourtimes.example.co.uk/a"
    result = run("process", str(tmp_path / "scrape.txt"), *FAST, "--url", url)
    assert json.loads(result.stdout)["outlet"] == "example.co.uk"


def test_the_given_outlet_and_date_win_over_an_html_pages_own() -> None:
    page = (
        "<html><head><title>Sea wall | Page Own Name</title><meta property='og:site_name' "
        "content='Page Own Name'><meta property='article:published_time' content='2020-01-01'></head>"
        "<body><article><h1>Sea wall</h1><p>The council voted to rebuild the sea wall after the storm "
        "damaged it, and work will start in the spring.</p></article></body></html>"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsdistill.cli",
            "process",
            "-",
            *FAST,
            "--outlet",
            "Harbour Times",
            "--published",
            "2024-03-05",
        ],
        input=page,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    article = json.loads(result.stdout)
    assert (article["outlet"], article["published"]) == ("Harbour Times", "2024-03-05")


def test_ingest_gives_every_scrape_the_outlet_and_date(tmp_path: Path) -> None:
    folder = scrapes(tmp_path / "scrapes", 2)
    db = tmp_path / "corpus.db"
    result = run(
        "ingest",
        str(folder),
        "--db",
        str(db),
        *FAST,
        "--outlet",
        "Harbour Times",
        "--published",
        "2024-03-05",
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as store:
        rows = store.execute("SELECT outlet, published FROM articles").fetchall()
    assert rows == [("Harbour Times", "2024-03-05")] * 2


def test_ingest_takes_a_url_for_one_page(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    url = "https://www.harbourtimes.example.com/sea-wall"
    (tmp_path / "scrape.txt").write_text(UNCREDITED, encoding="utf-8")
    result = run("ingest", str(tmp_path / "scrape.txt"), "--db", str(db), *FAST, "--url", url)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as store:
        assert store.execute("SELECT url, outlet FROM articles").fetchall() == [(url, "example.com")]


def test_a_url_for_several_pages_or_a_bad_date_is_a_usage_error(tmp_path: Path) -> None:
    folder = scrapes(tmp_path / "scrapes", 2)
    url = ("--url", "https://example.com/a")
    for command in (["process"], ["ingest", "--db", str(tmp_path / "x.db")]):
        several = run(*command, str(folder), *FAST, *url)
        assert several.returncode == 2 and "--url names one page" in several.stderr
    assert not (tmp_path / "x.db").exists()
    bad = run("process", str(SAMPLE), "--published", "5 March")
    assert bad.returncode == 2 and "not a date (YYYY-MM-DD)" in bad.stderr


def on_a_terminal(*args: str) -> str:
    """Run the command with its stderr on a pseudo-terminal (where the bar is drawn); what it drew."""
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "newsdistill.cli", *args]
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm"}
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=follower, env=env) as child:
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the child closed its end
                break
            if not chunk:
                break
            drawn += chunk
        child.wait(timeout=180)
    os.close(leader)
    return drawn.decode("utf-8", "replace")


def test_the_progress_bar_shows_the_total_and_time_left(tmp_path: Path) -> None:
    folder = scrapes(tmp_path / "scrapes", 3)
    drawn = on_a_terminal("process", str(folder), *FAST, "-o", str(tmp_path / "out.jsonl"))
    assert "/3 pages" in drawn and "ETA" in drawn, drawn[-500:]
    drawn = on_a_terminal("ingest", str(folder), "--db", str(tmp_path / "corpus.db"), *FAST)
    assert "/3 pages" in drawn and "ETA" in drawn, drawn[-500:]
