"""Faster stand-ins for three of spaCy's English components, giving the same annotations.

spaCy's attribute ruler runs its 179 patterns through the general Matcher on every token, a seventh of the
whole parse; almost all of them test one token's tag or lower-case form, so an index from those values to
the patterns finds the same matches with one dictionary lookup per token. Its rule lemmatizer caches lemmas
but still costs 15 µs a token in Python; reading and writing the attributes as arrays gives the same lemmas.
Patterns the index cannot express (operators, other attributes) still go through a Matcher of their own.
The entity recogniser keeps its model and decodes in numpy (`nlp_greedy_ner`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# A test of one token: (the doc's columns as lists, the token's position) -> whether it matches
TokenTest = Callable[[dict[str, list[int]], int], bool]
PatternTests = list[TokenTest]
_COLUMNS = ("LOWER", "TAG", "DEP", "IS_SPACE")
_WRITTEN = ("POS", "MORPH", "LEMMA", "TAG", "DEP")  # what the English ruler sets; anything else: spaCy's way


def speed_up(nlp: Any) -> None:
    """Swap in the indexed attribute ruler, the array lemmatizer and the numpy entity decoding where `nlp` has
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
                ruler.__dict__["_index"] = _build(ruler)
            except _Unsupported:
                return  # a rule sets an attribute the arrays do not carry: keep spaCy's ruler
            ruler.__class__ = type("IndexedAttributeRuler", (_IndexedMatch, AttributeRuler), {})


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


class _PatternIndex:
    """The ruler's patterns by their first token's tag or lower-case form (string hashes), with the tests
    left once that value is known; `scan` holds the patterns to try at every token."""

    def __init__(self) -> None:
        self.by_tag: dict[int, list[tuple[int, PatternTests]]] = {}
        self.by_lower: dict[int, list[tuple[int, PatternTests]]] = {}
        self.scan: list[tuple[int, PatternTests]] = []


class _IndexedMatch:
    """AttributeRuler whose matches come from a pattern index and whose attributes are written as arrays.
    The class is swapped onto the loaded ruler (same patterns), so the index is built on first use."""

    def __call__(self, doc: Any) -> Any:
        from spacy import attrs

        if "_index" not in self.__dict__:
            self.__dict__["_index"] = _build(self)
        index, leftover, writable = self.__dict__["_index"]
        rows = doc.to_array([getattr(attrs, name) for name in _COLUMNS + _WRITTEN])
        columns = {name: rows[:, k].tolist() for k, name in enumerate(_COLUMNS)}
        found = set(_indexed_matches(index, columns, len(doc)))
        if leftover is not None:
            strings = self.vocab.strings  # type: ignore[attr-defined]
            found.update((int(strings[key]), start, end) for key, start, end in leftover(doc))
        written = rows[:, len(_COLUMNS) :].copy()
        for rule, start, end in sorted(found):
            target = self.indices[rule] + (start if self.indices[rule] >= 0 else end)  # type: ignore
            for column, value in writable[rule]:
                written[target, column] = value
        doc.from_array([getattr(attrs, name) for name in _WRITTEN], written)
        return doc


def _indexed_matches(index: _PatternIndex, columns: dict[str, list[int]], length: int) -> Any:
    tags, lowers = columns["TAG"], columns["LOWER"]
    for i in range(length):
        candidates = index.by_tag.get(tags[i], []) + index.by_lower.get(lowers[i], []) + index.scan
        for rule, tests in candidates:
            if not tests:  # a one-token pattern the index key decides alone
                yield rule, i, i + 1
                continue
            end = i + len(tests)
            if end <= length and all(test is None or test(columns, i + k) for k, test in enumerate(tests)):
                yield rule, i, end


def _build(ruler: Any) -> tuple[_PatternIndex, Any, list[list[tuple[int, int]]]]:
    """The index, a Matcher for the patterns it cannot hold (None if none), and each rule's attributes as
    (column of _WRITTEN, value). A rule that sets anything else leaves the ruler on spaCy's own path."""
    from spacy import attrs
    from spacy.matcher import Matcher

    ids = {getattr(attrs, name): k for k, name in enumerate(_WRITTEN)}
    writable = [[(ids[key], value) for key, value in rule.items() if key in ids] for rule in ruler.attrs]
    if any(len(cols) != len(rule) for cols, rule in zip(writable, ruler.attrs, strict=True)):
        raise _Unsupported
    index, leftover = _PatternIndex(), Matcher(ruler.vocab, validate=False)
    strings = ruler.vocab.strings
    for rule, patterns in _rules(ruler):
        for pattern in patterns:
            filed = _file(index, pattern, strings, rule)
            if not filed:
                leftover.add(str(rule), [pattern])
    return index, (leftover if len(leftover) else None), writable


class _Unsupported(Exception):
    pass


def _rules(ruler: Any) -> list[tuple[int, list[list[dict[str, Any]]]]]:
    strings = ruler.vocab.strings
    return [(rule, ruler.matcher.get(strings[str(rule)])[1]) for rule in range(len(ruler.attrs))]


def _file(index: _PatternIndex, pattern: list[dict[str, Any]], strings: Any, rule: int) -> bool:
    """File the pattern under its first token's tag or lower-case value; False if a test is not covered."""
    first = pattern[0]
    # the lower-case form first: it is the more selective key (a tag holds dozens of patterns)
    for key, table in (("LOWER", index.by_lower), ("TAG", index.by_tag), (None, None)):
        values = _plain_values(first.get(key)) if key else None
        if key and values is None:
            continue
        rest = {name: spec for name, spec in first.items() if name != key}
        tests = [_token_test(spec, strings) for spec in (rest, *pattern[1:])]
        if any(test is _UNCOVERED for test in tests):
            return False
        if tests == [None]:
            tests = []
        if table is None or values is None:
            index.scan.append((rule, tests))  # type: ignore[arg-type]
        else:
            for value in values:
                table.setdefault(strings.add(value), []).append((rule, tests))  # type: ignore[arg-type]
        return True
    return False


def _plain_values(spec: Any) -> list[str] | None:
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict) and set(spec) == {"IN"}:
        return list(spec["IN"])
    return None


_UNCOVERED = object()


def _token_test(spec: dict[str, Any], strings: Any) -> Any:
    """The test of one token's pattern: None if it holds for any token, _UNCOVERED if the index can't."""
    if not spec:
        return None
    checks = []
    for key, wanted in spec.items():
        if key == "IS_SPACE" and isinstance(wanted, bool):
            check = _equal(int(wanted))
        elif key in _COLUMNS and (check := _value_check(wanted, strings)) is None:  # type: ignore[assignment]
            return _UNCOVERED
        elif key not in _COLUMNS:
            return _UNCOVERED  # an operator or attribute the index does not cover: the Matcher does it
        checks.append((key, check))
    return lambda columns, i: all(check(columns[key][i]) for key, check in checks)


def _equal(wanted: int) -> Callable[[int], bool]:
    return lambda value: value == wanted


def _value_check(wanted: Any, strings: Any) -> Callable[[int], bool] | None:
    if isinstance(wanted, str):
        return _equal(strings.add(wanted))
    if isinstance(wanted, dict) and set(wanted) == {"IN"}:
        allowed = frozenset(strings.add(value) for value in wanted["IN"])
        return lambda value: value in allowed
    if isinstance(wanted, dict) and set(wanted) == {"REGEX"}:
        search = re.compile(wanted["REGEX"]).search
        return lambda value: bool(search(strings[value]))
    return None
