"""Output text is what the page renders: NFC, no soft hyphens, inline elements joined by their own spaces."""

from __future__ import annotations

import unicodedata

import newsdistill

CLEAN_ONLY = ("decode", "clean")
PROSE = (
    "The committee met on Tuesday to discuss the proposal, and most of its members said they would "
    "support the plan if the costs were shared fairly between the towns."
)


def _page(body: str) -> str:
    return f"""<!doctype html><html lang="en"><head><title>Test page</title></head><body><article>
    <p>{PROSE}</p>{body}<p>{PROSE.replace("Tuesday", "Friday")}</p></article></body></html>"""


def _clean(page: str, kind: str = "html") -> str:
    return newsdistill.process(page, input_kind=kind, stages=CLEAN_ONLY).text  # type: ignore[arg-type]


def test_syntax_highlighted_code_keeps_the_spaces_between_tokens() -> None:
    code = (
        '<pre><code><span class="kn">import</span> <span class="nn">os</span>\n'
        '<span class="kn">from</span> <span class="nn">django.conf</span> '
        '<span class="kn">import</span> <span class="n">settings</span></code></pre>'
    )
    text = _clean(_page(code))
    assert "import os from django.conf import settings" in text
    assert "importos" not in text


def test_inline_markup_is_joined_with_the_rendered_spaces() -> None:
    paragraph = (
        "<p>The <b>mayor</b> <i>said</i> <a href='/x'>the vote</a> <em>would</em> <span>take place</span> "
        "after the summer, when <strong>all</strong> members of the council are back from holiday.</p>"
    )
    text = _clean(_page(paragraph))
    assert "The mayor said the vote would take place after the summer" in text


def test_words_split_only_by_markup_stay_whole() -> None:
    paragraph = (
        "<p>An <b>un</b>believable result for the team, which had not won a game in the season before.</p>"
    )
    assert "An unbelievable result" in _clean(_page(paragraph))


def test_soft_hyphens_are_removed_and_text_is_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Die Bürger der Stadt wählten über die Straßenbahn")
    said = "sagte der Bürgermeister am Abend vor der Presse"
    paragraph = f"<p>{decomposed} und die Ver\u00adkehrs\u00adpolitik, {said}.</p>"
    text = _clean(_page(paragraph))
    assert "\u00ad" not in text
    assert "Verkehrspolitik" in text
    assert unicodedata.is_normalized("NFC", text)
    assert "Die Bürger der Stadt wählten über die Straßenbahn" in text


def test_text_mode_output_is_nfc_without_soft_hyphens() -> None:
    line = unicodedata.normalize("NFD", "Die Bürger wählten über die Ver\u00adkehrs\u00adpolitik,")
    page = "\n\n".join([PROSE, f"{line} sagte der Bürgermeister am Abend vor der Presse im Rathaus.", PROSE])
    text = _clean(page, "text")
    assert "\u00ad" not in text
    assert unicodedata.is_normalized("NFC", text)
    assert "Verkehrspolitik" in text
