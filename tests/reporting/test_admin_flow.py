"""The quarter in the admin: a liaison fills and submits, a coordinator returns,
approves and closes."""

import datetime

import pytest
from django.urls import reverse

from programme.models import ReportingPeriod
from reporting import services
from reporting.models import AreaReport, ProgressUpdate
from tests import factories
from tests.admin_forms import admin_form_data


@pytest.fixture
def period(coordinator, track):
    return services.quarter_open(
        programme=track.programme,
        year=2026,
        quarter=4,
        deadline=datetime.date(2099, 1, 15),
        user=coordinator,
    )


def report_url(report):
    return reverse("admin:reporting_areareport_change", args=[report.pk])


def step_url(report, step):
    return reverse("admin:reporting_areareport_step", args=[report.pk, step])


def fill_in(client, report, light="green"):
    page = client.get(report_url(report))
    data = admin_form_data(page, overall_light=light, narrative="Het gaat goed.")
    prefix = "updates"
    for index in range(int(data[f"{prefix}-TOTAL_FORMS"])):
        data[f"{prefix}-{index}-light"] = "amber"
        data[f"{prefix}-{index}-narrative"] = "Loopt."
    return client.post(report_url(report), data)


def test_a_liaison_fills_and_submits_the_quarter(liaison_a, area_a, track, client_for, coordinator):
    intervention = factories.InterventionFactory(area=area_a)
    period = services.quarter_open(
        programme=track.programme,
        year=2026,
        quarter=4,
        deadline=datetime.date(2099, 1, 15),
        user=coordinator,
    )
    late_starter = factories.InterventionFactory(area=area_a)
    report = period.reports.get(area=area_a)
    client = client_for(liaison_a)

    page = client.get(report_url(report))
    assert page.status_code == 200
    # The intervention that started running after the quarter opened got its update.
    assert {u.intervention for u in report.updates.all()} == {intervention, late_starter}
    assert [step for step, _label in page.context["report_steps"]] == ["submit"]

    response = fill_in(client, report)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(report.updates.values_list("light", flat=True)) == {"amber"}

    response = client.post(step_url(report, "submit"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == AreaReport.Status.SUBMITTED

    page = client.get(report_url(report))
    assert page.context["has_change_permission"] is False
    assert page.context["report_steps"] == []


def test_submit_page_shows_what_is_missing(liaison_a, area_a, period, client_for):
    factories.InterventionFactory(area=area_a, title="Schoolmaatschappelijk werk")
    report = period.reports.get(area=area_a)
    client = client_for(liaison_a)
    client.get(report_url(report))  # the update is made on the first visit

    response = client.post(step_url(report, "submit"))

    assert response.status_code == 200
    assert "Schoolmaatschappelijk werk" in response.content.decode()
    report.refresh_from_db()
    assert report.status == AreaReport.Status.DRAFT


def test_coordinator_returns_then_approves_from_the_overview_and_closes(
    coordinator, liaison_a, area_a, area_b, period, client_for
):
    report = period.reports.get(area=area_a)
    liaison = client_for(liaison_a)
    fill_in(liaison, report)
    liaison.post(step_url(report, "submit"))

    coordinator_client = client_for(coordinator)
    overview_url = reverse("admin:programme_reportingperiod_overview", args=[period.pk])
    overview = coordinator_client.get(overview_url)
    rows = dict((r.area, steps) for r, steps in overview.context["rows"])
    assert rows[area_a] == ["approve", "return"]
    assert rows[area_b] == ["submit"]

    page = coordinator_client.get(step_url(report, "return"))
    assert page.status_code == 200
    response = coordinator_client.post(step_url(report, "return"), {"comment": ""})
    assert response.status_code == 200  # a comment is required
    coordinator_client.post(step_url(report, "return"), {"comment": "Vul de risico's aan."})
    report.refresh_from_db()
    assert report.status == AreaReport.Status.RETURNED

    liaison = client_for(liaison_a)
    assert fill_in(liaison, report).status_code == 302
    liaison.post(step_url(report, "submit"))

    coordinator_client = client_for(coordinator)
    response = coordinator_client.post(f"{step_url(report, 'approve')}?next={overview_url}")
    assert response.status_code == 302 and response.url == overview_url
    report.refresh_from_db()
    assert report.status == AreaReport.Status.APPROVED

    close_url = reverse("admin:programme_reportingperiod_step", args=[period.pk, "close"])
    coordinator_client.post(close_url)
    period.refresh_from_db()
    assert period.status == ReportingPeriod.Status.CLOSED
    page = coordinator_client.get(report_url(report))
    assert page.context["has_change_permission"] is False


def test_overview_highlights_late_reports(coordinator, area_a, track, client_for):
    period = services.quarter_open(
        programme=track.programme,
        year=2024,
        quarter=1,
        deadline=datetime.date(2024, 4, 15),
        user=coordinator,
    )
    response = client_for(coordinator).get(
        reverse("admin:programme_reportingperiod_overview", args=[period.pk])
    )
    assert 'class="late"' in response.content.decode()


def test_liaison_overview_and_steps_stay_within_their_areas(
    liaison_a, area_a, area_b, period, client_for
):
    client = client_for(liaison_a)
    overview = client.get(reverse("admin:programme_reportingperiod_overview", args=[period.pk]))
    assert [report.area for report, _steps in overview.context["rows"]] == [area_a]

    theirs = period.reports.get(area=area_b)
    response = client.post(step_url(theirs, "submit"))
    assert response.status_code == 302 and response.url == reverse("admin:index")
    theirs.refresh_from_db()
    assert theirs.status == AreaReport.Status.DRAFT


def test_the_quarter_list_counts_only_the_reports_a_user_sees(
    liaison_a, coordinator, area_a, area_b, period, client_for
):
    submitted = period.reports.get(area=area_b)
    submitted.status = AreaReport.Status.SUBMITTED
    submitted.save()
    changelist = reverse("admin:programme_reportingperiod_changelist")
    (row,) = client_for(liaison_a).get(changelist).context["cl"].result_list
    assert (row._submitted, row._reports) == (0, 1)  # area B's report is not counted
    (row,) = client_for(coordinator).get(changelist).context["cl"].result_list
    assert (row._submitted, row._reports) == (1, 2)


def test_liaison_cannot_approve_by_url(liaison_a, area_a, period, client_for):
    report = period.reports.get(area=area_a)
    report.status = AreaReport.Status.SUBMITTED
    report.save()
    response = client_for(liaison_a).post(step_url(report, "approve"))
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == AreaReport.Status.SUBMITTED


def test_liaison_cannot_close_a_quarter_by_url(liaison_a, period, client_for):
    response = client_for(liaison_a).post(
        reverse("admin:programme_reportingperiod_step", args=[period.pk, "close"])
    )
    assert response.status_code == 403
    period.refresh_from_db()
    assert period.status == ReportingPeriod.Status.OPEN


def test_coordinator_opens_a_quarter_in_the_admin(coordinator, area_a, track, client_for):
    factories.InterventionFactory(area=area_a)
    response = client_for(coordinator).post(
        reverse("admin:programme_reportingperiod_add"),
        {
            "programme": track.programme.pk,
            "year": 2027,
            "quarter": 1,
            "deadline": "2027-04-15",
            "transitions-TOTAL_FORMS": "0",
            "transitions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    period = ReportingPeriod.objects.get(year=2027, quarter=1)
    assert period.reports.get().area == area_a
    assert ProgressUpdate.objects.filter(period=period).count() == 1


def test_updates_of_an_open_report_stay_visible_to_the_viewer_read_only(
    viewer, area_a, period, client_for
):
    factories.InterventionFactory(area=area_a)
    report = period.reports.get(area=area_a)
    services.report_prepare(report=report)
    page = client_for(viewer).get(report_url(report))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert report.updates.count() == 1
