"""The command line through a real subprocess: formats, batches, stdin, skips and exit codes."""

from __future__ import annotations

import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

import pytest

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
    two = run(
        "process",
        str(tmp_path),
        "--format",
        "jsonl",
        "--stages",
        "decode,clean",
        "--workers",
        "2",
        "--batch-size",
        "1",
    )
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout


def _jsonl(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _sample_line(record_id: str | int, marker: str = "") -> str:
    text = SAMPLE.read_text(encoding="utf-8")
    return json.dumps(
        {"id": record_id, "text": text.replace("harbour council voted", f"harbour council {marker}voted")}
    )


def _no_traceback(result: subprocess.CompletedProcess[bytes]) -> str:
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr, stderr
    return stderr


@pytest.mark.slow
def test_a_lone_surrogate_crashes_nothing(tmp_path: Path) -> None:
    surrogate = _sample_line("s").replace("sea wall", "sea \\ud800 wall", 1)
    assert "\\ud800" in surrogate
    path = _jsonl(tmp_path / "pages.jsonl", surrogate, _sample_line("good", "also "))
    out = tmp_path / "out.jsonl"
    result = run("process", str(path), "--stages", "decode,clean", "--format", "jsonl", "-o", str(out))
    _no_traceback(result)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["record_id"] for r in records] == ["s", "good"] and "\ufffd" in records[0]["text"]
    assert result.returncode == 0
    sharded = _sharded_run(path, tmp_path / "shards")
    _no_traceback(sharded)
    assert sharded.returncode == 0 and not list((tmp_path / "shards").glob("*.tmp"))
    assert len((tmp_path / "shards" / "part-00000.jsonl").read_text(encoding="utf-8").splitlines()) == 2
    ingested = run("ingest", str(path), "--db", str(tmp_path / "news.db"), "--stages", "decode,clean")
    assert "2 stored" in _no_traceback(ingested) and ingested.returncode == 0


def _sharded_run(path: Path, out: Path) -> subprocess.CompletedProcess[bytes]:
    """`process --engine local` of one input into the folder `out`, decode and clean only."""
    return run(
        "process",
        str(path),
        "--stages",
        "decode,clean",
        "--engine",
        "local",
        "--workers",
        "1",
        "-o",
        str(out),
        "--no-progress",
    )


@pytest.mark.slow
def test_deep_json_is_one_skip_and_the_pages_around_it_are_written(tmp_path: Path) -> None:
    deep = 100_000
    path = _jsonl(
        tmp_path / "deep.jsonl", _sample_line(1), "[" * deep + "]" * deep, _sample_line(3, "again ")
    )
    out = tmp_path / "out.jsonl"
    result = run("process", str(path), "--stages", "decode,clean", "--format", "jsonl", "-o", str(out))
    assert f"skipped {path}:2: JSON nested too deeply" in _no_traceback(result)
    assert result.returncode == 1 and len(out.read_text().splitlines()) == 2
    sharded = _sharded_run(path, tmp_path / "shards")
    assert sharded.returncode == 1 and "JSON nested too deeply: 1" in _no_traceback(sharded)
    assert len((tmp_path / "shards" / "part-00000.jsonl").read_text().splitlines()) == 2


@pytest.mark.slow
def test_the_same_record_id_in_two_files_is_two_inputs(tmp_path: Path) -> None:
    a = _jsonl(tmp_path / "a.jsonl", _sample_line(1))
    b = _jsonl(tmp_path / "b.jsonl", _sample_line(1, "again "))
    outputs = []
    for size in ("1", "16"):
        result = run("process", str(a), str(b), "--stages", "decode,clean", "--batch-size", size)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    records = [json.loads(line) for line in outputs[0].splitlines()]
    assert [(r["id"], r["record_id"]) for r in records] == [(f"{a}:1", "1"), (f"{b}:1", "1")]
    assert outputs[0] == outputs[1]
    db = str(tmp_path / "news.db")
    assert "1 stored" in run("ingest", str(a), "--db", db, "--stages", "decode,clean").stderr.decode()
    second = run("ingest", str(b), "--db", db, "--stages", "decode,clean").stderr.decode()
    assert "1 stored" in second and "0 already ingested" in second


def _cap_address_space() -> None:
    """A 2 GiB address-space cap, so a whole-file read fails fast instead of filling a shared machine."""
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))


# The child writes its own peak (VmHWM) at exit: the ru_maxrss that wait4 gives counts the pytest process's
# pages too, which the forked child holds until it execs (a suite that has loaded models reads 550 MB).
_MEASURED_CLI = """
import atexit, re, sys
out = sys.argv[1]
def peak():
    status = open('/proc/self/status').read()
    open(out, 'w').write(re.search(r'VmHWM:\\s+(\\d+)', status).group(1))
atexit.register(peak)
from newsdistill.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _run_measured(args: list[str], stdin: IO[bytes] | None = None) -> tuple[int, str, int, float]:
    """Run the CLI and return (exit status, stderr, peak RSS in MB of that one child, seconds)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as peak:
        process = subprocess.Popen(
            [sys.executable, "-c", _MEASURED_CLI, peak.name, *args],
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=err,
            preexec_fn=_cap_address_space,
        )
        process.wait()
        err.seek(0)
        peak_kb = int(peak.read() or 0)
        return process.returncode, err.read().decode(), peak_kb // 1024, time.perf_counter() - started


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_6_gb_file_is_skipped_by_its_size_quickly_and_with_little_memory(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    with big.open("wb") as sparse:
        sparse.truncate(6 * 1024**3)
    code, stderr, peak_mb, seconds = _run_measured(["process", str(big), "--stages", "decode,clean"])
    assert code == 1 and f"skipped {big}: file is 6,144 MB, over the 50 MB limit\n" in stderr
    assert "Traceback" not in stderr and peak_mb < 400 and seconds < 60
    with big.open("rb") as stdin:  # stdin has no size to check: the read itself is bounded
        code, stderr, peak_mb, seconds = _run_measured(["process", "-", "--stages", "decode,clean"], stdin)
    assert code == 1 and "skipped <stdin>: input over the 50 MB limit" in stderr
    assert "Traceback" not in stderr and peak_mb < 400 and seconds < 60


@pytest.mark.timeout(60)
def test_a_fifo_given_as_a_path_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsdistill.cli",
            "process",
            str(fifo),
            str(SAMPLE),
            "--stages",
            "decode,clean",
        ],
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1 and f"skipped {fifo}: not a regular file (FIFO)" in _no_traceback(result)
    assert json.loads(result.stdout)["title"] == "Harbour Council Votes to Rebuild Storm-Hit Sea Wall"


def test_output_into_a_missing_folder_is_one_clean_error(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.json"
    result = run("process", str(SAMPLE), "--stages", "decode,clean", "-o", str(target))
    assert result.returncode == 2
    assert _no_traceback(result).splitlines() == [
        f"newsdistill: cannot write {target}: No such file or directory"
    ]


def test_a_newline_in_a_file_name_cannot_split_its_skip_line(tmp_path: Path) -> None:
    forged = tmp_path / "a\nnewsdistill: skipped passwd: forged"
    forged.write_bytes(b"")
    result = run("process", str(tmp_path), "--stages", "decode,clean")
    lines = _no_traceback(result).splitlines()
    assert len(lines) == 2 and lines[0].startswith("newsdistill: skipped ") and "\\n" in lines[0]
    assert lines[0].endswith(": empty input") and lines[1] == "newsdistill: 0 processed, 1 skipped"


def test_shard_writer_leaves_no_tmp_file_when_writing_fails(tmp_path: Path) -> None:
    from newsdistill.scale.writers import write_jsonl

    with pytest.raises(UnicodeEncodeError):
        write_jsonl(tmp_path / "part-00000.jsonl", [{"id": "x", "text": "ok"}, {"id": "y", "text": "\ud800"}])
    assert list(tmp_path.iterdir()) == []


def test_field_option_leaves_the_default_fields_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from newsdistill import cli
    from newsdistill.inputs.containers import CONTENT_FIELDS

    before = list(CONTENT_FIELDS)
    path = _jsonl(tmp_path / "pages.jsonl", json.dumps({"body": SAMPLE.read_text(encoding="utf-8")}))
    assert cli.main(["process", str(path), "--field", "body", "--stages", "decode,clean"]) == 0
    assert (
        json.loads(capsys.readouterr().out)["title"] == "Harbour Council Votes to Rebuild Storm-Hit Sea Wall"
    )
    assert list(CONTENT_FIELDS) == before


def test_a_store_inside_the_folder_it_ingests_is_not_an_input(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(SAMPLE.read_bytes())
    db = tmp_path / "news.db"
    for _ in range(2):  # the second run finds the store, its log and shared memory beside the page
        result = run("ingest", str(tmp_path), "--db", str(db), "--stages", "decode,clean")
        assert result.returncode == 0, result.stderr
        assert "newsdistill: skipped" not in _no_traceback(result)
    assert "1 already ingested, 0 skipped" in result.stderr.decode()


def test_an_output_file_or_shard_folder_inside_the_input_folder_is_not_read_back(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(SAMPLE.read_bytes())
    out = tmp_path / "out.jsonl"
    for _ in range(2):
        result = run(
            "process", str(tmp_path), "--format", "jsonl", "-o", str(out), "--stages", "decode,clean"
        )
        assert result.returncode == 0, _no_traceback(result)
        assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [str(tmp_path / "a.txt")]
    out.unlink()
    shards = tmp_path / "shards"
    for _ in range(2):  # the second run would read the first one's shard as JSONL input
        result = run(
            "process", str(tmp_path), "--engine", "local", "-o", str(shards), "--stages", "decode,clean"
        )
        assert result.returncode == 0, _no_traceback(result)
    rows = [json.loads(line) for line in (shards / "part-00000.jsonl").read_text().splitlines()]
    assert [row["id"] for row in rows] == [str(tmp_path / "a.txt")]


def test_an_output_folder_that_holds_the_input_folder_leaves_the_inputs_in(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_bytes(SAMPLE.read_bytes())
    result = run("process", str(pages), "--engine", "local", "-o", str(tmp_path), "--stages", "decode,clean")
    assert result.returncode == 0, _no_traceback(result)
    assert "1 shards written" in result.stderr.decode()


def test_attributions_of_a_text_over_the_parse_limit_are_refused_in_one_line(tmp_path: Path) -> None:
    long = tmp_path / "long.txt"
    long.write_text("The council voted to rebuild the sea wall, officials said.\n\n" * 9_000)
    result = run("attribute", str(long))
    assert result.returncode == 1 and result.stdout == b""
    assert _no_traceback(result).splitlines() == [
        f"newsdistill: skipped {long}: text of 540,000 characters is over the 500,000 that entities and "
        "attribution parse"
    ]


def test_a_text_over_the_parse_limit_is_stored_with_its_warning(tmp_path: Path) -> None:
    long = tmp_path / "long.txt"
    long.write_text(
        "".join(f"Paragraph {i} says the council voted to rebuild the sea wall.\n\n" for i in range(9_000))
    )
    db = tmp_path / "news.db"
    result = run("ingest", str(long), "--db", str(db))
    assert result.returncode == 0, _no_traceback(result)
    assert (
        "1 new article" in result.stderr.decode()
        and "entities and attribution not run" in result.stderr.decode()
    )
    import sqlite3

    with sqlite3.connect(db) as store:
        assert store.execute("SELECT count(*) FROM articles").fetchone() == (1,)
