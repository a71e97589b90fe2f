"""Per-page limits that bound memory and time; a page over one is skipped with that reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_input_bytes: int = 50 * 1024 * 1024  # raw bytes as read (after decompression)
    max_decompressed_bytes: int = 50 * 1024 * 1024  # gzip bombs stop here
    max_text_chars: int = 5_000_000  # decoded characters handed to the cleaners
    max_html_depth: int = 5_000  # a page nested deeper is skipped (parsers recurse on depth)
    max_blocks: int = 50_000
    # Characters the spaCy stages (entities, attribution) take: parsing 500k costs 22 s of CPU and 0.6 GB,
    # 1M costs 45 s, too near the 60 s page limit on a busy machine (measured on PolNeAR text).
    max_nlp_chars: int = 500_000


DEFAULT_LIMITS = Limits()
