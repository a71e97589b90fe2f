"""Fuzzing input detection, cleaning and attribution with hypothesis.

Bounded in `make test` (a few hundred examples); `make fuzz` runs the same properties longer
(HYPOTHESIS_PROFILE=fuzz). Every crash found becomes a regression test below.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import newsdistill
from newsdistill.errors import SkipInput
from newsdistill.inputs.decode import RawDocument, decode

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TAGS = [
    "p",
    "div",
    "a",
    "article",
    "nav",
    "footer",
    "h1",
    "li",
    "ul",
    "figure",
    "figcaption",
    "script",
    "table",
    "td",
    "br",
]
WORDS = [
    "the",
    "council",
    "said",
    "“",
    "”",
    "‘",
    "’",
    '"',
    "'",
    "See also",
    "Share",
    "©",
    "…",
    "(pictured)",
    "Reuters",
    "she",
    "warned",
    "that",
    "according to",
    ":",
    ".",
    ",",
    "\n",
    "\n\n",
    "<",
    ">",
    "&amp;",
]


@st.composite
def html_pages(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 40))):
        tag = draw(st.sampled_from(TAGS))
        text = " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=30)))
        attrs = draw(
            st.sampled_from(["", ' class="share"', ' class="article-body"', ' id="comments"', ' href="x"'])
        )
        closing = draw(st.booleans())
        parts.append(f"<{tag}{attrs}>{text}" + (f"</{tag}>" if closing else ""))
    return "<html><body>" + "".join(parts) + "</body></html>"


texts = st.lists(st.sampled_from(WORDS) | st.text(max_size=20), max_size=80).map(" ".join)


def _clean(raw: str | bytes, kind: str = "auto") -> newsdistill.Article | None:
    try:
        return newsdistill.process(raw, input_kind=kind, stages=("decode", "clean"))  # type: ignore[arg-type]
    except SkipInput:
        return None


def _check(article: newsdistill.Article | None) -> None:
    if article is None:
        return
    for paragraph in article.paragraphs:
        assert article.text[paragraph.start : paragraph.end] == paragraph.text
    assert all(r.reason for r in article.removed)


@given(st.binary(max_size=3000))
def test_any_bytes_decode_or_skip(data: bytes) -> None:
    try:
        text, kind = decode(RawDocument(id="fuzz", data=data))
    except SkipInput as exc:
        assert exc.reason
        return
    assert kind in {"html", "text"} and isinstance(text, str)


@given(html_pages())
def test_any_html_cleans_or_skips(page: str) -> None:
    _check(_clean(page, "html"))


@given(texts)
def test_any_text_cleans_or_skips(text: str) -> None:
    _check(_clean(text, "text"))


@settings(max_examples=25)
@given(texts)
def test_any_text_attributes(text: str) -> None:
    for attribution in newsdistill.attribute(text):
        for span in (attribution.source, attribution.cue, attribution.content):
            if span is not None:
                assert text[span.start : span.end] == span.text


@pytest.mark.parametrize(
    "text",
    [
        "a" * 200_000,  # one enormous word
        "(" * 50_000 + ")" * 50_000,  # deep brackets for the regexes
        "“" * 20_000,  # quote marks that never close
        "said " * 30_000,  # cue words everywhere
        ("Share\n" * 5000) + "The council said the bridge would reopen in May after repairs were made.",
        "\x00\x01\x02 text with control characters \x1b[31m",
    ],
)
def test_pathological_inputs_are_fast_and_safe(text: str) -> None:
    import time

    started = time.monotonic()
    _check(_clean(text, "text"))
    _check(_clean(f"<html><body><p>{text}</p></body></html>", "html"))
    assert time.monotonic() - started < 20
