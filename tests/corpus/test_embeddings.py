"""Sentence embeddings for stories: the packaged encoder on real text, a clear error for a missing or
corrupt model file, old stores migrated with nothing lost, and a story joined on meaning, not words."""

from __future__ import annotations

import importlib.util
import shutil
import sqlite3
import subprocess
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from newsdistill.corpus import embeddings, stories
from newsdistill.corpus.store import Store, text_hash
from newsdistill.errors import ModelFileError
from newsdistill.model import Article

from .test_migration import OLD_SCHEMA, _dump, _old_store

QUAKE = Article(
    title="Earthquake kills six in Chile",
    text="A strong earthquake struck Chile on Tuesday, killing six people and destroying homes, "
    "officials said.",
)
# The same event in other words: only "Chile", "six" and "people" are shared.
TREMOR = Article(
    title="Quake in Chile leaves six dead",
    text="Six people died when a powerful tremor hit Chile, flattening houses, authorities reported.",
)


def test_similar_sentences_embed_closer_than_unrelated_ones() -> None:
    vectors = embeddings.load().embed(
        [
            "The council closed the bridge after engineers found cracks in it.",
            "Officials shut the span when inspectors discovered damage to its supports.",
            "The striker scored twice as the home side won the cup final 3-2.",
        ]
    )
    assert vectors.shape == (3, embeddings.DIMENSION) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    bridge, span, football = vectors
    assert bridge @ span > 0.3 and bridge @ span > bridge @ football + 0.2


def test_only_the_title_and_lead_are_embedded() -> None:
    """What follows the first MAX_TOKENS tokens does not move the embedding."""
    lead = QUAKE.text + " " + "Rescuers searched the rubble through the night. " * 20
    longer = Article(title=QUAKE.title, text=lead + "The football club sacked its manager after a loss.")
    shorter = Article(title=QUAKE.title, text=lead)
    first, second = embeddings.embed_articles([longer, shorter])
    assert first @ second == pytest.approx(1.0, abs=1e-4)


def test_a_missing_model_file_names_the_file_and_the_rebuild_command(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError) as missing:
        embeddings.Encoder(tmp_path)
    assert str(tmp_path / "meta.json") in str(missing.value) and embeddings.REBUILD in str(missing.value)
    for name in ("meta.json", "tokenizer.json"):
        shutil.copyfile(embeddings.MODEL_DIR / name, tmp_path / name)
    (tmp_path / "model.onnx").write_bytes(b"not a model")
    with pytest.raises(ModelFileError) as corrupt:
        embeddings.Encoder(tmp_path)
    assert str(tmp_path / "model.onnx") in str(corrupt.value) and embeddings.REBUILD in str(corrupt.value)


@pytest.mark.skipif(importlib.util.find_spec("onnx") is not None, reason="the [train] extra is installed")
def test_building_the_encoder_without_the_train_extra_says_what_to_install(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "newsdistill.cli", "train", "story-encoder", "--out", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "newsdistill[train]" in done.stderr and not list(tmp_path.iterdir())


def _story_ids(store: Store) -> list[int]:
    return [int(r[0]) for r in store.db.execute("SELECT story_id FROM articles ORDER BY id")]


def test_two_reports_of_one_event_in_other_words_join_one_story_thanks_to_the_embedding(
    tmp_path: Path,
) -> None:
    weights = stories.MODEL.weights
    words_only = replace(stories.MODEL, weights=(*weights[:-1], 0.0))
    with stories.using(words_only):
        apart = Store(tmp_path / "words.db")
        apart.add("quake", "q", QUAKE), apart.add("tremor", "t", TREMOR)
        assert len(set(_story_ids(apart))) == 2  # the few shared words alone do not join them
    store = Store(tmp_path / "news.db")
    store.add("quake", "q", QUAKE)
    store.add("tremor", "t", TREMOR)
    store.add("festival", "f", Article(text="Six bands played to happy people at a festival in Chile."))
    first, second, festival = _story_ids(store)
    assert first == second and festival != first


def test_a_store_from_before_story_embeddings_opens_with_nothing_lost(tmp_path: Path) -> None:
    """The old store's stories get the column; an old story's embedding is computed from its members
    the first time an article is compared with it, and the article joins it."""
    path = tmp_path / "old.db"
    _old_store(path)
    with sqlite3.connect(path) as db:  # the old code's story for its first article, in the old layout
        vector = stories.tfidf(stories.term_counts(QUAKE.text, [], QUAKE.title), {}, 1)
        db.execute(
            "INSERT INTO stories(id, title, centroid, size) VALUES (1, ?, ?, 1)",
            (QUAKE.title, stories.dumps(vector)),
        )
        db.executemany(
            "INSERT INTO story_terms(term, story_id) VALUES (?, 1)", [(t,) for t in stories.strongest(vector)]
        )
        db.execute(
            "INSERT INTO articles(id, content_hash, title, text, record, story_id) VALUES (3, ?, ?, ?, ?, 1)",
            (text_hash(QUAKE.text), QUAKE.title, QUAKE.text, _record(QUAKE)),
        )
    before = _dump(path)
    store = Store(path)
    assert _dump(path) == before
    row = store.db.execute("SELECT title, size, embedding FROM stories WHERE id = 1").fetchone()
    assert tuple(row) == (QUAKE.title, 1, None)
    stored = store.add("tremor.html", "t", TREMOR)
    joined = store.db.execute("SELECT story_id FROM articles WHERE id = ?", (stored.article_id,)).fetchone()
    assert joined[0] == 1
    kept = store.db.execute("SELECT size, embedding FROM stories WHERE id = 1").fetchone()
    expected = stories.add_embedding(
        *embeddings.embed_articles([QUAKE]), 1, *embeddings.embed_articles([TREMOR])
    )
    assert kept[0] == 2 and np.frombuffer(kept[1], np.float32) @ expected == pytest.approx(1.0, abs=1e-4)
    assert "embedding" not in OLD_SCHEMA.read_text(encoding="utf-8")


def _record(article: Article) -> bytes:
    return zlib.compress(article.model_dump_json().encode())


def test_story_embeddings_made_by_another_encoder_are_made_again_by_this_one(tmp_path: Path) -> None:
    """A store written with another story encoder (an older release's): opening it for writing drops the
    stories' stored vectors, and the next insert compares the article with this encoder's vectors of the
    story's members. A store written with this encoder keeps its own."""
    path = tmp_path / "news.db"
    store = Store(path)
    store.add("quake.html", "q", QUAKE)
    first = store.db.execute("SELECT embedding FROM stories WHERE id = 1").fetchone()[0]
    store.close()
    same = Store(path)
    assert same.db.execute("SELECT embedding FROM stories WHERE id = 1").fetchone()[0] == first
    same.db.execute("UPDATE stories SET embedding = ? WHERE id = 1", (np.ones(384, np.float32).tobytes(),))
    same.db.execute("UPDATE meta SET value = 'an older encoder' WHERE key = 'story_encoder'")
    same.close()
    store = Store(path)
    assert store.db.execute("SELECT embedding FROM stories WHERE id = 1").fetchone()[0] is None
    marked = store.db.execute("SELECT value FROM meta WHERE key = 'story_encoder'").fetchone()[0]
    assert marked == embeddings.fingerprint()
    stored = store.add("tremor.html", "t", TREMOR)
    joined, size, kept = store.db.execute(
        "SELECT a.story_id, s.size, s.embedding FROM articles a JOIN stories s ON s.id = a.story_id "
        "WHERE a.id = ?",
        (stored.article_id,),
    ).fetchone()
    expected = stories.add_embedding(
        *embeddings.embed_articles([QUAKE]), 1, *embeddings.embed_articles([TREMOR])
    )
    assert (joined, size) == (1, 2)
    assert np.frombuffer(kept, np.float32) @ expected == pytest.approx(1.0, abs=1e-4)


def test_an_encoder_fingerprint_changes_with_its_meta_and_is_none_without_files(tmp_path: Path) -> None:
    for name in ("meta.json", "model.onnx"):
        shutil.copyfile(embeddings.MODEL_DIR / name, tmp_path / name)
    assert embeddings.fingerprint(tmp_path) == embeddings.fingerprint()
    (tmp_path / "meta.json").write_text('{"dimension": 384, "retrained": true}\n', encoding="utf-8")
    assert embeddings.fingerprint(tmp_path) not in {None, embeddings.fingerprint()}
    (tmp_path / "model.onnx").unlink()
    assert embeddings.fingerprint(tmp_path) is None


def test_ingest_says_when_the_store_was_written_with_another_story_encoder(tmp_path: Path) -> None:
    from newsdistill.corpus.ingest import ingest

    path = tmp_path / "news.db"
    store = Store(path)
    store.add("quake.html", "q", QUAKE)
    store.db.execute("UPDATE meta SET value = 'an older encoder' WHERE key = 'story_encoder'")
    store.close()
    page = tmp_path / "tremor.txt"
    page.write_text(f"{TREMOR.title}\n\n{TREMOR.text}\n", encoding="utf-8")
    first = ingest([str(page)], path, stages=("decode", "clean"))
    assert "the vectors of 1 story are made again" in first.line() and "stories --rebuild" in first.line()
    page.write_text("Six bands played to happy people at a festival in Chile on Sunday.\n", encoding="utf-8")
    second = ingest([str(page)], path, stages=("decode", "clean"))
    assert first.stored == 1 and second.stored == 1 and "encoder changed" not in second.line()


def test_the_shipped_encoder_is_never_replaced_by_the_one_that_was_not_fine_tuned(tmp_path: Path) -> None:
    before = (embeddings.MODEL_DIR / "model.onnx").stat().st_mtime_ns
    for options in ([], ["--fold-models", str(tmp_path / "folds")]):
        command = [sys.executable, "-m", "newsdistill.cli", "train", "story-encoder", *options]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and "--data" in done.stderr and "Traceback" not in done.stderr
    assert (embeddings.MODEL_DIR / "model.onnx").stat().st_mtime_ns == before
    assert not (tmp_path / "folds").exists()
