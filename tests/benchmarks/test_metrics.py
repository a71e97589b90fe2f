"""The benchmark metrics on hand-computed examples."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from metrics import PageCounts, aeb_page, aeb_scores, snippet_share, wcxb_page

GOLD = "one two three four five six"  # 3 shingles


def test_identical_texts_score_one() -> None:
    assert aeb_page(GOLD, GOLD) == PageCounts(1.0, 0.0, 0.0)
    assert wcxb_page(GOLD, GOLD) == (1.0, 1.0, 1.0)


def test_disjoint_texts_score_zero() -> None:
    counts = aeb_page("alpha beta gamma delta", GOLD)
    assert counts.tp == 0 and counts.fp == pytest.approx(0.25) and counts.fn == pytest.approx(0.75)
    assert aeb_scores([counts]) == (0.0, 0.0, 0.0)


def test_partial_overlap_counts() -> None:
    # prediction shingles: (one two three four), (two three four five), (three four five x)
    # -> tp 2, fp 1; fn 1
    counts = aeb_page("one two three four five x", GOLD)
    assert (counts.tp, counts.fp, counts.fn) == pytest.approx((0.5, 0.25, 0.25))
    precision, recall, f1 = aeb_scores([counts])
    assert precision == pytest.approx(2 / 3) and recall == pytest.approx(2 / 3) and f1 == pytest.approx(2 / 3)


def test_empty_prediction_costs_recall_not_precision() -> None:
    perfect, empty = aeb_page(GOLD, GOLD), aeb_page("", GOLD)
    precision, recall, f1 = aeb_scores([perfect, empty])
    assert precision == 1.0 and recall == 0.5
    assert f1 == pytest.approx(2 * 0.5 / 1.5)


def test_case_matters_for_aeb_but_not_for_wcxb() -> None:
    assert aeb_page(GOLD.upper(), GOLD).tp == 0
    assert wcxb_page(GOLD.upper(), GOLD)[2] == 1.0


def test_wcxb_bag_of_words_with_repeats() -> None:
    # prediction a a a b; reference a b c: overlap = min(3,1) + 1 = 2; P = 2/4, R = 2/3
    precision, recall, f1 = wcxb_page("a a a b", "a b c")
    assert (precision, recall) == pytest.approx((0.5, 2 / 3))
    assert f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert wcxb_page("", "") == (1.0, 1.0, 1.0)
    assert wcxb_page("x", "") == (0.0, 0.0, 0.0)


def test_snippets() -> None:
    assert snippet_share("The Quick brown fox", ["quick brown", "lazy dog"]) == 0.5
    assert snippet_share("anything", []) == 1.0
