"""Small WARC, JSONL and Parquet inputs written by the tests themselves."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from .synthetic import TOPICS, page, warc_bytes


@pytest.fixture
def warc_file(tmp_path: Path) -> Path:
    records = [
        (f"https://example.org/{i}", 200, "text/html; charset=utf-8", page(t).encode())
        for i, t in enumerate(TOPICS)
    ]
    records.append(
        ("https://example.org/copy", 200, "text/html", page(TOPICS[0], "<p>See also: other</p>").encode())
    )
    records.append(("https://example.org/missing", 404, "text/html", b"<html>not found</html>"))
    records.append(("https://example.org/logo.png", 200, "image/png", b"\x89PNG\r\n\x1a\n"))
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(warc_bytes(records))
    return path


@pytest.fixture
def jsonl_file(tmp_path: Path) -> Path:
    path = tmp_path / "pages.jsonl.gz"
    lines = [
        json.dumps({"id": f"doc{i}", "url": f"https://example.org/{i}", "body": page(t)})
        for i, t in enumerate(TOPICS[:3])
    ]
    lines.insert(1, "{not json")
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    return path
