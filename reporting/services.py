"""The quarterly workflow. Admin, API and commands all change reports through here.

Each step locks the row it changes, checks who may take it and from which state,
writes the new state and an append-only transition row, and sends its e-mails only
after the transaction commits.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from accounts import access
from accounts.models import User
from areas.models import Area
from interventions.models import Intervention
from programme.models import Programme, ReportingPeriod

from .models import (
    AreaReport,
    IndicatorValue,
    ProgressUpdate,
    QuarterClosedError,
    QuarterTransition,
    ReportTransition,
)

Status = AreaReport.Status

# The report workflow: step -> (states it starts from, state it leads to, permission).
REPORT_STEPS = {
    "submit": (set(AreaReport.NOT_SUBMITTED), Status.SUBMITTED, "reporting.submit_areareport"),
    "approve": ({Status.SUBMITTED}, Status.APPROVED, "reporting.review_areareport"),
    "return": ({Status.SUBMITTED}, Status.RETURNED, "reporting.review_areareport"),
    "reopen": ({Status.APPROVED}, Status.DRAFT, "reporting.review_areareport"),
}
STEPS_NEEDING_A_COMMENT = {"return", "reopen"}
STEP_LABELS = {
    "submit": gettext_lazy("Submit"),
    "approve": gettext_lazy("Approve"),
    "return": gettext_lazy("Return"),
    "reopen": gettext_lazy("Reopen"),
}


class StepNotAllowed(ValidationError):
    """A workflow step that the current state does not allow (HTTP 409 in the API)."""


def allowed_report_steps(*, report, user):
    """The steps ``user`` may take on ``report`` now, for buttons. The loaded period
    decides here, without a query per report; the step itself re-reads it under lock."""
    if report.period.is_closed:
        return []
    return [
        step
        for step, (sources, _target, permission) in REPORT_STEPS.items()
        if report.status in sources and access.may(user, permission, report)
    ]


@transaction.atomic
def report_step(*, report: AreaReport, user: User, step: str, comment: str = "") -> AreaReport:
    """Take one workflow step on a report: submit, approve, return or reopen."""
    sources, target, permission = REPORT_STEPS[step]
    report = (
        AreaReport.objects.select_for_update().select_related("period", "area").get(pk=report.pk)
    )
    if not access.may(user, permission, report):
        raise PermissionDenied
    if report.quarter_is_closed():
        raise QuarterClosedError()
    if report.status not in sources:
        raise StepNotAllowed(
            _("A report that is %(status)s cannot be given this step (%(step)s).")
            % {"status": report.get_status_display(), "step": STEP_LABELS[step]},
            code="step_not_allowed",
        )
    comment = comment.strip()
    if step in STEPS_NEEDING_A_COMMENT and not comment:
        raise ValidationError({"comment": _("Say why: the area reads this comment.")})
    if step == "submit":
        _check_complete(report)

    previous = report.status
    report.status = target
    now = timezone.now()
    if step == "submit":
        report.submitted_at = now
    elif step in ("approve", "return"):
        report.reviewed_at = now
    report._history_user = user
    report.save()
    ReportTransition.objects.create(
        report=report, actor=user, from_status=previous, to_status=target, comment=comment
    )
    if target in AreaReport.NOT_SUBMITTED:
        # Back with the area: interventions that started running meanwhile get their update.
        report_prepare(report=report, user=user)
    if step == "return":
        _mail_members(
            [report.area_id],
            _("Quarterly report %(report)s returned") % {"report": report},
            _("The programme coordinator returned the report %(report)s:\n\n%(comment)s\n")
            % {"report": report, "comment": comment},
        )
    return report


def _check_complete(report):
    problems = []
    if not report.overall_light:
        problems.append(_("Give the report's overall light."))
    without_update = interventions_without_update(report).values_list("title", flat=True)
    if without_update:
        problems.append(
            _("These running interventions have no update yet: %(titles)s.")
            % {"titles": ", ".join(without_update)}
        )
    missing = report.updates.filter(light="").values_list("intervention__title", flat=True)
    if missing:
        problems.append(_("Give a light for: %(titles)s.") % {"titles": ", ".join(missing)})
    if problems:
        raise ValidationError(problems, code="incomplete")


def running_interventions(period):
    return Intervention.objects.filter(
        track__programme_id=period.programme_id, status=Intervention.Status.RUNNING
    )


def interventions_without_update(report):
    """The running interventions of the report's area that have no update this quarter."""
    return (
        running_interventions(report.period)
        .filter(area_id=report.area_id)
        .exclude(updates__period=report.period)
    )


@transaction.atomic
def intervention_started(*, intervention: Intervention, user: User | None = None) -> int:
    """Give a running intervention its update in every open quarter of its programme:
    in its area's report while the area still works on it, or, for programme-wide work,
    without a report. Returns how many updates were created."""
    return interventions_started(interventions=[intervention], user=user)


def interventions_started(*, interventions, user: User | None = None) -> int:
    """``intervention_started`` for many at once (an import): a few queries per open
    quarter, however many interventions."""
    running = [i.pk for i in interventions if i.status == Intervention.Status.RUNNING]
    if not running:
        return 0
    periods = ReportingPeriod.objects.filter(
        programme__tracks__interventions__in=running, status=ReportingPeriod.Status.OPEN
    ).distinct()
    created = 0
    for period in periods:
        reports = {
            report.area_id: report
            for report in AreaReport.objects.filter(
                period=period, status__in=AreaReport.NOT_SUBMITTED
            )
        }
        # An area whose report is in gets the update when the report comes back.
        waiting = Intervention.objects.filter(
            pk__in=running, track__programme_id=period.programme_id
        ).filter(Q(area__isnull=True) | Q(area__in=list(reports)))
        created += _create_updates(period, waiting, reports, user)
    return created


@transaction.atomic
def report_prepare(*, report: AreaReport, user: User | None = None) -> int:
    """Give every running intervention of the report's area an update (carried over
    from the previous quarter where there is one). Returns how many were created."""
    if report.quarter_is_closed():
        return 0
    interventions = running_interventions(report.period).filter(area_id=report.area_id)
    return _create_updates(report.period, interventions, {report.area_id: report}, user)


def _create_updates(period, interventions, reports_by_area, user):
    missing = interventions.exclude(updates__period=period)
    previous_period = period.previous()
    previous = {}
    if previous_period:
        previous = {
            update.intervention_id: update
            for update in ProgressUpdate.objects.filter(
                period=previous_period, intervention__in=missing
            ).prefetch_related("indicator_values")
        }
    updates, carried_values = [], []
    for intervention in missing.only("pk", "area_id"):
        update = ProgressUpdate(
            intervention=intervention,
            period=period,
            report=reports_by_area.get(intervention.area_id),
        )
        earlier = previous.get(intervention.pk)
        if earlier is not None:
            for name in ProgressUpdate.carried_fields:
                setattr(update, name, getattr(earlier, name))
            update.carried_over = True
        updates.append(update)
        carried_values.append(list(earlier.indicator_values.all()) if earlier else [])
    created = bulk_create_with_history(updates, ProgressUpdate, default_user=user)
    values = [
        IndicatorValue(
            update=update, indicator_id=old.indicator_id, value=old.value, carried_over=True
        )
        for update, olds in zip(created, carried_values, strict=True)
        for old in olds
    ]
    if values:
        bulk_create_with_history(values, IndicatorValue, default_user=user)
    return len(created)


def _require_quarter_permission(user):
    if not access.may_manage_quarters(user):
        raise PermissionDenied


def areas_in(programme):
    return Area.objects.filter(tracks__programme=programme).distinct()


@transaction.atomic
def quarter_open(
    *, programme: Programme, year: int, quarter: int, deadline: datetime.date, user: User
) -> ReportingPeriod:
    """Open a quarter: a report for every area of the programme, an update for every
    running intervention, and an e-mail to the areas' liaisons."""
    _require_quarter_permission(user)
    period = ReportingPeriod(programme=programme, year=year, quarter=quarter, deadline=deadline)
    period.full_clean()
    period._history_user = user
    period.save()
    QuarterTransition.objects.create(period=period, actor=user, from_status="", to_status="open")
    area_ids = list(areas_in(programme).values_list("pk", flat=True))
    reports = bulk_create_with_history(
        [AreaReport(area_id=area_id, period=period) for area_id in area_ids],
        AreaReport,
        default_user=user,
    )
    _create_updates(
        period,
        running_interventions(period),
        {report.area_id: report for report in reports},
        user,
    )
    _mail_members(
        area_ids,
        _("Quarter %(quarter)s is open") % {"quarter": period.label},
        _(
            "The quarterly report for %(quarter)s of %(programme)s is open. "
            "Please submit it by %(deadline)s."
        )
        % {"quarter": period.label, "programme": programme, "deadline": deadline},
    )
    return period


@transaction.atomic
def quarter_close(*, period: ReportingPeriod, user: User) -> ReportingPeriod:
    """Close a quarter: from now on nothing reported in it changes."""
    return _quarter_step(period, user, ReportingPeriod.Status.CLOSED, "")


@transaction.atomic
def quarter_reopen(*, period: ReportingPeriod, user: User, reason: str) -> ReportingPeriod:
    if not reason.strip():
        raise ValidationError({"comment": _("Say why the quarter is reopened.")})
    return _quarter_step(period, user, ReportingPeriod.Status.OPEN, reason.strip())


def _quarter_step(period, user, target, comment):
    _require_quarter_permission(user)
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status == target:
        raise StepNotAllowed(
            _("The quarter is already %(status)s.") % {"status": period.get_status_display()},
            code="step_not_allowed",
        )
    previous = period.status
    period.status = target
    period._history_user = user
    period.save()
    QuarterTransition.objects.create(
        period=period, actor=user, from_status=previous, to_status=target, comment=comment
    )
    return period


def send_deadline_reminders(*, today: datetime.date | None = None) -> int:
    """Remind the liaisons of areas that have not submitted, once per quarter, when the
    deadline is near. Returns the number of quarters reminded."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.DEADLINE_REMINDER_DAYS)
    reminded = 0
    for period in ReportingPeriod.objects.filter(
        status=ReportingPeriod.Status.OPEN,
        deadline__gte=today,
        deadline__lte=horizon,
        deadline_reminder_sent_at__isnull=True,
    ):
        with transaction.atomic():
            period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
            if period.deadline_reminder_sent_at:
                continue
            period.deadline_reminder_sent_at = timezone.now()
            period.save()
            area_ids = period.reports.filter(status__in=AreaReport.NOT_SUBMITTED).values_list(
                "area_id", flat=True
            )
            _mail_members(
                list(area_ids),
                _("Reminder: quarterly report %(quarter)s due %(deadline)s")
                % {"quarter": period.label, "deadline": period.deadline},
                _("Your area's report for %(quarter)s has not been submitted yet.")
                % {"quarter": period.label},
            )
        reminded += 1
    return reminded


def _mail_members(area_ids, subject, body):
    """E-mail the active members of these areas, once the transaction has committed."""
    recipients = list(
        User.objects.filter(is_active=True, area_memberships__area__in=area_ids)
        .values_list("email", flat=True)
        .distinct()
    )
    if recipients:
        messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in recipients]
        transaction.on_commit(lambda: send_mass_mail(messages))
