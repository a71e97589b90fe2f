"""Outlets as people read them (issue 15: "Opinion", "U.S.", "Hosted", "News" or "https://www.…" as the
outlet, and none at all where the page's address says it): section labels and web addresses are no outlet,
a known outlet has its usual name, and an unknown one its registered domain."""

from __future__ import annotations

import pytest

import newsdistill
from newsdistill.lexicons import normalised_outlet, registered_domain


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("www.example.com", "example.com"),
        ("news.example.com", "example.com"),
        ("m.example.co.uk", "example.co.uk"),
        ("www.local.example.com.au", "example.com.au"),
        ("example.org", "example.org"),
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "localhost"),
    ],
)
def test_registered_domain(host: str, domain: str) -> None:
    assert registered_domain(host) == domain


@pytest.mark.parametrize(
    ("outlet", "url", "shown"),
    [
        ("Opinion", "https://www.nytimes.com/2024/05/01/opinion/a.html", "The New York Times"),
        ("U.S.", "https://www.islandnews.example.com/story/1", "example.com"),
        ("Hosted", None, None),
        ("News", "https://m.valley-gazette.co.uk/a", "valley-gazette.co.uk"),
        ("https://www.harbourtimes.com", None, "harbourtimes.com"),
        ("www.harbourtimes.com", "https://other.example.org/a", "harbourtimes.com"),
        (None, "https://news.sky.com/story/x", "Sky News"),
        (None, "https://www.reuters.com/world/x", "Reuters"),
        ("MailOnline", "https://www.dailymail.co.uk/news/x", "Daily Mail"),
        ("Metro", None, "Metro"),  # an outlet's name that is also a section word: the table says
        ("Town Herald", "https://townherald.example.net/a", "Town Herald"),
        ("東京新聞", None, "東京新聞"),
        ("—", "https://www.harbourtimes.com/a", "harbourtimes.com"),
        (None, None, None),
    ],
)
def test_normalised_outlet(outlet: str | None, url: str | None, shown: str | None) -> None:
    assert normalised_outlet(outlet, url) == shown


BODY = "".join(
    f"<p>{p}</p>"
    for p in [
        "The island's council voted on Tuesday to close the harbour road for three weeks of repairs.",
        "Engineers found cracks in two supports last month, and traffic has been limited since then.",
        "Shops along the road said they expected fewer visitors, though the ferry will still run daily.",
    ]
)


def page(site_name: str, canonical: str | None) -> bytes:
    link = f"<link rel='canonical' href='{canonical}'>" if canonical else ""
    return (
        "<html><head><title>Harbour road to close</title>"
        f"<meta property='og:site_name' content='{site_name}'>{link}</head>"
        "<body><article><h1>Harbour road to close</h1>"
        f"{BODY}</article></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("site_name", "canonical", "outlet"),
    [
        ("Opinion", "https://www.islandnews.example.com/2024/05/road", "example.com"),
        ("U.S.", None, None),
        ("https://www.harbourtimes.com", None, "harbourtimes.com"),
        ("News", "https://www.theguardian.com/uk-news/2024/may/01/road", "The Guardian"),
    ],
)
def test_processed_pages_carry_a_normalised_outlet(
    site_name: str, canonical: str | None, outlet: str
) -> None:
    assert newsdistill.process(page(site_name, canonical)).outlet == outlet
