"""`newsdistill train story-encoder` end to end: the packaged encoder exported to int8 ONNX that agrees
with fp32; fine-tuned on events (ECB+'s layout) with a contrastive loss, resumed from its checkpoint, and
exported with how it was trained; one encoder per topic fold for the out-of-fold benchmark.

Needs the [train] extra (torch, transformers, the encoder wheel): `make test-train` runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from .onnx_graph import no_nan_checks

pytest.importorskip("torch", reason="the [train] extra is not installed: run `make test-train`")
pytestmark = pytest.mark.train

ENV = {**os.environ, "TOKENIZERS_PARALLELISM": "false"}
# Two topics of two events each, in ECB+'s docs.jsonl layout (tokenised quotation marks and all).
EVENTS = {
    (
        "1",
        "1_quake_chile",
    ): "A strong earthquake struck Chile on Tuesday , killing six people , officials said .",
    (
        "1",
        "1_quake_japan",
    ): "An earthquake of magnitude 7 shook northern Japan on Friday , `` cutting power '' .",
    ("2", "2_rehab_reid"): "Actress Tara Reid checked into a rehab centre in Malibu , her spokesman said .",
    ("2", "2_rehab_lohan"): "Lindsay Lohan entered rehab in California after a court order on Monday .",
}


def _events_file(folder: Path) -> Path:
    path = folder / "docs.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(3):  # three reports of each event, worded a little apart
            for (topic, event), text in EVENTS.items():
                line = {
                    "doc_id": f"{event}_{n}",
                    "topic": topic,
                    "subtopic": event,
                    "text": f"{text} Report {n} .",
                }
                out.write(json.dumps(line) + "\n")
    return path


def _train(*options: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "newsdistill.cli", "train", "story-encoder", *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=ENV)


def test_export_writes_a_small_int8_encoder_that_agrees_with_fp32(tmp_path: Path) -> None:
    from newsdistill.corpus import embeddings_export

    done = _train("--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    meta = json.loads((tmp_path / "meta.json").read_text(encoding="utf-8"))
    assert meta["int8_vs_fp32_min_cosine"] >= embeddings_export.MIN_INT8_COSINE
    assert "fine_tuned" not in meta  # without --data: the packaged encoder as it comes
    assert (tmp_path / "model.onnx").stat().st_size < 25 * 2**20
    assert no_nan_checks(tmp_path / "model.onnx")


def test_fine_tuning_resumes_exports_and_moves_the_embeddings(tmp_path: Path) -> None:
    from newsdistill.corpus import embeddings

    data, work = _events_file(tmp_path), tmp_path / "work"
    first = _train("--data", str(data), "--work", str(work), "--epochs", "1", "--out", str(tmp_path / "one"))
    assert first.returncode == 0, first.stderr
    assert "epoch 1:" in first.stdout and (work / "checkpoint.pt").exists()
    second = _train("--data", str(data), "--work", str(work), "--epochs", "2", "--out", str(tmp_path / "two"))
    assert second.returncode == 0, second.stderr
    assert "epoch 1:" not in second.stdout and "epoch 2:" in second.stdout  # resumed after epoch 1
    meta = json.loads((tmp_path / "two" / "meta.json").read_text(encoding="utf-8"))
    assert meta["fine_tuned"]["epochs"] == 2 and meta["fine_tuned"]["data"] == "docs.jsonl, 12 articles"
    texts = list(EVENTS.values())
    tuned, plain = (
        embeddings.Encoder(tmp_path / "two").embed(texts),
        embeddings.Encoder(tmp_path / "one").embed(texts),
    )
    assert np.min(np.sum(tuned * plain, axis=1)) < 0.9999  # the second epoch moved them


def test_a_checkpoint_of_other_settings_is_refused_in_one_line(tmp_path: Path) -> None:
    data, work = _events_file(tmp_path), tmp_path / "work"
    assert (
        _train(
            "--data", str(data), "--work", str(work), "--epochs", "1", "--out", str(tmp_path / "a")
        ).returncode
        == 0
    )
    done = _train("--data", str(data), "--work", str(work), "--seed", "3", "--out", str(tmp_path / "b"))
    assert done.returncode == 2 and "other settings" in done.stderr and "Traceback" not in done.stderr


def test_fold_encoders_hold_out_each_fold_of_topics(tmp_path: Path) -> None:
    data = _events_file(tmp_path)
    folds = tmp_path / "folds"
    done = _train(
        "--data",
        str(data),
        "--work",
        str(tmp_path / "work"),
        "--epochs",
        "1",
        "--out",
        str(tmp_path / "all"),
        "--fold-models",
        str(folds),
    )
    assert done.returncode == 0, done.stderr
    held = [
        json.loads((folds / f"fold-{k}" / "meta.json").read_text())["fine_tuned"]["held_out_topics"]
        for k in range(5)
    ]
    assert held == [["1"], ["2"], [], [], []]  # two topics over five folds


def test_the_contrastive_loss_is_low_for_separated_events_and_high_for_mixed_ones() -> None:
    import torch

    from newsdistill.corpus.encoder_training import contrastive_loss

    a, b = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    separated = torch.stack([a, a, b, b])
    mixed = torch.stack([a, b, a, b])
    events = ["x", "x", "y", "y"]
    low, high = contrastive_loss(separated, events, 0.1), contrastive_loss(mixed, events, 0.1)
    assert float(low) < 0.01 and float(high) > 5.0
    # an article alone with its event has no positive: it adds nothing
    assert float(contrastive_loss(torch.stack([a, a, b]), ["x", "x", "z"], 0.1)) == pytest.approx(
        float(low) * 1, abs=0.01
    )
