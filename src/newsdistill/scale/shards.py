"""What both engines share: the shape of a shard going in and coming out, and the engine protocol.

`engine.py` (the run, the local engine) and `ray_engine.py` both import this; neither imports the other at
module level, so the scale wing has no import circle.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from ..model import RawDocument
from .mapping import Outcome

ShardInput = tuple[int, list[RawDocument]]
ShardOutput = tuple[int, list[Outcome]]


class Engine(Protocol):
    def map_shards(self, shards: Iterable[ShardInput]) -> Iterator[ShardOutput]: ...

    def group_bands(self, rows: Iterable[tuple[int, int]]) -> list[list[int]]: ...

    def close(self) -> None: ...
