"""Attribution benchmark on PolNeAR dev: newsdistill beside textacy's direct_quotations.

    python benchmarks/attribution.py [--split dev] [--limit N]

Metric as in ../shared/data/polnear/README.md, per role (source, cue, content):
exact span match after trimming punctuation and quotation marks at both ends (discontinuous
gold spans count one span per fragment), micro P/R/F1; and token-overlap P/R/F1 of role labels.
Each tool runs in its own process (spaCy parse included in its time) on one core.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

POLNEAR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "polnear"
ROLES = ("source", "cue", "content")
_TRIM = set(" \t\n.,;:!?'\"‘’“”()[]—–-")
_TOKEN = re.compile(r"\w+|[^\w\s]")
Spans = dict[str, list[tuple[int, int]]]

PUBLISHED = [
    ("BERT + CofeNet (published, GPU)", "82.9/83.6/83.2", "75.9/74.7/75.3", "74.9/71.1/72.9"),
    ("BERT + CRF (published)", "81.5/82.9/82.2", "75.0/74.7/74.9", "72.4/69.7/71.0"),
]


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def gold_spans(article: Any) -> Spans:
    spans: Spans = {role: [] for role in ROLES}
    for attribution in article.attributions:
        for role in ROLES:
            spans[role].extend(getattr(attribution, role))
    return spans


def newsdistill_spans(text: str, model: str = "fast") -> Spans:
    import newsdistill

    spans: Spans = {role: [] for role in ROLES}
    for attribution in newsdistill.attribute(text, attribution=model):  # type: ignore[arg-type]
        for role in ("source", "cue"):
            span = getattr(attribution, role)
            if span is not None:
                spans[role].append((span.start, span.end))
        # a content the cue splits counts piece by piece, as PolNeAR's discontinuous spans do
        parts = attribution.content_parts or [attribution.content]
        spans["content"].extend((part.start, part.end) for part in parts)
    return spans


def textacy_spans(text: str) -> Spans:
    from textacy.extract.triples import direct_quotations

    from newsdistill.nlp import load_nlp

    spans: Spans = {role: [] for role in ROLES}
    try:
        triples = list(direct_quotations(load_nlp()(text)))
    except ValueError:  # textacy bails out on unbalanced quotation marks
        return spans
    for triple in triples:
        for role, tokens in (("source", triple.speaker), ("cue", triple.cue)):
            if tokens:
                spans[role].append((tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)))
        spans["content"].append((triple.content.start_char, triple.content.end_char))
    return spans


TOOLS: dict[str, Callable[[str], Spans]] = {
    "newsdistill fast": newsdistill_spans,
    "newsdistill accurate": partial(newsdistill_spans, model="accurate"),
    "textacy direct_quotations": textacy_spans,
}


def run_tool(name: str, split: str, limit: int | None) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from newsdistill.attribution.polnear import read_split
    from newsdistill.nlp import load_nlp

    articles = list(read_split(POLNEAR, split, limit))
    load_nlp()
    extract = TOOLS[name]
    extract(articles[0].text)  # warm-up
    started = time.perf_counter()
    predictions = [extract(article.text) for article in articles]
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"predictions": predictions, "seconds": seconds, "peak_mb": peak, "n": len(articles)}


def exact_scores(
    texts: list[str], predicted: list[list[tuple[int, int]]], gold: list[list[tuple[int, int]]]
) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for text, pred, expected in zip(texts, predicted, gold, strict=True):
        want = Counter(trim(text, s, e) for s, e in expected)
        got = Counter(trim(text, s, e) for s, e in pred)
        matched = sum((want & got).values())
        tp, fp, fn = tp + matched, fp + sum(got.values()) - matched, fn + sum(want.values()) - matched
    return _prf(tp, fp, fn)


def overlap_scores(
    texts: list[str], predicted: list[list[tuple[int, int]]], gold: list[list[tuple[int, int]]]
) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for text, pred, expected in zip(texts, predicted, gold, strict=True):
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
        want, got = _covered(tokens, expected), _covered(tokens, pred)
        tp, fp, fn = tp + len(want & got), fp + len(got - want), fn + len(want - got)
    return _prf(tp, fp, fn)


def _covered(tokens: list[tuple[int, int]], spans: list[tuple[int, int]]) -> set[int]:
    return {i for i, (s, e) in enumerate(tokens) if any(a <= s and e <= b for a, b in spans)}


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return 100 * precision, 100 * recall, 100 * f1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", default="dev")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--tools", default=",".join(TOOLS))
    args = parser.parse_args()
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    if unknown := [t for t in tools if t not in TOOLS]:  # before minutes of work, not after
        parser.error(f"unknown tool {', '.join(map(repr, unknown))}: choose from {', '.join(TOOLS)}")
    if not POLNEAR.exists():
        print(f"PolNeAR not found at {POLNEAR}: ../shared/data is needed", file=sys.stderr)
        return 2
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from newsdistill.attribution.polnear import read_split

    articles = list(read_split(POLNEAR, args.split, args.limit))
    texts = [a.text for a in articles]
    gold = [gold_spans(a) for a in articles]
    header = (
        "| tool | source P/R/F1 exact | cue P/R/F1 exact | content P/R/F1 exact | source F1 overlap "
        "| cue F1 overlap | content F1 overlap | articles/s | peak MB |"
    )
    lines = [header, "|" + "---|" * 9]
    context = multiprocessing.get_context("spawn")
    for name in tools:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            result = pool.submit(run_tool, name, args.split, args.limit).result()
        cells = [name]
        overlaps = []
        for role in ROLES:
            predicted = [p[role] for p in result["predictions"]]
            expected = [g[role] for g in gold]
            cells.append("/".join(f"{v:.1f}" for v in exact_scores(texts, predicted, expected)))
            overlaps.append(f"{overlap_scores(texts, predicted, expected)[2]:.1f}")
        cells += [*overlaps, f"{result['n'] / result['seconds']:.1f}", f"{result['peak_mb']:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
        print(f"{name}: done", file=sys.stderr)
    for name, *published in PUBLISHED:
        lines.append(f"| {name} | " + " | ".join(published) + " | – | – | – | – | – |")
    attributions = sum(len(a.attributions) for a in articles)
    print(f"PolNeAR {args.split}: {len(articles)} articles, {attributions} attributions")
    print("\n".join(lines))
    from speaker_resolution import summary_row  # benchmarks/speaker_resolution.py, beside this script

    for model in ("fast", "accurate"):
        print(summary_row(model))
    return 0


if __name__ == "__main__":
    sys.exit(main())
