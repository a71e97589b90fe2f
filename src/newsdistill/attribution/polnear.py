"""Read PolNeAR (brat standoff) into texts and attribution relations with character spans."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROLES = ("Source", "Cue", "Content")


@dataclass
class GoldAttribution:
    source: list[tuple[int, int]] = field(default_factory=list)  # fragments of discontinuous spans
    cue: list[tuple[int, int]] = field(default_factory=list)
    content: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class GoldArticle:
    name: str
    text: str
    attributions: list[GoldAttribution]


def _parse_spans(offsets: str) -> list[tuple[int, int]]:
    spans = []
    for fragment in offsets.split(";"):
        start, end = fragment.split()
        spans.append((int(start), int(end)))
    return spans


def parse_ann(ann: str) -> list[GoldAttribution]:
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    relations: list[dict[str, str]] = []
    for line in ann.splitlines():
        if not line or "\t" not in line:
            continue  # continuation line of a multi-line span text
        key, body = line.split("\t", 1)[:2]
        if key.startswith("T"):
            kind, _, offsets = body.split("\t", 1)[0].partition(" ")
            spans[key] = (kind, _parse_spans(offsets))
        elif key.startswith("E"):
            relations.append(dict(part.split(":", 1) for part in body.split() if ":" in part))
    result = []
    for relation in relations:
        gold = GoldAttribution()
        for role, target in relation.items():
            base = role.rstrip("0123456789")
            if base in ROLES and target in spans:
                getattr(gold, base.lower()).extend(spans[target][1])
        result.append(gold)
    return result


def read_split(root: Path, split: str, limit: int | None = None) -> Iterator[GoldArticle]:
    """Articles of one split; with several annotators, the first id in sorted order."""
    text_dir, ann_dir = root / "data" / split / "text", root / "data" / split / "attributions"
    for text_path in sorted(text_dir.glob("*.txt"))[:limit]:
        anns = sorted(ann_dir.glob(f"{text_path.stem}_*.ann"))
        if not anns:
            continue
        text = text_path.read_text(encoding="utf-8")
        yield GoldArticle(text_path.stem, text, parse_ann(anns[0].read_text(encoding="utf-8")))
