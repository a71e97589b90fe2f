"""Faster stand-ins for three of spaCy's English components, giving the same annotations.

spaCy's attribute ruler runs its 179 patterns through the general Matcher on every token, a seventh of the
whole parse. Its patterns are one or two tokens, each testing a tag, a dependency label or a lower-case form
(equal to, one of, not one of, a regular expression), so each pattern is a few numpy comparisons over the
doc's columns. Its rule lemmatizer caches lemmas but still costs 15 µs a token in Python; reading and
writing the attributes as arrays gives the same lemmas. A ruler with any other pattern or attribute stays
spaCy's. The entity recogniser keeps its model and decodes in numpy (`nlp_greedy_ner`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

_COLUMNS = ("LOWER", "TAG", "DEP", "IS_SPACE")
_WRITTEN = ("POS", "MORPH", "LEMMA", "TAG", "DEP")  # what the English ruler sets; anything else: spaCy's way


def speed_up(nlp: Any) -> None:
    """Swap in the array attribute ruler, the array lemmatizer and the numpy entity decoding where `nlp` has
    the stock components."""
    from .nlp_greedy_ner import install

    _speed_up_attribute_ruler(nlp)
    _speed_up_lemmatizer(nlp)
    install(nlp)


def _speed_up_attribute_ruler(nlp: Any) -> None:
    from spacy.pipeline import AttributeRuler

    if "attribute_ruler" in nlp.pipe_names:
        ruler = nlp.get_pipe("attribute_ruler")
        if type(ruler) is AttributeRuler:
            try:
                ruler.__dict__["_compiled"] = _build(ruler)
            except _Unsupported:
                return  # a rule sets an attribute the arrays do not carry: keep spaCy's ruler
            ruler.__class__ = type("ArrayAttributeRuler", (_ArrayMatch, AttributeRuler), {})


def _speed_up_lemmatizer(nlp: Any) -> None:
    from spacy.pipeline import Lemmatizer

    if "lemmatizer" not in nlp.pipe_names:
        return
    lemmatizer = nlp.get_pipe("lemmatizer")
    if isinstance(lemmatizer, Lemmatizer) and lemmatizer.mode == "rule" and not lemmatizer.overwrite:
        lemmatizer.__class__ = type("ArrayLemmatizer", (_ArrayLemmas, type(lemmatizer)), {})


class _ArrayLemmas:
    def __call__(self, doc: Any) -> Any:
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        rows = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = rows[:, 3].copy()
        known: dict[tuple[int, int, int], int] = self.__dict__.setdefault("_lemma_hashes", {})
        strings = doc.vocab.strings
        for i, (orth, pos, morph, lemma) in enumerate(rows.tolist()):
            if lemma:
                continue  # set by the attribute ruler, as the stock lemmatizer leaves it
            key = (orth, pos, morph)
            found = known.get(key)
            if found is None:
                found = known[key] = strings.add(self.lemmatize(doc[i])[0])  # type: ignore[attr-defined]
            lemmas[i] = found
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc


class _ArrayMatch:
    """AttributeRuler whose patterns are tested as numpy masks over the doc's columns, one rule at a time in
    the ruler's order, and whose attributes are written as arrays. Every pattern is tested on the doc as it
    came in (as spaCy's ruler matches before it writes), and a later rule's write wins, as in spaCy's."""

    def __call__(self, doc: Any) -> Any:
        from spacy import attrs

        if "_compiled" not in self.__dict__:
            self.__dict__["_compiled"] = _build(self)
        rows = doc.to_array([getattr(attrs, name) for name in _COLUMNS + _WRITTEN])
        columns = {name: rows[:, k] for k, name in enumerate(_COLUMNS)}
        written = rows[:, len(_COLUMNS) :].copy()
        for patterns, writes in self.__dict__["_compiled"]:
            for tests, offset in patterns:
                targets = _matches(tests, columns, self.vocab.strings) + offset  # type: ignore[attr-defined]
                for column, value in writes:
                    written[targets, column] = value
        doc.from_array([getattr(attrs, name) for name in _WRITTEN], written)
        return doc


def _matches(tests: list[list[Any]], columns: dict[str, np.ndarray], strings: Any) -> np.ndarray:
    """The start of every place where the pattern's tokens pass their tests."""
    length = len(columns["TAG"]) - len(tests) + 1
    if length <= 0:
        return np.zeros(0, np.int64)
    passed = np.ones(length, bool)
    for k, token_tests in enumerate(tests):
        for test in token_tests:
            passed &= test(columns, strings)[k : k + length]
    return np.flatnonzero(passed)


def _build(ruler: Any) -> list[tuple[list[tuple[list[list[Any]], int]], list[tuple[int, int]]]]:
    """Per rule, in order: its patterns (the tests of each token, and the written token's offset from the
    match's start) and its attributes as (column of _WRITTEN, value). Raises _Unsupported where a rule sets
    anything else or a pattern tests what the arrays cannot: the ruler then stays spaCy's."""
    from spacy import attrs

    ids = {getattr(attrs, name): k for k, name in enumerate(_WRITTEN)}
    compiled = []
    for rule, patterns in _rules(ruler):
        writes = [(ids[key], value) for key, value in ruler.attrs[rule].items() if key in ids]
        if len(writes) != len(ruler.attrs[rule]):
            raise _Unsupported
        index = ruler.indices[rule]
        compiled.append(
            (
                [
                    ([_token_tests(spec, ruler.vocab.strings) for spec in pattern], index % len(pattern))
                    for pattern in patterns
                ],
                writes,
            )
        )
    return compiled


class _Unsupported(Exception):
    pass


def _rules(ruler: Any) -> list[tuple[int, list[list[dict[str, Any]]]]]:
    strings = ruler.vocab.strings
    return [(rule, ruler.matcher.get(strings[str(rule)])[1]) for rule in range(len(ruler.attrs))]


def _token_tests(spec: dict[str, Any], strings: Any) -> list[Any]:
    """One token's tests, each (columns, strings) -> a mask over the doc's tokens."""
    tests = []
    for key, wanted in spec.items():
        if key == "IS_SPACE" and isinstance(wanted, bool):
            tests.append(_equal_to("IS_SPACE", int(wanted)))
        elif key not in _COLUMNS or key == "IS_SPACE":
            raise _Unsupported  # an operator or attribute the arrays do not cover
        elif isinstance(wanted, str):
            tests.append(_equal_to(key, strings.add(wanted)))
        elif isinstance(wanted, dict) and set(wanted) in ({"IN"}, {"NOT_IN"}):
            ((kind, values),) = wanted.items()
            tests.append(_one_of(key, [strings.add(value) for value in values], kind == "NOT_IN"))
        elif isinstance(wanted, dict) and set(wanted) == {"REGEX"}:
            tests.append(_matching(key, re.compile(wanted["REGEX"]).search))
        else:
            raise _Unsupported
    return tests


def _equal_to(key: str, wanted: int) -> Callable[..., np.ndarray]:
    return lambda columns, strings: columns[key] == wanted


def _one_of(key: str, values: list[int], negated: bool) -> Callable[..., np.ndarray]:
    allowed = np.array(values, np.uint64)
    return lambda columns, strings: np.isin(columns[key], allowed, invert=negated)


def _matching(key: str, search: Callable[[str], Any]) -> Callable[..., np.ndarray]:
    """A regular expression, run once per distinct string (remembered across docs)."""
    verdicts: dict[int, bool] = {}

    def test(columns: dict[str, np.ndarray], strings: Any) -> np.ndarray:
        distinct, inverse = np.unique(columns[key], return_inverse=True)
        for value in distinct.tolist():
            if value not in verdicts:
                verdicts[value] = bool(search(strings[value]))
        return np.array([verdicts[value] for value in distinct.tolist()], bool)[inverse]

    return test
