"""The `accurate` attribution model at run time: a transformer token tagger in ONNX (no torch).

A fine-tuned MiniLM encoder labels every sub-word token O / B-X / I-X for X in source, cue, content.
Long articles go through in overlapping windows whose logits are averaged; the labels are decoded
by a Viterbi pass that forbids an I-X without a B-X before it, and spans are widened to whole words.
`newsdistill train attribution --model accurate` builds the files this module reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .. import onnx_models
from ..errors import ModelFileError
from .tagger_syntax import TokenSyntax, piece_syntax, token_syntax

MODEL_DIR = Path(__file__).resolve().parent / "models" / "accurate"
LABELS = ("O", "B-Source", "I-Source", "B-Cue", "I-Cue", "B-Content", "I-Content")
WINDOW = 256  # tokens per window, [CLS] and [SEP] included
STRIDE = 128  # windows overlap by half, so every token is seen away from an edge
REBUILD = "newsdistill train attribution --model accurate --data ../shared/data/polnear"

Span = tuple[str, int, int]


# Token shapes: what the uncased encoder cannot see. Its tokenizer lowercases every word and drops line
# breaks, yet a capital marks a name (a source) and a paragraph break ends a quotation.
SHAPE_CLASSES = ("special", "lower", "capitalised", "upper", "digit", "quote", "punct", "word-piece")
SHAPES = 2 * len(SHAPE_CLASSES)  # each class after a line break or not
_QUOTE_MARKS = set("\"'‘’“”«»")


@dataclass
class Encoding:
    ids: list[int]
    offsets: list[tuple[int, int]]  # character offsets into the text, one pair per token
    shapes: list[int] = field(default_factory=list)  # one of SHAPES per token (models trained with them)


def load_tokenizer(model_dir: Path = MODEL_DIR) -> Any:
    tokenizer = onnx_models.load_tokenizer(model_dir / "tokenizer.json", REBUILD)
    tokenizer.no_truncation()  # the encoder's file cuts at 128 tokens; articles are windowed instead
    tokenizer.no_padding()
    return tokenizer


def encode(tokenizer: Any, text: str, shapes: bool = False, syntax: TokenSyntax | None = None) -> Encoding:
    """The text's tokens; with `shapes`, their shapes too (only a model trained with them reads them), and
    with `syntax` (a parse of the text) each shape id also carries its token's syntax id
    (shape + SHAPES x syntax; tagger_syntax)."""
    encoded = tokenizer.encode(text, add_special_tokens=False)
    pairs = [(int(s), int(e)) for s, e in encoded.offsets]
    kinds = token_shapes(text, pairs) if shapes else []
    if shapes and syntax is not None:
        kinds = [
            shape + SHAPES * parse for shape, parse in zip(kinds, piece_syntax(syntax, pairs), strict=True)
        ]
    return Encoding(ids=list(encoded.ids), offsets=pairs, shapes=kinds)


def token_shapes(text: str, offsets: list[tuple[int, int]]) -> list[int]:
    """Each token's shape id: its case or kind (SHAPE_CLASSES), plus len(SHAPE_CLASSES) where a line
    break lies between it and the token before."""
    shapes, previous_end = [], 0
    for start, end in offsets:
        piece = text[start:end]
        if start > 0 and start == previous_end and text[start - 1].isalnum() and piece[:1].isalnum():
            kind = "word-piece"
        else:
            kind = _shape_class(piece)
        broken = "\n" in text[previous_end:start]
        shapes.append(SHAPE_CLASSES.index(kind) + (len(SHAPE_CLASSES) if broken else 0))
        previous_end = end
    return shapes


def _shape_class(piece: str) -> str:
    first = piece[:1]
    if first.isdigit():
        return "digit"
    if first.isalpha():
        if first.islower():
            return "lower"
        return "upper" if len(piece) > 1 and piece.isupper() else "capitalised"
    return "quote" if first in _QUOTE_MARKS else "punct"


def windows(n_tokens: int, size: int = WINDOW - 2, stride: int = STRIDE) -> list[tuple[int, int]]:
    """Token ranges of at most `size` that cover 0..n_tokens, each starting `stride` after the last."""
    if n_tokens <= size:
        return [(0, n_tokens)]
    starts = [*range(0, n_tokens - size, stride), n_tokens - size]
    return [(start, start + size) for start in starts]


def window_batch(
    ids: list[int], ranges: list[tuple[int, int]], cls: int, sep: int, shapes: list[int] | None = None
) -> dict[str, Any]:
    """Padded model inputs for the windows: [CLS] tokens [SEP], zeros after; with `shapes`, their shape
    ids too ([CLS], [SEP] and padding are 'special')."""
    width = max(end - start for start, end in ranges) + 2
    input_ids = np.zeros((len(ranges), width), dtype=np.int64)
    mask = np.zeros_like(input_ids)
    shape_ids = np.zeros_like(input_ids)
    for row, (start, end) in enumerate(ranges):
        piece = [cls, *ids[start:end], sep]
        input_ids[row, : len(piece)] = piece
        mask[row, : len(piece)] = 1
        if shapes is not None:
            shape_ids[row, 1 : 1 + end - start] = shapes[start:end]
    batch = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
    return batch if shapes is None else {**batch, "shape_ids": shape_ids}


def merge_windows(logits: np.ndarray, ranges: list[tuple[int, int]], n_tokens: int) -> np.ndarray:
    """Average each token's logits over the windows that hold it (row 0 of a window is [CLS])."""
    total = np.zeros((n_tokens, logits.shape[-1]), dtype=np.float32)
    count = np.zeros((n_tokens, 1), dtype=np.float32)
    for row, (start, end) in enumerate(ranges):
        total[start:end] += logits[row, 1 : 1 + end - start]
        count[start:end] += 1
    return total / np.maximum(count, 1)


def _allowed_transitions() -> np.ndarray:
    """allowed[i, j]: label j may follow label i. I-X only continues B-X or I-X."""
    allowed = np.ones((len(LABELS), len(LABELS)), dtype=bool)
    for j, label in enumerate(LABELS):
        if label.startswith("I-"):
            role = label[2:]
            allowed[:, j] = [other in (f"B-{role}", f"I-{role}") for other in LABELS]
    return allowed


_ALLOWED = _allowed_transitions()
_STARTS = np.array([not label.startswith("I-") for label in LABELS])


# A span that starts right after a span of its own role costs RESTART_COST in log-probability: PolNeAR draws
# one span where the softmax tagger began a second ('it underscores | that Trump is unfit'). Chosen on
# PolNeAR dev among 0, 0.5, 1 and 2: chosen on either half of the articles (2, 0.5) and scored on the other,
# source / cue / content 80.9 / 74.9 / 68.7 and 79.8 / 73.8 / 68.4, against 80.8 / 74.7 / 68.5 and
# 79.7 / 73.7 / 68.2 at 0.
RESTART_COST = 1.0


def _restarts() -> np.ndarray:
    """restart[i, j]: label j begins a span of the role that label i is in."""
    return np.array([[b.startswith("B-") and a[2:] == b[2:] for b in LABELS] for a in LABELS])


_RESTARTS = _restarts()


def viterbi(logits: np.ndarray, transitions: np.ndarray | None = None) -> list[int]:
    """The best label path under the BIO constraint, scored by per-token log-probabilities (and
    RESTART_COST); with a CRF's learned `transitions` (label i to label j), by the raw logits plus those, as
    the CRF was trained."""
    if len(logits) == 0:
        return []
    if transitions is None:
        shifted = logits - logits.max(axis=1, keepdims=True)
        scores = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        penalty = np.where(_ALLOWED, np.where(_RESTARTS, -RESTART_COST, 0.0), -1e9)
    else:
        scores = logits
        penalty = np.where(_ALLOWED, transitions, -1e9)
    best = np.where(_STARTS, scores[0], -1e9)
    back = np.zeros((len(scores), len(LABELS)), dtype=np.int64)
    for t in range(1, len(scores)):
        candidates = best[:, None] + penalty
        back[t] = candidates.argmax(axis=0)
        best = candidates.max(axis=0) + scores[t]
    path = [int(best.argmax())]
    for t in range(len(scores) - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def label_spans(text: str, offsets: list[tuple[int, int]], path: list[int]) -> list[Span]:
    """(role, start, end) character spans from a label path, each widened to whole words."""
    spans: list[Span] = []
    for (start, end), label_id in zip(offsets, path, strict=True):
        label = LABELS[label_id]
        if label == "O":
            continue
        role = label[2:]
        if label.startswith("I-") and spans and spans[-1][0] == role:
            spans[-1] = (role, spans[-1][1], end)
        else:
            spans.append((role, start, end))
    return [(role, *_whole_words(text, start, end)) for role, start, end in spans]


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    return start, end


@dataclass(frozen=True)
class Windowing:
    """How a model reads a long text: windows of `size` tokens ([CLS] and [SEP] included) every `stride`
    tokens, with or without the token shapes as a second input, which may carry the parse (`syntax`)."""

    size: int = WINDOW
    stride: int = STRIDE
    shapes: bool = False
    syntax: bool = False


DEFAULT_WINDOWING = Windowing()


def window_logits(
    encoding: Encoding,
    run: Callable[[dict[str, Any]], np.ndarray],
    cls: int,
    sep: int,
    windowing: Windowing = DEFAULT_WINDOWING,
    batch_size: int = 8,
) -> np.ndarray:
    """Per-token logits of a whole text: `run` (the ONNX session, or torch while training) on batches of
    overlapping windows, averaged where they overlap."""
    ranges = windows(len(encoding.ids), windowing.size - 2, windowing.stride)
    shapes = encoding.shapes if windowing.shapes else None
    rows: list[np.ndarray] = []
    for first in range(0, len(ranges), batch_size):
        out = run(window_batch(encoding.ids, ranges[first : first + batch_size], cls, sep, shapes))
        rows.extend(_pad(out, windowing.size))  # windows are at most this wide; a short article's less
    return merge_windows(np.stack(rows), ranges, len(encoding.ids))


class Tagger:
    """The ONNX model and its tokenizer, loaded once per process."""

    def __init__(self, model_dir: Path = MODEL_DIR) -> None:
        self.model_dir = model_dir
        self.meta = _read_meta(model_dir)
        self.tokenizer = load_tokenizer(model_dir)
        self.session = onnx_models.open_session(model_dir / "model.onnx", REBUILD)
        self.cls = self.tokenizer.token_to_id("[CLS]")
        self.sep = self.tokenizer.token_to_id("[SEP]")
        learned = self.meta.get("transitions")  # a model trained with a CRF layer
        self.transitions = None if learned is None else np.asarray(learned, dtype=np.float32)
        size = int(self.meta.get("window", WINDOW))
        inputs = {i.name for i in self.session.get_inputs()}
        self.windowing = Windowing(size, size // 2, "shape_ids" in inputs, bool(self.meta.get("syntax")))

    def logits(self, encoding: Encoding) -> np.ndarray:
        return window_logits(
            encoding, lambda batch: self.session.run(["logits"], batch)[0], self.cls, self.sep, self.windowing
        )

    def tag(self, text: str, doc: Any = None) -> list[Span]:
        """The role spans of `text`; a model trained with the parse reads it from `doc` (its spaCy Doc)."""
        syntax = token_syntax(doc) if self.windowing.syntax and doc is not None and doc.text == text else None
        encoding = encode(self.tokenizer, text, self.windowing.shapes, syntax)
        if not encoding.ids:
            return []
        return label_spans(text, encoding.offsets, viterbi(self.logits(encoding), self.transitions))


def _pad(out: np.ndarray, width: int) -> np.ndarray:
    padded = np.zeros((out.shape[0], width, out.shape[2]), dtype=out.dtype)
    padded[:, : out.shape[1]] = out
    return padded


def _read_meta(model_dir: Path) -> dict[str, Any]:
    path = model_dir / "meta.json"
    meta = onnx_models.read_meta(path, REBUILD)
    if tuple(meta.get("labels", ())) != LABELS:
        raise ModelFileError(f"{path} has labels {meta.get('labels')}, expected {LABELS}; rebuild: {REBUILD}")
    learned = meta.get("transitions")
    if learned is not None and np.shape(learned) != (len(LABELS), len(LABELS)):
        raise ModelFileError(f"{path} has transitions of shape {np.shape(learned)}; rebuild: {REBUILD}")
    return meta


@lru_cache(maxsize=2)
def load(model_dir: str = str(MODEL_DIR)) -> Tagger:
    return Tagger(Path(model_dir))
