"""Large imports run in a worker: the upload page hands the file to a job, the job's page
shows its progress and then the same result as an import in the request (saved, or the
file's problems and nothing saved). A job is its requester's alone."""

import pytest
from django.urls import reverse

from accounts import roles
from accounts.models import AreaMembership
from core.jobs import Job
from interventions.models import Intervention, InterventionImportJob
from reporting.models import ProgressUpdate, QuarterImportJob
from tests.conftest import make_user
from tests.imports.helpers import as_upload
from tests.imports.test_doors import filled_template
from tests.imports.test_intervention_import import row, sheet


@pytest.fixture(autouse=True)
def every_upload_is_large(settings):
    settings.IMPORT_IN_REQUEST_MAX_BYTES = 0


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Requests whose queued jobs run (in-process: no broker in the tests)."""

    def post(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return post


def upload_quarter(client, run_jobs, report, data):
    url = reverse("admin:reporting_areareport_import", args=[report.pk])
    return run_jobs(client, url, {"file": as_upload(data)})


def test_a_large_quarter_import_runs_as_a_job_with_the_same_result(
    client_for, run_jobs, liaison_a, report_a
):
    client = client_for(liaison_a)
    response = upload_quarter(client, run_jobs, report_a, filled_template(report_a, liaison_a))

    job = QuarterImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:reporting_areareport_import_job", args=[report_a.pk, job.pk]
    )
    assert (job.status, job.progress, job.user, job.areas) == (
        Job.Status.DONE,
        100,
        liaison_a,
        [report_a.area_id],
    )
    page = client.get(response["Location"])
    assert page.status_code == 302
    assert page["Location"] == reverse("admin:reporting_areareport_change", args=[report_a.pk])
    updates = ProgressUpdate.objects.filter(report=report_a)
    assert {update.light for update in updates} == {"green"}
    assert {update.history.first().history_user for update in updates} == {liaison_a}


def test_a_large_import_with_errors_saves_nothing_and_lists_them(
    client_for, run_jobs, liaison_a, report_a
):
    client = client_for(liaison_a)
    data = filled_template(report_a, liaison_a, light="purple")
    response = upload_quarter(client, run_jobs, report_a, data)

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'data-code="invalid_choice"' in page.content
    assert not ProgressUpdate.objects.filter(report=report_a).exclude(light="").exists()


def test_a_job_still_at_work_shows_its_progress(client_for, liaison_a, report_a):
    job = QuarterImportJob.objects.create(
        user=liaison_a, report=report_a, areas=[report_a.area_id], status="running"
    )
    job.set_progress(40)
    page = client_for(liaison_a).get(
        reverse("admin:reporting_areareport_import_job", args=[report_a.pk, job.pk])
    )
    assert page.status_code == 200
    assert b'<progress max="100" value="40">' in page.content
    assert b'http-equiv="refresh"' in page.content


@pytest.mark.parametrize("persona", ["coordinator", "liaison_b"])
def test_nobody_else_sees_a_job(persona, personas, client_for, liaison_a, report_a):
    job = QuarterImportJob.objects.create(user=liaison_a, report=report_a, areas=[report_a.area_id])
    url = reverse("admin:reporting_areareport_import_job", args=[report_a.pk, job.pk])
    missing = reverse("admin:reporting_areareport_import_job", args=[report_a.pk, 999_999])
    client = client_for(personas[persona])
    answer, for_missing = client.get(url), client.get(missing)
    assert (answer.status_code, answer.get("Location")) == (
        for_missing.status_code,
        for_missing.get("Location"),
    )
    assert answer.status_code in (302, 404)


def test_a_liaison_whose_membership_was_removed_no_longer_sees_the_job(
    client_for, liaison_a, report_a, area_a
):
    job = QuarterImportJob.objects.create(user=liaison_a, report=report_a, areas=[area_a.pk])
    AreaMembership.objects.filter(user=liaison_a, area=area_a).delete()
    page = client_for(liaison_a).get(
        reverse("admin:reporting_areareport_import_job", args=[report_a.pk, job.pk])
    )
    assert page.status_code in (302, 404)


def test_a_broken_file_fails_the_job_and_says_why(client_for, run_jobs, liaison_a, report_a):
    client = client_for(liaison_a)
    response = upload_quarter(client, run_jobs, report_a, b"PK\x03\x04 not really a zip")
    job = QuarterImportJob.objects.get()
    assert job.status == Job.Status.FAILED and job.error
    page = client.get(response["Location"])
    assert job.error.encode() in page.content


def test_a_large_intervention_sheet_is_previewed_and_confirmed_by_jobs(
    client_for, run_jobs, coordinator, register, track, area_a
):
    client = client_for(coordinator)
    url = reverse("admin:interventions_intervention_import")
    response = run_jobs(client, url, {"file": sheet([row(track, area_a)]), "preview": "on"})
    preview = InterventionImportJob.objects.get()
    page = client.get(response["Location"])
    assert page.status_code == 200 and preview.dry_run
    assert f'name="job" value="{preview.pk}"'.encode() in page.content
    assert not Intervention.objects.filter(code="IV-NIEUW").exists()

    confirmed = run_jobs(client, url, {"job": preview.pk})
    applied = InterventionImportJob.objects.exclude(pk=preview.pk).get()
    assert (applied.dry_run, applied.expected) == (False, preview.result["fingerprint"])
    assert client.get(confirmed["Location"])["Location"] == reverse(
        "admin:interventions_intervention_changelist"
    )
    created = Intervention.objects.get(code="IV-NIEUW")
    assert created.history.get().history_user == coordinator


def test_nobody_confirms_another_coordinator_s_preview(
    client_for, run_jobs, coordinator, register, track, area_a
):
    preview = InterventionImportJob.objects.create(
        user=coordinator, dry_run=True, status="done", result={"ok": True, "fingerprint": "x"}
    )
    other = make_user("coordinator-2@example.org", roles.COORDINATOR)
    response = run_jobs(
        client_for(other), reverse("admin:interventions_intervention_import"), {"job": preview.pk}
    )
    assert response.status_code == 404
    assert InterventionImportJob.objects.count() == 1
