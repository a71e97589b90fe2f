"""Pages written for clients that run no scripts: their `<noscript>` content is the page (a forum's crawler
view, a script-built app's fallback); elsewhere `<noscript>` stays hidden, as a browser hides it."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

import newsdistill
from newsdistill.clean.html_blocks import page_blocks

CLEAN_ONLY = ("decode", "clean")
POSTS = [
    "I upgraded the agent last week and since then it stops every few hours without writing anything "
    "to the event log, which makes it hard to see what is going wrong on these two servers.",
    "Thanks for the report. Could you run the installer again with logging switched on and post the "
    "file here? We changed how the service restarts in the last release and this may be related.",
    "That fixed it for me: after reinstalling with the new option the service has stayed up for three "
    "days now, and the metrics are complete again.",
]


def crawler_view_page() -> str:
    posts = "".join(
        f'<div class="topic-body crawler-post"><div class="post-meta"><span class="creator">user{i}</span>'
        f'<time datetime="2025-09-2{i}">Sep 2{i}</time></div><div class="post"><p>{text}</p></div></div>'
        for i, text in enumerate(POSTS)
    )
    return f"""<!doctype html><html lang="en"><head><title>Agent keeps stopping - Help - Forum</title>
    </head><body><noscript><p>This site works best with JavaScript enabled.</p></noscript>
    <div id="app"></div><script>window.app = {{}};</script>
    <noscript data-path="/t/agent-keeps-stopping/77"><header><a href="/">Forum</a></header>
    <div id="main-outlet"><h1>Agent keeps stopping</h1>{posts}</div>
    <footer><a href="/about">About</a> <a href="/faq">FAQ</a></footer></noscript></body></html>"""


def test_a_page_whose_content_is_in_noscript_gives_its_posts() -> None:
    text = newsdistill.process(crawler_view_page(), stages=CLEAN_ONLY).text
    for post in POSTS:
        assert post in text


def test_noscript_stays_hidden_on_a_page_with_its_own_content() -> None:
    article = "".join(f"<p>{post}</p>" for post in POSTS)
    html = f"""<!doctype html><html lang="en"><head><title>Agent keeps stopping</title></head><body>
    <noscript><p>Please enable JavaScript to view the comments powered by our comment system.</p></noscript>
    <article><h1>Agent keeps stopping</h1>{article}</article></body></html>"""
    text = newsdistill.process(html, stages=CLEAN_ONLY).text
    assert POSTS[0] in text
    assert "enable JavaScript" not in text
    blocks = page_blocks(LexborHTMLParser(html))  # not read at all, not merely dropped by the model
    assert not any("enable JavaScript" in block.text for block in blocks)


def test_the_crawler_view_is_read_only_where_it_outweighs_the_page() -> None:
    blocks = page_blocks(LexborHTMLParser(crawler_view_page()))
    texts = [block.text for block in blocks]
    assert any(POSTS[1] in text for text in texts)
    # the whole page as a client without scripts shows it, the short notice too
    assert any("JavaScript enabled" in text for text in texts)
