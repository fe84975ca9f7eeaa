"""Opening, closing and reopening quarters; carry-over; e-mails and reminders."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from programme.models import ReportingPeriod
from reporting import services
from reporting.models import IndicatorValue, ProgressUpdate, QuarterTransition
from tests import factories


def open_quarter(user, programme, year=2026, quarter=3, deadline=datetime.date(2026, 10, 15)):
    return services.quarter_open(
        programme=programme, year=year, quarter=quarter, deadline=deadline, user=user
    )


@pytest.fixture
def programme(track):
    return track.programme


def test_opening_a_quarter_prepares_a_report_per_area_and_an_update_per_running_intervention(
    coordinator, programme, area_a, area_b, track
):
    running = factories.InterventionFactory(area=area_a)
    factories.InterventionFactory(area=area_a, status="idea", start_date=None)
    programme_wide = factories.InterventionFactory(area=None, track=track)
    other_programme = factories.AreaFactory()

    period = open_quarter(coordinator, programme)

    assert set(period.reports.values_list("area", flat=True)) == {area_a.pk, area_b.pk}
    assert other_programme.reports.count() == 0
    updates = {u.intervention: u for u in ProgressUpdate.objects.filter(period=period)}
    assert set(updates) == {running, programme_wide}
    assert updates[running].report.area == area_a
    assert updates[programme_wide].report is None
    assert QuarterTransition.objects.get(period=period).actor == coordinator
    assert period.reports.first().history.first().history_user == coordinator


def test_opening_a_quarter_mails_the_liaisons_once_after_commit(
    coordinator, liaison_a, liaison_b, programme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        open_quarter(coordinator, programme)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([liaison_a.email, liaison_b.email])
    assert "2026-Q3" in mail.outbox[0].subject


@pytest.mark.parametrize("persona", ["liaison_a", "viewer"])
def test_only_coordinators_open_a_quarter(persona, personas, programme):
    with pytest.raises(PermissionDenied):
        open_quarter(personas[persona], programme)
    assert not ReportingPeriod.objects.exists()


def test_the_same_quarter_cannot_be_opened_twice(coordinator, programme):
    open_quarter(coordinator, programme)
    with pytest.raises(ValidationError):
        open_quarter(coordinator, programme)
    assert ReportingPeriod.objects.count() == 1


def test_a_new_quarter_starts_from_the_previous_one_marked_carried_over(
    coordinator, liaison_a, programme, area_a
):
    intervention = factories.InterventionFactory(area=area_a)
    indicator = factories.IndicatorFactory(intervention=intervention)
    first = open_quarter(coordinator, programme, quarter=2, deadline=datetime.date(2026, 7, 15))
    update = ProgressUpdate.objects.get(period=first, intervention=intervention)
    update.money_spent_to_date = Decimal("1234.50")
    update.risks = "Vertraging bij de aannemer."
    update.narrative = "Alleen dit kwartaal."
    update.save()
    IndicatorValue.objects.create(update=update, indicator=indicator, value=Decimal("40"))

    second = open_quarter(coordinator, programme, quarter=3)

    carried = ProgressUpdate.objects.get(period=second, intervention=intervention)
    assert carried.carried_over is True
    assert carried.money_spent_to_date == Decimal("1234.50")
    assert carried.risks == "Vertraging bij de aannemer."
    assert carried.narrative == ""
    value = carried.indicator_values.get()
    assert (value.indicator, value.value, value.carried_over) == (indicator, Decimal("40"), True)

    carried.money_spent_to_date = Decimal("2000.00")
    carried.save()
    value.value = Decimal("45")
    value.save()
    carried.refresh_from_db()
    value.refresh_from_db()
    assert carried.carried_over is False
    assert value.carried_over is False


def test_closing_and_reopening_a_quarter_is_recorded(coordinator, programme):
    period = open_quarter(coordinator, programme)
    services.quarter_close(period=period, user=coordinator)
    with pytest.raises(services.StepNotAllowed):
        services.quarter_close(period=period, user=coordinator)
    with pytest.raises(ValidationError):
        services.quarter_reopen(period=period, user=coordinator, reason="")
    services.quarter_reopen(period=period, user=coordinator, reason="Correctie Rotterdam.")
    period.refresh_from_db()
    assert period.status == ReportingPeriod.Status.OPEN
    trail = list(period.transitions.values_list("from_status", "to_status", "comment"))
    assert trail == [
        ("", "open", ""),
        ("open", "closed", ""),
        ("closed", "open", "Correctie Rotterdam."),
    ]


def test_a_liaison_cannot_close_a_quarter(coordinator, liaison_a, programme):
    period = open_quarter(coordinator, programme)
    with pytest.raises(PermissionDenied):
        services.quarter_close(period=period, user=liaison_a)


def test_deadline_reminder_goes_once_to_areas_that_have_not_submitted(
    coordinator, liaison_a, liaison_b, programme, area_b, django_capture_on_commit_callbacks
):
    period = open_quarter(coordinator, programme, deadline=datetime.date(2026, 10, 15))
    report_b = period.reports.get(area=area_b)
    report_b.overall_light = "green"
    report_b.save()
    services.report_step(report=report_b, user=liaison_b, step="submit")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_deadline_reminders(today=datetime.date(2026, 9, 1)) == 0
        assert services.send_deadline_reminders(today=datetime.date(2026, 10, 10)) == 1
        assert services.send_deadline_reminders(today=datetime.date(2026, 10, 11)) == 0

    assert [m.to for m in mail.outbox] == [[liaison_a.email]]


def test_reminder_command_sends_them(
    coordinator, liaison_a, programme, capsys, django_capture_on_commit_callbacks
):
    open_quarter(coordinator, programme, deadline=datetime.date.today())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_deadline_reminders")
    assert "1 quarter" in capsys.readouterr().out
    assert [m.to for m in mail.outbox] == [[liaison_a.email]]
