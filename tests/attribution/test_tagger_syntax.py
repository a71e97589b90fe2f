"""The parse's ids that a tagger trained with `--syntax` reads: real spaCy parses, a real cache file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from newsdistill.attribution import tagger
from newsdistill.attribution.tagger_syntax import (
    CLAUSES,
    DEP_LABELS,
    SYNTAX_IDS,
    ParseCache,
    TokenSyntax,
    _clauses,
    piece_syntax,
    syntax_id,
    token_syntax,
)
from newsdistill.nlp import load_nlp

TEXT = "Officials said the talks had failed. Others disagreed."
SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sample_page.txt"


def _split(value: int) -> tuple[str, str, bool]:
    dep, rest = value % len(DEP_LABELS), value // len(DEP_LABELS)
    return DEP_LABELS[dep], CLAUSES[rest % len(CLAUSES)], rest >= len(CLAUSES)


def test_each_word_carries_its_label_its_clause_and_whether_it_opens_a_sentence() -> None:
    doc = load_nlp()(TEXT)
    parse = token_syntax(doc)
    read = {token.text: _split(int(i)) for token, i in zip(doc, parse.ids, strict=True)}
    assert read["said"] == ("ROOT", "ROOT", False)
    assert read["failed"] == ("ccomp", "ccomp", False)  # the reported clause: a content's usual shape
    assert read["talks"][1] == "ccomp"  # a word inside it takes the clause of its nearest clausal ancestor
    assert read["Officials"][2] and read["Others"][2]  # each opens its sentence
    assert not read["talks"][2]
    assert list(parse.starts) == [token.idx for token in doc]
    assert all(0 <= int(i) < SYNTAX_IDS for i in parse.ids)


def test_every_piece_of_a_word_takes_its_word_s_ids() -> None:
    parse = TokenSyntax(np.array([0, 10]), np.array([7, 9]))
    assert piece_syntax(parse, [(0, 4), (4, 9), (10, 12), (12, 13)]) == [7, 7, 9, 9]
    assert piece_syntax(TokenSyntax(np.array([5]), np.array([3])), [(0, 2), (5, 6)]) == [0, 3]
    assert piece_syntax(TokenSyntax(np.zeros(0, np.int64), np.zeros(0, np.int64)), [(0, 1)]) == [0]


def test_shape_ids_carry_the_parse_only_when_given_one() -> None:
    tokenizer = tagger.load_tokenizer()
    doc = load_nlp()(TEXT)
    plain = tagger.encode(tokenizer, TEXT, shapes=True)
    parsed = tagger.encode(tokenizer, TEXT, shapes=True, syntax=token_syntax(doc))
    assert [s % tagger.SHAPES for s in parsed.shapes] == plain.shapes
    assert all(s < tagger.SHAPES for s in plain.shapes)
    said = next(i for i, (a, b) in enumerate(parsed.offsets) if TEXT[a:b] == "said")
    assert parsed.shapes[said] // tagger.SHAPES == syntax_id(
        DEP_LABELS.index("ROOT"), CLAUSES.index("ROOT"), False
    )


def test_the_cache_parses_each_text_once_and_reads_back_from_its_file(tmp_path: Path) -> None:
    path = tmp_path / "parses.npz"
    cache = ParseCache(path)
    assert cache.prepare([TEXT, "He said no.", TEXT]) == 2
    assert cache.prepare([TEXT]) == 0
    again = ParseCache(path)  # a machine without spaCy reads the file alone
    for text in (TEXT, "He said no."):
        assert np.array_equal(again(text).ids, cache(text).ids)
        assert np.array_equal(again(text).starts, cache(text).starts)


def test_the_shipped_model_reads_the_parse_of_its_own_text_only() -> None:
    shipped = tagger.load()
    assert shipped.windowing.syntax  # trained with --syntax (benchmarks/RESULTS.md, stop 37)
    doc = load_nlp()(TEXT)
    parsed = shipped.logits(tagger.encode(shipped.tokenizer, TEXT, True, token_syntax(doc)))
    plain = shipped.logits(tagger.encode(shipped.tokenizer, TEXT, True))
    assert not np.allclose(parsed, plain)
    other = load_nlp()(TEXT.upper())  # a Doc of another text is no parse of this one
    assert shipped.tag(TEXT, other) == shipped.tag(TEXT)


def _nearest_clause(token: object) -> str:
    """The definition, walked afresh for each token: its own label, else its nearest ancestor's."""
    for node in (token, *token.ancestors):  # type: ignore[attr-defined]
        if node.dep_ == "conj" and node.pos_ not in {"VERB", "AUX"}:
            continue
        if node.dep_ in CLAUSES:
            return str(node.dep_)
    return "none"


def test_each_token_s_clause_is_its_nearest_clausal_ancestor_s_on_a_real_page() -> None:
    doc = load_nlp()(SAMPLE.read_text(encoding="utf-8"))
    assert [CLAUSES[c] for c in _clauses(doc)] == [_nearest_clause(t) for t in doc]
    assert {"ccomp", "ROOT", "conj"} <= {CLAUSES[c] for c in _clauses(doc)}


class _ChainToken:
    """A token of a degenerate parse: each word's head is the next word ('said said said ...')."""

    reads = 0

    def __init__(self, doc: list[_ChainToken], i: int) -> None:
        self.doc, self.i, self.dep_, self.pos_ = doc, i, "dep", "VERB"

    @property
    def head(self) -> _ChainToken:
        _ChainToken.reads += 1
        return self.doc[min(self.i + 1, len(self.doc) - 1)]


def test_a_parse_thousands_deep_is_read_once_per_token_not_once_per_ancestor() -> None:
    chain: list[_ChainToken] = []
    chain.extend(_ChainToken(chain, i) for i in range(5_000))
    chain[-1].dep_ = "ROOT"
    _ChainToken.reads = 0
    clauses = _clauses(chain)
    assert clauses == [CLAUSES.index("ROOT")] * 5_000  # every word sits in the root's clause
    assert _ChainToken.reads <= 3 * 5_000  # walking each word's ancestors afresh reads 12.5 million heads
