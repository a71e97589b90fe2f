"""Teaching one tagger what several agree on (knowledge distillation from an ensemble).

Taggers trained from the same encoder with different seeds disagree at the edges of spans; the average
of their predictions is right more often than any one of them. Running them all at inference would
multiply its cost, so a student of the same size learns from the gold labels and from the teachers'
averaged, softened predictions at once, also on news articles nobody labelled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .tagger import SHAPES
from .tagger_torch import IGNORE, Parses, Window, batches, has_shapes, has_syntax, load_model, text_windows


def unlabelled_windows(
    folder: Path, tokenizer: Any, size: int, limit: int | None = None, parses: Parses | None = None
) -> list[Window]:
    """(token ids, IGNORE labels, shape ids) per window of each .txt article under `folder`; with
    `parses`, the shape ids carry the parse too."""
    paths = sorted(folder.glob("*.txt"))[:limit]
    if not paths:
        raise FileNotFoundError(f"no .txt articles under {folder} (the --unlabelled folder)")
    texts = [(path.read_text(encoding="utf-8", errors="replace"), None) for path in paths]
    return text_windows(texts, tokenizer, size, parses)


def teacher_probabilities(
    teachers: tuple[Path, ...], encoder: Path, items: list[Any], device: Any, temperature: float
) -> list[Any]:
    """Per window, the teachers' softmax(logits / temperature) averaged, in half precision on the CPU;
    zero rows at [CLS] and [SEP]. A teacher is a trained epoch (epoch<N>.pt, run by torch) or a model
    folder as `train` exports it (model.onnx with its meta.json, run by onnxruntime: the shipped model)."""
    import torch

    total: list[Any] = [None] * len(items)
    for path in teachers:
        run = _onnx_teacher(path) if path.is_dir() else _torch_teacher(path, encoder, device)
        for first in range(0, len(items), 64):
            chosen = list(range(first, min(first + 64, len(items))))
            probabilities = torch.softmax(run(items, chosen) / temperature, dim=-1)
            for row, i in enumerate(chosen):
                part = probabilities[row, : len(items[i][0])] / len(teachers)
                part[0] = part[-1] = 0  # [CLS] and [SEP]: no label to teach
                total[i] = part if total[i] is None else total[i] + part
    return [t.half() for t in total]


Run = Any  # (items, chosen indices) -> float logits tensor (batch, tokens, labels) on the CPU


def _torch_teacher(path: Path, encoder: Path, device: Any) -> Run:
    import torch

    state = torch.load(path, map_location="cpu")
    model = load_model(encoder, has_shapes(state), syntax=has_syntax(state))
    model.load_state_dict(state)
    model.to(device).eval()

    def run(items: list[Any], chosen: list[int]) -> Any:
        batch = _shaped_for(next(batches(items, len(chosen), chosen, has_shapes(state))), has_syntax(state))
        batch.pop("labels")
        with torch.no_grad():
            return model(**{k: v.to(device) for k, v in batch.items()}).logits.float().cpu()

    return run


def _onnx_teacher(folder: Path) -> Run:
    import torch

    from .tagger import Tagger

    tagger = Tagger(folder)

    def run(items: list[Any], chosen: list[int]) -> Any:
        batch = next(batches(items, len(chosen), chosen, tagger.windowing.shapes))
        batch = _shaped_for(batch, tagger.windowing.syntax)
        inputs = {k: v.numpy() for k, v in batch.items() if k != "labels"}
        inputs["token_type_ids"] = inputs["input_ids"] * 0
        return torch.from_numpy(tagger.session.run(["logits"], inputs)[0]).float()

    return run


def _shaped_for(batch: dict[str, Any], syntax: bool) -> dict[str, Any]:
    """The batch as a teacher reads it: one trained without the parse gets the shapes alone."""
    if "shape_ids" in batch and not syntax:
        batch["shape_ids"] = batch["shape_ids"] % SHAPES
    return batch


def cached_probabilities(
    cache: Path, teachers: tuple[Path, ...], encoder: Path, items: list[Any], device: Any, temperature: float
) -> list[Any]:
    """teacher_probabilities, kept in `cache` (a work folder's soft-targets.pt) and read back while the
    teachers' names, the temperature and the windows are the same: a resumed run, or a GPU run given
    targets that a CPU worked out from the shipped ONNX models, does not run the teachers again."""
    import torch

    key = {
        "teachers": [f"{p.parent.name}/{p.name}" for p in teachers],
        "temperature": temperature,
        "lengths": [len(item[0]) for item in items],
    }
    if cache.exists():
        kept = torch.load(cache, map_location="cpu")
        if kept["key"] == key:
            return list(kept["probabilities"])
    probabilities = teacher_probabilities(teachers, encoder, items, device, temperature)
    torch.save({"key": key, "probabilities": probabilities}, cache)
    return probabilities


def distilled_loss(logits: Any, labels: Any, soft: Any, weight: float, temperature: float) -> Any:
    """(1 - weight) x cross-entropy with the gold labels, where there are any, plus weight x the
    KL divergence from the teachers' softened distribution (scaled by temperature², so its gradients
    keep their size), over every token with a soft target."""
    import torch

    flat = logits.reshape(-1, logits.shape[-1])
    gold = labels.reshape(-1)
    labelled = (gold != IGNORE).sum()
    hard = torch.nn.functional.cross_entropy(flat, gold, ignore_index=IGNORE, reduction="sum")
    hard = hard / labelled.clamp(min=1)
    target = soft.reshape(-1, soft.shape[-1])
    taught = target.sum(-1) > 0.5  # [CLS], [SEP] and padding rows are all zero
    student = torch.log_softmax(flat / temperature, dim=-1)
    kl = (target * (torch.log(target.clamp(min=1e-8)) - student)).sum(-1)
    kl = (kl * taught).sum() / taught.sum().clamp(min=1) * temperature**2
    return (1 - weight) * hard + weight * kl
