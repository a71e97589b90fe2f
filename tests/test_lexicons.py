"""Lexicons kept as data files: pattern lists load in file order and build the cleaner's patterns."""

from __future__ import annotations

import pytest

from newsdistill.clean.lexicon import COMMENT_COUNT_HEADING, END_MARKERS
from newsdistill.lexicons import pattern_list

END_MARKER_BLOCKS = [
    "Leave a Reply",
    "3 Comments",
    "Comments (12)",
    "34 responses to “Council passes budget after a long debate”",
    "View all 45 comments",
    "What do you think?",
    "Readers' comments",
    "Related articles:",
    "More from Politics",
    "You may also like",
    "Want more stories like this?",
    "Most popular",
    "Sign up for our newsletter",
    "From around the web",
    "Editor’s picks",
    "Editors' Choice",
    "About the author",
    "Tags:",
    "Topics",
]
PROSE_BLOCKS = [
    "The council said comments were welcome until Friday.",
    "Leave a reply below if you disagree with the mayor",
    "Related coverage of the budget vote is on page two",
    "More from the mayor about a budget that has grown by a third over five years",
    "Contact us today for a quote",
    "Discussion of the plan went on until midnight.",
]


def test_pattern_list_keeps_file_order_and_leaves_out_comments_and_blank_lines() -> None:
    markers = pattern_list("end_markers")
    assert markers[0] == "leave a (?:reply|comment)"
    assert markers[-1] == r"(?:\d+\s+)?reacties?(?:\s*\(\d+\))?"  # the file's last line: Dutch comments
    assert all(marker and marker == marker.strip() and not marker.startswith("#") for marker in markers)
    assert len(set(markers)) == len(markers)


def test_end_markers_comment_count_line_matches_the_heading_pattern() -> None:
    # The data file spells the comment-count pattern out; it must not drift from COMMENT_COUNT_HEADING.
    assert COMMENT_COUNT_HEADING.pattern.removeprefix("^") + ".*" in pattern_list("end_markers")


@pytest.mark.parametrize("block", END_MARKER_BLOCKS)
def test_end_markers_match_whole_chrome_headings(block: str) -> None:
    assert END_MARKERS.match(block)


@pytest.mark.parametrize("block", PROSE_BLOCKS)
def test_end_markers_leave_prose_alone(block: str) -> None:
    assert not END_MARKERS.match(block)
