"""The quarterly report as a printable PDF: a cover, the programme in figures and charts,
then a page per area. Rendered from ``templates/pdf/quarter.html`` with WeasyPrint.

Everything in it comes through the selector, the export tables or ``for_user``
querysets, so the PDF holds only what the requesting user may see.
"""

from collections import Counter, defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from areas.models import Area
from areas.models import euro as format_euro
from interventions.models import FundingLine, Intervention

from ..models import AreaReport, Escalation, Light
from ..selectors import LIGHTS, money, quarter_summary
from .charts import bar_chart, format_number, stacked_bar_chart
from .tables import DATE, INTEGER, MONEY, NUMBER, quarter_tables

OPEN_ESCALATION = {Escalation.Status.RESOLVED, Escalation.Status.DECLINED}


def euro(amount) -> str:
    """An amount of money the Dutch way, empty amounts as € 0,00."""
    return format_euro(money(amount))


def write_pdf(*, user, period, area=None, target):
    """Write the quarterly report of ``period`` (one ``area`` or all the user may see) as
    PDF into the binary file-like ``target``."""
    from weasyprint import HTML  # heavy: loaded only when a PDF is made

    html = render_quarter_html(user=user, period=period, area=area)
    HTML(string=html, url_fetcher=_refuse_fetching).write_pdf(target, pdf_tags=True)


def _refuse_fetching(url, *args, **kwargs):
    """The report needs nothing from outside: no file, no network."""
    raise ValueError(f"The PDF report does not fetch {url!r}.")


def render_quarter_html(*, user, period, area=None) -> str:
    if area is not None and not Area.objects.for_user(user).filter(pk=area.pk).exists():
        raise PermissionDenied
    return render_to_string(
        "pdf/quarter.html", quarter_context(user=user, period=period, area=area)
    )


def quarter_context(*, user, period, area=None) -> dict:
    summary = quarter_summary(user=user, period=period)
    per_area = [row for row in summary["per_area"] if area is None or row["area_id"] == area.pk]
    tables = {table.name: table for table in quarter_tables(user=user, period=period, area=area)}

    interventions = _bucket(tables["interventions"], "area")
    escalations = _bucket(tables["escalations"], "area")
    reports = {
        report.area_id: report
        for report in AreaReport.objects.for_user(user).filter(
            period=period, area_id__in=[row["area_id"] for row in per_area]
        )
    }
    sources = _money_per_source(user, period, area)
    themes = _per_theme(user, period, area) if area is not None else summary["per_theme"]
    statuses = Counter(
        row["status"] for rows in interventions.values() for row in rows
    )  # every intervention in the tables, programme-wide work included

    areas = [
        _area_page(row, reports.get(row["area_id"]), interventions, escalations) for row in per_area
    ]
    programme_wide = interventions.get("", []) if area is None else []
    visible_areas = list(
        Area.objects.for_user(user).filter(pk__in=[r["area_id"] for r in per_area])
    )
    committed = sum((amount for _source, amount in sources), Decimal("0.00"))
    spent = sum((row["money_spent"] for row in per_area), Decimal("0.00"))
    if area is None:
        spent += summary["programme_wide"]["money_spent"]

    return {
        "programme": period.programme,
        "period": period,
        "area": area,
        "areas_in_scope": [a.name for a in visible_areas],
        "made_on": date_format(timezone.localdate(), "j F Y"),
        "made_for": str(user),
        "organisation": getattr(user, "organisation", ""),
        "key_figures": _key_figures(
            per_area, statuses, committed, spent, len(programme_wide), summary["programme_wide"]
        ),
        "charts": [
            _reports_chart(per_area),
            _lights_chart(per_area),
            _themes_chart(themes),
            _status_chart(statuses),
            _money_chart(sources, committed),
        ],
        "overview": _overview_table(per_area),
        "areas": areas,
        "programme_wide": _intervention_table(programme_wide),
    }


def _bucket(table, column_name):
    """The table's rows as dicts (keys are the English msgids of the headers, values
    shown as in the other exports), grouped by the value of ``column_name``."""
    with translation.override("en"):
        keys = [str(column.header) for column in table.columns]
    grouped = defaultdict(list)
    for raw in table.rows():
        row = dict(zip(keys, raw, strict=True))
        row["_shown"] = {
            key: _show(column, value)
            for key, column, value in zip(keys, table.columns, raw, strict=True)
        }
        grouped[row[column_name]].append(row)
    return grouped


def _show(column, value):
    if value in ("", None):
        return ""
    if column.kind == MONEY:
        return euro(value)
    if column.kind == DATE:
        return date_format(value, "SHORT_DATE_FORMAT")
    if column.kind in (INTEGER, NUMBER):
        return format_number(value)
    return str(column.display(value))


def _money_per_source(user, period, area):
    lines = FundingLine.objects.for_user(user).filter(
        intervention__track__programme_id=period.programme_id
    )
    if area is not None:
        lines = lines.filter(intervention__area=area)
    totals = dict(lines.values_list("source").annotate(total=Sum("amount")).order_by())
    return [
        (label, money(totals[source]))
        for source, label in FundingLine.Source.choices
        if source in totals
    ]


def _per_theme(user, period, area):
    rows = (
        Intervention.objects.for_user(user)
        .filter(track__programme_id=period.programme_id, area=area)
        .values("themes__name_nl")
        .annotate(interventions=Count("pk", distinct=True))
        .order_by("themes__name_nl")
    )
    return [{"name": row["themes__name_nl"], "interventions": row["interventions"]} for row in rows]


def _key_figures(per_area, statuses, committed, spent, programme_wide_count, programme_wide):
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


def _table(caption, headers, rows, total=None):
    """A data table for the template: headers and cells as (text, is_number)."""
    return {"caption": caption, "headers": headers, "rows": rows, "total": total}


def _reports_chart(per_area):
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
        "table": _table(
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


def _lights_chart(per_area):
    series = [(light, str(Light(light).label)) for light in LIGHTS]
    data = [(row["area"], {light: row[f"updates_{light}"] for light in LIGHTS}) for row in per_area]
    title = _("Lights of the interventions per area")
    chart = stacked_bar_chart(data, series=series, title=title, ident="chart-lights")
    return {
        "title": title,
        "chart": chart,
        "table": _table(
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
                    (_light_label(row["overall_light"]), False),
                ]
                for row in per_area
            ],
        ),
    }


def _themes_chart(themes):
    data = [(row["name"] or _("no theme"), row["interventions"]) for row in themes]
    title = _("Interventions per theme")
    return {
        "title": title,
        "chart": bar_chart(data, title=title, ident="chart-themes"),
        "table": _table(
            title,
            [(_("theme"), False), (_("interventions"), True)],
            [[(label, False), (format_number(value), True)] for label, value in data],
        ),
        "note": _("An intervention can work on more than one theme."),
    }


def _status_chart(statuses):
    data = [(label, statuses[status]) for status, label in Intervention.Status.choices]
    title = _("Interventions per status")
    return {
        "title": title,
        "chart": bar_chart(data, title=title, ident="chart-status"),
        "table": _table(
            title,
            [(_("status"), False), (_("interventions"), True)],
            [[(str(label), False), (format_number(value), True)] for label, value in data],
            [(_("total"), False), (format_number(sum(statuses.values())), True)],
        ),
    }


def _money_chart(sources, committed):
    title = _("Money committed per source")
    return {
        "title": title,
        "chart": bar_chart(sources, title=title, value_format=euro, ident="chart-money"),
        "table": _table(
            title,
            [(_("source"), False), (_("amount committed (€)"), True)],
            [[(str(label), False), (euro(amount), True)] for label, amount in sources],
            [(_("total"), False), (euro(committed), True)],
        ),
    }


def _light_label(light):
    return str(Light(light).label) if light else _("not given")


def _status_label(status):
    return str(AreaReport.Status(status).label) if status else _("no report")


def _overview_table(per_area):
    return _table(
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
                (_status_label(row["report_status"]), False),
                (_light_label(row["overall_light"]), False),
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


def _intervention_table(rows):
    if not rows:
        return None
    return _table(
        _("Interventions"),
        [
            (_("code"), False),
            (_("title"), False),
            (_("status"), False),
            (_("light"), False),
            (_("money spent so far (€)"), True),
        ],
        [
            [
                (row["_shown"]["code"], False),
                (row["_shown"]["title"], False),
                (row["_shown"]["status"], False),
                (row["_shown"]["light"] or _("not given"), False),
                (row["_shown"]["money spent so far (€)"], True),
            ]
            for row in rows
        ],
    )


def _area_page(row, report, interventions, escalations):
    open_escalations = [
        item for item in escalations.get(row["area"], []) if item["status"] not in OPEN_ESCALATION
    ]
    return {
        "name": row["area"],
        "status": _status_label(row["report_status"]),
        "light": row["overall_light"] or "",
        "light_label": _light_label(row["overall_light"]),
        "figures": [
            (_("Interventions"), format_number(row["interventions"])),
            *[
                (str(label), format_number(row[f"interventions_{status}"]))
                for status, label in Intervention.Status.choices
                if row[f"interventions_{status}"]
            ],
            *[
                (
                    _("Updates: %(light)s") % {"light": Light(light).label},
                    format_number(row[f"updates_{light}"]),
                )
                for light in LIGHTS
            ],
            (_("Money committed"), euro(row["money_committed"])),
            (_("Money spent so far"), euro(row["money_spent"])),
            (_("Open escalations"), format_number(row["open_escalations"])),
        ],
        "narrative": report.narrative if report else "",
        "governance": report.governance_progress if report else "",
        "interventions": _intervention_table(interventions.get(row["area"], [])),
        "escalations": [item["_shown"] for item in open_escalations],
    }
