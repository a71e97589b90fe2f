"""Inputs: paths, stdin and containers (WARC, JSONL, Parquet) read into `RawDocument`s, and the `decode`
stage that turns their bytes into text."""

from .decode import decode

__all__ = ["decode"]
