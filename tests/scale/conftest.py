"""Small WARC, JSONL and Parquet inputs written by the tests themselves."""

from __future__ import annotations

import gzip
import io
import json
import random
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

TOPICS = ["harbour wall", "school budget", "river flood", "bus strike", "library hours", "market fire"]


VOCABULARY = ("river harbour budget school teacher market fire station road bridge library police court "
              "mayor farmer storm hospital nurse bus driver museum park tax rent festival").split()


def page(topic: str, extra: str = "") -> str:
    """A plausible article about `topic`; different topics share little wording, as real articles do."""
    rng = random.Random(topic)
    body = "".join(
        f"<p>The council discussed the {topic} on Tuesday, and officials said the "
        f"{' and the '.join(rng.sample(VOCABULARY, 4))} would be reviewed after residents raised "
        f"{rng.choice(VOCABULARY)} and {rng.choice(VOCABULARY)} concerns at meeting {n}.</p>"
        for n in range(5)
    )
    return (f"<html><head><title>News about the {topic}</title></head><body><nav><a href='/'>Home</a>"
            f"<a href='/n'>News</a></nav><article><h1>News about the {topic}</h1>{body}{extra}</article>"
            "<footer>© 2024 Example</footer></body></html>")


def warc_bytes(records: list[tuple[str, int, str, bytes]], compress: bool = True) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=compress)
    for url, status, content_type, body in records:
        headers = StatusAndHeaders(f"{status} OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
    return buffer.getvalue()


@pytest.fixture
def warc_file(tmp_path: Path) -> Path:
    records = [(f"https://example.org/{i}", 200, "text/html; charset=utf-8", page(t).encode()) for i, t in enumerate(TOPICS)]
    records.append(("https://example.org/copy", 200, "text/html", page(TOPICS[0], "<p>See also: other</p>").encode()))
    records.append(("https://example.org/missing", 404, "text/html", b"<html>not found</html>"))
    records.append(("https://example.org/logo.png", 200, "image/png", b"\x89PNG\r\n\x1a\n"))
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(warc_bytes(records))
    return path


@pytest.fixture
def jsonl_file(tmp_path: Path) -> Path:
    path = tmp_path / "pages.jsonl.gz"
    lines = [json.dumps({"id": f"doc{i}", "url": f"https://example.org/{i}", "body": page(t)}) for i, t in enumerate(TOPICS[:3])]
    lines.insert(1, "{not json")
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    return path
