"""The quarterly report as a printable PDF: a cover, the programme in figures and charts,
then a page per area. Rendered from ``templates/pdf/quarter.html`` with WeasyPrint.

Everything in it comes through the selector, the export tables or ``for_user``
querysets, so the PDF holds only what the requesting user may see.
"""

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from areas.models import Area
from core.money import euro, format_number
from interventions.models import Intervention

from .. import figures
from ..figures import light_label, status_label, table
from ..models import AreaReport, Escalation, Light
from ..selectors import interventions_per_theme, quarter_figures
from .tables import DATE, INTEGER, MONEY, NUMBER, quarter_tables


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
    quarter = quarter_figures(user=user, period=period, area=area)
    tables = {each.name: each for each in quarter_tables(user=user, period=period, area=area)}
    interventions = _bucket(tables["interventions"], "area")
    escalations = _bucket(tables["escalations"], "area")
    reports = {
        report.area_id: report
        for report in AreaReport.objects.for_user(user).filter(
            period=period, area_id__in=[row.area_id for row in quarter.per_area]
        )
    }
    return {
        "programme": period.programme,
        "period": period,
        "area": area,
        "areas_in_scope": [row.area for row in quarter.per_area],
        "made_on": date_format(timezone.localdate(), "j F Y"),
        "made_for": str(user),
        "organisation": getattr(user, "organisation", ""),
        "key_figures": figures.key_figures(quarter),
        "charts": [
            figures.reports_chart(quarter),
            figures.lights_chart(quarter),
            figures.themes_chart(interventions_per_theme(user=user, period=period, area=area)),
            figures.status_chart(quarter),
            figures.money_chart(quarter),
        ],
        "overview": figures.overview_table(quarter),
        "areas": [
            _area_page(row, reports.get(row.area_id), interventions, escalations)
            for row in quarter.per_area
        ],
        "programme_wide": _intervention_table(interventions.get("", []) if area is None else []),
        "development": _development_table(tables["development"]),
    }


def _development_table(development):
    """The monitor's baseline, latest figure, change and goal per area and measure."""
    numeric = [column.kind in (INTEGER, NUMBER) for column in development.columns]
    rows = [
        [
            (_show(column, value), is_number)
            for column, value, is_number in zip(development.columns, raw, numeric, strict=True)
        ]
        for raw in development.rows()
    ]
    headers = [
        (str(column.header), is_number)
        for column, is_number in zip(development.columns, numeric, strict=True)
    ]
    return table(str(development.title), headers, rows) if rows else None


def _bucket(table, key):
    """The table's rows as dicts by column key, each with its values as shown in the
    other exports (``_shown``), grouped by the value of the column ``key``."""
    keys = [column.key for column in table.columns]
    grouped = defaultdict(list)
    for raw in table.rows():
        row = dict(zip(keys, raw, strict=True))
        row["_shown"] = {
            name: _show(column, value)
            for name, column, value in zip(keys, table.columns, raw, strict=True)
            if name
        }
        grouped[row[key]].append(row)
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


def _intervention_table(rows):
    if not rows:
        return None
    return table(
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
                (row["_shown"]["money_spent"], True),
            ]
            for row in rows
        ],
    )


def _area_page(row, report, interventions, escalations):
    still_open = [
        item for item in escalations.get(row.area, []) if item["status"] not in Escalation.FINISHED
    ]
    return {
        "name": row.area,
        "status": status_label(row.report_status),
        "light": row.overall_light or "",
        "light_label": light_label(row.overall_light),
        "figures": [
            (_("Interventions"), format_number(row.interventions)),
            *[
                (str(label), format_number(row.interventions_by_status[status]))
                for status, label in Intervention.Status.choices
                if row.interventions_by_status[status]
            ],
            *[
                (_("Updates: %(light)s") % {"light": Light(light).label}, format_number(count))
                for light, count in row.updates_by_light.items()
            ],
            (_("Money committed"), euro(row.money_committed)),
            (_("Money spent so far"), euro(row.money_spent)),
            (_("Open escalations"), format_number(row.open_escalations)),
        ],
        "narrative": report.narrative if report else "",
        "governance": report.governance_progress if report else "",
        "interventions": _intervention_table(interventions.get(row.area, [])),
        "escalations": [item["_shown"] for item in still_open],
    }
