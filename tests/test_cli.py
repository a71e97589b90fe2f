"""The command line through a real subprocess: formats, batches, stdin, skips and exit codes."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_page.txt"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "newsdistill.cli", *args]
    return subprocess.run(command, input=stdin, capture_output=True, timeout=120, check=False)


def test_process_json_one_page() -> None:
    result = run("process", str(SAMPLE), "--stages", "decode,clean")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == "Harbour Council Votes to Rebuild Storm-Hit Sea Wall"
    for span in article["paragraphs"]:
        assert article["text"][span["start"] : span["end"]] == span["text"]


def test_batch_with_bad_inputs_goes_on_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "b.txt.gz").write_bytes(gzip.compress(SAMPLE.read_bytes()))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.bin").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "cut.html.gz").write_bytes(gzip.compress(SAMPLE.read_bytes() * 20)[:300])
    out = tmp_path / "out.jsonl"
    result = run("process", str(tmp_path), "--format", "jsonl", "-o", str(out), "--stages", "decode,clean")
    assert result.returncode == 1
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 2 and records[0]["text"] == records[1]["text"]
    stderr = result.stderr.decode()
    assert "empty.txt: empty input" in stderr
    assert "binary.bin: binary data" in stderr
    assert "cut.html.gz: truncated gzip" in stderr
    assert "Traceback" not in stderr


def test_stdin_and_markdown() -> None:
    result = run("process", "-", "--format", "md", "--stages", "decode,clean", stdin=SAMPLE.read_bytes())
    assert result.returncode == 0
    markdown = result.stdout.decode()
    assert markdown.startswith("# Harbour Council Votes to Rebuild Storm-Hit Sea Wall")
    assert "**Captions**" in markdown


def test_txt_format_is_the_clean_text() -> None:
    result = run("process", str(SAMPLE), "--format", "txt", "--stages", "decode,clean")
    assert result.stdout.decode().startswith("The harbour council voted")
    assert "Leave a Reply" not in result.stdout.decode()


def test_missing_file_and_usage_errors() -> None:
    assert run("process", "/nonexistent/page.html").returncode == 1
    assert run("process").returncode == 2
    assert run("process", str(SAMPLE), "--stages", "decode,nosuchstage").returncode == 2


def test_workers_give_the_same_records(tmp_path: Path) -> None:
    for i in range(4):
        (tmp_path / f"p{i}.txt").write_bytes(SAMPLE.read_bytes())
    one = run("process", str(tmp_path), "--format", "jsonl", "--stages", "decode,clean")
    two = run("process", str(tmp_path), "--format", "jsonl", "--stages", "decode,clean", "--workers", "2", "--batch-size", "1")
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout
