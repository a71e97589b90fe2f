"""Sharded runs over WARC / JSONL / Parquet: both engines, skipped records, resume, duplicates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsdistill.scale.engine import MANIFEST, run
from newsdistill.scale.writers import read_records

CLEAN = ("decode", "clean")


def test_local_run_to_parquet_reads_back(warc_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run([str(warc_file)], out, fmt="parquet", workers=2, stages=CLEAN, shard_size=3)
    assert summary.processed == 7 and len(summary.skipped) == 2
    table = pq.read_table(sorted(out.glob("part-*.parquet"))[0])
    assert {"id", "url", "text", "removed", "duplicate_of"} <= set(table.column_names)
    records = [r for f in sorted(out.glob("part-*.parquet")) for r in read_records(f)]
    assert [r["url"] for r in records][:3] == [
        "https://example.org/0",
        "https://example.org/1",
        "https://example.org/2",
    ]
    assert all("council discussed" in r["text"] for r in records)
    first = records[0]
    assert (
        first["paragraphs"][0]["text"]
        == first["text"][first["paragraphs"][0]["start"] : first["paragraphs"][0]["end"]]
    )
    assert table.schema.field("paragraphs").type.value_type.names == ["text", "kind", "start", "end"]


def test_parquet_and_jsonl_shards_hold_the_same_records(warc_file: Path, tmp_path: Path) -> None:
    run([str(warc_file)], tmp_path / "p", fmt="parquet", stages=CLEAN, shard_size=4)
    run([str(warc_file)], tmp_path / "j", fmt="jsonl", stages=CLEAN, shard_size=4)
    for name in ("part-00000", "part-00001"):
        assert read_records(tmp_path / "p" / f"{name}.parquet") == read_records(
            tmp_path / "j" / f"{name}.jsonl"
        )


def test_one_and_two_workers_give_identical_shards(warc_file: Path, tmp_path: Path) -> None:
    run([str(warc_file)], tmp_path / "one", fmt="jsonl", workers=1, stages=CLEAN, shard_size=2)
    run([str(warc_file)], tmp_path / "two", fmt="jsonl", workers=2, stages=CLEAN, shard_size=2)
    names = sorted(p.name for p in (tmp_path / "one").glob("part-*"))
    assert len(names) == 5  # 9 inputs (7 pages, 2 skipped) in shards of 2
    assert [(tmp_path / "one" / n).read_text() for n in names] == [
        (tmp_path / "two" / n).read_text() for n in names
    ]
    manifest = [json.loads(line) for line in (tmp_path / "two" / MANIFEST).read_text().splitlines()]
    assert sorted(m["shard"] for m in manifest) == [0, 1, 2, 3, 4]
    assert [s["reason"] for m in manifest for s in m["skipped"]] == [
        "HTTP status 404",
        "not a page (image/png)",
    ]


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
    assert second.processed == 3  # only the missing shard's inputs ran again
    ids = [r["id"] for f in sorted(out.glob("part-*.jsonl")) for r in read_records(f)]
    assert len(ids) == len(set(ids)) == 7


@pytest.mark.slow
def test_cli_engine_local_writes_shards(warc_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsdistill.cli",
            "process",
            str(warc_file),
            "--engine",
            "local",
            "--format",
            "parquet",
            "-o",
            str(out),
            "--stages",
            "decode,clean",
            "--no-progress",
        ],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1  # the 404 and the image were skipped
    assert b"HTTP status 404" in result.stderr and b"7 pages" in result.stderr
    assert sum(len(read_records(f)) for f in out.glob("part-*.parquet")) == 7


@pytest.mark.slow
def test_kill_during_local_run_then_resume_processes_each_input_once(tmp_path: Path) -> None:
    import os
    import signal
    import time

    from .synthetic import page, warc_bytes

    records = [
        (f"https://example.org/{i}", 200, "text/html", page(f"topic number {i}").encode()) for i in range(400)
    ]
    warc = tmp_path / "many.warc.gz"
    warc.write_bytes(warc_bytes(records))
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "newsdistill.cli",
        "process",
        str(warc),
        "--engine",
        "local",
        "--format",
        "jsonl",
        "-o",
        str(out),
        "--stages",
        "decode,clean",
        "--shard-size",
        "10",
        "--no-progress",
    ]
    # Its own session, so the kill takes the whole run down at once: the driver and its pool workers.
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("part-*.jsonl"))) < 3:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert 0 < len(list(out.glob("part-*.jsonl"))) < 40
    resumed = subprocess.run(command, capture_output=True, timeout=300, check=False)
    assert resumed.returncode == 0, resumed.stderr.decode()
    urls = [r["url"] for f in sorted(out.glob("part-*.jsonl")) for r in read_records(f)]
    assert sorted(urls) == sorted(url for url, *_ in records)  # every input exactly once
    assert not list(out.glob("*.tmp"))


@pytest.mark.slow
def test_local_engine_runs_without_importing_ray(warc_file: Path, tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from newsdistill.scale.engine import run; "
        f"s = run([{str(warc_file)!r}], Path({str(tmp_path / 'out')!r}), workers=2, "
        "stages=('decode', 'clean')); "
        "assert s.processed == 7, s; assert 'ray' not in sys.modules, 'ray was imported'"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr.decode()


@pytest.mark.slow
def test_cli_reads_jsonl_field_and_reports_skip_reasons(tmp_path: Path) -> None:
    from .synthetic import TOPICS, page

    path = tmp_path / "pages.jsonl"
    path.write_text(
        "".join(json.dumps({"id": f"d{i}", "body": page(t)}) + "\n" for i, t in enumerate(TOPICS[:3]))
        + json.dumps({"id": "empty", "other": 1})
        + "\n"
    )
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsdistill.cli",
            "process",
            str(path),
            "--engine",
            "local",
            "--field",
            "body",
            "-o",
            str(out),
            "--stages",
            "decode,clean",
            "--no-progress",
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert [r["id"] for r in read_records(out / "part-00000.jsonl")] == [f"{path}:{n}" for n in (1, 2, 3)]
    assert b"skipped by reason: no text field: 1" in result.stderr


def test_records_carry_the_input_id_and_the_records_own_id(tmp_path: Path) -> None:
    text = "The council discussed the bridge repairs at length on Monday evening. " * 8
    pages = tmp_path / "pages.jsonl"
    pages.write_text(
        "\n".join(json.dumps({"id": f"doc-{n}", "text": f"Item {n}. {text}"}) for n in range(3)) + "\n"
    )
    for fmt in ("jsonl", "parquet"):
        run([str(pages)], tmp_path / fmt, fmt=fmt, workers=2, stages=CLEAN, shard_size=2)
        records = [r for f in sorted((tmp_path / fmt).glob(f"part-*.{fmt}")) for r in read_records(f)]
        assert [(r["id"], r["record_id"]) for r in records] == [
            (f"{pages}:{n + 1}", f"doc-{n}") for n in range(3)
        ]
