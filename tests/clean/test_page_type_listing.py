"""The page features that tell a listing from a single item: where its links lead, and how its text is laid
out (dates, teasers after linked headlines, repeated cards, long paragraphs)."""

from __future__ import annotations

import math

import pytest

import newsdistill
from newsdistill.clean.blocks import Block
from newsdistill.clean.classify import MODES
from newsdistill.clean.component import html_rule_blocks
from newsdistill.clean.page_type import (
    BASE_PAGE_FEATURES,
    ITEM_SHAPE,
    LINK_SHAPE,
    PUBLISHED_MARKS,
    fanout,
    item_shape,
    link_shape,
    visible_text,
)

SLUGS = [f"2024/05/{day:02d}/the-town-council-story-number-{day}" for day in range(1, 11)]
TEASER = "The council met again on Monday evening to talk about the roads, the schools and the library."
LISTING = (
    "<html><head><title>Local news</title></head><body>"
    "<nav><a href='/'>Home</a> <a href='/about'>About</a> <a href='https://other.example/x'>Partner</a></nav>"
    "<main><h1>Local news</h1>"
    + "".join(
        f"<div class='card'><h2><a href='/news/{slug}'>Headline {day} about the town council</a></h2>"
        f"<p>May {day}, 2024</p><p>{TEASER}</p></div>"
        for day, slug in enumerate(SLUGS, start=1)
    )
    + "<a href='/news/?page=2'>Next</a><link href='/style.css'></main></body></html>"
)
PARAGRAPH = (
    "The council approved the new budget on Monday after a long debate about funding for schools and roads, "
    "and officials said the plan would raise spending on repairs by a third over the next two years, while "
    "critics argued that nobody had explained where the extra money would come from."
)
ARTICLE = (
    "<html><head><title>Council passes budget</title>"
    '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-05-06"}</script>'
    '<meta name="author" content="A. Reporter"></head><body>'
    "<nav><a href='/'>Home</a> <a href='/news/'>News</a></nav><article><h1>Council passes budget</h1>"
    + f"<p>{PARAGRAPH}</p>"
    * 5
    + "<p>Related: <a href='/news/2024/05/01/the-town-council-story-number-1'>an earlier story</a></p>"
    "</article></body></html>"
)
LISTING_URL = "https://www.example.org/news/"
ARTICLE_URL = "https://example.org/news/2024/05/06/council-passes-budget"


def _shape(html: str) -> dict[str, float]:
    blocks = html_rule_blocks(html, MODES["balanced"]).blocks
    return dict(
        zip(ITEM_SHAPE, item_shape(blocks, visible_text(blocks).lower(), fanout(blocks)), strict=True)
    )


def test_a_listing_links_to_many_single_items_below_its_own_path() -> None:
    listing = dict(zip(LINK_SHAPE, link_shape(LISTING, LISTING_URL), strict=True))
    # 10 stories, home, about and the next page (its query dropped: /news/ is the page itself); not the
    # partner site, not the stylesheet
    assert listing["internal_links"] == pytest.approx(math.log1p(12))
    assert listing["child_links"] == pytest.approx(math.log1p(10))
    assert listing["item_links"] == listing["dated_links"] == listing["child_links"]
    article = dict(zip(LINK_SHAPE, link_shape(ARTICLE, ARTICLE_URL), strict=True))
    assert article["item_link_share"] < listing["item_link_share"]
    assert article["child_links"] == 0  # nothing lives below a story's own path


def test_a_listing_has_dates_teasers_and_cards_and_an_article_long_paragraphs() -> None:
    listing, article = _shape(LISTING), _shape(ARTICLE)
    assert listing["text_dates"] >= math.log1p(10) and article["text_dates"] == 0
    assert listing["teasers"] > article["teasers"]
    assert listing["teaser_cards"] >= math.log1p(10) > article["teaser_cards"]
    assert article["long_block_share"] > 0.9 and listing["long_blocks"] == 0
    assert listing["headings"] > article["headings"]


def test_links_and_dates_of_a_page_without_url_or_blocks_are_zero() -> None:
    assert link_shape("<a href='/a/b'>x</a>", None)[LINK_SHAPE.index("child_links")] >= 0
    assert item_shape([], "", fanout([])) == [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]


def test_the_published_marks_are_page_features() -> None:
    assert all(f"mark_{name}" in BASE_PAGE_FEATURES for name in PUBLISHED_MARKS)
    assert {*LINK_SHAPE, *ITEM_SHAPE} <= set(BASE_PAGE_FEATURES)


def test_the_shipped_model_types_a_hand_made_listing_as_listing_and_its_story_as_article() -> None:
    clean_only = ("decode", "clean")
    assert newsdistill.process(LISTING, url=LISTING_URL, stages=clean_only).page_type == "listing"
    assert newsdistill.process(ARTICLE, url=ARTICLE_URL, stages=clean_only).page_type == "article"


def _fanout_by_sets(blocks: list[Block]) -> tuple[int, int, int]:
    """The fan-outs counted the plain way, element by element (what page_type.fanout computes in numpy)."""
    children: dict[int, set[int]] = {}
    linked: dict[int, set[int]] = {}
    cards: dict[int, dict[int, list[int]]] = {}
    for b in blocks:
        is_link = b.link_chars * 2 > len(b.text)
        path = b.ancestors
        for depth in range(max(0, len(path) - 4), len(path) - 1):
            children.setdefault(path[depth], set()).add(path[depth + 1])
            if is_link:
                linked.setdefault(path[depth], set()).add(path[depth + 1])
            cards.setdefault(path[depth], {}).setdefault(path[depth + 1], [0, 0])[0 if is_link else 1] += 1
    card = max((sum(1 for a, t in kids.values() if a and t) for kids in cards.values()), default=0)
    return (
        max(map(len, children.values()), default=0),
        max(map(len, linked.values()), default=0),
        card,
    )


@pytest.mark.parametrize("html", [LISTING, ARTICLE, "<p>one line</p>", "<html><body></body></html>"])
def test_fanout_counts_sibling_elements_as_the_plain_count_does(html: str) -> None:
    blocks = html_rule_blocks(html, MODES["balanced"]).blocks
    fan = fanout(blocks)
    assert (fan.children, fan.linked, fan.cards) == _fanout_by_sets(blocks)
    if html == LISTING:
        assert fan.cards == 10  # ten cards, each a linked headline and a teaser


def test_fanout_reads_only_the_four_nearest_ancestors() -> None:
    deep = [Block(text=f"line {i}", start=0, end=6, ancestors=(1, 2, 3, 4, 5, 10 + i)) for i in range(3)]
    shallow = [Block(text="x", start=0, end=1, ancestors=(1, 20 + i)) for i in range(5)]
    # Element 1 holds 2 and 20-24 but sits five levels above the deep blocks: they do not count for it.
    assert fanout(deep).children == 3
    assert fanout(deep + shallow).children == 5
    assert _fanout_by_sets(deep + shallow)[0] == 5
