"""The parse's view of each token, a third input of the accurate tagger (`train ... --syntax`).

A content is most often the clause a speech verb governs ('said [that the talks had failed]': a `ccomp`),
and it ends where that clause or its sentence ends. A six-layer encoder reads clause edges poorly; spaCy's
parser, which the pipeline runs anyway, has drawn them already. So each sub-word token carries three ids
from the parse of its word: its dependency label, the label of the clause it sits in (its nearest clausal
ancestor's, itself included), and whether its word opens a sentence. They ride in the shape ids the
model already takes (`tagger.encode`), so the ONNX model keeps its inputs; a model trained with them splits
them again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# en_core_web_sm's parser labels; index 0 is 'none' (special tokens, or no parse)
DEP_LABELS = (
    "none", "ROOT", "acl", "acomp", "advcl", "advmod", "agent", "amod", "appos", "attr", "aux", "auxpass",
    "case", "cc", "ccomp", "compound", "conj", "csubj", "csubjpass", "dative", "dep", "det", "dobj", "expl",
    "intj", "mark", "meta", "neg", "nmod", "npadvmod", "nsubj", "nsubjpass", "nummod", "oprd", "parataxis",
    "pcomp", "pobj", "poss", "preconj", "predet", "prep", "prt", "punct", "quantmod", "relcl", "xcomp",
)  # fmt: skip
# the labels that head a clause; a token's clause is its nearest ancestor (or itself) with one of them
CLAUSES = ("none", "ROOT", "ccomp", "xcomp", "advcl", "relcl", "acl", "csubj", "parataxis", "conj", "pcomp")
CLAUSE_IDS = 2 * len(CLAUSES)  # each clause with the word opening its sentence or not
SYNTAX_IDS = len(DEP_LABELS) * CLAUSE_IDS
_DEP_INDEX = {label: i for i, label in enumerate(DEP_LABELS)}
_CLAUSE_INDEX = {label: i for i, label in enumerate(CLAUSES)}
_VERBAL = {"VERB", "AUX"}  # a 'conj' heads a clause only when it is a verb ('said and added')


@dataclass(frozen=True)
class TokenSyntax:
    """One parse of a text: each spaCy token's first character and its syntax id (dep, clause, opening)."""

    starts: np.ndarray  # int64, ascending
    ids: np.ndarray  # int64, in 0 .. SYNTAX_IDS - 1


def syntax_id(dep: int, clause: int, opens_sentence: bool) -> int:
    return dep + len(DEP_LABELS) * (clause + len(CLAUSES) * int(opens_sentence))


def token_syntax(doc: Any) -> TokenSyntax:
    """The syntax ids of a parsed spaCy Doc's tokens."""
    clauses = _clauses(doc)
    starts, ids = [], []
    for token in doc:
        starts.append(token.idx)
        ids.append(syntax_id(_DEP_INDEX.get(token.dep_, 0), clauses[token.i], token.is_sent_start is True))
    return TokenSyntax(np.asarray(starts, dtype=np.int64), np.asarray(ids, dtype=np.int64))


def _own_clause(token: Any) -> int | None:
    """The clause `token` heads by its own label, or None when it heads none."""
    label = token.dep_
    if label == "conj" and token.pos_ not in _VERBAL:
        return None
    return _CLAUSE_INDEX.get(label)


def _clauses(doc: Any) -> list[int]:
    """Each token's clause: its own, else its nearest ancestor's (0 for none). Each token is settled once,
    with the chain of heads that led to it: walking every token's ancestors afresh was quadratic in a
    sentence's depth, and a degenerate parse ('said said said ...') is one chain thousands deep."""
    clause: list[int | None] = [None] * len(doc)
    for token in doc:
        chain, node = [], token
        while clause[node.i] is None:
            own = _own_clause(node)
            if own is not None or node.head.i == node.i:
                clause[node.i] = own or 0
                break
            chain.append(node.i)
            node = node.head
        for i in chain:
            clause[i] = clause[node.i]
    return [c or 0 for c in clause]


def piece_syntax(syntax: TokenSyntax, offsets: list[tuple[int, int]]) -> list[int]:
    """Each sub-word token's syntax id: that of the spaCy token its first character falls in."""
    if not len(syntax.starts) or not offsets:
        return [0] * len(offsets)
    firsts = np.asarray([start for start, _ in offsets], dtype=np.int64)
    which = np.searchsorted(syntax.starts, firsts, side="right") - 1
    return [int(syntax.ids[i]) if i >= 0 else 0 for i in which]


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


class ParseCache:
    """Syntax ids of training texts, parsed once by the pipeline's spaCy model and kept in an .npz file,
    so a machine without spaCy (a GPU box) trains on parses made elsewhere (`prepare`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.parses: dict[str, TokenSyntax] = {}
        if path.exists():
            with np.load(path) as stored:  # each array read once: an NpzFile inflates it on every access
                keys, bounds = stored["keys"], stored["bounds"]
                starts, ids = stored["starts"].astype(np.int64), stored["ids"].astype(np.int64)
            for i, key in enumerate(keys):
                part = slice(int(bounds[i]), int(bounds[i + 1]))
                self.parses[str(key)] = TokenSyntax(starts[part], ids[part])

    def __call__(self, text: str) -> TokenSyntax:
        """The text's parse; one not kept yet is parsed and saved now (callers `prepare` their texts in one
        batch first: a miss costs a write of the whole file)."""
        found = self.parses.get(_key(text))
        if found is None:
            self.prepare([text])
            found = self.parses[_key(text)]
        return found

    def prepare(self, texts: Iterable[str]) -> int:
        """Parse the texts not kept yet and save; the number parsed."""
        todo = {_key(text): text for text in texts if _key(text) not in self.parses}
        if not todo:
            return 0
        from ..model import Article  # spaCy's pipeline only where something is left to parse
        from ..nlp import parse, parse_batch

        articles = [Article(text=text) for text in todo.values()]
        for first in range(0, len(articles), 32):
            parse_batch(articles[first : first + 32])
        for key, article in zip(todo, articles, strict=True):
            self.parses[key] = token_syntax(parse(article))
        self.save()
        return len(todo)

    def save(self) -> None:
        keys = list(self.parses)
        lengths = [len(self.parses[k].starts) for k in keys]
        bounds = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        empty = np.zeros(0, dtype=np.int64)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp.npz")
        np.savez_compressed(
            partial,
            keys=np.asarray(keys),
            bounds=bounds,
            # stored narrow (a text under 2G characters, SYNTAX_IDS < 2**15): the file travels to GPU boxes
            starts=np.concatenate([self.parses[k].starts for k in keys] or [empty]).astype(np.int32),
            ids=np.concatenate([self.parses[k].ids for k in keys] or [empty]).astype(np.int16),
        )
        partial.replace(self.path)
