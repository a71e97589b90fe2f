"""The `newsdistill` command line. Exit status: 0 all processed, 1 some inputs skipped, 2 usage error."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from typing import IO, Any

from . import __version__
from .errors import ModelFileError, SkipInput
from .inputs.readers import ReadError, own_files, read_inputs
from .model import ATTRIBUTION_MODELS, DEFAULT_ATTRIBUTION
from .pipeline import Result
from .pool import default_workers
from .render import RENDERERS, who_said_markdown
from .stages import DEFAULT_STAGES, build_pipeline

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    def decorate(func: Command) -> Command:
        COMMANDS[name] = func
        return func

    return decorate


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsdistill", description=__doc__)
    parser.add_argument("--version", action="version", version=f"newsdistill {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_process_parser(sub)
    for extend in PARSER_EXTENSIONS:
        extend(sub)
    for subcommand in sub.choices.values():
        subcommand.formatter_class = DefaultsShown
    return parser


class DefaultsShown(argparse.HelpFormatter):
    """Help that states each option's default, where it has one worth stating."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        worth_stating = default not in (None, False, [], argparse.SUPPRESS) and action.option_strings
        if "%(default)" in text or not worth_stating:
            return text
        return f"{text} (default: %(default)s)".strip()


def subcommand_parser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]  # type: ignore[no-any-return]
    return parser


def _add_process_parser(sub: Any) -> None:
    p = sub.add_parser(
        "process", help="clean (and attribute) pages: HTML, text, .gz, WARC, JSONL; '-' is stdin"
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--format", choices=["json", "jsonl", "md", "txt", "parquet"], default=None)
    p.add_argument("-o", "--output", default=None, help="output file, or folder of shards with --engine")
    p.add_argument(
        "--engine",
        choices=["local", "ray"],
        default=None,
        help="sharded run into the -o folder: a local process pool, or Ray Data (resumable)",
    )
    p.add_argument("--address", default=None, help="Ray cluster address (with --engine ray)")
    p.add_argument("--shard-size", type=int, default=1000, help="inputs per output shard (with --engine)")
    p.add_argument(
        "--field", default=None, help="JSONL/Parquet field holding the page (default: html, text, ...)"
    )
    p.add_argument("--input-kind", choices=["auto", "html", "text"], default="auto")
    add_given_options(p)
    p.add_argument("--stages", default=",".join(DEFAULT_STAGES), help="comma-separated pipeline stages")
    p.add_argument("--mode", choices=["precision", "balanced", "recall"], default="balanced")
    p.add_argument("--page-types", type=page_type_list, default=None, metavar="TYPES", help=PAGE_TYPES_HELP)
    add_attribution_option(p)
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help=f"worker processes (default 1; with --engine all cores: {default_workers()})",
    )
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--no-progress", action="store_true")


def _add_attribute_parser(sub: Any) -> None:
    p = sub.add_parser("attribute", help="who said what in clean text: quotes and claims with sources")
    p.add_argument("path", metavar="PATH", help="a UTF-8 text file ('-' for stdin); offsets index its text")
    p.add_argument("--format", choices=["json", "md"], default="json")
    add_attribution_option(p)


def add_attribution_option(parser: Any) -> None:
    parser.add_argument(
        "--attribution",
        choices=ATTRIBUTION_MODELS,
        default=DEFAULT_ATTRIBUTION,
        help="attribution model: accurate (transformer and rules) or fast (CRF and rules; about 3x faster)",
    )


def add_given_options(parser: Any) -> None:
    """What a plain-text scrape lacks: its address, outlet and date (an HTML page's own are overridden)."""
    parser.add_argument("--url", default=None, help="the page's URL (a single input only)")
    parser.add_argument("--outlet", default=None, help="the outlet that published the inputs")
    parser.add_argument("--published", type=iso_date, default=None, metavar="YYYY-MM-DD", help="their date")


def iso_date(value: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def given_of(args: argparse.Namespace) -> Any:
    """The `Given` of --url, --outlet and --published; None, after saying why, for a URL given to more
    than one page (it names one)."""
    from .inputs.readers import Given, page_count

    if args.url and page_count(args.paths) != 1:
        print("newsdistill: --url names one page: give it with a single input", file=sys.stderr)
        return None
    return Given(args.url, args.outlet, args.published)


def _add_train_parser(sub: Any) -> None:
    p = sub.add_parser("train", help="train a model from a corpus")
    p.add_argument("what", choices=["attribution", "cleaner", "text-cleaner", "story-encoder"])
    p.add_argument(
        "--data",
        default=None,
        help="attribution: PolNeAR folder (with data/train); "
        "cleaner: the folder holding aeb/ and wcxb-dev/ (../shared/data); "
        "story-encoder: ECB+ docs.jsonl (fine-tune on its events; without it: the packaged encoder as is)",
    )
    p.add_argument("--seed", type=int, default=0, help="cleaner: random seed (the same seed, the same model)")
    p.add_argument(
        "--fold-models",
        default=None,
        metavar="DIR",
        help="cleaner, text-cleaner, story-encoder: also write each fold's models here (for an out-of-fold "
        "benchmark run; story-encoder: folds by ECB+ topic, each encoder tuned without its fold's topics)",
    )
    p.add_argument("--out", default=None, help="model file (default: the packaged model)")
    p.add_argument("--limit", type=int, default=None, help="first N training articles")
    p.add_argument("--iterations", type=int, default=150, help="attribution --model fast: CRF iterations")
    _add_accurate_training_options(p)


def _add_accurate_training_options(p: Any) -> None:
    p.add_argument(
        "--model",
        choices=["fast", "accurate"],
        default="fast",
        help="attribution: fast (the CRF) or accurate (fine-tune the transformer; needs newsdistill[train])",
    )
    p.add_argument(
        "--work",
        default=None,
        help="accurate, story-encoder: folder for checkpoints (default attribution-training, "
        "story-encoder-training); a run resumes from the checkpoint it finds there",
    )
    p.add_argument(
        "--epochs",
        type=positive_int,
        default=4,
        help="accurate, story-encoder: passes over the training data",
    )
    p.add_argument("--batch-size", type=positive_int, default=16, help="accurate: windows per step")
    p.add_argument("--learning-rate", type=float, default=1e-4, help="accurate: AdamW peak learning rate")
    p.add_argument("--max-steps", type=positive_int, default=None, help="accurate: stop after N steps")
    p.add_argument("--crf", action="store_true", help="accurate: learn label transitions (a CRF layer) too")
    shapes = "accurate: give the tagger each token's case and line breaks too"
    p.add_argument("--shapes", action="store_true", help=shapes)
    syntax = "accurate: and its dependency label and clause (texts parsed once into WORK/parses.npz)"
    p.add_argument("--syntax", action="store_true", help=syntax)
    p.add_argument("--window", type=positive_int, default=256, help="accurate: tokens per window")
    _add_distillation_options(p)
    p.add_argument(
        "--device", default="auto", help="accurate: cpu, cuda, cuda:N or auto (a CUDA GPU if torch sees one)"
    )
    p.add_argument(
        "--export-only", action="store_true", help="accurate: write the ONNX model from the best epoch"
    )


def _add_distillation_options(p: Any) -> None:
    """accurate: learning from other trained taggers (attribution/tagger_distillation.py)."""
    p.add_argument(
        "--teachers",
        nargs="+",
        default=(),
        metavar="TEACHER",
        help="accurate: taggers whose averaged outputs are taught too: epoch<N>.pt of other runs, or "
        "exported model folders such as the shipped one",
    )
    p.add_argument(
        "--unlabelled",
        default=None,
        metavar="DIR",
        help="accurate, with --teachers: a folder of .txt news articles the teachers label for the student",
    )
    p.add_argument(
        "--distil-weight", type=float, default=0.5, help="accurate: the teachers' share of the loss (0-1)"
    )
    p.add_argument(
        "--temperature", type=float, default=2.0, help="accurate: softens teachers' and student's outputs"
    )


PAGE_TYPES = ("article", "listing", "collection", "forum", "product", "documentation", "service", "other")
PAGE_TYPES_HELP = (
    "keep only these page types (comma-separated, e.g. 'article'); other HTML pages are reported "
    "as skipped with their type"
)


def page_type_list(text: str) -> tuple[str, ...]:
    names = tuple(stage_list(text))
    unknown = [n for n in names if n not in PAGE_TYPES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown page type {', '.join(unknown)!r}; choose from {', '.join(PAGE_TYPES)}"
        )
    return names


DEFAULT_DB = "newsdistill.db"


def _add_corpus_parsers(sub: Any) -> None:
    p = sub.add_parser("ingest", help="process pages into the corpus store (resumable, idempotent)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, WARC or JSONL; '-' is stdin")
    p.add_argument("--db", default=DEFAULT_DB, help="the corpus store (an SQLite file, created if missing)")
    p.add_argument("--input-kind", choices=["auto", "html", "text"], default="auto", help="read inputs as")
    p.add_argument("--stages", default=",".join(DEFAULT_STAGES), help="comma-separated pipeline stages")
    p.add_argument("--page-types", type=page_type_list, default=None, metavar="TYPES", help=PAGE_TYPES_HELP)
    add_attribution_option(p)
    p.add_argument("--workers", type=positive_int, default=1, help="worker processes")
    p.add_argument("--batch-size", type=positive_int, default=16, help="pages per batch")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_given_options(p)
    _add_query_parsers(sub)
    sub.choices["who-said"].add_argument(
        "--all",
        dest="every",
        action="store_true",
        help="every occurrence of each quote, not one row per quote",
    )
    _add_act_option(sub.choices["who-said"])
    sub.choices["stories"].add_argument(
        "--rebuild", action="store_true", help="assign every stored article's story again (the whole store)"
    )
    _add_serve_parser(sub)


def _add_serve_parser(sub: Any) -> None:
    s = sub.add_parser("serve", help="web UI and JSON API over the corpus store")
    s.add_argument("--db", default=DEFAULT_DB, help="the corpus store")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on")
    s.add_argument("--port", type=int, default=8000, help="port to listen on")
    s.add_argument(
        "--workers", type=int, default=None, help="server processes (default: the number of cores)"
    )
    s.add_argument(
        "--threads",
        type=positive_int,
        default=2,
        help="threads per process for the pages that read the store (default: 2; more only wait for "
        "Python's lock and lengthen the slowest answers)",
    )
    s.add_argument(
        "--search-seconds",
        type=positive_float,
        default=1.0,
        help="stop a search after this much CPU time in the store and answer 400 with why (default: 1): "
        "searches share a worker, and a query like w* would hold it for a minute on a large store",
    )
    s.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests whose Host is NAME (repeatable; '*' for any); by default only the "
        "bound address, plus localhost and 127.0.0.1 on loopback, against DNS rebinding",
    )


QUERY_FORMATS = ["table", "json", "jsonl", "csv"]
QUERY_COMMANDS = (
    ("search", 'full-text search: words, "a phrase", -word, a OR b, pref*, title:word, outlet:name', "query"),
    ("who-said", "everything a person or organisation said", "name"),
    ("stories", "articles grouped into stories", None),
)


def _add_act_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--act",
        type=act_list,
        default="speech,writing",
        help="what to list, comma-separated: speech, writing, thought, evidence (default: speech,writing)",
    )


def act_list(text: str) -> frozenset[str]:
    """An argparse type: 'speech,writing' -> the acts who-said lists (an unknown one is refused)."""
    from .corpus.quotes import parse_acts

    try:
        return parse_acts([text])
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def positive_float(text: str) -> float:
    """An argparse type: a number above 0 ('nan' and 'inf' refused), such as a time limit in seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a number above 0")
    return value


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 ('--limit -5' is refused, with the reason)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is too small: give 1 or more")
    return value


def _add_query_parsers(sub: Any) -> None:
    for name, helptext, arg in QUERY_COMMANDS:
        q = sub.add_parser(name, help=helptext, description=helptext)
        if arg:
            q.add_argument(arg, help="the query" if arg == "query" else "a person's or organisation's name")
        q.add_argument("--db", default=DEFAULT_DB, help="the corpus store")
        q.add_argument(
            "--format",
            choices=QUERY_FORMATS,
            default="table",
            help="table for reading; json, jsonl (one record a line) or csv for other tools",
        )
        q.add_argument("--limit", type=positive_int, default=50, help="at most this many results")
    search = sub.choices["search"]
    search.add_argument("--all-copies", action="store_true", help="list every appearance of each result")
    search.add_argument(
        "--outlet", action="append", default=[], metavar="NAME", help="only this outlet (repeatable)"
    )
    for bound, meaning in (("--since", "published on or after"), ("--until", "published on or before")):
        search.add_argument(bound, type=iso_day, default=None, metavar="YYYY-MM-DD", help=meaning)
    search.add_argument("--language", default=None, help="language code, as 'en'")
    search.add_argument("--page-type", default=None, help="page type, as 'article' (stores that record them)")
    search.add_argument(
        "--sort", choices=["relevance", "newest", "oldest"], default="relevance", help="order of the results"
    )
    search.add_argument("--offset", type=int, default=0, help="skip this many results (the next page)")


def iso_day(text: str) -> str:
    import datetime

    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day written YYYY-MM-DD") from None


PARSER_EXTENSIONS: list[Callable[[Any], None]] = [
    _add_attribute_parser,
    _add_train_parser,
    _add_corpus_parsers,
]


def stage_list(text: str) -> list[str]:
    """`--stages decode, clean,` -> ["decode", "clean"]."""
    return [name.strip() for name in text.split(",") if name.strip()]


# Characters that could break or forge a report line: controls (newline, escape), line separators,
# lone surrogates.
_UNSAFE_IN_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def shown(name: str) -> str:
    """A path or id for a one-line report: as it is, or quoted with its control characters escaped
    (as repr() writes them) when it has any, so that a file name cannot split or forge a line."""
    return repr(name) if _UNSAFE_IN_A_LINE.search(name) else name


def one_line(text: str) -> str:
    return _UNSAFE_IN_A_LINE.sub(lambda m: repr(m.group())[1:-1], text)


def report_skip(item_id: str, reason: str) -> None:
    print(f"newsdistill: skipped {shown(item_id)}: {one_line(reason)}", file=sys.stderr)


def report_warnings(item_id: str, warnings: list[str]) -> None:
    """What the pipeline could not do for a page it kept (its record holds the same lines)."""
    for warning in warnings:
        print(f"newsdistill: warning: {shown(item_id)}: {one_line(warning)}", file=sys.stderr)


def pipeline_options(args: argparse.Namespace) -> dict[str, object]:
    """The stage options of `process`, the same in this process, in pool workers and on Ray."""
    return {"mode": args.mode, "page_types": args.page_types, "attribution": args.attribution}


def content_fields(args: argparse.Namespace) -> tuple[str, ...] | None:
    """The JSONL / Parquet fields that may hold the page: `--field` first, then the defaults."""
    from .inputs.containers import CONTENT_FIELDS

    return (args.field, *CONTENT_FIELDS) if args.field else None


def _documents(
    args: argparse.Namespace,
    skipped: list[tuple[str, str]],
    record_ids: dict[str, object] | None = None,
    given: Any = None,
) -> Iterator[Any]:
    """The inputs to process; read errors are reported and counted, and each input's own record id
    is noted in `record_ids` (by input id) for its output record."""
    found = read_inputs(
        args.paths, args.input_kind, fields=content_fields(args), leave_out=own_files(args.output)
    )
    for item in found:
        if isinstance(item, ReadError):
            skipped.append((item.id, item.reason))
            report_skip(item.id, item.reason)
            continue
        if given is not None:
            given.apply(item)
        if record_ids is not None and "record_id" in item.meta:
            record_ids[item.id] = item.meta["record_id"]
        yield item


def progress(results: Iterator[Result], enabled: bool, total: int | None = None) -> Iterator[Result]:
    """A progress bar on stderr: pages done, rate and time taken; with a known `total`, out of how many
    and the time left."""
    if not enabled:
        yield from results
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    count = "{task.completed}/{task.total} pages" if total else "{task.completed} pages"
    columns = [TextColumn(count), BarColumn(), TextColumn("{task.fields[rate]}"), TimeElapsedColumn()]
    if total:
        columns += [TextColumn("ETA"), TimeRemainingColumn()]
    with Progress(*columns, transient=True, console=_stderr_console()) as bar:
        task = bar.add_task("process", total=total or None, rate="")
        for result in results:
            bar.update(task, advance=1)
            elapsed = bar.tasks[0].elapsed or 1e-9
            bar.update(task, rate=f"{bar.tasks[0].completed / elapsed:.1f} pages/s")
            yield result


def page_total(paths: Sequence[str], shown: bool, output: str | None = None) -> int | None:
    """The progress bar's total: the pages `paths` hold, when known without reading them, less the run's
    own `output` (a store or an output file in an input folder)."""
    from .inputs.readers import page_count

    return page_count(paths, own_files(output)) if shown else None


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def write_results(
    results: Iterator[Result],
    fmt: str,
    out: IO[str],
    skipped: list[tuple[str, str]],
    record_ids: dict[str, object] | None = None,
) -> int:
    written = 0
    json_items: list[dict[str, Any]] = []
    record_ids = {} if record_ids is None else record_ids
    for result in results:
        record_id = record_ids.pop(result.id, None)
        if result.article is None:
            skipped.append((result.id, result.error or "unknown error"))
            report_skip(result.id, result.error or "unknown error")
            continue
        written += 1
        report_warnings(result.id, result.article.warnings)
        if fmt == "jsonl":
            out.write(json.dumps(_record(result, record_id), ensure_ascii=False) + "\n")
        elif fmt == "json":
            json_items.append(result.article.model_dump(mode="json"))
        else:
            if written > 1:
                out.write("\n" + ("-" * 72 if fmt == "txt" else "---") + "\n\n")
            out.write(RENDERERS[fmt](result.article).rstrip("\n") + "\n")
    if fmt == "json":
        payload: Any = json_items[0] if len(json_items) == 1 else json_items
        out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return written


def _record(result: Result, record_id: object) -> dict[str, Any]:
    """A JSONL output record: the input's `id` (and its `record_id`, when it had one), then the Article."""
    assert result.article is not None
    ids: dict[str, Any] = {"id": result.id}
    if record_id is not None:
        ids["record_id"] = record_id
    return {**ids, **result.article.model_dump(mode="json")}


@command("process")
def cmd_process(args: argparse.Namespace) -> int:
    if nothing_to_read(args.paths):
        return 1
    if args.engine or args.format == "parquet":
        return _process_sharded(args)
    fmt = args.format or ("json" if len(args.paths) == 1 else "jsonl")
    if (given := given_of(args)) is None:
        return 2
    stages = stage_list(args.stages)
    try:
        pipeline = build_pipeline(stages, **pipeline_options(args))
    except (ValueError, ModelFileError) as exc:
        print(f"newsdistill: {exc}", file=sys.stderr)
        return 2
    try:
        sink = (
            open(args.output, "w", encoding="utf-8")  # noqa: SIM115
            if args.output
            else nullcontext(sys.stdout)
        )
    except OSError as exc:  # a missing folder, no permission: one line, not a traceback
        print(f"newsdistill: cannot write {shown(args.output)}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    skipped: list[tuple[str, str]] = []
    record_ids: dict[str, object] = {}
    documents = _documents(args, skipped, record_ids, given)
    results = pipeline.pipe(documents, batch_size=args.batch_size, n_process=args.workers or 1)
    show = not args.no_progress and sys.stderr.isatty()
    with sink as out:
        total = page_total(args.paths, show, args.output)
        written = write_results(progress(results, show, total), fmt, out, skipped, record_ids)
    return finish(written, skipped)


@command("attribute")
def cmd_attribute(args: argparse.Namespace) -> int:
    from .attribution.component import attribute_text

    try:
        data = sys.stdin.buffer.read() if args.path == "-" else open(args.path, "rb").read()  # noqa: SIM115
    except OSError as exc:
        print(f"newsdistill: cannot read {args.path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    text = attributable_text(args.path, data)
    if text is None:
        return 1
    try:
        attributions, article = attribute_text(text, attribution=args.attribution)
    except ModelFileError as exc:
        print(f"newsdistill: {exc}", file=sys.stderr)
        return 2
    except SkipInput as skip:  # a text over the length the parse takes
        report_skip(args.path, skip.reason)
        return 1
    if args.format == "md":
        print(who_said_markdown(attributions))
        return 0
    payload = {
        "entities": [e.model_dump(mode="json") for e in article.entities],
        "attributions": [a.model_dump(mode="json") for a in attributions],
    }
    print(json.dumps(payload, ensure_ascii=False, indent=2))
    return 0


def attributable_text(path: str, data: bytes) -> str | None:
    """The clean text in `data` (gzip unpacked, encoding detected), or None after reporting why there is
    none: binary data (an image), an empty file, or an HTML page, which `process` must clean first."""
    from .inputs.decode import decode_bytes, sniff_kind

    try:
        text = decode_bytes(data)
    except SkipInput as skip:
        report_skip(path, str(skip))
        return None
    if sniff_kind(text) == "html":
        report_skip(path, "an HTML page: run newsdistill process on it, which cleans it and then attributes")
        return None
    return text


@command("train")
def cmd_train(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .attribution.training import train_attribution

    if args.what == "story-encoder":
        return _train_story_encoder(args)
    if args.data is None:
        print("newsdistill: train attribution and train cleaner need --data", file=sys.stderr)
        return 2
    if args.what == "cleaner":
        return _train_cleaner(args)
    if args.what == "text-cleaner":
        return _train_text_cleaner(args)
    if args.model == "accurate":
        return _train_accurate(args)
    try:
        out = train_attribution(
            Path(args.data), Path(args.out) if args.out else None, args.limit, args.iterations
        )
    except FileNotFoundError as exc:
        print(f"newsdistill: {exc}", file=sys.stderr)
        return 2
    print(f"model written to {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


def _train_accurate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .errors import OptionError

    try:
        from .attribution import tagger_training as training

        config = _accurate_config(args, training)
        if not args.export_only:
            training.Trainer(config, log=lambda line: print(line, file=sys.stderr, flush=True)).run()
        if args.max_steps is not None and not (config.work / "history.json").exists():
            print(f"newsdistill: stopped after {args.max_steps} steps; checkpoint in {config.work}")
            return 0
        out = training.export(
            config.work, Path(args.out) if args.out else training.MODEL_DIR, window=config.window
        )
    # no data, no [train] extra, no GPU, options that cannot go together
    except (FileNotFoundError, ImportError, RuntimeError, OptionError) as exc:
        print(f"newsdistill: {exc}", file=sys.stderr)
        return 2
    print(f"model written to {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


def _accurate_config(args: argparse.Namespace, training: Any) -> Any:
    from pathlib import Path

    return training.TrainConfig(
        data=Path(args.data),
        work=Path(args.work or "attribution-training"),
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        seed=args.seed,
        limit=args.limit,
        max_steps=args.max_steps,
        device=args.device,
        crf=args.crf,
        shapes=args.shapes,
        syntax=args.syntax,
        window=args.window,
        teachers=tuple(Path(t) for t in args.teachers),
        unlabelled=Path(args.unlabelled) if args.unlabelled else None,
        distil_weight=args.distil_weight,
        temperature=args.temperature,
    )


def _train_story_encoder(args: argparse.Namespace) -> int:
    from pathlib import Path

    if args.data is None and (args.fold_models or not args.out):
        print(
            "newsdistill: train story-encoder needs --data (ECB+ docs.jsonl) to fine-tune; without it, give "
            "--out DIR for the packaged encoder as it comes (it would replace the shipped fine-tuned one)",
            file=sys.stderr,
        )
        return 2
    try:
        from .corpus import embeddings_export

        training = _story_training(args) if args.data is not None else None
        out = Path(args.out) if args.out else embeddings_export.MODEL_DIR
        meta = embeddings_export.export(out, *_story_encoder_weights(args, training))
        if args.fold_models and training is not None:
            _story_fold_encoders(training, Path(args.fold_models))
    except ImportError as exc:  # the [train] extra is not installed
        print(f"newsdistill: {exc}; story-encoder needs: pip install 'newsdistill[train]'", file=sys.stderr)
        return 2
    except (OSError, ValueError, KeyError) as exc:  # unreadable data, or a checkpoint of other settings
        print(f"newsdistill: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:  # the int8 model strays from fp32: the shipped files are left as they were
        print(f"newsdistill: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(meta, indent=2))
    return 0


def _story_training(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """The fine-tuning settings, the events of --data and the work folder."""
    from pathlib import Path

    from .corpus import encoder_training

    config = encoder_training.FineTuneConfig(epochs=args.epochs, seed=args.seed, device=args.device)
    texts = encoder_training.read_ecbplus(Path(args.data))
    return config, texts, Path(args.work or "story-encoder-training")


def _story_encoder_weights(args: argparse.Namespace, training: Any) -> tuple[Any, dict[str, Any]]:
    """The encoder folder to export (fine-tuned on --data's events when given) and what meta.json says."""
    from dataclasses import asdict
    from pathlib import Path

    from .corpus import encoder_training
    from .onnx_models import packaged_encoder

    if training is None:
        return packaged_encoder(), {}
    config, texts, work = training
    tuned = encoder_training.fine_tune(
        texts, work, packaged_encoder(), config, lambda line: print(line, flush=True)
    )
    return tuned, {"fine_tuned": {"data": f"{Path(args.data).name}, {len(texts)} articles"} | asdict(config)}


def _story_fold_encoders(training: Any, folder: Any) -> None:
    """One encoder per topic fold, fine-tuned as the shipped one but without the fold's topics."""
    from dataclasses import asdict

    from .corpus import embeddings_export, encoder_training
    from .onnx_models import packaged_encoder

    config, texts, work = training
    groups = [t.group for t in texts]
    for k, held in enumerate(encoder_training.held_out_groups(groups, encoder_training.TOPIC_FOLDS)):
        kept = [t for t in texts if t.group not in held]
        tuned = encoder_training.fine_tune(kept, work / f"fold-{k}", packaged_encoder(), config, print)
        topics = sorted(held, key=encoder_training.group_order)
        embeddings_export.export(
            folder / f"fold-{k}", tuned, {"fine_tuned": {"held_out_topics": topics} | asdict(config)}
        )
        print(f"fold {k}: {len(kept)} articles, topics {', '.join(topics)} held out", flush=True)


def _train_cleaner(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .clean.training import train_cleaner

    try:
        report = train_cleaner(
            Path(args.data),
            Path(args.out) if args.out else None,
            args.seed,
            args.limit,
            Path(args.fold_models) if args.fold_models else None,
        )
    except (FileNotFoundError, ImportError) as exc:  # no data, or scikit-learn (needed to train) missing
        print(f"newsdistill: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2))
    return 0


def _train_text_cleaner(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .clean.text_training import train_text_cleaner

    try:
        out = Path(args.out) if args.out else None
        folds = Path(args.fold_models) if args.fold_models else None
        report = train_text_cleaner(Path(args.data), out, args.seed, args.limit, folds)
    except (FileNotFoundError, ImportError) as exc:  # no data, or scikit-learn (needed to train) missing
        print(f"newsdistill: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2))
    return 0


def _process_sharded(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .scale.engine import run

    if not args.output:
        print(
            "newsdistill: --engine and --format parquet write shards: give an output folder with -o",
            file=sys.stderr,
        )
        return 2
    try:
        summary = run(
            args.paths,
            Path(args.output),
            fmt=args.format if args.format in {"jsonl", "parquet"} else "jsonl",
            engine=args.engine or "local",
            workers=max(1, args.workers or default_workers()),
            stages=stage_list(args.stages),
            shard_size=args.shard_size,
            input_kind=args.input_kind,
            address=args.address,
            progress=None if args.no_progress else _show_shard_progress,
            fields=content_fields(args),
            options=pipeline_options(args),
        )
    except (ValueError, RuntimeError) as exc:
        print(f"newsdistill: {exc}", file=sys.stderr)
        return 2
    _report_sharded_run(summary)
    return 1 if summary.skipped else 0


def _show_shard_progress(summary: Any) -> None:
    print(
        f"newsdistill: {summary.processed} processed, {len(summary.skipped)} skipped, "
        f"{summary.shards_written} shards written, {summary.pages_per_s:.1f} pages/s",
        file=sys.stderr,
    )


def _report_sharded_run(summary: Any) -> None:
    """Each skipped item, then the totals and the skips counted by reason, on stderr."""
    for item_id, reason in summary.skipped:
        report_skip(item_id, reason)
    print(
        f"newsdistill: {summary.processed} pages in {summary.seconds:.1f} s "
        f"({summary.pages_per_s:.1f} pages/s), "
        f"{len(summary.skipped)} skipped, {summary.duplicates} near-duplicates, "
        f"{summary.shards_written} shards written, {summary.shards_resumed} already done",
        file=sys.stderr,
    )
    if summary.skipped:
        reasons = ", ".join(f"{reason}: {n}" for reason, n in summary.skip_reasons().most_common())
        print(f"newsdistill: skipped by reason: {reasons}", file=sys.stderr)


@command("ingest")
def cmd_ingest(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .corpus.ingest import ingest

    if nothing_to_read(args.paths):  # before the store is opened: an empty folder creates no empty store
        return 1
    stages = stage_list(args.stages)
    show = not args.no_progress and sys.stderr.isatty()
    if (given := given_of(args)) is None:
        return 2
    total = page_total(args.paths, show, str(args.db))
    try:
        summary = ingest(
            args.paths,
            Path(args.db),
            stages=stages,
            workers=max(1, args.workers),
            batch_size=args.batch_size,
            input_kind=args.input_kind,
            page_types=args.page_types,
            attribution=args.attribution,
            watch=lambda results: progress(results, show, total),
            given=given,
        )
    except ModelFileError as exc:
        print(f"newsdistill: {exc}", file=sys.stderr)
        return 2
    except sqlite3_errors() as exc:
        print(f"newsdistill: cannot write the store {args.db}: {exc}", file=sys.stderr)
        return 1
    for item_id, reason in summary.skipped:
        report_skip(item_id, reason)
    for item_id, warning in summary.warned:
        report_warnings(item_id, [warning])
    print(f"newsdistill: {summary.line()} -> {args.db}", file=sys.stderr)
    return 1 if summary.skipped else 0


def nothing_to_read(paths: Sequence[str]) -> bool:
    """True, after saying so, when every path is a folder without a single file in it (a missing path
    is left to the readers, which report it as skipped)."""
    from pathlib import Path

    empty = [p for p in paths if Path(p).is_dir() and not any(f.is_file() for f in Path(p).rglob("*"))]
    if not paths or len(empty) < len(paths):
        return False
    folders = ", ".join(shown(p) for p in empty)
    print(f"newsdistill: nothing to read: {folders} holds no files", file=sys.stderr)
    return True


def sqlite3_errors() -> tuple[type[Exception], ...]:
    import sqlite3

    return (sqlite3.OperationalError, sqlite3.DatabaseError, OSError)


def _open_store(path: str) -> Any:
    from pathlib import Path

    from .corpus.store import Store

    if not Path(path).exists():
        raise FileNotFoundError(f"no corpus store at {path}: run newsdistill ingest first")
    return Store(path, readonly=True)


def _query(
    args: argparse.Namespace,
    fetch: Callable[[Any], list[dict[str, Any]]],
    table: Callable[[dict[str, Any]], str],
    columns: Sequence[str] = (),
) -> int:
    from .corpus.query_language import QueryError

    try:
        rows = fetch(_open_store(args.db))
    except (FileNotFoundError, QueryError) as exc:  # no store, or a query that cannot be read
        print(f"newsdistill: {exc}", file=sys.stderr)
        return 2
    except sqlite3_errors() as exc:  # not a store, or a damaged one: one line, not a traceback
        print(f"newsdistill: cannot read the store {args.db}: {exc}", file=sys.stderr)
        return 1
    print_rows(rows, args.format, table, columns)
    return 0


def print_rows(
    rows: list[dict[str, Any]], fmt: str, table: Callable[[dict[str, Any]], str], columns: Sequence[str] = ()
) -> None:
    from .corpus.records import csv_text

    if fmt == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "jsonl":
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
    elif fmt == "csv":
        sys.stdout.write(csv_text(rows, columns))
    else:
        print("\n".join(table(r) for r in rows) if rows else "(nothing found)")


@command("search")
def cmd_search(args: argparse.Namespace) -> int:
    from .corpus.queries import SearchRequest
    from .corpus.records import SEARCH_COLUMNS

    request = SearchRequest(
        text=args.query,
        outlets=args.outlet,
        since=args.since,
        until=args.until,
        language=args.language,
        page_type=args.page_type,
        sort=args.sort,
        offset=max(0, args.offset),
        limit=args.limit,
        all_copies=args.all_copies,
    )

    def fetch(store: Any) -> list[dict[str, Any]]:
        found = store.search_page(request)
        if args.format == "table" and found["total"]:
            more = "more than " if found["capped"] else ""
            print(f"newsdistill: {more}{found['total']} results", file=sys.stderr)
        return list(found["results"])

    return _query(args, fetch, search_row, SEARCH_COLUMNS)


def search_row(r: dict[str, Any]) -> str:
    """'[3] Title — Outlet (+2 copies)', the snippet, then with --all-copies one line per appearance."""
    copies = r.get("copies", 0)
    more = f" (+{copies} cop{'ies' if copies != 1 else 'y'})" if copies else ""
    lines = [
        f"[{r['id']}] {r['title'] or '(untitled)'} — {r['outlet'] or '?'}, "
        f"{r.get('published') or 'undated'}{more}",
        f"    {r['snippet']}",
    ]
    if r.get("url"):
        lines.append(f"    {r['url']}")
    for i, seen in enumerate(r.get("appearances", [])):
        credit = f", credits {seen['credited_outlet']}" if seen["credited_outlet"] else ""
        where = seen["url"] or seen["input_id"]
        lines.append(
            f"    {'first' if i == 0 else 'copy '} {seen['published'] or 'undated'} "
            f"{seen['outlet'] or '?'} [{seen['article_id']}] {where}{credit}"
        )
    return "\n".join(lines)


@command("who-said")
def cmd_who_said(args: argparse.Namespace) -> int:
    """One row per quote with its spread ("5 outlets, first <outlet> <date>"); --all: every occurrence."""

    def fetch(store: Any) -> list[dict[str, Any]]:
        return store.who_said(args.name, args.limit, every=args.every, acts=args.act)

    from .corpus.records import WHO_SAID_COLUMNS

    return _query(args, fetch, who_said_occurrence if args.every else who_said_quote, WHO_SAID_COLUMNS)


def who_said_quote(r: dict[str, Any]) -> str:
    said = f"{r['speaker']} ({r['cue'] or 'quoted'}): {r['content']}"
    first = r.get("first_seen")
    if r.get("quote_id") is None or first is None:  # a store from before quotes, opened read-only
        return who_said_occurrence(r)
    outlets = f"{r['outlets']} outlet{'s' if r['outlets'] != 1 else ''}"
    return (
        f"{said}\n    — quote {r['quote_id']}: {outlets}, first {first['outlet'] or '?'} "
        f"{first['published'] or 'undated'} [{first['article_id']}]"
    )


def who_said_occurrence(r: dict[str, Any]) -> str:
    article = r["article"]
    quote = f" (quote {r['quote_id']})" if r.get("quote_id") is not None else ""
    return (
        f"{r['speaker']} ({r['cue'] or 'quoted'}): {r['content']}\n"
        f"    — [{article['id']}] {article['title'] or '(untitled)'}, {article['outlet'] or '?'}, "
        f"{r.get('published') or 'undated'}{quote}"
    )


@command("stories")
def cmd_stories(args: argparse.Namespace) -> int:
    if args.rebuild:
        return _rebuild_stories(args.db)

    def fetch(store: Any) -> list[dict[str, Any]]:
        rows = store.stories(args.limit)
        if args.format == "csv":  # one row per article, with its story
            return [
                {"story_id": story["id"], "story_title": story["title"], **article}
                for story in rows
                for article in story["articles"]
            ]
        if args.format != "table":
            fields = ("id", "title", "outlet", "url", "duplicate_of", "published")
            for story in rows:
                story["articles"] = [{k: a[k] for k in fields} for a in story["articles"]]
        return rows

    def show(story: dict[str, Any]) -> str:
        count = story["article_count"]
        lines = [
            f"story {story['id']}: {story['title'] or '(untitled)'} "
            f"({count} article{'s' if count != 1 else ''})"
        ]
        lines += [
            f"    [{a['id']}] {a['outlet'] or '?'}: {a['title'] or '(untitled)'}"
            + (f" (copy of {a['duplicate_of']})" if a["duplicate_of"] else "")
            for a in story["articles"]
        ]
        return "\n".join(lines)

    return _query(args, fetch, show)


def _rebuild_stories(path: str) -> int:
    from pathlib import Path

    from .corpus import story_index
    from .corpus.store import Store

    if not Path(path).exists():
        print(f"newsdistill: no corpus store at {path}: run newsdistill ingest first", file=sys.stderr)
        return 2
    try:
        store = Store(path)
        with store.transaction():  # all or nothing: an interrupted rebuild leaves the old stories
            count = story_index.rebuild(store.db)
        store.close()
    except sqlite3_errors() as exc:
        print(f"newsdistill: cannot rebuild the stories of {path}: {exc}", file=sys.stderr)
        return 1
    print(f"newsdistill: {count} stories")
    return 0


@command("serve")
def cmd_serve(args: argparse.Namespace) -> int:
    from .web.server import PortBusy, serve

    try:
        serve(
            args.db,
            args.host,
            args.port,
            args.workers or default_workers(),
            args.allowed_host,
            args.threads,
            args.search_seconds,
        )
    except (FileNotFoundError, PortBusy) as exc:  # no store, or a port in use: one line, a usage error
        print(f"newsdistill: {exc}", file=sys.stderr)
        return 2
    return 0


def finish(done: int, skipped: Sequence[tuple[str, str]]) -> int:
    if skipped:
        print(f"newsdistill: {done} processed, {len(skipped)} skipped", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="newsdistill: %(message)s")
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # a mistyped option: the usage of the command it was given to, not the top level's
        subcommand_parser(parser, args.command).error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("newsdistill: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
