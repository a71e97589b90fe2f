"""Container readers: WARC / WARC.gz (HTTP responses), JSONL and Parquet (a text or html field).

Each yields RawDocuments, or a ReadError for what it cannot read, and goes on where it can:
a damaged WARC record is reported and reading resumes at the next readable record (or gzip
member), a cut tail is reported, a bad JSON line skips that line.

An input's id names its container: `<path>:<line>` (JSONL), `<path>#<row>` (Parquet),
`<path>#<WARC-Record-ID>` (WARC), so the same record id in two files is two inputs; the record's own
id field goes to meta as `record_id`. No line or record body is held beyond the size limit.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..limits import DEFAULT_LIMITS, Limits
from ..model import InputKind, RawDocument
from .decode import replace_surrogates
from .readers import ReadError, ReadItem, limit_text, read_at_most, register_reader

# Which record field holds the page; the first present wins (`process --field` passes its choice first).
CONTENT_FIELDS = ("html", "text", "content", "raw_content")
ID_FIELDS = ("id", "doc_id", "uuid")
_HTML_TYPES = ("text/html", "application/xhtml", "text/plain")


@register_reader(".warc", ".arc")
def read_warc(
    path: Path, input_kind: InputKind, fields: Sequence[str] | None = None, limits: Limits = DEFAULT_LIMITS
) -> Iterator[ReadItem]:
    """HTTP 200 HTML responses of a WARC file. A record that cannot be read is reported and
    reading goes on at the next record (or gzip member) that can be; a cut tail is reported."""
    state = _WarcState(path, limits)
    damaged = False
    with path.open("rb") as stream:
        while state.resume_at is not None:
            stream.seek(state.resume_at)
            state.resume_at = None
            try:
                yield from _warc_records(stream, state, input_kind)
            except Exception as exc:  # FastWARC raises OSError on corrupt members and headers
                damaged = True
                if (error := state.resync(stream, exc)) is not None:
                    yield error
    if not damaged and (problem := gzip_problem(path)) is not None:
        # FastWARC stops quietly at a cut gzip member: say so, or a lost tail goes unnoticed.
        yield ReadError(f"{path}#record{state.number + 1}", f"{problem}; rest of file skipped")


class _WarcState:
    """Where reading a WARC file stands: records seen, where the last one began, where to go on."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.number = 0
        self.last_start: int | None = None
        self.resume_at: int | None = 0
        self.reported_at: int | None = None

    def resync(self, stream: Any, exc: Exception) -> ReadError | None:
        """Find the next record start after the damage; one ReadError per damaged stretch."""
        failed_at = self.last_start if self.last_start is not None else self.reported_at or 0
        self.resume_at = _next_record_start(stream, failed_at + 1)
        first_report = self.reported_at is None or self.last_start is not None
        self.reported_at, self.last_start = self.resume_at, None
        if not first_report:
            return None
        then = (
            f"skipped to the next record at byte {self.resume_at}"
            if self.resume_at
            else "rest of file skipped"
        )
        return ReadError(
            f"{self.path}#record{self.number + 1}",
            f"unreadable WARC record ({type(exc).__name__}: {exc}); {then}",
        )


def _warc_records(stream: Any, state: _WarcState, input_kind: InputKind) -> Iterator[ReadItem]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    # Every record type is read (and non-responses passed over) so the last position is known.
    for record in ArchiveIterator(stream, parse_http=False):
        state.last_start = record.stream_pos
        if record.record_type != WarcRecordType.response:
            continue
        state.number += 1
        yield _warc_document(state, record, input_kind)


_RECORD_MARKS = (b"WARC/1.", b"\x1f\x8b\x08")  # a WARC header line; a gzip member (one per record)


def _next_record_start(stream: Any, start: int, chunk: int = 1 << 20) -> int | None:
    """Byte offset of the first WARC header or gzip member at or after `start`, or None."""
    position = start
    while True:
        stream.seek(position)
        block = stream.read(chunk + 8)
        if not block:
            return None
        hits = [i for i in (block.find(mark) for mark in _RECORD_MARKS) if i >= 0]
        if hits:
            return position + min(hits)
        position += chunk


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


def _warc_document(state: _WarcState, record: Any, input_kind: InputKind) -> ReadItem:
    url = record.headers.get("WARC-Target-URI")
    warc_id = replace_surrogates((record.headers.get("WARC-Record-ID") or "").strip().strip("<>"))
    record_id = f"{state.path}#{warc_id or f'record{state.number}'}"
    declared = record.headers.get("Content-Length")
    try:
        record.parse_http(quirks_mode=True)  # quirks: real crawls hold LF-only headers
    except OSError as exc:
        return ReadError(record_id, f"bad HTTP header in WARC record ({exc})")
    http = record.http_headers
    if http is None:
        return ReadError(record_id, "truncated WARC record (no complete HTTP header)")
    if http.status_code != 200:
        return ReadError(record_id, f"HTTP status {http.status_code}")
    content_type = http.get("Content-Type") or ""
    if content_type and not content_type.lower().startswith(_HTML_TYPES):
        return ReadError(record_id, f"not a page ({content_type.split(';')[0]})")
    body = read_at_most(record.reader, state.limits.max_input_bytes)
    if len(body) > state.limits.max_input_bytes:
        return ReadError(record_id, f"record body over the {limit_text(state.limits.max_input_bytes)} limit")
    if declared is None or len(body) < record.content_length:
        return ReadError(
            record_id, f"truncated WARC record ({len(body)} of {record.content_length} body bytes)"
        )
    meta = {"path": str(state.path), "warc_date": record.headers.get("WARC-Date"), "record": state.number}
    if warc_id:
        meta["record_id"] = warc_id
    return RawDocument(id=record_id, data=body, url=url, input_kind=input_kind, meta=meta)


def record_document(
    record: dict[str, Any], input_id: str, input_kind: InputKind, fields: Sequence[str] | None = None
) -> ReadItem:
    """A JSONL / Parquet record as the page with id `input_id` (its container and place in it): the
    first of `fields` present holds it (HTML when that field is `html`); `url` is kept, the record's
    id field goes to meta as `record_id`, other scalar fields go to meta as they are."""
    fields = CONTENT_FIELDS if fields is None else fields
    field = next((f for f in fields if isinstance(record.get(f), str | bytes)), None)
    if field is None:
        return ReadError(input_id, f"no text field (looked for {', '.join(fields)})")
    record = {_text(k): _text(v) for k, v in record.items()}
    kind: InputKind = input_kind if input_kind != "auto" else ("html" if field == "html" else "auto")
    meta: dict[str, object] = {
        k: v for k, v in record.items() if k not in fields and isinstance(v, str | int | float)
    }
    record_id = next((str(record[k]) for k in ID_FIELDS if record.get(k) is not None), None)
    if record_id is not None:
        meta["record_id"] = record_id
    url = record.get("url") if isinstance(record.get("url"), str) else None
    return RawDocument(id=input_id, data=record[field], url=url, input_kind=kind, meta=meta)


def _text(value: Any) -> Any:
    return replace_surrogates(value) if isinstance(value, str) else value


@register_reader(".jsonl", ".ndjson")
def read_jsonl(
    path: Path, input_kind: InputKind, fields: Sequence[str] | None = None, limits: Limits = DEFAULT_LIMITS
) -> Iterator[ReadItem]:
    limit = limits.max_input_bytes
    try:
        with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as stream:
            for number, line in _bounded_lines(stream, limit):
                if line is None:
                    yield ReadError(f"{path}:{number}", f"line over the {limit_text(limit)} limit")
                elif line.strip():
                    yield _json_line(line, f"{path}:{number}", input_kind, fields)
    except (OSError, EOFError, zlib.error) as exc:
        yield ReadError(str(path), f"unreadable file ({exc}); rest of file skipped")


def _bounded_lines(stream: Any, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines; a line longer than `limit` comes as None, its rest read past and never held."""
    number = 0
    while line := stream.readline(limit + 1):
        number += 1
        if len(line) <= limit or line.endswith(b"\n"):
            yield number, line
            continue
        while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
            pass
        yield number, None


def _json_line(line: bytes, input_id: str, input_kind: InputKind, fields: Sequence[str] | None) -> ReadItem:
    try:
        record = json.loads(line.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        return ReadError(input_id, f"bad JSON line: {exc.msg}")
    except ValueError as exc:  # an integer of more than 4,300 digits
        return ReadError(input_id, f"bad JSON line: {exc}")
    except RecursionError:
        return ReadError(input_id, "JSON nested too deeply")
    if not isinstance(record, dict):
        return ReadError(input_id, "JSON line is not an object")
    return record_document(record, input_id, input_kind, fields)


@register_reader(".parquet")
def read_parquet(
    path: Path, input_kind: InputKind, fields: Sequence[str] | None = None, limits: Limits = DEFAULT_LIMITS
) -> Iterator[ReadItem]:
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
        row = 0
        for batch in table.iter_batches(batch_size=256):
            for record in batch.to_pylist():
                row += 1
                yield record_document(record, f"{path}#{row}", input_kind, fields)
    except Exception as exc:  # pyarrow raises many types for corrupt files
        yield ReadError(str(path), f"unreadable Parquet file ({type(exc).__name__}: {exc})")
