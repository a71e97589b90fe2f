"""Readers: paths (files, folders, `-` for stdin) into RawDocuments.

Container formats (WARC, JSONL, Parquet) each have a reader keyed by file
extension in READERS; a plain file is one page. Errors reading one input become a
`ReadError` in the stream so the batch goes on and reports it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..model import InputKind, RawDocument


@dataclass
class ReadError:
    id: str
    reason: str


ReadItem = RawDocument | ReadError
Reader = Callable[[Path, InputKind], Iterator[ReadItem]]

# Extension (lowercase, without compression suffix) -> reader; filled by container modules.
READERS: dict[str, Reader] = {}
SKIP_NAMES = {".DS_Store"}


def register_reader(*suffixes: str) -> Callable[[Reader], Reader]:
    def decorate(reader: Reader) -> Reader:
        for suffix in suffixes:
            READERS[suffix] = reader
        return reader

    return decorate


def read_plain_file(path: Path, input_kind: InputKind) -> Iterator[ReadItem]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield ReadError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    yield RawDocument(id=str(path), data=data, input_kind=input_kind, meta={"path": str(path)})


def _reader_for(path: Path) -> Reader:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    key = "".join(suffixes[-1:])
    return READERS.get(key, read_plain_file)


def _expand(path: Path) -> Iterator[Path]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and child.name not in SKIP_NAMES and not child.name.startswith("."):
                yield child
    else:
        yield path


def read_inputs(paths: Iterable[str], input_kind: InputKind = "auto") -> Iterator[ReadItem]:
    """Yield a RawDocument (or a ReadError) for every page in `paths`, in order."""
    _load_container_readers()
    for name in paths:
        if name == "-":
            yield RawDocument(id="<stdin>", data=sys.stdin.buffer.read(), input_kind=input_kind)
            continue
        path = Path(name)
        if not path.exists():
            yield ReadError(name, "no such file or directory")
            continue
        for file in _expand(path):
            yield from _reader_for(file)(file, input_kind)


def _load_container_readers() -> None:
    """Import the container readers so they register themselves (WARC, JSONL, Parquet)."""
    import importlib

    for module in ("newsdistill.inputs.containers",):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
