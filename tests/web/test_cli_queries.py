"""The query commands (search, who-said, stories) and the command line's rough edges (issue 15, item 11),
run as real subprocesses against a real store."""

from __future__ import annotations

import csv
import gzip
import io
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import free_port


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsdistill.cli", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_query_commands_write_jsonl_and_csv(corpus_db: Path) -> None:
    db = ["--db", str(corpus_db)]
    lines = cli("search", "bridge cracks", *db, "--format", "jsonl").stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["title"].startswith("Harbour bridge closed")
    rows = list(csv.DictReader(io.StringIO(cli("search", "bridge", *db, "--format", "csv").stdout)))
    assert rows and rows[0]["published"].startswith("2024-05-06") and rows[0]["outlet"] == "City Times"
    said = [
        json.loads(line)
        for line in cli("who-said", "Helen Ortiz", *db, "--format", "jsonl").stdout.splitlines()
    ]
    assert said and {"published", "kind", "article"} <= set(said[0]) and said[0]["article"]["outlet"]
    said_csv = list(
        csv.DictReader(io.StringIO(cli("who-said", "Helen Ortiz", *db, "--format", "csv").stdout))
    )
    assert said_csv[0]["speaker"] == "Helen Ortiz" and said_csv[0]["article_outlet"] == "City Times"
    stories = list(csv.DictReader(io.StringIO(cli("stories", *db, "--format", "csv").stdout)))
    assert {"story_id", "story_title", "id", "title", "outlet", "published"} <= set(stories[0])
    story = json.loads(cli("stories", *db, "--format", "jsonl").stdout.splitlines()[0])
    assert "published" in story["articles"][0] and "first_published" in story


@pytest.mark.slow
def test_search_command_reads_the_query_language_and_filters(corpus_db: Path) -> None:
    db = ["--db", str(corpus_db)]
    found = json.loads(cli("search", "bridge -cracks", *db, "--format", "json").stdout)
    assert found == []  # every bridge article has "cracks"
    dated = json.loads(cli("search", "bridge", *db, "--until", "2024-05-01", "--format", "json").stdout)
    assert dated == []
    bad = cli("search", '"open', *db)
    assert bad.returncode == 2 and "quotation mark" in bad.stderr
    table = cli("search", "bridge", *db)
    assert "2024-05-06" in table.stdout and "1 results" in table.stderr


@pytest.mark.parametrize("limit", ["-5", "0", "many"])
def test_limit_must_be_a_positive_number(corpus_db: Path, limit: str) -> None:
    result = cli("search", "bridge", "--db", str(corpus_db), "--limit", limit)
    assert result.returncode == 2 and "--limit" in result.stderr and not result.stdout


def test_a_mistyped_option_shows_the_subcommands_usage(corpus_db: Path) -> None:
    result = cli("search", "bridge", "--db", str(corpus_db), "--limt", "5")
    assert result.returncode == 2
    assert "usage: newsdistill search" in result.stderr and "unrecognized arguments: --limt" in result.stderr


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("search", "(default: newsdistill.db)"),
        ("search", "(default: 50)"),
        ("ingest", "(default: 1)"),
        ("ingest", "(default: decode,clean"),
        ("serve", "(default: 8000)"),
        ("who-said", "(default: table)"),
    ],
)
def test_subcommand_help_states_defaults(command: str, expected: str) -> None:
    assert expected in " ".join(cli(command, "--help").stdout.split())


@pytest.mark.parametrize("command", ["process", "ingest"])
def test_an_empty_folder_is_reported_and_creates_no_store(tmp_path: Path, command: str) -> None:
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    db = tmp_path / "new.db"
    result = cli(command, str(empty), *(["--db", str(db)] if command == "ingest" else []))
    assert result.returncode == 1 and "nothing to read" in result.stderr and "holds no files" in result.stderr
    assert not db.exists() and result.stdout == ""


@pytest.mark.slow
def test_serve_says_where_it_listens_and_a_busy_port_is_one_line(corpus_db: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = cli("serve", "--db", str(corpus_db), "--port", str(port), "--workers", "1")
    assert busy.returncode == 2 and f"cannot listen on 127.0.0.1:{port}: in use" in busy.stderr
    assert "Traceback" not in busy.stderr
    port = free_port()
    command = [sys.executable, "-m", "newsdistill.cli", "serve", "--db", str(corpus_db), "--port", str(port)]
    process = subprocess.Popen([*command, "--workers", "1"], stderr=subprocess.PIPE, text=True)
    try:
        first_line = process.stderr.readline() if process.stderr else ""
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert f"serving {corpus_db} at http://127.0.0.1:{port}/" in first_line and "1 worker" in first_line


def test_ingest_of_a_folder_skips_files_that_are_not_pages_by_name(tmp_path: Path) -> None:
    from newsdistill.corpus.ingest import ingest

    from ..corpus.conftest import BRIDGE, html_page

    folder = tmp_path / "checkout"
    folder.mkdir()
    (folder / "story.html").write_text(html_page("Harbour bridge closed", BRIDGE, "City Times"), "utf-8")
    (folder / "LICENSE").write_text(
        "Permission is hereby granted, free of charge, to any person " * 20, "utf-8"
    )
    (folder / "README.md").write_text(
        "# A project\n\nThis folder holds pages for tests and more words.\n" * 20
    )
    (folder / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><text>Logo text</text></svg>')
    summary = ingest([str(folder)], tmp_path / "corpus.db", stages=["decode", "clean"])
    assert summary.stored == 1
    reasons = dict(summary.skipped)
    assert set(reasons) == {str(folder / name) for name in ("LICENSE", "README.md", "logo.svg")}
    assert reasons[str(folder / "README.md")] == "not a page: Markdown (README.md)"
    assert "project file" in reasons[str(folder / "LICENSE")]
    named = cli("process", str(folder / "README.md"), "--stages", "decode,clean", "--format", "txt")
    assert named.returncode == 0 and "holds pages" in named.stdout  # a file named on purpose is read


@pytest.mark.slow
def test_attribute_refuses_what_is_not_clean_text(tmp_path: Path) -> None:
    from ..corpus.conftest import BRIDGE, html_page

    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    page = tmp_path / "page.html.gz"
    page.write_bytes(gzip.compress(html_page("Harbour bridge closed", BRIDGE, "City Times").encode()))
    for path, reason in ((png, "binary data"), (page, "an HTML page: run newsdistill process")):
        result = cli("attribute", str(path))
        assert result.returncode == 1 and reason in result.stderr and result.stdout == "", path
    text = tmp_path / "said.txt.gz"
    text.write_bytes(gzip.compress(BRIDGE[1].encode()))
    said = json.loads(cli("attribute", str(text)).stdout)
    assert said["attributions"] and "Helen Ortiz" in said["attributions"][0]["source"]["text"]
