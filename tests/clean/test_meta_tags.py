"""Page `<meta>` tags are read in one walk; which tag wins must stay what a CSS query per key gave: the first
tag with that attribute value, its content if not blank, else the next attribute or key in order."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from newsdistill.clean.html_meta import meta_tags, page_meta


def _meta(head: str) -> object:
    return page_meta(LexborHTMLParser(f"<html><head>{head}</head><body><p>Text.</p></body></html>"))


def test_the_first_tag_with_a_key_wins() -> None:
    meta = _meta('<meta property="og:title" content="First"><meta property="og:title" content="Second">')
    assert meta.title == "First"  # type: ignore[attr-defined]


def test_a_blank_tag_gives_way_to_the_next_attribute_then_the_next_key() -> None:
    meta = _meta(
        '<meta property="og:title" content="  "><meta name="og:title" content="By name">'
        '<meta property="og:site_name" content=""><meta name="application-name" content="The Outlet">'
    )
    assert meta.title == "By name"  # type: ignore[attr-defined]
    assert meta.outlet == "The Outlet"  # type: ignore[attr-defined]


def test_keys_match_exactly() -> None:
    meta = _meta(
        '<meta property="og:Title" content="Wrong case"><meta property="og:url" content="https://e.x/a">'
    )
    assert meta.title is None  # type: ignore[attr-defined]
    assert meta.url == "https://e.x/a"  # type: ignore[attr-defined]


def test_one_tag_can_carry_several_attributes() -> None:
    tags = meta_tags(LexborHTMLParser('<meta name="author" itemprop="author" content="Ann Lee">'))
    assert tags[("name", "author")] == tags[("itemprop", "author")] == "Ann Lee"
