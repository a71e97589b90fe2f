"""The article page's paragraphs with each attribution's content marked and its source named.
Every piece of text is escaped here; only our own tags are markup."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from ..model import said_text


def said(attribution: dict[str, Any]) -> str:
    """A stored attribution's content as a reader quotes it (the pieces a cue splits, without the cue)."""
    parts = [part["text"] for part in attribution.get("content_parts") or []]
    return said_text(attribution["content"]["text"], parts)


def _marks(article: dict[str, Any]) -> list[tuple[int, int, str, str]]:
    marks = []
    for attribution in article.get("attributions", []):
        source = attribution.get("source") or {}
        speaker = source.get("name") or source.get("text") or "unattributed"
        cue = (attribution.get("cue") or {}).get("text") or "quoted"
        title = f"{speaker} ({cue}, {attribution.get('kind')})"
        for piece in attribution.get("content_parts") or [attribution["content"]]:  # not the cue between
            marks.append((piece["start"], piece["end"], speaker, title))
    marks.sort()
    kept: list[tuple[int, int, str, str]] = []
    for mark in marks:  # nested or overlapping marks: the first one wins
        if not kept or mark[0] >= kept[-1][1]:
            kept.append(mark)
    return kept


def speaker_link(speaker: str) -> Markup:
    """The speaker's name as a link to what they said; an unattributed mark names no one."""
    if speaker == "unattributed":
        return escape(speaker)
    return Markup('<a href="/entities?name={}">{}</a>').format(quote(speaker, safe=""), speaker)


def highlight_paragraphs(article: dict[str, Any]) -> list[dict[str, Any]]:
    text = article.get("text", "")
    marks = _marks(article)
    result = []
    for paragraph in article.get("paragraphs", []):
        start, end = paragraph["start"], paragraph["end"]
        html, cursor = [], start
        for m_start, m_end, speaker, label in marks:
            if m_end <= start or m_start >= end:
                continue
            m_start, m_end = max(m_start, start), min(m_end, end)
            html.append(escape(text[cursor:m_start]))
            html.append(
                Markup('<mark class="said" title="{}">{}</mark><sup class="who">{}</sup>').format(
                    label, text[m_start:m_end], speaker_link(speaker)
                )
            )
            cursor = m_end
        html.append(escape(text[cursor:end]))
        result.append({"kind": paragraph["kind"], "html": Markup("").join(html)})
    return result


def search_marks() -> tuple[str, str]:
    """Markers for the matched words of one search's snippets. Scraped text can hold any character
    (private-use ones included), but not a random token drawn after it was stored; the markers are
    letters, digits and brackets, which escaping leaves as they are."""
    token = secrets.token_hex(8)
    return f"[{token}[", f"]{token}]"


def snippet_html(snippet: str | None, marks: tuple[str, str]) -> Markup:
    """A search snippet, escaped, with the words between `marks` in <mark>."""
    html = str(escape(snippet or ""))
    return Markup(html.replace(marks[0], "<mark>").replace(marks[1], "</mark>"))
