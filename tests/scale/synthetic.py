"""Synthetic pages and WARC bytes for the scale and container tests (no shared data needed)."""

from __future__ import annotations

import io
import random

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

TOPICS = ["harbour wall", "school budget", "river flood", "bus strike", "library hours", "market fire"]


VOCABULARY = (
    "river harbour budget school teacher market fire station road bridge library police court "
    "mayor farmer storm hospital nurse bus driver museum park tax rent festival"
).split()


def page(topic: str, extra: str = "") -> str:
    """A plausible article about `topic`; different topics share little wording, as real articles do."""
    rng = random.Random(topic)
    body = "".join(
        f"<p>The council discussed the {topic} on Tuesday, and officials said the "
        f"{' and the '.join(rng.sample(VOCABULARY, 4))} would be reviewed after residents raised "
        f"{rng.choice(VOCABULARY)} and {rng.choice(VOCABULARY)} concerns at meeting {n}.</p>"
        for n in range(5)
    )
    return (
        f"<html><head><title>News about the {topic}</title></head><body><nav><a href='/'>Home</a>"
        f"<a href='/n'>News</a></nav><article><h1>News about the {topic}</h1>{body}{extra}</article>"
        "<footer>© 2024 Example</footer></body></html>"
    )


def warc_bytes(records: list[tuple[str, int, str, bytes]], compress: bool = True) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=compress)
    for url, status, content_type, body in records:
        headers = StatusAndHeaders(f"{status} OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
        )
    return buffer.getvalue()
