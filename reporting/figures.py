"""The quarter's figures as charts with their data tables and one-line summaries, for the
dashboard and the PDF alike. Every figure comes from the selector or from ``for_user``
querysets, so it covers only what the requesting user may see."""

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from core.charts import bar_chart, stacked_bar_chart
from core.money import euro, format_number, money
from interventions.models import FundingLine, Intervention

from .models import AreaReport, Light
from .selectors import LIGHTS


def money_per_source(user, period, area=None, track=None):
    lines = FundingLine.objects.for_user(user).filter(
        intervention__track__programme_id=period.programme_id
    )
    if area is not None:
        lines = lines.filter(intervention__area=area)
    if track is not None:
        lines = lines.filter(intervention__track=track)
    totals = dict(lines.values_list("source").annotate(total=Sum("amount")).order_by())
    return [
        (label, money(totals[source]))
        for source, label in FundingLine.Source.choices
        if source in totals
    ]


def per_theme(user, period, area):
    rows = (
        Intervention.objects.for_user(user)
        .filter(track__programme_id=period.programme_id, area=area)
        .values("themes__name_nl")
        .annotate(interventions=Count("pk", distinct=True))
        .order_by("themes__name_nl")
    )
    return [{"name": row["themes__name_nl"], "interventions": row["interventions"]} for row in rows]


def key_figures(per_area, statuses, committed, spent, programme_wide_count, programme_wide):
    submitted = sum(1 for row in per_area if row["report_status"] in ("submitted", "approved"))
    return [
        (_("Areas"), format_number(len(per_area))),
        (
            _("Reports submitted"),
            _("%(submitted)s of %(total)s") % {"submitted": submitted, "total": len(per_area)},
        ),
        (_("Interventions"), format_number(sum(statuses.values()))),
        *[
            (
                _("Updates: %(light)s") % {"light": Light(light).label},
                format_number(sum(row[f"updates_{light}"] for row in per_area)),
            )
            for light in LIGHTS
        ],
        (_("Money committed"), euro(committed)),
        (_("Money spent so far"), euro(spent)),
        (_("Open escalations"), format_number(sum(row["open_escalations"] for row in per_area))),
        *(
            [
                (_("Programme-wide interventions"), format_number(programme_wide_count)),
                (_("Money committed programme-wide"), euro(programme_wide["money_committed"])),
            ]
            if programme_wide_count
            else []
        ),
    ]


def table(caption, headers, rows, total=None):
    """A data table for the template: headers and cells as (text, is_number)."""
    return {"caption": caption, "headers": headers, "rows": rows, "total": total}


def reports_chart(per_area):
    counts = Counter(row["report_status"] or "" for row in per_area)
    data = [(label, counts[status]) for status, label in AreaReport.Status.choices]
    if counts[""]:
        data.append((_("no report"), counts[""]))
    title = _("Quarterly reports by status")
    chart = bar_chart(data, title=title, ident="chart-reports")
    not_submitted = [
        row["area"] for row in per_area if row["report_status"] in ("draft", "returned", None)
    ]
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


def lights_chart(per_area):
    series = [(light, str(Light(light).label)) for light in LIGHTS]
    data = [(row["area"], {light: row[f"updates_{light}"] for light in LIGHTS}) for row in per_area]
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
                    (row["area"], False),
                    *[(format_number(row[f"updates_{light}"]), True) for light in LIGHTS],
                    (light_label(row["overall_light"]), False),
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


def status_chart(statuses):
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


def money_chart(sources, committed):
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


def overview_table(per_area):
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
                (row["area"], False),
                (status_label(row["report_status"]), False),
                (light_label(row["overall_light"]), False),
                (format_number(row["interventions"]), True),
                (euro(row["money_committed"]), True),
                (euro(row["money_spent"]), True),
                (format_number(row["open_escalations"]), True),
            ]
            for row in per_area
        ],
        [
            (_("total"), False),
            ("", False),
            ("", False),
            (format_number(sum(row["interventions"] for row in per_area)), True),
            (euro(sum((row["money_committed"] for row in per_area), Decimal(0))), True),
            (euro(sum((row["money_spent"] for row in per_area), Decimal(0))), True),
            (format_number(sum(row["open_escalations"] for row in per_area)), True),
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
