"""Extractors compared in benchmarks/extraction.py: newsdistill and its peers, one callable each.

Each factory imports its tool lazily and returns `extract(page_text, url) -> str`, so a tool
that is not installed is reported as missing instead of breaking the run.
"""

from __future__ import annotations

import html as html_lib
import os
from collections.abc import Callable

Extract = Callable[[str, "str | None"], str]


def newsdistill_extractor(input_kind: str, mode: str = "balanced") -> Extract:
    import newsdistill
    from newsdistill.errors import SkipInput

    def extract(page: str, url: str | None) -> str:
        try:
            return newsdistill.process(
                page, url=url, input_kind=input_kind, stages=("decode", "clean"), mode=mode
            ).text  # type: ignore[arg-type]
        except SkipInput:
            return ""

    return extract


def trafilatura_extractor(precision: bool = False) -> Extract:
    import trafilatura

    def extract(page: str, url: str | None) -> str:
        return trafilatura.extract(page, url=url, include_comments=False, favor_precision=precision) or ""

    return extract


def readability_extractor() -> Extract:
    import lxml.html
    from readability import Document

    def extract(page: str, url: str | None) -> str:
        summary = Document(page).summary()
        return lxml.html.fromstring(summary).text_content() if summary.strip() else ""

    return extract


def resiliparse_extractor() -> Extract:
    from resiliparse.extract.html2text import extract_plain_text

    def extract(page: str, url: str | None) -> str:
        return extract_plain_text(page, main_content=True)

    return extract


def justext_extractor() -> Extract:
    import justext

    stoplist = justext.get_stoplist("English")

    def extract(page: str, url: str | None) -> str:
        paragraphs = justext.justext(page.encode("utf-8"), stoplist, encoding="utf-8")
        return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

    return extract


def newspaper_extractor() -> Extract:
    os.environ.setdefault("TLDEXTRACT_CACHE_TIMEOUT", "2")
    import newspaper

    def extract(page: str, url: str | None) -> str:
        article = newspaper.Article(url or "http://example.com/", fetch_images=False)
        article.download(input_html=page)
        article.parse()
        return article.text or ""

    return extract


def boilerpy_extractor() -> Extract:
    from boilerpy3 import extractors

    extractor = extractors.ArticleExtractor(raise_on_failure=False)

    def extract(page: str, url: str | None) -> str:
        return extractor.get_content(page) or ""

    return extract


def raw_text_extractor() -> Extract:
    return lambda page, url: page


def c4_extractor(fineweb: bool = False) -> Extract:
    """C4's line filter (datatrove); FineWeb runs it without the terminal-punctuation rule, then its
    doc filter."""
    from datatrove.data import Document
    from datatrove.pipeline.filters import C4QualityFilter, FineWebQualityFilter

    line_filter = C4QualityFilter(
        filter_no_terminal_punct=not fineweb, min_num_sentences=-1 if fineweb else 5
    )
    doc_filter = FineWebQualityFilter() if fineweb else None

    def extract(page: str, url: str | None) -> str:
        doc = Document(text=page, id="page")
        kept = line_filter.filter(doc)
        if kept is not True:
            return ""
        if doc_filter is not None and doc_filter.filter(doc) is not True:
            return ""
        return doc.text

    return extract


def wrap_lines(extract: Extract) -> Extract:
    """Text mode for HTML extractors: the page text wrapped as one <p> per line."""

    def wrapped(page: str, url: str | None) -> str:
        body = "".join(f"<p>{html_lib.escape(line)}</p>\n" for line in page.splitlines() if line.strip())
        return extract(f"<html><body>{body}</body></html>", url)

    return wrapped


# name -> (input the tool is given, factory)
TOOLS: dict[str, tuple[str, Callable[[], Extract]]] = {
    "newsdistill": ("html", lambda: newsdistill_extractor("html")),
    "newsdistill (precision)": ("html", lambda: newsdistill_extractor("html", "precision")),
    "trafilatura": ("html", lambda: trafilatura_extractor()),
    "trafilatura (precision)": ("html", lambda: trafilatura_extractor(precision=True)),
    "readability-lxml": ("html", readability_extractor),
    "resiliparse": ("html", resiliparse_extractor),
    "jusText": ("html", justext_extractor),
    "newspaper4k": ("html", newspaper_extractor),
    "boilerpy3": ("html", boilerpy_extractor),
    "newsdistill text": ("text", lambda: newsdistill_extractor("text")),
    "raw text (no cleaning)": ("text", raw_text_extractor),
    "trafilatura on <p> lines": ("text", lambda: wrap_lines(trafilatura_extractor())),
    "readability on <p> lines": ("text", lambda: wrap_lines(readability_extractor())),
    "jusText on <p> lines": ("text", lambda: wrap_lines(justext_extractor())),
    "C4 line filter (datatrove)": ("text", lambda: c4_extractor()),
    "FineWeb filters (datatrove)": ("text", lambda: c4_extractor(fineweb=True)),
}
