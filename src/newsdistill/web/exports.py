"""Downloads: a list of records as CSV (one row per record, nested fields flattened) or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from fastapi import Response

FORMATS = ("json", "csv")


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


def download(records: Sequence[dict[str, Any]], fmt: str, name: str, columns: Sequence[str] = ()) -> Response:
    """The records as a file to save (`name` without extension)."""
    if fmt == "csv":
        body, media = csv_text(records, columns), "text/csv; charset=utf-8"
    else:
        body, media = json.dumps(list(records), ensure_ascii=False, indent=1), "application/json"
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    return Response(body, media_type=media, headers=headers)
