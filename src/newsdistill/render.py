"""Articles as Markdown, plain text, JSON and JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .model import Article, Attribution


def to_json(article: Article, indent: int | None = 2) -> str:
    return json.dumps(article.model_dump(mode="json"), ensure_ascii=False, indent=indent)


def to_text(article: Article) -> str:
    return article.text


def who_said_markdown(attributions: Sequence[Attribution]) -> str:
    """One Markdown list item an attribution: source in bold, cue, medium, content."""
    lines = []
    for attribution in attributions:
        source = (
            attribution.source.name or attribution.source.text if attribution.source else "(unattributed)"
        )
        cue = attribution.cue.text if attribution.cue else ""
        medium = f" ({attribution.medium})" if attribution.medium else ""
        lines.append(f"- **{source}** {cue}{medium}: {attribution.said}")
    return "\n".join(lines)


def to_markdown(article: Article) -> str:
    lines: list[str] = []
    if article.title:
        lines += [f"# {article.title}", ""]
    meta = [
        ("By", ", ".join(article.authors)),
        ("Outlet", article.outlet or ""),
        ("Published", article.published or ""),
        ("URL", article.url or ""),
    ]
    meta_line = " · ".join(f"**{k}:** {v}" for k, v in meta if v)
    if meta_line:
        lines += [meta_line, ""]
    for paragraph in article.paragraphs:
        prefix = {"heading": "## ", "list_item": "- ", "blockquote": "> "}.get(paragraph.kind, "")
        lines += [prefix + paragraph.text, ""]
    if article.captions:
        lines += ["---", "", "**Captions**", ""]
        lines += [f"- {c.text} (×{c.count})" for c in article.captions]
        lines.append("")
    if article.attributions:
        lines += ["**Who said what**", "", who_said_markdown(article.attributions), ""]
    if article.removed:
        lines += [f"<!-- removed {len(article.removed)} blocks: "]
        lines += [f"  [{r.reason}] {r.text[:80].replace('--', '- -')}" for r in article.removed]
        lines += ["-->", ""]
    return "\n".join(lines).rstrip() + "\n"


RENDERERS = {"json": to_json, "md": to_markdown, "txt": to_text}
