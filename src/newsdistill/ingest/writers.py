"""Writers: Article records to sharded JSONL or Parquet files, written atomically."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Nested fields go to Parquet as JSON strings: one flat, stable schema for any engine.
SCALAR_FIELDS = ("id", "url", "outlet", "title", "published", "language", "text", "input_kind", "duplicate_of")
NESTED_FIELDS = ("authors", "paragraphs", "captions", "removed", "entities", "attributions", "minhash")


def write_jsonl(path: Path, records: Sequence[dict[str, Any]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def write_parquet(path: Path, records: Sequence[dict[str, Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns: dict[str, list[Any]] = {name: [] for name in (*SCALAR_FIELDS, *NESTED_FIELDS)}
    for record in records:
        for name in SCALAR_FIELDS:
            columns[name].append(record.get(name))
        for name in NESTED_FIELDS:
            columns[name].append(json.dumps(record.get(name, []), ensure_ascii=False))
    schema = pa.schema([(n, pa.string()) for n in (*SCALAR_FIELDS, *NESTED_FIELDS)])
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(pa.table(columns, schema=schema), tmp, compression="zstd")
    os.replace(tmp, path)


def read_records(path: Path) -> list[dict[str, Any]]:
    """Records back from a shard of either format (nested fields decoded)."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        rows = pq.read_table(path).to_pylist()
        for row in rows:
            for name in NESTED_FIELDS:
                row[name] = json.loads(row[name]) if row.get(name) else []
        return rows
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


WRITERS = {"jsonl": write_jsonl, "parquet": write_parquet}
