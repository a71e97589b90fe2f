"""Container readers: WARC / WARC.gz (HTTP responses), JSONL and Parquet (a text or html field).

Each yields RawDocuments, or a ReadError for what it cannot read, and goes on where it can:
a truncated WARC record ends that file with a reason, a bad JSON line skips that line.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .decode import InputKind, RawDocument
from .readers import ReadError, ReadItem, register_reader

# Which record field holds the page; the first present wins (`process --field` puts its choice first).
CONTENT_FIELDS = ["html", "text", "content", "raw_content"]
ID_FIELDS = ("id", "doc_id", "uuid")
_HTML_TYPES = ("text/html", "application/xhtml", "text/plain")


@register_reader(".warc", ".arc")
def read_warc(path: Path, input_kind: InputKind) -> Iterator[ReadItem]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    number = 0
    try:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=True):
                number += 1
                yield _warc_document(path, number, record, input_kind)
    except Exception as exc:  # fastwarc raises on some corrupt members; keep what was read
        yield ReadError(f"{path}#record{number + 1}", f"unreadable WARC record ({type(exc).__name__}: {exc}); rest of file skipped")
        return
    if (problem := gzip_problem(path)) is not None:
        # FastWARC stops quietly at a cut gzip member: say so, or a lost tail goes unnoticed.
        yield ReadError(f"{path}#record{number + 1}", f"{problem}; rest of file skipped")


def gzip_problem(path: Path, chunk: int = 1 << 20) -> str | None:
    """Why a gzip file is unreadable to its end (truncated, corrupt), or None when it is whole.
    Streams member by member with bounded memory."""
    with path.open("rb") as stream:
        if stream.read(2) != b"\x1f\x8b":
            return None
        stream.seek(0)
        decompressor, in_member = zlib.decompressobj(16 + zlib.MAX_WBITS), False
        try:
            while block := stream.read(chunk):
                data = block
                while data:
                    in_member = True
                    decompressor.decompress(data, 1 << 16)
                    data = decompressor.unconsumed_tail
                    if decompressor.eof:
                        data = decompressor.unused_data
                        decompressor, in_member = zlib.decompressobj(16 + zlib.MAX_WBITS), False
        except zlib.error as exc:
            return f"corrupt gzip data ({exc})"
    return "truncated gzip member" if in_member else None


def _warc_document(path: Path, number: int, record: Any, input_kind: InputKind) -> ReadItem:
    url = record.headers.get("WARC-Target-URI")
    record_id = f"{path}#{url or number}"
    http = record.http_headers
    status = http.status_code if http is not None else None
    content_type = (http.get("Content-Type") or "") if http is not None else ""
    if status is not None and status != 200:
        return ReadError(record_id, f"HTTP status {status}")
    if content_type and not content_type.lower().startswith(_HTML_TYPES):
        return ReadError(record_id, f"not a page ({content_type.split(';')[0]})")
    body = record.reader.read()
    meta = {"path": str(path), "warc_date": record.headers.get("WARC-Date"), "record": number}
    return RawDocument(id=record_id, data=body, url=url, input_kind=input_kind, meta=meta)


def record_document(record: dict[str, Any], fallback_id: str, input_kind: InputKind) -> ReadItem:
    field = next((f for f in CONTENT_FIELDS if isinstance(record.get(f), str)), None)
    if field is None:
        return ReadError(fallback_id, f"no text field (looked for {', '.join(CONTENT_FIELDS)})")
    kind: InputKind = input_kind if input_kind != "auto" else ("html" if field == "html" else "auto")
    record_id = next((str(record[k]) for k in ID_FIELDS if record.get(k) is not None), fallback_id)
    meta: dict[str, object] = {k: v for k, v in record.items() if k not in CONTENT_FIELDS and isinstance(v, str | int | float)}
    return RawDocument(id=record_id, data=record[field], url=record.get("url"), input_kind=kind, meta=meta)


@register_reader(".jsonl", ".ndjson")
def read_jsonl(path: Path, input_kind: InputKind) -> Iterator[ReadItem]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield ReadError(f"{path}:{number}", f"bad JSON line: {exc.msg}")
                    continue
                if not isinstance(record, dict):
                    yield ReadError(f"{path}:{number}", "JSON line is not an object")
                    continue
                yield record_document(record, f"{path}:{number}", input_kind)
    except (OSError, EOFError) as exc:
        yield ReadError(str(path), f"unreadable file ({exc}); rest of file skipped")


@register_reader(".parquet")
def read_parquet(path: Path, input_kind: InputKind) -> Iterator[ReadItem]:
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
        row = 0
        for batch in table.iter_batches(batch_size=256):
            for record in batch.to_pylist():
                row += 1
                yield record_document(record, f"{path}#{row}", input_kind)
    except Exception as exc:  # pyarrow raises many types for corrupt files
        yield ReadError(str(path), f"unreadable Parquet file ({type(exc).__name__}: {exc})")
