"""spaCy's entity recogniser with its greedy decoding done in numpy: the same entities in a third of the time.

`en_core_web_sm`'s NER is a transition system (BILUO moves over the tokens, left to right). spaCy steps it one
token at a time in a loop that takes and drops the GIL at every step: two thirds of the NER's time, which is
half of the whole parse. But an NER state is read through three tokens only: the next token, the first token
of the open entity, and the token before the next one (the last two only while an entity is open). With the
model's lower layer precomputed for every token, a step with no entity open depends on its token alone, so
all of those steps are scored in one matrix product; only the tokens inside an entity are stepped one by one.

The moves' validity rules are spaCy's (`BiluoPushDown` for documents without preset entities): an entity
begins only on a token that is not whitespace, not the last, and not followed by a sentence start; it goes on
through tokens that do not end the text or its sentence; a one-token entity needs a token that is not
whitespace. A document with preset entities, a beam, or any other model shape keeps spaCy's own path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

_MOVES = ("B", "I", "L", "U", "O")


@dataclass
class _Weights:
    lower: np.ndarray  # (features × hiddens × pieces, width): the lower layer, one row per output
    bias: np.ndarray  # (hiddens, pieces)
    pad: np.ndarray  # (features, hiddens, pieces): a feature with no token
    upper: np.ndarray  # (moves, hiddens)
    upper_bias: np.ndarray  # (moves,)
    move: np.ndarray  # each move's kind, one of _MOVES
    label: np.ndarray  # each move's label index (-1 for O)
    labels: list[str]


class _Decoded(list):  # type: ignore[type-arg]
    """One list of (start, end, label) per document, as `predict` returns it on the numpy path."""


def install(nlp: Any) -> None:
    """Put the numpy decoding in front of `nlp`'s stock entity recogniser, where its model has the expected
    shape. spaCy's recogniser is a compiled class whose methods cannot be replaced, so a wrapper takes its
    place in the pipeline (the same name, the same model) and hands everything else to it."""
    from spacy.pipeline import EntityRecognizer

    components = getattr(nlp, "_components", None)  # (name, component), disabled ones included
    if not isinstance(components, list):
        return
    for position, (name, ner) in enumerate(components):
        if name == "ner" and type(ner) is EntityRecognizer and weights_of(ner) is not None:
            components[position] = (name, NumpyGreedyEntityRecognizer(ner))


def weights_of(ner: Any) -> _Weights | None:
    """The NER's weights as numpy arrays, or None where the model is not the greedy shape decoded here."""
    from thinc.api import NumpyOps

    model = ner.model
    if (
        ner.cfg.get("beam_width", 1) != 1
        or not model.attrs.get("has_upper")
        or model.attrs.get("unseen_classes")
    ):
        return None
    if not isinstance(model.ops, NumpyOps):
        return None
    names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
    moves = [name.split("-", 1)[0] for name in names]
    if any(move not in _MOVES for move in moves):
        return None
    lower, upper = model.get_ref("lower"), model.get_ref("upper")
    features, hiddens, pieces, width = lower.get_param("W").shape
    if features != 3:
        return None
    labels = sorted({name.split("-", 1)[1] for name in names if "-" in name})
    label = [labels.index(name.split("-", 1)[1]) if "-" in name else -1 for name in names]
    return _Weights(
        lower=lower.get_param("W").reshape(features * hiddens * pieces, width),
        bias=lower.get_param("b"),
        pad=lower.get_param("pad")[0],
        upper=upper.get_param("W"),
        upper_bias=upper.get_param("b"),
        move=np.array(moves),
        label=np.array(label),
        labels=labels,
    )


class NumpyGreedyEntityRecognizer:
    """spaCy's EntityRecognizer with `predict` decoding in numpy; every other attribute is the stock one's."""

    def __init__(self, stock: Any) -> None:
        self.stock = stock

    def __getattr__(self, name: str) -> Any:
        if name == "stock":  # not set yet (a copy being unpickled): no recursion
            raise AttributeError(name)
        return getattr(self.stock, name)

    def __call__(self, doc: Any) -> Any:
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def pipe(self, docs: Any, *, batch_size: int = 256) -> Any:
        from spacy.util import minibatch

        error_handler = self.stock.get_error_handler()  # the one `nlp.set_error_handler` set, as spaCy's pipe
        for batch in minibatch(docs, size=batch_size):
            try:
                self.set_annotations(batch, self.predict(batch))
                yield from batch
            except Exception as error:
                error_handler(self.stock.name, self, batch, error)

    def predict(self, docs: Any) -> Any:
        from spacy.tokens import Doc

        docs = [docs] if isinstance(docs, Doc) else list(docs)
        weights = weights_of(self.stock)  # read each batch: under a millisecond, never stale
        if weights is None or any(_has_preset_entities(doc) for doc in docs):
            return self.stock.predict(docs)
        tok2vec = self.stock.model.get_ref("tok2vec")
        vectors = tok2vec.predict(docs) if any(len(doc) for doc in docs) else np.zeros((0, 0), "f")
        ends = np.cumsum([len(doc) for doc in docs])
        return _Decoded(
            decode(doc, weights, vecs) for doc, vecs in zip(docs, np.split(vectors, ends[:-1]), strict=True)
        )

    def set_annotations(self, docs: Any, predicted: Any) -> None:
        if not isinstance(predicted, _Decoded):
            self.stock.set_annotations(docs, predicted)
            return
        from spacy.tokens import Span

        for doc, entities in zip(docs, predicted, strict=True):
            doc.ents = [Span(doc, start, end, label=label) for start, end, label in entities]
            for hook in self.stock.postprocesses:
                hook(doc)


def _has_preset_entities(doc: Any) -> bool:
    from spacy.attrs import ENT_IOB

    return bool(len(doc)) and bool(doc.to_array([ENT_IOB]).any())


def decode(doc: Any, weights: _Weights, vectors: np.ndarray) -> list[tuple[int, int, str]]:
    """The greedy BILUO decoding of one document from its token vectors: (start, end, label) per entity."""
    length = len(doc)
    if length == 0:
        return []
    hiddens, pieces = weights.bias.shape
    precomputed = (vectors @ weights.lower.T).reshape(length, 3, hiddens, pieces)
    may_begin, may_unit, may_continue = _token_rules(doc)
    closed = _scores(precomputed[:, 0] + weights.pad[1] + weights.pad[2] + weights.bias, weights)
    valid = np.zeros(closed.shape, bool)
    valid[:, weights.move == "O"] = True
    valid[:, weights.move == "U"] = may_unit[:, None]
    valid[:, weights.move == "B"] = may_begin[:, None]
    choice = np.where(valid, closed, -np.inf).argmax(axis=1)
    entities: list[tuple[int, int, str]] = []
    resume = 0
    for token in np.flatnonzero(weights.move[choice] != "O").tolist():
        if token < resume:
            continue  # inside the entity just decoded
        move, label = weights.move[choice[token]], int(weights.label[choice[token]])
        end = token + 1 if move == "U" else _entity_end(precomputed, weights, token, label, may_continue)
        entities.append((token, end, weights.labels[label]))
        resume = end
    return entities


def _token_rules(doc: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per token: may an entity begin here, may a one-token entity stand here, may an open entity go on
    past here (spaCy's Begin, Unit and In validity without preset entities)."""
    from spacy.attrs import IS_SPACE, SENT_START

    rows = doc.to_array([IS_SPACE, SENT_START]).astype(np.int64)
    not_space = rows[:, 0] == 0
    next_opens_sentence = np.zeros(len(doc), bool)
    next_opens_sentence[:-1] = rows[1:, 1] == 1
    not_last = np.arange(len(doc)) < len(doc) - 1
    may_continue = not_last & ~next_opens_sentence
    return not_space & may_continue, not_space, may_continue


def _entity_end(
    precomputed: np.ndarray, weights: _Weights, start: int, label: int, may_continue: np.ndarray
) -> int:
    """Step an entity opened at `start` token by token (In or Last of its label) to its end."""
    same_label = weights.label == label
    last = same_label & (weights.move == "L")
    inside_or_last = last | (same_label & (weights.move == "I"))
    token = start + 1
    while True:  # summed in spaCy's order (the three features, then the bias), so ties fall the same way
        unmaxed = precomputed[token, 0] + precomputed[start, 1] + precomputed[token - 1, 2] + weights.bias
        scores = _scores(unmaxed, weights)
        allowed = inside_or_last if may_continue[token] else last
        if weights.move[int(np.where(allowed, scores, -np.inf).argmax())] == "L":
            return token + 1
        token += 1


def _scores(unmaxed: np.ndarray, weights: _Weights) -> np.ndarray:
    """Maxout over the pieces, then the upper layer: one score per move."""
    return unmaxed.max(axis=-1) @ weights.upper.T + weights.upper_bias
