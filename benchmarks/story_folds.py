"""ECB+ stories scored by topic-fold cross-validation: the story model (its weights and thresholds) is
fitted on some topics and scored on the others, so no topic is ever scored with parameters tuned on it.

Used by `benchmarks/corpus.py --parts stories`. The store itself assigns the stories (a fresh store per
scoring run, holding only the scored topics' documents); the pair model is trained teacher-forced: each
training document against the gold stories formed by the documents before it.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

import numpy as np

from newsdistill.corpus import embeddings, stories, story_index
from newsdistill.corpus.encoder_training import ecbplus_text, held_out_groups
from newsdistill.model import Article, Entity

Params = TypeVar("Params")
JOIN_GRID = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7)
MERGE_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # 1.01: never merge
HARD_NEGATIVES = 10  # wrong stories per training document, the most similar ones


@dataclass(eq=False)  # hashed by identity: per-document caches
class Doc:
    doc_id: str
    topic: int
    event: str
    text: str
    entities: list[Entity]
    embedding: np.ndarray  # of the title and lead, as the store embeds it (ECB+ documents have no title)


def topic_folds(topics: Sequence[int], folds: int) -> list[tuple[set[int], set[int]]]:
    """(training topics, scored topics) per fold: every topic scored exactly once, never trained on there;
    the folds `newsdistill train story-encoder --fold-models` holds out."""
    held = held_out_groups([str(t) for t in topics], folds)
    every = set(topics)
    return [(every - scored, scored) for scored in ({t for t in every if str(t) in h} for h in held)]


def cross_validate(
    docs: Sequence[Doc],
    fit: Callable[[list[Doc]], Params],
    predict: Callable[[list[Doc], Params], list[int]],
    folds: int = 5,
    fold_docs: Callable[[int], Sequence[Doc]] | None = None,
) -> list[tuple[list[Doc], list[int]]]:
    """Per fold: the scored documents and the stories `predict` gave them with what `fit` chose on the
    other topics' documents. `fold_docs(k)`: the documents as fold k sees them (embedded by the encoder
    fine-tuned without fold k's topics); default: `docs` in every fold."""
    results = []
    for k, (train_topics, scored_topics) in enumerate(topic_folds([d.topic for d in docs], folds)):
        pool = fold_docs(k) if fold_docs is not None else docs
        params = fit([d for d in pool if d.topic in train_topics])
        scored = [d for d in pool if d.topic in scored_topics]
        results.append((scored, predict(scored, params)))
    return results


def with_embeddings(docs: Sequence[Doc], vectors: np.ndarray) -> list[Doc]:
    """The documents again, each with its row of `vectors` as its embedding."""
    return [replace(d, embedding=v) for d, v in zip(docs, vectors, strict=True)]


def fold_encoder_docs(docs: Sequence[Doc], folder: Path) -> Callable[[int], list[Doc]]:
    """`cross_validate`'s fold_docs for the encoders in `folder/fold-k` (`newsdistill train story-encoder
    --fold-models folder`): each fold's documents embedded by the encoder that never saw its topics."""
    texts = [embeddings.lead_text(Article(text=d.text)) for d in docs]

    @cache
    def embedded(k: int) -> list[Doc]:
        return with_embeddings(docs, embeddings.Encoder(folder / f"fold-{k}").embed(texts))

    return embedded


def bcubed(predicted: Sequence[int], gold: Sequence[str]) -> tuple[float, float, float]:
    clusters: dict[int, set[int]] = defaultdict(set)
    events: dict[str, set[int]] = defaultdict(set)
    for i, (p, g) in enumerate(zip(predicted, gold, strict=True)):
        clusters[p].add(i)
        events[g].add(i)
    pairs = list(zip(predicted, gold, strict=True))
    precision = sum(len(clusters[p] & events[g]) / len(clusters[p]) for p, g in pairs) / len(gold)
    recall = sum(len(clusters[p] & events[g]) / len(events[g]) for p, g in pairs) / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)


# ---- the shipped method: the store with a story model ------------------------------------------------
def store_stories(
    docs: Sequence[Doc], model: stories.StoryModel, background: Sequence[Doc] = ()
) -> list[int]:
    """The stories the store's story index assigns the documents, in order, with this model: the store's
    own code on its own schema (in memory, without the other concerns of `Store.add`, for speed)."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.row_factory = sqlite3.Row
    db.executescript(resources.files("newsdistill.corpus").joinpath("schema.sql").read_text(encoding="utf-8"))
    found = []
    with stories.using(model):
        for number, doc in enumerate([*background, *docs], start=1):
            db.execute(
                "INSERT INTO articles(id, content_hash, text, record) VALUES (?, ?, '', x'')",
                (number, number),
            )
            article = Article(text=doc.text, entities=doc.entities)
            story = story_index.assign_story(db, article, doc.embedding)
            db.execute("UPDATE articles SET story_id = ? WHERE id = ?", (story, number))
    found = [
        int(r[0])
        for r in db.execute("SELECT story_id FROM articles WHERE id > ? ORDER BY id", (len(background),))
    ]
    db.close()
    return found


def _entity_names(doc: Doc) -> list[str]:
    return [e.name for e in doc.entities if e.type in {"PERSON", "ORG", "PLACE"}]


def training_pairs(docs: Sequence[Doc]) -> tuple[np.ndarray, np.ndarray]:
    """Features of each document against its own gold story so far (label 1) and the most similar
    other stories (label 0), with document frequencies grown in order as the store grows them."""
    df: Counter[str] = Counter()
    centroids: dict[str, stories.Vector] = {}
    embedded: dict[str, np.ndarray] = {}
    sizes: Counter[str] = Counter()
    rows, labels = [], []
    for number, doc in enumerate(docs, start=1):
        counts = _term_counts(doc)
        vector = stories.tfidf(counts, df, number)
        df.update(counts.keys())
        scored = []
        for event, centroid in centroids.items():
            similarity = stories.embedding_cosine(doc.embedding, embedded[event])
            scored.append((event, stories.features(vector, centroid, None, sizes[event], similarity)))
        negatives = sorted((s for s in scored if s[0] != doc.event), key=lambda s: -s[1][0])[:HARD_NEGATIVES]
        for event, feats in [s for s in scored if s[0] == doc.event] + negatives:
            rows.append(feats)
            labels.append(1.0 if event == doc.event else 0.0)
        old = centroids.get(doc.event, {})
        centroids[doc.event] = stories.add_to_centroid(old, sizes[doc.event], vector)
        zero = np.zeros(embeddings.DIMENSION, np.float32)
        embedded[doc.event] = stories.add_embedding(
            embedded.get(doc.event, zero), sizes[doc.event], doc.embedding
        )
        sizes[doc.event] += 1
    return np.array(rows), np.array(labels)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 30) -> tuple[np.ndarray, float]:
    """Weights and bias by Newton's method with a small L2 penalty (a handful of features)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(design.shape[1])
    penalty = l2 * np.eye(design.shape[1])
    penalty[-1, -1] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(design @ w, -30, 30)))
        gradient = design.T @ (p - y) + penalty @ w
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty + 1e-9 * np.eye(len(w))
        w -= np.linalg.solve(hessian, gradient)
    return w[:-1], float(w[-1])


def fit_model(docs: list[Doc]) -> stories.StoryModel:
    """The pair model on these documents, then the join and merge probabilities that score best here."""
    weights, bias = fit_logistic(*training_pairs(docs))
    model = stories.StoryModel(tuple(float(w) for w in weights), bias, join=0.5, merge=1.01)
    gold = [d.event for d in docs]

    def f1(candidate: stories.StoryModel) -> float:  # in memory: the store's decisions, minutes faster
        return bcubed(memory_stories(docs, candidate), gold)[2]

    join = max(JOIN_GRID, key=lambda j: f1(stories.with_thresholds(model, j, 1.01)))
    merge = max(MERGE_GRID, key=lambda m: f1(stories.with_thresholds(model, join, m)))
    return stories.with_thresholds(model, join, merge)


# ---- today's method, for comparison: one cosine threshold over words and entity names ------------------
LEGACY_GRID = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35)


def legacy_stories(docs: Sequence[Doc], threshold: float) -> list[int]:
    """The single-pass assignment of the store before issue 14 (stemming, lead, years, model and merges
    off): TF-IDF cosine of words and entity terms against story centroids, one threshold."""
    word = re.compile(r"[a-z][a-z'’-]{2,}")
    df: Counter[str] = Counter()
    centroids: list[tuple[dict[str, float], int]] = []
    found = []
    for number, doc in enumerate(docs, start=1):
        counts = Counter(w for w in word.findall(doc.text.lower()) if w not in stories.STOPWORDS)
        counts.update("ent:" + n.lower() for n in _entity_names(doc))
        weights = {t: (1 + math.log(c)) * math.log((number + 1) / (df[t] + 1)) for t, c in counts.items()}
        vector = _top_normalised(weights, stories.TOP_TERMS)
        df.update(counts.keys())
        sims = [stories.cosine(vector, c) for c, _ in centroids]
        best = int(np.argmax(sims)) if sims else -1
        if best < 0 or sims[best] < threshold:
            centroids.append((vector, 1))
            found.append(len(centroids) - 1)
            continue
        centroid, size = centroids[best]
        merged = {t: v * size for t, v in centroid.items()}
        for t, v in vector.items():
            merged[t] = merged.get(t, 0.0) + v
        centroids[best] = (_top_normalised(merged, stories.TOP_TERMS * 2), size + 1)
        found.append(best)
    return found


def _top_normalised(weights: dict[str, float], keep: int) -> dict[str, float]:
    top = dict(sorted(weights.items(), key=lambda kv: -kv[1])[:keep])
    norm = math.sqrt(sum(v * v for v in top.values())) or 1.0
    return {t: v / norm for t, v in top.items()}


def fit_legacy(docs: list[Doc]) -> float:
    gold = [d.event for d in docs]
    return max(LEGACY_GRID, key=lambda t: bcubed(legacy_stories(docs, t), gold)[2])


def pooled(results: list[tuple[list[Doc], list[int]]]) -> tuple[float, float, float, int]:
    """B-cubed over all scored documents (each fold's story ids kept apart), and the number of stories."""
    predicted, gold = [], []
    for fold, (docs, found) in enumerate(results):
        predicted += [fold * 10**9 + f for f in found]
        gold += [d.event for d in docs]
    return (*bcubed(predicted, gold), len(set(predicted)))


def error_buckets(results: list[tuple[list[Doc], list[int]]]) -> dict[str, float]:
    """Where the out-of-fold B-cubed is lost: precision lost to stories that join events of one topic and
    of different topics (merges), recall lost to events split over stories (splits), in points; and how
    many stories merge events, how many events split, and how many of their extra pieces are one article."""
    lost = Counter[str]()
    for docs, found in results:
        stories_: dict[int, list[Doc]] = defaultdict(list)
        events: dict[str, Counter[int]] = defaultdict(Counter)
        for doc, story in zip(docs, found, strict=True):
            stories_[story].append(doc)
            events[doc.event][story] += 1
        for members in stories_.values():
            lost["stories merging events"] += len({d.event for d in members}) > 1
            for doc in members:
                wrong = [d for d in members if d.event != doc.event]
                across = sum(d.topic != doc.topic for d in wrong)
                lost["P lost, same topic"] += (len(wrong) - across) / len(members)
                lost["P lost, across topics"] += across / len(members)
        for pieces in events.values():
            lost["events split"] += len(pieces) > 1
            lost["single-article pieces"] += sum(n == 1 for n in pieces.values()) if len(pieces) > 1 else 0
            size = sum(pieces.values())
            lost["R lost to splits"] += sum(n * (1 - n / size) for n in pieces.values())
    total = sum(len(docs) for docs, _ in results)
    return {k: 100 * v / total if k.startswith(("P ", "R ")) else v for k, v in lost.items()}


def load_docs(path: Path, entities: list[list[dict[str, object]]]) -> list[Doc]:
    lines = [json.loads(line) for line in path.open(encoding="utf-8")]
    texts = [ecbplus_text(d["text"]) for d in lines]
    embedded = embeddings.embed_articles([Article(text=t) for t in texts])
    return [
        Doc(
            d["doc_id"],
            int(d["topic"]),
            d["subtopic"],
            text,
            [Entity.model_validate(e) for e in ents],
            vector,
        )
        for d, text, ents, vector in zip(lines, texts, entities, embedded, strict=True)
    ]


# ---- the store's assignment, in memory: the same decisions without SQLite (cross-validation in minutes) --
@dataclass
class _MemoryStory:
    id: int
    centroid: stories.Vector  # as the store keeps it: rounded to 4 decimals (`stories.dumps`)
    size: int
    embedding: np.ndarray


class MemoryIndex:
    """`story_index.assign_story` on dicts instead of tables: the same document frequencies, postings (newest
    POSTINGS_PER_TERM per term), candidates, order of ties, rounding of stored centroids and reuse of a
    deleted top story id (SQLite's rowid). ECB+ documents are undated, so the time window never applies."""

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.documents = 0
        self.stories: dict[int, _MemoryStory] = {}
        self.postings: dict[str, set[int]] = defaultdict(set)
        self.terms_of: dict[int, list[str]] = {}
        self.moved: dict[int, int] = {}  # absorbed story -> the story its articles moved to

    def assign(self, doc: Doc, vector: stories.Vector | None = None) -> int:
        """`vector`: the document's, when known (it depends only on the documents before it)."""
        counts = _term_counts(doc)
        self.documents += 1
        if vector is None:
            vector = stories.tfidf(counts, self.df, self.documents)
        self.df.update(counts.keys())
        scored = self._scored(vector, doc.embedding)
        if not scored or scored[0][0] < stories.MODEL.join:
            new = _MemoryStory(max(self.stories, default=0) + 1, _rounded(vector), 1, doc.embedding)
            return self._save(new)
        story = scored[0][1]
        story.centroid = stories.add_to_centroid(story.centroid, story.size, vector)
        story.embedding = stories.add_embedding(story.embedding, story.size, doc.embedding)
        story.size += 1
        for _, other in scored[1 : 1 + story_index.MERGES_PER_ARTICLE]:
            if self._same_event(story, other):
                self._absorb(story, other)
        return self._save(story)

    def _scored(self, vector: stories.Vector, embedding: np.ndarray) -> list[tuple[float, _MemoryStory]]:
        model = stories.MODEL
        scored = []
        for sid in sorted(self._candidates(vector), reverse=True):
            found = self.stories[sid]
            story = _MemoryStory(sid, found.centroid, found.size, found.embedding)
            similarity = stories.embedding_cosine(embedding, story.embedding)
            p = model.probability(stories.features(vector, story.centroid, None, story.size, similarity))
            if p >= min(model.join, model.merge):
                scored.append((p, story))
        return sorted(scored, key=lambda pair: (-pair[0], -pair[1].id))

    def _candidates(self, vector: stories.Vector) -> list[int]:
        shared: Counter[int] = Counter()
        for term in stories.strongest(vector):
            newest = sorted(self.postings.get(term, ()), reverse=True)[: story_index.POSTINGS_PER_TERM]
            shared.update(newest)
        return sorted(shared, key=lambda story: (-shared[story], -story))[: story_index.STORY_CANDIDATES]

    def _same_event(self, story: _MemoryStory, other: _MemoryStory) -> bool:
        similarity = stories.embedding_cosine(story.embedding, other.embedding)
        pair = stories.features(story.centroid, other.centroid, None, min(story.size, other.size), similarity)
        return stories.MODEL.probability(pair) >= stories.MODEL.merge

    def _absorb(self, story: _MemoryStory, other: _MemoryStory) -> None:
        story.centroid = stories.add_to_centroid(story.centroid, story.size, other.centroid, other.size)
        story.embedding = stories.add_embedding(story.embedding, story.size, other.embedding, other.size)
        story.size += other.size
        self.moved[other.id] = story.id
        self._unindex(other.id)
        del self.stories[other.id]

    def _save(self, story: _MemoryStory) -> int:
        self._unindex(story.id)
        self.terms_of[story.id] = stories.strongest(story.centroid)  # indexed before rounding, as stored
        story.centroid = _rounded(story.centroid)
        self.stories[story.id] = story
        for term in self.terms_of[story.id]:
            self.postings[term].add(story.id)
        return story.id

    def _unindex(self, sid: int) -> None:
        for term in self.terms_of.pop(sid, []):
            self.postings[term].discard(sid)


@lru_cache(maxsize=4096)
def _term_counts(doc: Doc) -> Counter[str]:
    return stories.term_counts(doc.text, _entity_names(doc), None)


@lru_cache(maxsize=64)
def _vectors(ordered: tuple[Doc, ...]) -> list[stories.Vector]:
    """The TF-IDF vector of each document, in order: the same for every model (fitting tries many)."""
    df: Counter[str] = Counter()
    found = []
    for number, doc in enumerate(ordered, start=1):
        counts = _term_counts(doc)
        found.append(stories.tfidf(counts, df, number))
        df.update(counts.keys())
    return found


def _rounded(vector: stories.Vector) -> stories.Vector:
    return {g: {t: round(v, 4) for t, v in vector.get(g, {}).items()} for g in stories.GROUPS}


def memory_stories(
    docs: Sequence[Doc], model: stories.StoryModel, background: Sequence[Doc] = ()
) -> list[int]:
    """What `store_stories` gives, computed in memory (checked equal by tests/corpus/test_stories.py)."""
    index = MemoryIndex()
    found: list[int] = []
    ordered = [*background, *docs]
    vectors = _vectors(tuple(ordered))
    with stories.using(model):
        for doc, vector in zip(ordered, vectors, strict=True):
            found.append(index.assign(doc, vector))
            if index.moved:  # a merge moves earlier articles to the absorbing story
                found = [index.moved.get(s, s) for s in found]
                index.moved = {}
    return found[len(background) :]


def order_spread(
    docs: Sequence[Doc], fold: int, orders: int = 11, folds: int = 5, seed: int = 1
) -> tuple[float, list[float]]:
    """Out-of-fold F1 of one fold in the given order and in `orders` shuffled orders of its scored documents
    (the model fitted once on the other topics): how much of a difference the arrival order alone makes."""
    train, scored_topics = topic_folds([d.topic for d in docs], folds)[fold]
    model = fit_model([d for d in docs if d.topic in train])
    scored = [d for d in docs if d.topic in scored_topics]
    rng = np.random.default_rng(seed)

    def f1(order: Sequence[Doc]) -> float:
        return 100 * bcubed(memory_stories(order, model), [d.event for d in order])[2]

    return f1(scored), [f1([scored[i] for i in rng.permutation(len(scored))]) for _ in range(orders)]
