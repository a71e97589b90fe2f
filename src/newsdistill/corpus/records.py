"""Query results as flat records, for CSV and JSON Lines downloads (the web pages and the commands)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any


def flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{'article': {'id': 3}} -> {'article_id': 3}; lists become JSON text (a cell holds one value)."""
    row: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            row.update(flat(value, f"{name}_"))
        elif isinstance(value, list):
            row[name] = json.dumps(value, ensure_ascii=False)
        else:
            row[name] = value
    return row


def csv_text(records: Sequence[dict[str, Any]], columns: Sequence[str] = ()) -> str:
    """CSV with a header: `columns` first, then any other field in the order first seen.
    A cell that starts with = + - @ is prefixed with ' so that a spreadsheet shows it and runs nothing."""
    rows = [flat(r) for r in records]
    names = list(dict.fromkeys([*columns, *(k for row in rows for k in row)]))
    out = io.StringIO()
    writer = csv.DictWriter(out, names, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in names})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


SEARCH_COLUMNS = ("id", "title", "outlet", "published", "url", "copies", "outlets", "snippet")
WHO_SAID_COLUMNS = (
    "speaker",
    "content",
    "cue",
    "kind",
    "medium",
    "published",
    "article_id",
    "article_title",
    "article_outlet",
    "article_url",
    "quote_id",
    "outlets",
    "first_seen_outlet",
    "first_seen_published",
    "act",
)
