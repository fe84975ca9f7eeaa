"""Audit completeness: every write path — admin, API, service, import, command —
leaves exactly one history record per changed row, with the actor; unchanged rows none.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.test import APIClient

from areas.models import Area, Municipality
from interventions.models import Intervention
from programme.models import ReportingPeriod, Theme
from reporting import imports, services
from reporting.models import AreaReport, Escalation, ProgressUpdate
from tests import factories
from tests.admin_forms import admin_form_data
from tests.imports.helpers import as_upload, rows_of, saved, set_cell, sheet_of, template_book


def history_of(obj):
    return list(type(obj).history.filter(id=obj.pk).order_by("history_id"))


def new_records(obj, before):
    return history_of(obj)[before:]


@pytest.fixture
def intervention(area_a):
    return factories.InterventionFactory(area=area_a, title="Voor")


@pytest.fixture
def period(track):
    return factories.ReportingPeriodFactory(programme=track.programme)


def test_admin_change_leaves_one_record_with_the_actor(coordinator, intervention, client):
    client.force_login(coordinator)
    url = reverse("admin:interventions_intervention_change", args=[intervention.pk])
    before = len(history_of(intervention))
    response = client.post(url, admin_form_data(client.get(url), title="Na"))
    assert response.status_code == 302
    (record,) = new_records(intervention, before)
    assert record.history_type == "~" and record.title == "Na"
    assert record.history_user == coordinator


def test_admin_save_without_changes_leaves_at_most_one_record(coordinator, intervention, client):
    client.force_login(coordinator)
    url = reverse("admin:interventions_intervention_change", args=[intervention.pk])
    before = len(history_of(intervention))
    client.post(url, admin_form_data(client.get(url)))
    assert len(new_records(intervention, before)) <= 1


def test_api_change_leaves_one_record_with_the_actor(liaison_a, intervention):
    client = APIClient()
    client.force_login(liaison_a)
    url = f"/api/v1/interventions/{intervention.pk}/"
    before = len(history_of(intervention))
    response = client.patch(
        url, {"title": "Via de API"}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"]
    )
    assert response.status_code == 200, response.content
    (record,) = new_records(intervention, before)
    assert record.history_user == liaison_a and record.title == "Via de API"


def test_api_create_leaves_one_record_with_the_actor(liaison_a, area_a, period):
    report = factories.AreaReportFactory(area=area_a, period=period)
    client = APIClient()
    client.force_login(liaison_a)
    response = client.post(
        "/api/v1/escalations/",
        {
            "report": report.pk,
            "title": "Regels knellen",
            "description": "De regels staan maatwerk in de weg.",
            "kind": "rules",
            "addressed_to": "BZK",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    escalation = Escalation.objects.get(pk=response.json()["id"])
    (record,) = history_of(escalation)
    assert record.history_type == "+" and record.history_user == liaison_a


def test_a_workflow_step_leaves_one_record_with_the_actor(liaison_a, coordinator, area_a, period):
    report = factories.AreaReportFactory(area=area_a, period=period, overall_light="green")
    for user, step in ((liaison_a, "submit"), (coordinator, "approve")):
        before = len(history_of(report))
        services.report_step(report=report, user=user, step=step)
        (record,) = new_records(report, before)
        assert record.history_user == user


def test_opening_a_quarter_records_every_created_row_once_with_the_actor(
    coordinator, track, area_a, area_b
):
    running = [factories.InterventionFactory(area=area) for area in (area_a, area_b)]
    period = services.quarter_open(
        programme=track.programme,
        year=2032,
        quarter=2,
        deadline=datetime.date(2032, 7, 15),
        user=coordinator,
    )
    created = [
        period,
        *AreaReport.objects.filter(period=period),
        *ProgressUpdate.objects.filter(period=period),
    ]
    assert len(created) == 1 + 2 + len(running)
    for obj in created:
        (record,) = history_of(obj)
        assert record.history_type == "+" and record.history_user == coordinator, obj


def test_closing_a_quarter_leaves_one_record_with_the_actor(coordinator, period):
    before = len(history_of(period))
    services.quarter_close(period=period, user=coordinator)
    (record,) = new_records(period, before)
    assert record.history_user == coordinator
    assert record.status == ReportingPeriod.Status.CLOSED


def test_an_import_records_changed_rows_once_and_unchanged_rows_not(
    coordinator, liaison_a, track, area_a
):
    for title in ("Schoolmaatje", "Wijkagent plus"):
        factories.InterventionFactory(area=area_a, title=title, track=track)
    period = services.quarter_open(
        programme=track.programme,
        year=2026,
        quarter=4,
        deadline=datetime.date(2099, 1, 15),
        user=coordinator,
    )
    report = period.reports.get(area=area_a)
    updates = list(report.updates.order_by("intervention__title"))
    before = {update.pk: len(history_of(update)) for update in updates}
    book = template_book(report, liaison_a)
    sheet = sheet_of(book, imports.SHEET_UPDATES)
    changed_title = "Schoolmaatje"
    for row in rows_of(sheet, imports.UPDATE_COLUMNS):
        if changed_title in str(row.values()):
            set_cell(sheet, imports.UPDATE_COLUMNS, row["_row"], "narrative", "Loopt goed.")
            set_cell(sheet, imports.UPDATE_COLUMNS, row["_row"], "light", "green")

    result = imports.import_quarter(report=report, user=liaison_a, upload=as_upload(saved(book)))

    assert result.problems == []
    for update in updates:
        added = new_records(update, before[update.pk])
        if update.intervention.title == changed_title:
            (record,) = added
            assert record.history_user == liaison_a and record.narrative == "Loopt goed."
        else:
            assert added == []


def test_a_command_run_twice_records_nothing_the_second_time(db):
    call_command("load_reference_data", verbosity=0)
    models = (Area, Municipality, Theme)
    counts = {model: model.history.count() for model in models}
    assert all(counts.values())
    call_command("load_reference_data", verbosity=0)
    assert {model: model.history.count() for model in models} == counts


def test_the_reminder_command_records_its_one_change(track, area_a):
    period = factories.ReportingPeriodFactory(
        programme=track.programme, deadline=datetime.date(2030, 3, 31)
    )
    factories.AreaReportFactory(area=area_a, period=period)
    before = len(history_of(period))
    with freeze_time("2030-03-28 09:00"):
        call_command("send_deadline_reminders", stdout=io.StringIO())
    (record,) = new_records(period, before)
    # A scheduled job acts for no one: the record says so (no user) and what changed.
    assert record.history_user is None
    assert record.deadline_reminder_sent_at is not None


def test_every_tracked_model_is_saved_through_its_history(db):
    """No write path may skip history: the tracked models all have a history manager."""
    for model in (Intervention, AreaReport, ProgressUpdate, Escalation, ReportingPeriod, Area):
        assert hasattr(model, "history"), model
