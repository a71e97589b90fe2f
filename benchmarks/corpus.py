"""Corpus benchmark: ingest throughput and store size, republication detection, story
clustering on ECB+, and how query and near-duplicate lookup costs grow with the store.

    python benchmarks/corpus.py [--sizes 10000,50000] [--pages 120]

(a) ingest of real pages (AEB HTML) through the full pipeline, 1 and 2 workers;
(b) republication P/R/F1 on a set generated from AEB article bodies by realistic perturbations
    (other site chrome, straightened quotes, injected "See also" links, cut endings, re-ordered
    captions) mixed with the distinct originals, over a sweep of MinHash thresholds;
(c) ECB+ stories: B-cubed P/R/F1 of the incremental story clustering against the gold events;
(d) synthetic stores of growing size: insert rate, search / who-said / near-duplicate lookup time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from newsdistill.corpus import dedup
from newsdistill.corpus.ingest import ingest
from newsdistill.corpus.store import Store
from newsdistill.model import Article, Attribution, Entity, Source, Span

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def ingest_throughput(pages: int, workdir: Path) -> list[str]:
    folder = workdir / "aeb_pages"
    folder.mkdir(exist_ok=True)
    for path in sorted((DATA / "aeb" / "html").glob("*.html.gz"))[:pages]:
        (folder / path.name.removesuffix(".gz")).write_bytes(gzip.decompress(path.read_bytes()))
    rows = []
    for workers in (1, 2):
        db = workdir / f"ingest_{workers}.db"
        started = time.perf_counter()
        summary = ingest([str(folder)], db, workers=workers, batch_size=16)
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in workdir.glob(f"ingest_{workers}.db*"))
        per_thousand = size / max(1, summary.stored) * 1000 / 2**20
        rows.append(f"| ingest, full pipeline, {workers} worker{'s' if workers > 1 else ''} | {pages} AEB pages | "
                    f"{pages / seconds:.1f} pages/s | store {per_thousand:.0f} MB per 1,000 articles |")
    return rows


def perturb(text: str, rng: random.Random) -> str:
    paragraphs = [p for p in text.split("\n") if p.strip()]
    kind = rng.choice(["quotes", "links", "cut", "chrome", "all"])
    if kind in {"quotes", "all"}:
        paragraphs = [p.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"') for p in paragraphs]
    if kind in {"links", "all"} and len(paragraphs) > 2:
        for _ in range(2):
            paragraphs.insert(rng.randrange(1, len(paragraphs)), "See also: " + rng.choice(
                ["Ten best beaches in Spain", "Star reveals health update", "Council approves new budget"]))
    if kind in {"cut", "all"} and len(paragraphs) > 4:
        paragraphs = paragraphs[: max(3, int(len(paragraphs) * rng.uniform(0.6, 0.85)))]
    if kind in {"chrome", "all"}:
        paragraphs = [*paragraphs, "Share this article", "Sign up for our newsletter", "© Another Site"]
    return "\n".join(paragraphs)


def republication(seed: int = 0) -> list[str]:
    truth = json.loads((DATA / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    rng = random.Random(seed)
    originals = [g["articleBody"] for _, g in sorted(truth.items()) if len(g["articleBody"].split()) > 150]
    texts, source = list(originals), list(range(len(originals)))
    for index in rng.sample(range(len(originals)), len(originals) // 2):
        texts.append(perturb(originals[index], rng))
        source.append(index)
    order = list(range(len(originals)))  # originals first: the earliest copy is the original
    order += rng.sample(range(len(originals), len(texts)), len(texts) - len(originals))
    ids = [str(i) for i in order]
    sigs = [dedup.signature(texts[i]) for i in order]
    rows = []
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        found = dedup.duplicate_of(ids, sigs, threshold)
        tp = sum(1 for copy, original in found.items() if source[int(copy)] == int(original) and int(copy) >= len(originals))
        fp = len(found) - tp
        fn = (len(texts) - len(originals)) - tp
        p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        marker = " ← shipped" if abs(threshold - dedup.THRESHOLD) < 1e-9 else ""
        rows.append(f"| republication, MinHash threshold {threshold:.1f}{marker} | {len(originals)} articles + "
                    f"{len(texts) - len(originals)} perturbed copies | P {p:.3f} R {r:.3f} F1 {f1:.3f} | |")
    return rows


def bcubed(predicted: list[int], gold: list[str]) -> tuple[float, float, float]:
    clusters: dict[int, set[int]] = defaultdict(set)
    events: dict[str, set[int]] = defaultdict(set)
    for i, (p, g) in enumerate(zip(predicted, gold, strict=True)):
        clusters[p].add(i)
        events[g].add(i)
    precision = sum(len(clusters[p] & events[g]) / len(clusters[p]) for p, g in zip(predicted, gold, strict=True))
    recall = sum(len(clusters[p] & events[g]) / len(events[g]) for p, g in zip(predicted, gold, strict=True))
    precision, recall = precision / len(gold), recall / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)


def ecb_stories(workdir: Path) -> list[str]:
    from newsdistill.entities.build import build_entities, to_entities
    from newsdistill.nlp import load_nlp

    docs = [json.loads(line) for line in (DATA / "ecbplus" / "docs.jsonl").open(encoding="utf-8")]
    texts = [d["text"].replace("`` ", '"').replace(" ''", '"') for d in docs]
    entities = [to_entities(build_entities(doc)) for doc in load_nlp().pipe(texts, batch_size=32)]
    store = Store(workdir / "ecb.db")
    started = time.perf_counter()
    with store.transaction():
        for doc, text, ents in zip(docs, texts, entities, strict=True):
            store.add(doc["doc_id"], doc["doc_id"], Article(text=text, entities=ents))
    seconds = time.perf_counter() - started
    predicted = [int(r[0]) for r in store.db.execute("SELECT story_id FROM articles ORDER BY id")]
    p, r, f1 = bcubed(predicted, [d["subtopic"] for d in docs])
    return [f"| stories on ECB+ (incremental, one pass) | {len(docs)} docs, {len({d['subtopic'] for d in docs})} events | "
            f"B-cubed P {100 * p:.1f} R {100 * r:.1f} F1 {100 * f1:.1f} | {len(docs) / seconds:.0f} docs/s |"]


WORDS = [f"w{i}" for i in range(20000)]


def synthetic_article(rng: random.Random, number: int) -> Article:
    topic = rng.randrange(max(1, number // 20) + 1)
    words = [f"t{topic}x{rng.randrange(30)}" for _ in range(60)] + rng.choices(WORDS, k=240)
    text = " ".join(words)
    speaker = Entity(id="e1", name=f"Person {rng.randrange(2000)}", type="PERSON")
    content = Span(text=text[:80], start=0, end=80)
    attribution = Attribution(source=Source(text=speaker.name, start=0, end=5, entity="e1", name=speaker.name),
                              cue=Span(text="said", start=0, end=4), content=content, kind="indirect")
    return Article(title=f"Article {number}", text=text, entities=[speaker], attributions=[attribution])


def growth(sizes: list[int], workdir: Path) -> list[str]:
    rng = random.Random(1)
    store = Store(workdir / "synthetic.db")
    rows, inserted, previous = [], 0, 0
    for size in sizes:
        started = time.perf_counter()
        while inserted < size:
            with store.transaction():
                for _ in range(min(500, size - inserted)):
                    store.add(f"s{inserted}", f"s{inserted}", synthetic_article(rng, inserted))
                    inserted += 1
        insert_rate = (size - previous) / (time.perf_counter() - started)
        previous = size
        search = _timed(lambda: store.search(f"w{rng.randrange(20000)} w{rng.randrange(20000)}", 20))
        said = _timed(lambda: store.who_said(f"Person {rng.randrange(2000)}", 200))
        probe = dedup.signature(synthetic_article(rng, inserted).text)
        lookup = _timed(lambda probe=probe: store._near_duplicate(probe))
        rows.append(f"|{size}| {insert_rate:.0f} articles/s | search {search:.1f} ms | who-said {said:.1f} ms | "
                    f"near-duplicate lookup {lookup:.1f} ms |")
    return rows


def _timed(call: object, repeat: int = 20) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        call()  # type: ignore[operator]
    return (time.perf_counter() - started) / repeat * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--pages", type=int, default=120)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"benchmark data not found under {DATA}: ../shared/data is needed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        print("| measurement | data | result | speed |\n|---|---|---|---|")
        for row in [*ingest_throughput(args.pages, workdir), *republication(), *ecb_stories(workdir)]:
            print(row, flush=True)
        print("\n| articles in store | insert rate (last step) | search (BM25, top 20) | who-said | near-duplicate lookup |")
        print("|---|---|---|---|---|")
        for row in growth([int(s) for s in args.sizes.split(",")], workdir):
            print(row, flush=True)
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
