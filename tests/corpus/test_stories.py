"""Stories: topic folds that never score a topic on its own parameters, the evidence the model weighs,
merges of stories an article bridges, and `newsdistill stories --rebuild` on a real store."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np

from newsdistill.corpus import stories
from newsdistill.corpus.encoder_training import held_out_groups
from newsdistill.corpus.store import Store
from newsdistill.model import Article, Entity

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import story_folds

ALWAYS = stories.StoryModel(weights=(0.0,) * len(stories.FEATURES), bias=5.0, join=0.5, merge=0.5)


def _doc(number: int, topic: int) -> story_folds.Doc:
    return story_folds.Doc(f"d{number}", topic, f"{topic}_a", f"text {number}", [], np.zeros(384, np.float32))


def test_topic_folds_score_every_topic_once_and_never_on_its_own_parameters() -> None:
    docs = [_doc(n, topic) for n, topic in enumerate([1, 1, 2, 3, 3, 3, 4, 5, 6, 7, 8, 9, 9, 10, 11])]
    fitted_on: list[set[int]] = []

    def fit(train: list[story_folds.Doc]) -> int:
        fitted_on.append({d.topic for d in train})
        return len(fitted_on) - 1

    def predict(scored: list[story_folds.Doc], params: int) -> list[int]:
        assert not {d.topic for d in scored} & fitted_on[params], (
            "a topic scored with parameters fitted on it"
        )
        return [0] * len(scored)

    results = story_folds.cross_validate(docs, fit, predict, folds=5)
    scored_ids = [d.doc_id for scored, _ in results for d in scored]
    assert sorted(scored_ids) == sorted(d.doc_id for d in docs)  # each document scored exactly once
    folds = story_folds.topic_folds([d.topic for d in docs], 5)
    for (train, held), (scored, _) in zip(folds, results, strict=True):
        assert not train & held and {d.topic for d in scored} == held


def test_each_fold_fits_and_scores_the_documents_its_own_encoder_embedded() -> None:
    """With per-fold encoders, fold k's model is fitted on, and scores, fold k's embeddings only; the
    folds are the ones `train story-encoder --fold-models` holds out (topics by number, not by text)."""
    docs = [_doc(n, topic) for n, topic in enumerate([1, 2, 3, 10, 11, 12, 20, 21, 22, 30])]
    by_fold = {
        k: story_folds.with_embeddings(docs, np.full((len(docs), 384), k, np.float32)) for k in range(5)
    }
    seen: list[tuple[set[float], set[float]]] = []

    def fit(train: list[story_folds.Doc]) -> set[float]:
        return {float(d.embedding[0]) for d in train}

    def predict(scored: list[story_folds.Doc], fitted: set[float]) -> list[int]:
        seen.append((fitted, {float(d.embedding[0]) for d in scored}))
        return [0] * len(scored)

    story_folds.cross_validate(docs, fit, predict, folds=5, fold_docs=by_fold.__getitem__)
    assert seen == [({k}, {k}) for k in range(5)]
    held = held_out_groups([str(d.topic) for d in docs], 5)
    assert held[0] == {"1", "12"} and held[1] == {"2", "20"}  # 1, 2, 3, 10, ... in numeric order
    assert [
        {str(t) for t in scored} for _, scored in story_folds.topic_folds([d.topic for d in docs], 5)
    ] == held


def test_pooled_bcubed_keeps_folds_apart() -> None:
    """Story ids restart in each fold's fresh store: story 1 of fold 0 is not story 1 of fold 1."""
    a, b = _doc(1, 1), _doc(2, 2)
    p, r, f1, count = story_folds.pooled([([a], [1]), ([b], [1])])
    assert (p, r, f1, count) == (1.0, 1.0, 1.0, 2)


def test_error_buckets_separate_merges_from_splits() -> None:
    """Events a and b of topic 1 joined in one story (a merge, precision lost within the topic); event c
    of topic 2 split into two stories, one of them a single article (recall lost)."""
    docs = [_doc(1, 1), _doc(2, 1), _doc(3, 1), _doc(4, 2), _doc(5, 2), _doc(6, 2)]
    for doc, event in zip(docs, ["1_a", "1_a", "1_b", "2_c", "2_c", "2_c"], strict=True):
        doc.event = event
    buckets = story_folds.error_buckets([(docs, [1, 1, 1, 2, 2, 3])])
    assert buckets["stories merging events"] == 1 and buckets["events split"] == 1
    assert buckets["single-article pieces"] == 1 and buckets["P lost, across topics"] == 0
    p, r, _ = story_folds.bcubed([1, 1, 1, 2, 2, 3], [d.event for d in docs])
    assert abs(buckets["P lost, same topic"] - 100 * (1 - p)) < 1e-9
    assert abs(buckets["R lost to splits"] - 100 * (1 - r)) < 1e-9


def test_stemming_and_years_are_evidence() -> None:
    counts = stories.term_counts(
        "Lohan checked into rehab in 2013. She checks out in May.", ["Lindsay Lohan"]
    )
    assert counts["check"] == 2 and counts["year:2013"] == 1 and counts["ent:lindsay lohan"] == 1
    assert counts["lead:rehab"] == 1
    assert not any(t.startswith("year:") for t in stories.term_counts("It cost 2013.5 dollars, or 12,2013"))


def test_a_year_conflict_lowers_the_join_probability() -> None:
    text = "A magnitude 6 earthquake struck the island, killing dozens, officials said."
    same = stories.tfidf(stories.term_counts(text + " 2008"), {}, 10)
    other = stories.tfidf(stories.term_counts(text + " 2013"), {}, 10)
    agree = stories.MODEL.probability(stories.features(same, same, None, 1, 1.0))
    conflict = stories.MODEL.probability(stories.features(same, other, None, 1, 1.0))
    assert stories.features(same, other, None, 1, 1.0)[stories.FEATURES.index("year_conflict")] == 1.0
    assert conflict < agree


def test_the_best_case_bound_never_drops_a_story_that_reaches_the_threshold() -> None:
    """`may_reach` drops candidates before their term cosines are computed: every feature vector in the
    features' ranges, under the shipped model and random ones, scores at most what the bound allows."""
    rng = np.random.default_rng(7)
    models = [stories.MODEL] + [
        stories.StoryModel(tuple(rng.normal(scale=10, size=8)), float(rng.normal(scale=10)), 0.3, 0.6)
        for _ in range(20)
    ]
    for model in models:
        sizes = rng.integers(1, 500, 400).astype(np.float64)
        cosines = rng.uniform(-1, 1, 400)
        terms = [rng.uniform(low, high, 400) for low, high in stories.TERM_FEATURE_RANGES]
        for threshold in (0.05, 0.3, 0.6, 0.99):
            kept = model.may_reach(sizes, cosines, threshold)
            for n in range(400):
                features = [*(column[n] for column in terms), float(np.log(sizes[n])), float(cosines[n])]
                if model.probability(features) >= threshold:
                    assert kept[n], (model, features, threshold)
    assert not stories.MODEL.may_reach(np.array([1.0]), np.array([-0.5]), stories.MODEL.join)[0], (
        "an unrelated story is not scored"
    )


def test_flat_centroids_of_older_stores_are_read_as_groups() -> None:
    vector = stories.loads(json.dumps({"quake": 0.6, "ent:chile": 0.8}))
    assert vector[""] == {"quake": 1.0} and vector["ent:"] == {"ent:chile": 1.0} and vector["year:"] == {}


def _add(store: Store, number: int, text: str, entities: list[Entity] | None = None) -> int:
    stored = store.add(f"in{number}", f"hash{number}", Article(text=text, entities=entities or []))
    row = store.db.execute("SELECT story_id FROM articles WHERE id = ?", (stored.article_id,)).fetchone()
    return int(row[0])


def test_an_article_that_bridges_two_stories_merges_them(tmp_path: Path) -> None:
    """Two halves of one event started apart (nothing shared); an article sharing both halves' words
    joins one and folds the other in: every article ends in one story, the other story row is gone."""
    apart = stories.StoryModel(weights=(20.0, 0, 0, 0, 0, 0, 0, 0), bias=-10.0, join=0.5, merge=0.0)
    store = Store(tmp_path / "news.db")
    with stories.using(apart):
        first = _add(store, 1, "volcano eruption ash cloud grounded flights airport")
        second = _add(store, 2, "lava village evacuated residents shelters")
        assert first != second
        bridge = _add(store, 3, "volcano eruption ash cloud lava village evacuated residents")
    ids = {int(r[0]) for r in store.db.execute("SELECT story_id FROM articles")}
    assert ids == {bridge} and store.db.execute("SELECT count(*) FROM stories").fetchone()[0] == 1
    size = store.db.execute("SELECT size FROM stories WHERE id = ?", (bridge,)).fetchone()[0]
    assert (
        size == 3
        and store.db.execute(
            "SELECT count(*) FROM story_terms WHERE story_id NOT IN (SELECT id FROM stories)"
        ).fetchone()[0]
        == 0
    )


def test_stories_rebuild_reassigns_the_whole_store(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    store = Store(db)
    with stories.using(ALWAYS):  # everything in one story, as a store made by another model might be
        for number in range(4):
            _add(store, number, f"article number {number} about topic {number % 2} words")
    store.close()
    done = subprocess.run(
        [sys.executable, "-m", "newsdistill.cli", "stories", "--rebuild", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as raw:
        stored = raw.execute("SELECT count(*), count(story_id) FROM articles").fetchone()
        sizes = raw.execute("SELECT sum(size) FROM stories").fetchone()[0]
        orphans = raw.execute("SELECT count(*) FROM articles WHERE story_id NOT IN (SELECT id FROM stories)")
        assert stored == (4, 4) and sizes == 4 and orphans.fetchone()[0] == 0
    assert "stories" in done.stdout


def _synthetic_docs(count: int, seed: int) -> list[story_folds.Doc]:
    """Articles on a few overlapping events: shared topic words, event words, names and noisy embeddings."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(6, 384)).astype(np.float32)
    docs = []
    for number in range(count):
        event = int(rng.integers(6))
        words = [f"topic{event // 2}word{w}" for w in rng.integers(0, 8, 12)]
        words += [f"event{event}word{w}" for w in rng.integers(0, 6, 6)]
        words += [f"noise{w}" for w in rng.integers(0, 40, 10)]
        names = [Entity(id=f"p{event}", name=f"Person {event}", type="PERSON")] if rng.random() < 0.6 else []
        vector = centres[event] + rng.normal(scale=1.5, size=384).astype(np.float32)
        embedding = (vector / np.linalg.norm(vector)).astype(np.float32)
        docs.append(story_folds.Doc(f"d{number}", event // 2, str(event), " ".join(words), names, embedding))
    return docs


def test_in_memory_assignment_makes_the_store_s_decisions() -> None:
    docs = _synthetic_docs(120, seed=3)
    for join, merge in ((0.2, 0.8), (0.1, 0.3), (0.5, 1.01)):
        model = stories.with_thresholds(stories.MODEL, join, merge)
        assert story_folds.memory_stories(docs, model) == story_folds.store_stories(docs, model)
    background, scored = docs[:40], docs[40:]
    assert story_folds.memory_stories(scored, stories.MODEL, background) == story_folds.store_stories(
        scored, stories.MODEL, background
    )


def test_order_spread_scores_the_given_and_shuffled_orders_of_one_fold() -> None:
    docs = _synthetic_docs(60, seed=5)
    given, shuffled = story_folds.order_spread(docs, fold=0, orders=3, folds=3)
    assert len(shuffled) == 3 and all(0.0 < f <= 100.0 for f in [given, *shuffled])
    assert story_folds.order_spread(docs, fold=0, orders=3, folds=3) == (given, shuffled)  # seeded
