"""Container readers on inputs the tests write: WARC (whole, cut, corrupt), JSONL, Parquet."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsdistill.inputs.containers import read_jsonl, read_parquet, read_warc
from newsdistill.inputs.decode import RawDocument
from newsdistill.inputs.readers import ReadError, read_inputs
from tests.scale.synthetic import TOPICS, page, warc_bytes

URLS = [f"https://example.org/{i}" for i in range(len(TOPICS))]


def pages_of(items: list[RawDocument | ReadError]) -> list[RawDocument]:
    return [i for i in items if isinstance(i, RawDocument)]


def errors_of(items: list[RawDocument | ReadError]) -> list[ReadError]:
    return [i for i in items if isinstance(i, ReadError)]


def crawl(compress: bool) -> bytes:
    return warc_bytes(
        [(url, 200, "text/html", page(topic).encode()) for url, topic in zip(URLS, TOPICS, strict=True)],
        compress=compress,
    )


@pytest.mark.parametrize("name,compress", [("crawl.warc.gz", True), ("crawl.warc", False)])
def test_warc_responses_become_pages_with_url_and_date(tmp_path: Path, name: str, compress: bool) -> None:
    path = tmp_path / name
    path.write_bytes(crawl(compress))
    pages = pages_of(list(read_inputs([str(path)])))  # dispatch by extension, .gz stripped
    assert [p.url for p in pages] == URLS
    assert pages[2].data == page(TOPICS[2]).encode()
    assert pages[0].id == f"{path}#{pages[0].meta['record_id']}"
    assert str(pages[0].meta["warc_date"]).startswith("20")


def test_non_200_and_non_html_records_are_skipped_with_reasons(tmp_path: Path) -> None:
    path = tmp_path / "mixed.warc.gz"
    path.write_bytes(
        warc_bytes(
            [
                ("https://a.example/gone", 404, "text/html", b"<p>gone</p>"),
                ("https://a.example/logo.png", 200, "image/png", b"\x89PNG\r\n"),
                ("https://a.example/story", 200, "text/html", page("river flood").encode()),
            ]
        )
    )
    items = list(read_warc(path, "auto"))
    assert [p.url for p in pages_of(items)] == ["https://a.example/story"]
    assert [e.reason for e in errors_of(items)] == ["HTTP status 404", "not a page (image/png)"]


def test_cut_gzip_warc_keeps_whole_records_and_says_the_tail_is_lost(tmp_path: Path) -> None:
    data = crawl(True)
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) // 2])
    after = tmp_path / "next.warc.gz"
    after.write_bytes(data)
    items = list(read_inputs([str(cut), str(after)]))
    first_file = [p for p in pages_of(items) if p.id.startswith(str(cut))]
    assert 1 <= len(first_file) < len(URLS)
    assert [p.url for p in first_file] == URLS[: len(first_file)]
    assert [e.reason for e in errors_of(items)] == ["truncated gzip member; rest of file skipped"]
    assert len(pages_of(items)) == len(first_file) + len(URLS)  # the next file is read in full


def test_cut_uncompressed_warc_reports_the_partial_record(tmp_path: Path) -> None:
    data = crawl(False)
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: len(data) // 2])
    items = list(read_warc(path, "auto"))
    assert errors_of(items) and errors_of(items)[-1].reason.startswith("truncated WARC record")
    assert all(
        p.data == page(TOPICS[URLS.index(p.url or "")]).encode() for p in pages_of(items)
    )  # no partial body


def test_corrupt_gzip_member_loses_only_its_record(tmp_path: Path) -> None:
    data = bytearray(crawl(True))
    members = [i for i in range(len(data)) if data[i : i + 3] == b"\x1f\x8b\x08"]
    middle = members[3] + 20
    data[middle : middle + 40] = b"\x00" * 40  # inside the fourth record's compressed bytes
    path = tmp_path / "corrupt.warc.gz"
    path.write_bytes(bytes(data))
    items = list(read_warc(path, "auto"))
    assert [p.url for p in pages_of(items)] == URLS[:3] + URLS[4:]
    [error] = errors_of(items)
    assert "unreadable WARC record" in error.reason and "skipped to the next record" in error.reason


def test_garbage_between_records_is_skipped_and_reading_goes_on(tmp_path: Path) -> None:
    one = warc_bytes([(URLS[0], 200, "text/html", page(TOPICS[0]).encode())], compress=False)
    two = warc_bytes([(URLS[1], 200, "text/html", page(TOPICS[1]).encode())], compress=False)
    path = tmp_path / "garbage.warc"
    path.write_bytes(one + b"\x00 not a record \xff" * 40 + two)
    items = list(read_warc(path, "auto"))
    assert [p.url for p in pages_of(items)] == URLS[:2]
    assert len(errors_of(items)) == 1


def test_a_file_that_is_not_a_warc_is_one_reason(tmp_path: Path) -> None:
    path = tmp_path / "notes.warc"
    path.write_text("just some notes\n" * 5)
    assert [type(i) for i in read_warc(path, "auto")] == [ReadError]


def test_jsonl_reads_the_configured_field_with_url_and_id(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl.gz"
    lines = [
        json.dumps({"id": f"doc{i}", "url": URLS[i], "body": page(t), "lang": "en"})
        for i, t in enumerate(TOPICS[:3])
    ]
    lines.insert(1, "{not json")
    lines.append(json.dumps(["a list"]))
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    default = list(read_jsonl(path, "auto"))
    assert [e.reason.split(" (")[0] for e in errors_of(default)] == [
        "no text field",
        "bad JSON line: Expecting property name enclosed in double quotes",
        "no text field",
        "no text field",
        "JSON line is not an object",
    ]
    docs = pages_of(list(read_jsonl(path, "auto", fields=["body"])))
    assert [(d.id, d.meta["record_id"], d.url) for d in docs] == [
        (f"{path}:{n}", f"doc{i}", URLS[i]) for i, n in enumerate((1, 3, 4))
    ]
    assert docs[0].data == page(TOPICS[0]) and docs[0].meta["lang"] == "en"


def test_jsonl_html_field_is_read_as_html_and_ids_fall_back_to_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    path.write_text(
        json.dumps({"html": "<p>Short page</p>"}) + "\n\n" + json.dumps({"text": "Plain text."}) + "\n"
    )
    docs = pages_of(list(read_jsonl(path, "auto")))
    assert [(d.id, d.input_kind) for d in docs] == [(f"{path}:1", "html"), (f"{path}:3", "auto")]


def test_parquet_reader_with_field_url_and_id(tmp_path: Path) -> None:
    path = tmp_path / "pages.parquet"
    pq.write_table(
        pa.table({"doc_id": ["a", "b"], "url": URLS[:2], "raw_html": [page(TOPICS[0]), page(TOPICS[1])]}),
        path,
    )
    items = list(read_inputs([str(path)]))
    assert [e.reason for e in errors_of(items)] == [
        "no text field (looked for html, text, content, raw_content)"
    ] * 2
    docs = pages_of(list(read_parquet(path, "auto", fields=["raw_html"])))
    assert [(d.id, d.meta["record_id"], d.url) for d in docs] == [
        (f"{path}#1", "a", URLS[0]),
        (f"{path}#2", "b", URLS[1]),
    ]
    assert docs[1].data == page(TOPICS[1])


def test_corrupt_parquet_is_one_reason(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not really parquet")
    [error] = list(read_parquet(path, "auto"))
    assert isinstance(error, ReadError) and error.reason.startswith("unreadable Parquet file")
