"""Sharded runs over WARC / JSONL / Parquet: both engines, skipped records, resume, duplicates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsdistill.ingest.containers import read_jsonl, read_warc
from newsdistill.ingest.readers import ReadError
from newsdistill.ingest.writers import read_records
from newsdistill.scale.engine import MANIFEST, run

CLEAN = ("decode", "clean")


def test_warc_reader_keeps_pages_and_explains_the_rest(warc_file: Path) -> None:
    items = list(read_warc(warc_file, "auto"))
    pages = [i for i in items if not isinstance(i, ReadError)]
    skipped = {i.id.split("#")[1]: i.reason for i in items if isinstance(i, ReadError)}
    assert [p.url for p in pages][:2] == ["https://example.org/0", "https://example.org/1"]
    assert len(pages) == 7
    assert skipped == {"https://example.org/missing": "HTTP status 404", "https://example.org/logo.png": "not a page (image/png)"}


def test_truncated_warc_skips_with_a_reason_and_keeps_the_rest(warc_file: Path, tmp_path: Path) -> None:
    data = warc_file.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    items = list(read_warc(cut, "auto"))
    pages = [i for i in items if not isinstance(i, ReadError)]
    errors = [i for i in items if isinstance(i, ReadError)]
    assert 1 <= len(pages) < 7
    assert errors and "rest of file skipped" in errors[-1].reason


def test_jsonl_field_and_bad_lines(jsonl_file: Path) -> None:
    from newsdistill.ingest import containers

    items = list(read_jsonl(jsonl_file, "auto"))
    assert isinstance(items[1], ReadError) and "bad JSON" in items[1].reason
    assert all("no text field" in i.reason for i in items if isinstance(i, ReadError) and i is not items[1])
    containers.CONTENT_FIELDS.insert(0, "body")
    try:
        docs = [i for i in read_jsonl(jsonl_file, "auto") if not isinstance(i, ReadError)]
    finally:
        containers.CONTENT_FIELDS.remove("body")
    assert [d.id for d in docs] == ["doc0", "doc1", "doc2"]


def test_local_run_to_parquet_reads_back(warc_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run([str(warc_file)], out, fmt="parquet", workers=2, stages=CLEAN, shard_size=3)
    assert summary.processed == 7 and len(summary.skipped) == 2
    table = pq.read_table(sorted(out.glob("part-*.parquet"))[0])
    assert {"id", "url", "text", "removed", "duplicate_of"} <= set(table.column_names)
    records = [r for f in sorted(out.glob("part-*.parquet")) for r in read_records(f)]
    assert [r["url"] for r in records][:3] == ["https://example.org/0", "https://example.org/1", "https://example.org/2"]
    assert all("council discussed" in r["text"] for r in records)


def test_republished_copy_points_at_the_first(warc_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run([str(warc_file)], out, fmt="jsonl", stages=CLEAN, shard_size=4)
    records = {r["url"]: r for f in sorted(out.glob("part-*.jsonl")) for r in read_records(f)}
    first = records["https://example.org/0"]
    assert records["https://example.org/copy"]["duplicate_of"] == first["id"]
    assert first["duplicate_of"] is None
    assert records["https://example.org/1"]["duplicate_of"] is None


def test_rerun_resumes_from_written_shards(warc_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run([str(warc_file)], out, fmt="jsonl", stages=CLEAN, shard_size=3)
    (out / "part-00001.jsonl").unlink()
    manifest = [json.loads(line) for line in (out / MANIFEST).read_text().splitlines()]
    (out / MANIFEST).write_text("".join(json.dumps(m) + "\n" for m in manifest if m["shard"] != 1))
    second = run([str(warc_file)], out, fmt="jsonl", stages=CLEAN, shard_size=3)
    assert first.shards_written == 3
    assert (second.shards_written, second.shards_resumed) == (1, 2)
    ids = [r["id"] for f in sorted(out.glob("part-*.jsonl")) for r in read_records(f)]
    assert len(ids) == len(set(ids)) == 7


def test_cli_engine_local_writes_shards(warc_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    result = subprocess.run([sys.executable, "-m", "newsdistill.cli", "process", str(warc_file), "--engine", "local",
                             "--format", "parquet", "-o", str(out), "--stages", "decode,clean", "--no-progress"],
                            capture_output=True, timeout=300, check=False)
    assert result.returncode == 1  # the 404 and the image were skipped
    assert b"HTTP status 404" in result.stderr and b"7 pages" in result.stderr
    assert sum(len(read_records(f)) for f in out.glob("part-*.parquet")) == 7


@pytest.mark.ray
def test_ray_and_local_engines_give_identical_records(warc_file: Path, tmp_path: Path) -> None:
    pytest.importorskip("ray")
    local = run([str(warc_file)], tmp_path / "local", fmt="jsonl", engine="local", stages=CLEAN, shard_size=4)
    remote = run([str(warc_file)], tmp_path / "ray", fmt="jsonl", engine="ray", workers=2, stages=CLEAN, shard_size=4)
    assert local.processed == remote.processed == 7
    for name in ("part-00000.jsonl", "part-00001.jsonl"):
        assert read_records(tmp_path / "local" / name) == read_records(tmp_path / "ray" / name)


def test_kill_during_local_run_then_resume_processes_each_input_once(tmp_path: Path) -> None:
    import os
    import signal
    import time

    from .conftest import page, warc_bytes

    records = [(f"https://example.org/{i}", 200, "text/html", page(f"topic number {i}").encode()) for i in range(120)]
    warc = tmp_path / "many.warc.gz"
    warc.write_bytes(warc_bytes(records))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "newsdistill.cli", "process", str(warc), "--engine", "local", "--format", "jsonl",
               "-o", str(out), "--stages", "decode,clean", "--shard-size", "10", "--no-progress"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("part-*.jsonl"))) < 3:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert 0 < len(list(out.glob("part-*.jsonl"))) < 12
    resumed = subprocess.run(command, capture_output=True, timeout=300, check=False)
    assert resumed.returncode == 0, resumed.stderr.decode()
    urls = [r["url"] for f in sorted(out.glob("part-*.jsonl")) for r in read_records(f)]
    assert sorted(urls) == sorted(url for url, *_ in records)  # every input exactly once
    assert not list(out.glob("*.tmp"))
