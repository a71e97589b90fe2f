"""`newsdistill train attribution --model accurate` end to end on a tiny slice: train, resume, export, run.

Needs the [train] extra (torch, transformers): `make test-train` installs it and runs these tests.
Under `make test` they skip, because the shipped model runs on onnxruntime alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .onnx_graph import no_nan_checks

pytest.importorskip("torch", reason="the [train] extra is not installed: run `make test-train`")
pytestmark = pytest.mark.train

POLNEAR = Path(__file__).resolve().parents[3] / "shared" / "data" / "polnear"


def train(work: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "newsdistill.cli", "train", "attribution", "--model", "accurate"]
    command += ["--data", str(POLNEAR), "--work", str(work), "--out", str(out), "--limit", "3"]
    command += ["--epochs", "1", "--batch-size", "4", *extra]
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false"}
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)


@pytest.mark.skipif(not POLNEAR.is_dir(), reason="../shared/data/polnear is absent")
def test_train_resume_export_and_run(tmp_path: Path) -> None:
    from newsdistill.attribution.tagger import Tagger

    work, out = tmp_path / "work", tmp_path / "model"
    first = train(work, out, "--max-steps", "2")
    assert first.returncode == 0, first.stderr
    assert (work / "checkpoint.pt").exists() and not (work / "history.json").exists()
    second = train(work, out)  # picks up at step 2 and finishes the epoch
    assert second.returncode == 0, second.stderr
    assert "resumed at epoch 1, step 2" in second.stderr
    history = json.loads((work / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1]
    assert set(history[0]["dev_exact_f1"]) == {"Source", "Cue", "Content"}
    assert (out / "model.onnx").stat().st_size < 30_000_000
    assert no_nan_checks(out / "model.onnx")  # eager attention, as export() asks
    spans = Tagger(out).tag("The senator said on Tuesday that the bill would pass.")
    assert all(role in {"Source", "Cue", "Content"} for role, _, _ in spans)


def test_missing_data_is_one_line(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "newsdistill.cli", "train", "attribution", "--model", "accurate"]
    result = subprocess.run(
        [*command, "--data", str(tmp_path), "--work", str(tmp_path / "w")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2
    assert "no PolNeAR train split" in result.stderr and "Traceback" not in result.stderr


def test_crf_loss_is_the_exact_negative_log_likelihood() -> None:
    """Against every label path enumerated by hand, on windows of different lengths."""
    import itertools

    import torch

    from newsdistill.attribution.tagger_training import IGNORE, crf_loss

    torch.manual_seed(0)
    logits, transitions = torch.randn(2, 5, 7), torch.randn(7, 7)
    labels = torch.tensor([[IGNORE, 1, 2, 0, IGNORE], [IGNORE, 3, 4, IGNORE, IGNORE]])

    def nll(emissions: torch.Tensor, gold: list[int]) -> torch.Tensor:
        def score(path: tuple[int, ...] | list[int]) -> torch.Tensor:
            emitted = sum(emissions[i, label] for i, label in enumerate(path))
            return emitted + sum(transitions[a, b] for a, b in itertools.pairwise(path))  # type: ignore[return-value]

        paths = itertools.product(range(7), repeat=len(gold))
        return torch.logsumexp(torch.stack([score(p) for p in paths]), 0) - score(gold)

    expected = (nll(logits[0, 1:4], [1, 2, 0]) + nll(logits[1, 1:3], [3, 4])) / 2
    assert torch.isclose(crf_loss(logits, labels, transitions), expected, atol=1e-4)


@pytest.mark.skipif(not POLNEAR.is_dir(), reason="../shared/data/polnear is absent")
def test_a_crf_model_ships_its_transitions(tmp_path: Path) -> None:
    from newsdistill.attribution.tagger import LABELS, Tagger

    work, out = tmp_path / "work", tmp_path / "model"
    result = train(work, out, "--crf", "--max-steps", "3", "--device", "cpu")
    assert result.returncode == 0, result.stderr
    result = train(work, out, "--crf", "--device", "cpu")
    assert result.returncode == 0, result.stderr
    assert (work / "epoch1-transitions.npy").exists()
    tagger = Tagger(out)
    assert tagger.transitions is not None and tagger.transitions.shape == (len(LABELS), len(LABELS))
    assert all(role in {"Source", "Cue", "Content"} for role, _, _ in tagger.tag("He said it would rain."))


@pytest.mark.skipif(not POLNEAR.is_dir(), reason="../shared/data/polnear is absent")
def test_a_model_with_token_shapes_and_its_own_window_exports_and_runs(tmp_path: Path) -> None:
    import onnxruntime

    from newsdistill.attribution.tagger import Tagger

    work, out = tmp_path / "work", tmp_path / "model"
    result = train(work, out, "--shapes", "--window", "128", "--device", "cpu")
    assert result.returncode == 0, result.stderr
    session = onnxruntime.InferenceSession(str(out / "model.onnx"))
    assert "shape_ids" in {i.name for i in session.get_inputs()}
    assert json.loads((out / "meta.json").read_text())["window"] == 128
    tagger = Tagger(out)
    assert tagger.windowing.shapes and tagger.windowing.size == 128 and tagger.windowing.stride == 64
    long_text = " ".join(["The senator said on Tuesday that the bill would pass."] * 60)  # many windows
    spans = tagger.tag(long_text)
    assert all(long_text[s:e].strip() and role in {"Source", "Cue", "Content"} for role, s, e in spans)


def test_asking_for_a_gpu_where_there_is_none_is_one_line(tmp_path: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    command = [sys.executable, "-m", "newsdistill.cli", "train", "attribution", "--model", "accurate"]
    result = subprocess.run(
        [*command, "--data", str(POLNEAR), "--work", str(tmp_path / "w"), "--device", "cuda", "--limit", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2
    assert "no CUDA GPU" in result.stderr and "Traceback" not in result.stderr


def test_the_distilled_loss_is_cross_entropy_plus_the_teachers_kl() -> None:
    import torch

    from newsdistill.attribution.tagger_distillation import distilled_loss
    from newsdistill.attribution.tagger_training import IGNORE

    torch.manual_seed(0)
    logits = torch.randn(1, 4, 7)
    labels = torch.tensor([[IGNORE, 1, 2, IGNORE]])
    soft = torch.zeros(1, 4, 7)
    soft[0, 1:3] = torch.softmax(torch.randn(2, 7), dim=-1)  # [CLS] and [SEP] rows stay zero
    hard = torch.nn.functional.cross_entropy(logits[0, 1:3], labels[0, 1:3])
    assert torch.isclose(distilled_loss(logits, labels, soft, 0.0, 2.0), hard)
    # a student that already says what the teachers say (at the temperature) owes them nothing
    same = torch.log(soft.clamp(min=1e-12)) * 2.0
    assert distilled_loss(same, torch.full_like(labels, IGNORE), soft, 1.0, 2.0).abs() < 1e-4
    assert distilled_loss(logits, torch.full_like(labels, IGNORE), soft, 1.0, 2.0) > 0.01
    assert torch.isfinite(distilled_loss(logits, torch.full_like(labels, IGNORE), soft, 0.5, 1.0))


@pytest.mark.skipif(not POLNEAR.is_dir(), reason="../shared/data/polnear is absent")
def test_a_student_learns_from_teachers_and_unlabelled_articles(tmp_path: Path) -> None:
    from newsdistill.attribution.tagger import Tagger

    teacher = tmp_path / "teacher"
    result = train(teacher, tmp_path / "teacher-model", "--device", "cpu")
    assert result.returncode == 0, result.stderr
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text('"We will win," the mayor told reporters on Monday.\n\nShe left.')
    student, out = tmp_path / "student", tmp_path / "student-model"
    extra = ["--teachers", str(teacher / "epoch1.pt"), "--unlabelled", str(news), "--device", "cpu"]
    result = train(student, out, *extra)
    assert result.returncode == 0, result.stderr
    assert "1 unlabelled windows" in result.stderr
    assert (student / "soft-targets.pt").exists()  # the teachers' outputs, kept for a resumed run
    onnx_taught = train(tmp_path / "s2", tmp_path / "s2-model", "--teachers", str(tmp_path / "teacher-model"))
    assert onnx_taught.returncode == 0, onnx_taught.stderr  # a teacher as shipped: an ONNX model folder
    assert all(r in {"Source", "Cue", "Content"} for r, _, _ in Tagger(out).tag("He said it would rain."))
    lonely = train(tmp_path / "w", out, "--unlabelled", str(news))
    assert lonely.returncode == 2 and "needs --teachers" in lonely.stderr
    with_crf = train(tmp_path / "w", out, "--teachers", str(teacher / "epoch1.pt"), "--crf")
    assert with_crf.returncode == 2 and "--crf cannot" in with_crf.stderr


@pytest.mark.skipif(not POLNEAR.is_dir(), reason="../shared/data/polnear is absent")
def test_a_model_that_reads_the_parse_learns_from_it_exports_and_runs_on_a_doc(tmp_path: Path) -> None:
    import numpy as np
    import torch

    from newsdistill.attribution.tagger import Tagger
    from newsdistill.nlp import load_nlp

    work, out = tmp_path / "work", tmp_path / "model"
    result = train(work, out, "--syntax", "--device", "cpu")
    assert result.returncode == 0, result.stderr
    assert "texts parsed for --syntax" in result.stderr and (work / "parses.npz").exists()
    state = torch.load(work / "epoch1.pt")
    assert state["dep.weight"].abs().sum() > 0 and state["clause.weight"].abs().sum() > 0  # learned from 0
    assert json.loads((out / "meta.json").read_text())["syntax"] is True
    tagger = Tagger(out)
    assert tagger.windowing.syntax and tagger.windowing.shapes
    text = "The senator said on Tuesday that the bill would pass. Her aide disagreed."
    doc = load_nlp()(text)
    with_parse = tagger.logits(tagger_encoding(tagger, text, doc))
    without = tagger.logits(tagger_encoding(tagger, text, None))
    assert not np.allclose(with_parse, without)  # the parse reaches the exported model
    assert all(role in {"Source", "Cue", "Content"} for role, _, _ in tagger.tag(text, doc))
    # a student that reads the parse, taught by one that does not: that teacher sees its shapes alone
    plain = train(tmp_path / "plain", tmp_path / "plain-model", "--shapes", "--device", "cpu")
    assert plain.returncode == 0, plain.stderr
    taught = ["--syntax", "--teachers", str(tmp_path / "plain-model"), "--device", "cpu"]
    student = train(tmp_path / "s", tmp_path / "s-model", *taught)
    assert student.returncode == 0, student.stderr
    # and by a trained epoch that reads it, run by torch as it was trained
    taught = ["--syntax", "--teachers", str(work / "epoch1.pt"), "--device", "cpu"]
    student = train(tmp_path / "s2", tmp_path / "s2-model", *taught)
    assert student.returncode == 0, student.stderr


def tagger_encoding(tagger: Any, text: str, doc: Any) -> Any:
    from newsdistill.attribution.tagger import encode
    from newsdistill.attribution.tagger_syntax import token_syntax

    return encode(tagger.tokenizer, text, True, token_syntax(doc) if doc is not None else None)
