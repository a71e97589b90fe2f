"""Corpus benchmark: ingest throughput and store size, republication detection, story
clustering on ECB+, and how query and near-duplicate lookup costs grow with the store.

    python benchmarks/corpus.py [--sizes 10000,100000,300000] [--pages 120]

(a) ingest of real pages (AEB HTML) through the full pipeline, 1 and 2 workers;
(b) republication P/R/F1 on a set generated from AEB article bodies by realistic perturbations
    (other site chrome, straightened quotes, injected "See also" links, cut endings, re-ordered
    captions) mixed with the distinct originals, over a sweep of MinHash thresholds;
(c) ECB+ stories: B-cubed P/R/F1 of the incremental story clustering against the gold events, by
    cross-validation over topics (parameters chosen on the other folds' topics);
(d) synthetic stores of growing size: the store's insert rate (embeddings computed beforehand, as
    ingest's workers do), search / who-said / near-duplicate lookup time;
(e) appearances: the seed, a chrome-changed copy and a copy from another URL (one article, three
    appearances, the copy crediting Daily Mail).
(f) quotes (`--parts quotes`, not run by default): quote grouping precision and recall, thresholds chosen
    on one half of a PolNeAR + AEB set split by source article and scored on the other (quote_groups.py).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import itertools
import json
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from newsdistill import neardup as dedup
from newsdistill.corpus import embeddings
from newsdistill.corpus.ingest import ingest
from newsdistill.corpus.store import Store
from newsdistill.model import Article, Attribution, Entity, Source, Span

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # story_folds, beside this file


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
        rows.append(
            f"| ingest, full pipeline, {workers} worker{'s' if workers > 1 else ''} | {pages} AEB pages | "
            f"{pages / seconds:.1f} pages/s | store {_megabytes_per_thousand(db, summary.stored)} |"
        )
    return rows


def _megabytes_per_thousand(db: Path, articles: int) -> str:
    """Size of the store file after the WAL is folded in, per 1,000 articles."""
    with sqlite3.connect(db) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return f"{db.stat().st_size / max(1, articles) * 1000 / 2**20:.1f} MB per 1,000 articles"


CHROME = [
    "Home | World | Business | Sport",
    "Share this article",
    "Sign up for our newsletter",
    "© Another Site 2024",
]
SEE_ALSO = [
    "See also: Ten best beaches in Spain",
    "Read more: Star reveals health update",
    "Related: Council approves new budget",
]
CAPTIONS = [
    "Photo: the scene on Monday (Reuters)",
    "File picture of the building",
    "Supporters gathered outside",
]


def perturb(text: str, rng: random.Random) -> tuple[str, str]:
    """A republished copy: the kind of change and the changed text."""
    paragraphs = [p for p in text.split("\n") if p.strip()]
    kind = rng.choice(["quotes", "links", "cut", "chrome", "captions", "all"])
    if kind in {"quotes", "all"}:
        paragraphs = [p.translate(STRAIGHT) for p in paragraphs]
    if kind in {"links", "all"} and len(paragraphs) > 2:
        for line in rng.sample(SEE_ALSO, 2):
            paragraphs.insert(rng.randrange(1, len(paragraphs)), line)
    if kind in {"cut", "all"} and len(paragraphs) > 4:
        paragraphs = paragraphs[: max(3, int(len(paragraphs) * rng.uniform(0.6, 0.85)))]
    if kind in {"captions", "all"}:  # captions the cleaner left in, in another order than on the first site
        for line in rng.sample(CAPTIONS, len(CAPTIONS)):
            paragraphs.insert(rng.randrange(0, len(paragraphs) + 1), line)
    if kind in {"chrome", "all"}:
        paragraphs = [CHROME[0], *paragraphs, *CHROME[1:]]
    return kind, "\n".join(paragraphs)


STRAIGHT = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def _distinct_articles() -> tuple[list[str], int]:
    """AEB article bodies, then ECB+ articles: several outlets' own reports of one event, the hard
    negatives (same story, not a republication). Returns the texts and how many come from AEB."""
    truth = json.loads((DATA / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    aeb = [g["articleBody"] for _, g in sorted(truth.items()) if len(g["articleBody"].split()) > 150]
    ecb = [
        d["text"].replace("`` ", '"').replace(" ''", '"')
        for d in map(json.loads, (DATA / "ecbplus" / "docs.jsonl").open(encoding="utf-8"))
    ]
    return aeb + [t for t in ecb if len(t.split()) > 150], len(aeb)


def _wire_copies(
    texts: list[str], shingle: int = 5, jaccard: float = 0.5, contained: float = 0.8
) -> list[int]:
    """Group of each distinct article: ECB+ itself holds genuine republications (wire copies, press
    releases reposted), found here by exact shingle Jaccard over all pairs, or (`contained`) by the
    shorter text's shingles found in the longer: a truncated copy, e.g. a forum post of the first ten
    paragraphs of an AP story, as the "cut" perturbation makes (0 keeps the Jaccard-only gold of before).
    Links inside a group are neither right nor wrong (no gold says), links to a group member count as
    finding the original."""
    shingles = []
    for text in texts:
        words = dedup.normalised_words(text)
        shingles.append({" ".join(words[i : i + shingle]) for i in range(max(1, len(words) - shingle + 1))})
    group = list(range(len(texts)))
    for i in range(len(texts)):
        for j in range(i):
            shared = len(shingles[i] & shingles[j])
            smaller = min(len(shingles[i]), len(shingles[j]))
            same = shared / len(shingles[i] | shingles[j]) >= jaccard or shared >= contained * smaller > 0
            if same:
                group[i] = group[j]  # j's own group: chains of truncations stay one article
                break
    return group


RULES = [
    dedup.CopyRule(jaccard, containment, floor)
    for jaccard in (0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
    for containment in (0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 2.0)  # 2.0: Jaccard alone
    for floor in (0.15, 0.25, 0.4)
]


def republication(seed: int = 0, folds: int = 5) -> list[str]:
    """Copies found by the shipped rule and by the rule chosen by cross-validation: folds by original
    article (a copy, its original and the original's wire copies in one fold), the short-line cut and
    the CopyRule chosen on the other folds (highest recall at precision >= 0.99, else best F1)."""
    originals, _ = _distinct_articles()
    rng = random.Random(seed)
    texts, source = list(originals), list(range(len(originals)))
    for index in rng.sample(range(len(originals)), len(originals) // 3):
        texts.append(perturb(originals[index], rng)[1])
        source.append(index)
    order = list(range(len(originals)))  # originals first: the earliest copy is the original
    order += rng.sample(range(len(originals), len(texts)), len(texts) - len(originals))
    runs = _rule_runs(texts, order)
    rows = []
    for name, contained in (("truncated copies count as copies", 0.8), ("Jaccard-only gold of before", 0.0)):
        group = _wire_copies(originals, contained=contained)
        wire = sum(1 for i, g in enumerate(group) if g != i)
        judged = {key: _judge(found, group, source, len(originals)) for key, found in runs.items()}
        data = (
            f"{len(originals)} distinct ({wire} of them wire copies) + {len(texts) - len(originals)} copies"
        )
        counts, chosen = _cross_validate(judged, [group[s] % folds for s in source], folds)
        rows.append(
            f"| republication, gold: {name}, {folds}-fold CV by original, **out of fold** | {data} | "
            f"{_prf(counts)} | chosen per fold: {'; '.join(chosen)} |"
        )
        for key, label in (
            ((dedup.SHORT_LINE, dedup.RULE), "shipped rule"),
            ((0, _BEFORE), "rule before (32x4 bands)"),
        ):
            everything = set(range(len(texts)))
            rows.append(
                f"| republication, gold: {name}, {label}, in sample | {data} | "
                f"{_prf(_count(judged[key], everything))} | {_describe(key)} |"
            )
    return rows


_BEFORE = dedup.CopyRule(0.5, 2.0, 1.0)


def _rule_runs(texts: list[str], order: list[int]) -> dict[tuple[int, dedup.CopyRule], dict[int, int]]:
    """copy -> original found for every (short-line cut, rule); the rule before with its 32x4 bands."""
    runs = {}
    ids = [str(i) for i in order]
    for short_line in (0, 6, 8, 10):
        with _setting(SHORT_LINE=short_line):
            sigs = [dedup.signature(texts[i]) for i in order]
        buckets = dedup.group_bands(dedup.band_rows(sigs))
        for rule in RULES:
            found = dedup.assign_copies(ids, sigs, buckets, rule)
            runs[short_line, rule] = {int(c): int(o) for c, o in found.items()}
        if short_line == 0:
            with _setting(BANDS=32, ROWS=4):
                found = dedup.assign_copies(ids, sigs, dedup.group_bands(dedup.band_rows(sigs)), _BEFORE)
            runs[0, _BEFORE] = {int(c): int(o) for c, o in found.items()}
    return runs


@contextlib.contextmanager
def _setting(**values: int) -> Iterator[None]:
    saved = {name: getattr(dedup, name) for name in values}
    for name, value in values.items():
        setattr(dedup, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(dedup, name, value)


def _judge(found: dict[int, int], group: list[int], source: list[int], originals: int) -> dict[int, str]:
    """Each text's outcome: tp (a copy linked into its article's group), fp (a link across groups),
    fn (a copy left unlinked), or nothing to count."""
    outcome = {}
    for text in range(len(source)):
        if text in found:
            right = group[source[text]] == group[source[found[text]]]
            wrong = "wrong copy" if text >= originals else "fp"  # a copy linked elsewhere: fp and fn
            outcome[text] = wrong if not right else ("tp" if text >= originals else "")
        elif text >= originals:
            outcome[text] = "fn"
    return outcome


def _count(judged: dict[int, str], texts: set[int]) -> tuple[int, int, int]:
    kinds = [judged[t] for t in texts if t in judged]
    wrong_copies = kinds.count("wrong copy")
    return kinds.count("tp"), kinds.count("fp") + wrong_copies, kinds.count("fn") + wrong_copies


def _prf(counts: tuple[int, int, int]) -> str:
    tp, fp, fn = counts
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return f"P {p:.3f} R {r:.3f} F1 {f1:.3f} ({tp} found, {fp} wrong, {fn} missed)"


def _cross_validate(
    judged: dict[tuple[int, dedup.CopyRule], dict[int, str]], fold_of: list[int], folds: int
) -> tuple[tuple[int, int, int], list[str]]:
    total, chosen = (0, 0, 0), []
    for fold in range(folds):
        test = {t for t, f in enumerate(fold_of) if f == fold}
        train = set(range(len(fold_of))) - test
        best = max(judged, key=lambda key: _objective(_count(judged[key], train)))
        total = tuple(a + b for a, b in zip(total, _count(judged[best], test), strict=True))  # type: ignore[assignment]
        chosen.append(_describe(best))
    return total, chosen


def _objective(counts: tuple[int, int, int]) -> tuple[bool, float, float]:
    tp, fp, fn = counts
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return p >= 0.99, r if p >= 0.99 else 2 * p * r / max(1e-9, p + r), p


def _describe(key: tuple[int, dedup.CopyRule]) -> str:
    short_line, rule = key
    lines = f"lines <{short_line} words out" if short_line else "all lines"
    if rule.containment > 1:
        return f"{lines}, Jaccard {rule.jaccard}"
    return f"{lines}, Jaccard {rule.jaccard} or contained {rule.containment} at Jaccard {rule.floor}+"


SEED = DATA.parent / "seed" / "000_654be0a9bebca5c9.txt"


def seed_appearances(workdir: Path) -> list[str]:
    """Issue 14's goal row: the seed, a copy with other chrome and straight quotes, and the seed's text
    under another URL, ingested in that order (decode and clean: the text decides the grouping)."""
    seed = SEED.read_text(encoding="utf-8")
    straight = seed.replace("‘", "'").replace("’", "'").replace("“", '"').replace("”", '"')
    folder = workdir / "seed_copies"
    folder.mkdir()
    (folder / "1_seed.txt").write_text(seed, encoding="utf-8")
    chrome = "Share this story\n\nFollow us\n\n" + straight.replace("Sign Up for Our Newsletters", "Get news")
    (folder / "2_chrome_copy.txt").write_text(chrome, encoding="utf-8")
    line = {"id": "copy", "url": "https://www.news-aggregator.example/world/putin", "text": seed}
    (folder / "3_url_copy.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    summary = ingest([str(folder)], workdir / "seed.db", stages=("decode", "clean"))
    store = Store(workdir / "seed.db", readonly=True)
    timeline = store.appearances(1)
    copy = timeline[-1]
    to_seed = copy["credited_input_id"] == timeline[0]["input_id"]
    linked = "linked to the seed's appearance" if to_seed else "no link"
    return [
        f"| seed + a chrome-changed copy + a copy from another URL | ../shared/seed | "
        f"{store.counts()['articles']} article, {len(timeline)} appearances ({summary.line()}); "
        f"the copy credits {copy['credited_outlet']} ({linked}) | |"
    ]


def ecb_stories(folds: int = 5, encoders: Path | None = None) -> list[str]:
    """Stories on ECB+ by topic-fold cross-validation (benchmarks/story_folds.py): the shipped method with
    its model and thresholds fitted on the other folds' topics, and today's single-threshold method before
    issue 14 under the same folds; then the model fitted on all topics (what `stories.MODEL` ships).

    The shipped story encoder was fine-tuned on every ECB+ topic, so the out-of-fold figure needs one
    encoder per fold that never saw its topics: `encoders/fold-k` (`newsdistill train story-encoder --data
    ../shared/data/ecbplus/docs.jsonl --fold-models DIR`); `encoders/plain` (`newsdistill train
    story-encoder --out DIR/plain`, the packaged encoder as it comes) adds the rows before fine-tuning."""
    import story_folds as folds_

    docs = _ecb_docs()
    rows = []
    events = len({d.event for d in docs})
    fitted: dict[tuple[int, ...], folds_.stories.StoryModel] = {}

    def fit_once(train: list[folds_.Doc]) -> folds_.stories.StoryModel:  # both store rows, same documents
        key = tuple(map(id, train))
        return fitted[key] if key in fitted else fitted.setdefault(key, folds_.fit_model(train))

    for encoder, fold_docs in _story_encoder_variants(docs, encoders):
        for name, fit, predict in (
            (f"model + merges (shipped), {encoder}, fresh store", fit_once, folds_.store_stories),
            (
                f"model + merges (shipped), {encoder}, store holding the other topics",
                fit_once,
                _after_other_topics(docs, fold_docs, folds),
            ),
        ):
            rows.append(_story_row(name, docs, events, folds, fit, predict, fold_docs))
    rows.append(
        _story_row(
            "one cosine threshold (before issue 14)",
            docs,
            events,
            folds,
            folds_.fit_legacy,
            folds_.legacy_stories,
            None,
        )
    )
    model = folds_.fit_model(docs)
    started = time.perf_counter()
    p, r, f1 = folds_.bcubed(folds_.store_stories(docs, model), [d.event for d in docs])
    rows.append(
        f"| stories on ECB+, model fitted on all topics (in sample, not a generalisation figure) | "
        f"{len(docs)} docs | B-cubed P {100 * p:.1f} R {100 * r:.1f} F1 {100 * f1:.1f} | "
        f"{len(docs) / (time.perf_counter() - started):.0f} docs/s (story index only) |"
    )
    print(f"fitted on all topics: {model}", file=sys.stderr)
    return rows


def _ecb_docs() -> list[Any]:
    import story_folds as folds_
    from newsdistill.entities.build import build_entities, to_entities
    from newsdistill.nlp import load_nlp

    path = DATA / "ecbplus" / "docs.jsonl"
    texts = [folds_.ecbplus_text(json.loads(line)["text"]) for line in path.open(encoding="utf-8")]
    parsed = [
        [e.model_dump() for e in to_entities(build_entities(doc))]
        for doc in load_nlp().pipe(texts, batch_size=32)
    ]
    return folds_.load_docs(path, parsed)


def _story_encoder_variants(docs: list[Any], encoders: Path | None) -> list[tuple[str, Any]]:
    """(how the documents were embedded, cross_validate's fold_docs) for each encoder to score."""
    import story_folds as folds_

    if encoders is not None and (encoders / "fold-0").is_dir():
        variants = [
            ("encoder fine-tuned without the scored topics", folds_.fold_encoder_docs(docs, encoders))
        ]
    else:
        print(
            "stories: no fold encoders (--story-encoders DIR with DIR/fold-k): the shipped encoder saw "
            "every ECB+ topic, so its rows are in sample for the encoder",
            file=sys.stderr,
        )
        variants = [("shipped encoder (fine-tuned on all topics: in sample for the encoder)", None)]
    if encoders is not None and (encoders / "plain").is_dir():
        texts = [embeddings.lead_text(Article(text=d.text)) for d in docs]
        plain = folds_.with_embeddings(docs, embeddings.Encoder(encoders / "plain").embed(texts))
        variants.append(("packaged encoder not fine-tuned (before)", lambda k: plain))
    return variants


def _after_other_topics(docs: list[Any], fold_docs: Any, folds: int) -> Any:
    """A store is never empty: the other topics' articles (as the fold embeds them) are stored first,
    unscored."""
    import story_folds as folds_

    held = [scored for _, scored in folds_.topic_folds([d.topic for d in docs], folds)]

    def predict(scored: list[Any], model: Any) -> list[int]:
        topics = {d.topic for d in scored}
        pool = fold_docs(held.index(topics)) if fold_docs is not None else docs
        return folds_.store_stories(scored, model, [d for d in pool if d.topic not in topics])

    return predict


def _story_row(
    name: str, docs: list[Any], events: int, folds: int, fit: Any, predict: Any, fold_docs: Any
) -> str:
    import story_folds as folds_

    started = time.perf_counter()
    results = folds_.cross_validate(docs, fit, predict, folds, fold_docs)
    p, r, f1, count = folds_.pooled(results)
    per_fold = [100 * folds_.bcubed(found, [d.event for d in scored])[2] for scored, found in results]
    buckets = {k: round(v, 1) for k, v in folds_.error_buckets(results).items()}
    print(f"{name}: out-of-fold errors {buckets}", file=sys.stderr)  # merges vs splits
    return (
        f"| stories on ECB+, {name}, {folds}-fold CV over topics, out of fold | {len(docs)} docs, "
        f"{events} events, {len({d.topic for d in docs})} topics | "
        f"B-cubed P {100 * p:.1f} R {100 * r:.1f} "
        f"**F1 {100 * f1:.1f}** ({count} stories; folds {min(per_fold):.1f}–{max(per_fold):.1f}) | "
        f"{time.perf_counter() - started:.0f} s to fit and score |"
    )


VOCABULARY = [f"w{i}" for i in range(50000)]
ZIPF = list(
    itertools.accumulate(1 / rank for rank in range(1, len(VOCABULARY) + 1))
)  # word frequencies as in text
PEOPLE = 5000


SYNTHETIC_OUTLETS = 40
FIRST_DAY = date(2024, 1, 1)
ARTICLES_A_DAY = 150
ARTICLES_PER_TOPIC = 20
# An article reports one of the newest topics, so a topic's articles lie within days of each other, as a
# news event's do (a topic drawn from the whole past would make every story span the store's years).
RECENT_TOPICS = 10
# Embedding mix: a direction all news shares, its topic's, and the article's own. Cosine about 0.7 between
# two articles of a topic and 0.2 between topics, as the packaged encoder gives same-event and unrelated news.
NEWS_WEIGHT, TOPIC_WEIGHT, OWN_WEIGHT = 0.45, 0.7, 0.55


def synthetic_place(number: int) -> tuple[str, str, str]:
    """The outlet, URL and day of synthetic article `number`: 40 outlets, 150 articles a day from
    2024-01-01 (100,000 articles span 667 days), so that outlet and date filters have something to pick."""
    outlet = number % SYNTHETIC_OUTLETS
    day = FIRST_DAY + timedelta(days=number // ARTICLES_A_DAY)
    return f"Outlet {outlet}", f"https://outlet{outlet}.example/a{number}", day.isoformat()


def synthetic_article(rng: random.Random, number: int) -> Article:
    """300 words: 60 from one of the newest topics (about 20 articles each), the rest Zipf-distributed;
    one quote; an outlet, URL and day (`synthetic_place`); and an embedding near its topic's direction and
    its near-duplicate signature, carried as ingest's workers carry theirs. The encoder would embed these
    word salads all alike (one story of every article); news embeds by what it reports, and stories form
    as they do on news."""
    topic = max(0, number // ARTICLES_PER_TOPIC - rng.randrange(RECENT_TOPICS))
    words = [f"t{topic}x{rng.randrange(30)}" for _ in range(60)] + rng.choices(
        VOCABULARY, cum_weights=ZIPF, k=240
    )
    rng.shuffle(words)
    text = " ".join(words)
    speaker = Entity(id="e1", name=f"Person {rng.randrange(PEOPLE)}", type="PERSON")
    content = Span(text=text[:80], start=0, end=80)
    attribution = Attribution(
        source=Source(text=speaker.name, start=0, end=5, entity="e1", name=speaker.name),
        cue=Span(text="said", start=0, end=4),
        content=content,
        kind="indirect",
    )
    article = Article(title=f"Article {number}", text=text, entities=[speaker], attributions=[attribution])
    article.outlet, article.url, article.published = synthetic_place(number)
    article.carry("embedding", embeddings.lead_text(article), _topic_embedding(topic, rng))
    article.carry("signature", text, dedup.signature(text))  # as ingest's workers carry theirs (embed_stage)
    return article


def _topic_embedding(topic: int, rng: random.Random) -> np.ndarray:
    def direction(seed: int) -> np.ndarray:
        return np.random.default_rng(seed).standard_normal(embeddings.DIMENSION)

    mixed = (
        NEWS_WEIGHT * direction(0) / np.sqrt(embeddings.DIMENSION)
        + TOPIC_WEIGHT * direction(topic + 1) / np.sqrt(embeddings.DIMENSION)
        + OWN_WEIGHT * direction(rng.getrandbits(63)) / np.sqrt(embeddings.DIMENSION)
    )
    return (mixed / np.linalg.norm(mixed)).astype(np.float32)


def growth(sizes: list[int], db: Path) -> Iterator[str]:
    """One table row per size, as soon as that size is reached. The insert rate is the store's alone:
    each article carries its embedding, as ingest's workers' articles do (`synthetic_article`). A store
    that already holds articles (`--store`, a run cut short) grows on from them: article n is made from
    its own seed, and every 500 are one transaction. The rate is of the articles this run inserted."""
    rng = random.Random(1)
    store = Store(db)
    inserted = int(store.db.execute("SELECT count(*) FROM articles").fetchone()[0])
    last = synthetic_article(random.Random(max(0, inserted - 1)), max(0, inserted - 1))
    for size in sizes:
        seconds, cpu, added = 0.0, 0.0, 0
        while inserted < size:
            chunk = [
                synthetic_article(random.Random(n), n) for n in range(inserted, min(size, inserted + 500))
            ]
            started, started_cpu = time.perf_counter(), time.process_time()
            with store.transaction():
                for last in chunk:
                    store.add(f"s{inserted}", f"s{inserted}", last)
                    inserted += 1
            seconds += time.perf_counter() - started
            cpu += time.process_time() - started_cpu
            added += len(chunk)
        insert_rate = (
            f"{added / seconds:.0f} articles/s ({added:,} inserted; {cpu / added * 1000:.1f} ms CPU each)"
            if added
            else "– (none inserted)"
        )
        common = _timed(lambda: store.search(f"w{rng.randrange(50, 500)}", 20))
        rare = _timed(lambda: store.search(f"w{rng.randrange(5000, 50000)} w{rng.randrange(500, 5000)}", 20))
        said = _timed(lambda: store.who_said(f"Person {rng.randrange(PEOPLE)}", 200))
        quote_ids = _some_quotes(store, rng, 20)
        quote_page = _timed(lambda ids=quote_ids: store.quote(ids[rng.randrange(len(ids))]))
        words = last.text.split()
        copy = dedup.signature(
            " ".join(words[: int(len(words) * 0.8)])
        )  # the last article with its ending cut
        found = store._near_duplicate(copy)
        hit = _timed(lambda copy=copy: store._near_duplicate(copy))
        fresh = dedup.signature(synthetic_article(random.Random(f"fresh-{inserted}"), inserted).text)
        miss = _timed(lambda fresh=fresh: store._near_duplicate(fresh))
        yield (
            f"| {size:,} | {insert_rate} | {common:.1f} ms | {rare:.1f} ms | {said:.1f} ms | "
            f"{quote_page:.1f} ms | "
            f"{hit:.1f} ms ({'found' if found else 'MISSED'}) / {miss:.1f} ms | "
            f"{_megabytes_per_thousand(db, size)} | {_story_sizes(store)} |"
        )
    store.close()


def _some_quotes(store: Store, rng: random.Random, count: int) -> list[int]:
    """Ids of stored quotes, drawn at random (merged quotes leave gaps in the ids)."""
    top = int(store.db.execute("SELECT coalesce(max(id), 0) FROM quotes").fetchone()[0])
    found = [
        store.db.execute(
            "SELECT id FROM quotes WHERE id >= ? LIMIT 1", (rng.randint(1, max(1, top)),)
        ).fetchone()
        for _ in range(count)
    ]
    return [int(row[0]) for row in found if row is not None] or [1]


def _story_sizes(store: Store) -> str:
    stories, largest = store.db.execute("SELECT count(*), max(size) FROM stories").fetchone()
    return f"{stories:,} stories, largest {largest}"


def _timed(call: object, repeat: int = 20) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        call()  # type: ignore[operator]
    return (time.perf_counter() - started) / repeat * 1000


def quote_grouping() -> list[str]:
    """Quote grouping P/R on the PolNeAR + AEB set (benchmarks/quote_groups.py says how it is built)."""
    import quote_groups

    return quote_groups.quote_grouping()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,300000")
    parser.add_argument("--pages", type=int, default=120)
    parser.add_argument(
        "--store", type=Path, help="growth: keep the synthetic store here and grow on from what it holds"
    )
    parser.add_argument(
        "--parts",
        default="ingest,appearances,republication,stories,growth",
        help="which measurements to run, comma-separated",
    )
    parser.add_argument(
        "--story-encoders",
        type=Path,
        default=None,
        metavar="DIR",
        help="stories: DIR/fold-k, encoders fine-tuned without fold k's topics, for the out-of-fold figure "
        "(newsdistill train story-encoder --data ../shared/data/ecbplus/docs.jsonl --fold-models DIR); "
        "DIR/plain, the packaged encoder as it comes, for the rows before fine-tuning",
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if not DATA.exists():
        print(f"benchmark data not found under {DATA}: ../shared/data is needed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        print("| measurement | data | result | speed |\n|---|---|---|---|")
        for name, measure in (
            ("ingest", lambda: ingest_throughput(args.pages, workdir)),
            ("appearances", lambda: seed_appearances(workdir)),
            ("republication", republication),
            ("stories", lambda: ecb_stories(encoders=args.story_encoders)),
            ("quotes", quote_grouping),
        ):
            for row in measure() if name in parts else []:
                print(row, flush=True)
        if "growth" in parts:
            print(
                "\n| articles in store | insert rate (this step) | search, common word "
                "| search, two rare words | who-said | quote page "
                "| near-duplicate lookup: cut copy / new text | store | stories |"
            )
            print("|---|---|---|---|---|---|---|---|---|")
            store = args.store or workdir / "synthetic.db"
            for row in growth([int(s) for s in args.sizes.split(",")], store):
                print(row, flush=True)
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
