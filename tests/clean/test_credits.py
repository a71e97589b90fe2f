"""Credited outlets (`Article.credited_outlet`) read from text pages by the clean stage."""

from __future__ import annotations

import pytest

import newsdistill
from newsdistill.clean.credits import credited_name

BODY = [
    "The city council approved the new budget on Monday after a long debate about funding for schools.",
    "Officials said the plan would raise spending on repairs by a third over the next two years, a lot.",
    "Critics argued that the council had not explained where the extra money would come from in time.",
]


def _clean(*, before: str = "", first: str = "", after: str = "") -> newsdistill.Article:
    paragraphs = [first + BODY[0], *BODY[1:]]
    text = "\n\n".join(p for p in [before, *paragraphs, after] if p)
    return newsdistill.process(text, input_kind="text", stages=("decode", "clean"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("page", "credited"),
    [
        ({"after": "DailyMail"}, "Daily Mail"),
        ({"after": "Reuters"}, "Reuters"),
        ({"first": "WASHINGTON (AP) — "}, "Associated Press"),
        ({"first": "LONDON, June 25 (Reuters) - "}, "Reuters"),
        ({"first": "BRUSSELS (Belga) — "}, "Belga"),  # an unknown wire, in a dateline's shape
        ({"after": "This article originally appeared on The Conversation."}, "The Conversation"),
        ({"after": "This story was first published by TheConversation.com on 3 June."}, "The Conversation"),
        ({"after": "Originally published on Harbour Weekly."}, "Harbour Weekly"),
        ({"after": "Republished with permission from the Daily Mail."}, "Daily Mail"),
        ({"after": "Source: Reuters"}, "Reuters"),
        ({"after": "Source: www.example-news.com"}, "example-news.com"),
    ],
)
def test_credit_patterns(page: dict[str, str], credited: str) -> None:
    article = _clean(**page)
    assert article.credited_outlet == credited
    assert "originally" not in article.text and "Source:" not in article.text  # credit lines leave the text


@pytest.mark.parametrize(
    "page",
    [
        {},
        {"first": "Yevgeny Prigozhin (pictured) - the warlord - said on Monday that "},
        {"after": "Source: Office for National Statistics, 2023 survey of households"},
        {"after": "The plan was first published in the council newsletter in 2019 and then dropped."},
    ],
)
def test_no_credit_where_none_is_given(page: dict[str, str]) -> None:
    assert _clean(**page).credited_outlet is None


def test_credited_names() -> None:
    assert credited_name("the Daily Mail") == "Daily Mail"
    assert credited_name("https://www.reuters.com/world/") == "Reuters"
    assert credited_name("lowercase words only") is None
    assert credited_name("One Two Three Four Five Six Seven") is None  # a sentence, not a name
