"""Small charts rendered on the server as SVG strings: no JavaScript, no library.

They work the same in a web page and in the PDF. Every chart is an ``<svg role="img">``
with a ``<title>`` and a ``<desc>``, comes with a one-line text summary, and is meant to
be followed by a table with its figures. Colour is never the only cue: the lights carry
a pattern and a legend with words, numbers are printed, and all colours meet WCAG 2.1 AA
on white (text 4.5:1, graphics 3:1). Every text that goes in is escaped.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.money import format_number

WIDTH = 640
LABEL_WIDTH = 190
VALUE_WIDTH = 110
ROW_HEIGHT = 24
BAR_HEIGHT = 16
LEGEND_HEIGHT = 26
MAX_LABEL = 30
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
TEXT = "#1a1a1a"  # 17:1 on white
AXIS = "#535353"  # 7.7:1 on white
BLUE = "#154273"  # 10.2:1 on white (Rijksoverheid lintblauw)


@dataclass(frozen=True)
class Style:
    """How one series is painted: a fill with white text on it (at least 4.5:1) and an
    optional pattern of lighter lines, so series differ without colour too."""

    fill: str
    pattern: str = ""  # "", "diagonal", "cross", "dots" or "horizontal"
    ink: str = "#ffffff"


LIGHT_STYLES = {
    "green": Style("#1d6b34"),  # 6.6:1, plain
    "amber": Style("#8a5300", "diagonal", "#d99a2b"),  # 6.3:1, diagonal lines
    "red": Style("#a4161a", "cross", "#e07a7c"),  # 7.8:1, cross-hatched
}
PALETTE = [
    Style(BLUE),
    Style("#01689b", "diagonal", "#6fb7d9"),
    Style("#535353", "dots", "#b3b3b3"),
    Style("#6b3d8f", "cross", "#b99ad3"),
    Style("#7a4a00", "horizontal", "#d9a866"),
]


class Chart(NamedTuple):
    svg: SafeString
    summary: str


def bar_chart(
    data: Sequence[tuple[str, int | Decimal]],
    *,
    title: str,
    description: str = "",
    value_format: Callable = format_number,
    ident: str = "chart",
    style: Style = PALETTE[0],
) -> Chart:
    """A horizontal bar per ``(label, value)``, with the value printed after the bar."""
    data = [(str(label), value or 0) for label, value in data]
    if data:
        label, value = max(data, key=lambda item: item[1])
        total = sum((value for _label, value in data), 0)
        summary = _("%(title)s: %(total)s in total; highest: %(label)s (%(value)s).") % {
            "title": title,
            "total": value_format(total),
            "label": label,
            "value": value_format(value),
        }
    else:
        summary = _("%(title)s: no figures.") % {"title": title}

    top = 8
    height = top + max(len(data), 1) * ROW_HEIGHT + 8
    scale = _scale(max((value for _label, value in data), default=0))
    body = [_pattern_defs(ident, {"bar": style})]
    for index, (label, value) in enumerate(data):
        y = top + index * ROW_HEIGHT
        width = float(value) * scale
        body.append(
            f"<g><title>{escape(label)}: {escape(value_format(value))}</title>"
            f"{_label(label, y)}"
            f"{_segment(ident, 'bar', style, LABEL_WIDTH, y + 4, width)}"
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 16}" fill="{TEXT}">'
            f"{escape(value_format(value))}</text></g>"
        )
    if not data:
        body.append(_no_figures(top))
    body.append(_axis(top, height - 8))
    return Chart(_svg(ident, title, description or summary, height, body), summary)


def stacked_bar_chart(
    data: Sequence[tuple[str, dict]],
    *,
    series: Sequence[tuple[str, str]],
    title: str,
    description: str = "",
    value_format: Callable = format_number,
    ident: str = "chart",
    styles: dict[str, Style] | None = None,
) -> Chart:
    """A horizontal bar per ``(label, {series: value})``, its parts stacked in the order of
    ``series`` (``[(key, label)]``), with a legend, the parts' values on the bar where they
    fit, and the bar's total after it."""
    data = [
        (str(label), {key: values.get(key) or 0 for key, _ in series}) for label, values in data
    ]
    styles = {
        key: (styles or {}).get(key) or LIGHT_STYLES.get(key) or PALETTE[i % len(PALETTE)]
        for i, (key, _label) in enumerate(series)
    }
    totals = {key: sum((values[key] for _l, values in data), 0) for key, _label in series}
    if data:
        summary = _("%(title)s: %(parts)s (%(count)s bars).") % {
            "title": title,
            "parts": ", ".join(
                f"{series_label} {value_format(totals[key])}" for key, series_label in series
            ),
            "count": len(data),
        }
    else:
        summary = _("%(title)s: no figures.") % {"title": title}

    top = LEGEND_HEIGHT + 6
    height = top + max(len(data), 1) * ROW_HEIGHT + 8
    scale = _scale(max((sum(values.values(), 0) for _l, values in data), default=0))
    body = [_pattern_defs(ident, styles), _legend(ident, series, styles)]
    for index, (label, values) in enumerate(data):
        y = top + index * ROW_HEIGHT
        x = float(LABEL_WIDTH)
        parts = []
        for key, series_label in series:
            value = values[key]
            width = float(value) * scale
            if width <= 0:
                continue
            parts.append(
                f"<g><title>{escape(label)}, {escape(series_label)}: "
                f"{escape(value_format(value))}</title>"
                f"{_segment(ident, key, styles[key], x, y + 4, width)}"
                f"{_badge(styles[key], x, y + 4, width, value_format(value))}</g>"
            )
            x += width
        total = sum(values.values(), 0)
        body.append(
            f"<g>{_label(label, y)}{''.join(parts)}"
            f'<text x="{x + 6:.1f}" y="{y + 16}" fill="{TEXT}">'
            f"{escape(value_format(total))}</text></g>"
        )
    if not data:
        body.append(_no_figures(top))
    body.append(_axis(top, height - 8))
    return Chart(_svg(ident, title, description or summary, height, body), summary)


def _scale(largest) -> float:
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    return room / float(largest) if largest else 0.0


def _svg(ident, title, description, height, body) -> SafeString:
    ident = escape(ident)
    return mark_safe(  # noqa: S308 - every text in it went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'font-family="{FONT}" font-size="12">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
        f"{''.join(body)}</svg>"
    )


def _label(label, y) -> str:
    shown = label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"
    return (
        f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" fill="{TEXT}">'
        f"{escape(shown)}</text>"
    )


def _axis(top, bottom) -> str:
    return (
        f'<line x1="{LABEL_WIDTH}" y1="{top}" x2="{LABEL_WIDTH}" y2="{bottom}" '
        f'stroke="{AXIS}" stroke-width="1"/>'
    )


def _no_figures(top) -> str:
    return (
        f'<text x="{LABEL_WIDTH + 8}" y="{top + 16}" fill="{TEXT}">{escape(_("No figures"))}</text>'
    )


def _fill(ident, key, style) -> str:
    return f"url(#{escape(ident)}-{escape(key)})" if style.pattern else style.fill


def _segment(ident, key, style, x, y, width) -> str:
    if width <= 0:
        return ""
    # A white edge keeps neighbouring parts apart without relying on their colours.
    return (
        f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
        f'fill="{_fill(ident, key, style)}" stroke="#ffffff" stroke-width="1"/>'
    )


def _badge(style, x, y, width, text) -> str:
    """The part's value on a plain patch of its fill, so the text keeps its contrast."""
    text_width = 7 * len(text) + 10
    if width < text_width + 2:
        return ""
    middle = x + width / 2
    return (
        f'<rect x="{middle - text_width / 2:.1f}" y="{y + 1}" width="{text_width}" '
        f'height="{BAR_HEIGHT - 2}" fill="{style.fill}"/>'
        f'<text x="{middle:.1f}" y="{y + 12}" text-anchor="middle" fill="{style.ink}" '
        f'font-size="11" font-weight="bold">{escape(text)}</text>'
    )


def _legend(ident, series, styles) -> str:
    items, x = [], LABEL_WIDTH
    for key, label in series:
        items.append(
            f'<rect x="{x}" y="6" width="14" height="14" fill="{_fill(ident, key, styles[key])}" '
            f'stroke="{TEXT}" stroke-width="0.5"/>'
            f'<text x="{x + 20}" y="17" fill="{TEXT}">{escape(label)}</text>'
        )
        x += 34 + 7 * len(str(label))
    return f"<g>{''.join(items)}</g>"


def _pattern_defs(ident, styles) -> str:
    patterns = []
    for key, style in styles.items():
        if not style.pattern:
            continue
        pid = f"{escape(ident)}-{escape(key)}"
        line = f'stroke="{style.ink}" stroke-width="1.5"'
        shapes = {
            "diagonal": f'<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" {line}/>',
            "cross": f'<path d="M0,0 L6,6 M6,0 L0,6" {line}/>',
            "dots": f'<circle cx="3" cy="3" r="1.3" fill="{style.ink}"/>',
            "horizontal": f'<path d="M0,3 L6,3" {line}/>',
        }[style.pattern]
        patterns.append(
            f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="{style.fill}"/>{shapes}</pattern>'
        )
    return f"<defs>{''.join(patterns)}</defs>" if patterns else ""


# Line charts: one line per series over the years, each with its own dash and marker
# shape as well as colour, and an optional goal drawn as a labelled diamond.
LINE_STYLES = [
    (BLUE, "", "circle"),
    ("#01689b", "6 3", "square"),
    ("#535353", "2 3", "triangle"),
    ("#6b3d8f", "8 3 2 3", "circle"),
]
GOAL_COLOUR = "#a4161a"  # 7.8:1 on white
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_HEIGHT = 70, WIDTH - 24, LEGEND_HEIGHT + 14, 180


def line_chart(
    series: Sequence[tuple[str, Sequence[tuple[int, Decimal | None]]]],
    *,
    title: str,
    description: str = "",
    value_format: Callable = format_number,
    ident: str = "chart",
    goal: tuple[int, Decimal] | None = None,
    goal_label: str = "",
) -> Chart:
    """Lines of ``(label, [(year, value)])`` over the years, missing values (None) left as
    gaps, with ``goal`` (a year and a value) as a marker labelled ``goal_label``."""
    series = [
        (str(label), [(year, value) for year, value in points if value is not None])
        for label, points in series
    ]
    years = sorted({year for _label, points in series for year, _value in points})
    values = [value for _label, points in series for _year, value in points]
    if goal is not None:
        years = sorted({*years, goal[0]})
        values.append(goal[1])
    parts = []
    for label, points in series:
        if points:
            (first_year, first), (last_year, last) = points[0], points[-1]
            parts.append(
                _("%(label)s %(first)s in %(first_year)s, %(last)s in %(last_year)s")
                % {
                    "label": label,
                    "first": value_format(first),
                    "first_year": first_year,
                    "last": value_format(last),
                    "last_year": last_year,
                }
            )
    if goal is not None:
        parts.append(
            _("%(goal)s: %(value)s in %(year)s")
            % {"goal": goal_label or _("goal"), "value": value_format(goal[1]), "year": goal[0]}
        )
    summary = (
        _("%(title)s: %(parts)s.") % {"title": title, "parts": "; ".join(parts)}
        if parts
        else _("%(title)s: no figures.") % {"title": title}
    )
    height = PLOT_TOP + PLOT_HEIGHT + 30
    body = [_line_legend(series, goal_label if goal else "")]
    if not values:
        body.append(_no_figures(PLOT_TOP))
        return Chart(_svg(ident, title, description or summary, height, body), summary)

    low, high = float(min(values)), float(max(values))
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.1
    low, high = low - pad, high + pad

    def x_of(year):
        if len(years) == 1:
            return (PLOT_LEFT + PLOT_RIGHT) / 2
        return PLOT_LEFT + (year - years[0]) / (years[-1] - years[0]) * (PLOT_RIGHT - PLOT_LEFT)

    def y_of(value):
        return PLOT_TOP + PLOT_HEIGHT - (float(value) - low) / (high - low) * PLOT_HEIGHT

    bottom = PLOT_TOP + PLOT_HEIGHT
    body.append(
        f'<line x1="{PLOT_LEFT}" y1="{PLOT_TOP}" x2="{PLOT_LEFT}" y2="{bottom}" stroke="{AXIS}"/>'
        f'<line x1="{PLOT_LEFT}" y1="{bottom}" x2="{PLOT_RIGHT}" y2="{bottom}" stroke="{AXIS}"/>'
    )
    for step in range(5):
        tick = low + (high - low) * step / 4
        y = y_of(tick)
        body.append(
            f'<line x1="{PLOT_LEFT - 4}" y1="{y:.1f}" x2="{PLOT_RIGHT}" y2="{y:.1f}" '
            f'stroke="#d0d0d0" stroke-width="0.5"/>'
            f'<text x="{PLOT_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT}">'
            f"{escape(value_format(Decimal(str(round(tick, 2)))))}</text>"
        )
    every = max(1, len(years) // 10)
    for index, year in enumerate(years):
        if index % every == 0 or index == len(years) - 1:
            body.append(
                f'<text x="{x_of(year):.1f}" y="{bottom + 18}" text-anchor="middle" '
                f'fill="{TEXT}">{year}</text>'
            )
    for index, (label, points) in enumerate(series):
        colour, dash, marker = LINE_STYLES[index % len(LINE_STYLES)]
        coordinates = [(x_of(year), y_of(value)) for year, value in points]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        if len(coordinates) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"'
                f"{dashes}/>"
            )
        for (year, value), (x, y) in zip(points, coordinates, strict=True):
            body.append(
                f"<g><title>{escape(label)}, {year}: {escape(value_format(value))}</title>"
                f"{_marker(marker, x, y, colour)}</g>"
            )
    if goal is not None:
        x, y = x_of(goal[0]), y_of(goal[1])
        body.append(
            f"<g><title>{escape(goal_label or _('goal'))}, {goal[0]}: "
            f"{escape(value_format(goal[1]))}</title>"
            f'<path d="M{x:.1f},{y - 7:.1f} l7,7 l-7,7 l-7,-7 z" fill="#ffffff" '
            f'stroke="{GOAL_COLOUR}" stroke-width="2"/></g>'
        )
    return Chart(_svg(ident, title, description or summary, height, body), summary)


def _marker(shape, x, y, colour) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        return f'<path d="M{x:.1f},{y - 5:.1f} l5,9 l-10,0 z" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def _line_legend(series, goal_label) -> str:
    items, x = [], PLOT_LEFT
    for index, (label, _points) in enumerate(series):
        colour, dash, marker = LINE_STYLES[index % len(LINE_STYLES)]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        items.append(
            f'<line x1="{x}" y1="13" x2="{x + 24}" y2="13" stroke="{colour}" stroke-width="2"'
            f"{dashes}/>{_marker(marker, x + 12, 13, colour)}"
            f'<text x="{x + 30}" y="17" fill="{TEXT}">{escape(label)}</text>'
        )
        x += 44 + 7 * len(label)
    if goal_label:
        items.append(
            f'<path d="M{x + 8},6 l7,7 l-7,7 l-7,-7 z" fill="#ffffff" stroke="{GOAL_COLOUR}" '
            f'stroke-width="2"/><text x="{x + 20}" y="17" fill="{TEXT}">{escape(goal_label)}</text>'
        )
    return f"<g>{''.join(items)}</g>"
