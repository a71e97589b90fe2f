"""web/charts.py: periods, bars, stacking, empty data and escaping, read back from the SVG it writes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from datetime import date

from newsdistill.web.charts import (
    MAX_BARS,
    OTHER,
    UNKNOWN,
    attention,
    attention_record,
    attention_rows,
    bar_chart,
    choose_unit,
    nice_step,
    period_start,
    story_appearances,
    story_timeline,
    timeline_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script>\"&'Daily"


def link(period: object) -> str:
    return f"?since={period.start}&until={period.end}"  # type: ignore[attr-defined]


def svg_of(markup: str) -> ElementTree.Element:
    """The chart's <svg>, parsed as XML: a chart that is not well-formed fails here."""
    found = re.search(r"<svg.*?</svg>", markup, re.S)
    assert found, markup
    return ElementTree.fromstring(found.group(0).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))


def bars(markup: str) -> list[ElementTree.Element]:
    return [a for a in svg_of(markup).iter(f"{SVG}a") if a.get("class") == "bar"]


def test_days_within_sixty_are_bars_of_a_day_with_empty_days_kept_but_not_drawn() -> None:
    rows = [("2024-05-01", "A", 2), ("2024-05-01", "B", 1), ("2024-05-04", "A", 3), (None, "A", 4)]
    chart = attention(rows)
    assert chart.unit == "day" and [p.total for p in chart.periods] == [3, 0, 0, 3]
    assert chart.undated == 4 and chart.total == 10
    drawn = bars(bar_chart(chart, link, "t", "Title"))
    assert [(b.get("data-start"), b.get("data-total")) for b in drawn] == [
        ("2024-05-01", "3"),
        ("2024-05-04", "3"),
    ]
    assert drawn[0].get("href") == "?since=2024-05-01&until=2024-05-01"
    assert [len(b.findall(f"{SVG}rect")) for b in drawn] == [
        2,
        1,
    ]  # stacked: one rect per outlet with articles


def test_the_unit_grows_with_the_span() -> None:
    assert choose_unit(date(2024, 1, 1), date(2024, 2, 29)) == "day"  # 60 days
    assert choose_unit(date(2024, 1, 1), date(2024, 3, 1)) == "week"
    assert choose_unit(date(2020, 1, 1), date(2024, 12, 1)) == "month"
    assert choose_unit(date(1995, 1, 1), date(2024, 12, 1)) == "year"
    assert period_start(date(2024, 5, 9), "week") == date(2024, 5, 6)  # Monday
    chart = attention([("2024-01-03", "A", 1), ("2024-03-20", "A", 2), ("2024-03-24", "A", 1)])
    assert chart.unit == "week" and len(chart.periods) <= MAX_BARS
    assert (chart.periods[-1].start, chart.periods[-1].end, chart.periods[-1].total) == (
        date(2024, 3, 18),
        date(2024, 3, 24),
        3,
    )
    yearly = attention([("1999-12-31", "A", 1), ("2024-01-01", "A", 1)])
    assert (
        yearly.unit == "year"
        and len(yearly.periods) == 26
        and len(bars(bar_chart(yearly, link, "y", "Y"))) == 2
    )


def test_top_outlets_are_named_and_the_rest_is_one_band() -> None:
    rows = [("2024-05-01", f"Outlet {n}", 10 - n) for n in range(7)] + [("2024-05-02", None, 1)]
    chart = attention(rows, top=3)
    assert chart.series == ("Outlet 0", "Outlet 1", "Outlet 2", OTHER)
    assert chart.periods[0].counts == (10, 9, 8, 7 + 6 + 5 + 4) and chart.periods[1].counts == (0, 0, 0, 1)
    record = attention_record(chart)
    assert record["periods"][1]["outlets"] == {OTHER: 1}
    assert sum(r["articles"] for r in attention_rows(chart)) == chart.total
    alone = attention([("2024-05-01", None, 2)])
    assert alone.series == (UNKNOWN,)


def test_no_dated_article_is_a_sentence_not_an_empty_chart() -> None:
    assert "<svg" not in bar_chart(attention([]), link, "e", "Empty")
    undated_only = bar_chart(attention([(None, "A", 3)]), link, "e", "Empty")
    assert "<svg" not in undated_only and "3 undated articles" in undated_only
    assert attention_record(attention([]))["periods"] == [] and attention_rows(attention([])) == []
    assert "<svg" not in timeline_chart(story_timeline([]), "s", "Story")


def test_outlet_names_are_escaped_in_the_svg_the_legend_and_the_table() -> None:
    markup = str(bar_chart(attention([("2024-05-01", HOSTILE, 2)]), link, "x", f"Title {HOSTILE}"))
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    svg = svg_of(markup)  # well-formed: nothing broke out of an attribute or a text node
    titles = [t.text for t in svg.iter(f"{SVG}title")]
    assert any(HOSTILE in (t or "") for t in titles)
    dated = {"id": 1, "title": HOSTILE, "outlet": HOSTILE, "duplicate_of": None, "published": "2024-05-01"}
    undated = {**dated, "id": 2, "duplicate_of": 1, "published": None}
    drawn = str(
        timeline_chart(story_timeline(story_appearances({"articles": [dated, undated]})), "s", HOSTILE)
    )
    assert "<script>" not in drawn and next(t.text for t in svg_of(drawn).iter(f"{SVG}text")) == HOSTILE
    undated_list = drawn.split('<section class="undated">')[1]
    assert undated_list.count("&lt;script&gt;") == 2  # the copy's outlet and title, listed apart


def test_bar_heights_follow_the_counts_on_a_nice_scale() -> None:
    assert [nice_step(n) for n in (1, 4, 5, 9, 37, 160)] == [1, 1, 2, 5, 10, 50]
    drawn = bars(bar_chart(attention([("2024-05-01", "A", 4), ("2024-05-02", "A", 2)]), link, "h", "H"))
    heights = [float(b.find(f"{SVG}rect").get("height")) for b in drawn]  # type: ignore[union-attr]
    assert heights[0] == 2 * heights[1]


def test_story_timeline_rows_originals_copies_and_undated() -> None:
    story = {
        "articles": [
            {
                "id": 1,
                "title": "Bridge",
                "outlet": "City Times",
                "duplicate_of": None,
                "published": "2024-05-01",
            },
            {
                "id": 2,
                "title": "Bridge again",
                "outlet": "Farm",
                "duplicate_of": 1,
                "published": "2024-05-03",
            },
            {"id": 3, "title": "Other", "outlet": "City Times", "duplicate_of": None, "published": None},
        ],
        "appearances": [
            {"article_id": 1, "outlet": "City Times", "published": "2024-05-01", "title": "Bridge"},
            {"article_id": 1, "outlet": "Mirror Site", "published": "2024-05-02", "title": "Bridge"},
            {"article_id": 2, "outlet": "Farm", "published": "2024-05-03", "title": "Bridge again"},
            {"article_id": 3, "outlet": "City Times", "published": None, "title": "Other"},
        ],
    }
    timeline = story_timeline(story_appearances(story))
    assert timeline.rows == ("City Times", "Mirror Site", "Farm")
    assert [a.original for a in timeline.dated] == [True, False, False] and timeline.undated[0].original
    markup = str(timeline_chart(timeline, "s", "Story"))
    points = [a.get("class") for a in svg_of(markup).iter(f"{SVG}a")]
    assert points == ["point original", "point copy", "point copy"]
    assert 'class="undated"' in markup and "Undated (1)" in markup
    without = story_appearances({**story, "appearances": []})  # a store without appearances: by duplicate_of
    assert [a.original for a in without] == [True, False, True]


def test_periods_are_counted_as_they_are_listed() -> None:
    from datetime import date, timedelta

    from newsdistill.corpus.search_columns import UNITS, period_count
    from newsdistill.web.charts import period_starts

    first = date(2019, 12, 27)
    for days in (0, 1, 5, 6, 7, 30, 31, 59, 60, 61, 366, 400, 1500, 4000):
        last = first + timedelta(days=days)
        for start in (first, first + timedelta(days=3)):
            for unit in UNITS:
                assert period_count(start, last, unit) == len(period_starts(start, last, unit)), (unit, days)
