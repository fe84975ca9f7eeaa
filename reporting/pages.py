"""What each page shows, computed over what the requesting user may see.

Every function here runs a fixed number of queries: figures are aggregated in the
database and rows are fetched with their relations in one go.
"""

from collections import defaultdict
from typing import NamedTuple

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts import access
from areas.models import AreaDocument, AreaPartner, AreaStudy, GovernanceArrangement
from core.charts import stacked_bar_chart
from interventions.models import Intervention
from monitor import selectors as monitor
from programme.models import ReportingPeriod

from . import figures, services
from .models import AreaReport, Escalation, Light, ProgressUpdate
from .selectors import LIGHTS, quarter_figures, visible_interventions

ESCALATIONS_SHOWN = 25
QUARTERS_SHOWN = 12
INTERVENTIONS_PER_PAGE = 50


class ToDo(NamedTuple):
    """An intervention whose update for the quarter still needs work."""

    intervention: Intervention
    reason: str
    link: str
    has_update: bool


def dashboard(*, user, period, track=None, today) -> dict:
    """The quarter at a glance: every area's report and light, the late ones, the
    interventions by theme and status, the money and the open escalations. (The page
    keeps them rendered in the shared cache until a write changes them.)"""
    quarter = quarter_figures(user=user, period=period, track=track)
    escalations = (
        Escalation.objects.for_user(user)
        .filter(report__period=period)
        .exclude(status__in=Escalation.FINISHED)
    )
    if track is not None:
        escalations = escalations.filter(report__area__tracks=track)
    late = {row.area_id for row in quarter.late(today)}
    rows = [
        {
            "figures": row,
            "status_label": figures.status_label(row.report_status),
            "light_label": figures.light_label(row.overall_light),
            "late": row.area_id in late,
        }
        for row in quarter.per_area
    ]
    return {
        "areas": rows,
        "late": [row for row in rows if row["late"]],
        "key_figures": figures.key_figures(quarter),
        "charts": [
            figures.reports_chart(quarter),
            figures.lights_chart(quarter),
            figures.themes_by_status_chart(visible_interventions(user, period, track=track)),
            figures.status_chart(quarter),
            figures.money_chart(quarter),
        ],
        "escalations": list(
            escalations.select_related("report__area", "addressed_to").order_by(
                "report__area__name", "title", "pk"
            )[:ESCALATIONS_SHOWN]
        ),
        "escalations_total": quarter.open_escalations,
        "monitor": monitor.dashboard(
            user=user, lights={row.area_id: row.overall_light for row in quarter.per_area}
        ),
    }


def area(*, user, area, page_number=1) -> dict:
    """An area's partners, governance, interventions with their latest light (a page of
    them at a time), its lights over the past quarters and its escalations with the
    answers."""
    latest = (
        ProgressUpdate.objects.filter(intervention=OuterRef("pk"))
        .exclude(light="")
        .order_by("-period__year", "-period__quarter")
    )
    interventions = (
        Intervention.objects.for_user(user)
        .filter(area=area)
        .select_related("track__programme", "lead_partner")
        .annotate(
            latest_light=Subquery(latest.values("light")[:1]),
            latest_year=Subquery(latest.values("period__year")[:1]),
            latest_quarter=Subquery(latest.values("period__quarter")[:1]),
        )
        .order_by("track__programme__start_year", "code")
    )
    interventions_page = Paginator(interventions, INTERVENTIONS_PER_PAGE).get_page(page_number)
    escalations = (
        Escalation.objects.for_user(user)
        .filter(report__area=area)
        .select_related("report__period", "addressed_to")
        .order_by("-report__period__year", "-report__period__quarter", "title", "pk")
    )
    return {
        "partners": AreaPartner.objects.for_user(user)
        .filter(area=area)
        .select_related("partner")
        .order_by("role", "partner__name"),
        "governance": GovernanceArrangement.objects.for_user(user)
        .filter(area=area)
        .select_related("regio_deal")
        .order_by("kind", "name"),
        "interventions": [
            {
                "intervention": intervention,
                "light": intervention.latest_light or "",
                "light_label": figures.light_label(intervention.latest_light),
                "quarter": (
                    f"{intervention.latest_year}-Q{intervention.latest_quarter}"
                    if intervention.latest_year
                    else ""
                ),
            }
            for intervention in interventions_page
        ],
        "interventions_page": interventions_page,
        "lights": _lights_per_quarter(user, area),
        "escalations": list(escalations[:ESCALATIONS_SHOWN]),
        "escalations_total": escalations.count(),
        "development": monitor.area_development(user=user, area=area),
        **_dossier(user, area),
    }


def _dossier(user, area):
    """The area's dossier: where its integrated analysis and MKBA stand (both shown, as
    not started when nothing is recorded) and its documents, for who may take them."""
    studies = {
        study.kind: study
        for study in AreaStudy.objects.for_user(user).filter(area=area).select_related("document")
    }
    documents = [
        document
        for document in AreaDocument.objects.for_user(user)
        .filter(area=area)
        .select_related("uploaded_by")
        .order_by("kind", "title", "pk")
        if access.may_take_document(user, document)
    ]
    takeable = {document.pk for document in documents}
    return {
        "studies": [
            {
                "label": label,
                "study": studies.get(kind),
                "document": (
                    studies[kind].document
                    if kind in studies and studies[kind].document_id in takeable
                    else None
                ),
                "status_label": (
                    studies[kind].get_status_display()
                    if kind in studies
                    else AreaStudy.Status.NOT_STARTED.label
                ),
            }
            for kind, label in AreaStudy.Kind.choices
        ],
        "documents": documents,
    }


def _lights_per_quarter(user, area):
    reports = list(
        AreaReport.objects.for_user(user)
        .filter(area=area)
        .select_related("period__programme")
        .annotate(**{light: Count("updates", filter=Q(updates__light=light)) for light in LIGHTS})
        .order_by("-period__year", "-period__quarter", "period__programme__start_year")[
            :QUARTERS_SHOWN
        ]
    )
    reports.reverse()  # oldest first, as a timeline reads
    series = [(light, str(Light(light).label)) for light in LIGHTS]
    title = _("Lights of the interventions per quarter")
    several_programmes = len({report.period.programme_id for report in reports}) > 1
    for report in reports:
        report.quarter = report.period.label + (
            f" ({report.period.programme.code})" if several_programmes else ""
        )
    data = [
        (report.quarter, {light: getattr(report, light) for light in LIGHTS}) for report in reports
    ]
    return {
        "title": title,
        "chart": stacked_bar_chart(data, series=series, title=title, ident="chart-area-lights"),
        "table": figures.table(
            title,
            [
                (_("quarter"), False),
                (_("report status"), False),
                (_("overall light"), False),
                *[(label, True) for _key, label in series],
            ],
            [
                [
                    (report.quarter, False),
                    (report.get_status_display(), False),
                    (figures.light_label(report.overall_light), False),
                    *[(figures.format_number(getattr(report, light)), True) for light in LIGHTS],
                ]
                for report in reports
            ],
        ),
    }


def my_quarter(*, user, today) -> dict:
    """Per open report of the user's own areas: the deadline, the state, and each
    intervention whose update still needs work, with a link to its form."""
    area_ids = access.own_area_ids(user)
    reports = list(
        AreaReport.objects.for_user(user)
        .filter(area_id__in=area_ids, period__status=ReportingPeriod.Status.OPEN)
        .select_related("area", "period__programme")
        .annotate(updates_total=Count("updates"))
        .order_by("period__deadline", "area__name")
    )
    to_do = defaultdict(list)
    for update in (
        ProgressUpdate.objects.for_user(user)
        .filter(report__in=reports)
        .filter(Q(light="") | Q(carried_over=True))
        .select_related("intervention")
        .order_by("intervention__code")
    ):
        reason = _("no light given yet") if not update.light else _("carried over: check it")
        link = reverse("admin:reporting_progressupdate_change", args=[update.pk])
        to_do[update.report_id].append(ToDo(update.intervention, reason, link, has_update=True))

    report_of = {(report.area_id, report.period.programme_id): report for report in reports}
    for intervention in (
        Intervention.objects.for_user(user)
        .filter(
            area_id__in=area_ids,
            status=Intervention.Status.RUNNING,
            track__programme_id__in={report.period.programme_id for report in reports},
        )
        .exclude(updates__period__in=[report.period_id for report in reports])
        .select_related("track")
        .order_by("code")
    ):
        report = report_of.get((intervention.area_id, intervention.track.programme_id))
        if report is not None:
            # The report's page has the step that adds the missing updates.
            link = reverse("admin:reporting_areareport_change", args=[report.pk])
            to_do[report.pk].append(ToDo(intervention, _("no update yet"), link, has_update=False))

    back = urlencode({"next": reverse("pages:my-quarter")})
    return {
        "has_areas": bool(area_ids),
        "reports": [
            {
                "report": report,
                "to_submit": report.status in AreaReport.NOT_SUBMITTED,
                "needs_overall_light": not report.overall_light,
                "days_left": (report.period.deadline - today).days,
                "days_late": (today - report.period.deadline).days,
                "late": AreaReport.late(
                    report.status, deadline=report.period.deadline, today=today
                ),
                "to_do": to_do[report.pk],
                "done": report.updates_total - sum(item.has_update for item in to_do[report.pk]),
                "total": report.updates_total
                + sum(not item.has_update for item in to_do[report.pk]),
                "link": reverse("admin:reporting_areareport_change", args=[report.pk]),
                "submit_link": (
                    reverse("admin:reporting_areareport_step", args=[report.pk, "submit"])
                    + f"?{back}"
                    if "submit" in services.allowed_report_steps(report=report, user=user)
                    else ""
                ),
            }
            for report in reports
        ],
    }
