"""The tagger as torch sees it while training: gold labels per token, windows, padded batches, the model.

Shared by the trainer (tagger_training) and the teachers of a distilled student (tagger_distillation);
imports torch and transformers only inside functions, so importing this module needs neither.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .polnear import ROLES, GoldArticle
from .tagger import LABELS, SHAPES, WINDOW, encode, windows
from .tagger_syntax import CLAUSE_IDS, DEP_LABELS, ParseCache

Parses = ParseCache  # the texts' parses, for models trained with --syntax

TRAIN_OVERLAP = 0.25  # training windows overlap less than inference ones: the same text costs fewer steps
IGNORE = -100  # torch's cross-entropy skips this label ([CLS], [SEP], padding)


def token_labels(article: GoldArticle, offsets: list[tuple[int, int]]) -> list[int]:
    """One label id per token: the role of its first character, B- where a gold fragment starts."""
    role_at: dict[int, tuple[str, int]] = {}
    fragment = 0
    for gold in article.attributions:
        for role in ROLES:
            for start, end in getattr(gold, role.lower()):
                fragment += 1
                for i in range(start, end):
                    role_at[i] = (role, fragment)
    labels, previous = [], None
    for start, _ in offsets:
        here = role_at.get(start)
        if here is None:
            labels.append(0)
        else:
            prefix = "I-" if previous is not None and previous == here else "B-"
            labels.append(LABELS.index(prefix + here[0]))
        previous = here
    return labels


Window = tuple[list[int], list[int], list[int]]  # token ids, label ids, shape ids


def training_windows(
    articles: list[GoldArticle], tokenizer: Any, size: int = WINDOW, parses: Parses | None = None
) -> list[Window]:
    """(token ids, label ids, shape ids) per window of `size` of each gold article (text_windows)."""
    return text_windows(
        [(a.text, lambda offsets, a=a: token_labels(a, offsets)) for a in articles], tokenizer, size, parses
    )


def text_windows(
    texts: list[tuple[str, Any]], tokenizer: Any, size: int = WINDOW, parses: Parses | None = None
) -> list[Window]:
    """(token ids, label ids, shape ids) per window of `size` of each text, [CLS] and [SEP] included,
    labelled IGNORE and shaped 'special' (0). Each text comes with its labeller (token offsets -> a label
    id per token), or None: a text nobody labelled (all IGNORE). With `parses`, the shape ids carry each
    token's syntax id too."""
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    stride = int((size - 2) * (1 - TRAIN_OVERLAP))
    result = []
    if parses is not None:
        parses.prepare(text for text, _ in texts)  # one batch through spaCy for whatever is not kept yet
    for text, labeller in texts:
        syntax = parses(text) if parses is not None else None
        encoding = encode(tokenizer, text, shapes=True, syntax=syntax)  # once per run: kept for either model
        labels = labeller(encoding.offsets) if labeller else [IGNORE] * len(encoding.ids)
        for start, end in windows(len(encoding.ids), size - 2, stride):
            ids = [cls, *encoding.ids[start:end], sep]
            result.append((ids, [IGNORE, *labels[start:end], IGNORE], [0, *encoding.shapes[start:end], 0]))
    return result


def batches(
    items: list[Window], size: int, order: list[int], shapes: bool = False, soft: list[Any] | None = None
) -> Iterator[dict[str, Any]]:
    """Padded batches in `order`; with `soft` (one tensor of teacher probabilities per item), their
    `soft` targets too, zero on padding."""
    import torch

    for first in range(0, len(order), size):
        picked = order[first : first + size]
        chosen = [items[i] for i in picked]
        width = max(len(ids) for ids, _, _ in chosen)
        input_ids = torch.zeros((len(chosen), width), dtype=torch.long)
        labels = torch.full((len(chosen), width), IGNORE, dtype=torch.long)
        shape_ids = torch.zeros((len(chosen), width), dtype=torch.long)
        for row, (ids, tags, kinds) in enumerate(chosen):
            input_ids[row, : len(ids)] = torch.tensor(ids)
            labels[row, : len(tags)] = torch.tensor(tags)
            shape_ids[row, : len(kinds)] = torch.tensor(kinds)
        batch = {"input_ids": input_ids, "attention_mask": (input_ids != 0).long(), "labels": labels}
        if soft is not None:
            batch["soft"] = torch.zeros((len(chosen), width, len(LABELS)))
            for row, i in enumerate(picked):
                batch["soft"][row, : len(soft[i])] = soft[i].float()
        yield {**batch, "shape_ids": shape_ids} if shapes else batch


def load_model(encoder: Path, shapes: bool = False, attention: str = "sdpa", syntax: bool = False) -> Any:
    """The encoder with a token-classification head; with `shapes`, wrapped to take shape ids too, and
    with `syntax` to read the parse's ids they carry (tagger_syntax).
    `attention="eager"` for export: torch's fused attention exports as a full-size mask select and NaN
    check per layer that took a quarter of the int8 model's time in onnxruntime; eager adds the mask."""
    from transformers import AutoModelForTokenClassification

    model = AutoModelForTokenClassification.from_pretrained(
        str(encoder),
        attn_implementation=attention,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    ).float()  # an encoder stored in half precision still trains in fp32
    return _with_shapes(model, syntax) if shapes or syntax else model


def has_shapes(state: dict[str, Any]) -> bool:
    """Whether a saved state dict is of a model that takes shape ids."""
    return "shape.weight" in state


def has_syntax(state: dict[str, Any]) -> bool:
    """Whether a saved state dict is of a model that reads the parse in its shape ids."""
    return "dep.weight" in state


def _zero_embedding(rows: int, width: int) -> Any:
    import torch

    table = torch.nn.Embedding(rows, width)
    torch.nn.init.zeros_(table.weight)
    return table


def _split_ids(shape_ids: Any) -> tuple[Any, Any, Any]:
    """Shape, dependency-label and clause ids out of the ids `tagger.encode` composed (shape + SHAPES x
    syntax id; tagger_syntax.syntax_id)."""
    import torch

    parse = torch.div(shape_ids, SHAPES, rounding_mode="floor")
    dep = torch.remainder(parse, len(DEP_LABELS))
    clause = torch.div(parse, len(DEP_LABELS), rounding_mode="floor")
    return torch.remainder(shape_ids, SHAPES), dep, clause


def _with_shapes(inner: Any, syntax: bool = False) -> Any:
    """The tagger with a shape embedding (and with `syntax` dependency-label and clause embeddings) added to
    each token's word embedding; zero at the start, so training learns only what they add to the encoder."""
    import torch

    width = inner.config.hidden_size

    class ShapedTagger(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = inner
            self.shape = _zero_embedding(SHAPES, width)
            if syntax:
                self.dep = _zero_embedding(len(DEP_LABELS), width)
                self.clause = _zero_embedding(CLAUSE_IDS, width)

        def added(self, shape_ids: Any) -> Any:
            if not syntax:
                return self.shape(shape_ids)
            shape, dep, clause = _split_ids(shape_ids)
            return self.shape(shape) + self.dep(dep) + self.clause(clause)

        def forward(
            self,
            input_ids: Any,
            attention_mask: Any,
            shape_ids: Any,
            token_type_ids: Any = None,
            labels: Any = None,
        ) -> Any:
            words = self.inner.get_input_embeddings()(input_ids)
            return self.inner(
                inputs_embeds=words + self.added(shape_ids),
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
                labels=labels,
            )

    return ShapedTagger()
