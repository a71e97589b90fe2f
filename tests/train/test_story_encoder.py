"""`newsdistill train story-encoder` end to end: the packaged encoder exported to int8 ONNX that agrees
with fp32, and embeds as the shipped files do.

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


def test_export_writes_a_small_int8_encoder_that_agrees_with_fp32(tmp_path: Path) -> None:
    from newsdistill.corpus import embeddings, embeddings_export

    command = [sys.executable, "-m", "newsdistill.cli", "train", "story-encoder", "--out", str(tmp_path)]
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    meta = json.loads((tmp_path / "meta.json").read_text(encoding="utf-8"))
    assert meta["int8_vs_fp32_min_cosine"] >= embeddings_export.MIN_INT8_COSINE
    assert (tmp_path / "model.onnx").stat().st_size < 25 * 2**20
    texts = list(embeddings_export.CHECK_TEXTS)
    built, shipped = embeddings.Encoder(tmp_path).embed(texts), embeddings.load().embed(texts)
    assert np.min(np.sum(built * shipped, axis=1)) > 0.999
    assert no_nan_checks(tmp_path / "model.onnx")
