"""End to end on the real seed page: the behaviour the cleaning issue asks for."""

from __future__ import annotations

import re

import pytest

import newsdistill
from newsdistill.clean.captions import normalise

CLEAN_ONLY = ("decode", "clean")


@pytest.fixture(scope="module")
def seed_article(seed_bytes: bytes) -> newsdistill.Article:
    return newsdistill.process(seed_bytes, stages=CLEAN_ONLY)


def _seed_paragraph_lines(seed_bytes: bytes) -> list[str]:
    """The seed's article paragraphs, found independently of the cleaner: every line from the
    first to 'DailyMail' that is neither repeated elsewhere nor a 'See also' link."""
    lines = [line.strip() for line in seed_bytes.decode("utf-8").splitlines() if line.strip()]
    body = lines[: lines.index("DailyMail")]
    keys = [normalise(line) for line in body]
    first_seen = {key: keys.index(key) for key in keys}
    paragraphs = []
    for i, line in enumerate(body):
        if line.startswith("See also"):
            continue
        repeats = keys.count(keys[i])
        if repeats == 1 or (first_seen[keys[i]] == i and line.endswith(".")):
            paragraphs.append(" ".join(line.split()))
    return paragraphs


def test_text_is_exactly_the_23_article_paragraphs_in_order(seed_article, seed_bytes) -> None:
    expected = _seed_paragraph_lines(seed_bytes)
    assert len(expected) == 23
    assert [p.text for p in seed_article.paragraphs] == expected
    assert seed_article.text == "\n\n".join(expected)


def test_paragraph_offsets_index_the_text(seed_article) -> None:
    for paragraph in seed_article.paragraphs:
        assert seed_article.text[paragraph.start : paragraph.end] == paragraph.text


def test_captions_are_unique_with_counts(seed_article) -> None:
    assert 5 <= len(seed_article.captions) <= 6
    keys = [normalise(c.text) for c in seed_article.captions]
    assert len(set(keys)) == len(keys)
    wagner = next(c for c in seed_article.captions if c.text.startswith("PMC Wagner"))
    assert wagner.count == 4
    assert all(c.text not in seed_article.text for c in seed_article.captions if "pictured" in c.text)


def test_body_paragraph_repeated_as_caption_stays_once(seed_article) -> None:
    sentence = "Western officials warned that his grip on Russia is crumbling"
    assert seed_article.text.count(sentence) == 1
    assert any(c.text.startswith(sentence) for c in seed_article.captions)


def test_outlet_from_the_bare_credit(seed_article) -> None:
    assert seed_article.outlet == "Daily Mail"
    assert "DailyMail" not in seed_article.text


def test_chrome_and_see_also_are_removed_with_reasons(seed_article, seed_bytes) -> None:
    text = seed_bytes.decode("utf-8")
    removed = {r.text: r for r in seed_article.removed}
    see_also = [line.strip() for line in text.splitlines() if line.startswith("See also")]
    assert len(see_also) == 2
    for line in see_also:
        assert removed[" ".join(line.split())].reason == "related_link"
    tail = [line.strip() for line in text[text.index("Leave a Reply") :].splitlines() if line.strip()]
    for line in tail:
        assert line in removed, line
        assert removed[line].reason not in {"duplicate", "caption_duplicate"}
    assert removed["Leave a Reply"].reason == "comment_form"
    assert removed["Sign Up for Our Newsletters"].reason == "newsletter"
    assert all(r.reason == "teaser" for r in seed_article.removed if r.text.endswith("…"))


def test_removed_blocks_point_back_into_the_input(seed_article, seed_bytes) -> None:
    text = seed_bytes.decode("utf-8")
    starts = [r.input_start for r in seed_article.removed]
    assert starts == sorted(starts)
    for block in seed_article.removed:
        assert block.input_start is not None and block.input_end is not None
        assert " ".join(text[block.input_start : block.input_end].split()) == block.text


def test_nothing_is_lost(seed_article, seed_bytes) -> None:
    """Every line of the input is in the text, a caption or a removed block."""
    kept = set(seed_article.text.split("\n\n")) | {r.text for r in seed_article.removed}
    for line in seed_bytes.decode("utf-8").splitlines():
        if line.strip():
            assert " ".join(line.split()) in kept


def test_list_intro_and_items(seed_article) -> None:
    kinds = {p.text[:30]: p.kind for p in seed_article.paragraphs}
    assert kinds["Jets linked to Putin returned "] == "list_item"
    assert kinds["In Ukraine, gleeful forces mad"] == "list_item"
    assert kinds["Wagner forces claimed they had"] == "paragraph"


def test_no_curly_straight_duplicate_survives(seed_article) -> None:
    keys = [normalise(p.text) for p in seed_article.paragraphs]
    assert len(keys) == len(set(keys))
    assert not re.search(r"\(pictured\)", seed_article.text)
