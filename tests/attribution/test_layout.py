"""Attributions marked by layout: transcript speaker labels and signed pull quotes."""

from __future__ import annotations

import pytest

import newsdistill
from newsdistill.attribution.layout import layout_drafts
from newsdistill.attribution.quotes import find_quotes

TRANSCRIPT = (
    "Partial transcript as follows:\n\n"
    "HOLLOWAY: Let's start with the vote on the sea wall tonight, "
    "because the council has changed its mind.\n\n"
    "BRENNAN: The council listened to the people of this town and the engineers agreed with them.\n\n"
    "HOLLOWAY: But the money was meant for the harbour, and the harbour is still waiting for it."
)


def _by_content(text: str) -> dict[str, str | None]:
    """Content (without its final punctuation, as attribute() gives it) -> source as written."""
    return {a.content.text: a.source.text if a.source else None for a in newsdistill.attribute(text)}


def test_transcript_lines_are_attributed_to_their_speaker_labels() -> None:
    found = _by_content(TRANSCRIPT)
    assert (
        found["The council listened to the people of this town and the engineers agreed with them"]
        == "BRENNAN"
    )
    assert (
        found["But the money was meant for the harbour, and the harbour is still waiting for it"]
        == "HOLLOWAY"
    )


def test_a_quoted_transcript_line_is_not_a_continuation_of_the_previous_speaker() -> None:
    quoted = TRANSCRIPT.replace("\n\nBRENNAN", '\n\n"BRENNAN').replace(
        "\n\nHOLLOWAY: But", '\n\n"HOLLOWAY: But'
    )
    found = _by_content(quoted)
    assert (
        found["The council listened to the people of this town and the engineers agreed with them"]
        == "BRENNAN"
    )


def test_a_signed_pull_quote_takes_the_name_after_the_dash() -> None:
    text = (
        "Readers wrote to us after the debate.\n\n"
        "“The wall protects every family on the front. We cannot wait another winter.” ― Maren Holt\n"
        "“Nobody asked the fishermen what they need from the harbour.”\u00a0― Tomas Reyes."
    )
    found = _by_content(text)
    assert found["The wall protects every family on the front. We cannot wait another winter"] == "Maren Holt"
    assert found["Nobody asked the fishermen what they need from the harbour"] == "Tomas Reyes"


def test_headline_labels_need_a_known_speaker() -> None:
    text = (
        "BOOM: Council Just Fired A Missile At The Harbour Board You Won't Believe\n\n"
        "WOW: Harbour Board Responds To The Council With One Brutal Line\n\n"
        "Correction: An earlier version of this story gave the wrong date for the vote.\n\n"
        "Mayor Ines Calder spoke to reporters on Monday.\n\n"
        "Calder: Sea Wall Will Be Rebuilt Before Winter Storms"
    )
    speakers = {"ines calder", "calder"}
    drafts = layout_drafts(text, find_quotes(text), speakers)
    assert [text[d.source[0] : d.source[1]] for d in drafts if d.source] == ["Calder"]
    assert (
        text[drafts[0].content[0] : drafts[0].content[1]] == "Sea Wall Will Be Rebuilt Before Winter Storms"
    )


def test_transcript_labels_resolve_to_the_people_the_article_names() -> None:
    text = "Radio host Dana Holloway interviewed council leader Mark Brennan on Sunday.\n\n" + TRANSCRIPT
    names = {a.content.text: a.source.name for a in newsdistill.attribute(text) if a.source}
    assert (
        names["The council listened to the people of this town and the engineers agreed with them"]
        == "Mark Brennan"
    )
    assert (
        names["But the money was meant for the harbour, and the harbour is still waiting for it"]
        == "Dana Holloway"
    )


@pytest.mark.parametrize("model", ["fast", "accurate"])
def test_the_mark_is_the_cue_of_a_labelled_or_signed_quote(model: str) -> None:
    """PolNeAR draws the colon after a speaker's label and the dash before a signature as the cue."""
    text = TRANSCRIPT + "\n\n“Nobody asked the fishermen what they need from the harbour.” — Tomas Reyes\n"
    found = {
        a.content.text: (a.source.text if a.source else None, a.cue.text if a.cue else None)
        for a in newsdistill.attribute(text, attribution=model)
    }
    line = "The council listened to the people of this town and the engineers agreed with them"
    assert found[line] == ("BRENNAN", ":")
    assert found["Nobody asked the fishermen what they need from the harbour"] == ("Tomas Reyes", "—")
    cue = next(a.cue for a in newsdistill.attribute(text, attribution=model) if a.content.text == line)
    assert cue is not None and text[cue.start : cue.end] == ":"
