"""Shared test helpers: where ../shared is, and skipping cleanly when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
SEED = SHARED / "seed" / "000_654be0a9bebca5c9.txt"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a clean skip with a message when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: shared data (../shared) is needed for this test")
    return path


@pytest.fixture(scope="session")
def seed_bytes() -> bytes:
    return shared_path("seed", "000_654be0a9bebca5c9.txt").read_bytes()


@pytest.fixture(scope="session")
def polnear_dir() -> Path:
    return shared_path("data", "polnear")
