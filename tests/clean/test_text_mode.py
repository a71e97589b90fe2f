"""Text mode on pages written here: each behaviour of the block classifier."""

from __future__ import annotations

from pathlib import Path

import pytest

import newsdistill
from newsdistill.clean.captions import normalise, split_body_and_captions
from newsdistill.clean.classify import best_run
from newsdistill.clean.metadata import outlet_name, split_site_suffix
from newsdistill.clean.text_blocks import text_to_blocks
from newsdistill.model import RawDocument
from newsdistill.stages import build_pipeline

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sample_page.txt"
CLEAN_ONLY = ("decode", "clean")

PROSE = [
    "The city council approved the new budget on Monday after a long debate about funding for schools "
    "and roads.",
    "Officials said the plan would raise spending on repairs by a third over the next two years, "
    "which is a lot.",
    "Critics argued that the council had not explained where the extra money would come from "
    "in the long run.",
]


def _clean(text: str, **kwargs: object) -> newsdistill.Article:
    return newsdistill.process(text, input_kind="text", stages=CLEAN_ONLY, **kwargs)  # type: ignore[arg-type]


def test_sample_page_metadata_and_body() -> None:
    article = _clean(SAMPLE.read_text(encoding="utf-8"))
    assert article.title == "Harbour Council Votes to Rebuild Storm-Hit Sea Wall"
    assert article.authors == ["Maren Holt"]
    assert article.published == "2025-03-12"
    assert article.outlet == "Reuters"
    assert article.text.startswith("The harbour council voted")
    assert article.text.endswith("the council said.")
    assert [c.count for c in article.captions] == [3]
    reasons = {r.text: r.reason for r in article.removed}
    assert reasons["See also Town's oldest bakery closes after 140 years"] == "related_link"
    assert reasons["© 2025 The Coastal Courier. All rights reserved."] == "footer"
    assert reasons["Home"] == "navigation"
    assert reasons["Harbour Council Votes to Rebuild Storm-Hit Sea Wall"] == "title"


NAVIGATION_PAGE = "\n".join(
    ["Home", "World", "Business", "Tech", ""] + [p + "\n" for p in PROSE] + ["About us", "Contact us"]
)


def test_navigation_before_and_footer_after_are_cut() -> None:
    article = _clean(NAVIGATION_PAGE)
    assert article.text.endswith("\n\n".join(PROSE))
    assert {r.text for r in article.removed} >= {"Home", "World", "Business", "About us", "Contact us"}


@pytest.mark.xfail(
    strict=True,
    reason="known miss since the seeded-runs decoding (RESULTS.md, stop 36): the menu's last line, which the "
    "line model doubts (P 0.35-0.75), joins the body's run; out of fold AEB gains 0.923 to 0.936",
)
def test_the_menu_line_next_to_the_body_is_cut_too() -> None:
    assert _clean(NAVIGATION_PAGE).text == "\n\n".join(PROSE)


@pytest.mark.parametrize(
    "learned",
    [
        False,
        pytest.param(
            True,
            marks=pytest.mark.xfail(
                reason="known miss of the learned line model: it keeps a teaser's headline at a short page's "
                "end as a subheading (the snippet goes); removing teasers whatever the model says cost "
                "out-of-fold F1",
                strict=True,
            ),
        ),
    ],
)
def test_teaser_headline_and_snippet_are_removed_together(learned: bool) -> None:
    page = "\n\n".join(
        [*PROSE, "Mayor opens new bridge over the river", "The mayor cut the ribbon on Friday as…"]
    )
    article = build_pipeline(CLEAN_ONLY, learned=learned)(
        RawDocument(id="page", data=page, input_kind="text")
    )
    reasons = {r.text: r.reason for r in article.removed}
    assert reasons == {
        "Mayor opens new bridge over the river": "teaser",
        "The mayor cut the ribbon on Friday as…": "teaser",
    }


def test_caption_repeated_without_body_copy() -> None:
    caption = "A woman walks past the damaged town hall on Sunday morning"
    page = "\n\n".join([PROSE[0], caption, PROSE[1], caption.replace("walks", "walks "), PROSE[2]])
    article = _clean(page)
    assert article.text == "\n\n".join(PROSE)
    assert len(article.captions) == 1 and article.captions[0].count == 2


def test_repeated_body_sentence_without_caption_shape_is_a_duplicate() -> None:
    page = "\n\n".join([*PROSE, PROSE[1]])
    article = _clean(page)
    assert article.text == "\n\n".join(PROSE)
    assert [r.reason for r in article.removed] == ["duplicate"]


def test_normalise_joins_quote_styles_and_pictured() -> None:
    assert normalise("Blinken said ‘real cracks’ (pictured)") == normalise("Blinken said 'real cracks'")
    assert normalise("A b") != normalise("A c")


def test_body_copy_is_the_one_that_ends_like_a_sentence() -> None:
    blocks = text_to_blocks(
        "Officials warned of a crisis\n\nOfficials warned of a crisis.\n\nOfficials warned of a crisis"
    )
    body, copies = split_body_and_captions(blocks, [0, 1, 2])
    assert body == 1 and copies == [0, 2]


def test_best_run_finds_the_dense_region() -> None:
    blocks = text_to_blocks("a\n\nb\n\nc\n\nd\n\ne")
    for block, score in zip(blocks, [-2, 5, -1, 4, -9], strict=True):
        block.score = score
    assert best_run(blocks) == (1, 4)


def test_block_offsets_index_the_input() -> None:
    text = "  First line here  \n\nSecond   line\n"
    blocks = text_to_blocks(text)
    assert [text[b.start : b.end] for b in blocks] == ["First line here", "Second   line"]
    assert blocks[1].text == "Second line"


def test_outlet_credit_normalisation() -> None:
    assert outlet_name("DailyMail".replace("M", " M")) == "Daily Mail"
    assert outlet_name("(AP)") == "Associated Press"
    assert outlet_name("Reuters") == "Reuters"
    assert outlet_name("Yesterday") is None
    assert split_site_suffix("Big storm hits the coast - Coastal Courier") == (
        "Big storm hits the coast",
        "Coastal Courier",
    )


def test_modes_differ_on_a_borderline_page() -> None:
    page = "\n\n".join([*PROSE, "Short note here", "Read the full report online"])
    precision = _clean(page, mode="precision")
    recall = _clean(page, mode="recall")
    assert len(precision.text) <= len(recall.text)
    assert PROSE[0] in precision.text and PROSE[0] in recall.text


def test_a_long_comment_count_heading_ends_the_article_before_a_longer_thread() -> None:
    comments = "\n\n".join(
        f"reader{n} says:\nNovember 19, 2024 at 6:{n:02d} am\n\nI have lived here for years and "
        f"the council has never once explained where the money goes, and this budget is no different "
        f"from the last one {n}."
        for n in range(12)
    )
    body = [
        *PROSE,
        "The mayor said the vote showed that the council could still agree on the things that matter "
        "most to residents.",
        "Work on the first roads is due to start in the spring, and the schools will get their new roofs "
        "by the autumn.",
        "The opposition group said it would ask the auditor to look at the figures again before "
        "the next meeting.",
    ]
    page = (
        "\n\n".join(body) + "\n\n12 responses to “ Council passes budget after a long debate about "
        "schools and roads ”\n\n" + comments
    )
    article = _clean(page)
    assert all(p in article.text for p in body)
    assert "I have lived here" not in article.text
    assert any(r.reason == "comment_form" and r.text.startswith("12 responses") for r in article.removed)


def test_a_hard_wrapped_paragraph_becomes_one_block_spanning_its_lines() -> None:
    text = (
        "Officials warned on Monday that the talks had\nfailed and that the ceasefire would not\n"
        "hold. A new line starts here.\n\nNext paragraph."
    )
    blocks = text_to_blocks(text)
    assert [b.text for b in blocks] == [
        "Officials warned on Monday that the talks had failed and that the ceasefire would not hold. A new "
        "line starts here.",
        "Next paragraph.",
    ]
    assert (blocks[0].start, blocks[0].end) == (0, text.index("\n\n")) and blocks[0].words == 21


def test_words_of_a_long_wrapped_paragraph_are_counted_once_not_once_per_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import newsdistill.clean.blocks as blocks_module

    counted: list[int] = []
    count_words = blocks_module.count_words
    monkeypatch.setattr(
        blocks_module, "count_words", lambda text: counted.append(len(text)) or count_words(text)
    )
    line = "and so the meeting went on without any end in sight for the people who"
    text = "\n".join([line] * 5_000)  # one unpunctuated paragraph, hard-wrapped at 72 characters
    blocks = text_to_blocks(text)
    assert len(blocks) == 1 and blocks[0].words == 15 * 5_000
    assert sum(counted) <= 3 * len(text)  # each line's block, then the paragraph's: not 5,000 growing texts
