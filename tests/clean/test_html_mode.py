"""HTML mode on pages written here: DOM evidence, metadata and the shared block logic."""

from __future__ import annotations

import json

import pytest
from selectolax.lexbor import LexborHTMLParser

import newsdistill
from newsdistill.clean.html_blocks import html_to_blocks

CLEAN_ONLY = ("decode", "clean")
PARAS = [
    "The city council approved the new budget on Monday after a long debate about funding for schools "
    "and roads.",
    "Officials said the plan would raise spending on repairs by a third over the next two years, "
    "which is a lot.",
    "Critics argued that the council had not explained where the extra money would come from "
    "in the long run.",
]
LD = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "Council passes budget",
    "author": [{"@type": "Person", "name": "Jo Reed"}],
    "datePublished": "2024-05-06T10:00:00Z",
    "publisher": {"@type": "Organization", "name": "The Example Times"},
}


def page(body_extra: str = "", ld: dict[str, object] | None = LD) -> str:
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    script = f'<script type="application/ld+json">{json.dumps(ld)}</script>' if ld else ""
    related = (
        '<aside class="related-stories"><h2>Related</h2><ul>'
        '<li><a href="/a">Other story one about the weather</a></li>'
    )
    return f"""<!doctype html><html lang="en-GB"><head><title>Council passes budget | Example Times</title>
    <meta property="og:url" content="https://example.org/news/budget">{script}</head><body>
    <nav class="main-menu"><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
    <li><a href="/sport">Sport</a></li></ul></nav>
    <article class="story"><h1>Council passes budget</h1><p class="byline">By Jo Reed</p>
    {paras}
    <figure><img src="x.jpg"><figcaption>The council chamber on Monday night</figcaption></figure>
    {body_extra}
    <div class="share-tools"><a href="#">Share on Facebook</a> <a href="#">Share on Twitter</a></div>
    </article>
    {related}
    <li><a href="/b">Other story two about the trains</a></li></ul></aside>
    <footer class="site-footer"><p>© 2024 Example Times. All rights reserved.</p></footer>
    <script>var x = "not text";</script></body></html>"""


def _clean(html: str) -> newsdistill.Article:
    return newsdistill.process(html, stages=CLEAN_ONLY)


def test_article_body_from_html() -> None:
    article = _clean(page())
    assert article.input_kind == "html"
    assert article.text == "\n\n".join(PARAS)
    assert [c.text for c in article.captions] == ["The council chamber on Monday night"]


def test_metadata_from_json_ld_and_meta() -> None:
    article = _clean(page())
    assert article.title == "Council passes budget"
    assert article.authors == ["Jo Reed"]
    assert article.published == "2024-05-06"
    assert article.outlet == "The Example Times"
    assert article.url == "https://example.org/news/budget"
    assert article.language == "en"


def test_metadata_without_json_ld_falls_back_to_title_and_byline() -> None:
    article = _clean(page(ld=None))
    assert article.title == "Council passes budget"
    assert article.outlet == "Example Times"
    assert article.authors == ["Jo Reed"]


def test_chrome_is_removed_with_reasons() -> None:
    article = _clean(page())
    reasons = {r.text: r.reason for r in article.removed}
    assert reasons["Home"] == "navigation"
    assert reasons["© 2024 Example Times. All rights reserved."] == "footer"
    assert reasons["Council passes budget"] == "title"
    assert reasons["By Jo Reed"] == "byline"
    assert "not text" not in " ".join(reasons)


def test_link_heavy_block_inside_article_is_related_link() -> None:
    extra = '<p><a href="/x">Read: Why the bridge closed for a week in March</a></p>'
    article = _clean(page(extra))
    assert "bridge closed" not in article.text
    assert any("bridge closed" in r.text and r.reason == "related_link" for r in article.removed)


def test_precision_mode_removes_a_one_link_paragraph_inside_the_article() -> None:
    extra = '<p><a href="/x">Read: Why the bridge closed for a week in March</a></p>'
    article = newsdistill.process(page(extra), stages=CLEAN_ONLY, mode="precision")
    assert "bridge closed" not in article.text and PARAS[0] in article.text
    assert any("bridge closed" in r.text and r.reason == "related_link" for r in article.removed)


def test_headings_and_list_items_keep_their_kind() -> None:
    extra = (
        "<h2>What happens next</h2><ul><li>The budget goes to a public vote in June, officials said today."
        "</li></ul>"
    )
    article = _clean(page(extra))
    kinds = {p.text: p.kind for p in article.paragraphs}
    assert kinds["What happens next"] == "heading"
    assert kinds["The budget goes to a public vote in June, officials said today."] == "list_item"


def test_deeply_nested_html_does_not_recurse() -> None:
    depth = 20_000
    html = "<html><body>" + "<div>" * depth + " ".join(PARAS) + "</div>" * depth + "</body></html>"
    blocks = html_to_blocks(LexborHTMLParser(html), max_depth=400)
    assert blocks and PARAS[0] in blocks[0].text
    assert len(blocks[0].ancestors) <= 400


def test_malformed_html_still_yields_text() -> None:
    html = "<html><body><div><p>" + PARAS[0] + "<p>" + PARAS[1] + "<div><span>" + PARAS[2]
    article = _clean(html)
    assert all(p in article.text for p in PARAS)


def test_absurdly_deep_page_is_skipped_quickly() -> None:
    html = (
        "<html><body>" + "<div>" * 300_000 + "<p>" + PARAS[0] + "</p>" + "</div>" * 300_000 + "</body></html>"
    )
    with pytest.raises(newsdistill.SkipInput, match="nested deeper"):
        _clean(html)


def test_a_sign_up_box_inside_the_article_body_is_removed_as_a_newsletter() -> None:
    box = (
        '<div class="article-body__newsletter"><h2 class="signupTitle">Breaking News Emails</h2>'
        "<div>Get breaking news alerts and special reports. The news and stories that matter, "
        "delivered weekday mornings.</div></div>"
    )
    article = newsdistill.process(page(box), stages=CLEAN_ONLY)
    assert "breaking news alerts" not in article.text
    assert any(r.reason == "newsletter" and "breaking news alerts" in r.text for r in article.removed)
    assert all(p in article.text for p in PARAS)


def test_captions_named_by_class_are_captions_not_body() -> None:
    caption = "The mayor signs the budget in the council chamber on Monday evening, watched by her deputies."
    figure = (
        f'<div class="InlineImage-wrapper"><div class="InlineImage-imageEmbedCaption">{caption}</div>'
        '<div class="InlineImage-imageEmbedCredit">Jo Reed | Example Times</div></div>'
    )
    article = newsdistill.process(page(figure), stages=CLEAN_ONLY)
    assert caption not in article.text
    assert caption in [c.text for c in article.captions]


def test_camel_case_class_names_do_not_hide_forum_posts() -> None:
    posts = "".join(
        f'<div class="message-body js-replyButton p-body-main--withSidebar"><p>{p}</p></div>' for p in PARAS
    )
    article = newsdistill.process(page(posts), stages=CLEAN_ONLY)
    assert article.text.count(PARAS[0]) >= 1 and all(p in article.text for p in PARAS)


def test_japanese_paragraphs_count_as_prose() -> None:
    paras = [
        "市議会は月曜日、長い議論の末に新しい予算案を承認した。学校と道路の整備費が大きく増えることになる。",
        "担当者によると、修繕費は今後二年間で三分の一ほど増える見通しだという。財源については来月説明する予定だ。",
        "一方で、反対派の議員は追加の財源がどこから来るのかを議会が十分に説明していないと批判している。",
    ]
    html = (
        "<html lang=ja><body><nav><a href=/>ホーム</a> <a href=/news>ニュース</a></nav>"
        "<article><h1>予算案を承認</h1>"
        + "".join(f"<p>{p}</p>" for p in paras)
        + "</article><footer>© 2024 Example</footer></body></html>"
    )
    article = newsdistill.process(html, stages=CLEAN_ONLY)
    assert all(p in article.text for p in paras)
    assert "ホーム" not in article.text


def test_hints_of_an_element_wrapping_most_of_the_page_are_dropped() -> None:
    # 'has-newsletter' on the page's wrapper says nothing about its blocks; on a small box it does.
    body = "<p>" + "The council met on Monday to talk about the roads and the schools. " * 5 + "</p>"
    box = "<div class='newsletter'><p>Get the daily email</p></div>"
    wrapper = f"<div class='has-newsletter'>{body * 4}{box}</div>"
    page = f"<html><body>{wrapper}<footer>Site footer</footer></body></html>"
    blocks = html_to_blocks(LexborHTMLParser(page))
    by_text = {b.text[:20]: b.hints for b in blocks}
    assert "newsletter" not in by_text["The council met on M"]
    assert by_text["Get the daily email"] == frozenset({"newsletter"})
    assert by_text["Site footer"] == frozenset({"footer"})
    # The same wrapper around a quarter of the page keeps its hint.
    small = f"<html><body>{body * 3}<div class='has-newsletter'>{body}</div></body></html>"
    hints = [b.hints for b in html_to_blocks(LexborHTMLParser(small))]
    assert hints[:3] == [frozenset()] * 3 and hints[3] == frozenset({"newsletter"})
