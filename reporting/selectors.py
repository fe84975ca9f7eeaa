"""The quarter's figures, computed once over what the requesting user may see.

``quarter_figures`` is the one truth behind every place that shows a quarter's numbers:
the dashboard, the PDF, the summary sheet of the XLSX and CSV, and
``/api/v1/quarterly-report/``. Each reads the same typed value, so they cannot disagree.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from areas.models import Area
from core.money import ZERO, money
from interventions.models import FundingLine, Intervention
from programme.models import ReportingPeriod, Track

from .models import AreaReport, Escalation, ProgressUpdate

LIGHTS = ("green", "amber", "red")
STATUSES = tuple(Intervention.Status.values)


@dataclass(frozen=True)
class AreaFigures:
    """One area's quarter: its report and the figures of its interventions."""

    area_id: int
    area: str
    report_status: str | None  # None: the area has no report this quarter
    overall_light: str | None
    interventions_by_status: dict[str, int]
    updates_by_light: dict[str, int]
    money_committed: Decimal
    money_spent: Decimal
    open_escalations: int

    @property
    def interventions(self) -> int:
        return sum(self.interventions_by_status.values())

    @property
    def submitted(self) -> bool:
        return self.report_status in AreaReport.SUBMITTED

    def as_row(self) -> dict:
        """The figures as one flat row, keyed as the API and the machine-readable
        summary name them (``interventions_running``, ``updates_green`` …)."""
        return {
            "area_id": self.area_id,
            "area": self.area,
            "report_status": self.report_status,
            "overall_light": self.overall_light,
            "interventions": self.interventions,
            **{
                f"interventions_{status}": self.interventions_by_status[status]
                for status in STATUSES
            },
            **{f"updates_{light}": self.updates_by_light[light] for light in LIGHTS},
            "money_committed": self.money_committed,
            "money_spent": self.money_spent,
            "open_escalations": self.open_escalations,
        }


@dataclass(frozen=True)
class ProgrammeWideFigures:
    """Work of the whole programme, in no area: reported by the coordinators."""

    interventions: int = 0
    money_committed: Decimal = ZERO
    money_spent: Decimal = ZERO


@dataclass(frozen=True)
class QuarterFigures:
    """A quarter's figures over what one user may see, optionally of one area or track."""

    period: ReportingPeriod
    per_area: list[AreaFigures]
    programme_wide: ProgrammeWideFigures
    # Every intervention counted, programme-wide work included (none with an area).
    interventions_by_status: dict[str, int]
    money_per_source: list[tuple[str, Decimal]] = field(default_factory=list)

    @property
    def interventions(self) -> int:
        return sum(self.interventions_by_status.values())

    @property
    def money_committed(self) -> Decimal:
        return sum((amount for _source, amount in self.money_per_source), ZERO)

    @property
    def money_spent(self) -> Decimal:
        return (
            sum((row.money_spent for row in self.per_area), ZERO) + self.programme_wide.money_spent
        )

    @property
    def updates_by_light(self) -> dict[str, int]:
        return {
            light: sum(row.updates_by_light[light] for row in self.per_area) for light in LIGHTS
        }

    @property
    def open_escalations(self) -> int:
        return sum(row.open_escalations for row in self.per_area)

    @property
    def reports_submitted(self) -> int:
        return sum(row.submitted for row in self.per_area)

    @property
    def not_submitted(self) -> list[str]:
        return [row.area for row in self.per_area if not row.submitted]

    def late(self, today) -> list[AreaFigures]:
        return [
            row
            for row in self.per_area
            if AreaReport.late(row.report_status, deadline=self.period.deadline, today=today)
        ]

    def as_dict(self) -> dict:
        """The figures as the API shows them."""
        return {
            "quarter": self.period.label,
            "programme": self.period.programme.code,
            "deadline": self.period.deadline,
            "quarter_status": self.period.status,
            "per_area": [row.as_row() for row in self.per_area],
            "programme_wide": {
                "interventions": self.programme_wide.interventions,
                "money_committed": self.programme_wide.money_committed,
                "money_spent": self.programme_wide.money_spent,
            },
            "totals": {
                "money_committed": sum((row.money_committed for row in self.per_area), ZERO),
                "money_spent": sum((row.money_spent for row in self.per_area), ZERO),
                **{f"updates_{light}": count for light, count in self.updates_by_light.items()},
            },
            "not_submitted": self.not_submitted,
        }


def visible_interventions(user, period, *, area=None, track=None):
    interventions = Intervention.objects.for_user(user).filter(
        track__programme_id=period.programme_id
    )
    if area is not None:
        interventions = interventions.filter(area=area)
    if track is not None:
        interventions = interventions.filter(track=track)
    return interventions


def quarter_figures(
    *, user, period: ReportingPeriod, area: Area | None = None, track: Track | None = None
) -> QuarterFigures:
    """The quarter's figures per area that reports in it, with the programme-wide work,
    over what ``user`` may see. With an ``area``, only that area (and no programme-wide
    work); with a ``track``, only that track's interventions and the areas taking part
    in it. A fixed number of queries, however many areas and interventions."""
    interventions = visible_interventions(user, period, area=area, track=track)
    updates = ProgressUpdate.objects.for_user(user).filter(period=period)
    reports = AreaReport.objects.for_user(user).filter(period=period)
    areas = Area.objects.for_user(user).filter(reports__period=period)
    # Filtered directly rather than through the interventions: one join less.
    funding = FundingLine.objects.for_user(user).filter(
        intervention__track__programme_id=period.programme_id
    )
    escalations = Escalation.objects.for_user(user).filter(report__period=period)
    if area is not None:
        updates = updates.filter(intervention__area=area)
        reports = reports.filter(area=area)
        areas = areas.filter(pk=area.pk)
        funding = funding.filter(intervention__area=area)
        escalations = escalations.filter(report__area=area)
    if track is not None:
        updates = updates.filter(intervention__track=track)
        reports = reports.filter(area__tracks=track)
        areas = areas.filter(tracks=track)
        funding = funding.filter(intervention__track=track)

    light_counts = {light: Count("pk", filter=Q(light=light)) for light in LIGHTS}
    updates_of = {
        row.pop("intervention__area"): row
        for row in updates.values("intervention__area").annotate(
            **light_counts, spent=Sum("money_spent_to_date")
        )
    }
    statuses_of = {}
    for area_id, status, count in (
        interventions.values_list("area", "status").annotate(Count("pk")).order_by()
    ):
        statuses_of.setdefault(area_id, Counter())[status] += count
    committed_of, per_source = Counter(), Counter()
    for area_id, source, total in (
        funding.values_list("intervention__area", "source").annotate(Sum("amount")).order_by()
    ):
        committed_of[area_id] += total
        per_source[source] += total
    open_escalations_of = dict(
        escalations.exclude(status__in=Escalation.FINISHED)
        .values_list("report__area")
        .annotate(Count("pk"))
        .order_by()
    )
    report_of = {
        area_id: (status, light)
        for area_id, status, light in reports.values_list("area", "status", "overall_light")
    }

    per_area = []
    for area_id, name in areas.distinct().order_by("name").values_list("pk", "name"):
        status, light = report_of.get(area_id, (None, ""))
        counts = statuses_of.get(area_id, Counter())
        lights = updates_of.get(area_id, {})
        per_area.append(
            AreaFigures(
                area_id=area_id,
                area=name,
                report_status=status,
                overall_light=light or None,
                interventions_by_status={status: counts[status] for status in STATUSES},
                updates_by_light={light: lights.get(light, 0) for light in LIGHTS},
                money_committed=money(committed_of.get(area_id)),
                money_spent=money(lights.get("spent")),
                open_escalations=open_escalations_of.get(area_id, 0),
            )
        )

    everything = Counter()
    for counts in statuses_of.values():
        everything.update(counts)
    wide = statuses_of.get(None, Counter())
    return QuarterFigures(
        period=period,
        per_area=per_area,
        programme_wide=ProgrammeWideFigures(
            interventions=sum(wide.values()),
            money_committed=money(committed_of.get(None)),
            money_spent=money(updates_of.get(None, {}).get("spent")),
        ),
        interventions_by_status={status: everything[status] for status in STATUSES},
        money_per_source=[
            (label, money(per_source[source]))
            for source, label in FundingLine.Source.choices
            if source in per_source
        ],
    )


def interventions_per_theme(*, user, period, area=None) -> list[dict]:
    """How many interventions work on each theme (an intervention counts once for each
    of its themes)."""
    rows = (
        visible_interventions(user, period, area=area)
        .values("themes__code", "themes__name_nl")
        .annotate(interventions=Count("pk", distinct=True))
        .order_by("themes__name_nl")
    )
    return [
        {
            "theme": row["themes__code"],
            "name": row["themes__name_nl"],
            "interventions": row["interventions"],
        }
        for row in rows
    ]


def interventions_per_track(*, user, period) -> list[dict]:
    rows = (
        visible_interventions(user, period)
        .values("track__number", "track__name")
        .annotate(
            interventions=Count("pk", distinct=True),
            money_committed=Sum("funding_lines__amount"),
        )
        .order_by("track__number")
    )
    return [
        {
            "track": row["track__number"],
            "name": row["track__name"],
            "interventions": row["interventions"],
            "money_committed": money(row["money_committed"]),
        }
        for row in rows
    ]
