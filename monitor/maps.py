"""The map of the Netherlands, drawn on the server as SVG like the other charts: every
municipality in a thin grey line, the programme's municipalities outlined, and each area
as a marker in its municipality, patterned and coloured by its change since the baseline
(or by its report light). The boundaries are CBS/Kadaster's municipalities of 2024
(CC BY 4.0) via the public ``cartomap/nl`` repository, simplified and kept in
``reference_data/gemeenten_2024.json`` (see the README there). Nothing is fetched from
outside; the table beside the map carries the same facts for keyboard and screen-reader
users.
"""

import json
import math
from functools import cache
from pathlib import Path

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.charts import FONT, TEXT, Chart

BOUNDARIES = Path(__file__).resolve().parent / "reference_data" / "gemeenten_2024.json"
WIDTH, HEIGHT = 420, 500
LATITUDE = 52.2  # the middle of the country: longitudes shrink by its cosine
VERDICT_STYLES = {
    "better": ("#1d6b34", "circle", gettext_lazy("better")),
    "same": ("#535353", "square", gettext_lazy("the same")),
    "worse": ("#a4161a", "triangle", gettext_lazy("worse")),
    None: ("#ffffff", "ring", gettext_lazy("no figures")),
}
LIGHT_STYLES = {
    "green": ("#1d6b34", "circle"),
    "amber": ("#8a5300", "square"),
    "red": ("#a4161a", "triangle"),
    "": ("#ffffff", "ring"),
}


@cache
def boundaries():
    """{GM code: {"name": ..., "rings": [[[lon, lat], ...], ...]}}, or {} when the
    simplified boundaries are not in the repository."""
    if not BOUNDARIES.exists():
        return {}
    with open(BOUNDARIES, encoding="utf-8") as handle:
        return json.load(handle)["municipalities"]


def _projection(shapes):
    points = [p for shape in shapes.values() for ring in shape["rings"] for p in ring]
    if not points:
        return None
    shrink = math.cos(math.radians(LATITUDE))
    xs = [lon * shrink for lon, _lat in points]
    ys = [lat for _lon, lat in points]
    west, north = min(xs), max(ys)
    scale = min((WIDTH - 20) / (max(xs) - west), (HEIGHT - 20) / (north - min(ys)))

    def project(lon, lat):
        return 10 + (lon * shrink - west) * scale, 10 + (north - lat) * scale

    return project


def _centroid(rings):
    largest = max(rings, key=len)
    return sum(p[0] for p in largest) / len(largest), sum(p[1] for p in largest) / len(largest)


def _marker(shape, x, y, fill):
    stroke = 'stroke="#1a1a1a" stroke-width="1.2"'
    if shape == "square":
        return (
            f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{fill}" {stroke}/>'
        )
    if shape == "triangle":
        return f'<path d="M{x:.1f},{y - 7:.1f} l6,11 l-12,0 z" fill="{fill}" {stroke}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5.5" fill="{fill}" {stroke}/>'


def _draw(markers, *, title, summary, ident, legend):
    """markers: [(area name, GM code, style key, label)]; legend: [(fill, shape, text)]."""
    shapes = boundaries()
    project = _projection(shapes)
    body = []
    if project is None:
        missing = escape(_("The map boundaries are not available."))
        body.append(f'<text x="10" y="30" fill="{TEXT}">{missing}</text>')
    else:
        ours = {code for _name, code, _style, _label in markers}
        for code, shape in shapes.items():
            outlined = code in ours
            for ring in shape["rings"]:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (project(*p) for p in ring))
                body.append(
                    f'<polygon points="{path}" fill="{"#e8eef5" if outlined else "#f7f7f7"}" '
                    f'stroke="{"#154273" if outlined else "#b3b3b3"}" '
                    f'stroke-width="{1.4 if outlined else 0.4}"/>'
                )
        placed = {}
        for name, code, (fill, shape), label in markers:
            if code not in shapes:
                continue
            lon, lat = _centroid(shapes[code]["rings"])
            x, y = project(lon, lat)
            offset = placed.get(code, 0)
            placed[code] = offset + 1
            x += 12 * offset  # a second area of the same municipality beside the first
            body.append(
                f"<g><title>{escape(name)}: {escape(label)}</title>{_marker(shape, x, y, fill)}</g>"
            )
    height = HEIGHT + 24 * len(legend)
    for index, (fill, shape, text) in enumerate(legend):
        y = HEIGHT + 12 + 24 * index
        body.append(
            f"{_marker(shape, 18, y, fill)}"
            f'<text x="32" y="{y + 4}" fill="{TEXT}">{escape(text)}</text>'
        )
    ident = escape(ident)
    svg = mark_safe(  # noqa: S308 - every text in it went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" font-family="{FONT}" font-size="12">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(summary)}</desc>{"".join(body)}</svg>'
    )
    return Chart(svg, summary)


def area_map(rows, *, title, ident):
    """Areas (monitor Outcomes) by their change since the baseline."""
    counts = {key: 0 for key in VERDICT_STYLES}
    markers = []
    for row in rows:
        fill, shape, label = VERDICT_STYLES[row.verdict]
        counts[row.verdict] += 1
        markers.append((row.area.name, row.area.municipality.cbs_code, (fill, shape), str(label)))
    legend = [
        (fill, shape, f"{label} ({counts[key]})")
        for key, (fill, shape, label) in VERDICT_STYLES.items()
    ]
    summary = _(
        "%(title)s: %(better)s better, %(same)s the same, %(worse)s worse, %(unknown)s without figures."
    ) % {
        "title": title,
        "better": counts["better"],
        "same": counts["same"],
        "worse": counts["worse"],
        "unknown": counts[None],
    }
    return _draw(markers, title=title, summary=summary, ident=ident, legend=legend)


def light_label(light):
    return {
        "green": _("on track"),
        "amber": _("needs attention"),
        "red": _("at risk"),
    }.get(light, _("no light"))


def light_map(rows, lights, *, title, ident):
    """Areas by the overall light of their report (``lights``: area id -> light)."""
    from_labels = {key: light_label(key) for key in LIGHT_STYLES}
    counts = {key: 0 for key in LIGHT_STYLES}
    markers = []
    for row in rows:
        light = lights.get(row.area.pk) or ""
        counts[light] = counts.get(light, 0) + 1
        markers.append(
            (
                row.area.name,
                row.area.municipality.cbs_code,
                LIGHT_STYLES[light],
                str(from_labels[light]),
            )
        )
    legend = [
        (fill, shape, f"{from_labels[key]} ({counts[key]})")
        for key, (fill, shape) in LIGHT_STYLES.items()
    ]
    parts = ", ".join(f"{from_labels[key]} {counts[key]}" for key in LIGHT_STYLES)
    summary = f"{title}: {parts}."
    return _draw(markers, title=title, summary=summary, ident=ident, legend=legend)
