"""A quote split by its cue ('“A,” she said. “B.”') on the article page: each piece is marked, the cue
between them is not, and the list of who said what shows the pieces without the cue."""

from __future__ import annotations

from newsdistill.web.render import highlight_paragraphs, said

TEXT = "‘We have heard promises before,’ she said. ‘This time we want dates.’"
FIRST, SECOND = "We have heard promises before", "This time we want dates"


def _span(piece: str) -> dict[str, object]:
    start = TEXT.index(piece)
    return {"text": piece, "start": start, "end": start + len(piece)}


def _article(parts: list[dict[str, object]]) -> dict[str, object]:
    content = {"text": TEXT[1:-2], "start": 1, "end": len(TEXT) - 2}
    attribution = {
        "source": {"text": "she", "name": "Ellen Price"},
        "cue": {"text": "said"},
        "kind": "direct",
    }
    return {
        "text": TEXT,
        "paragraphs": [{"kind": "paragraph", "start": 0, "end": len(TEXT)}],
        "attributions": [{**attribution, "content": content, "content_parts": parts}],
    }


def test_each_piece_is_marked_and_the_cue_between_them_is_not() -> None:
    html = str(highlight_paragraphs(_article([_span(FIRST), _span(SECOND)]))[0]["html"])
    assert html.count('<mark class="said"') == 2
    assert f">{FIRST}</mark>" in html and f">{SECOND}</mark>" in html
    assert "she said" in html.split("</mark>")[1]  # between the two marks, unmarked


def test_a_content_in_one_piece_is_one_mark() -> None:
    html = str(highlight_paragraphs(_article([]))[0]["html"])
    assert html.count('<mark class="said"') == 1


def test_the_list_shows_the_pieces_without_the_cue() -> None:
    assert said(_article([_span(FIRST), _span(SECOND)])["attributions"][0]) == f"{FIRST} … {SECOND}"  # type: ignore[index]
    assert said(_article([])["attributions"][0]) == TEXT[1:-2]  # type: ignore[index]
