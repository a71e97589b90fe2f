"""Downloads: a list of records as CSV (one row per record, nested fields flattened) or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fastapi import Response

from ..corpus.records import csv_text

FORMATS = ("json", "csv")


def download(records: Sequence[dict[str, Any]], fmt: str, name: str, columns: Sequence[str] = ()) -> Response:
    """The records as a file to save (`name` without extension)."""
    if fmt == "csv":
        body, media = csv_text(records, columns), "text/csv; charset=utf-8"
    else:
        body, media = json.dumps(list(records), ensure_ascii=False, indent=1), "application/json"
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    return Response(body, media_type=media, headers=headers)
