"""Readers: raw bytes from files, stdin and containers into `RawDocument`s."""

from .decode import RawDocument, decode

__all__ = ["RawDocument", "decode"]
