"""The entity recogniser, spaCy's own decoding against newsdistill's numpy decoding of the same model
(`nlp_greedy_ner`), on the news texts in ../shared: are the entities the same, and how long does each take?

    OMP_NUM_THREADS=1 python benchmarks/ner_decoding.py [--every 4] [--part 0]

Texts: PolNeAR train and dev, ECB+ documents, the WCXB-dev gold main contents and the AEB gold article bodies
(each cut at 50,000 characters), every `--every`-th from `--part`. Each text is parsed once without the NER
(tokenizer, tagger, parser, lemmas: the same for both); then both recognisers label copies of the same Docs,
in batches of 8, and their ENT_IOB / ENT_TYPE columns are compared token by token.
"""

from __future__ import annotations

import argparse
import glob
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
MAX_CHARS = 50_000


def texts(data: Path = DATA) -> Iterator[tuple[str, str]]:
    """(source, text) for every text of the shared sets, in a fixed order."""
    for split in ("train", "dev"):
        for path in sorted(glob.glob(str(data / "polnear" / "data" / split / "text" / "*.txt"))):
            yield "PolNeAR", Path(path).read_text(encoding="utf-8")
    with open(data / "ecbplus" / "docs.jsonl", encoding="utf-8") as lines:
        for line in lines:
            text = " ".join(json.loads(line)["sentences"]).replace("``", '"').replace("''", '"')
            yield "ECB+", re.sub(r" ([,.;:!?'])", r"\1", text)
    for path in sorted(glob.glob(str(data / "wcxb-dev" / "dev" / "ground-truth" / "*.json"))):
        gold = json.loads(Path(path).read_text(encoding="utf-8"))["ground_truth"]
        yield "WCXB-dev", gold.get("main_content") or ""
    bodies = json.loads((data / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    for _, record in sorted(bodies.items()):
        yield "AEB", record.get("articleBody") or ""


def compare(chosen: list[str]) -> dict[str, float]:
    from spacy.attrs import ENT_IOB, ENT_TYPE

    from newsdistill.nlp import load_nlp

    nlp = load_nlp()
    ours = nlp.get_pipe("ner")
    stock = ours.stock  # the wrapped EntityRecognizer, the same model
    with nlp.select_pipes(disable=["ner"]):
        parsed = list(nlp.pipe(chosen, batch_size=8))
    seconds = {"spaCy": 0.0, "numpy": 0.0}
    differing = entities = tokens = 0
    for start in range(0, len(parsed), 8):
        batch = parsed[start : start + 8]
        theirs, mine = [doc.copy() for doc in batch], [doc.copy() for doc in batch]
        for name, component, docs in (("spaCy", stock, theirs), ("numpy", ours, mine)):
            began = time.process_time()
            list(component.pipe(docs, batch_size=8))
            seconds[name] += time.process_time() - began
        for a, b in zip(theirs, mine, strict=True):
            entities += len(a.ents)
            tokens += len(a)
            differing += a.to_array([ENT_IOB, ENT_TYPE]).tolist() != b.to_array([ENT_IOB, ENT_TYPE]).tolist()
    count = len(parsed)
    return {
        "docs": count,
        "tokens": tokens,
        "entities": entities,
        "differing": differing,
        "spaCy ms": seconds["spaCy"] / count * 1000,
        "numpy ms": seconds["numpy"] / count * 1000,
    }


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
    chosen = [text[:MAX_CHARS] for _, text in texts() if text.strip()][args.part :: args.every]
    row = compare(chosen)
    print("| decoding | docs | tokens | entities | docs whose entities differ | NER ms per doc | speed-up |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| spaCy (stock) | {row['docs']:,} | {row['tokens']:,} | {row['entities']:,} | – | "
        f"{row['spaCy ms']:.1f} | 1.00x |"
    )
    print(
        f"| newsdistill numpy | {row['docs']:,} | {row['tokens']:,} | {row['entities']:,} | "
        f"{row['differing']} | {row['numpy ms']:.1f} | {row['spaCy ms'] / row['numpy ms']:.2f}x |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
