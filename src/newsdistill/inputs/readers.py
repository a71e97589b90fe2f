"""Readers: paths (files, folders, `-` for stdin) into RawDocuments.

Container formats (WARC, JSONL, Parquet) each have a reader keyed by file
extension in READERS; a plain file is one page. Errors reading one input become a
`ReadError` in the stream so the batch goes on and reports it. Nothing is read that is not a
regular file (a FIFO would block for ever), and no read holds more than the size limit.
"""

from __future__ import annotations

import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..limits import DEFAULT_LIMITS, Limits
from ..model import InputKind, RawDocument


@dataclass
class ReadError:
    id: str
    reason: str


ReadItem = RawDocument | ReadError


class Reader(Protocol):
    def __call__(
        self,
        path: Path,
        input_kind: InputKind,
        fields: Sequence[str] | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> Iterator[ReadItem]: ...


# Extension (lowercase, without compression suffix) -> reader; filled by container modules.
READERS: dict[str, Reader] = {}
SKIP_NAMES = {".DS_Store"}
# Files in a folder whose name says they are not pages (a repository's LICENSE, README.md, images):
# reported as skipped with the reason. A file named on the command line is read whatever its name.
NOT_PAGE_SUFFIXES = {
    ".md": "Markdown",
    ".markdown": "Markdown",
    ".rst": "reStructuredText",
    ".svg": "an SVG image",
    ".png": "a PNG image",
    ".jpg": "a JPEG image",
    ".jpeg": "a JPEG image",
    ".gif": "a GIF image",
    ".webp": "a WebP image",
    ".ico": "an icon",
    ".css": "a stylesheet",
    ".js": "a script",
    ".pdf": "a PDF",
    ".py": "Python source",
    ".toml": "a TOML file",
    ".yml": "a YAML file",
    ".yaml": "a YAML file",
}
NOT_PAGE_NAMES = {"license", "licence", "copying", "notice", "authors", "changelog", "readme", "contributing"}
_FILE_TYPES = (
    (stat.S_ISFIFO, "FIFO"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISDIR, "directory"),
)


def register_reader(*suffixes: str) -> Callable[[Reader], Reader]:
    def decorate(reader: Reader) -> Reader:
        for suffix in suffixes:
            READERS[suffix] = reader
        return reader

    return decorate


def size_text(size: int) -> str:
    return f"{size // (1024 * 1024):,} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def limit_text(limit: int) -> str:
    """'50 MB' or '1,000-byte', to follow 'over the'."""
    return f"{limit // (1024 * 1024):,} MB" if limit % (1024 * 1024) == 0 else f"{limit:,}-byte"


def read_at_most(stream: Any, limit: int) -> bytes:
    """Up to `limit` + 1 bytes of `stream`: more than `limit` back means the input is over it."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit and (chunk := stream.read(limit + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_plain_file(
    path: Path, input_kind: InputKind, fields: Sequence[str] | None = None, limits: Limits = DEFAULT_LIMITS
) -> Iterator[ReadItem]:
    limit = limits.max_input_bytes
    try:
        size = path.stat().st_size
        if size > limit:  # refused by its size, before a byte is read
            yield ReadError(str(path), f"file is {size_text(size)}, over the {limit_text(limit)} limit")
            return
        with path.open("rb") as stream:
            data = read_at_most(stream, limit)
    except OSError as exc:
        yield ReadError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    if len(data) > limit:
        yield ReadError(str(path), f"file grew past the {limit_text(limit)} limit while it was read")
        return
    yield RawDocument(id=str(path), data=data, input_kind=input_kind, meta={"path": str(path)})


def read_stdin(input_kind: InputKind, limits: Limits = DEFAULT_LIMITS) -> ReadItem:
    data = read_at_most(sys.stdin.buffer, limits.max_input_bytes)
    if len(data) > limits.max_input_bytes:
        return ReadError("<stdin>", f"input over the {limit_text(limits.max_input_bytes)} limit")
    return RawDocument(id="<stdin>", data=data, input_kind=input_kind)


def not_a_regular_file(path: Path) -> str | None:
    """Why `path` cannot be read as a file (it is never opened here: opening a FIFO blocks), or None."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "dangling symbolic link" if path.is_symlink() else "no such file or directory"
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _FILE_TYPES if test(mode)), "special file")
    return f"not a regular file ({kind})"


def _reader_for(path: Path) -> Reader:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    key = "".join(suffixes[-1:])
    return READERS.get(key, read_plain_file)


def not_a_page_by_name(path: Path) -> str | None:
    """Why a file found in a folder is not a page, judging by its name alone; None when it may be one."""
    suffix = path.suffix.lower()
    if suffix in NOT_PAGE_SUFFIXES:
        return f"not a page: {NOT_PAGE_SUFFIXES[suffix]} ({path.name})"
    if path.name.split(".")[0].lower() in NOT_PAGE_NAMES:
        return f"not a page: {path.name} is a project file"
    return None


def _expand(path: Path, leave_out: frozenset[Path] = frozenset()) -> Iterator[Path]:
    """A folder's entries (not its subfolders; hidden names left out), or the path itself. FIFOs and
    dangling links are listed too, so that each is reported rather than passed over. `leave_out`: resolved
    paths of the run's own outputs (its store, its output file or folder), which a folder may hold but are
    no input; an output folder that holds `path` itself is not left out (the user asked for what is in it)."""
    if not path.is_dir():
        yield path
        return
    root = path.resolve()
    leave_out = frozenset(p for p in leave_out if p != root and p not in root.parents)
    for child in sorted(path.rglob("*")):
        if child.is_dir() or child.name in SKIP_NAMES or child.name.startswith("."):
            continue
        if not leave_out or not _left_out(child.resolve(), leave_out):
            yield child


def _left_out(path: Path, leave_out: frozenset[Path]) -> bool:
    return path in leave_out or any(parent in leave_out for parent in path.parents)


def own_files(*outputs: str | Path | None) -> frozenset[Path]:
    """The files a run writes, resolved, with an SQLite store's journal, log and shared-memory files."""
    found = set()
    for output in outputs:
        if output is not None and str(output) != "-":
            path = Path(output).resolve()
            found |= {path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))}
    return frozenset(found)


def read_inputs(
    paths: Iterable[str],
    input_kind: InputKind = "auto",
    fields: Sequence[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    leave_out: frozenset[Path] = frozenset(),
) -> Iterator[ReadItem]:
    """Yield a RawDocument (or a ReadError) for every page in `paths`, in order. `fields`: the
    JSONL / Parquet fields that may hold the page, first present wins (default: CONTENT_FIELDS).
    `leave_out`: the run's own files (`own_files`), passed over when a folder holds them."""
    _load_container_readers()
    for name in paths:
        if name == "-":
            yield read_stdin(input_kind, limits)
            continue
        for file in _expand(Path(name), leave_out):
            if file != Path(name) and (reason := not_a_page_by_name(file)) is not None:
                yield ReadError(str(file), reason)
                continue
            if (problem := not_a_regular_file(file)) is not None:
                yield ReadError(str(file), problem)
                continue
            yield from _reader_for(file)(file, input_kind, fields=fields, limits=limits)


def _load_container_readers() -> None:
    """Import the container readers so they register themselves (WARC, JSONL, Parquet)."""
    import importlib

    for module in ("newsdistill.inputs.containers",):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


@dataclass(frozen=True)
class Given:
    """What the user says about the inputs (`--url`, `--outlet`, `--published`): plain-text scrapes carry
    no address, outlet or date of their own. The URL names one page, so it is given to one input only."""

    url: str | None = None
    outlet: str | None = None
    published: str | None = None  # YYYY-MM-DD

    def apply(self, doc: RawDocument) -> None:
        doc.url = self.url or doc.url
        pairs = (("outlet", self.outlet), ("published", self.published))
        given = {key: value for key, value in pairs if value}
        if given:  # under its own key: a JSONL record's own fields are in meta too, unchecked
            doc.meta["given"] = given


NOTHING_GIVEN = Given()


def page_count(paths: Sequence[str], leave_out: frozenset[Path] = frozenset()) -> int | None:
    """How many pages `paths` hold, when that is known without reading them: None when one of them is a
    container (WARC, JSONL, Parquet: pages inside) or stdin is among them with others. `leave_out`: as
    for `read_inputs`."""
    _load_container_readers()
    count = 0
    for name in paths:
        if name == "-":
            count += 1
            continue
        for file in _expand(Path(name), leave_out):
            if file != Path(name) and not_a_page_by_name(file) is not None:
                continue
            if _reader_for(file) is not read_plain_file:
                return None
            count += 1
    return count
