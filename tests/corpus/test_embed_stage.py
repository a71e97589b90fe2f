"""The story embedding is computed in the pipeline's workers and used by the store, not computed twice:
a real 2-worker ingest, a direct Store.add without one, and JSON that never carries the vector; the
near-duplicate signature rides along the same way."""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from newsdistill import neardup
from newsdistill.corpus import embeddings
from newsdistill.corpus.embed_stage import Embed
from newsdistill.corpus.ingest import ingest
from newsdistill.corpus.store import Store, signature_of
from newsdistill.model import Article, RawDocument
from newsdistill.stages import build_pipeline

from .conftest import BRIDGE


@pytest.fixture
def embed_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every call of the real encoder, from any process, as a line 'pid texts' in the returned file
    (the pool forks its workers from this process, so they run the counting encoder too)."""
    log = tmp_path / "embed_calls.txt"
    real = embeddings.Encoder.embed

    def counted(self: embeddings.Encoder, texts: Sequence[str]) -> np.ndarray:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {len(texts)}\n")
        return real(self, texts)

    monkeypatch.setattr(embeddings.Encoder, "embed", counted)
    log.touch()
    return log


def _calls(log: Path) -> list[tuple[int, int]]:
    return [(int(pid), int(n)) for pid, n in (line.split() for line in log.read_text().splitlines())]


def _stories(db: Path) -> dict[int, tuple[int, bytes]]:
    with sqlite3.connect(db) as raw:
        rows = raw.execute("SELECT id, size, embedding FROM stories").fetchall()
    return {int(story): (int(size), bytes(vector)) for story, size, vector in rows}


def _records(db: Path) -> list[tuple[str, bytes]]:
    with sqlite3.connect(db) as raw:
        query = (
            "SELECT i.input_id, a.record FROM inputs i JOIN articles a ON a.id = i.article_id ORDER BY a.id"
        )
        return [(input_id, zlib.decompress(record)) for input_id, record in raw.execute(query)]


def test_a_two_worker_ingest_embeds_in_the_workers_and_the_store_uses_their_vectors(
    pages: Path, tmp_path: Path, embed_calls: Path
) -> None:
    db = tmp_path / "news.db"
    summary = ingest([str(pages)], db, stages=("decode", "clean"), workers=2, batch_size=1)
    assert summary.stored == 3 and len(summary.skipped) == 1  # the empty page is skipped
    calls = _calls(embed_calls)
    assert all(pid != os.getpid() for pid, _ in calls), "the store's writer embedded an article"
    assert len({pid for pid, _ in calls}) == 2 and sum(n for _, n in calls) == 3  # once per article
    # The store kept the workers' vectors: bit for bit what the store computes itself from the same
    # articles (records read back carry no vector, so a fresh store embeds each one in this process).
    again = Store(tmp_path / "again.db")
    for input_id, record in _records(db):
        again.add(input_id, input_id, Article.model_validate_json(record))
    again.close()
    assert len(_calls(embed_calls)) == len(calls) + 3
    assert _stories(tmp_path / "again.db") == _stories(db)
    assert all(len(vector) == embeddings.DIMENSION * 4 for _, vector in _stories(db).values())


def test_store_add_without_a_carried_embedding_computes_it_once(tmp_path: Path, embed_calls: Path) -> None:
    article = Article(title="Harbour bridge closed", text=" ".join(BRIDGE))
    store = Store(tmp_path / "news.db")
    store.add("bridge", "b", article)
    assert len(_calls(embed_calls)) == 1 and _calls(embed_calls)[0][0] == os.getpid()
    (size, vector), *_ = _stories(tmp_path / "news.db").values()
    expected = embeddings.load().embed([embeddings.lead_text(article)])[0]
    assert size == 1 and vector == expected.tobytes()
    store.close()


def test_a_carried_embedding_is_used_only_while_it_embeds_the_articles_title_and_lead(
    tmp_path: Path, embed_calls: Path
) -> None:
    carried = embeddings.carry(Article(title="Harbour bridge closed", text=" ".join(BRIDGE)))
    edited = embeddings.carry(Article(title="Festival returns", text=" ".join(BRIDGE[1:])))
    edited.title = "Harbour bridge shut"  # changed after it was embedded: its vector is stale
    before = len(_calls(embed_calls))
    store = Store(tmp_path / "news.db")
    store.add("carried", "c", carried)
    assert len(_calls(embed_calls)) == before
    store.add("edited", "e", edited)
    assert len(_calls(embed_calls)) == before + 1
    store.close()


def test_the_vector_survives_pickling_and_stays_out_of_the_json_record() -> None:
    pipeline = build_pipeline(("decode", "clean")).add(Embed())
    article = pipeline(RawDocument(id="bridge.txt", data=" ".join(BRIDGE), input_kind="text"))
    assert article.embedding is not None and article.embedding[0] == embeddings.lead_text(article)
    returned = pickle.loads(pickle.dumps(article))  # how a pool worker sends its results back
    assert returned.embedding is not None
    assert np.array_equal(returned.embedding[1], article.embedding[1])
    record = article.model_dump_json()
    assert "embedding" not in json.loads(record) and "embedding" not in record
    assert json.loads(record) == json.loads(Article.model_validate_json(record).model_dump_json())


def test_the_workers_signature_is_the_stores_and_is_used_only_while_it_signs_the_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pipeline = build_pipeline(("decode", "clean")).add(Embed())
    article = pipeline(RawDocument(id="bridge.txt", data=" ".join(BRIDGE), input_kind="text"))
    assert article.signature is not None and article.signature[0] == article.text
    returned = pickle.loads(pickle.dumps(article))
    assert returned.signature is not None
    assert np.array_equal(returned.signature[1], neardup.signature(article.text))
    assert "signature" not in json.loads(article.model_dump_json())
    signed: list[str] = []
    real = neardup.signature
    monkeypatch.setattr(neardup, "signature", lambda text, *a: signed.append(text) or real(text, *a))
    assert np.array_equal(signature_of(returned), real(article.text)) and signed == []
    returned.text = returned.text[: len(returned.text) // 2]  # edited after it was signed: stale
    assert np.array_equal(signature_of(returned), real(returned.text)) and signed == [returned.text]
