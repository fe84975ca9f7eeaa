"""The quarterly report's tables, as streams of rows over what the user may see.

Every table is a title, typed columns and an iterator of rows (tuples in column
order), read with ``.values_list()`` and ``.iterator()`` so 40,000 interventions never
sit in memory as model objects. The XLSX, CSV and PDF writers all take these tables.
"""

from django.db.models import FilteredRelation, OuterRef, Q, Subquery
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from areas.models import GovernanceArrangement
from core.spreadsheets.writing import DATE, INTEGER, MONEY, NUMBER, Column, Table
from interventions.models import FundingLine, Indicator, Intervention
from monitor.selectors import development_rows

from ..models import AreaReport, Escalation, IndicatorValue, Light
from ..selectors import QuarterFigures, quarter_figures

CHUNK = 2000


def value_in(period):
    """An indicator's value in the update of ``period`` (a correlated subquery). Naming
    the update by its intervention as well lets the database find it through the unique
    (intervention, quarter) index instead of reading every quarter's value."""
    return Subquery(
        IndicatorValue.objects.filter(
            indicator=OuterRef("pk"),
            update__intervention=OuterRef("intervention"),
            update__period=period,
        ).values("value")[:1]
    )


SUMMARY_COLUMNS = [
    Column(_("area"), width=28, key="area"),
    Column(_("report status"), choices=AreaReport.Status, key="report_status"),
    Column(_("overall light"), choices=Light, key="overall_light"),
    Column(_("interventions"), INTEGER, key="interventions"),
    *[
        Column(label, INTEGER, key=f"interventions_{status}")
        for status, label in Intervention.Status.choices
    ],
    Column(_("updates on track"), INTEGER, key="updates_green"),
    Column(_("updates needing attention"), INTEGER, key="updates_amber"),
    Column(_("updates at risk"), INTEGER, key="updates_red"),
    Column(_("money committed (€)"), MONEY, key="money_committed"),
    Column(_("money spent (€)"), MONEY, key="money_spent"),
    Column(_("open escalations"), INTEGER, key="open_escalations"),
]
# The machine-readable summary of /api/v1/quarterly-report/: headers are the keys.
SUMMARY_KEYS = [column.key for column in SUMMARY_COLUMNS]


def summary_table(figures: QuarterFigures, *, for_machines=False) -> Table:
    """The quarter's figures per area. People get labels as headers and values;
    machines get the keys and the stored codes."""
    columns = SUMMARY_COLUMNS
    if for_machines:
        columns = [Column(column.key, column.kind, key=column.key) for column in columns]

    def rows():
        for row in figures.per_area:
            values = row.as_row()
            yield tuple("" if values[key] is None else values[key] for key in SUMMARY_KEYS)

    return Table("summary", _("Summary per area"), columns, rows)


def quarter_tables(*, user, period, area=None) -> list[Table]:
    """The six tables of the quarterly report for ``period``, limited to ``area`` if given
    and always to what ``user`` may see."""
    interventions = Intervention.objects.for_user(user).filter(
        track__programme_id=period.programme_id
    )
    if area is not None:
        interventions = interventions.filter(area=area)

    def intervention_rows():
        rows = (
            interventions.annotate(
                now=FilteredRelation("updates", condition=Q(updates__period=period))
            )
            .order_by("area__name", "title", "pk")
            .values_list(
                "code",
                "title",
                "area__name",
                "track__number",
                "status",
                "lead_partner__name",
                "start_date",
                "end_date",
                "now__light",
                "now__narrative",
                "now__results",
                "now__money_spent_to_date",
                "now__risks",
            )
        )
        for row in rows.iterator(chunk_size=CHUNK):
            yield tuple("" if value is None else value for value in row)

    def indicator_rows():
        earlier = period.previous()
        rows = (
            Indicator.objects.filter(intervention__in=interventions)
            .annotate(value_now=value_in(period), value_before=value_in(earlier))
            .order_by("intervention__area__name", "intervention__code", "name", "pk")
            .values_list(
                "intervention__code",
                "intervention__area__name",
                "name",
                "unit",
                "baseline_value",
                "target_value",
                "value_now",
                "value_before",
            )
        )
        for code, area_name, name, unit, baseline, target, now, before in rows.iterator(
            chunk_size=CHUNK
        ):
            change = now - before if now is not None and before is not None else None
            yield tuple(
                "" if value is None else value
                for value in (code, area_name, name, unit, now, before, change, baseline, target)
            )

    def money_rows():
        rows = (
            FundingLine.objects.filter(intervention__in=interventions)
            .order_by("intervention__area__name", "intervention__code", "source", "pk")
            .values_list(
                "intervention__code",
                "intervention__area__name",
                "source",
                "funder__name",
                "year",
                "amount",
            )
        )
        for row in rows.iterator(chunk_size=CHUNK):
            yield tuple("" if value is None else value for value in row)

    def escalation_rows():
        rows = Escalation.objects.for_user(user).filter(report__period=period)
        if area is not None:
            rows = rows.filter(report__area=area)
        yield from (
            rows.order_by("report__area__name", "pk")
            .values_list(
                "report__area__name",
                "title",
                "kind",
                # The ministry's name in the language of the export.
                "addressed_to__name_en"
                if (get_language() or "nl").startswith("en")
                else "addressed_to__name_nl",
                "status",
                "description",
                "answer",
            )
            .iterator(chunk_size=CHUNK)
        )

    def governance_rows():
        rows = GovernanceArrangement.objects.for_user(user).filter(
            area__tracks__programme_id=period.programme_id
        )
        if area is not None:
            rows = rows.filter(area=area)
        for row in (
            rows.distinct()
            .order_by("area__name", "name")
            .values_list(
                "area__name", "kind", "name", "chair", "start_date", "end_date", "regio_deal__name"
            )
            .iterator(chunk_size=CHUNK)
        ):
            yield tuple("" if value is None else value for value in row)

    return [
        summary_table(quarter_figures(user=user, period=period, area=area)),
        Table(
            "interventions",
            _("Interventions"),
            [
                Column(_("code"), width=14, key="code"),
                Column(_("title"), width=40, key="title"),
                Column(_("area"), width=24, key="area"),
                Column(_("track"), INTEGER, 8),
                Column(_("status"), choices=Intervention.Status, key="status"),
                Column(_("lead partner"), width=28),
                Column(_("start date"), DATE, 12),
                Column(_("end date"), DATE, 12),
                Column(_("light"), width=10, choices=Light, key="light"),
                Column(_("progress"), width=50),
                Column(_("results"), width=50),
                Column(_("money spent so far (€)"), MONEY, key="money_spent"),
                Column(_("risks"), width=40),
            ],
            intervention_rows,
        ),
        Table(
            "indicators",
            _("Indicators"),
            [
                Column(_("intervention"), width=14),
                Column(_("area"), width=24),
                Column(_("indicator"), width=36),
                Column(_("unit"), width=12, choices=Indicator.Unit),
                Column(_("value"), NUMBER),
                Column(_("previous value"), NUMBER),
                Column(_("change"), NUMBER),
                Column(_("baseline"), NUMBER),
                Column(_("target"), NUMBER),
            ],
            indicator_rows,
        ),
        Table(
            "money",
            _("Money per source"),
            [
                Column(_("intervention"), width=14),
                Column(_("area"), width=24),
                Column(_("source"), choices=FundingLine.Source),
                Column(_("funder"), width=28),
                Column(_("year"), INTEGER, 8),
                Column(_("amount committed (€)"), MONEY),
            ],
            money_rows,
        ),
        Table(
            "escalations",
            _("Escalations"),
            [
                Column(_("area"), width=24, key="area"),
                Column(_("title"), width=36, key="title"),
                Column(_("kind"), choices=Escalation.Kind, key="kind"),
                Column(_("addressed to"), width=36, key="addressed_to"),
                Column(_("status"), choices=Escalation.Status, key="status"),
                Column(_("description"), width=50, key="description"),
                Column(_("answer from the Rijk"), width=50, key="answer"),
            ],
            escalation_rows,
        ),
        Table(
            "governance",
            _("Governance"),
            [
                Column(_("area"), width=24),
                Column(_("kind"), choices=GovernanceArrangement.Kind),
                Column(_("name"), width=36),
                Column(_("chair"), width=20),
                Column(_("start date"), DATE, 12),
                Column(_("end date"), DATE, 12),
                Column(_("Regio Deal"), width=36),
            ],
            governance_rows,
        ),
        Table(
            "development",
            _("Development of the areas"),
            [
                Column(_("area"), width=24, key="area"),
                Column(_("measure"), width=40, key="measure"),
                Column(_("unit"), width=16, key="unit"),
                Column(_("baseline year"), INTEGER, 10, key="baseline_year"),
                Column(_("baseline"), NUMBER, key="baseline"),
                Column(_("latest year"), INTEGER, 10, key="latest_year"),
                Column(_("latest"), NUMBER, key="latest"),
                Column(_("change"), NUMBER, key="change"),
                Column(_("since the baseline"), width=14, key="verdict"),
                Column(_("target year"), INTEGER, 10, key="target_year"),
                Column(_("goal"), NUMBER, key="goal"),
                Column(_("demo"), width=20, key="demo"),
            ],
            lambda: development_rows(user=user, area=area),
        ),
    ]
