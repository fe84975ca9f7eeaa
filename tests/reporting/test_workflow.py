"""The report workflow: who may take which step from which state, and what it leaves."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from reporting import services
from reporting.models import AreaReport, Light, ReportTransition
from tests import factories

Status = AreaReport.Status


@pytest.fixture
def report(area_a):
    return factories.AreaReportFactory(area=area_a, overall_light=Light.GREEN)


def put_in(report, status):
    """Bring a report into ``status`` the way the workflow does."""
    report.status = status
    report.save()
    report.refresh_from_db()
    return report


# (step, from state) -> who may take it
MATRIX = [
    ("submit", Status.DRAFT, {"coordinator", "liaison_a"}),
    ("submit", Status.RETURNED, {"coordinator", "liaison_a"}),
    ("approve", Status.SUBMITTED, {"coordinator"}),
    ("return", Status.SUBMITTED, {"coordinator"}),
    ("reopen", Status.APPROVED, {"coordinator"}),
]
PERSONAS = ["coordinator", "liaison_a", "liaison_b", "viewer"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("step", "start", "allowed"), MATRIX)
def test_who_may_take_each_step(step, start, allowed, persona, personas, report):
    report = put_in(report, start)
    user = personas[persona]
    if persona in allowed:
        done = services.report_step(report=report, user=user, step=step, comment="Omdat.")
        assert done.status == services.REPORT_STEPS[step][1]
        transition = ReportTransition.objects.get(report=report)
        assert (transition.actor, transition.from_status, transition.to_status) == (
            user,
            start,
            done.status,
        )
    else:
        with pytest.raises(PermissionDenied):
            services.report_step(report=report, user=user, step=step, comment="Omdat.")
        report.refresh_from_db()
        assert report.status == start
        assert not ReportTransition.objects.exists()


@pytest.mark.parametrize(
    ("step", "start"),
    [
        ("approve", Status.DRAFT),
        ("approve", Status.RETURNED),
        ("approve", Status.APPROVED),
        ("return", Status.DRAFT),
        ("return", Status.APPROVED),
        ("submit", Status.SUBMITTED),
        ("submit", Status.APPROVED),
        ("reopen", Status.DRAFT),
        ("reopen", Status.SUBMITTED),
    ],
)
def test_a_step_from_the_wrong_state_is_refused(step, start, coordinator, report):
    report = put_in(report, start)
    with pytest.raises(services.StepNotAllowed):
        services.report_step(report=report, user=coordinator, step=step, comment="Omdat.")
    report.refresh_from_db()
    assert report.status == start


@pytest.mark.parametrize("step", ["return", "reopen"])
def test_return_and_reopen_need_a_comment(step, coordinator, report):
    report = put_in(report, Status.SUBMITTED if step == "return" else Status.APPROVED)
    with pytest.raises(ValidationError) as error:
        services.report_step(report=report, user=coordinator, step=step, comment="   ")
    assert "comment" in error.value.message_dict
    report.refresh_from_db()
    assert report.status in (Status.SUBMITTED, Status.APPROVED)


def test_a_second_click_does_not_double_the_step(liaison_a, report):
    services.report_step(report=report, user=liaison_a, step="submit")
    with pytest.raises(services.StepNotAllowed):
        services.report_step(report=report, user=liaison_a, step="submit")
    assert ReportTransition.objects.filter(report=report).count() == 1


def test_submit_needs_the_overall_light_and_a_light_per_update(liaison_a, area_a):
    report = factories.AreaReportFactory(area=area_a)
    update = factories.ProgressUpdateFactory(report=report)
    with pytest.raises(ValidationError) as error:
        services.report_step(report=report, user=liaison_a, step="submit")
    text = " ".join(error.value.messages)
    assert update.intervention.title in text
    assert report.status == Status.DRAFT

    report.refresh_from_db()
    report.overall_light = Light.GREEN
    report.save()
    update.refresh_from_db()
    update.light = Light.RED
    update.save()
    assert services.report_step(report=report, user=liaison_a, step="submit").status == (
        Status.SUBMITTED
    )


def test_submitting_asks_for_interventions_that_started_running_after_the_quarter_opened(
    liaison_a, area_a
):
    report = factories.AreaReportFactory(area=area_a, overall_light=Light.GREEN)
    report.period.programme = area_a.tracks.get().programme
    report.period.save()
    late_starter = factories.InterventionFactory(area=area_a)
    with pytest.raises(ValidationError) as error:
        services.report_step(report=report, user=liaison_a, step="submit")
    assert late_starter.title in " ".join(error.value.messages)


def test_returning_mails_the_area_once_after_commit(
    coordinator, liaison_a, liaison_b, report, django_capture_on_commit_callbacks
):
    report = put_in(report, Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.report_step(
            report=report, user=coordinator, step="return", comment="Graag de risico's invullen."
        )
        assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [liaison_a.email]
    assert "Graag de risico's invullen." in mail.outbox[0].body


def test_each_step_is_in_the_field_history_with_its_actor(coordinator, liaison_a, report):
    services.report_step(report=report, user=liaison_a, step="submit")
    services.report_step(report=report, user=coordinator, step="return", comment="Aanvullen.")
    records = list(report.history.order_by("history_date"))
    assert [r.status for r in records[-2:]] == [Status.SUBMITTED, Status.RETURNED]
    assert [r.history_user for r in records[-2:]] == [liaison_a, coordinator]


def test_the_full_cycle_leaves_an_append_only_trail(coordinator, liaison_a, report):
    services.report_step(report=report, user=liaison_a, step="submit")
    services.report_step(report=report, user=coordinator, step="return", comment="Aanvullen.")
    services.report_step(report=report, user=liaison_a, step="submit")
    services.report_step(report=report, user=coordinator, step="approve")
    trail = list(report.transitions.values_list("from_status", "to_status"))
    assert trail == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "approved"),
    ]
    transition = report.transitions.first()
    transition.comment = "herschreven"
    with pytest.raises(TypeError):
        transition.save()
    with pytest.raises(TypeError):
        transition.delete()
