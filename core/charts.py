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
