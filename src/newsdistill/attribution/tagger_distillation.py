"""Teaching one tagger what several agree on (knowledge distillation from an ensemble).

Taggers trained from the same encoder with different seeds disagree at the edges of spans; the average
of their predictions is right more often than any one of them. Running them all at inference would
multiply its cost, so a student of the same size learns from the gold labels and from the teachers'
averaged, softened predictions at once, also on news articles nobody labelled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .tagger import encode, windows
from .tagger_torch import IGNORE, TRAIN_OVERLAP, batches, has_shapes, load_model


def unlabelled_windows(
    folder: Path, tokenizer: Any, size: int, limit: int | None = None
) -> list[tuple[list[int], list[int], list[int]]]:
    """(token ids, IGNORE labels, shape ids) per window of each .txt article under `folder`."""
    paths = sorted(folder.glob("*.txt"))[:limit]
    if not paths:
        raise FileNotFoundError(f"no .txt articles under {folder} (the --unlabelled folder)")
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    stride = int((size - 2) * (1 - TRAIN_OVERLAP))
    result = []
    for path in paths:
        encoding = encode(tokenizer, path.read_text(encoding="utf-8", errors="replace"), shapes=True)
        for start, end in windows(len(encoding.ids), size - 2, stride):
            ids = [cls, *encoding.ids[start:end], sep]
            result.append((ids, [IGNORE] * len(ids), [0, *encoding.shapes[start:end], 0]))
    return result


def teacher_probabilities(
    teachers: tuple[Path, ...], encoder: Path, items: list[Any], device: Any, temperature: float
) -> list[Any]:
    """Per window, the teachers' softmax(logits / temperature) averaged, in half precision on the CPU;
    zero rows at [CLS] and [SEP]."""
    import torch

    total: list[Any] = [None] * len(items)
    order = list(range(len(items)))
    for path in teachers:
        state = torch.load(path, map_location="cpu")
        model = load_model(encoder, has_shapes(state))
        model.load_state_dict(state)
        model.to(device).eval()
        for first, batch in zip(
            range(0, len(order), 64), batches(items, 64, order, has_shapes(state)), strict=True
        ):
            batch.pop("labels")
            with torch.no_grad():
                logits = model(**{k: v.to(device) for k, v in batch.items()}).logits.float()
            probabilities = torch.softmax(logits / temperature, dim=-1).cpu()
            for row, i in enumerate(order[first : first + 64]):
                part = probabilities[row, : len(items[i][0])] / len(teachers)
                part[0] = part[-1] = 0  # [CLS] and [SEP]: no label to teach
                total[i] = part if total[i] is None else total[i] + part
        del model
    return [t.half() for t in total]


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
