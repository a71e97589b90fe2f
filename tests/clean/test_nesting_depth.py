"""`nesting_depth` counts on raw tags in time linear in the page (issue 10, item 8)."""

from __future__ import annotations

import random
import re
import time

import pytest

from newsdistill.clean.html_blocks import nesting_depth

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]{0,15})\b[^>]*?(/?)>")
_NOT_NESTING = set(
    "br img meta link input hr area base col embed source track wbr param p li td th tr dt dd "
    "option script style".split()
)


def _reference_depth(html: str, give_up_at: int) -> int:
    """The rule, written plainly (quadratic on unclosed tags): fine on short pages."""
    if html.count("<") < give_up_at:
        return 0
    depth = deepest = 0
    for closing, name, self_closing in _TAG.findall(html):
        if self_closing or name.lower() in _NOT_NESTING:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
        if deepest >= give_up_at:
            break
    return deepest


@pytest.mark.parametrize("html", ['"<a ' * 225_000, "<div>" * 100 + '"<a ' * 225_000, "<b " * 300_000 + ">"])
def test_unclosed_tags_cost_linear_time(html: str) -> None:
    """900 KB of '"<a ' took a minute: each '<a' scanned to the end of the page for a '>'."""
    started = time.process_time()  # CPU time: a loaded machine stretches wall time, not this
    depth = nesting_depth(html, 5_000)
    assert time.process_time() - started < 5
    assert depth == html.count("<div>") + html.endswith(">")


def test_the_depth_is_the_plain_rule_on_small_pages() -> None:
    pieces = ["<a", "<div", "</div>", "<p>", ">", "/>", " ", "x", "<br/>", "</", "<span class='a>b'>", "<"]
    generator = random.Random(7)
    for _ in range(2_000):
        html = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 60)))
        for give_up_at in (1, 2, 5):
            assert nesting_depth(html, give_up_at) == _reference_depth(html, give_up_at), html
    assert nesting_depth("<div><section><p>x</p></section></div>" * 3, 2) == 2
