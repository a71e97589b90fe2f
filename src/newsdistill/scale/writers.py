"""Writers: Article records to sharded JSONL or Parquet files, each written atomically.

The Parquet schema is derived from the `Article` model, so the nested fields of
CONVENTIONS.md (paragraphs, attributions with their spans, ...) are real Parquet lists and
structs that DuckDB, Spark or pandas can query, and a field added to Article appears here
without an edit. A record is the Article JSON plus `id` (the input's id), `record_id` (the id field
of a JSONL or Parquet record, when it had one) and `minhash`.
"""

from __future__ import annotations

import json
import os
import types
import typing
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from ..model import Article

_SCALARS = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}


def write_jsonl(path: Path, records: Sequence[dict[str, Any]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    except BaseException:
        tmp.unlink(missing_ok=True)  # no half-written shard left behind
        raise
    os.replace(tmp, path)


def write_parquet(path: Path, records: Sequence[dict[str, Any]]) -> None:
    schema = record_schema()
    tmp = path.with_name(path.name + ".tmp")
    try:
        pq.write_table(pa.Table.from_pylist(list(records), schema=schema), tmp, compression="zstd")
    except BaseException:
        tmp.unlink(missing_ok=True)  # no half-written shard left behind
        raise
    os.replace(tmp, path)


@lru_cache(maxsize=1)
def record_schema() -> Any:
    """The pyarrow schema of an output record: `id`, `record_id`, every Article field, `minhash`."""
    fields = [pa.field("id", pa.string(), nullable=False), pa.field("record_id", pa.string())]
    fields += [pa.field(name, arrow_type(info.annotation)) for name, info in Article.model_fields.items()]
    fields.append(pa.field("minhash", pa.list_(pa.uint64())))
    return pa.schema(fields)


def arrow_type(annotation: Any) -> Any:
    """The Arrow type of a pydantic field annotation (str, int, float, bool, Literal, X | None,
    list[X], nested models)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        present = [a for a in args if a is not type(None)]
        if len(present) == 1:
            return arrow_type(present[0])
    elif origin is list:
        return pa.list_(arrow_type(args[0]))
    elif origin is typing.Literal:
        return pa.string()
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return pa.struct([pa.field(n, arrow_type(f.annotation)) for n, f in annotation.model_fields.items()])
    elif annotation in _SCALARS:
        return _SCALARS[annotation]
    raise TypeError(
        f"no Parquet type for the Article field type {annotation!r}: add one to writers.arrow_type"
    )


def read_records(path: Path) -> list[dict[str, Any]]:
    """Records back from a shard of either format, as the dicts that were written."""
    if path.suffix == ".parquet":
        return list(pq.read_table(path).to_pylist())
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def read_column(path: Path, name: str) -> list[Any]:
    """One field of every record in a shard; Parquet reads only that column."""
    if path.suffix == ".parquet":
        return list(pq.read_table(path, columns=[name]).column(name).to_pylist())
    return [record.get(name) for record in read_records(path)]


WRITERS = {"jsonl": write_jsonl, "parquet": write_parquet}
