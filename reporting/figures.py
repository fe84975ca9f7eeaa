"""The quarter's figures as charts with their data tables and one-line summaries, for the
dashboard and the PDF alike. Every figure comes from the selector or from ``for_user``
querysets, so it covers only what the requesting user may see."""

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _

from core.charts import bar_chart, stacked_bar_chart
from core.money import euro, format_number
from interventions.models import Intervention

from .models import AreaReport, Light
from .selectors import LIGHTS, QuarterFigures


def key_figures(figures: QuarterFigures):
    """The headline figures of the quarter, as (label, shown value) pairs."""
    wide = figures.programme_wide
    return [
        (_("Areas"), format_number(len(figures.per_area))),
        (
            _("Reports submitted"),
            _("%(submitted)s of %(total)s")
            % {"submitted": figures.reports_submitted, "total": len(figures.per_area)},
        ),
        (_("Interventions"), format_number(figures.interventions)),
        *[
            (_("Updates: %(light)s") % {"light": Light(light).label}, format_number(count))
            for light, count in figures.updates_by_light.items()
        ],
        (_("Money committed"), euro(figures.money_committed)),
        (_("Money spent so far"), euro(figures.money_spent)),
        (_("Open escalations"), format_number(figures.open_escalations)),
        *(
            [
                (_("Programme-wide interventions"), format_number(wide.interventions)),
                (_("Money committed programme-wide"), euro(wide.money_committed)),
            ]
            if wide.interventions
            else []
        ),
    ]


def table(caption, headers, rows, total=None):
    """A data table for the template: headers and cells as (text, is_number)."""
    return {"caption": caption, "headers": headers, "rows": rows, "total": total}


def reports_chart(figures: QuarterFigures):
    per_area = figures.per_area
    counts = Counter(row.report_status or "" for row in per_area)
    data = [(label, counts[status]) for status, label in AreaReport.Status.choices]
    if counts[""]:
        data.append((_("no report"), counts[""]))
    title = _("Quarterly reports by status")
    chart = bar_chart(data, title=title, ident="chart-reports")
    not_submitted = figures.not_submitted
    return {
        "title": title,
        "chart": chart,
        "table": table(
            title,
            [(_("status"), False), (_("areas"), True)],
            [[(label, False), (format_number(value), True)] for label, value in data],
            [(_("total"), False), (format_number(len(per_area)), True)],
        ),
        "note": (
            _("Not submitted yet: %(areas)s.") % {"areas": ", ".join(not_submitted)}
            if not_submitted
            else _("Every area has submitted its report.")
        ),
    }


def lights_chart(figures: QuarterFigures):
    per_area = figures.per_area
    series = [(light, str(Light(light).label)) for light in LIGHTS]
    data = [(row.area, row.updates_by_light) for row in per_area]
    title = _("Lights of the interventions per area")
    chart = stacked_bar_chart(data, series=series, title=title, ident="chart-lights")
    return {
        "title": title,
        "chart": chart,
        "table": table(
            title,
            [
                (_("area"), False),
                *[(label, True) for _key, label in series],
                (_("overall light"), False),
            ],
            [
                [
                    (row.area, False),
                    *[(format_number(row.updates_by_light[light]), True) for light in LIGHTS],
                    (light_label(row.overall_light), False),
                ]
                for row in per_area
            ],
        ),
    }


def themes_chart(themes):
    data = [(row["name"] or _("no theme"), row["interventions"]) for row in themes]
    title = _("Interventions per theme")
    return {
        "title": title,
        "chart": bar_chart(data, title=title, ident="chart-themes"),
        "table": table(
            title,
            [(_("theme"), False), (_("interventions"), True)],
            [[(label, False), (format_number(value), True)] for label, value in data],
        ),
        "note": _("An intervention can work on more than one theme."),
    }


def status_chart(figures: QuarterFigures):
    statuses = figures.interventions_by_status
    data = [(label, statuses[status]) for status, label in Intervention.Status.choices]
    title = _("Interventions per status")
    return {
        "title": title,
        "chart": bar_chart(data, title=title, ident="chart-status"),
        "table": table(
            title,
            [(_("status"), False), (_("interventions"), True)],
            [[(str(label), False), (format_number(value), True)] for label, value in data],
            [(_("total"), False), (format_number(sum(statuses.values())), True)],
        ),
    }


def money_chart(figures: QuarterFigures):
    sources, committed = figures.money_per_source, figures.money_committed
    title = _("Money committed per source")
    return {
        "title": title,
        "chart": bar_chart(sources, title=title, value_format=euro, ident="chart-money"),
        "table": table(
            title,
            [(_("source"), False), (_("amount committed (€)"), True)],
            [[(str(label), False), (euro(amount), True)] for label, amount in sources],
            [(_("total"), False), (euro(committed), True)],
        ),
    }


def light_label(light):
    return str(Light(light).label) if light else _("not given")


def status_label(status):
    return str(AreaReport.Status(status).label) if status else _("no report")


def overview_table(figures: QuarterFigures):
    per_area = figures.per_area
    return table(
        _("Summary per area"),
        [
            (_("area"), False),
            (_("report status"), False),
            (_("overall light"), False),
            (_("interventions"), True),
            (_("money committed (€)"), True),
            (_("money spent (€)"), True),
            (_("open escalations"), True),
        ],
        [
            [
                (row.area, False),
                (status_label(row.report_status), False),
                (light_label(row.overall_light), False),
                (format_number(row.interventions), True),
                (euro(row.money_committed), True),
                (euro(row.money_spent), True),
                (format_number(row.open_escalations), True),
            ]
            for row in per_area
        ],
        [
            (_("total"), False),
            ("", False),
            ("", False),
            (format_number(sum(row.interventions for row in per_area)), True),
            (euro(sum((row.money_committed for row in per_area), Decimal(0))), True),
            (euro(sum((row.money_spent for row in per_area), Decimal(0))), True),
            (format_number(figures.open_escalations), True),
        ],
    )


def themes_by_status_chart(interventions):
    """Interventions per theme, split by their status (an intervention counts once for
    each of its themes)."""
    # Counted on the link table: each (intervention, theme) pair is there once.
    links = Intervention.themes.through.objects.filter(intervention__in=interventions)
    counts = defaultdict(Counter)
    for name_nl, name_en, status, number in (
        links.values_list("theme__name_nl", "theme__name_en", "intervention__status")
        .annotate(number=Count("pk"))
        .order_by()
    ):
        counts[name_en if translation.get_language() == "en" else name_nl][status] += number
    series = [(status, str(label)) for status, label in Intervention.Status.choices]
    data = sorted(counts.items())
    title = _("Interventions per theme and status")
    return {
        "title": title,
        "chart": stacked_bar_chart(data, series=series, title=title, ident="chart-themes-status"),
        "table": table(
            title,
            [(_("theme"), False), *[(label, True) for _key, label in series], (_("total"), True)],
            [
                [
                    (theme, False),
                    *[(format_number(values[key]), True) for key, _label in series],
                    (format_number(sum(values.values())), True),
                ]
                for theme, values in data
            ],
        ),
        "note": _("An intervention can work on more than one theme."),
    }
