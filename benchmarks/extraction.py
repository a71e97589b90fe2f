"""Extraction benchmark: newsdistill and its peers, in one run, on the same pages.

    python benchmarks/extraction.py                      # everything (about 20 minutes on 2 cores)
    python benchmarks/extraction.py --limit 50 --tools newsdistill,trafilatura

Data: ../shared/data/aeb (181 pages), ../shared/data/wcxb-dev (1,497 pages) and the same pages
as whole-page text in ../shared/data/textmode/. Metrics as in their READMEs (benchmarks/metrics.py).
Each tool runs in a fresh process, one at a time, on one core; pages/s times the extraction
call only; peak MB is the process's peak RSS growth while extracting.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import resource
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from metrics import aeb_bootstrap_std, aeb_page, aeb_scores, snippet_share, wcxb_page
from newsdistill.errors import SkipInput
from peers import TOOLS

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
# Written by `newsdistill train cleaner --data ../shared/data --fold-models <this>`: fold-<k>/ holds the
# models trained without fold k's sites: "newsdistill (out-of-fold)" scores no page with a model that saw it.
FOLD_MODELS = Path(os.environ.get("NEWSDISTILL_FOLD_MODELS", "/tmp/newsdistill-fold-models"))


def rules_only_extractor(input_kind: str = "html") -> Callable[[str, str | None], str]:
    """Today's rules without the learned model (the baseline it must beat; tuned on these pages). The same
    path as newsdistill.process (decode, clean, the pipeline's per-page limit), so speeds compare."""
    from newsdistill.model import RawDocument
    from newsdistill.stages import build_pipeline

    pipeline = build_pipeline(("decode", "clean"), learned=False)

    def extract(page: str, url: str | None) -> str:
        try:
            return pipeline(RawDocument(id=url or "<input>", data=page, url=url, input_kind=input_kind)).text
        except SkipInput:
            return ""

    return extract


def out_of_fold_extractor(
    mode: str = "balanced", input_kind: str = "html"
) -> Callable[[str, str | None], str]:
    """The learned cleaner (HTML) or line model (text), each page scored by the fold model that never saw
    its site (`newsdistill train cleaner|text-cleaner --fold-models` write them)."""
    from newsdistill.clean.classify import MODES
    from newsdistill.clean.component import clean_html, clean_text
    from newsdistill.clean.learned import BLOCK_MODEL
    from newsdistill.clean.text_learned import TEXT_MODEL
    from newsdistill.clean.training import FOLDS, _domain
    from newsdistill.model import Article

    clean, name = (clean_html, BLOCK_MODEL.name) if input_kind == "html" else (clean_text, TEXT_MODEL.name)
    if not (FOLD_MODELS / "fold-0" / name).is_file():
        command = "cleaner" if input_kind == "html" else "text-cleaner"
        hint = f"run newsdistill train {command} --fold-models"
        raise ImportError(f"no {name} fold models in {FOLD_MODELS}: {hint}")

    def extract(page: str, url: str | None) -> str:
        fold = zlib.crc32(_domain(url, "").encode()) % FOLDS
        article = Article(input_kind=input_kind)
        try:
            clean(article, page, MODES[mode], model=FOLD_MODELS / f"fold-{fold}" / name)
        except SkipInput:
            return ""
        return article.text

    return extract


TOOLS["newsdistill (rules only)"] = ("html", rules_only_extractor)
TOOLS["newsdistill text (out-of-fold)"] = ("text", partial(out_of_fold_extractor, "balanced", "text"))
TOOLS["newsdistill text (rules only)"] = ("text", partial(rules_only_extractor, "text"))
TOOLS["newsdistill (out-of-fold)"] = ("html", out_of_fold_extractor)
TOOLS["newsdistill --mode precision (out-of-fold)"] = ("html", partial(out_of_fold_extractor, "precision"))
TOOLS["newsdistill --mode recall (out-of-fold)"] = ("html", partial(out_of_fold_extractor, "recall"))
PAGE_TYPES = ["article", "forum", "product", "collection", "listing", "documentation", "service"]


@dataclass
class Page:
    dataset: str  # "aeb" | "wcxb"
    id: str
    url: str | None
    gold: str
    page_type: str = "article"
    with_snippets: list[str] = field(default_factory=list)
    without_snippets: list[str] = field(default_factory=list)


def load_pages(limit: int | None) -> list[Page]:
    pages: list[Page] = []
    truth = json.loads((DATA / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id, gold in sorted(truth.items())[:limit]:
        pages.append(Page("aeb", page_id, gold.get("url"), gold["articleBody"]))
    for path in sorted((DATA / "wcxb-dev" / "dev" / "ground-truth").glob("*.json"))[:limit]:
        record = json.loads(path.read_text(encoding="utf-8"))
        truth = record["ground_truth"]
        page_type = (record.get("_internal") or {}).get("page_type", {}).get("primary", "article")
        pages.append(
            Page(
                "wcxb",
                path.stem,
                record.get("url"),
                truth.get("main_content") or "",
                "collection" if page_type == "category" else page_type,
                truth.get("with") or [],
                truth.get("without") or [],
            )
        )
    return pages


def page_input(page: Page, kind: str) -> str:
    if kind == "text":
        folder = "aeb" if page.dataset == "aeb" else "wcxb-dev"
        return (DATA / "textmode" / folder / f"{page.id}.txt").read_text(encoding="utf-8", errors="replace")
    path = (
        DATA / "aeb" / "html" / f"{page.id}.html.gz"
        if page.dataset == "aeb"
        else DATA / "wcxb-dev" / "dev" / "html" / f"{page.id}.html.gz"
    )
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_tool(name: str, limit: int | None) -> dict[str, object]:
    """In a fresh process: extract every page with one tool, timing the calls only."""
    kind, factory = TOOLS[name]
    try:
        extract = factory()
    except ImportError as exc:
        return {"error": f"not installed: {exc}"}
    pages = load_pages(limit)
    inputs = [page_input(page, kind) for page in pages]
    extract(inputs[0], pages[0].url)  # warm-up: lazy imports and caches
    before = _rss_mb()
    predictions, seconds, failures = [], 0.0, 0
    for page, raw in zip(pages, inputs, strict=True):
        started = time.perf_counter()
        try:
            text = extract(raw, page.url)
        except Exception:  # a peer failing on one page scores that page as empty
            text, failures = "", failures + 1
        seconds += time.perf_counter() - started
        predictions.append(text)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "predictions": predictions,
        "seconds": seconds,
        "peak_mb": max(0.0, peak - before),
        "failures": failures,
    }


def score(pages: list[Page], predictions: list[str]) -> dict[str, float]:
    aeb = [
        aeb_page(pred, page.gold)
        for page, pred in zip(pages, predictions, strict=True)
        if page.dataset == "aeb"
    ]
    row: dict[str, float] = {}
    if aeb:
        row["aeb_p"], row["aeb_r"], row["aeb_f1"] = aeb_scores(aeb)
        row["aeb_std"] = aeb_bootstrap_std(aeb)
    by_type: dict[str, list[float]] = defaultdict(list)
    withs, withouts = [], []
    for page, pred in zip(pages, predictions, strict=True):
        if page.dataset == "wcxb":
            by_type[page.page_type].append(wcxb_page(pred, page.gold)[2])
            withs.append(snippet_share(pred, page.with_snippets))
            withouts.append(snippet_share(pred, page.without_snippets))
    every = [f for scores in by_type.values() for f in scores]
    if every:
        row["wcxb_f1"] = sum(every) / len(every)
        row["with"], row["without"] = sum(withs) / len(withs), sum(withouts) / len(withouts)
        for page_type, scores in by_type.items():
            row[f"wcxb_{page_type}"] = sum(scores) / len(scores)
    return row


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _rate(pages_per_s: float) -> str:
    return "–" if pages_per_s > 1e6 else f"{pages_per_s:.0f}"  # the raw-text baseline does no work


def table(rows: list[tuple[str, str, dict[str, float]]]) -> str:
    header = [
        "tool",
        "input",
        "AEB F1",
        "AEB P",
        "AEB R",
        "WCXB F1",
        *PAGE_TYPES,
        "with",
        "without↓",
        "pages/s",
        "peak MB",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, kind, row in rows:
        if "error" in row:
            lines.append(f"| {name} | {kind} | {row['error']} |" + " |" * (len(header) - 3))
            continue
        cells = [
            name,
            kind,
            f"{row['aeb_f1']:.3f} ± {row['aeb_std']:.3f}",
            f"{row['aeb_p']:.3f}",
            f"{row['aeb_r']:.3f}",
            f"**{row['wcxb_f1']:.3f}**",
            *[_cell(row.get(f"wcxb_{t}")) for t in PAGE_TYPES],
            f"{row['with']:.1%}",
            f"{row['without']:.1%}",
            _rate(row["pages_per_s"]),
            f"{row['peak_mb']:.0f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated tool names (see peers.py)")
    parser.add_argument("--limit", type=int, default=None, help="first N pages of each data set")
    args = parser.parse_args()
    if not (DATA / "aeb").exists() or not (DATA / "wcxb-dev").exists():
        print(f"benchmark data not found under {DATA}: ../shared/data is needed", file=sys.stderr)
        return 2
    pages = load_pages(args.limit)
    rows = []
    context = multiprocessing.get_context("spawn")
    for name in [t.strip() for t in args.tools.split(",") if t.strip()]:
        kind = TOOLS[name][0]
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            result = pool.submit(run_tool, name, args.limit).result()
        if "error" in result:
            rows.append((name, kind, {"error": result["error"]}))
            continue
        row = score(pages, result["predictions"])  # type: ignore[arg-type]
        row["pages_per_s"] = len(pages) / max(float(result["seconds"]), 1e-9)  # type: ignore[arg-type]
        row["peak_mb"] = float(result["peak_mb"])  # type: ignore[arg-type]
        rows.append((name, kind, row))
        print(
            f"{name}: AEB F1 {row.get('aeb_f1', 0):.3f}, WCXB F1 {row.get('wcxb_f1', 0):.3f}, "
            f"{row['pages_per_s']:.0f} pages/s",
            file=sys.stderr,
        )
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
