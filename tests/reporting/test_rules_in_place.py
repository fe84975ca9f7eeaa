"""Rules in their place: no page or download writes on GET; a running intervention gets
its update when it starts running, when its report comes back to the area, or by the
explicit step on the report's page; and who may open, close or reopen a quarter is
decided once, so a button is shown exactly when its step is allowed."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts import roles
from interventions.models import Intervention
from reporting import services
from reporting.models import AreaReport, ProgressUpdate
from tests import factories
from tests.conftest import make_user

DEADLINE = datetime.date(2099, 1, 15)


@pytest.fixture
def quarter(coordinator, track, area_a):
    factories.InterventionFactory(area=area_a)
    return services.quarter_open(
        programme=track.programme, year=2026, quarter=4, deadline=DEADLINE, user=coordinator
    )


def report_of(period, area):
    return AreaReport.objects.get(period=period, area=area)


def filled_in(report):
    """The report with every light given: ready to submit."""
    for update in report.updates.all():
        update.light = "green"
        update.save()
    report.overall_light = "green"
    report.save()
    return report


def change_url(report):
    return reverse("admin:reporting_areareport_change", args=[report.pk])


def add_updates_url(report):
    return reverse("admin:reporting_areareport_add_updates", args=[report.pk])


def rows_written():
    """Every row a GET could have written: updates and their history."""
    return ProgressUpdate.objects.count(), ProgressUpdate.history.count()


def without_update(area):
    """A running intervention of ``area`` without an update, as a bulk write leaves one
    (no save signal reaches reporting)."""
    intervention = factories.InterventionFactory(area=area, status=Intervention.Status.PREPARING)
    Intervention.objects.filter(pk=intervention.pk).update(status=Intervention.Status.RUNNING)
    return intervention


# --- no writes on GET -------------------------------------------------------------------


def test_opening_a_report_or_its_template_writes_nothing(client_for, liaison_a, quarter, area_a):
    report = report_of(quarter, area_a)
    without_update(area_a)
    client = client_for(liaison_a)
    before = rows_written()
    assert client.get(change_url(report)).status_code == 200
    template = reverse("admin:reporting_areareport_template", args=[report.pk])
    assert client.get(template).status_code == 200
    assert client.get(reverse("pages:my-quarter")).status_code == 200
    assert rows_written() == before


# --- when updates are made --------------------------------------------------------------


def test_an_intervention_that_starts_running_gets_its_update(quarter, area_a, liaison_a):
    intervention = factories.InterventionFactory(area=area_a, status=Intervention.Status.PREPARING)
    assert not intervention.updates.exists()
    intervention.status = Intervention.Status.RUNNING
    intervention._history_user = liaison_a
    intervention.save()
    (update,) = intervention.updates.all()
    assert update.report == report_of(quarter, area_a)
    assert update.history.get().history_user == liaison_a


def test_programme_wide_work_gets_its_update_without_a_report(quarter, track):
    wide = factories.InterventionFactory(area=None, track=track)
    (update,) = wide.updates.all()
    assert update.report is None and update.period == quarter


def test_a_submitted_report_waits_until_it_comes_back(quarter, area_a, coordinator):
    report = filled_in(report_of(quarter, area_a))
    services.report_step(report=report, user=coordinator, step="submit")

    late = factories.InterventionFactory(area=area_a)
    assert not late.updates.exists()  # a submitted report does not change under the reviewer

    services.report_step(report=report, user=coordinator, step="return", comment="Graag aanvullen")
    assert late.updates.get().report == report


def test_submitting_names_an_intervention_without_an_update(quarter, area_a, liaison_a):
    report = filled_in(report_of(quarter, area_a))
    missing = without_update(area_a)
    with pytest.raises(ValidationError) as refused:
        services.report_step(report=report, user=liaison_a, step="submit")
    assert missing.title in str(refused.value)
    assert not missing.updates.exists()  # the check wrote nothing


def test_the_report_page_adds_missing_updates_on_request(client_for, liaison_a, quarter, area_a):
    report = report_of(quarter, area_a)
    missing = without_update(area_a)
    client = client_for(liaison_a)
    page = client.get(change_url(report))
    assert page.context["without_update"] == [missing.title]
    assert add_updates_url(report) in page.content.decode()

    assert client.get(add_updates_url(report)).status_code == 405
    assert not missing.updates.exists()
    response = client.post(add_updates_url(report))
    assert response.status_code == 302 and response.url == change_url(report)
    assert missing.updates.get().report == report
    assert client.get(change_url(report)).context["without_update"] == []


@pytest.mark.parametrize("persona", ["liaison_b", "viewer"])
def test_others_cannot_add_updates(request, client_for, persona, quarter, area_a):
    report = report_of(quarter, area_a)
    missing = without_update(area_a)
    response = client_for(request.getfixturevalue(persona)).post(add_updates_url(report))
    if persona == "liaison_b":
        # Out of scope: the admin's answer for a missing row.
        assert response.status_code == 302 and response.url == reverse("admin:index")
    else:
        assert response.status_code == 403
    assert not missing.updates.exists()


# --- who opens, closes and reopens quarters ---------------------------------------------


@pytest.fixture
def coordinator_without_quarters(db):
    """A coordinator whose role an administrator stripped of changing quarters."""
    role = Group.objects.create(name="Coördinator zonder kwartalen")
    role.permissions.set(
        Group.objects.get(name=roles.COORDINATOR)
        .permissions.exclude(codename="change_reportingperiod")
        .all()
    )
    assert role.permissions.filter(codename="edit_all_areas").exists()
    return make_user("zonder-kwartalen@example.org", role.name)


def quarter_page(client, period):
    return client.get(reverse("admin:programme_reportingperiod_change", args=[period.pk]))


def test_a_coordinator_without_the_permission_sees_no_quarter_button(
    client_for, coordinator_without_quarters, coordinator, quarter
):
    page = quarter_page(client_for(coordinator_without_quarters), quarter)
    assert page.status_code == 200
    assert page.context["quarter_steps"] == []
    step = reverse("admin:programme_reportingperiod_step", args=[quarter.pk, "close"])
    assert step not in page.content.decode()
    assert client_for(coordinator_without_quarters).post(step).status_code == 403
    with pytest.raises(PermissionDenied):
        services.quarter_close(period=quarter, user=coordinator_without_quarters)

    page = quarter_page(client_for(coordinator), quarter)
    assert [step for step, _label in page.context["quarter_steps"]] == ["close"]


def test_the_role_decides_not_the_name(coordinator, quarter):
    """Taking the permission from the coordinators' role takes the step from them too."""
    Group.objects.get(name=roles.COORDINATOR).permissions.remove(
        Permission.objects.get(codename="change_reportingperiod")
    )
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)  # fresh permission cache
    with pytest.raises(PermissionDenied):
        services.quarter_close(period=quarter, user=coordinator)
