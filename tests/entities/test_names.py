"""Person-name rules shared by the corpus (merging people) and its queries."""

from __future__ import annotations

import pytest

from newsdistill.entities.names import bare_person_name, looks_like_name, person_names
from newsdistill.model import Entity


@pytest.mark.parametrize(
    ("name", "bare"),
    [
        ("President Vladimir Putin", "Vladimir Putin"),
        ("Putin's", "Putin"),
        ("Putin’s", "Putin"),  # a typographic apostrophe is a possessive too
        ("Mr. Smith", "Smith"),
        ("Mr Smith", "Smith"),
        ("Smith", "Smith"),
        ("Prime Minister Jane Doe", "Jane Doe"),
        ("former Deputy Minister Ann Lee", "Ann Lee"),
        ("Dr. Anna Berg's", "Anna Berg"),
        ("President", "President"),  # a title alone is all the name there is
    ],
)
def test_bare_person_name(name: str, bare: str) -> None:
    assert bare_person_name(name) == bare


def test_person_names_keep_the_full_name_and_every_alias_without_titles() -> None:
    entity = Entity(
        id="e1", name="President Vladimir Putin", type="PERSON", aliases=["Putin", "Mr. Putin", " "]
    )
    assert person_names(entity) == ("Vladimir Putin", {"vladimir putin", "putin"})


@pytest.mark.parametrize(
    ("text", "looks"),
    [
        ("Ortiz", True),
        ("Helen Ortiz", True),
        ("Helen M. Ortiz", True),
        ("O'Brien", True),
        ("the mayor", False),
        ("Officials in the city council", False),
        ("Helen Maria Ortiz Garcia", False),
    ],
)
def test_looks_like_name(text: str, looks: bool) -> None:
    assert looks_like_name(text) is looks


def test_genders_from_titles_and_first_names() -> None:
    from newsdistill.entities.names import first_name_gender, title_gender

    text = "Mrs. Clinton met Mister Rogers and Dr. Ruth."
    assert title_gender(text, text.index("Clinton")) == "F"
    assert title_gender(text, text.index("Rogers")) == "M"  # a title of six letters
    assert title_gender(text, text.index("Ruth")) is None  # 'Dr.' says neither
    assert title_gender(text, 0) is None
    assert (first_name_gender("mary"), first_name_gender("john")) == ("F", "M")
    assert first_name_gender("chris") is None  # given to women and men alike
