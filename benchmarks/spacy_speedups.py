"""The spaCy parse, stock against newsdistill's stand-ins (`nlp_speedups`: the attribute ruler's patterns as
numpy masks, the lemmatizer over arrays, the entity recogniser's greedy decoding in numpy): are the
annotations the same, and how long does each component take?

    OMP_NUM_THREADS=1 python benchmarks/spacy_speedups.py [--every 4] [--part 0]

Texts: PolNeAR train and dev, ECB+ documents, the AEB gold article bodies and the WCXB-dev gold main contents
(each cut at 50,000 characters), every `--every`-th from `--part`. Both pipelines use newsdistill's tokenizer,
so the tokens are the same. Each component runs over all the docs in batches of 8 (its `pipe`, or one doc at a
time), timed with the process's CPU clock; then every token's tag, head, dependency, POS, morphology, lemma
and entity are compared.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
MAX_CHARS = 50_000
COLUMNS = ("TAG", "HEAD", "DEP", "POS", "MORPH", "LEMMA", "ENT_IOB", "ENT_TYPE")


def texts(data: Path = DATA) -> Iterator[str]:
    """Every text of the shared sets, in a fixed order, read by the loaders the other benchmarks use."""
    from extraction import load_pages
    from newsdistill.attribution.polnear import read_split
    from newsdistill.corpus.encoder_training import ecbplus_text

    for split in ("train", "dev"):
        yield from (article.text for article in read_split(data / "polnear", split))
    with open(data / "ecbplus" / "docs.jsonl", encoding="utf-8") as lines:
        yield from (ecbplus_text(json.loads(line)["text"]) for line in lines if line.strip())
    yield from (page.gold for page in load_pages(None))  # AEB gold bodies, then WCXB-dev main contents


def timed_parse(nlp: Any, chosen: list[str]) -> tuple[list[Any], dict[str, float]]:
    """The docs, and each component's CPU seconds over all of them."""
    seconds = {}
    began = time.process_time()
    docs = [nlp.make_doc(text) for text in chosen]
    seconds["tokenizer"] = time.process_time() - began
    for name, component in nlp.pipeline:
        began = time.process_time()
        if hasattr(component, "pipe"):
            docs = list(component.pipe(docs, batch_size=8))
        else:
            docs = [component(doc) for doc in docs]
        seconds[name] = time.process_time() - began
    return docs, seconds


def compare(chosen: list[str]) -> tuple[list[str], int, int]:
    """The table's rows, the docs that differ in any column, and the tokens."""
    import spacy

    from newsdistill.nlp import MODEL_PACKAGES, load_nlp

    ours = load_nlp()
    stock = spacy.load(MODEL_PACKAGES[0])
    stock.tokenizer = ours.tokenizer
    timed_parse(ours, chosen[:8])  # warm both (the lemma cache fills as it goes, in both)
    timed_parse(stock, chosen[:8])
    mine, my_seconds = timed_parse(ours, chosen)
    theirs, their_seconds = timed_parse(stock, chosen)
    differing = sum(
        a.to_array(list(COLUMNS)).tolist() != b.to_array(list(COLUMNS)).tolist()
        for a, b in zip(mine, theirs, strict=True)
    )
    rows = []
    for name in [*their_seconds, "total"]:
        theirs_s = sum(their_seconds.values()) if name == "total" else their_seconds[name]
        mine_s = sum(my_seconds.values()) if name == "total" else my_seconds[name]
        rows.append(
            f"| {name} | {theirs_s / len(chosen) * 1000:.1f} | {mine_s / len(chosen) * 1000:.1f} | "
            f"{theirs_s / max(mine_s, 1e-9):.2f}x |"
        )
    return rows, differing, sum(len(doc) for doc in mine)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--every", type=int, default=4, help="take every N-th text (default 4)")
    parser.add_argument("--part", type=int, default=0, help="start at this text (0 .. every-1)")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} is not here (the shared benchmark data)")
        return 0
    chosen = [text[:MAX_CHARS] for text in texts() if text.strip()][args.part :: args.every]
    rows, differing, tokens = compare(chosen)
    columns = ", ".join(COLUMNS)
    print(f"{len(chosen):,} texts, {tokens:,} tokens; docs whose annotations differ ({columns}): {differing}")
    print("| component | stock spaCy, ms per doc | newsdistill, ms per doc | speed-up |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
