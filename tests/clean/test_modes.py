"""`--mode`: precision keeps a subset of what balanced keeps, and recall a superset, on real pages; on some
pages they differ. Precision keeps a block only where the model (at a higher cut-off) and the rules agree,
recall where either keeps it."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

import newsdistill
from newsdistill.errors import SkipInput

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
# The AEB pages as HTML, and as whole-page text (text mode's learned line model meets the rules the same way).
FOLDERS = {"html": DATA / "aeb" / "html", "text": DATA / "textmode" / "aeb"}
CLEAN_ONLY = ("decode", "clean")


def _pages(kind: str, count: int) -> list[bytes]:
    folder = FOLDERS[kind]
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent: the AEB pages come from ../shared")
    files = sorted(folder.iterdir())[:count]
    return [gzip.decompress(f.read_bytes()) if f.suffix == ".gz" else f.read_bytes() for f in files]


def _kept(page: bytes, kind: str, mode: str) -> set[str]:
    try:
        article = newsdistill.process(page, input_kind=kind, stages=CLEAN_ONLY, mode=mode)
    except SkipInput:
        return set()
    return {line for line in article.text.split("\n") if line.strip()}


@pytest.mark.parametrize("kind", ["html", "text"])
def test_precision_keeps_a_subset_and_recall_a_superset_of_balanced(kind: str) -> None:
    differ = cleaned = 0
    for page in _pages(kind, 25):
        precision, balanced, recall = (
            _kept(page, kind, mode) for mode in ("precision", "balanced", "recall")
        )
        assert precision <= balanced <= recall
        differ += precision != recall
        cleaned += bool(balanced)
    assert cleaned >= 20, f"only {cleaned} of 25 pages gave text"
    assert differ >= 5, f"the modes differ on only {differ} of 25 pages"
