"""`newsdistill train story-encoder --data ECB+`: the packaged sentence encoder fine-tuned to tell one news
event from another, so that a story's embedding feature separates reports of two similar events.

Off the shelf, all-MiniLM-L6-v2 embeds by topic: two earthquakes, or two rehab check-ins of two actresses,
sit as close as two reports of one of them, and the story model then merges the events of a topic. ECB+
holds exactly that case: each topic has two events of the same kind. The encoder is trained with a
supervised contrastive loss (each article's positives are the other reports of its event; every other
article in the batch is a negative) on batches drawn a few topics at a time, so that a topic's other event
is always among the negatives. Measured by cross-validation over topics in `benchmarks/story_folds.py`.

Needs the `[train]` extra (torch, transformers, the encoder wheel). Seeded; an epoch's checkpoint in the
work folder lets an interrupted run resume where it stopped.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..model import Article
from .embeddings import MAX_TOKENS, lead_text

CHECKPOINT = "checkpoint.pt"
TOPIC_FOLDS = 5  # benchmarks/story_folds.py's cross-validation over ECB+ topics


@dataclass(frozen=True)
class EventText:
    """An article's title and lead, its event, and the group (topic) whose other events are hard negatives."""

    text: str
    event: str
    group: str


@dataclass(frozen=True)
class FineTuneConfig:
    epochs: int = 4
    learning_rate: float = 2e-5
    temperature: float = 0.05  # of the contrastive softmax over cosine similarities
    groups_per_batch: int = 4
    per_group: int = 8  # articles drawn from each group: both of a topic's events, most of the time
    seed: int = 0
    threads: int = 2
    device: str = "auto"  # auto: a CUDA GPU when torch sees one


def read_ecbplus(path: Path) -> list[EventText]:
    """ECB+ documents (`docs.jsonl`: topic, subtopic = the event, text) as the store would embed them."""
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    return [
        EventText(lead_text(Article(text=ecbplus_text(r["text"]))), r["subtopic"], str(r["topic"]))
        for r in rows
    ]


def ecbplus_text(raw: str) -> str:
    """ECB+'s tokenised quotation marks written as a news text has them."""
    return raw.replace("`` ", '"').replace(" ''", '"')


def held_out_groups(groups: Sequence[str], folds: int) -> list[set[str]]:
    """The groups each of `folds` folds holds out: every `folds`-th of them in order (numbers by value)."""
    ordered = sorted(set(groups), key=group_order)
    return [set(ordered[k::folds]) for k in range(folds)]


def group_order(group: str) -> tuple[bool, int, str]:
    return not group.isdigit(), int(group) if group.isdigit() else 0, group


def batches(
    texts: Sequence[EventText], rng: random.Random, config: FineTuneConfig
) -> Iterator[list[EventText]]:
    """An epoch's batches: each a few groups, a few of each group's articles (as many batches as the
    articles fill)."""
    by_group: dict[str, list[EventText]] = {}
    for text in texts:
        by_group.setdefault(text.group, []).append(text)
    groups = sorted(by_group)
    for _ in range(max(1, len(texts) // (config.groups_per_batch * config.per_group))):
        batch: list[EventText] = []
        for group in rng.sample(groups, min(config.groups_per_batch, len(groups))):
            batch += rng.sample(by_group[group], min(config.per_group, len(by_group[group])))
        yield batch


def contrastive_loss(embeddings: Any, events: Sequence[str], temperature: float) -> Any:
    """Supervised contrastive loss (Khosla et al. 2020) over unit vectors: for each article with another
    report of its event in the batch, the mean log-probability of those reports among all the others."""
    import torch

    n = len(events)
    itself = torch.eye(n, dtype=torch.bool, device=embeddings.device)
    similarity = (embeddings @ embeddings.T / temperature).masked_fill(itself, -1e9)
    log_p = similarity - torch.logsumexp(similarity, dim=1, keepdim=True)
    ids = {event: i for i, event in enumerate(sorted(set(events)))}
    labels = torch.tensor([ids[e] for e in events], device=embeddings.device)
    positive = (labels[:, None] == labels[None, :]) & ~itself
    has = positive.any(dim=1)
    return (-(log_p * positive).sum(dim=1)[has] / positive.sum(dim=1)[has]).mean()


def fine_tune(
    texts: Sequence[EventText],
    work: Path,
    encoder: Path,
    config: FineTuneConfig = FineTuneConfig(),
    log: Callable[[str], None] = print,
) -> Path:
    """Train, checkpointing each epoch in `work`; returns `work/model`, a transformers folder with the
    encoder's tokenizer (resuming from a checkpoint made with the same settings)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(config.threads)
    device = _device(config.device)
    tokenizer = AutoTokenizer.from_pretrained(str(encoder))
    model = AutoModel.from_pretrained(str(encoder)).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=0.01)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    done = _resume(work, config, model, optimizer, rng)
    model.train()
    for epoch in range(done + 1, config.epochs + 1):
        losses = [
            _step(model, tokenizer, optimizer, batch, config, device) for batch in batches(texts, rng, config)
        ]
        _checkpoint(work, config, epoch, model, optimizer, rng)
        log(f"epoch {epoch}: loss {sum(losses) / len(losses):.4f} ({len(losses)} batches)")
    return _save(work, model, encoder)


def _step(
    model: Any, tokenizer: Any, optimizer: Any, batch: list[EventText], config: FineTuneConfig, device: Any
) -> float:
    inputs = tokenizer(
        [t.text for t in batch], truncation=True, max_length=MAX_TOKENS, padding=True, return_tensors="pt"
    ).to(device)
    loss = contrastive_loss(mean_pooled(model, inputs), [t.event for t in batch], config.temperature)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return float(loss.item())


def mean_pooled(model: Any, inputs: Any) -> Any:
    """Token states averaged over the real tokens, to unit length: what the exported model computes."""
    import torch

    states = model(**inputs).last_hidden_state
    mask = inputs["attention_mask"].unsqueeze(-1).to(states.dtype)
    mean = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(mean, p=2.0, dim=1)


def _device(choice: str) -> Any:
    import torch

    if choice == "auto":
        choice = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(choice)


def _resume(work: Path, config: FineTuneConfig, model: Any, optimizer: Any, rng: random.Random) -> int:
    """The epochs already done by an earlier run with these settings (0 when none)."""
    import torch

    path = work / CHECKPOINT
    if not path.exists():
        return 0
    state = torch.load(path, map_location="cpu", weights_only=False)
    if _what_trains(state["config"]) != _what_trains(asdict(config)):
        raise ValueError(f"{path} was made with other settings; use another --work folder or remove it")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    rng.setstate(state["rng"])
    torch.set_rng_state(state["torch_rng"])
    return int(state["epoch"])


def _what_trains(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings a resumed run must share with the checkpoint: more epochs (a constant learning rate),
    other threads or another device may go on from it."""
    return {k: v for k, v in settings.items() if k not in {"epochs", "threads", "device"}}


def _checkpoint(
    work: Path, config: FineTuneConfig, epoch: int, model: Any, optimizer: Any, rng: random.Random
) -> None:
    import torch

    work.mkdir(parents=True, exist_ok=True)
    state = {"config": asdict(config), "epoch": epoch, "model": model.state_dict()}
    state |= {"optimizer": optimizer.state_dict(), "rng": rng.getstate(), "torch_rng": torch.get_rng_state()}
    torch.save(state, work / f"{CHECKPOINT}.tmp")
    (work / f"{CHECKPOINT}.tmp").replace(work / CHECKPOINT)  # a run killed mid-write keeps the last whole one


def _save(work: Path, model: Any, encoder: Path) -> Path:
    out = work / "model"
    model.to("cpu").save_pretrained(str(out))
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        if (encoder / name).exists():
            shutil.copyfile(encoder / name, out / name)
    return out
