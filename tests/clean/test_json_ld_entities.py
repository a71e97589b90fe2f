"""A JSON-LD headline is script text: character references in it are read as the characters they name."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from newsdistill.clean.html_meta import page_meta


def test_json_ld_headline_entities_are_unescaped() -> None:
    headline = "Anthony Lynn: &#8220;We needed to win this&nbsp;game&#8221; &amp; more"
    page = (
        '<html><head><script type="application/ld+json">'
        f'{{"@type": "NewsArticle", "headline": "{headline}", "datePublished": "2024-05-06"}}'
        "</script></head><body><p>Text.</p></body></html>"
    )
    meta = page_meta(LexborHTMLParser(page))
    assert meta.title == "Anthony Lynn: “We needed to win this game” & more"
