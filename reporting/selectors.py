"""The quarterly report's figures, computed over what the requesting user may see."""

from decimal import Decimal

from django.db.models import Count, Q, Sum

from areas.models import Area
from core.money import money
from interventions.models import FundingLine, Intervention
from programme.models import ReportingPeriod, Track

from .models import AreaReport, Escalation, ProgressUpdate

LIGHTS = ("green", "amber", "red")


def visible_interventions(user, period):
    return Intervention.objects.for_user(user).filter(track__programme_id=period.programme_id)


def area_summary(*, user, period: ReportingPeriod, track: Track | None = None) -> dict:
    """Per area: report status, lights, interventions by status, money committed and
    spent, open escalations; totals; and which areas have not submitted. With a
    ``track``, only that track's interventions and the areas taking part in it."""
    interventions = visible_interventions(user, period)
    updates = ProgressUpdate.objects.for_user(user).filter(period=period)
    reports = AreaReport.objects.for_user(user).filter(period=period).select_related("area")
    areas = Area.objects.for_user(user).filter(reports__period=period)
    # Filtered directly rather than through the interventions: one join less.
    funding = FundingLine.objects.for_user(user).filter(
        intervention__track__programme_id=period.programme_id
    )
    if track is not None:
        interventions = interventions.filter(track=track)
        funding = funding.filter(intervention__track=track)
        updates = updates.filter(intervention__track=track)
        reports = reports.filter(area__tracks=track)
        areas = areas.filter(tracks=track)
    areas = areas.distinct()

    light_counts = {f"updates_{light}": Count("pk", filter=Q(light=light)) for light in LIGHTS}
    per_area_updates = {
        row["intervention__area"]: row
        for row in updates.values("intervention__area").annotate(
            **light_counts, spent=Sum("money_spent_to_date")
        )
    }
    per_area_interventions = {
        row["area"]: row
        for row in interventions.values("area").annotate(
            interventions=Count("pk"),
            **{
                f"interventions_{status}": Count("pk", filter=Q(status=status))
                for status in Intervention.Status.values
            },
        )
    }
    committed = {
        row["intervention__area"]: row["total"]
        for row in funding.values("intervention__area").annotate(total=Sum("amount"))
    }
    open_escalations = {
        row["report__area"]: row["count"]
        for row in Escalation.objects.for_user(user)
        .filter(report__period=period)
        .exclude(status__in=[Escalation.Status.RESOLVED, Escalation.Status.DECLINED])
        .values("report__area")
        .annotate(count=Count("pk"))
    }
    status_of = {report.area_id: report for report in reports}

    per_area = []
    for area in areas.order_by("name"):
        report = status_of.get(area.pk)
        counts = per_area_interventions.get(area.pk, {})
        lights = per_area_updates.get(area.pk, {})
        per_area.append(
            {
                "area_id": area.pk,
                "area": area.name,
                "report_status": report.status if report else None,
                "overall_light": (report.overall_light or None) if report else None,
                "interventions": counts.get("interventions", 0),
                **{
                    f"interventions_{status}": counts.get(f"interventions_{status}", 0)
                    for status in Intervention.Status.values
                },
                **{f"updates_{light}": lights.get(f"updates_{light}", 0) for light in LIGHTS},
                "money_committed": money(committed.get(area.pk)),
                "money_spent": money(lights.get("spent")),
                "open_escalations": open_escalations.get(area.pk, 0),
            }
        )

    return {
        "quarter": period.label,
        "programme": period.programme.code,
        "deadline": period.deadline,
        "quarter_status": period.status,
        "per_area": per_area,
        "programme_wide": {
            "interventions": per_area_interventions.get(None, {}).get("interventions", 0),
            "money_committed": money(committed.get(None)),
            "money_spent": money(per_area_updates.get(None, {}).get("spent")),
        },
        "totals": {
            "money_committed": sum((r["money_committed"] for r in per_area), Decimal("0.00")),
            "money_spent": sum((r["money_spent"] for r in per_area), Decimal("0.00")),
            **{
                f"updates_{light}": sum(r[f"updates_{light}"] for r in per_area) for light in LIGHTS
            },
        },
        "not_submitted": [
            r["area"] for r in per_area if r["report_status"] in ("draft", "returned", None)
        ],
    }


def quarter_summary(*, user, period: ReportingPeriod) -> dict:
    """The area summary with the interventions per theme and per track added."""
    interventions = visible_interventions(user, period)
    per_theme = list(
        interventions.values("themes__code", "themes__name_nl")
        .annotate(interventions=Count("pk", distinct=True))
        .order_by("themes__name_nl")
    )
    per_track = list(
        interventions.values("track__number", "track__name")
        .annotate(
            interventions=Count("pk", distinct=True),
            money_committed=Sum("funding_lines__amount"),
        )
        .order_by("track__number")
    )
    return {
        **area_summary(user=user, period=period),
        "per_theme": [
            {
                "theme": row["themes__code"],
                "name": row["themes__name_nl"],
                "interventions": row["interventions"],
            }
            for row in per_theme
        ],
        "per_track": [
            {
                "track": row["track__number"],
                "name": row["track__name"],
                "interventions": row["interventions"],
                "money_committed": money(row["money_committed"]),
            }
            for row in per_track
        ],
    }
