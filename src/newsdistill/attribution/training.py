"""`newsdistill train attribution`: the CRF from PolNeAR train, reproducibly."""

from __future__ import annotations

from pathlib import Path

from .crf import MODEL_PATH, train
from .polnear import ROLES, read_split


def training_pairs(
    data: Path, split: str = "train", limit: int | None = None
) -> list[tuple[str, list[tuple[str, int, int]]]]:
    if not (data / "data" / split / "text").is_dir():
        raise FileNotFoundError(f"no PolNeAR {split} split under {data} (expected data/{split}/text)")
    pairs = []
    for article in read_split(data, split, limit):
        spans = [
            (role, start, end)
            for gold in article.attributions
            for role in ROLES
            for start, end in getattr(gold, role.lower())
        ]
        pairs.append((article.text, spans))
    return pairs


def train_attribution(
    data: Path, out: Path | None = None, limit: int | None = None, iterations: int = 150
) -> Path:
    return train(training_pairs(data, "train", limit), out or MODEL_PATH, max_iterations=iterations)
