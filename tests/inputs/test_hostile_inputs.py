"""Hostile inputs at the readers (issue 10): lone surrogates, deep JSON, ids namespaced by container,
sizes checked before reading, FIFOs and dangling links, and the block limit reported."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import newsdistill
from newsdistill.clean.component import Clean
from newsdistill.inputs.component import Decode
from newsdistill.inputs.containers import CONTENT_FIELDS, read_jsonl, read_warc
from newsdistill.inputs.readers import ReadError, read_inputs
from newsdistill.limits import Limits
from newsdistill.model import RawDocument
from newsdistill.pipeline import Pipeline
from tests.scale.synthetic import TOPICS, page, warc_bytes

GOOD = "The harbour council voted on Tuesday to rebuild the sea wall that the storm broke last winter."


def pages_of(items: list[RawDocument | ReadError]) -> list[RawDocument]:
    return [i for i in items if isinstance(i, RawDocument)]


def errors_of(items: list[RawDocument | ReadError]) -> list[ReadError]:
    return [i for i in items if isinstance(i, ReadError)]


def test_a_lone_surrogate_in_jsonl_becomes_a_replacement_character(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    path.write_text(
        '{"id": "s", "text": "the sea \\ud800 wall", "url": "https://x.org/\\udfff"}\n'
        + json.dumps({"text": GOOD})
        + "\n"
    )
    docs = list(read_jsonl(path, "auto"))
    assert [d.data for d in pages_of(docs)] == ["the sea \ufffd wall", GOOD]
    assert docs[0].url == "https://x.org/\ufffd"  # type: ignore[union-attr]
    json.dumps(docs[0].meta, ensure_ascii=False).encode("utf-8")  # every string can be written out


def test_a_lone_surrogate_given_to_the_python_api_is_replaced() -> None:
    article = newsdistill.process(
        f"{GOOD}\n\nThe sea \ud800 wall will cost four million pounds, officials said.",
        stages=("decode", "clean"),
    )
    assert "\ufffd" in article.text
    article.text.encode("utf-8")


@pytest.mark.timeout(60)
def test_deeply_nested_json_lines_are_read_errors_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    deep = 100_000
    path.write_text(
        "\n".join(
            [
                json.dumps({"text": GOOD}),
                "[" * deep + "]" * deep,
                '{"a":' * deep + "1" + "}" * deep,
                json.dumps({"text": GOOD + " Again."}),
            ]
        )
        + "\n"
    )
    items = list(read_inputs([str(path)]))
    assert [d.id for d in pages_of(items)] == [f"{path}:1", f"{path}:4"]
    assert [(e.id, e.reason) for e in errors_of(items)] == [
        (f"{path}:2", "JSON nested too deeply"),
        (f"{path}:3", "JSON nested too deeply"),
    ]


def test_a_json_number_too_long_for_python_is_a_read_error(tmp_path: Path) -> None:
    path = tmp_path / "digits.jsonl"
    path.write_text('{"text": "x", "n": ' + "1" * 5000 + "}\n" + json.dumps({"text": GOOD}) + "\n")
    items = list(read_inputs([str(path)]))
    assert [e.reason.split(" (")[0] for e in errors_of(items)] == ["bad JSON line: Exceeds the limit"]
    assert [d.data for d in pages_of(items)] == [GOOD]


def test_jsonl_ids_name_the_file_and_line_and_keep_the_record_id(tmp_path: Path) -> None:
    for name, topic in (("a.jsonl", TOPICS[0]), ("b.jsonl", TOPICS[1])):
        (tmp_path / name).write_text(json.dumps({"id": 1, "text": page(topic)}) + "\n")
    docs = pages_of(list(read_inputs([str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")])))
    assert [d.id for d in docs] == [f"{tmp_path / 'a.jsonl'}:1", f"{tmp_path / 'b.jsonl'}:1"]
    assert [d.meta["record_id"] for d in docs] == ["1", "1"]


def test_parquet_ids_name_the_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "pages.parquet"
    pq.write_table(pa.table({"uuid": ["u1", "u2"], "text": [page(TOPICS[0]), page(TOPICS[1])]}), path)
    docs = pages_of(list(read_inputs([str(path)])))
    assert [(d.id, d.meta["record_id"]) for d in docs] == [(f"{path}#1", "u1"), (f"{path}#2", "u2")]


def test_warc_ids_name_the_file_and_record_id(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    urls = [f"https://example.org/{i}" for i in range(2)]
    path.write_bytes(warc_bytes([(url, 200, "text/html", page(TOPICS[0]).encode()) for url in urls]))
    docs = pages_of(list(read_warc(path, "auto")))
    assert [d.url for d in docs] == urls  # the same URL twice would not make the same id
    assert all(d.id.startswith(f"{path}#urn:uuid:") for d in docs) and docs[0].id != docs[1].id
    assert docs[0].meta["record_id"] == docs[0].id.split("#", 1)[1]


def test_a_warc_record_without_an_id_is_numbered(tmp_path: Path) -> None:
    body = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + page(TOPICS[0]).encode()
    head = (
        f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.org/x\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    path = tmp_path / "bare.warc"
    path.write_bytes(head.encode() + body + b"\r\n\r\n")
    [doc] = list(read_warc(path, "auto"))
    assert isinstance(doc, RawDocument) and doc.id == f"{path}#record1"


@pytest.mark.timeout(30)
def test_a_huge_file_is_refused_by_its_size_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.html"
    with path.open("wb") as sparse:
        sparse.truncate(6 * 1024**3)  # sparse: no disk and no time
    started = time.perf_counter()
    [error] = list(read_inputs([str(path)]))
    assert isinstance(error, ReadError)
    assert error.reason == "file is 6,144 MB, over the 50 MB limit"
    assert time.perf_counter() - started < 5


def test_reads_are_bounded_by_the_limit(tmp_path: Path) -> None:
    small = Limits(max_input_bytes=1000)
    plain = tmp_path / "page.txt"
    plain.write_text(GOOD * 20)
    [error] = list(read_inputs([str(plain)], limits=small))
    assert isinstance(error, ReadError) and "over the" in error.reason
    lines = tmp_path / "pages.jsonl"
    lines.write_text(json.dumps({"text": "x" * 5000}) + "\n" + json.dumps({"text": GOOD}) + "\n")
    items = list(read_inputs([str(lines)], limits=small))
    assert [(e.id, e.reason) for e in errors_of(items)] == [(f"{lines}:1", "line over the 1,000-byte limit")]
    assert [d.data for d in pages_of(items)] == [GOOD]


def test_a_warc_body_over_the_limit_is_a_read_error(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(
        warc_bytes(
            [
                ("https://example.org/big", 200, "text/html", b"<p>" + b"x" * 5000 + b"</p>"),
                ("https://example.org/ok", 200, "text/html", b"<p>small</p>"),
            ]
        )
    )
    items = list(read_warc(path, "auto", limits=Limits(max_input_bytes=1000)))
    assert [e.reason for e in errors_of(items)] == ["record body over the 1,000-byte limit"]
    assert [d.data for d in pages_of(items)] == [b"<p>small</p>"]


def test_stdin_is_read_up_to_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.BytesIO(b"y" * 5000)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(stream))
    [error] = list(read_inputs(["-"], limits=Limits(max_input_bytes=1000)))
    assert isinstance(error, ReadError) and error.reason == "input over the 1,000-byte limit"
    assert stream.tell() <= 1001 + io.DEFAULT_BUFFER_SIZE


@pytest.mark.timeout(30)
def test_a_fifo_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    assert [(e.id, e.reason) for e in errors_of(list(read_inputs([str(fifo)])))] == [
        (str(fifo), "not a regular file (FIFO)")
    ]


@pytest.mark.timeout(30)
def test_a_fifo_and_a_dangling_link_in_a_folder_are_reported(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(GOOD)
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    items = list(read_inputs([str(tmp_path)]))
    assert [d.id for d in pages_of(items)] == [str(tmp_path / "good.txt")]
    assert sorted((Path(e.id).name, e.reason) for e in errors_of(items)) == [
        ("gone.txt", "dangling symbolic link"),
        ("pipe.txt", "not a regular file (FIFO)"),
    ]


def test_fields_are_passed_to_the_readers_not_set_globally(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps({"body": GOOD, "text": "not this one"}) + "\n")
    before = list(CONTENT_FIELDS)
    [doc] = list(read_inputs([str(path)], fields=["body"]))
    assert doc.data == GOOD  # type: ignore[union-attr]
    assert list(CONTENT_FIELDS) == before


def test_a_page_cut_at_the_block_limit_says_so() -> None:
    text = "\n\n".join(f"{GOOD} Paragraph {n} adds a detail about the wall." for n in range(12))
    pipeline = Pipeline([Decode(), Clean(limits=Limits(max_blocks=5))])
    article = pipeline(RawDocument(id="long", data=text, input_kind="text"))
    assert article.truncated == "page cut at 5 blocks (the max_blocks limit); the rest was dropped"
    html = "<html><body>" + "".join(f"<p>{GOOD} Paragraph {n}.</p>" for n in range(12)) + "</body></html>"
    article = pipeline(RawDocument(id="long.html", data=html, input_kind="html"))
    assert article.truncated == "page cut at 5 blocks (the max_blocks limit); the rest was dropped"
    assert Pipeline([Decode(), Clean()])(RawDocument(id="short", data=text)).truncated is None
