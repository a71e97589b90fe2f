"""`--mode`: precision keeps a subset of what balanced keeps, and recall a superset, on real pages; on some
pages they differ. Precision keeps a block only where the model (at a higher cut-off) and the rules agree,
recall where either keeps it."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

import newsdistill
from newsdistill.errors import SkipInput

AEB = Path(__file__).resolve().parents[3] / "shared" / "data" / "aeb" / "html"
CLEAN_ONLY = ("decode", "clean")


def _pages(count: int) -> list[bytes]:
    if not AEB.is_dir():
        pytest.skip(f"{AEB} is absent: the AEB pages come from ../shared")
    files = sorted(AEB.iterdir())[:count]
    return [gzip.decompress(f.read_bytes()) if f.suffix == ".gz" else f.read_bytes() for f in files]


def _kept(page: bytes, mode: str) -> set[str]:
    try:
        article = newsdistill.process(page, input_kind="html", stages=CLEAN_ONLY, mode=mode)
    except SkipInput:
        return set()
    return {line for line in article.text.split("\n") if line.strip()}


def test_precision_keeps_a_subset_and_recall_a_superset_of_balanced() -> None:
    differ = cleaned = 0
    for page in _pages(25):
        precision, balanced, recall = (_kept(page, mode) for mode in ("precision", "balanced", "recall"))
        assert precision <= balanced <= recall
        differ += precision != recall
        cleaned += bool(balanced)
    assert cleaned >= 20, f"only {cleaned} of 25 pages gave text"
    assert differ >= 5, f"the modes differ on only {differ} of 25 pages"
