"""Charts drawn on the server as SVG: attention over time (articles per day, week, month or year, stacked
by outlet) and a story's timeline (its appearances on a time axis, one row per outlet).

How it is drawn: hand-written geometry, with markupsafe (already here through Jinja) escaping every text
and attribute. The maintained Python SVG libraries were weighed first. pygal writes an inline <style> and
an inline <script> (`window.config = ...`) into every chart, which this site's Content-Security-Policy
(script-src 'self', style-src from default-src 'self') refuses: each chart would log CSP violations and
lose its styling. leather draws neither stacked bars nor a link per bar. drawsvg gives SVG elements, not
charts, so the geometry would be ours anyway, for one more dependency. Bars, circles, lines and text are
few enough to write here.

Sizes: an SVG has no viewBox; horizontal positions are percentages of its width and vertical ones are
pixels, so a chart fills any column (390 px or 1280 px) while its labels keep the page's font size. No
script and no style attribute: colours and fonts come from classes in static/design.css. Each chart has a
<title> and <desc>, and a visually hidden table of the same numbers for screen readers; each bar and point
is a link.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup, escape

from ..corpus.aggregates import DayCount
from ..corpus.appearances import usable_date
from ..corpus.search import UNKNOWN_OUTLET, Bins
from ..corpus.search_columns import choose_unit as choose_period_unit
from ..corpus.search_columns import period_start

MAX_BARS = 60  # the finest unit whose periods fit: at 390 px, 60 bars are 5 px each
TOP_OUTLETS = 4  # outlets stacked by name; the rest are one band
OTHER = "(other outlets)"
UNKNOWN = UNKNOWN_OUTLET
MAX_ROWS = 12  # outlets drawn as rows of a story timeline; the rest share the last row
BAR_TOP, BAR_HEIGHT, AXIS = 18, 170, 24  # pixels: room for the top tick label, the bars, the date labels
ROW = 38  # pixels per outlet row of a story timeline


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # the last day in it
    counts: tuple[int, ...]  # articles per series (Attention.series)

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Attention:
    """Articles per period, stacked by outlet: every period from the first dated article to the last."""

    unit: str
    series: tuple[str, ...]  # the top outlets, then OTHER when some are left
    periods: tuple[Period, ...]
    undated: int  # articles without a usable date: counted, not drawn
    capped: bool = False  # only the newest matches of the search were counted

    @property
    def total(self) -> int:
        return sum(p.total for p in self.periods) + self.undated


# ---- periods --------------------------------------------------------------------------------------------


def next_start(start: date, unit: str) -> date:
    if unit == "week":
        return start + timedelta(days=7)
    if unit == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    if unit == "year":
        return date(start.year + 1, 1, 1)
    return start + timedelta(days=1)


def period_starts(first: date, last: date, unit: str) -> list[date]:
    starts, start = [], period_start(first, unit)
    while start <= last:
        starts.append(start)
        start = next_start(start, unit)
    return starts


def choose_unit(first: date, last: date) -> str:
    """The finest unit whose periods from `first` to `last` number at most MAX_BARS."""
    return choose_period_unit(first, last, MAX_BARS)


def attention(rows: Iterable[DayCount], capped: bool = False, top: int = TOP_OUTLETS) -> Attention:
    """(day, outlet, articles) rows, as corpus.aggregates counts them, binned into periods of the unit
    that the span calls for; the `top` outlets by articles are stacked by name, the rest as OTHER."""
    per_day: dict[str, Counter[str]] = {}
    per_outlet: Counter[str] = Counter()
    undated = 0
    for day, outlet, count in rows:  # thousands of rows on a large store: dictionaries only, no dates
        if day is None:
            undated += count
            continue
        name = outlet or UNKNOWN
        outlets = per_day.get(day)
        if outlets is None:
            outlets = per_day[day] = Counter()
        outlets[name] += count
        per_outlet[name] += count
    if not per_day:
        return Attention("day", (), (), undated, capped)
    named = [o for o, _ in sorted(per_outlet.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    series = (*named, OTHER) if len(per_outlet) > len(named) else tuple(named)
    days = {day: date.fromisoformat(day) for day in per_day}
    unit = choose_unit(min(days.values()), max(days.values()))
    return Attention(unit, series, _periods(per_day, days, series, unit), undated, capped)


def _periods(
    per_day: dict[str, Counter[str]], days: dict[str, date], series: tuple[str, ...], unit: str
) -> tuple[Period, ...]:
    slot = {name: i for i, name in enumerate(series)}
    starts = period_starts(min(days.values()), max(days.values()), unit)
    counts = {start: [0] * len(series) for start in starts}
    for day, outlets in per_day.items():
        row = counts[period_start(days[day], unit)]
        for outlet, count in outlets.items():
            row[slot.get(outlet, len(series) - 1)] += count
    return tuple(
        Period(start, next_start(start, unit) - timedelta(days=1), tuple(counts[start])) for start in starts
    )


CHART_SHAPE = (TOP_OUTLETS, MAX_BARS)  # what corpus.aggregates bins in SQL for a chart


def binned_attention(bins: Bins, capped: bool = False) -> Attention:
    """The chart of periods binned in SQL (corpus.aggregates.binned_days): the same chart as attention()
    draws from the (day, outlet) rows, every period from the first to the last, empty ones included."""
    if not bins.counts:
        return Attention("day", (), (), bins.undated, capped)
    series = (*bins.outlets, OTHER) if bins.more_outlets else bins.outlets
    starts = [date.fromisoformat(start) for start in sorted({start for start, _, _ in bins.counts})]
    counts = {start: [0] * len(series) for start in period_starts(starts[0], starts[-1], bins.unit)}
    for start, slot, count in bins.counts:
        counts[date.fromisoformat(start)][slot] += count
    periods = tuple(
        Period(start, next_start(start, bins.unit) - timedelta(days=1), tuple(row))
        for start, row in counts.items()
    )
    return Attention(bins.unit, series, periods, bins.undated, capped)


# ---- the same numbers as JSON and CSV ---------------------------------------------------------------------


def attention_record(chart: Attention) -> dict[str, Any]:
    """The chart's data as /api/search/timeline gives it: every period, empty ones included."""
    return {
        "unit": chart.unit,
        "total": chart.total,
        "undated": chart.undated,
        "capped": chart.capped,
        "outlets": list(chart.series),
        "periods": [
            {
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "total": p.total,
                "outlets": {name: n for name, n in zip(chart.series, p.counts, strict=True) if n},
            }
            for p in chart.periods
        ],
    }


def attention_rows(chart: Attention) -> list[dict[str, Any]]:
    """One CSV row per period and outlet with articles (OTHER for the outlets not named)."""
    return [
        {"start": p.start.isoformat(), "end": p.end.isoformat(), "outlet": name, "articles": n}
        for p in chart.periods
        for name, n in zip(chart.series, p.counts, strict=True)
        if n
    ]


ATTENTION_COLUMNS = ("start", "end", "outlet", "articles")


# ---- drawing helpers -------------------------------------------------------------------------------------


def _num(value: float) -> str:
    """A coordinate, short: 12.5, 3, 0.833."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def nice_step(largest: int, ticks: int = 4) -> int:
    """A step of 1, 2 or 5 times a power of ten that divides 0..largest into at most `ticks` steps."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if largest <= step * factor * ticks:
                return step * factor
        step *= 10


def period_label(start: date, unit: str, with_year: bool) -> str:
    if unit == "year":
        return str(start.year)
    if unit == "month":
        return f"{start:%b} {start.year}"
    return f"{start.day} {start:%b}" + (f" {start.year}" if with_year else "")


def period_name(period: Period, unit: str) -> str:
    """'2024-05-06 to 2024-05-12' (a day: '2024-05-06'), as a bar's title and the table say it."""
    if unit == "day":
        return period.start.isoformat()
    return f"{period.start.isoformat()} to {period.end.isoformat()}"


def _series_class(index: int, series: tuple[str, ...]) -> str:
    return "s-other" if series[index] == OTHER else f"s{index}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# ---- attention over time -----------------------------------------------------------------------------------


def bar_chart(chart: Attention, href: Callable[[Period], str], ident: str, title: str) -> Markup:
    """The chart as a figure: the SVG (one link per period with articles, stacked by outlet), its legend,
    and the same numbers as a hidden table. No dated article: a sentence saying so, and no SVG."""
    if not chart.periods:
        return Markup('<p class="empty chart-empty">{}</p>').format(
            "No dated articles to chart"
            + (f" ({_plural(chart.undated, 'undated article')})." if chart.undated else ".")
        )
    drawn = [p for p in chart.periods if p.total]
    desc = (
        f"{_plural(sum(p.total for p in drawn), 'dated article')} by {chart.unit}, "
        f"{drawn[0].start.isoformat()} to {drawn[-1].end.isoformat()}, stacked by outlet"
        + (f"; {_plural(chart.undated, 'undated article')} not drawn" if chart.undated else "")
        + ("; only the newest matches counted" if chart.capped else "")
    )
    ident, text, desc = _text(ident), _text(title), _text(desc)  # escaped once; f-strings below (why: _bars)
    svg = (
        f'<svg class="chart-svg bars" id="{ident}" width="100%" height="{BAR_TOP + BAR_HEIGHT + AXIS}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc"><title id="{ident}-title">{text}</title>'
        f'<desc id="{ident}-desc">{desc}</desc>'
    )
    links = {p.start: _text(href(p)) for p in drawn}  # escaped once, for the bars and the table
    body = _grid(_scale_top(chart)) + _bars(chart, links) + _bar_labels(chart)
    return Markup(
        f'<figure class="chart attention" data-unit="{_text(chart.unit)}">{svg}{body}</svg>'
        f"<figcaption>{desc}</figcaption>{_legend(chart)}{_bar_table(chart, links, title)}</figure>"
    )


def _y(value: float, top: int) -> float:
    return BAR_TOP + BAR_HEIGHT - value / top * BAR_HEIGHT


def _grid(top: int) -> Markup:
    """Gridlines at each step of the scale, each labelled at the left, above its line."""
    step = nice_step(top)
    parts = []
    for value in range(0, top + 1, step):
        y = _num(_y(value, top))
        parts.append(
            f'<line class="grid" x1="0" x2="100%" y1="{y}" y2="{y}"/>'
            f'<text class="tick" x="0" y="{_num(float(y) - 4)}">{value}</text>'
        )
    return Markup(f'<g class="axis" aria-hidden="true">{"".join(parts)}</g>')


def _scale_top(chart: Attention) -> int:
    """The top of the scale: the largest bar rounded up to a whole step."""
    largest = max(p.total for p in chart.periods)
    step = nice_step(largest)
    return step * -(-largest // step)


def _bars(chart: Attention, links: dict[date, str]) -> Markup:
    """One link per period with articles, its rects stacked from the bottom. Built with f-strings and
    escape() on every text: Markup.format costs 30 µs a call, hundreds of times a chart."""
    slot, top = 100 / len(chart.periods), _scale_top(chart)
    classes = [_series_class(k, chart.series) for k in range(len(chart.series))]
    bars = []
    for i, period in enumerate(chart.periods):
        if not period.total:
            continue
        x, width, below, rects = _num(i * slot + slot * 0.1), _num(slot * 0.8), 0, []
        for k, count in enumerate(period.counts):
            if count:
                y1, y0 = _y(below + count, top), _y(below, top)
                rects.append(
                    f'<rect class="{classes[k]}" x="{x}%" width="{width}%" y="{_num(y1)}" '
                    f'height="{_num(max(y0 - y1, 0.5))}"/>'
                )
                below += count
        bars.append(
            f'<a class="bar" href="{links[period.start]}" data-start="{period.start.isoformat()}" '
            f'data-end="{period.end.isoformat()}" data-total="{period.total}">'
            f"<title>{_text(_bar_title(chart, period))}</title>{''.join(rects)}</a>"
        )
    return Markup(f'<g class="plot">{"".join(bars)}</g>')


def _text(value: object) -> str:
    """Any text, escaped for an attribute or an element's content."""
    return str(escape(value))


def _bar_title(chart: Attention, period: Period) -> str:
    parts = [f"{name} {n}" for name, n in zip(chart.series, period.counts, strict=True) if n]
    return f"{period_name(period, chart.unit)}: {_plural(period.total, 'article')} ({', '.join(parts)})"


def _bar_labels(chart: Attention, most: int = 6) -> Markup:
    """Dates under at most `most` bars, evenly spread; the year where it changes."""
    count = len(chart.periods)
    every = max(1, -(-count // most))
    slot, parts, year = 100 / count, [], None
    for i in range(0, count, every):
        start = chart.periods[i].start
        label = period_label(start, chart.unit, with_year=start.year != year)
        year = start.year
        anchor, x = ("start", i * slot) if i == 0 else ("middle", (i + 0.5) * slot)
        if x > 88:
            anchor, x = "end", 100
        parts.append(
            f'<text class="tick date" x="{_num(x)}%" y="{BAR_TOP + BAR_HEIGHT + 17}" '
            f'text-anchor="{anchor}">{_text(label)}</text>'
        )
    return Markup(f'<g class="axis dates" aria-hidden="true">{"".join(parts)}</g>')


def _legend(chart: Attention) -> Markup:
    totals = [sum(p.counts[k] for p in chart.periods) for k in range(len(chart.series))]
    items = [
        f'<li><span class="swatch {_series_class(k, chart.series)}" aria-hidden="true"></span>{_text(name)} '
        f'<span class="count">{totals[k]}</span></li>'
        for k, name in enumerate(chart.series)
    ]
    return Markup(f'<ul class="legend">{"".join(items)}</ul>')


def _bar_table(chart: Attention, links: dict[date, str], title: str) -> Markup:
    head = "".join(f'<th scope="col">{_text(name)}</th>' for name in chart.series)
    rows = [
        f'<tr><th scope="row"><a href="{links[p.start]}">{_text(period_name(p, chart.unit))}</a></th>'
        f"<td>{p.total}</td>{''.join(f'<td>{n}</td>' for n in p.counts)}</tr>"
        for p in chart.periods
        if p.total
    ]
    return Markup(
        f'<div class="visually-hidden"><table><caption>{_text(title)}</caption><thead><tr>'
        f'<th scope="col">{chart.unit}</th><th scope="col">articles</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


# ---- a story's timeline ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Appearance:
    article_id: int
    outlet: str
    day: date | None  # None: no usable date
    title: str
    original: bool  # the first appearance of its group (an original and its copies); else a copy


@dataclass(frozen=True)
class StoryTimeline:
    rows: tuple[str, ...]  # outlets, by their first dated appearance; OTHER last when some are left
    dated: tuple[Appearance, ...]
    undated: tuple[Appearance, ...]


def story_appearances(story: dict[str, Any]) -> list[Appearance]:
    """A story's appearances in timeline order (when the store keeps them, else its articles), each marked
    the original of its group (the first appearance of an article or of its near copies) or a copy."""
    root = {a["id"]: a["duplicate_of"] or a["id"] for a in story["articles"]}
    items = story.get("appearances") or [{**a, "article_id": a["id"]} for a in story["articles"]]
    titles = {a["id"]: a["title"] for a in story["articles"]}
    kept = bool(story.get("appearances"))
    seen: set[int] = set()
    found = []
    for item in items:
        group = root.get(item["article_id"], item["article_id"])
        day = usable_date(item.get("published"))
        found.append(
            Appearance(
                item["article_id"],
                item.get("outlet") or UNKNOWN,
                date.fromisoformat(day) if day else None,
                item.get("title") or titles.get(item["article_id"]) or "(untitled)",
                group not in seen if kept else group == item["article_id"],
            )
        )
        seen.add(group)
    return found


def story_timeline(appearances: list[Appearance]) -> StoryTimeline:
    dated = sorted((a for a in appearances if a.day), key=lambda a: a.day or date.min)
    outlets = list(dict.fromkeys(a.outlet for a in dated))
    rows = tuple(outlets[:MAX_ROWS]) + ((OTHER,) if len(outlets) > MAX_ROWS else ())
    return StoryTimeline(rows, tuple(dated), tuple(a for a in appearances if not a.day))


def timeline_chart(timeline: StoryTimeline, ident: str, title: str) -> Markup:
    """The story's dated appearances as points on a time axis, one row per outlet (the original filled,
    copies hollow), each a link to its article; undated ones listed apart."""
    undated = _undated_list(timeline.undated)
    if not timeline.dated:
        return Markup('<p class="empty chart-empty">No dated articles to draw.</p>{}').format(undated)
    first, last = timeline.dated[0].day, timeline.dated[-1].day
    assert first is not None and last is not None
    originals = sum(a.original for a in timeline.dated)
    copies = len(timeline.dated) - originals
    desc = (
        f"{_plural(len(timeline.dated), 'dated appearance')} in {_plural(len(timeline.rows), 'outlet row')}"
        f", {first.isoformat()} to {last.isoformat()}: {originals} original, "
        f"{copies} cop{'y' if copies == 1 else 'ies'}"
    )
    height = 4 + ROW * len(timeline.rows) + AXIS
    svg = Markup(
        '<svg class="chart-svg story-timeline" id="{0}" width="100%" height="{1}" role="img" '
        'aria-labelledby="{0}-title {0}-desc"><title id="{0}-title">{2}</title><desc id="{0}-desc">{3}</desc>'
    ).format(ident, height, title, desc)
    body = _rows(timeline) + _points(timeline, first, last) + _time_axis(first, last, height)
    legend = Markup(
        '<ul class="legend"><li><span class="mark original" aria-hidden="true"></span>original</li>'
        '<li><span class="mark copy" aria-hidden="true"></span>copy</li></ul>'
    )
    return Markup(
        '<figure class="chart timeline-chart">{}{}</svg><figcaption>{}</figcaption>{}{}</figure>{}'
    ).format(svg, body, desc, legend, _points_table(timeline, title), undated)


def _x(day: date, first: date, last: date) -> float:
    """Percent of the width: 2 % margins, so that the first and last points are whole."""
    span = (last - first).days
    return 50.0 if span == 0 else 2 + (day - first).days / span * 96


def _row_of(timeline: StoryTimeline, outlet: str) -> int:
    return timeline.rows.index(outlet) if outlet in timeline.rows else len(timeline.rows) - 1


def _rows(timeline: StoryTimeline) -> Markup:
    parts = [
        Markup(
            '<text class="row-label" x="0" y="{}">{}</text><line class="row-line" x1="0" x2="100%" '
            'y1="{}" y2="{}"/>'
        ).format(4 + ROW * i + 12, outlet, 4 + ROW * i + 26, 4 + ROW * i + 26)
        for i, outlet in enumerate(timeline.rows)
    ]
    return Markup('<g class="rows" aria-hidden="true">{}</g>').format(Markup("").join(parts))


def _points(timeline: StoryTimeline, first: date, last: date) -> Markup:
    """One link per dated appearance (a wire story may have hundreds: f-strings, every text escaped)."""
    parts = []
    for item in timeline.dated:
        assert item.day is not None
        kind = "original" if item.original else "copy"
        title = f"{item.day.isoformat()} · {item.outlet} · {kind}: {item.title}"
        parts.append(
            f'<a class="point {kind}" href="/articles/{item.article_id}"><title>{_text(title)}</title>'
            f'<circle cx="{_num(_x(item.day, first, last))}%" '
            f'cy="{4 + ROW * _row_of(timeline, item.outlet) + 26}" r="{7 if item.original else 5}"/></a>'
        )
    return Markup(f'<g class="plot">{"".join(parts)}</g>')


def _time_axis(first: date, last: date, height: int) -> Markup:
    days = sorted({first, first + (last - first) / 2, last})
    parts = [
        Markup('<text class="tick date" x="{}%" y="{}" text-anchor="{}">{}</text>').format(
            _num(_x(day, first, last)),
            height - 6,
            "start"
            if day == first and len(days) > 1
            else "end"
            if day == last and len(days) > 1
            else "middle",
            day.isoformat(),
        )
        for day in days
    ]
    return Markup('<g class="axis dates" aria-hidden="true">{}</g>').format(Markup("").join(parts))


def _points_table(timeline: StoryTimeline, title: str) -> Markup:
    rows = [
        f"<tr><td>{a.day.isoformat() if a.day else ''}</td><td>{_text(a.outlet)}</td>"
        f"<td>{'original' if a.original else 'copy'}</td>"
        f'<td><a href="/articles/{a.article_id}">{_text(a.title)}</a></td></tr>'
        for a in timeline.dated
    ]
    return Markup(
        f'<div class="visually-hidden"><table><caption>{_text(title)}</caption><thead><tr>'
        '<th scope="col">date</th><th scope="col">outlet</th><th scope="col">kind</th>'
        f'<th scope="col">article</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
    )


COPY_BADGE = ' <span class="badge">copy</span>'


def _undated_list(undated: tuple[Appearance, ...]) -> Markup:
    if not undated:
        return Markup("")
    items = [
        f'<li class="{"original" if a.original else "copy"}"><span class="outlet">{_text(a.outlet)}</span> '
        f'<a href="/articles/{a.article_id}">{_text(a.title)}</a>'
        f"{'' if a.original else COPY_BADGE}</li>"
        for a in undated
    ]
    return Markup(
        f'<section class="undated"><h3>Undated ({len(undated)})</h3><ul>{"".join(items)}</ul></section>'
    )
