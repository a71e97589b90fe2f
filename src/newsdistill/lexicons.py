"""Word lists shared by several wings, kept as data files in the package (one entry a line, '#' comments)."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def word_list(name: str) -> frozenset[str]:
    """The words of `data/<name>.txt`, lowercased, comments and blank lines left out."""
    text = resources.files("newsdistill").joinpath("data", f"{name}.txt").read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line)


STOPWORDS = word_list("stopwords")
